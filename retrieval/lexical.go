package retrieval

import (
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/citebot/citebot/retrieval/text"
)

// BM25 parameters used by [Build]: the textbook values. A grid over k1
// 0.8-2.0 and b 0.5-0.9 on the eval sets moved recall@1 by less than half
// a point either way, with no setting better on every set, so they stay.
const (
	DefaultBM25K1 = 1.2
	DefaultBM25B  = 0.75
)

// bm25Params tunes the lexical retriever. Zero fields mean the defaults.
type bm25Params struct {
	// K1 controls term frequency saturation (default [DefaultBM25K1]).
	K1 float64
	// B controls document length normalisation, (0, 1] (default
	// [DefaultBM25B]).
	B float64
	// bigramsOnly drops single Han characters from the terms (for
	// measuring the tokenizer choice; see TestTokenizerChoice).
	bigramsOnly bool
}

func (p bm25Params) withDefaults() bm25Params {
	if p.K1 <= 0 {
		p.K1 = DefaultBM25K1
	}
	if p.B <= 0 {
		p.B = DefaultBM25B
	}
	p.B = min(p.B, 1)
	return p
}

// lexicalIndex is a BM25 index over passages, built once and then read-only:
// it is safe for concurrent use by multiple goroutines.
//
// Terms are the tokens of text.Tokens, identified by their 64-bit keys (see
// termtable.go). The postings are compressed (see [postings]); a query adds
// idf × impact per passage, where the impact tf*(k1+1)/(tf+norm) uses the
// passage's length norm k1*(1-b+b*len/avglen). The impacts for tf 1 and
// 2, nearly every posting, are precomputed per passage in the query
// scratch (see [lexScratch]).
//
// The index also keeps where each passage's sentences end (by the rules of
// text.Sentences), for the hybrid ranking's sentence feature.
type lexicalIndex struct {
	params bm25Params
	n      int
	terms  termTable
	idf    []float32
	post   postings
	norm   []float64 // per passage
	// The sentences of passage d end at the byte offsets
	// sentEnd[sentOff[d]:sentOff[d+1]] of its text.
	sentOff []int32
	sentEnd []uint32
	scratch sync.Pool // *lexScratch
	queries sync.Pool // *lexQuery, see [lexicalIndex.release]
}

// lexScratch is one query's working memory, pooled: a score per passage
// (zero between queries) beside the passage's impacts for tf 1 and 2, so
// that most postings cost one memory access and no division, and the
// feature bounds when the query has them. Which passages a query touched
// is not tracked: a branch per posting costs more than reading every
// score once to rank them and once to clear them.
type lexScratch struct {
	acc    []passageScore
	masks  []uint64 // per passage, when the query has a bound: the terms it holds
	cursor postingCursor
}

// passageScore is a passage's BM25 score so far and its impacts for tf 1
// and 2: 12 bytes.
type passageScore struct {
	score  float32
	impact [2]float32
}

// score returns the BM25 score accumulated for passage d.
func (s *lexScratch) score(d int32) float32 { return s.acc[d].score }

// mask returns which of the query's first 64 terms passage d holds (bit
// i for q.terms[i]), when the query has a bound.
func (s *lexScratch) mask(d int32) uint64 { return s.masks[d] }

// newLexicalIndex builds a BM25 index over texts, numbered by position.
func newLexicalIndex(texts []string, params bm25Params) *lexicalIndex {
	p := params.withDefaults()
	ix := &lexicalIndex{params: p, n: len(texts)}
	counts := ix.countTerms(texts)
	ix.post = counts.postings()
	ix.setWeights(counts)
	ix.sentOff, ix.sentEnd = sentenceEnds(texts)
	ix.terms.compact()
	ix.initScratch()
	return ix
}

// initScratch sets up the pool of query scratch for a built or loaded
// index.
func (ix *lexicalIndex) initScratch() {
	ix.scratch.New = func() any {
		s := &lexScratch{acc: make([]passageScore, ix.n)}
		for d := range s.acc {
			for tf := range s.acc[d].impact {
				s.acc[d].impact[tf] = ix.impact(uint32(tf+1), int32(d))
			}
		}
		return s
	}
}

