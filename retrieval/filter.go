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
// ranked the same way: its structured BM25 scores every passage, and its
// candidates are taken from the scope's rows.

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
		return ix.crossLingualHits(ctx, query, xq, k, method, ranges)
	}
	if method == MethodLexical {
		s := ix.lex.getScratch()
		defer ix.lex.putScratch(s)
		q := ix.lex.prepare(query)
		defer ix.lex.release(q)
		if len(q.terms) > 0 {
			ix.lex.accumulate(q, s)
		}
		return ix.singleSourceHits(s.topIn(k, ranges), SourceLexical), nil
	}
	qv, err := ix.embedQuery(ctx, query)
	if err != nil {
		return nil, err
	}
	if method == MethodVector {
		return ix.singleSourceHits(ix.vec.searchIn(qv, k, ranges), SourceVector), nil
	}
	n := 0
	for _, r := range ranges {
		n += r.hi - r.lo
	}
	return ix.hybrid(query, qv, k, n < parallelScanPassages, ranges), nil
}

// topIn is [lexScratch.top] over the rows of ranges only (nil: all).
func (s *lexScratch) topIn(k int, ranges []rowRange) []scored {
	if ranges == nil {
		return s.top(k)
	}
	return topRows(k, ranges, func(d int) float32 { return s.acc[d].score })
}

// topIn is [xlScores.top] over the rows of ranges only (nil: all).
func (s *xlScores) topIn(k int, ranges []rowRange) []scored {
	if ranges == nil {
		return s.top(k)
	}
	return topRows(k, ranges, func(d int) float32 { return s.score[d] })
}

// topRows returns the k best rows of ranges by score, best first (ties:
// the earlier row), leaving out rows scored 0.
func topRows(k int, ranges []rowRange, score func(d int) float32) []scored {
	if k <= 0 {
		return nil
	}
	t := newTopHeap(k, k)
	for _, r := range ranges {
		for d := r.lo; d < r.hi; d++ {
			sc := score(d)
			if sc == 0 || len(t.h) == k && sc <= t.h[0].score {
				continue
			}
			t.offer(scored{int32(d), sc})
		}
	}
	return t.sorted()
}

// searchIn is [vectorMatrix.search] over the rows of ranges only (nil:
// all).
func (m *vectorMatrix) searchIn(q []float32, k int, ranges []rowRange) []scored {
	if ranges == nil {
		return m.search(q, k)
	}
	var best []scored
	for _, r := range ranges {
		best = append(best, m.scan(q, k, r.lo, r.hi)...)
	}
	slices.SortFunc(best, compareScored)
	return best[:min(k, len(best))]
}
