package retrieval

import (
	"github.com/citebot/citebot/retrieval/text"
	"github.com/citebot/citebot/retrieval/text/wordnet"
)

// Query expansion: the content words of an English question bring in the
// lemmas WordNet relates to them (wordnet.Related: derivations such as
// die/death, the adjectives of an attribute such as height/tall, the
// synonyms of their first senses), as extra BM25 terms weighted below the
// question's own words. A paraphrasing question then still scores the
// passage that says it in other words, while one that shares the words
// ranks first. The related terms weigh nothing in the hybrid ranking's
// sentence feature: there they only added noise (measured on squad2_dev,
// whole set and paraphrase-hard subset). Questions in other languages
// than English are not expanded.
const (
	// expandWeight is a related word's BM25 weight as a share of its
	// idf, times its relation's weight.
	expandWeight = 0.3
	// expandMax is how many related words of one question word the index
	// holds that are taken, heaviest first, of relation weight at least
	// expandMinRelation.
	expandMax         = 4
	expandMinRelation = 0.5
)

// expand appends to q's terms the related words of query's content words
// (see above) that the index holds and q lacks. They follow q's own
// terms, which stay the first q.own.
func (ix *lexicalIndex) expand(q *lexQuery, query string) {
	q.own = len(q.terms)
	if text.Lang(query) != "en" {
		return
	}
	var buf []byte
	sc := text.NewTokenScanner(query)
	for tok, ok := sc.Next(); ok; tok, ok = sc.Next() {
		if tok.Kind != text.Word {
			continue
		}
		w := query[tok.Start:tok.End]
		if tok.Folded {
			buf = text.AppendFolded(buf[:0], w)
			w = string(buf)
		}
		if len(w) < 3 || text.EnglishStop[w] {
			continue
		}
		n := 0
		for _, r := range wordnet.Related(w) {
			if n == expandMax || r.Weight < expandMinRelation {
				break
			}
			key := wordKey(r.Word) // a lemma: its own key
			t, ok := ix.terms.get(key)
			if !ok {
				continue
			}
			n++
			if _, dup := q.slots.get(key); dup {
				continue
			}
			q.slots.put(key, int32(len(q.terms)))
			q.hasWords = true
			q.terms = append(q.terms, t)
			q.weights = append(q.weights, expandWeight*float32(r.Weight)*ix.idf[t])
		}
	}
}
