package eval

import (
	"context"
	"fmt"
	"time"
)

// Searcher returns the texts of the passages ranked for question, best
// first. A blank question (the shared sets hold two) may return none.
type Searcher func(ctx context.Context, question string) ([]string, error)

// Answerer answers question with no history.
type Answerer func(ctx context.Context, question string) (Answered, error)

// Run scores every row: retrieval through search and, when answer is not
// nil, the answers. It returns the per-question results in row order, the
// accumulated metrics and the search latencies in milliseconds.
func Run(ctx context.Context, rows []Row, search Searcher, answer Answerer) ([]Result, *Metrics, []float64, error) {
	results := make([]Result, len(rows))
	lat := make([]float64, 0, len(rows))
	m := &Metrics{}
	for i, row := range rows {
		t0 := time.Now()
		ranked, err := search(ctx, row.Question)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("question %s: %w", row.ID, err)
		}
		lat = append(lat, float64(time.Since(t0).Microseconds())/1000)
		var a *Answered
		if answer != nil {
			got, err := answer(ctx, row.Question)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("question %s: %w", row.ID, err)
			}
			a = &got
		}
		results[i] = Score(row, ranked, a)
		m.Add(results[i])
	}
	return results, m, lat, nil
}
