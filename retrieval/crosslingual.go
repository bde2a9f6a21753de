package retrieval

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/citebot/citebot/retrieval/text"
	"github.com/citebot/citebot/retrieval/text/lexicon"
)

// Cross-lingual search: a question in one language about documents in the
// other (an English question about a Chinese document, or the reverse)
// shares no token with them. [Index.SearchWith] then translates the
// question with the CC-CEDICT lexicon (retrieval/text/lexicon), keeping
// only the renderings the index's vocabulary holds, and searches in the
// document's language with a structured query:
//
//   - each question word is a group of weighted alternatives (market ->
//     市场, 市); a passage's term frequency for the group is the weighted
//     sum of its alternatives' frequencies and the group's document
//     frequency that of their union, so the alternatives of one word act
//     as one BM25 term, and a word with many renderings weighs no more
//     than one with a single rendering;
//   - an alternative of several tokens (a headword's bigrams, the words of
//     an English phrase) counts where the passage holds all of them;
//   - the hybrid score adds, as for a plain query, the share of the
//     groups' weight that the passage's best sentence holds and the
//     cosine of the embeddings (the question and its translation embedded
//     together).
//
// The corpus language is the majority script of the passages, found on
// the first query. A question in the corpus language, or one of whose
// words nothing translates, is searched as usual.

// crossLingual holds an index's corpus language, found on first use.
type crossLingual struct {
	once sync.Once
	lang string
}

// langSample is the most passages corpusLang reads, evenly spaced.
const langSample = 2000

// corpusLang returns "zh" or "en": the script most of the passages'
// letters are in (a Han character counting as five Latin letters), read
// from at most langSample passages.
func (ix *Index) corpusLang() string {
	ix.xl.once.Do(func() {
		han, letters := 0, 0
		step := max(1, len(ix.passages)/langSample)
		for i := 0; i < len(ix.passages); i += step {
			for _, r := range ix.passages[i].Text {
				switch {
				case text.IsHan(r):
					han++
				case unicode.IsLetter(r):
					letters++
				}
			}
		}
		ix.xl.lang = "zh"
		if han*5 < letters {
			ix.xl.lang = "en"
		}
	})
	return ix.xl.lang
}

// xlQuery is a translated question prepared for the lexical index.
type xlQuery struct {
	tr     lexicon.Query
	groups []xlGroup
	// total is the summed weight of the groups.
	total float64
}

// xlGroup is one question word: its alternatives that the index holds.
type xlGroup struct {
	// weight is the group's weight times its idf.
	weight float64
	alts   []xlAlt
}

// xlAlt is one alternative: its tokens' terms.
type xlAlt struct {
	text   string // folded (text.Fold)
	han    bool
	words  []string // the words of an English alternative
	terms  []int32
	weight float32
}

// translate returns the question translated into the corpus language, or
// nil when it is in that language or nothing of it translates.
func (ix *Index) translate(query string) *xlQuery {
	lang := ix.corpusLang()
	if text.Lang(query) == lang {
		return nil
	}
	tr, err := lexicon.Translate(query, lang, ix.lex.has)
	if err != nil || len(tr.Groups) == 0 {
		return nil
	}
	return ix.lex.prepareGroups(tr)
}

// altTerms returns the terms of an alternative's tokens: the bigrams of a
// Han headword (its character when it has one), folded, an English
// phrase's words; ok is false when the index lacks one.
func (ix *lexicalIndex) altTerms(alt string) (terms []int32, words []string, han, ok bool) {
	rs := []rune(text.Fold(alt))
	if len(rs) > 0 && text.IsHan(rs[0]) {
		keys := make([]uint64, 0, len(rs))
		if len(rs) == 1 {
			keys = append(keys, uint64(rs[0]))
		}
		for i := 0; i+1 < len(rs); i++ {
			keys = append(keys, bigramKey(rs[i], rs[i+1]))
		}
		terms, ok = ix.lookupKeys(keys)
		return terms, nil, true, ok
	}
	words = text.Tokens(alt)
	keys := make([]uint64, len(words))
	for i, w := range words {
		keys[i] = lemmaKey(w)
	}
	terms, ok = ix.lookupKeys(keys)
	return terms, words, false, ok && len(words) > 0
}

