package retrieval

import (
	"cmp"
	"math"
	"runtime"
	"slices"
)

// fusionParams are the weights of the hybrid re-scoring.
type fusionParams struct {
	// Candidates is how many passages each retriever contributes.
	Candidates int
	// Sentence weighs the share of the query's idf mass that the passage's
	// best sentence covers.
	Sentence float64
	// Longest weighs the idf share of the longest phrase shared with the
	// query; Covered the idf share of the query inside shared phrases.
	Longest, Covered float64
	// Vector weighs the cosine similarity of the embeddings.
	Vector float64
}

// defaultFusion was chosen by coordinate ascent on cmrc2018_trial and
// drcd_dev together (sum of recall@1 + MRR@10/2 per set) and is flat
// around the optimum: scaling any weight by 0.8 or 1.25 moves no figure by
// more than 0.001, and 20 candidates per retriever rank as well as 30 or 50
// for less work. See TestTuneHybrid. Measured and rejected: reciprocal rank
// fusion (k 10-60, any weights) ranks below BM25 alone, because it gives the
// weak local vector ranking a vote of its own; BM25 plus cosine alone gains
// at most 0.2 point of recall@1. The sentence and phrase features carry the
// gain; with the local embedder the cosine term is near neutral.
var defaultFusion = fusionParams{Candidates: 20, Sentence: 0.85, Longest: 0.45, Covered: 0.25, Vector: 0.1}

// candidate is one passage of the hybrid re-scoring.
type candidate struct {
	doc      int32
	lex, vec bool // found by BM25, by the vector scan
	cosine   float32
	// bound is at least score, known before the passage's text is read
	// (+Inf when the query has no feature bounds).
	bound, score float64
}

// boundSlack covers the rounding of feature bounds summed in float32.
const boundSlack = 1e-4

// hybridHits merges the lexical and vector candidates and re-scores them:
//
//	score = bm25/top + Sentence*sentence + Longest*longest
//	        + Covered*covered + Vector*cosine
//
// where top is the best BM25 score of the query and sentence, longest and
// covered are the [passageFeatures]. The order is the one every
// candidate's exact score gives, whichever list it came from (see
// rankCandidates). BM25 scores come from the one accumulation that found
// the lexical candidates; on a large index it runs beside the vector scan.
// Feature bounds cost a second pass over the postings, repaid on a small
// index, where reading the candidates' texts dominates.
func (ix *Index) hybridHits(query string, qv []float32, k int) []Hit {
	return ix.hybrid(query, qv, k, ix.vec.n < parallelScanPassages, nil)
}

// hybrid is hybridHits, with or without feature bounds, over the rows of
// ranges (nil: all passages; see [Index.SearchIn]).
func (ix *Index) hybrid(query string, qv []float32, k int, bounds bool, ranges []rowRange) []Hit {
	f := ix.fusion
	nc := max(f.Candidates, k)
	q := ix.lex.prepare(query)
	defer ix.lex.release(q) // after candidateHits copied the ranking out
	ix.lex.preparePhrases(q)
	if bounds {
		ix.lex.setFeatureBounds(q, f.Sentence, f.Longest, f.Covered)
	}
	s := ix.lex.getScratch()
	defer ix.lex.putScratch(s)
	var vecHits []scored
	if ranges == nil && ix.vec.n >= parallelScanPassages {
		// All other CPUs start scanning; this one joins after BM25.
		scan := ix.vec.startScan(qv, nc, runtime.GOMAXPROCS(0)-1)
		ix.lex.accumulate(q, s)
		scan.work()
		vecHits = scan.wait()
	} else {
		ix.lex.accumulate(q, s)
		vecHits = ix.vec.searchIn(qv, nc, ranges)
	}
	lexHits := s.topIn(nc, ranges)
	q.cands = mergeCandidates(q.cands[:0], lexHits, vecHits)
	top := 0.0
	if len(lexHits) > 0 {
		top = float64(lexHits[0].score)
	}
	return ix.candidateHits(ix.rankCandidates(q.cands, q, qv, s, top, k))
}