// termCounts is the first pass of a build: each passage's distinct terms
// with their frequencies, as flat (term, tf) lists.
type termCounts struct {
	df       []int32
	pairTerm []int32
	pairTF   []uint16
	docStart []int64 // passage d's pairs are [docStart[d], docStart[d+1])
	lengths  []int32 // tokens per passage
	total    int64
}

// countTerms tokenises texts, interns their terms in ix.terms and counts
// each passage's term frequencies. lastDoc and slotOf find a term's entry
// in the current passage's list without sorting or a map.
func (ix *lexicalIndex) countTerms(texts []string) *termCounts {
	bytes := 0
	for _, t := range texts {
		bytes += len(t)
	}
	c := &termCounts{
		pairTerm: make([]int32, 0, bytes/2), // about one distinct term per 2 bytes of Chinese
		pairTF:   make([]uint16, 0, bytes/2),
		docStart: make([]int64, len(texts)+1),
		lengths:  make([]int32, len(texts)),
	}
	// Chinese text has about one distinct term per 8 bytes; sizing for
	// that (at most 1M terms) spares most of the table's regrowth.
	est := min(bytes/8, 1<<20)
	ix.terms = newTermTable(est)
	c.df = make([]int32, 0, est)
	var (
		lastDoc = make([]int32, 0, est) // per term: passage number + 1 that last used it
		slotOf  = make([]int32, 0, est) // per term: its index in the current passage's list
		keys    []uint64
		ks      = keyScanner{cache: true}
	)
	for d, src := range texts {
		keys = ks.appendKeys(keys[:0], src, ix.params.bigramsOnly)
		first := int32(len(c.pairTerm))
		for _, key := range keys {
			t, ok := ix.terms.get(key)
			if !ok {
				t = int32(len(c.df))
				ix.terms.put(key, t)
				c.df = append(c.df, 0)
				lastDoc = append(lastDoc, 0)
				slotOf = append(slotOf, 0)
			}
			if lastDoc[t] == int32(d+1) {
				if at := first + slotOf[t]; c.pairTF[at] < math.MaxUint16 {
					c.pairTF[at]++
				}
				continue
			}
			lastDoc[t] = int32(d + 1)
			slotOf[t] = int32(len(c.pairTerm)) - first
			c.pairTerm = append(c.pairTerm, t)
			c.pairTF = append(c.pairTF, 1)
			c.df[t]++
		}
		c.docStart[d+1] = int64(len(c.pairTerm))
		c.lengths[d] = int32(len(keys))
		c.total += int64(len(keys))
	}
	return c
}

// postings lays the pairs out by term, in passage order, and compresses
// them. It releases the pairs.
func (c *termCounts) postings() postings {
	nt := len(c.df)
	start := make([]int64, nt+1)
	for t, n := range c.df {
		start[t+1] = start[t] + int64(n)
	}
	docs := make([]int32, start[nt])
	tfs := make([]uint16, start[nt])
	fill := slices.Clone(start[:nt])
	for d := range c.lengths {
		for at := c.docStart[d]; at < c.docStart[d+1]; at++ {
			t := c.pairTerm[at]
			docs[fill[t]], tfs[fill[t]] = int32(d), c.pairTF[at]
			fill[t]++
		}
	}
	c.pairTerm, c.pairTF = nil, nil
	var b postingsBuilder
	b.p.data = make([]byte, 0, start[nt]*5/4+int64(2*nt)+postingPad)
	b.p.off = make([]int64, 0, nt+1)
	b.p.df = make([]int32, 0, nt)
	for t := range nt {
		b.add(docs[start[t]:start[t+1]], tfs[start[t]:start[t+1]])
	}
	return b.finish()
}

