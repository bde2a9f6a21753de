package retrieval

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/citebot/citebot/retrieval/document"
	"github.com/philippgille/chromem-go"
	"golang.org/x/sync/errgroup"
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

// Options configures [Build]. The zero value is usable: no persistence,
// the [LocalEmbedder] at [DefaultLocalDim], [DefaultMaxPassageRunes].
type Options struct {
	// DataDir is the directory of the index snapshot; "" means no
	// persistence. It is created if missing.
	DataDir string
	// Embedder embeds passages and queries and must return unit-length
	// vectors of one dimension. nil means LocalEmbedder(DefaultLocalDim).
	Embedder chromem.EmbeddingFunc
	// BatchEmbedder, if set, embeds many passages per call during a build
	// (see [OpenAIEmbedder.EmbedBatch]); queries still use Embedder.
	BatchEmbedder func(ctx context.Context, texts []string) ([][]float32, error)
	// EmbedderID names the embedder and its model (for example
	// LocalEmbedderID(384) or "openai:text-embedding-3-small"); it is part
	// of the snapshot key, so vectors of another model are never reused.
	// Required with DataDir unless Embedder is nil.
	EmbedderID string
	// MaxPassageRunes is the passage limit given to [Passages]; 0 means
	// [DefaultMaxPassageRunes].
	MaxPassageRunes int
	// Logger receives build progress and snapshot warnings; nil discards.
	Logger *slog.Logger
	// Progress, if set, is called after each batch of passages is embedded
	// with the number done and the total. Calls are serialised.
	Progress func(done, total int)
	// VectorWeight is the weight of cosine similarity in the hybrid
	// ranking; 0 means the default, tuned for the local embedder (whose
	// vectors add little to the lexical features). A semantic embedder may
	// deserve more: measure with the eval sets.
	VectorWeight float64
}

// BuildStats reports what [Build] did.
type BuildStats struct {
	Documents, Paragraphs, Passages int
	// Embedded is the number of passages embedded in this build (0 when
	// the snapshot was reused).
	Embedded int
	// Reused reports that the vectors came from a valid snapshot.
	Reused   bool
	Duration time.Duration
}

// Index answers searches over the passages of a set of documents with a
// BM25 index and an embedding index (a chromem-go collection, scanned as
// one contiguous matrix). It is immutable once built: all methods are safe
// for concurrent use by multiple goroutines.
type Index struct {
	docs     []*document.Document
	passages []document.Passage
	group    []int32 // first passage of the same paragraph (windows of one paragraph are contiguous)
	groupEnd []int32 // one past the last passage of the same paragraph

	lex *lexicalIndex
	vec *vectorMatrix
	// collection is the chromem-go store of the passages and their
	// embeddings (the embeddings alias vec's matrix).
	collection *chromem.Collection
	embed      chromem.EmbeddingFunc
	fusion     fusionParams
}

// Build and search tuning.
const (
	embedChunk           = 256 // passages per task for a per-text Embedder
	batchEmbedSize       = 64  // passages per BatchEmbedder call
	batchEmbedParallel   = 4   // concurrent BatchEmbedder calls
	chromemAddChunk      = 2048
	parallelScanPassages = 4096 // scan vectors on all CPUs from this size
)