// mergeCandidates lists the lexical candidates, then the vector candidates
// not among them, noting which lists found each, in cands (empty: only its
// array is reused).
func mergeCandidates(cands []candidate, lexHits, vecHits []scored) []candidate {
	for _, h := range lexHits {
		cands = append(cands, candidate{doc: h.doc, lex: true})
	}
next:
	for _, h := range vecHits {
		for i := range cands[:len(lexHits)] {
			if cands[i].doc == h.doc {
				cands[i].vec, cands[i].cosine = true, h.score
				continue next
			}
		}
		cands = append(cands, candidate{doc: h.doc, vec: true, cosine: h.score})
	}
	return cands
}

// rankCandidates returns the k best candidates by fused score, best first
// (ties: lower passage first); bm25 holds the BM25 scores and feature
// bounds of the query q. Reading a passage's text for its features is
// most of the cost, so candidates are scored in decreasing order of an
// upper bound on their score (their exact BM25 and cosine terms plus the
// feature bound of [lexicalIndex.setFeatureBounds]), and scoring stops
// once the bound falls below the k-th best score: the candidates left
// cannot rank, so the result is the one scoring all of them would give.
func (ix *Index) rankCandidates(cands []candidate, q *lexQuery, qv []float32, bm25 *lexScratch, top float64, k int) []candidate {
	f := ix.fusion
	for i := range cands {
		c := &cands[i]
		if !c.vec {
			c.cosine = ix.vec.dot(qv, int(c.doc))
		}
		c.score = f.Vector * float64(c.cosine)
		switch {
		case top == 0:
			c.bound = c.score
		case q.bound == nil:
			c.bound = math.Inf(1)
		default:
			c.bound = c.score + float64(bm25.score(c.doc))/top + q.bound.of(bm25.mask(c.doc)) + boundSlack
		}
	}
	if top > 0 {
		cands = ix.scoreFeatures(cands, q, bm25, top, k)
	}
	slices.SortFunc(cands, func(a, b candidate) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.doc, b.doc)
	})
	return cands[:min(k, len(cands))]
}

// scoreFeatures adds the feature terms to the scores of the candidates that
// can be among the k best, taking them in decreasing order of their
// bounds, and returns those it scored: once a bound is below the k-th best
// score so far, the candidates left cannot rank. (Sharing the candidates
// with a second goroutine was measured slower: waking it costs as much as
// the passages it would read.)
func (ix *Index) scoreFeatures(cands []candidate, q *lexQuery, bm25 *lexScratch, top float64, k int) []candidate {
	slices.SortFunc(cands, func(a, b candidate) int { return cmp.Compare(b.bound, a.bound) })
	f := ix.fusion
	fs := q.featureScratch()
	best := q.best[:0] // the k best scores so far, descending
	defer func() { q.best = best }()
	for i := range cands {
		c := &cands[i]
		if len(best) == k && c.bound < best[k-1] {
			return cands[:i]
		}
		ft := ix.lex.features(q, c.doc, ix.passages[c.doc].Text, fs)
		c.score += float64(bm25.score(c.doc))/top + f.Sentence*ft.sentence + f.Longest*ft.longest + f.Covered*ft.covered
		at, _ := slices.BinarySearchFunc(best, c.score, func(x, s float64) int { return cmp.Compare(s, x) })
		best = slices.Insert(best, at, c.score)[:min(len(best)+1, k)]
	}
	return cands
}

// candidateHits turns ranked candidates into hits; their Sources share one
// backing array.
func (ix *Index) candidateHits(cands []candidate) []Hit {
	out := make([]Hit, len(cands))
	sources := make([]string, 0, 2*len(cands))
	for i, c := range cands {
		from := len(sources)
		if c.lex {
			sources = append(sources, SourceLexical)
		}
		if c.vec {
			sources = append(sources, SourceVector)
		}
		out[i] = ix.hit(int(c.doc), i+1, c.score, sources[from:len(sources):len(sources)])
	}
	return out
}
