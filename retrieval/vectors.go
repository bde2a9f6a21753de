package retrieval

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/citebot/citebot/retrieval/document"
	"golang.org/x/sync/errgroup"
)

// Embedding tuning.
const (
	embedChunk         = 256 // most passages per task for a per-text Embedder
	embedTasksPerCPU   = 4   // tasks per CPU, so that a small build still uses every CPU
	batchEmbedSize     = 64  // passages per BatchEmbedder call
	batchEmbedParallel = 4   // concurrent BatchEmbedder calls
)

// embedPassages embeds every passage, with opts.BatchEmbedder when set
// (batches of batchEmbedSize, batchEmbedParallel at a time) or else with
// opts.Embedder on all CPUs, and returns the vectors as one normalised
// matrix. The first passage is embedded alone to learn the dimension, so
// each vector is copied into the matrix as soon as it arrives.
func embedPassages(ctx context.Context, ps []document.Passage, opts Options) ([]float32, int, error) {
	e := &passageEmbedder{ps: ps, opts: opts}
	if err := e.first(ctx); err != nil {
		return nil, 0, err
	}
	chunk, parallel := e.tasks()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallel)
	for lo := 1; lo < len(ps); lo += chunk {
		hi := min(lo+chunk, len(ps))
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			return e.embedRange(gctx, lo, hi)
		})
	}
	if err := g.Wait(); err != nil {
		return nil, 0, err
	}
	return e.data, e.dim, nil
}

// passageEmbedder is the state of one embedPassages call.
type passageEmbedder struct {
	ps         []document.Passage
	opts       Options
	data       []float32
	dim        int
	progressMu sync.Mutex
	done       int // passages embedded, under progressMu
}

// tasks returns the passages per task and the tasks run at once.
func (e *passageEmbedder) tasks() (chunk, parallel int) {
	if e.opts.BatchEmbedder != nil {
		return batchEmbedSize, batchEmbedParallel
	}
	parallel = runtime.GOMAXPROCS(0)
	chunk = (len(e.ps) + parallel*embedTasksPerCPU - 1) / (parallel * embedTasksPerCPU)
	return min(max(chunk, 1), embedChunk), parallel
}

// first embeds passage 0, learns the dimension and allocates the matrix.
func (e *passageEmbedder) first(ctx context.Context) error {
	var v []float32
	var err error
	if e.opts.BatchEmbedder != nil {
		var vecs [][]float32
		vecs, err = e.opts.BatchEmbedder(ctx, []string{e.ps[0].Text})
		if err == nil && len(vecs) != 1 {
			err = fmt.Errorf("got %d vectors for 1 text", len(vecs))
		}
		if err == nil {
			v = vecs[0]
		}
	} else {
		v, err = e.opts.Embedder(ctx, e.ps[0].Text)
	}
	if err != nil {
		return fmt.Errorf("embed passage %s: %w", e.ps[0].ID, err)
	}
	if e.dim = len(v); e.dim == 0 {
		return fmt.Errorf("embed passage %s: empty vector", e.ps[0].ID)
	}
	e.data = make([]float32, len(e.ps)*e.dim)
	if err := e.store(0, v); err != nil {
		return err
	}
	e.report(1)
	return nil
}

// embedRange embeds passages [lo, hi) and stores them.
func (e *passageEmbedder) embedRange(ctx context.Context, lo, hi int) error {
	if e.opts.BatchEmbedder != nil {
		vecs, err := e.opts.BatchEmbedder(ctx, passageTexts(e.ps[lo:hi]))
		if err != nil {
			return fmt.Errorf("embed passages %d-%d: %w", lo+1, hi, err)
		}
		if len(vecs) != hi-lo {
			return fmt.Errorf("embed passages %d-%d: got %d vectors for %d texts", lo+1, hi, len(vecs), hi-lo)
		}
		for j, v := range vecs {
			if err := e.store(lo+j, v); err != nil {
				return err
			}
		}
	} else {
		for i := lo; i < hi; i++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			v, err := e.opts.Embedder(ctx, e.ps[i].Text)
			if err != nil {
				return fmt.Errorf("embed passage %s: %w", e.ps[i].ID, err)
			}
			if err := e.store(i, v); err != nil {
				return err
			}
		}
	}
	e.report(hi - lo)
	return nil
}

// store checks and normalises vector v of passage i into the matrix.
func (e *passageEmbedder) store(i int, v []float32) error {
	if len(v) != e.dim {
		return fmt.Errorf("embedder returned %d dimensions for passage %s, %d before", len(v), e.ps[i].ID, e.dim)
	}
	row := e.data[i*e.dim : (i+1)*e.dim]
	copy(row, v)
	if !Normalize(row) {
		return fmt.Errorf("embedder returned a zero or invalid vector for passage %s", e.ps[i].ID)
	}
	return nil
}

// report counts k more passages done and tells opts.Progress, so that
// the counts it sees only grow.
func (e *passageEmbedder) report(k int) {
	e.progressMu.Lock()
	defer e.progressMu.Unlock()
	e.done += k
	if e.opts.Progress != nil {
		e.opts.Progress(e.done, len(e.ps))
	}
}
