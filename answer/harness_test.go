package answer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/citebot/citebot/eval"
	"github.com/citebot/citebot/retrieval"
	"github.com/citebot/citebot/retrieval/document"
	"github.com/citebot/citebot/retrieval/text"
)

// bm25Retriever is a stand-in lexical retriever over document.Passages.
type bm25Retriever struct {
	docs     []*document.Document
	passages []document.Passage
	tfs      []map[string]int
	lens     []int
	df       map[string]int
	avg      float64
}

func newBM25Retriever(tb testing.TB, docs []*document.Document) *bm25Retriever {
	tb.Helper()
	r := &bm25Retriever{docs: docs, df: map[string]int{}}
	for _, d := range docs {
		r.passages = append(r.passages, document.Passages(d, 0)...)
	}
	total := 0
	for _, p := range r.passages {
		tf := map[string]int{}
		toks := text.Tokens(p.Text)
		for _, t := range toks {
			tf[t]++
		}
		for t := range tf {
			r.df[t]++
		}
		r.tfs = append(r.tfs, tf)
		r.lens = append(r.lens, len(toks))
		total += len(toks)
	}
	r.avg = float64(total) / float64(len(r.passages))
	return r
}

func (r *bm25Retriever) Retrieve(ctx context.Context, q string, k int) ([]Passage, error) {
	n := float64(len(r.passages))
	type hit struct {
		i int
		s float64
	}
	var hits []hit
	qt := text.Tokens(q)
	for i, tf := range r.tfs {
		s := 0.0
		for _, t := range qt {
			f := float64(tf[t])
			if f == 0 {
				continue
			}
			df := float64(r.df[t])
			idf := math.Log(1 + (n-df+0.5)/(df+0.5))
			s += idf * f * 2.2 / (f + 1.2*(0.25+0.75*float64(r.lens[i])/r.avg))
		}
		if s > 0 {
			hits = append(hits, hit{i, s})
		}
	}
	sort.SliceStable(hits, func(a, b int) bool { return hits[a].s > hits[b].s })
	var out []Passage
	for _, h := range hits[:min(k, len(hits))] {
		p := r.passages[h.i]
		out = append(out, Passage{Doc: p.Doc, Paragraph: p.Paragraph, Text: p.Text, Start: p.Start, End: p.End, Score: h.s})
	}
	return out, nil
}

func (r *bm25Retriever) Paragraph(doc string, n int) (Passage, bool) {
	for _, d := range r.docs {
		if d.Name != doc {
			continue
		}
		p, ok := d.Paragraph(n)
		if !ok {
			return Passage{}, false
		}
		return Passage{Doc: d.Name, Paragraph: p.N, Text: p.Text(d), Start: p.Start, End: p.End}, true
	}
	return Passage{}, false
}

func (r *bm25Retriever) Documents() []DocInfo {
	var out []DocInfo
	for _, d := range r.docs {
		out = append(out, DocInfo{Name: d.Name, Paragraphs: d.BodyParagraphs()})
	}
	return out
}

// evalSet is one question set with its corpus.
type evalSet struct {
	name   string
	dir    string   // folder of the corpus and questions
	corpus []string // nil: the bundled sample
	rows   string
}

const (
	evalDir = "../testdata/eval"
	// sharedEvalDir holds the sets that must not be copied into the
	// repository (SQuAD 2.0); tests using them skip when it is absent,
	// except under CI=1.
	sharedEvalDir = "../../shared/eval"
)

var evalSets = []evalSet{
	{"seed_dev", evalDir, nil, "seed_dev.jsonl"},
	{"cmrc2018_trial", evalDir, []string{"cmrc2018_trial.txt"}, "cmrc2018_trial.jsonl"},
	{"drcd_dev", evalDir, []string{"drcd_dev.txt"}, "drcd_dev.jsonl"},
	{"squad2_dev", sharedEvalDir, []string{"squad2_dev.txt"}, "squad2_dev.jsonl"},
}

// available reports whether the set's files are present; a missing shared
// set skips tb, or fails it under CI=1.
func (s evalSet) available(tb testing.TB) bool {
	tb.Helper()
	if _, err := os.Stat(filepath.Join(s.dir, s.rows)); err != nil {
		if os.Getenv("CI") == "1" {
			tb.Fatalf("%s: %v (CI=1 needs ../shared/eval)", s.name, err)
		}
		tb.Logf("skipping %s: %v", s.name, err)
		return false
	}
	return true
}

