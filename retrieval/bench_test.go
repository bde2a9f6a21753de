package retrieval

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/citebot/citebot/eval"
	"github.com/citebot/citebot/retrieval/document"
	"github.com/citebot/citebot/retrieval/text"
)

// Benchmarks of the index at 1k, 10k and 100k passages with the local
// embedder. The passages are synthetic but realistic: sentences of the
// cmrc2018_trial and drcd_dev corpora (Simplified and Traditional Chinese
// Wikipedia) drawn with a fixed seed and joined into passages of 150-300
// runes, one paragraph each. Queries are the questions of the same sets.
//
//	go test ./retrieval -run '^$' -bench . -benchtime 200x
//
// BenchmarkQuery reports, besides ns/op, the median and 99th percentile
// latency and the bytes a query reads: the vector matrix (dim*4*N) plus
// the compressed postings of the query's terms.

var benchSizes = []int{1_000, 10_000, 100_000}

var (
	benchSentencesOnce sync.Once
	benchSentences     []string
	benchQuestions     []string
)

// loadBenchCorpus reads the eval corpora's sentences and questions once.
func loadBenchCorpus(tb testing.TB) ([]string, []string) {
	tb.Helper()
	benchSentencesOnce.Do(func() {
		dir := filepath.Join("..", "testdata", "eval")
		for _, name := range []string{"cmrc2018_trial", "drcd_dev"} {
			raw, err := os.ReadFile(filepath.Join(dir, name+".txt"))
			if err != nil {
				panic(err)
			}
			src := string(raw)
			for _, sp := range text.Sentences(src) {
				if s := strings.TrimSpace(src[sp.Start:sp.End]); utf8.RuneCountInString(s) >= 8 {
					benchSentences = append(benchSentences, s)
				}
			}
			qs, err := eval.Load(filepath.Join(dir, name+".jsonl"))
			if err != nil {
				panic(err)
			}
			for _, q := range qs {
				if q.Question != "" {
					benchQuestions = append(benchQuestions, q.Question)
				}
			}
		}
	})
	if len(benchSentences) == 0 {
		tb.Fatal("no sentences in the eval corpora")
	}
	return benchSentences, benchQuestions
}

// syntheticDocument returns a document of n passages of 150-300 runes each,
// the same for the same n.
func syntheticDocument(tb testing.TB, n int) *document.Document {
	tb.Helper()
	sents, _ := loadBenchCorpus(tb)
	rng := rand.New(rand.NewPCG(uint64(n), 2024))
	var b strings.Builder
	doc := &document.Document{Name: fmt.Sprintf("synthetic-%d.txt", n), Hash: strconv.Itoa(n)}
	for i := range n {
		if i > 0 {
			b.WriteString("\n\n")
		}
		start := b.Len()
		want := 150 + rng.IntN(151)
		runes := 0
		for runes < want {
			s := sents[rng.IntN(len(sents))]
			if rest := want - runes; utf8.RuneCountInString(s) > rest+40 {
				s = string([]rune(s)[:rest]) // trim a long last sentence
			}
			b.WriteString(s)
			runes += utf8.RuneCountInString(s)
		}
		doc.Paragraphs = append(doc.Paragraphs, document.Paragraph{N: i + 1, Start: start, End: b.Len()})
	}
	doc.Text = b.String()
	return doc
}

var (
	benchIndexMu sync.Mutex
	benchIndexes = map[int]*Index{}
)

// benchIndex builds (once per size) the index of the synthetic document.
func benchIndex(b *testing.B, n int) *Index {
	b.Helper()
	benchIndexMu.Lock()
	defer benchIndexMu.Unlock()
	if ix := benchIndexes[n]; ix != nil {
		return ix
	}
	ix, _, err := Build(context.Background(), []*document.Document{syntheticDocument(b, n)}, Options{})
	if err != nil {
		b.Fatal(err)
	}
	benchIndexes[n] = ix
	return ix
}

func sizeName(n int) string {
	if n >= 1000 {
		return fmt.Sprintf("n=%dk", n/1000)
	}
	return fmt.Sprintf("n=%d", n)
}

// BenchmarkBuild measures a full build (split, BM25, embed, chromem) and
// reports the live heap the index holds afterwards.
func BenchmarkBuild(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			doc := syntheticDocument(b, n)
			var ix *Index
			b.ReportAllocs()
			for b.Loop() {
				var err error
				ix, _, err = Build(context.Background(), []*document.Document{doc}, Options{})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heapMB")
			b.ReportMetric(float64(len(ix.lex.post.data))/(1<<20), "postingsMB")
			b.ReportMetric(float64(len(ix.vec.data))*4/(1<<20), "vectorsMB")
			runtime.KeepAlive(ix)
		})
	}
}

