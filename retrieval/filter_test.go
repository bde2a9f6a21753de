package retrieval

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/citebot/citebot/retrieval/document"
)

func hitIDs(hs []Hit) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.ID)
	}
	return out
}

// TestSearchInScopes: a scoped search returns only the scope's passages;
// by lexical and by vector it returns exactly the scope's passages of the
// unscoped ranking, in the same order (a passage's score does not depend
// on the scope), and chromem-go's where-filtered query agrees with the
// vector side; by hybrid it fills k from the scope.
func TestSearchInScopes(t *testing.T) {
	docs := splitDocument(t, syntheticDocument(t, 600), 3)
	ix, _, err := Build(context.Background(), docs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const k = 10
	all := len(ix.passages)
	for _, scope := range [][]string{{"part-2.txt"}, {"part-1.txt", "part-3.txt"}} {
		for _, q := range []string{"長江的源頭在哪裡？", "游戏的玩家", "1990年"} {
			for _, method := range []string{MethodLexical, MethodVector, MethodHybrid} {
				got, err := ix.SearchIn(ctx, q, k, method, scope)
				if err != nil {
					t.Fatal(err)
				}
				for i, h := range got {
					if !slices.Contains(scope, h.Doc) || h.Rank != i+1 {
						t.Errorf("%v %q %s: hit %d is %s of %s", scope, q, method, i+1, h.ID, h.Doc)
					}
				}
				if method == MethodHybrid {
					if len(got) != k {
						t.Errorf("%v %q hybrid: %d hits, want %d", scope, q, len(got), k)
					}
					continue
				}
				full, err := ix.SearchWith(ctx, q, all, method)
				if err != nil {
					t.Fatal(err)
				}
				want := inScope(full, scope, k)
				if !slices.Equal(hitIDs(got), hitIDs(want)) {
					t.Errorf("%v %q %s: scoped %v, want the unscoped ranking's %v", scope, q, method, hitIDs(got), hitIDs(want))
				}
				if method == MethodVector && len(scope) == 1 {
					qv, _ := ix.embedQuery(ctx, q)
					theirs, err := ix.Collection().QueryEmbedding(ctx, qv, k, map[string]string{MetadataDoc: scope[0]}, nil)
					if err != nil {
						t.Fatal(err)
					}
					var ids []string
					for _, r := range theirs {
						ids = append(ids, r.ID)
					}
					if !slices.Equal(ids, hitIDs(got)) {
						t.Errorf("%v %q: chromem where %v, scoped scan %v", scope, q, ids, hitIDs(got))
					}
				}
			}
		}
	}
	if hs, err := ix.SearchIn(ctx, "游戏的玩家", k, MethodHybrid, []string{"gone.txt"}); err != nil || len(hs) != 0 {
		t.Errorf("a scope of unknown documents: %d hits, %v; want none", len(hs), err)
	}
	a, _ := ix.SearchIn(ctx, "游戏的玩家", k, MethodHybrid, []string{"part-1.txt", "part-2.txt", "part-3.txt"})
	b, _ := ix.SearchWith(ctx, "游戏的玩家", k, MethodHybrid)
	if !slices.Equal(hitIDs(a), hitIDs(b)) {
		t.Errorf("a scope of every document differs from no scope: %v vs %v", hitIDs(a), hitIDs(b))
	}
	if _, err := ix.SearchIn(ctx, " ", k, MethodHybrid, []string{"part-1.txt"}); err != ErrEmptyQuery {
		t.Errorf("empty query: %v", err)
	}
	if _, err := ix.SearchIn(ctx, "q", k, "bm25", []string{"part-1.txt"}); err == nil {
		t.Errorf("unknown method accepted")
	}
}

// BenchmarkScopedVector compares the two ways to rank one document's
// passages among three by vector: the scan of its rows and chromem-go's
// query with a where filter.
//
//	go test ./retrieval -run '^$' -bench ScopedVector -benchtime 200x
func BenchmarkScopedVector(b *testing.B) {
	_, questions := loadBenchCorpus(b)
	docs := splitDocument(b, syntheticDocument(b, 30_000), 3)
	ix, _, err := Build(context.Background(), docs, Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	qv, err := ix.embedQuery(ctx, questions[0])
	if err != nil {
		b.Fatal(err)
	}
	ranges, _ := ix.scopeRanges([]string{"part-2.txt"})
	b.Run("scan", func(b *testing.B) {
		for b.Loop() {
			ix.vec.searchIn(qv, 30, ranges)
		}
	})
	b.Run("chromem-where", func(b *testing.B) {
		for b.Loop() {
			if _, err := ix.collection.QueryEmbedding(ctx, qv, 30, map[string]string{MetadataDoc: "part-2.txt"}, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("hybrid-scoped", func(b *testing.B) {
		for b.Loop() {
			if _, err := ix.SearchIn(ctx, questions[0], 10, MethodHybrid, []string{"part-2.txt"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("hybrid-all", func(b *testing.B) {
		for b.Loop() {
			if _, err := ix.SearchWith(ctx, questions[0], 10, MethodHybrid); err != nil {
				b.Fatal(err)
			}
		}
	})
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

// TestSearchInCrossLingual: an English question in a chat scoped to a
// small Chinese document finds it even when a large document of the
// library holds the same words many times (the scope is ranked inside
// the index, not filtered from the library's top hits).
func TestSearchInCrossLingual(t *testing.T) {
	small := textDoc(t, "small.txt", "湖泊也实行禁渔制度。", "城市公园的树木很多。")
	var paras []string
	for i := range 100 {
		paras = append(paras, fmt.Sprintf("第%d条：长江禁渔，禁渔期间禁止捕捞，禁渔区内禁渔。", i+1))
	}
	docs := []*document.Document{textDoc(t, "rules.txt", paras...), small}
	ix, _, err := Build(context.Background(), docs, Options{Embedder: LocalEmbedder(64), EmbedderID: "local-64"})
	if err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{MethodLexical, MethodVector, MethodHybrid} {
		hits, err := ix.SearchIn(context.Background(), "fishing ban", 3, method, []string{"small.txt"})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 || hits[0].Doc != "small.txt" || hits[0].Paragraph != 1 {
			t.Errorf("%s: scoped cross-lingual hits %+v, want small.txt ¶1 first", method, hits)
		}
		for _, h := range hits {
			if h.Doc != "small.txt" {
				t.Errorf("%s: hit outside the scope: %s", method, h.ID)
			}
		}
	}
}
