package main

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/citebot/citebot/retrieval/text/wordnet/internal/morph"
)

// The choices the generator makes from the database: which lemma a form
// stands for and which words are related.

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// posOf returns the parts of speech of word as a lemma.
func (d *db) posOf(word string) morph.POS { return d.lemmas[word] }

// count is how often word was tagged in any of the parts of speech of pos.
func (d *db) count(word string, pos morph.POS) int {
	n := 0
	for p := morph.Noun; p <= morph.Adv; p <<= 1 {
		if pos&p != 0 {
			n += d.counts[wordPOS{word, p}]
		}
	}
	return n
}

// lemmaOf returns the lemma of form: the reading choose picks, followed
// while that picks another (buildings -> building -> build), so that the
// lemma of a lemma is itself.
func (d *db) lemmaOf(form string) string {
	l := d.choose(form)
	for range 4 {
		next := d.choose(l)
		if next == l {
			break
		}
		l = next
	}
	return l
}

// choose picks the lemma of form among form itself (when it is a
// lemma), the lemmas its exception lists give and those the detachment
// rules give: the one tagged most often in the semantic concordance, in
// the part of speech that reading gives it (evening is not the verb even,
// which is rare, although the adverb even is common); ties go to the
// earlier, form itself first. A form that is no lemma and has no
// reading is its own lemma.
func (d *db) choose(form string) string {
	best, bestN := form, -1
	if p := d.posOf(form); p != 0 {
		bestN = d.count(form, p)
	}
	consider := func(base string, pos morph.POS) {
		if !morph.IsWord(base) {
			return
		}
		if n := d.count(base, pos); n > bestN {
			best, bestN = base, n
		}
	}
	for _, e := range d.exc[form] {
		consider(e.word, e.pos)
	}
	for _, r := range morph.Rules {
		if b, ok := r.Base(form); ok && d.posOf(b)&r.POS != 0 {
			consider(b, r.POS)
		}
	}
	return best
}

// overrides returns, sorted by form, the forms whose chosen lemma
// (lemmaOf) differs from what the rules alone give (morph.Default): every
// form of the exception lists and every form a rule derives from some
// lemma is considered.
func (d *db) overrides() [][2]string {
	forms := map[string]bool{}
	for f := range d.exc {
		forms[f] = true
	}
	for w, pos := range d.lemmas {
		for _, r := range morph.Rules {
			if pos&r.POS == 0 {
				continue
			}
			if f, ok := r.Form(w); ok {
				forms[f] = true
			}
		}
	}
	lemmaOf := map[string]string{}
	for f := range forms {
		if morph.IsWord(f) {
			l := d.lemmaOf(f)
			lemmaOf[f], forms[l] = l, true
		}
	}
	// The lemmas chosen are forms too: each must come back as itself.
	for f := range forms {
		if _, ok := lemmaOf[f]; !ok && morph.IsWord(f) {
			lemmaOf[f] = d.lemmaOf(f)
		}
	}
	var out [][2]string
	for _, f := range sortedKeys(lemmaOf) {
		if l := lemmaOf[f]; l != morph.Default(f, d.posOf) {
			out = append(out, [2]string{f, l})
		}
	}
	return out
}

// checkLemmas reports a form whose lemma's lemma is not the lemma itself
// when read as the wordnet package reads the table (overrides, else
// morph.Default).
func (d *db) checkLemmas(overrides [][2]string) error {
	exc := make(map[string]string, len(overrides))
	for _, o := range overrides {
		exc[o[0]] = o[1]
	}
	lemma := func(w string) string {
		if l, ok := exc[w]; ok {
			return l
		}
		return morph.Default(w, d.posOf)
	}
	for _, o := range overrides {
		if l := lemma(o[1]); l != o[1] {
			return fmt.Errorf("lemma of %s is %s, whose lemma is %s", o[0], o[1], l)
		}
	}
	for w := range d.lemmas {
		if l := lemma(w); lemma(l) != l {
			return fmt.Errorf("lemma of %s is %s, whose lemma is %s", w, l, lemma(l))
		}
	}
	return nil
}

