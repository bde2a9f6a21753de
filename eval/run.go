package eval

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"golang.org/x/sync/errgroup"
)

// Searcher returns the texts of the passages ranked for question, best
// first. A blank question (the shared sets hold two) may return none. It
// must be safe for concurrent use.
type Searcher func(ctx context.Context, question string) ([]string, error)

// Answerer answers question with no history. It must be safe for
// concurrent use.
type Answerer func(ctx context.Context, question string) (Answered, error)

// Run scores every row: retrieval through search and, when answer is not
// nil, the answers. Rows are worked on concurrently, one per CPU; each
// search is timed on its own. It returns the per-question results in row
// order, the accumulated metrics and the search latencies in milliseconds.
func Run(ctx context.Context, rows []Row, search Searcher, answer Answerer) ([]Result, *Metrics, []float64, error) {
	results := make([]Result, len(rows))
	lat := make([]float64, len(rows))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, row := range rows {
		g.Go(func() error {
			t0 := time.Now()
			ranked, err := search(ctx, row.Question)
			if err != nil {
				return fmt.Errorf("question %s: %w", row.ID, err)
			}
			lat[i] = float64(time.Since(t0).Microseconds()) / 1000
			var a *Answered
			if answer != nil {
				got, err := answer(ctx, row.Question)
				if err != nil {
					return fmt.Errorf("question %s: %w", row.ID, err)
				}
				a = &got
			}
			results[i] = Score(row, ranked, a)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, nil, err
	}
	m := &Metrics{}
	for _, r := range results {
		m.Add(r)
	}
	return results, m, lat, nil
}
