package retrieval

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/citebot/citebot/retrieval/document"
	"github.com/google/go-cmp/cmp"
)

func buildSample(tb testing.TB, opts Options) (*Index, BuildStats) {
	tb.Helper()
	ix, stats, err := Build(context.Background(), []*document.Document{document.Sample()}, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return ix, stats
}

// textDoc makes a document of blank-line separated paragraphs.
func textDoc(tb testing.TB, name string, paras ...string) *document.Document {
	tb.Helper()
	d, err := document.Parse(name, []byte(strings.Join(paras, "\n\n")))
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func TestBuildDefaults(t *testing.T) {
	ix, stats := buildSample(t, Options{})
	sample := document.Sample()
	want := document.Passages(sample, document.DefaultMaxPassageRunes)
	if diff := cmp.Diff(want, ix.Passages()); diff != "" {
		t.Errorf("passages mismatch (-want +got):\n%s", diff)
	}
	if got := ix.Documents(); len(got) != 1 || got[0] != sample {
		t.Errorf("Documents() = %v", got)
	}
	wantStats := BuildStats{Documents: 1, Paragraphs: len(sample.Paragraphs), Passages: len(want), Embedded: len(want)}
	stats.Duration = 0
	if stats != wantStats {
		t.Errorf("stats = %+v, want %+v", stats, wantStats)
	}
	if ix.vec.dim != DefaultLocalDim {
		t.Errorf("dim = %d, want %d", ix.vec.dim, DefaultLocalDim)
	}
	if n := ix.Collection().Count(); n != len(want) {
		t.Errorf("collection holds %d documents, want %d", n, len(want))
	}
}

func TestBuildErrors(t *testing.T) {
	sample := document.Sample()
	failing := func(context.Context, string) ([]float32, error) { return nil, errors.New("model is down") }
	var calls atomic.Int32
	growing := func(context.Context, string) ([]float32, error) {
		v := make([]float32, 3+calls.Add(1))
		v[0] = 1
		return v, nil
	}
	zero := func(context.Context, string) ([]float32, error) { return make([]float32, 4), nil }
	tests := []struct {
		name string
		docs []*document.Document
		opts Options
		want string
	}{
		{"no documents", nil, Options{}, "no documents"},
		{"nil document", []*document.Document{nil}, Options{}, "nil document"},
		{"duplicate names", []*document.Document{sample, sample}, Options{}, "duplicate document name"},
		{"DataDir without EmbedderID", []*document.Document{sample}, Options{DataDir: t.TempDir(), Embedder: LocalEmbedder(32)}, "EmbedderID is required"},
		{"BatchEmbedder without Embedder", []*document.Document{sample}, Options{BatchEmbedder: func(context.Context, []string) ([][]float32, error) { return nil, nil }}, "needs an Embedder"},
		{"embedder error", []*document.Document{sample}, Options{Embedder: failing}, "model is down"},
		{"changing dimension", []*document.Document{sample}, Options{Embedder: growing}, "dimensions"},
		{"zero vector", []*document.Document{sample}, Options{Embedder: zero}, "zero or invalid vector"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Build(context.Background(), tt.docs, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestBuildCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	embed := LocalEmbedder(32)
	ctxEmbed := func(ctx context.Context, s string) ([]float32, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return embed(ctx, s)
	}
	_, _, err := Build(ctx, []*document.Document{document.Sample()}, Options{Embedder: ctxEmbed})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestBuildProgressAndBatches(t *testing.T) {
	doc := syntheticDocument(t, 300)
	embed := LocalEmbedder(32)
	var calls, texts atomic.Int32
	batch := func(ctx context.Context, in []string) ([][]float32, error) {
		calls.Add(1)
		texts.Add(int32(len(in)))
		out := make([][]float32, len(in))
		for i, s := range in {
			out[i], _ = embed(ctx, s)
		}
		return out, nil
	}
	var mu sync.Mutex
	var progress []int
	_, stats, err := Build(context.Background(), []*document.Document{doc}, Options{
		Embedder: embed, BatchEmbedder: batch,
		Progress: func(done, total int) {
			mu.Lock()
			defer mu.Unlock()
			if total != 300 {
				t.Errorf("total = %d", total)
			}
			progress = append(progress, done)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if texts.Load() != 300 || stats.Embedded != 300 {
		t.Errorf("embedded %d texts, stats %d, want 300", texts.Load(), stats.Embedded)
	}
	if want := int32(1 + (299+batchEmbedSize-1)/batchEmbedSize); calls.Load() != want {
		t.Errorf("%d batch calls, want %d", calls.Load(), want)
	}
	if !slices.IsSorted(progress) || progress[len(progress)-1] != 300 {
		t.Errorf("progress = %v, want ascending up to 300", progress)
	}
}

func TestSearch(t *testing.T) {
	ix, _ := buildSample(t, Options{})
	ctx := context.Background()
	for _, method := range []string{MethodHybrid, MethodLexical, MethodVector} {
		t.Run(method, func(t *testing.T) {
			hits, err := ix.SearchWith(ctx, "上海市委书记是谁？", 3, method)
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) != 3 {
				t.Fatalf("%d hits, want 3", len(hits))
			}
			for i, h := range hits {
				if h.Rank != i+1 {
					t.Errorf("hit %d has rank %d", i, h.Rank)
				}
				if i > 0 && h.Score > hits[i-1].Score {
					t.Errorf("scores not descending: %v > %v", h.Score, hits[i-1].Score)
				}
				if len(h.Sources) == 0 {
					t.Errorf("hit %d has no sources", i)
				}
				if doc := ix.Documents()[0]; h.Text != doc.Text[h.Start:h.End] {
					t.Errorf("hit %d text is not Text[Start:End]", i)
				}
			}
			switch method {
			case MethodLexical, MethodHybrid:
				if !strings.Contains(hits[0].Text, "上海市委书记陈吉宁") {
					t.Errorf("top hit %q does not hold the answer", hits[0].Text)
				}
			}
			if method != MethodHybrid && !slices.Equal(hits[0].Sources, []string{method}) {
				t.Errorf("sources = %v, want [%s]", hits[0].Sources, method)
			}
		})
	}
	if hits, _ := ix.Search(ctx, "座谈会", 1000); len(hits) > len(ix.Passages()) {
		t.Errorf("%d hits for %d passages", len(hits), len(ix.Passages()))
	}
}

func TestSearchErrors(t *testing.T) {
	ix, _ := buildSample(t, Options{})
	ctx := context.Background()
	tests := []struct {
		name, query, method string
		k                   int
		want                string
	}{
		{"empty query", " \n", MethodHybrid, 3, "empty query"},
		{"zero k", "长江", MethodHybrid, 0, "k must be positive"},
		{"unknown method", "长江", "bm25", 3, "unknown method"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ix.SearchWith(ctx, tt.query, tt.k, tt.method)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := ix.Search(ctx, "", 3); !errors.Is(err, ErrEmptyQuery) {
		t.Errorf("err = %v, want ErrEmptyQuery", err)
	}

	// A query embedding failure surfaces, wrapped.
	embed := LocalEmbedder(32)
	fail := false
	flaky := func(ctx context.Context, s string) ([]float32, error) {
		if fail {
			return nil, errors.New("embedder offline")
		}
		return embed(ctx, s)
	}
	ix2, _ := buildSample(t, Options{Embedder: flaky})
	fail = true
	if _, err := ix2.Search(ctx, "长江", 3); err == nil || !strings.Contains(err.Error(), "embedder offline") {
		t.Errorf("err = %v, want the embedder's error", err)
	}
	if _, err := ix2.SearchWith(ctx, "长江", 3, MethodLexical); err != nil {
		t.Errorf("lexical search needs no embedding: %v", err)
	}
}

// TestSearchVectorOnly: a query sharing no token with the text (Russian
// against Chinese; English is translated, see crosslingual.go) still gets
// the vector ranking from the hybrid.
func TestSearchVectorOnly(t *testing.T) {
	ix, _ := buildSample(t, Options{})
	ctx := context.Background()
	q := "Как бассейн может улучшить защиту от стихийных бедствий?"
	if hits, _ := ix.SearchWith(ctx, q, 5, MethodLexical); len(hits) != 0 {
		t.Fatalf("lexical hits for an English query: %v", hits)
	}
	hits, err := ix.Search(ctx, q, 5)
	if err != nil {
		t.Fatal(err)
	}
	vec, _ := ix.SearchWith(ctx, q, 5, MethodVector)
	if len(hits) != 5 {
		t.Fatalf("%d hits, want 5", len(hits))
	}
	for i := range hits {
		if hits[i].ID != vec[i].ID || !slices.Equal(hits[i].Sources, []string{SourceVector}) {
			t.Errorf("hit %d: %s %v, want the vector ranking's %s", i, hits[i].ID, hits[i].Sources, vec[i].ID)
		}
	}
}

// TestSearchConcurrent runs searches from many goroutines (run with -race)
// and checks they agree with sequential ones.
func TestSearchConcurrent(t *testing.T) {
	ix, _ := buildSample(t, Options{})
	ctx := context.Background()
	queries := []string{"上海市委书记是谁？", "生态保护补偿机制", "对外开放", "How can the basin improve?", "耕地保护有什么要求？"}
	want := make([][]Hit, len(queries))
	for i, q := range queries {
		want[i], _ = ix.Search(ctx, q, 5)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for r := range 20 {
				i := (g + r) % len(queries)
				got, err := ix.Search(ctx, queries[i], 5)
				if err != nil {
					t.Error(err)
					return
				}
				if diff := cmp.Diff(want[i], got); diff != "" {
					t.Errorf("%q: concurrent result differs (-want +got):\n%s", queries[i], diff)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestVectorScanMatchesChromem: the contiguous-matrix scan ranks like
// chromem-go's own query over the same collection.
func TestVectorScanMatchesChromem(t *testing.T) {
	doc := syntheticDocument(t, 500)
	ix, _, err := Build(context.Background(), []*document.Document{doc}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"長江的源頭在哪裡？", "游戏的玩家", "Nexon"} {
		qv, err := ix.embedQuery(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		mine := ix.vec.search(qv, 10)
		theirs, err := ix.Collection().QueryEmbedding(context.Background(), qv, 10, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range mine {
			if math32Diff(mine[i].score, theirs[i].Similarity) > 1e-5 {
				t.Errorf("%q rank %d: score %v, chromem %v", q, i+1, mine[i].score, theirs[i].Similarity)
			}
		}
	}
}

// splitDocument cuts doc's paragraphs into parts documents named
// "part-N.txt", each with its own text.
func splitDocument(tb testing.TB, doc *document.Document, parts int) []*document.Document {
	tb.Helper()
	var docs []*document.Document
	per := (len(doc.Paragraphs) + parts - 1) / parts
	for lo := 0; lo < len(doc.Paragraphs); lo += per {
		var texts []string
		for _, p := range doc.Paragraphs[lo:min(lo+per, len(doc.Paragraphs))] {
			texts = append(texts, p.Text(doc))
		}
		docs = append(docs, textDoc(tb, fmt.Sprintf("part-%d.txt", len(docs)+1), texts...))
	}
	return docs
}

// TestCollectionFilteredQuery: chromem-go's own query with a where filter
// on a passage's document returns the same passages in the same order as
// the matrix scan restricted to that document's rows, so the collection
// stays a tested store of record.
func TestCollectionFilteredQuery(t *testing.T) {
	docs := splitDocument(t, syntheticDocument(t, 600), 3)
	ix, _, err := Build(context.Background(), docs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, d := range docs {
		lo := slices.IndexFunc(ix.passages, func(p document.Passage) bool { return p.Doc == d.Name })
		hi := lo + len(document.Passages(d, document.DefaultMaxPassageRunes))
		for _, q := range []string{"長江的源頭在哪裡？", "游戏的玩家", "Nexon", "1990年"} {
			qv, err := ix.embedQuery(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			const k = 8
			theirs, err := ix.Collection().QueryEmbedding(ctx, qv, k, map[string]string{MetadataDoc: d.Name}, nil)
			if err != nil {
				t.Fatal(err)
			}
			mine := ix.vec.scan(qv, k, lo, hi)
			if len(theirs) != len(mine) {
				t.Fatalf("%s %q: chromem %d results, scan %d", d.Name, q, len(theirs), len(mine))
			}
			for i, h := range mine {
				if theirs[i].ID != ix.passages[h.doc].ID || theirs[i].Metadata[MetadataDoc] != d.Name {
					t.Errorf("%s %q rank %d: chromem %s (%s), scan %s", d.Name, q, i+1, theirs[i].ID, theirs[i].Metadata[MetadataDoc], ix.passages[h.doc].ID)
				}
			}
		}
	}
}

// TestCollectionSharesVectors: every document of the collection holds its
// passage's text and document name, and its Embedding is the passage's
// row of the scan matrix itself: the vectors are held once.
func TestCollectionSharesVectors(t *testing.T) {
	docs := splitDocument(t, syntheticDocument(t, 300), 2)
	opts := Options{DataDir: t.TempDir()}
	ix, _, err := Build(context.Background(), docs, opts)
	if err != nil {
		t.Fatal(err)
	}
	// A second build reads its vectors from the snapshot: shared as well.
	reused, stats, err := Build(context.Background(), docs, opts)
	if err != nil || !stats.Reused {
		t.Fatalf("second build: reused %v, err %v", stats.Reused, err)
	}
	for _, ix := range []*Index{ix, reused} {
		coll := ix.Collection()
		all, err := coll.QueryEmbedding(context.Background(), ix.vec.row(0), coll.Count(), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		row := make(map[string]int, len(ix.passages))
		for i, p := range ix.passages {
			row[p.ID] = i
		}
		for _, d := range all {
			i, ok := row[d.ID]
			switch {
			case !ok:
				t.Fatalf("collection holds unknown passage %s", d.ID)
			case &d.Embedding[0] != &ix.vec.row(i)[0] || len(d.Embedding) != ix.vec.dim:
				t.Errorf("passage %s: the collection's embedding is a copy, not row %d", d.ID, i)
			case d.Content != ix.passages[i].Text || d.Metadata[MetadataDoc] != ix.passages[i].Doc:
				t.Errorf("passage %s: content or metadata differ from the passage", d.ID)
			}
		}
	}
}

func math32Diff(a, b float32) float32 {
	if a > b {
		return a - b
	}
	return b - a
}

func TestVectorSearchParallelParts(t *testing.T) {
	// Enough rows for the parallel scan; compare with a single part.
	const n, dim = parallelScanPassages + 1000, 8
	m := &vectorMatrix{dim: dim, n: n, data: make([]float32, n*dim)}
	for i := range n {
		m.data[i*dim+i%dim] = float32(i%97) / 97
	}
	q := []float32{1, 0.5, 0, 0, 0, 0, 0, 0.25}
	got := m.search(q, 25)
	want := m.scan(q, 25, 0, n)
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(scored{})); diff != "" {
		t.Errorf("parallel scan differs (-single +parallel):\n%s", diff)
	}
}

// TestHybridSplitParagraph: the windows of a long paragraph are passages
// of their own, each returned once.
func TestHybridSplitParagraph(t *testing.T) {
	long := strings.Repeat("长江经济带高质量发展需要生态保护。", 80) // > document.DefaultMaxPassageRunes: split into windows
	doc := textDoc(t, "groups.txt", "短段落讲生态保护。", long, "另一段讲对外开放。")
	ix, _, err := Build(context.Background(), []*document.Document{doc}, Options{Embedder: LocalEmbedder(64)})
	if err != nil {
		t.Fatal(err)
	}
	ps := ix.Passages()
	if len(ps) < 4 {
		t.Fatalf("%d passages, want the long paragraph split", len(ps))
	}
	hits, err := ix.Search(context.Background(), "生态保护", len(ps))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, h := range hits {
		if seen[h.ID] {
			t.Errorf("passage %s returned twice", h.ID)
		}
		seen[h.ID] = true
	}
}

func ExampleIndex_Search() {
	doc, err := document.Parse("notes.txt", []byte("长江经济带横贯东西。\n\n上海市委书记陈吉宁发言。\n\n黄河流域生态保护。"))
	if err != nil {
		panic(err)
	}
	ix, _, err := Build(context.Background(), []*document.Document{doc}, Options{})
	if err != nil {
		panic(err)
	}
	hits, err := ix.Search(context.Background(), "上海市委书记是谁？", 1)
	if err != nil {
		panic(err)
	}
	fmt.Println(hits[0].Rank, hits[0].ID, hits[0].Text)
	// Output: 1 notes.txt#2#0 上海市委书记陈吉宁发言。
}

// TestHybridBoundsAreExact: skipping the candidates whose score bound is
// below the k-th best score returns what scoring every candidate returns.
func TestHybridBoundsAreExact(t *testing.T) {
	s := loadEvalSets(t)[1] // cmrc2018_trial
	ix := buildEvalIndex(t, s, Options{})
	for _, q := range s.Questions[:300] {
		if strings.TrimSpace(q.Question) == "" {
			continue
		}
		qv, err := ix.embedQuery(context.Background(), q.Question)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []int{1, 5, 10} {
			pruned, all := ix.hybrid(q.Question, qv, k, true, nil), ix.hybrid(q.Question, qv, k, false, nil)
			if diff := cmp.Diff(all, pruned); diff != "" {
				t.Fatalf("%s k=%d: bounded ranking differs (-all +bounded):\n%s", q.ID, k, diff)
			}
		}
	}
}