// BenchmarkBuildEvalCorpus builds the index of cmrc2018_trial.txt
// (Simplified) and drcd_dev.txt (Traditional) from their raw bytes (parse,
// split, BM25, embed), the way the bot starts on them.
func BenchmarkBuildEvalCorpus(b *testing.B) {
	for _, name := range []string{"cmrc2018_trial.txt", "drcd_dev.txt"} {
		raw, err := os.ReadFile(filepath.Join("..", "testdata", "eval", name))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(strings.TrimSuffix(name, ".txt"), func(b *testing.B) {
			for b.Loop() {
				doc, err := document.Parse(name, raw)
				if err != nil {
					b.Fatal(err)
				}
				if _, _, err := Build(context.Background(), []*document.Document{doc}, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBuildReused measures a build that loads its vectors from the
// snapshot (no embedding).
func BenchmarkBuildReused(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			doc := syntheticDocument(b, n)
			opts := Options{DataDir: b.TempDir()}
			if _, _, err := Build(context.Background(), []*document.Document{doc}, opts); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				_, stats, err := Build(context.Background(), []*document.Document{doc}, opts)
				if err != nil || !stats.Reused {
					b.Fatalf("reused %v, err %v", stats.Reused, err)
				}
			}
		})
	}
}

// BenchmarkQuery measures Search by method at each size, with the
// questions of the eval sets in turn.
func BenchmarkQuery(b *testing.B) {
	_, questions := loadBenchCorpus(b)
	for _, n := range benchSizes {
		for _, method := range []string{MethodHybrid, MethodLexical, MethodVector} {
			b.Run(sizeName(n)+"/"+method, func(b *testing.B) {
				ix := benchIndex(b, n)
				benchQueries(b, ix, questions, method)
				// The bytes a query reads: postings and the vector matrix.
				var postingBytes int64
				if method != MethodVector {
					for _, q := range questions {
						postingBytes += ix.lex.postingBytes(q)
					}
				}
				scanned := float64(postingBytes) / float64(len(questions))
				if method != MethodLexical {
					scanned += float64(len(ix.vec.data) * 4)
				}
				b.ReportMetric(scanned/(1<<20), "MB-scanned/op")
			})
		}
	}
}

// BenchmarkVectorScan compares chromem-go's own brute-force query with the
// index's scan of its contiguous matrix, for the same vectors.
func BenchmarkVectorScan(b *testing.B) {
	_, questions := loadBenchCorpus(b)
	for _, n := range benchSizes {
		ix := benchIndex(b, n)
		qv, err := ix.embedQuery(context.Background(), questions[0])
		if err != nil {
			b.Fatal(err)
		}
		b.Run(sizeName(n)+"/matrix", func(b *testing.B) {
			for b.Loop() {
				ix.vec.search(qv, 30)
			}
		})
		b.Run(sizeName(n)+"/chromem", func(b *testing.B) {
			for b.Loop() {
				if _, err := ix.collection.QueryEmbedding(context.Background(), qv, 30, nil, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkQueryEvalCorpus measures Search by method on cmrc2018_trial
// (256 paragraphs) with its own questions in turn, the size the "hybrid
// close to lexical + vector" target is set on. It reports the median and
// 99th percentile latency (nanosecond timer) and the allocations.
//
//	go test ./retrieval -run '^$' -bench QueryEvalCorpus -benchtime 5000x
func BenchmarkQueryEvalCorpus(b *testing.B) {
	s := loadEvalSets(b)[1] // cmrc2018_trial
	ix := buildEvalIndex(b, s, Options{})
	var questions []string
	for _, q := range s.Questions {
		if strings.TrimSpace(q.Question) != "" {
			questions = append(questions, q.Question)
		}
	}
	for _, method := range []string{MethodHybrid, MethodLexical, MethodVector} {
		b.Run(method, func(b *testing.B) {
			benchQueries(b, ix, questions, method)
		})
	}
}

// benchQueries runs the questions in turn through ix by method and reports
// the median and 99th percentile latency in milliseconds.
func benchQueries(b *testing.B, ix *Index, questions []string, method string) {
	b.Helper()
	ctx := context.Background()
	lat := make([]float64, 0, b.N)
	i := 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		q := questions[i%len(questions)]
		i++
		t0 := time.Now()
		if _, err := ix.SearchWith(ctx, q, 10, method); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, float64(time.Since(t0).Nanoseconds())/1e6)
	}
	b.StopTimer()
	b.ReportMetric(eval.Percentile(slices.Clone(lat), 50), "p50-ms")
	b.ReportMetric(eval.Percentile(lat, 99), "p99-ms")
}

// BenchmarkIndex100k builds the 100k-passage synthetic index once and
// reports the live heap after the build (after a GC, less the heap before
// it) and the hybrid query latency. Targets: heap <= 300 MB, p50 <= 5 ms.
//
//	go test ./retrieval -run '^$' -bench Index100k -benchtime 300x
func BenchmarkIndex100k(b *testing.B) {
	_, questions := loadBenchCorpus(b)
	doc := syntheticDocument(b, 100_000)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	ix, _, err := Build(context.Background(), []*document.Document{doc}, Options{})
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	heapMB := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / (1 << 20)
	for _, method := range []string{MethodHybrid, MethodLexical, MethodVector} {
		b.Run(method, func(b *testing.B) {
			benchQueries(b, ix, questions, method)
			b.ReportMetric(heapMB, "heapMB")
			b.ReportMetric(float64(after.HeapAlloc)/(1<<20), "totalHeapMB")
		})
	}
	runtime.KeepAlive(ix)
}
