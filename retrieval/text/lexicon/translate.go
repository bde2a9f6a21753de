package lexicon

import (
	"cmp"
	"slices"
	"strings"
	"unicode"

	"github.com/citebot/citebot/retrieval/text"
)

// Alternative is one rendering of a question's word in the document's
// language.
type Alternative struct {
	// Text is how it may be written in the document: a Chinese headword
	// (Simplified or Traditional) or an English word or phrase.
	Text string
	// Weight is in (0, 1]; the best alternative of a group has 1.
	Weight float64
	// Headword and Sense link the question's word and Text for the
	// reader: the Chinese headword (Text itself in a Chinese document,
	// the question's word in an English one) and its English sense as the
	// lexicon writes it ("禁渔", "ban on fishing"). Headword is empty for
	// a word that stands for itself (GDP, 2024); Sense is the question's
	// words for a name spelt in pinyin.
	Headword, Sense string
}

// Group is the alternatives of one word (or phrase) of a question: they
// count as one term.
type Group struct {
	// Source is the question's word or phrase.
	Source string
	// Weight is the group's importance: the number of question words it
	// stands for.
	Weight float64
	Alts   []Alternative
}

// Query is a question translated into the document's language.
type Query struct {
	// From is the question's language and To the document's ("zh" or
	// "en").
	From, To string
	Groups   []Group
	// Unknown lists the question's content words that have no
	// alternative (none the filter accepted).
	Unknown []string
}

// Texts returns the alternatives' texts, best first within each group,
// separated by spaces: a plain query in the document's language (for an
// embedder, say).
func (q Query) Texts() string {
	var b strings.Builder
	for _, g := range q.Groups {
		for _, a := range g.Alts {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(a.Text)
		}
	}
	return b.String()
}

// Limits of a group.
const (
	// maxAlts is the most alternatives a group keeps.
	maxAlts = 6
	// minShare drops alternatives weighing less than this share of the
	// group's best.
	minShare = 0.3
	// singleCharWeight scales one-character Chinese headwords, the most
	// ambiguous ("river" -> 江, 河, 川).
	singleCharWeight = 0.6
)

// Translate translates the content words of question into the language
// to ("zh" or "en"), as weighted alternatives per question word. When has
// is not nil, only alternatives it accepts are kept (has is given the
// alternative's Text: pass a test of the document vocabulary). A question
// already in language to, or an unknown to, gives an empty Query. It is
// safe for concurrent use; the first call loads the lexicon.
func Translate(question, to string, has func(string) bool) (Query, error) {
	from := text.Lang(question)
	q := Query{From: from, To: to}
	if from == to || (to != "zh" && to != "en") {
		return q, nil
	}
	lx, err := get()
	if err != nil {
		return q, err
	}
	t := translator{lx: lx, has: has, q: &q}
	if to == "zh" {
		t.lx = lx.english()
		t.englishToChinese(question)
	} else {
		t.chineseToEnglish(question)
	}
	return q, nil
}

// translator is one Translate call.
type translator struct {
	lx  *lexicon
	has func(string) bool
	q   *Query
}

// accept reports whether the document may hold s.
func (t *translator) accept(s string) bool { return t.has == nil || t.has(s) }

// addGroup adds a group made of alts (any order, duplicates allowed) or
// records source as unknown; it reports whether a group was added.
func (t *translator) addGroup(source string, weight float64, alts []Alternative) bool {
	// Best first; of equal weights the shorter, the more basic word.
	slices.SortStableFunc(alts, func(a, b Alternative) int {
		return cmp.Or(cmp.Compare(b.Weight, a.Weight), cmp.Compare(runeLen(a.Text), runeLen(b.Text)))
	})
	var kept []Alternative
	for _, a := range alts {
		if len(kept) == maxAlts || a.Weight < minShare*alts[0].Weight {
			break
		}
		if !slices.ContainsFunc(kept, func(k Alternative) bool { return k.Text == a.Text }) {
			kept = append(kept, a)
		}
	}
	if len(kept) == 0 {
		t.q.Unknown = append(t.q.Unknown, source)
		return false
	}
	top := kept[0].Weight
	for i := range kept {
		kept[i].Weight /= top
	}
	t.q.Groups = append(t.q.Groups, Group{Source: source, Weight: weight, Alts: kept})
	return true
}

// headwordAlts returns the forms of headwords ps the document may hold,
// weighted by the postings, with the sense holding key (a stem or a
// phrase key; "" for the first sense). The Traditional form is left out
// when the Simplified one is accepted and both fold alike (text.Fold): a
// filter that folds accepts both, and they are one alternative.
func (t *translator) headwordAlts(ps []posting, key string) []Alternative {
	var out []Alternative
	for _, p := range ps {
		e := t.lx.entries[p.e]
		w := float64(p.w)
		if runeLen(e.simp) == 1 {
			w *= singleCharWeight
		}
		simp := e.simp != "" && t.accept(e.simp)
		if simp {
			out = append(out, Alternative{Text: e.simp, Weight: w, Headword: e.simp, Sense: e.senseFor(key)})
		}
		if e.trad != "" && e.trad != e.simp && !(simp && text.Fold(e.trad) == text.Fold(e.simp)) && t.accept(e.trad) {
			out = append(out, Alternative{Text: e.trad, Weight: w, Headword: e.trad, Sense: e.senseFor(key)})
		}
	}
	return out
}