// Build splits docs into passages, indexes their words with BM25 and their
// embeddings with chromem-go, and returns the index. With opts.DataDir set
// it first looks for a snapshot with the same documents, embedder and
// chunking: if one is valid its vectors are used and nothing is embedded;
// a missing, stale or corrupt snapshot (the last logged as a warning) is
// replaced after embedding. Build honours ctx between embedding calls.
func Build(ctx context.Context, docs []*document.Document, opts Options) (*Index, BuildStats, error) {
	start := time.Now()
	var stats BuildStats
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Embedder == nil {
		if opts.BatchEmbedder != nil {
			return nil, stats, errors.New("build index: BatchEmbedder needs an Embedder for queries")
		}
		opts.Embedder = LocalEmbedder(DefaultLocalDim)
		if opts.EmbedderID == "" {
			opts.EmbedderID = LocalEmbedderID(DefaultLocalDim)
		}
	}
	if opts.DataDir != "" && opts.EmbedderID == "" {
		return nil, stats, errors.New("build index: EmbedderID is required to persist under DataDir")
	}
	if opts.MaxPassageRunes <= 0 {
		opts.MaxPassageRunes = document.DefaultMaxPassageRunes
	}
	if len(docs) == 0 {
		return nil, stats, errors.New("build index: no documents")
	}

	ix := &Index{docs: slices.Clone(docs), embed: opts.Embedder, fusion: defaultFusion}
	if opts.VectorWeight > 0 {
		ix.fusion.Vector = opts.VectorWeight
	}
	seen := make(map[string]bool)
	for _, d := range docs {
		if d == nil {
			return nil, stats, errors.New("build index: nil document")
		}
		if seen[d.Name] {
			return nil, stats, fmt.Errorf("build index: duplicate document name %q", d.Name)
		}
		seen[d.Name] = true
		stats.Paragraphs += len(d.Paragraphs)
		ix.passages = append(ix.passages, document.Passages(d, opts.MaxPassageRunes)...)
	}
	stats.Documents = len(docs)
	stats.Passages = len(ix.passages)
	if len(ix.passages) == 0 {
		return nil, stats, errors.New("build index: the documents have no text")
	}
	ix.groupPassages()

	// The lexical index is cheap to rebuild and is never persisted; build
	// it while the vectors load or embed.
	lexDone := make(chan struct{})
	go func() {
		defer close(lexDone)
		ix.lex = newLexicalIndex(passageTexts(ix.passages), bm25Params{})
	}()
	defer func() { <-lexDone }()

	var snap *snapshotStore
	var vecs []float32
	dim := 0
	if opts.DataDir != "" {
		snap = &snapshotStore{dir: opts.DataDir, key: snapshotKey(docs, opts), log: log}
		if v, d, ok := snap.load(ix.passages); ok {
			vecs, dim = v, d
			stats.Reused = true
			log.Debug("index snapshot reused", "passages", len(ix.passages), "file", snap.path())
		}
	}
	if vecs == nil {
		var err error
		vecs, dim, err = embedPassages(ctx, ix.passages, opts)
		if err != nil {
			return nil, stats, fmt.Errorf("build index: %w", err)
		}
		stats.Embedded = len(ix.passages)
	}
	ix.vec = &vectorMatrix{dim: dim, data: vecs, n: len(ix.passages)}

	coll, err := newCollection(ctx, ix.passages, ix.vec, opts.Embedder)
	if err != nil {
		return nil, stats, fmt.Errorf("build index: %w", err)
	}
	ix.collection = coll

	if snap != nil && !stats.Reused {
		if err := snap.save(ix.passages, vecs, dim); err != nil {
			// The index works without its snapshot; the next start re-embeds.
			log.Warn("couldn't save index snapshot", "dir", opts.DataDir, "err", err)
		}
	}
	<-lexDone
	stats.Duration = time.Since(start)
	log.Debug("index built", "documents", stats.Documents, "passages", stats.Passages,
		"embedded", stats.Embedded, "reused", stats.Reused, "duration", stats.Duration)
	return ix, stats, nil
}

// groupPassages records, for each passage, the range of passages that are
// windows of the same paragraph. Headings are each their own group.
func (ix *Index) groupPassages() {
	n := len(ix.passages)
	ix.group = make([]int32, n)
	ix.groupEnd = make([]int32, n)
	for i := 0; i < n; {
		j := i + 1
		p := ix.passages[i]
		for j < n && p.Paragraph != 0 && ix.passages[j].Doc == p.Doc && ix.passages[j].Paragraph == p.Paragraph {
			j++
		}
		for k := i; k < j; k++ {
			ix.group[k], ix.groupEnd[k] = int32(i), int32(j)
		}
		i = j
	}
}

func passageTexts(ps []document.Passage) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Text
	}
	return out
}

