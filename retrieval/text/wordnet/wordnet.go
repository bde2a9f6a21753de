package wordnet

import (
	"cmp"
	"slices"

	"github.com/citebot/citebot/retrieval/text/wordnet/internal/morph"
)

// Lemma returns the lemma of word, a lowercase token (see text.Tokens):
// fires -> fire, died -> die, went -> go, cities -> city. A word that is
// a lemma, that WordNet does not know, or that is not made of ASCII
// lowercase letters comes back as it is. It parses the table on first
// use; should the table be damaged, every word is its own lemma.
func Lemma(word string) string {
	t, err := get()
	if err != nil || !morph.IsWord(word) {
		return word
	}
	return t.lemma(word)
}

// lemma is [Lemma] on the parsed table.
func (t *table) lemma(word string) string {
	if l, ok := t.exception[word]; ok {
		return l
	}
	return morph.Default(word, t.posOf)
}

// posOf returns the parts of speech of word as a lemma, 0 for none.
func (t *table) posOf(word string) morph.POS { return t.pos[word] }

// Relation says how a [Weighted] word relates to the word asked about.
type Relation uint8

// Relations.
const (
	// Derivation is a derivationally related form: die, death.
	Derivation Relation = iota + 1
	// Attribute links a noun and the adjectives that are its values:
	// height, tall.
	Attribute
	// Synonym is a word of one of the word's first senses' synonym
	// sets: perish, for die.
	Synonym
)

// Weighted is a word related to another, with how closely.
type Weighted struct {
	// Word is a lemma.
	Word string
	// Weight is in (0, 1]: 1 for derivations and attributes; for a
	// synonym, 1/(r1*r2) where r1 is the rank of the shared sense among
	// the asked word's senses and r2 among the synonym's.
	Weight float64
	Kind   Relation
}

// Related returns the lemmas related to the lemma of word (see [Lemma]),
// heaviest first (ties in order of relation, then alphabetically): its
// derivations, attributes and synonyms, each word once with its heaviest
// relation, never the lemma itself. It returns nil for a word WordNet
// relates to nothing.
func Related(word string) []Weighted {
	t, err := get()
	if err != nil || !morph.IsWord(word) {
		return nil
	}
	l := t.lemma(word)
	var out []Weighted
	add := func(w string, weight float64, kind Relation) {
		w = t.lemma(w)
		if w == l {
			return
		}
		for i := range out {
			if out[i].Word == w {
				if weight > out[i].Weight {
					out[i].Weight, out[i].Kind = weight, kind
				}
				return
			}
		}
		out = append(out, Weighted{Word: w, Weight: weight, Kind: kind})
	}
	for _, w := range t.derived[l] {
		add(w, 1, Derivation)
	}
	for _, w := range t.attrs[l] {
		add(w, 1, Attribute)
	}
	for _, ref := range t.synonyms[l] {
		for _, m := range t.sets[ref.set] {
			add(m.word, 1/(float64(ref.rank)*float64(m.rank)), Synonym)
		}
	}
	slices.SortStableFunc(out, func(a, b Weighted) int {
		return cmp.Or(cmp.Compare(b.Weight, a.Weight), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Word, b.Word))
	})
	return out
}