// withSource adds the question's own word (or phrase) as an alternative
// of weight 1 when the document holds it: an acronym or a number (GDP,
// 2024), or any word of a document that mixes both languages.
func (t *translator) withSource(alts []Alternative, word string) []Alternative {
	if t.has != nil && t.has(word) {
		alts = append(alts, Alternative{Text: word, Weight: 1})
	}
	return alts
}

// englishToChinese translates an English question: capitalised runs as
// names (CC-CEDICT proper nouns by their reading, else pinyin spelled in
// the document's characters), then the longest runs of content words that
// are a whole gloss sense, then single words by every gloss holding them.
func (t *translator) englishToChinese(question string) {
	ws := contentWords(question)
	for i := 0; i < len(ws); {
		if n := t.name(ws[i:]); n > 0 {
			i += n
			continue
		}
		if n := t.phrase(ws[i:]); n > 0 {
			i += n
			continue
		}
		w := ws[i]
		var alts []Alternative
		if !isNumber(w.lower) {
			st := stem(w.lower)
			alts = t.headwordAlts(t.lx.words.get(st), st)
		}
		t.addGroup(w.w, 1, t.withSource(alts, w.lower))
		i++
	}
}

// capitalRun returns how many of ws, from the first, are capitalised and
// adjacent.
func capitalRun(ws []englishWord) int {
	n := 0
	for n < len(ws) && (n == 0 || !ws[n].gap) {
		r, _ := firstRune(ws[n].w)
		if !unicode.IsUpper(r) {
			break
		}
		n++
	}
	return n
}

// name adds a group for the longest capitalised run starting at ws[0]
// that is a proper noun of the lexicon or pinyin the document spells, and
// returns its length in words (0 for none).
func (t *translator) name(ws []englishWord) int {
	for n := capitalRun(ws); n > 0; n-- {
		parts := make([]string, n)
		for i, w := range ws[:n] {
			parts[i] = w.lower
		}
		joined := strings.Join(parts, "")
		source := joinWords(ws[:n])
		var alts []Alternative
		for _, e := range t.lx.names[joined] {
			alts = append(alts, t.headwordAlts([]posting{{e: e, w: 1}}, "")...)
		}
		if len(alts) == 0 {
			syls, ok := t.lx.splitPinyin(joined)
			if ok {
				for _, c := range t.lx.nameCandidates(syls, t.has) {
					alts = append(alts, Alternative{Text: c, Weight: 1, Headword: c, Sense: source})
				}
			}
		}
		if len(alts) > 0 {
			t.addGroup(source, float64(n), t.withSource(alts, strings.ToLower(source)))
			return n
		}
	}
	return 0
}

// phrase adds a group for the longest run of two to four adjacent content
// words starting at ws[0] that is a whole gloss sense of a headword the
// document may hold, and returns its length in words (0 for none).
func (t *translator) phrase(ws []englishWord) int {
	for n := min(4, len(ws)); n >= 2; n-- {
		if slices.ContainsFunc(ws[1:n], func(w englishWord) bool { return w.gap }) {
			continue
		}
		stems := make([]string, n)
		for i, w := range ws[:n] {
			stems[i] = stem(w.lower)
		}
		key := phraseKey(stems)
		alts := t.headwordAlts(t.lx.phrases.get(key), key)
		if len(alts) > 0 {
			t.addGroup(joinWords(ws[:n]), float64(n), t.withSource(alts, strings.ToLower(joinWords(ws[:n]))))
			return n
		}
	}
	return 0
}

func joinWords(ws []englishWord) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.w
	}
	return strings.Join(parts, " ")
}

func firstRune(s string) (rune, bool) {
	for _, r := range s {
		return r, true
	}
	return 0, false
}

func isNumber(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
}

// Renders reports whether the lexicon has a rendering of the word w in
// the language to ("zh" or "en"), whatever a document holds: an English
// word any gloss or proper noun holds, a Chinese headword with a gloss.
// It is false when the lexicon cannot load.
func Renders(w, to string) bool {
	lx, err := get()
	if err != nil {
		return false
	}
	lower := strings.ToLower(w)
	if to == "zh" {
		return len(lx.english().words.get(stem(lower))) > 0 || len(lx.names[lower]) > 0
	}
	i, ok := lx.lookup(w)
	return ok && lx.entries[i].glosses != ""
}