// embedPassages embeds every passage, with opts.BatchEmbedder when set
// (batches of batchEmbedSize, batchEmbedParallel at a time) or else with
// opts.Embedder on all CPUs, and returns the vectors as one normalised
// matrix. The first batch runs alone to learn the dimension, so each vector
// is copied into the matrix as soon as it arrives.
func embedPassages(ctx context.Context, ps []document.Passage, opts Options) ([]float32, int, error) {
	n := len(ps)
	var (
		data       []float32
		dim        int
		done       atomic.Int64
		progressMu sync.Mutex
	)
	report := func(k int) {
		d := int(done.Add(int64(k)))
		if opts.Progress != nil {
			progressMu.Lock()
			opts.Progress(d, n)
			progressMu.Unlock()
		}
	}
	// store checks and normalises vector v of passage i into the matrix.
	store := func(i int, v []float32) error {
		if len(v) != dim {
			return fmt.Errorf("embedder returned %d dimensions for passage %s, %d before", len(v), ps[i].ID, dim)
		}
		row := data[i*dim : (i+1)*dim]
		copy(row, v)
		if !normalizeInPlace(row) {
			return fmt.Errorf("embedder returned a zero or invalid vector for passage %s", ps[i].ID)
		}
		return nil
	}
	// embedRange embeds passages [lo, hi) and stores them.
	embedRange := func(ctx context.Context, lo, hi int) error {
		if opts.BatchEmbedder != nil {
			vecs, err := opts.BatchEmbedder(ctx, passageTexts(ps[lo:hi]))
			if err != nil {
				return fmt.Errorf("embed passages %d-%d: %w", lo+1, hi, err)
			}
			if len(vecs) != hi-lo {
				return fmt.Errorf("embed passages %d-%d: got %d vectors for %d texts", lo+1, hi, len(vecs), hi-lo)
			}
			for j, v := range vecs {
				if err := store(lo+j, v); err != nil {
					return err
				}
			}
		} else {
			for i := lo; i < hi; i++ {
				if err := ctx.Err(); err != nil {
					return err
				}
				v, err := opts.Embedder(ctx, ps[i].Text)
				if err != nil {
					return fmt.Errorf("embed passage %s: %w", ps[i].ID, err)
				}
				if err := store(i, v); err != nil {
					return err
				}
			}
		}
		report(hi - lo)
		return nil
	}

	chunk, parallel := embedChunk, runtime.GOMAXPROCS(0)
	if opts.BatchEmbedder != nil {
		chunk, parallel = batchEmbedSize, batchEmbedParallel
	}
	// The first passage alone gives the dimension.
	var first []float32
	var err error
	if opts.BatchEmbedder != nil {
		var vecs [][]float32
		vecs, err = opts.BatchEmbedder(ctx, []string{ps[0].Text})
		if err == nil && len(vecs) != 1 {
			err = fmt.Errorf("got %d vectors for 1 text", len(vecs))
		}
		if err == nil {
			first = vecs[0]
		}
	} else {
		first, err = opts.Embedder(ctx, ps[0].Text)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("embed passage %s: %w", ps[0].ID, err)
	}
	if dim = len(first); dim == 0 {
		return nil, 0, fmt.Errorf("embed passage %s: empty vector", ps[0].ID)
	}
	data = make([]float32, n*dim)
	if err := store(0, first); err != nil {
		return nil, 0, err
	}
	report(1)

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallel)
	for lo := 1; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			return embedRange(gctx, lo, hi)
		})
	}
	if err := g.Wait(); err != nil {
		return nil, 0, err
	}
	return data, dim, nil
}

// newCollection stores the passages with their embeddings in an in-memory
// chromem-go collection. The documents' Embedding slices alias the matrix
// rows, so the vectors are held once.
func newCollection(ctx context.Context, ps []document.Passage, vm *vectorMatrix, embed chromem.EmbeddingFunc) (*chromem.Collection, error) {
	db := chromem.NewDB()
	coll, err := db.CreateCollection("passages", nil, embed)
	if err != nil {
		return nil, fmt.Errorf("couldn't create collection: %w", err)
	}
	batch := make([]chromem.Document, 0, chromemAddChunk)
	for i := 0; i < len(ps); i += chromemAddChunk {
		batch = batch[:0]
		for j := i; j < min(i+chromemAddChunk, len(ps)); j++ {
			batch = append(batch, chromem.Document{
				ID:        ps[j].ID,
				Embedding: vm.row(j),
				Content:   ps[j].Text,
			})
		}
		if err := coll.AddDocuments(ctx, batch, runtime.GOMAXPROCS(0)); err != nil {
			return nil, fmt.Errorf("couldn't add passages: %w", err)
		}
	}
	return coll, nil
}

// Documents returns the indexed documents in build order. The caller must
// not modify them.
func (ix *Index) Documents() []*document.Document { return ix.docs }

// Passages returns all passages in document order. The caller must not
// modify the slice.
func (ix *Index) Passages() []document.Passage { return ix.passages }