// setWeights computes the terms' idf and the passages' length norms.
func (ix *lexicalIndex) setWeights(c *termCounts) {
	n := len(c.lengths)
	avg := 1.0
	if n > 0 && c.total > 0 {
		avg = float64(c.total) / float64(n)
	}
	k1, b := ix.params.K1, ix.params.B
	ix.norm = make([]float64, n)
	for d, l := range c.lengths {
		ix.norm[d] = k1 * (1 - b + b*float64(l)/avg)
	}
	ix.idf = make([]float32, len(c.df))
	for t, df := range c.df {
		ix.idf[t] = float32(math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5)))
	}
}

// impact is the BM25 term frequency factor of a term found tf times in
// passage d.
func (ix *lexicalIndex) impact(tf uint32, d int32) float32 {
	f := float64(tf)
	return float32(f * (ix.params.K1 + 1) / (f + ix.norm[d]))
}

// sentenceEnds returns where the sentences of each text end (see
// lexicalIndex.sentEnd).
func sentenceEnds(texts []string) ([]int32, []uint32) {
	off := make([]int32, len(texts)+1)
	var ends []uint32
	for d, t := range texts {
		for _, sp := range text.Sentences(t) {
			ends = append(ends, uint32(sp.End))
		}
		off[d+1] = int32(len(ends))
	}
	return off, slices.Clone(ends)
}

// sentences returns the sentence ends of passage d.
func (ix *lexicalIndex) sentences(d int32) []uint32 {
	return ix.sentEnd[ix.sentOff[d]:ix.sentOff[d+1]]
}

// search returns the k best passages for query by BM25, best first; ties
// go to the lower passage number. Passages sharing no term with the query
// are not returned.
func (ix *lexicalIndex) search(query string, k int) []scored {
	if k <= 0 || ix.n == 0 {
		return nil
	}
	q := ix.prepare(query)
	defer ix.release(q)
	if len(q.terms) == 0 {
		return nil
	}
	s := ix.getScratch()
	defer ix.putScratch(s)
	ix.accumulate(q, s)
	return s.top(k)
}

func (ix *lexicalIndex) getScratch() *lexScratch { return ix.scratch.Get().(*lexScratch) }

// putScratch zeroes the scores s holds and returns it to the pool.
func (ix *lexicalIndex) putScratch(s *lexScratch) {
	for d := range s.acc {
		s.acc[d].score = 0
	}
	clear(s.masks)
	ix.scratch.Put(s)
}

// accumulate adds the BM25 score for q of every passage sharing a term
// with it to s.acc and, when q has a bound, marks in s.masks which of
// q's first 64 terms each passage holds, in the same pass over the
// postings. The sums run term by term in q's order, so a passage's score
// does not depend on which other passages match.
func (ix *lexicalIndex) accumulate(q *lexQuery, s *lexScratch) {
	acc := s.acc
	c := &s.cursor
	if q.bound != nil && s.masks == nil {
		s.masks = make([]uint64, ix.n)
	}
	for i, t := range q.terms {
		w := q.weights[i]
		c.reset(&ix.post, t)
		for n := c.next(); n > 0; n = c.next() {
			if q.bound != nil && i < 64 {
				for _, d := range c.docs[:n] {
					s.masks[d] |= 1 << i
				}
			}
			if !c.hasTF {
				for _, d := range c.docs[:n] {
					p := &acc[d]
					p.score += w * p.impact[0]
				}
				continue
			}
			for j, d := range c.docs[:n] {
				p := &acc[d]
				if tf := c.tfs[j]; tf < uint32(len(p.impact)) {
					p.score += w * p.impact[tf]
				} else {
					p.score += w * ix.impact(tf+1, d)
				}
			}
		}
	}
}

// top returns the k best accumulated scores, best first (ties: lower
// passage first); passages without a score are left out.
func (s *lexScratch) top(k int) []scored {
	if k <= 0 {
		return nil
	}
	t := newTopHeap(k, k)
	for d := range s.acc {
		sc := s.acc[d].score
		if sc == 0 || len(t.h) == k && sc <= t.h[0].score {
			continue // rows come in ascending order: a tie keeps the earlier
		}
		t.offer(scored{int32(d), sc})
	}
	return t.sorted()
}