func (ix *lexicalIndex) lookupKeys(keys []uint64) ([]int32, bool) {
	terms := make([]int32, 0, len(keys))
	for _, k := range keys {
		t, ok := ix.terms.get(k)
		if !ok {
			return nil, false
		}
		if !slices.Contains(terms, t) {
			terms = append(terms, t)
		}
	}
	return terms, true
}

// has reports whether the index holds every token of s (see altTerms):
// the translation filter.
func (ix *lexicalIndex) has(s string) bool {
	_, _, _, ok := ix.altTerms(s)
	return ok
}

// prepareGroups looks the translation's alternatives up and weighs each
// group by its idf (that of the union of its alternatives' passages).
func (ix *lexicalIndex) prepareGroups(tr lexicon.Query) *xlQuery {
	q := &xlQuery{tr: tr}
	for _, g := range tr.Groups {
		var xg xlGroup
		for _, a := range g.Alts {
			terms, words, han, ok := ix.altTerms(a.Text)
			if ok {
				xg.alts = append(xg.alts, xlAlt{text: text.Fold(a.Text), han: han, words: words, terms: terms, weight: float32(a.Weight)})
			}
		}
		if len(xg.alts) == 0 {
			continue
		}
		xg.weight = g.Weight
		q.groups = append(q.groups, xg)
	}
	if len(q.groups) == 0 {
		return nil
	}
	return q
}

// xlScores is the structured BM25 accumulation of one query: a score per
// passage and the passages touched, and scratch for one group.
type xlScores struct {
	score   []float32
	touched []int32
	tf      []float32
	groupTF []int32 // passages with a tf in the current group
}

// accumulateGroups scores every passage holding an alternative of some
// group by the structured BM25 of q, setting each group's weight to its
// weight times its idf.
func (ix *lexicalIndex) accumulateGroups(q *xlQuery) *xlScores {
	s := &xlScores{score: make([]float32, ix.n), tf: make([]float32, ix.n)}
	var c postingCursor
	for gi := range q.groups {
		g := &q.groups[gi]
		for _, a := range g.alts {
			docs, tfs := ix.altPostings(&c, a.terms)
			for i, d := range docs {
				if s.tf[d] == 0 {
					s.groupTF = append(s.groupTF, d)
				}
				s.tf[d] += a.weight * float32(tfs[i])
			}
		}
		df := float64(len(s.groupTF))
		idf := math.Log(1 + (float64(ix.n)-df+0.5)/(df+0.5))
		g.weight *= idf
		q.total += g.weight
		for _, d := range s.groupTF {
			if s.score[d] == 0 {
				s.touched = append(s.touched, d)
			}
			tf := float64(s.tf[d])
			s.score[d] += float32(g.weight * tf * (ix.params.K1 + 1) / (tf + ix.norm[d]))
			s.tf[d] = 0
		}
		s.groupTF = s.groupTF[:0]
	}
	return s
}

// altPostings returns the passages holding every term of an alternative,
// ascending, with the least of the terms' frequencies there.
func (ix *lexicalIndex) altPostings(c *postingCursor, terms []int32) ([]int32, []uint32) {
	var docs []int32
	var tfs []uint32
	for i, t := range terms {
		d2, t2 := ix.termPostings(c, t)
		if i == 0 {
			docs, tfs = d2, t2
			continue
		}
		docs, tfs = intersectPostings(docs, tfs, d2, t2)
		if len(docs) == 0 {
			break
		}
	}
	return docs, tfs
}

// termPostings decodes term t's postings.
func (ix *lexicalIndex) termPostings(c *postingCursor, t int32) ([]int32, []uint32) {
	df := ix.post.df[t]
	docs := make([]int32, 0, df)
	tfs := make([]uint32, 0, df)
	c.reset(&ix.post, t)
	for n := c.next(); n > 0; n = c.next() {
		docs = append(docs, c.docs[:n]...)
		for j := range n {
			tf := uint32(1)
			if c.hasTF {
				tf = c.tfs[j] + 1
			}
			tfs = append(tfs, tf)
		}
	}
	return docs, tfs
}