func loadRows(tb testing.TB, s evalSet) []eval.Row {
	tb.Helper()
	rows, err := eval.Load(filepath.Join(s.dir, s.rows))
	if err != nil {
		tb.Fatal(err)
	}
	return rows
}

// evaluate answers row's question with no history and scores the answer
// as `citebot eval` does (a blank question is a "not found").
func evaluate(tb testing.TB, e *Engine, row eval.Row) (eval.Result, Answer) {
	tb.Helper()
	a, err := e.Answer(context.Background(), Question{Text: row.Question}, nil)
	if errors.Is(err, ErrEmptyQuestion) {
		a, err = Answer{NotFound: true}, nil
	}
	if err != nil {
		tb.Fatalf("%s: %v", row.ID, err)
	}
	got := eval.Answered{Abstained: a.NotFound}
	for _, c := range a.Citations {
		got.Quotes = append(got.Quotes, eval.Quote{Text: c.Quote, Paragraph: c.Paragraph, Whole: c.Whole})
	}
	return eval.Score(row, nil, &got), a
}

func loadCorpus(tb testing.TB, s evalSet) []*document.Document {
	tb.Helper()
	var paths []string
	for _, c := range s.corpus {
		paths = append(paths, filepath.Join(s.dir, c))
	}
	docs, err := document.Load(paths)
	if err != nil {
		tb.Fatal(err)
	}
	return docs
}

// indexRetriever adapts the real retrieval index to Retriever.
type indexRetriever struct {
	ix   *retrieval.Index
	docs map[string]*document.Document
}

func (r indexRetriever) Retrieve(ctx context.Context, q string, k int) ([]Passage, error) {
	hits, err := r.ix.Search(ctx, q, k)
	if err != nil {
		return nil, err
	}
	out := make([]Passage, len(hits))
	for i, h := range hits {
		out[i] = Passage{Doc: h.Doc, Paragraph: h.Paragraph, Text: h.Text, Start: h.Start, End: h.End, Score: h.Score}
	}
	return out, nil
}

func (r indexRetriever) Paragraph(doc string, n int) (Passage, bool) {
	d := r.docs[doc]
	if d == nil {
		return Passage{}, false
	}
	p, ok := d.Paragraph(n)
	if !ok {
		return Passage{}, false
	}
	return Passage{Doc: d.Name, Paragraph: p.N, Text: p.Text(d), Start: p.Start, End: p.End}, true
}

func (r indexRetriever) Documents() []DocInfo {
	var out []DocInfo
	for _, d := range r.ix.Documents() {
		out = append(out, DocInfo{Name: d.Name, Paragraphs: d.BodyParagraphs()})
	}
	return out
}

var indexCache sync.Map // set name -> *builtSet

type builtSet struct {
	once sync.Once
	docs []*document.Document
	r    Retriever
}

// realRetriever builds (once per test process) the real hybrid index with
// the local embedder over the set's corpus.
func realRetriever(tb testing.TB, s evalSet) ([]*document.Document, Retriever) {
	tb.Helper()
	v, _ := indexCache.LoadOrStore(s.name, &builtSet{})
	b := v.(*builtSet)
	b.once.Do(func() {
		docs := loadCorpus(tb, s)
		ix, _, err := retrieval.Build(context.Background(), docs, retrieval.Options{
			Embedder: retrieval.LocalEmbedder(retrieval.DefaultLocalDim), EmbedderID: "local",
		})
		if err != nil {
			tb.Fatalf("build index: %v", err)
		}
		b.docs, b.r = docs, indexRetriever{ix: ix, docs: docMap(docs)}
	})
	if b.r == nil {
		tb.Fatal("index build failed earlier")
	}
	return b.docs, b.r
}

// memoRetriever caches Retrieve results (for parameter sweeps).
type memoRetriever struct {
	Retriever
	mu    sync.Mutex
	cache map[string][]Passage
}

func (m *memoRetriever) Retrieve(ctx context.Context, q string, k int) ([]Passage, error) {
	key := fmt.Sprint(k, "\x00", q)
	m.mu.Lock()
	ps, ok := m.cache[key]
	m.mu.Unlock()
	if ok {
		return ps, nil
	}
	ps, err := m.Retriever.Retrieve(ctx, q, k)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	if m.cache == nil {
		m.cache = map[string][]Passage{}
	}
	m.cache[key] = ps
	m.mu.Unlock()
	return ps, nil
}
