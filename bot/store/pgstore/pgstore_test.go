package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citebot/citebot/bot/store"
	"github.com/citebot/citebot/bot/store/storetest"
	"github.com/citebot/citebot/library/pgcatalog"
	"github.com/citebot/citebot/library/pgcatalog/pgtest"
	"github.com/jackc/pgx/v5"
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

// TestConcurrentOpen checks that stores opened at once on a new database
// all come up, the schema migrated once, beside the library catalog.
func TestConcurrentOpen(t *testing.T) {
	u := pgtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	catalog, err := pgcatalog.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer catalog.Close()
	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			s, err := open(u)
			if err == nil {
				s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var applied int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+versionTable+" WHERE version_id > 0").Scan(&applied); err != nil {
		t.Fatal(err)
	}
	if applied != 1 {
		t.Fatalf("%s records %d applied migrations, want 1", versionTable, applied)
	}
}

// TestErrorsHideThePassword checks that failing to connect, with a
// wrong password or to a server that is not there, shows no password.
func TestErrorsHideThePassword(t *testing.T) {
	const password = "pw-s3cret-XYZ"
	good, err := url.Parse(pgtest.Start(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, url string }{
		{"unreachable", "postgres://citebot:" + password + "@127.0.0.1:1/citebot?connect_timeout=2"},
		{"unknown user", "postgres://nobody:" + password + "@" + good.Host + "/nowhere?sslmode=disable"},
		{"bad option", "postgres://citebot:" + password + "@127.0.0.1/citebot?sslmode=" + password},
		{"not a URL", "postgres://citebot:" + password + "@127.0.0.1:port/citebot"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := open(tt.url)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if strings.Contains(err.Error(), password) {
				t.Fatalf("error shows the password: %v", err)
			}
		})
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
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "SELECT * FROM bot_updates WHERE seq = $1 FOR UPDATE", int64(seqs[0])); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Begin(seqs[0]); err == nil {
		t.Error("Begin of a locked entry succeeded")
	}
	if n, err := s.Begin(seqs[1]); err != nil || n != 1 {
		t.Errorf("Begin of another entry = %d, %v; want 1", n, err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
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
