package retrieval

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Search methods accepted by [Index.SearchWith].
const (
	MethodHybrid  = "hybrid"
	MethodLexical = "lexical"
	MethodVector  = "vector"
)

// Sources named in [Hit.Sources].
const (
	SourceLexical = "lexical"
	SourceVector  = "vector"
)

// ErrEmptyQuery is returned by [Index.Search] for a query without text.
var ErrEmptyQuery = errors.New("empty query")

// Search returns the k best passages for query by the hybrid ranking (see
// [Index.SearchWith]), best first.
func (ix *Index) Search(ctx context.Context, query string, k int) ([]Hit, error) {
	return ix.SearchWith(ctx, query, k, MethodHybrid)
}

// SearchWith returns the k best passages for query by one method, best
// first (fewer when fewer passages match):
//
//   - [MethodLexical]: BM25 alone; Score is the BM25 score and only
//     passages sharing a token with the query are returned.
//   - [MethodVector]: cosine similarity of the query's embedding alone.
//   - [MethodHybrid]: the top BM25 and top vector candidates together,
//     re-scored by a weighted sum of normalised BM25, how much of the
//     query's weight the passage's best sentence covers, the phrases the
//     passage shares with the query, and cosine similarity. The weights
//     were tuned on the eval sets as a whole (eval_test.go).
//
// Chinese question words (什么, 哪, 谁, ...) are dropped from the query's
// lexical side; the embedding sees the query as given. A query in another
// language than the corpus is translated and searched as a structured
// query (see crosslingual.go).
//
// Sources names the retrievers whose candidate lists held the hit (hits
// of one call may share the backing array: do not modify it). The query
// is embedded once per call (a network call for a remote embedder).
func (ix *Index) SearchWith(ctx context.Context, query string, k int, method string) ([]Hit, error) {
	if strings.TrimSpace(query) == "" {
		return nil, ErrEmptyQuery
	}
	if k <= 0 {
		return nil, fmt.Errorf("search: k must be positive, got %d", k)
	}
	if xq := ix.translate(query); xq != nil && isMethod(method) {
		return ix.crossLingualHits(ctx, query, xq, k, method, nil)
	}
	switch method {
	case MethodLexical:
		return ix.lexicalHits(query, k), nil
	case MethodVector, MethodHybrid:
	default:
		return nil, fmt.Errorf("search: unknown method %q (want hybrid, lexical or vector)", method)
	}
	qv, err := ix.embedQuery(ctx, query)
	if err != nil {
		return nil, err
	}
	if method == MethodVector {
		return ix.vectorHits(qv, k), nil
	}
	return ix.hybridHits(query, qv, k), nil
}

func (ix *Index) embedQuery(ctx context.Context, query string) ([]float32, error) {
	qv, err := ix.embed(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("search: couldn't embed query: %w", err)
	}
	if len(qv) != ix.vec.dim {
		return nil, fmt.Errorf("search: query embedding has %d dimensions, index has %d", len(qv), ix.vec.dim)
	}
	qv = slices.Clone(qv)
	if !Normalize(qv) {
		return nil, errors.New("search: query embedding is zero")
	}
	return qv, nil
}

func (ix *Index) hit(i int, rank int, score float64, sources []string) Hit {
	return Hit{Passage: ix.passages[i], Rank: rank, Score: score, Sources: sources}
}

func (ix *Index) lexicalHits(query string, k int) []Hit {
	return ix.singleSourceHits(ix.lex.search(query, k), SourceLexical)
}

func (ix *Index) vectorHits(qv []float32, k int) []Hit {
	return ix.singleSourceHits(ix.vec.search(qv, k), SourceVector)
}

// singleSourceHits turns one retriever's results into hits; their Sources
// share one backing array.
func (ix *Index) singleSourceHits(hits []scored, source string) []Hit {
	out := make([]Hit, len(hits))
	sources := make([]string, len(hits))
	for i, h := range hits {
		sources[i] = source
		out[i] = ix.hit(int(h.doc), i+1, float64(h.score), sources[i:i+1:i+1])
	}
	return out
}
