package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/citebot/citebot/bot/store"
	"github.com/citebot/citebot/bot/store/storetest"
	"github.com/citebot/citebot/config/pgdb/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// open opens a store of databaseURL.
func open(databaseURL string) (*Store, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return Open(ctx, databaseURL)
}

// TestConformance runs the store.Backend conformance suite, each case on
// a database of its own.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Opener {
		u := pgtest.Start(t)
		return storetest.Opens(t, func() (store.Backend, error) { return open(u) })
	})
}

// BenchmarkHandling measures one update's handling on the test cluster
// (which runs without fsync: a production server pays its disk on top).
func BenchmarkHandling(b *testing.B) {
	s, err := open(pgtest.Start(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	storetest.Benchmark(b, s)
}

// TestProcessesPutOnce checks that two stores of one database (as two
// processes would have) storing the same updates at once store each
// once, and number the entries without sharing a number.
func TestProcessesPutOnce(t *testing.T) {
	u := pgtest.Start(t)
	a, b := openT(t, u), openT(t, u)
	const updates, rounds = 30, 4
	var mu sync.Mutex
	stored := map[uint64]int{} // entry -> update id
	var wg sync.WaitGroup
	for r := range rounds {
		for _, s := range []*Store{a, b} {
			wg.Go(func() {
				var us []store.Update
				for i := range updates {
					id := (i + r*7) % updates // each round in another order
					us = append(us, store.Update{ID: id, Raw: json.RawMessage(fmt.Sprintf(`{"update_id":%d}`, id))})
				}
				seqs, err := s.Put(us)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				for i, seq := range seqs {
					if seq == 0 {
						continue
					}
					if other, ok := stored[seq]; ok {
						t.Errorf("entry %d given to updates %d and %d", seq, other, us[i].ID)
					}
					stored[seq] = us[i].ID
				}
			})
		}
	}
	wg.Wait()
	if len(stored) != updates {
		t.Errorf("%d entries stored for %d updates put %d times by two stores", len(stored), updates, rounds)
	}
	pending, err := b.Pending()
	if err != nil || len(pending) != updates {
		t.Errorf("Pending = %d updates, %v; want %d", len(pending), err, updates)
	}
}

// TestProcessesVote checks that votes given at once through two stores
// on one answer each replace the one before: one finds no earlier vote.
func TestProcessesVote(t *testing.T) {
	u := pgtest.Start(t)
	a, b := openT(t, u), openT(t, u)
	var mu sync.Mutex
	first := 0
	var wg sync.WaitGroup
	for i := range 40 {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			prev, err := s.PutVote(store.Vote{Chat: -5, Message: 9, User: 3, Vote: []string{"up", "down"}[i%2], Time: time.Now()})
			if err != nil {
				t.Error(err)
				return
			}
			if prev == "" {
				mu.Lock()
				first++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if first != 1 {
		t.Errorf("%d votes found no earlier vote, want 1", first)
	}
}

// TestWriteTimesOut checks that a queued write gives up after Timeout
// when the database does not answer (its row locked by another
// transaction), and that the writes queued behind it proceed.
func TestWriteTimesOut(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for Timeout")
	}
	u := pgtest.Start(t)
	s := openT(t, u)
	seqs, err := s.Put([]store.Update{{ID: 1, Raw: json.RawMessage(`{}`)}, {ID: 2, Raw: json.RawMessage(`{}`)}})
	if err != nil {
		t.Fatal(err)
	}
	release := pgtest.Lock(t, u, "SELECT * FROM bot_updates WHERE seq = $1 FOR UPDATE", int64(seqs[0]))
	if _, err := s.Begin(seqs[0]); err == nil {
		t.Error("Begin of a locked entry succeeded")
	}
	if n, err := s.Begin(seqs[1]); err != nil || n != 1 {
		t.Errorf("Begin of another entry = %d, %v; want 1", n, err)
	}
	release()
	if n, err := s.Begin(seqs[0]); err != nil || n != 1 {
		t.Errorf("Begin once unlocked = %d, %v; want 1", n, err)
	}
}

// openT opens a store of databaseURL, closed at the end of t.
func openT(t *testing.T, databaseURL string) *Store {
	t.Helper()
	s, err := open(databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
