package retrieval

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/citebot/citebot/retrieval/document"
	"github.com/philippgille/chromem-go"
)

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
	// (an OpenAI-compatible embeddings endpoint takes a batch per
	// request); queries still use Embedder.
	BatchEmbedder func(ctx context.Context, texts []string) ([][]float32, error)
	// EmbedderID names the embedder and its model (for example
	// LocalEmbedderID(384) or "openai:text-embedding-3-small"); it is part
	// of the snapshot key, so vectors of another model are never reused.
	// Required with DataDir unless Embedder is nil.
	EmbedderID string
	// MaxPassageRunes is the passage limit given to [document.Passages];
	// 0 means [document.DefaultMaxPassageRunes].
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

// withDefaults checks opts and fills in the defaults.
func (opts Options) withDefaults() (Options, error) {
	if opts.Embedder == nil {
		if opts.BatchEmbedder != nil {
			return opts, errors.New("BatchEmbedder needs an Embedder for queries")
		}
		opts.Embedder = LocalEmbedder(DefaultLocalDim)
		if opts.EmbedderID == "" {
			opts.EmbedderID = LocalEmbedderID(DefaultLocalDim)
		}
	}
	if opts.DataDir != "" && opts.EmbedderID == "" {
		return opts, errors.New("EmbedderID is required to persist under DataDir")
	}
	if opts.MaxPassageRunes <= 0 {
		opts.MaxPassageRunes = document.DefaultMaxPassageRunes
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return opts, nil
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
	// SaveErr is why fresh vectors could not be saved as a snapshot under
	// Options.DataDir; the index works without it and the next build
	// embeds again.
	SaveErr error
}

// Index answers searches over the passages of a set of documents with a
// BM25 index and an embedding index (a chromem-go collection, scanned as
// one contiguous matrix). It is immutable once built: all methods are safe
// for concurrent use by multiple goroutines.
type Index struct {
	docs     []*document.Document
	passages []document.Passage

	lex *lexicalIndex
	vec *vectorMatrix
	// collection is the chromem-go store of record of the passages, their
	// embeddings and metadata; vec's rows are its documents' Embedding
	// slices.
	collection *chromem.Collection
	embed      chromem.EmbeddingFunc
	fusion     fusionParams
	xl         crossLingual // questions in another language (crosslingual.go)
}

// Build splits docs into passages, indexes their words with BM25 and their
// embeddings with chromem-go, and returns the index. With opts.DataDir set
// it first looks for a snapshot with the same documents, embedder and
// chunking: if one is valid its vectors are used and nothing is embedded;
// a missing, stale or corrupt snapshot (the last logged as a warning) is
// replaced after embedding. Build honours ctx between embedding calls.
func Build(ctx context.Context, docs []*document.Document, opts Options) (*Index, BuildStats, error) {
	start := time.Now()
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, BuildStats{}, fmt.Errorf("build index: %w", err)
	}
	ix, stats, err := newIndex(docs, opts)
	if err != nil {
		return nil, stats, fmt.Errorf("build index: %w", err)
	}
	snap := ix.loadSnapshot(docs, opts, &stats)
	// Without a snapshot the lexical index builds while the passages embed.
	lexDone := make(chan struct{})
	go func() {
		defer close(lexDone)
		if ix.lex == nil {
			ix.lex = newLexicalIndex(passageTexts(ix.passages), bm25Params{})
		}
	}()
	defer func() { <-lexDone }()
	if ix.vec == nil {
		if err := ix.embedAll(ctx, opts, &stats); err != nil {
			return nil, stats, fmt.Errorf("build index: %w", err)
		}
	}
	if ix.collection, err = newCollection(ix.passages, ix.vec, opts.Embedder); err != nil {
		return nil, stats, fmt.Errorf("build index: %w", err)
	}
	<-lexDone
	if snap != nil && !stats.Reused {
		if stats.SaveErr = snap.save(ix.passages, snapshot{vecs: ix.vec.data, dim: ix.vec.dim, lex: ix.lex}); stats.SaveErr != nil {
			opts.Logger.Warn("couldn't save index snapshot", "dir", opts.DataDir, "err", stats.SaveErr)
		}
	}
	stats.Duration = time.Since(start)
	opts.Logger.Debug("index built", "documents", stats.Documents, "passages", stats.Passages,
		"embedded", stats.Embedded, "reused", stats.Reused, "duration", stats.Duration)
	return ix, stats, nil
}

// newIndex checks docs and splits them into passages.
func newIndex(docs []*document.Document, opts Options) (*Index, BuildStats, error) {
	var stats BuildStats
	if len(docs) == 0 {
		return nil, stats, errors.New("no documents")
	}
	ix := &Index{docs: slices.Clone(docs), embed: opts.Embedder, fusion: defaultFusion}
	if opts.VectorWeight > 0 {
		ix.fusion.Vector = opts.VectorWeight
	}
	seen := make(map[string]bool)
	for _, d := range docs {
		if d == nil {
			return nil, stats, errors.New("nil document")
		}
		if seen[d.Name] {
			return nil, stats, fmt.Errorf("duplicate document name %q", d.Name)
		}
		seen[d.Name] = true
		stats.Paragraphs += len(d.Paragraphs)
		ix.passages = append(ix.passages, document.Passages(d, opts.MaxPassageRunes)...)
	}
	stats.Documents = len(docs)
	stats.Passages = len(ix.passages)
	if len(ix.passages) == 0 {
		return nil, stats, errors.New("the documents have no text")
	}
	return ix, stats, nil
}

// loadSnapshot sets ix.vec and ix.lex from the snapshot under
// opts.DataDir when one matches. It returns the snapshot store (nil
// without DataDir) so that a fresh build can be saved.
func (ix *Index) loadSnapshot(docs []*document.Document, opts Options, stats *BuildStats) *snapshotStore {
	if opts.DataDir == "" {
		return nil
	}
	store := &snapshotStore{dir: opts.DataDir, key: snapshotKey(docs, opts), log: opts.Logger}
	if snap, ok := store.load(ix.passages); ok {
		ix.vec = &vectorMatrix{dim: snap.dim, data: snap.vecs, n: len(ix.passages)}
		ix.lex = snap.lex
		stats.Reused = true
		opts.Logger.Debug("index snapshot reused", "passages", len(ix.passages), "file", store.path())
	}
	return store
}

// embedAll sets ix.vec by embedding every passage.
func (ix *Index) embedAll(ctx context.Context, opts Options, stats *BuildStats) error {
	vecs, dim, err := embedPassages(ctx, ix.passages, opts)
	if err != nil {
		return err
	}
	ix.vec = &vectorMatrix{dim: dim, data: vecs, n: len(ix.passages)}
	stats.Embedded = len(ix.passages)
	return nil
}

func passageTexts(ps []document.Passage) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Text
	}
	return out
}

// Documents returns the indexed documents in build order. The caller must
// not modify them.
func (ix *Index) Documents() []*document.Document { return ix.docs }

// Passages returns all passages in document order. The caller must not
// modify the slice.
func (ix *Index) Passages() []document.Passage { return ix.passages }