// lexQuery is a query prepared once for scoring several passages.
type lexQuery struct {
	// terms are the query's known terms, distinct, in order of first
	// appearance; weights their idf times their count in the query.
	terms   []int32
	weights []float32
	// own is how many of terms are the query's own: the rest are related
	// words of query expansion (see expand.go), weighted below them.
	own int
	// slots maps a term's key to its index in terms.
	slots termTable
	// idfSum is the summed idf of the distinct query terms.
	idfSum float64
	// hasWords reports a Word or Number among the terms.
	hasWords bool
	// src is the query folded (text.Fold) without question words.
	src string
	// phrases is set by [lexicalIndex.preparePhrases].
	phrases *phraseQuery
	// bound, when set (see [lexicalIndex.setFeatureBounds]), bounds a
	// passage's weighted features from the terms it holds.
	bound *featureBound

	// The memory the fields above and the ranking use, kept when the
	// query goes back to the pool: a query then allocates little
	// besides its results, which keeps the heap and its page faults
	// small when many run at once (a hybrid query on cmrc2018_trial
	// went from 10.5 KB in 32 allocations to 5.0 KB in 9).
	keys      []uint64
	phraseBuf phraseQuery
	boundBuf  featureBound
	fs        featureScratch
	cands     []candidate
	best      []float64
}

// prepare folds query (text.Fold), strips its question words, tokenises
// it and looks its terms up, then adds the related words of an English
// query (see [lexicalIndex.expand]). A term repeated in the query counts
// once per occurrence. The query comes from a pool: a caller done with it
// may hand it back with [lexicalIndex.release].
func (ix *lexicalIndex) prepare(query string) *lexQuery {
	q, _ := ix.queries.Get().(*lexQuery)
	if q == nil {
		q = new(lexQuery)
	}
	query = stripQuestionWords(text.Fold(query))
	q.keys = appendTokenKeys(q.keys[:0], query, ix.params.bigramsOnly)
	q.src, q.idfSum, q.hasWords, q.phrases, q.bound = query, 0, false, nil, nil
	q.slots.reset(len(q.keys))
	q.terms, q.weights = q.terms[:0], q.weights[:0]
	for _, key := range q.keys {
		t, ok := ix.terms.get(key)
		if !ok {
			continue
		}
		if i, ok := q.slots.get(key); ok {
			q.weights[i] += ix.idf[t]
			continue
		}
		q.slots.put(key, int32(len(q.terms)))
		q.hasWords = q.hasWords || key>>63 == 1
		q.terms = append(q.terms, t)
		q.weights = append(q.weights, ix.idf[t])
		q.idfSum += float64(ix.idf[t])
	}
	ix.expand(q, query)
	return q
}

// release returns q to the pool; neither q nor anything it holds may be
// used after.
func (ix *lexicalIndex) release(q *lexQuery) { ix.queries.Put(q) }

// postingBytes returns the compressed postings bytes a search for query
// reads.
func (ix *lexicalIndex) postingBytes(query string) int64 {
	q := ix.prepare(query)
	defer ix.release(q)
	var n int64
	for _, t := range q.terms {
		n += ix.post.size(t)
	}
	return n
}

// questionWords replaces the Chinese question words (text.Interrogatives,
// then text.InterrogativeChars) with spaces. They say what kind of answer
// is wanted, not what it is about, and match passages only by accident
// (measured on the eval sets when introduced: +0.6 point recall@1 on
// cmrc2018_trial, neutral on drcd_dev).
var questionWords = func() *strings.Replacer {
	var pairs []string
	for _, w := range text.Interrogatives {
		pairs = append(pairs, w, " ")
	}
	for _, r := range text.InterrogativeChars {
		pairs = append(pairs, string(r), " ")
	}
	return strings.NewReplacer(pairs...)
}()

// stripQuestionWords replaces question words in query with spaces.
func stripQuestionWords(query string) string { return questionWords.Replace(query) }
