// Package backoff holds the waits between the tries of an outbound call:
// exponential from a first wait to a cap, spread at random so that
// clients that failed together do not all try again together, and a
// sleep that ends with its context. The Telegram client (bot) and the
// model clients (openai) both retry with it.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Policy is an exponential backoff. The wait before retry n (counted from
// 1) is First doubled n-1 times, at most Max, spread uniformly over
// [d - d·Less, d + d·More] and capped at Max again. The zero Policy waits
// nothing. A Policy is a value: safe for concurrent use.
type Policy struct {
	First, Max time.Duration
	Less, More float64 // the jitter, as fractions of the wait
}

// Wait returns the wait before retry number n (n >= 1).
func (p Policy) Wait(n int) time.Duration {
	d := p.First
	for i := 1; i < n && d < p.Max; i++ {
		d *= 2
	}
	d = min(d, p.Max)
	lo := d - time.Duration(float64(d)*p.Less)
	span := time.Duration(float64(d) * (p.Less + p.More))
	return min(lo+rand.N(span+1), p.Max)
}

// Sleep waits for d or until ctx is done, and then returns ctx's error.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