// Collection returns the chromem-go collection holding the passages and
// their embeddings, for inspection and filtered queries. Its embedding
// function is the index's Embedder. Do not add or delete documents.
func (ix *Index) Collection() *chromem.Collection { return ix.collection }

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
// lexical side; the embedding sees the query as given.
//
// Sources names the retrievers whose candidate lists held the hit. The
// query is embedded once per call (a network call for a remote embedder).
func (ix *Index) SearchWith(ctx context.Context, query string, k int, method string) ([]Hit, error) {
	if strings.TrimSpace(query) == "" {
		return nil, ErrEmptyQuery
	}
	if k <= 0 {
		return nil, fmt.Errorf("search: k must be positive, got %d", k)
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
	if !normalizeInPlace(qv) {
		return nil, errors.New("search: query embedding is zero")
	}
	return qv, nil
}

func (ix *Index) hit(i int, rank int, score float64, sources ...string) Hit {
	return Hit{Passage: ix.passages[i], Rank: rank, Score: score, Sources: sources}
}

func (ix *Index) lexicalHits(query string, k int) []Hit {
	hits := ix.lex.search(query, k)
	out := make([]Hit, len(hits))
	for i, h := range hits {
		out[i] = ix.hit(int(h.doc), i+1, float64(h.score), SourceLexical)
	}
	return out
}

func (ix *Index) vectorHits(qv []float32, k int) []Hit {
	hits := ix.vec.search(qv, k)
	out := make([]Hit, len(hits))
	for i, h := range hits {
		out[i] = ix.hit(int(h.doc), i+1, float64(h.score), SourceVector)
	}
	return out
}

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

// hybridHits merges the lexical and vector candidates and re-scores them:
//
//	score = bm25/top + Sentence*sentenceCoverage + Longest*longestPhrase
//	        + Covered*phraseCoverage + Vector*cosine
//
// where top is the best BM25 score of the query. Every feature is computed
// exactly for every candidate, whichever list it came from, so the order
// does not depend on how the candidates were found.
func (ix *Index) hybridHits(query string, qv []float32, k int) []Hit {
	f := ix.fusion
	nc := max(f.Candidates, k)
	q := ix.lex.prepare(query)
	lexHits := ix.lex.searchPrepared(q, nc)
	vecHits := ix.vec.search(qv, nc)

	type cand struct {
		doc      int32
		lex, vec bool
		score    float64
	}
	cands := make([]cand, 0, len(lexHits)+len(vecHits))
	pos := make(map[int32]int, cap(cands))
	for _, h := range lexHits {
		pos[h.doc] = len(cands)
		cands = append(cands, cand{doc: h.doc, lex: true})
	}
	for _, h := range vecHits {
		if i, ok := pos[h.doc]; ok {
			cands[i].vec = true
			continue
		}
		pos[h.doc] = len(cands)
		cands = append(cands, cand{doc: h.doc, vec: true})
	}

	top := 0.0
	if len(lexHits) > 0 {
		top = float64(lexHits[0].score)
	}
	var runes []rune
	for i := range cands {
		c := &cands[i]
		s := f.Vector * float64(ix.vec.dot(qv, int(c.doc)))
		if top > 0 {
			runes = runes[:0]
			for _, r := range ix.passages[c.doc].Text {
				runes = append(runes, r)
			}
			longest, covered := ix.lex.phraseMatch(q, runes)
			s += float64(ix.lex.scoreDoc(q, c.doc))/top +
				f.Sentence*ix.lex.sentenceCoverage(q, runes) +
				f.Longest*longest + f.Covered*covered
		}
		c.score = s
	}
	slices.SortFunc(cands, func(a, b cand) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return int(a.doc - b.doc)
	})
	cands = cands[:min(k, len(cands))]
	out := make([]Hit, len(cands))
	for i, c := range cands {
		var src []string
		if c.lex {
			src = append(src, SourceLexical)
		}
		if c.vec {
			src = append(src, SourceVector)
		}
		out[i] = ix.hit(int(c.doc), i+1, c.score, src...)
	}
	return out
}

// vectorMatrix holds n unit vectors of dim float32s back to back, so a
// query scans one contiguous block of memory (dim*4*n bytes).
type vectorMatrix struct {
	dim, n int
	data   []float32
}

// row returns vector i; its capacity ends with it.
func (m *vectorMatrix) row(i int) []float32 {
	return m.data[i*m.dim : (i+1)*m.dim : (i+1)*m.dim]
}

func (m *vectorMatrix) dot(q []float32, i int) float32 {
	return dot(q, m.row(i))
}

// dot is the inner product of two equally long vectors, with four
// accumulators so the loop pipelines.
func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// search returns the k rows most similar to q, best first (ties: lower
// row first). Large matrices are scanned in parallel, one part per CPU.
func (m *vectorMatrix) search(q []float32, k int) []scored {
	if k <= 0 || m.n == 0 {
		return nil
	}
	parts := 1
	if m.n >= parallelScanPassages {
		parts = runtime.GOMAXPROCS(0)
	}
	if parts == 1 {
		return m.scan(q, k, 0, m.n)
	}
	results := make([][]scored, parts)
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := p*m.n/parts, (p+1)*m.n/parts
		wg.Go(func() { results[p] = m.scan(q, k, lo, hi) })
	}
	wg.Wait()
	var all []scored
	for _, r := range results {
		all = append(all, r...)
	}
	slices.SortFunc(all, compareScored)
	return all[:min(k, len(all))]
}

// scan returns the k best rows of [lo, hi), best first.
func (m *vectorMatrix) scan(q []float32, k, lo, hi int) []scored {
	h := make(scoredHeap, 0, min(k, hi-lo))
	dim := m.dim
	for i := lo; i < hi; i++ {
		s := dot(q, m.data[i*dim:(i+1)*dim])
		if len(h) < k {
			h = append(h, scored{int32(i), s})
			if len(h) == k {
				heap.Init(&h)
			}
			continue
		}
		if s > h[0].score { // rows come in ascending order: ties keep the earlier row
			h[0] = scored{int32(i), s}
			heap.Fix(&h, 0)
		}
	}
	slices.SortFunc(h, compareScored)
	return h
}
