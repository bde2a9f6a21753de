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

	"github.com/citebot/citebot/retrieval/document"
	"github.com/citebot/citebot/eval"
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
// the postings of the query's terms (8 bytes per posting).

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
			b.ReportMetric(float64(len(ix.lex.docs))*8/(1<<20), "postingsMB")
			b.ReportMetric(float64(len(ix.vec.data))*4/(1<<20), "vectorsMB")
			runtime.KeepAlive(ix)
		})
	}
}

// BenchmarkBuildEvalCorpus builds the index of cmrc2018_trial.txt from its
// raw bytes (parse, split, BM25, embed), the way the bot starts on it.
func BenchmarkBuildEvalCorpus(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "eval", "cmrc2018_trial.txt"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		doc, err := document.Parse("cmrc2018_trial.txt", raw)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := Build(context.Background(), []*document.Document{doc}, Options{}); err != nil {
			b.Fatal(err)
		}
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
				ctx := context.Background()
				var lat []float64
				var postings int64
				i := 0
				b.ResetTimer()
				for b.Loop() {
					q := questions[i%len(questions)]
					i++
					t0 := time.Now()
					if _, err := ix.SearchWith(ctx, q, 10, method); err != nil {
						b.Fatal(err)
					}
					lat = append(lat, float64(time.Since(t0).Microseconds()))
					if method != MethodVector {
						postings += ix.lex.postingsOf(q)
					}
				}
				b.StopTimer()
				b.ReportMetric(eval.Percentile(slices.Clone(lat), 50)/1000, "p50-ms")
				b.ReportMetric(eval.Percentile(lat, 99)/1000, "p99-ms")
				scanned := float64(postings) * 8 / float64(i)
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