// intersectPostings returns the passages of both lists with the lesser
// frequency.
func intersectPostings(d1 []int32, t1 []uint32, d2 []int32, t2 []uint32) ([]int32, []uint32) {
	var docs []int32
	var tfs []uint32
	for i, j := 0, 0; i < len(d1) && j < len(d2); {
		switch {
		case d1[i] < d2[j]:
			i++
		case d1[i] > d2[j]:
			j++
		default:
			docs, tfs = append(docs, d1[i]), append(tfs, min(t1[i], t2[j]))
			i++
			j++
		}
	}
	return docs, tfs
}

// top returns the k best structured BM25 scores, best first (ties: lower
// passage first).
func (s *xlScores) top(k int) []scored {
	t := newTopHeap(k, len(s.touched))
	for _, d := range s.touched {
		t.offer(scored{d, s.score[d]})
	}
	return t.sorted()
}

// crossLingualHits answers a translated query by one method (see
// [Index.SearchWith]) over the rows of ranges (nil: all passages).
func (ix *Index) crossLingualHits(ctx context.Context, query string, q *xlQuery, k int, method string, ranges []rowRange) ([]Hit, error) {
	bm25 := ix.lex.accumulateGroups(q)
	if method == MethodLexical {
		return ix.singleSourceHits(bm25.topIn(k, ranges), SourceLexical), nil
	}
	qv, err := ix.embedQuery(ctx, query+"\n"+q.tr.Texts())
	if err != nil {
		return nil, err
	}
	if method == MethodVector {
		return ix.singleSourceHits(ix.vec.searchIn(qv, k, ranges), SourceVector), nil
	}
	nc := max(ix.fusion.Candidates, k)
	lexHits := bm25.topIn(nc, ranges)
	cands := mergeCandidates(nil, lexHits, ix.vec.searchIn(qv, nc, ranges))
	top := 0.0
	if len(lexHits) > 0 {
		top = float64(lexHits[0].score)
	}
	for i := range cands {
		c := &cands[i]
		if !c.vec {
			c.cosine = ix.vec.dot(qv, int(c.doc))
		}
		c.score = ix.fusion.Vector * float64(c.cosine)
		if top > 0 {
			c.score += float64(bm25.score[c.doc])/top + ix.fusion.Sentence*ix.groupSentenceShare(q, c.doc)
		}
	}
	slices.SortFunc(cands, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.doc, b.doc))
	})
	return ix.candidateHits(cands[:min(k, len(cands))]), nil
}

// groupSentenceShare returns the largest share of q's group weight that
// one sentence of passage d holds (a group counts when the sentence holds
// one of its alternatives, in either script).
func (ix *Index) groupSentenceShare(q *xlQuery, d int32) float64 {
	if q.total == 0 {
		return 0
	}
	src := text.Fold(ix.passages[d].Text)
	best, from := 0.0, 0
	for _, end := range ix.lex.sentences(d) {
		sent := src[from:end]
		from = int(end)
		var words map[string]bool
		held := 0.0
		for _, g := range q.groups {
			for _, a := range g.alts {
				if a.han && strings.Contains(sent, a.text) || !a.han && holdsWords(sent, a.words, &words) {
					held += g.weight
					break
				}
			}
		}
		best = max(best, held)
	}
	return best / q.total
}

// holdsWords reports whether sent holds every word; words caches the
// sentence's tokens.
func holdsWords(sent string, want []string, words *map[string]bool) bool {
	if *words == nil {
		*words = make(map[string]bool)
		for _, t := range text.Tokens(sent) {
			(*words)[t] = true
		}
	}
	for _, w := range want {
		if !(*words)[w] {
			return false
		}
	}
	return true
}

// isMethod reports whether method is one [Index.SearchWith] accepts.
func isMethod(method string) bool {
	return method == MethodHybrid || method == MethodLexical || method == MethodVector
}