// rank returns the sense number (from 1, most frequent first) of synset
// off among word's senses in pos, or 0 when it is not one of them.
func (d *db) rank(word string, pos morph.POS, off int64) int {
	return slices.Index(d.senses[wordPOS{word, pos}], off) + 1
}

// synonymSets returns the synonym sets to keep, as lines of words each
// followed by the synset's sense number for it ("car1 auto1 automobile1"):
// the one-word members for which the synset is among their first
// maxSense senses, when two or more are left. Lines are in the order of
// the data files.
func (d *db) synonymSets() []string {
	var out []string
	for _, k := range d.sortedSynsets() {
		s := d.synsets[k]
		var members []string
		seen := map[string]bool{}
		for _, w := range s.words {
			r := d.rank(w, k.pos, k.offset)
			if !morph.IsWord(w) || seen[w] || r == 0 || r > maxSense {
				continue
			}
			seen[w] = true
			members = append(members, fmt.Sprintf("%s%d", w, r))
		}
		if len(members) >= 2 {
			out = append(out, strings.Join(members, " "))
		}
	}
	return out
}

// sortedSynsets returns the synsets' keys by part of speech and offset.
func (d *db) sortedSynsets() []synKey {
	keys := slices.Collect(maps.Keys(d.synsets))
	slices.SortFunc(keys, func(a, b synKey) int {
		return cmp.Or(cmp.Compare(a.pos, b.pos), cmp.Compare(a.offset, b.offset))
	})
	return keys
}

// derivations returns, per word, the one-word lemmas WordNet links to it
// as derivationally related forms (+ pointers between words: homeless,
// home), sorted.
func (d *db) derivations() map[string][]string {
	rel := map[string]map[string]bool{}
	for _, k := range d.sortedSynsets() {
		s := d.synsets[k]
		for _, p := range s.ptrs {
			if p.symbol != "+" || p.source < 1 || p.source > len(s.words) {
				continue
			}
			t, ok := d.synsets[synKey{p.pos, p.offset}]
			if !ok || p.target < 1 || p.target > len(t.words) {
				continue
			}
			link(rel, s.words[p.source-1], t.words[p.target-1])
		}
	}
	return flatten(rel)
}

// attributes returns, per word, the words WordNet relates to it as a
// noun and the adjectives it is the attribute of (= pointers between
// synsets: height, tall), in both directions, for the words whose
// synset is among their first maxSense senses.
func (d *db) attributes() map[string][]string {
	rel := map[string]map[string]bool{}
	for _, k := range d.sortedSynsets() {
		if k.pos != morph.Noun {
			continue
		}
		s := d.synsets[k]
		for _, p := range s.ptrs {
			t, ok := d.synsets[synKey{p.pos, p.offset}]
			if p.symbol != "=" || !ok {
				continue
			}
			for _, a := range d.frequentWords(s, k) {
				for _, b := range d.frequentWords(t, synKey{p.pos, p.offset}) {
					link(rel, a, b)
				}
			}
		}
	}
	return flatten(rel)
}

// frequentWords returns the one-word members of s for which s is among
// their first maxSense senses.
func (d *db) frequentWords(s synset, k synKey) []string {
	var out []string
	for _, w := range s.words {
		if r := d.rank(w, k.pos, k.offset); morph.IsWord(w) && r > 0 && r <= maxSense {
			out = append(out, w)
		}
	}
	return out
}

// link relates a and b both ways, when both are one-word lemmas and not
// the same.
func link(rel map[string]map[string]bool, a, b string) {
	if a == b || !morph.IsWord(a) || !morph.IsWord(b) {
		return
	}
	for _, p := range [][2]string{{a, b}, {b, a}} {
		if rel[p[0]] == nil {
			rel[p[0]] = map[string]bool{}
		}
		rel[p[0]][p[1]] = true
	}
}

// flatten turns sets into sorted lists.
func flatten(rel map[string]map[string]bool) map[string][]string {
	out := make(map[string][]string, len(rel))
	for w, set := range rel {
		out[w] = sortedKeys(set)
	}
	return out
}
