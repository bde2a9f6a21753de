package retrieval

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Scoped search: [Index.SearchIn] ranks only the passages of some
// documents (a chat's /use), inside the index rather than by filtering a
// longer result list afterwards, so that a small document among large
// ones gets its full k.
//
// A document's passages are consecutive rows of the index, so a scope is a
// few row ranges ([rowRange]). The vector side scans only those rows (the
// same brute-force dot product as an unscoped search, over fewer rows);
// the lexical side accumulates BM25 as usual (postings are per term, not
// per document) and takes its top k from the scope's rows only; the
// hybrid re-scoring then sees only in-scope candidates. BM25's idf stays
// the whole library's: scores of one passage do not change with the
// scope.
//
// chromem-go can filter too: its QueryEmbedding with a where filter on
// [MetadataDoc] returns the same top k for one document (tested in
// filter_test.go), but it matches one metadata value per query, copies
// every document of the collection through a channel to filter it, and
// sorts afresh per call; the row-range scan is several times faster
// (BenchmarkScopedVector) and takes several documents at once.
//
// A question in another language than the documents (crosslingual.go) is
// answered from the unscoped cross-lingual ranking, over-fetched and then
// filtered: that path ranks with translated term groups that the scoped
// scan does not reproduce.

// rowRange is the passages [lo, hi) of the index.
type rowRange struct{ lo, hi int }

// scopeRanges returns the row ranges of the passages of docs (names not in
// the index are ignored), and whether the scope leaves some passage out.
func (ix *Index) scopeRanges(docs []string) (ranges []rowRange, narrower bool) {
	in := func(d string) bool { return slices.Contains(docs, d) }
	for i := 0; i < len(ix.passages); {
		j := i + 1
		for j < len(ix.passages) && ix.passages[j].Doc == ix.passages[i].Doc {
			j++
		}
		if in(ix.passages[i].Doc) {
			ranges = append(ranges, rowRange{i, j})
		} else {
			narrower = true
		}
		i = j
	}
	return ranges, narrower
}

// xlOverFetch is how many times k the cross-lingual ranking is asked for
// before it is filtered to a scope.
const xlOverFetch = 8

// SearchIn is [Index.SearchWith] restricted to the passages of the
// documents named in docs (the names of [Index.Documents]; unknown names
// are ignored). With no docs, or docs naming every document, it is
// SearchWith; with docs naming none it returns no hits.
func (ix *Index) SearchIn(ctx context.Context, query string, k int, method string, docs []string) ([]Hit, error) {
	if len(docs) == 0 {
		return ix.SearchWith(ctx, query, k, method)
	}
	ranges, narrower := ix.scopeRanges(docs)
	if !narrower {
		return ix.SearchWith(ctx, query, k, method)
	}
	if strings.TrimSpace(query) == "" {
		return nil, ErrEmptyQuery
	}
	if k <= 0 {
		return nil, fmt.Errorf("search: k must be positive, got %d", k)
	}
	if !isMethod(method) {
		return nil, fmt.Errorf("search: unknown method %q (want hybrid, lexical or vector)", method)
	}
	if len(ranges) == 0 {
		return nil, nil
	}
	if xq := ix.translate(query); xq != nil {
		hits, err := ix.crossLingualHits(ctx, query, xq, min(k*xlOverFetch, len(ix.passages)), method)
		return inScope(hits, docs, k), err
	}
	if method == MethodLexical {
		s := ix.lex.getScratch()
		defer ix.lex.putScratch(s)
		if q := ix.lex.prepare(query); len(q.terms) > 0 {
			ix.lex.accumulate(q, s)
		}
		return ix.singleSourceHits(topIn(s, k, ranges), SourceLexical), nil
	}
	qv, err := ix.embedQuery(ctx, query)
	if err != nil {
		return nil, err
	}
	if method == MethodVector {
		return ix.singleSourceHits(ix.vec.searchIn(qv, k, ranges), SourceVector), nil
	}
	return ix.hybridIn(query, qv, k, ranges), nil
}

// inScope keeps the hits of docs, at most k, re-ranked from 1.
func inScope(hits []Hit, docs []string, k int) []Hit {
	out := hits[:0:0]
	for _, h := range hits {
		if len(out) < k && slices.Contains(docs, h.Doc) {
			h.Rank = len(out) + 1
			out = append(out, h)
		}
	}
	return out
}

// topIn is [lexScratch.top] over the rows of ranges only.
func topIn(s *lexScratch, k int, ranges []rowRange) []scored {
	if k <= 0 {
		return nil
	}
	t := newTopHeap(k, k)
	for _, r := range ranges {
		for d := r.lo; d < r.hi; d++ {
			sc := s.acc[d].score
			if sc == 0 || len(t.h) == k && sc <= t.h[0].score {
				continue
			}
			t.offer(scored{int32(d), sc})
		}
	}
	return t.sorted()
}

// searchIn is [vectorMatrix.search] over the rows of ranges only.
func (m *vectorMatrix) searchIn(q []float32, k int, ranges []rowRange) []scored {
	var best []scored
	for _, r := range ranges {
		best = append(best, m.scan(q, k, r.lo, r.hi)...)
	}
	slices.SortFunc(best, compareScored)
	return best[:min(k, len(best))]
}

// hybridIn is [Index.hybrid] with both candidate lists taken from the rows
// of ranges: the re-scoring is the same, so the hits are those an
// unscoped search would rank among the scope's passages.
func (ix *Index) hybridIn(query string, qv []float32, k int, ranges []rowRange) []Hit {
	f := ix.fusion
	nc := max(f.Candidates, k)
	q := ix.lex.prepare(query)
	ix.lex.preparePhrases(q)
	n := 0
	for _, r := range ranges {
		n += r.hi - r.lo
	}
	if n < parallelScanPassages {
		ix.lex.setFeatureBounds(q, f.Sentence, f.Longest, f.Covered)
	}
	s := ix.lex.getScratch()
	defer ix.lex.putScratch(s)
	ix.lex.accumulate(q, s)
	lexHits := topIn(s, nc, ranges)
	cands := mergeCandidates(lexHits, ix.vec.searchIn(qv, nc, ranges))
	top := 0.0
	if len(lexHits) > 0 {
		top = float64(lexHits[0].score)
	}
	return ix.candidateHits(ix.rankCandidates(cands, q, qv, s, top, k))
}
