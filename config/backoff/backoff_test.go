package backoff

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

func TestWait(t *testing.T) {
	// The policies of the Telegram client and of the model clients.
	half := Policy{First: 500 * time.Millisecond, Max: 30 * time.Second, Less: 0.5}
	up := Policy{First: 100 * time.Millisecond, Max: time.Second, More: 0.25}
	tests := []struct {
		name   string
		p      Policy
		n      int
		lo, hi time.Duration
	}{
		{"down: first", half, 1, 250 * time.Millisecond, 500 * time.Millisecond},
		{"down: doubled", half, 3, time.Second, 2 * time.Second},
		{"down: capped", half, 8, 15 * time.Second, 30 * time.Second},
		{"down: many failures do not overflow", half, 200, 15 * time.Second, 30 * time.Second},
		{"up: first", up, 1, 100 * time.Millisecond, 125 * time.Millisecond},
		{"up: doubled", up, 3, 400 * time.Millisecond, 500 * time.Millisecond},
		{"up: capped, jitter too", up, 10, time.Second, time.Second},
		{"up: many attempts do not overflow", up, 200, time.Second, time.Second},
		{"zero policy", Policy{}, 3, 0, 0},
		{"no jitter", Policy{First: time.Second, Max: time.Minute}, 2, 2 * time.Second, 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 50 {
				if d := tt.p.Wait(tt.n); d < tt.lo || d > tt.hi {
					t.Fatalf("Wait(%d) = %v, want in [%v, %v]", tt.n, d, tt.lo, tt.hi)
				}
			}
		})
	}
}

func TestSleep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		if err := Sleep(t.Context(), time.Minute); err != nil || time.Since(start) != time.Minute {
			t.Fatalf("Sleep = %v after %v, want nil after 1m", err, time.Since(start))
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		if err := Sleep(ctx, time.Hour); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != time.Minute+time.Second {
			t.Fatalf("Sleep past its context = %v after %v", err, time.Since(start))
		}
	})
}
