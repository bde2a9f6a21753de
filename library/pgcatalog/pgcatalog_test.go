package pgcatalog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citebot/citebot/config/pgdb/pgtest"
	"github.com/citebot/citebot/config/redact"
	"github.com/citebot/citebot/library"
	"github.com/citebot/citebot/library/catalogtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// open opens a catalog of databaseURL, closed at the end of t.
func open(t testing.TB, databaseURL string) *Catalog {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := Open(ctx, databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// TestConformance runs the Catalog conformance suite, each case on a
// database of its own.
func TestConformance(t *testing.T) {
	catalogtest.Run(t, func(t *testing.T) library.Catalog { return open(t, pgtest.Start(t)) })
}

// TestProcessesShareCounts checks that two catalogs of one database (as
// two processes would have) count uploads against one limit.
func TestProcessesShareCounts(t *testing.T) {
	u := pgtest.Start(t)
	a, b := open(t, u), open(t, u)
	const day, limit = "2026-12-07", 10
	var wg sync.WaitGroup
	var mu sync.Mutex
	counted := 0
	for i := range 60 {
		c := a
		if i%2 == 1 {
			c = b
		}
		wg.Go(func() {
			ok, err := c.CountUpload(9, day, limit)
			if err != nil {
				t.Error(err)
				return
			}
			if ok {
				mu.Lock()
				counted++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if counted != limit {
		t.Fatalf("two catalogs counted %d uploads, want the limit %d", counted, limit)
	}
}

// TestReopen checks that a catalog opened again on a database finds the
// records kept and the schema, migrated once (opening at once is pgdb's
// to test).
func TestReopen(t *testing.T) {
	u := pgtest.Start(t)
	c := open(t, u)
	if err := c.Put(library.DocRecord{Chat: 1, Name: "a.txt", Added: time.Now()}); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if got, err := open(t, u).Docs(1); err != nil || len(got) != 1 {
		t.Fatalf("Docs from a second catalog = %v, %v", got, err)
	}
	var applied int
	err := pgtest.Connect(t, u).QueryRow(context.Background(), "SELECT count(*) FROM "+versionTable+" WHERE version_id > 0").Scan(&applied)
	if err != nil || applied != 1 {
		t.Fatalf("%s records %d applied migrations (%v), want 1", versionTable, applied, err)
	}
}

// TestScrub checks that scrub takes the secret out of an error's text,
// and out of every error it wraps, and keeps the chain for errors.Is.
func TestScrub(t *testing.T) {
	c := &Catalog{secret: redact.New("hunter2")}
	cause := errors.New("timeout")
	err := c.scrub(fmt.Errorf("open: %w", fmt.Errorf("connect as bob:hunter2 failed: %w", cause)))
	if got, want := err.Error(), "open: connect as bob:REDACTED failed: timeout"; got != want {
		t.Errorf("scrub = %q, want %q", got, want)
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), "hunter2") {
			t.Errorf("a wrapped error shows the password: %q", e)
		}
	}
	if !errors.Is(err, cause) {
		t.Error("scrubbed error does not unwrap to its cause")
	}
	base := errors.New("no secret here")
	if c.scrub(base) != base || (&Catalog{}).scrub(base) != base || c.scrub(nil) != nil {
		t.Error("scrub changed an error without the secret")
	}
}

// TestCallTimesOut checks that a call gives up after Timeout when the
// database does not answer: a row locked by another transaction.
func TestCallTimesOut(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for Timeout")
	}
	u := pgtest.Start(t)
	c := open(t, u)
	if _, err := c.CountUpload(3, "2026-12-07", 0); err != nil {
		t.Fatal(err)
	}
	pgtest.Lock(t, u, "SELECT * FROM library_uploads WHERE user_id = 3 FOR UPDATE")
	start := time.Now()
	_, err := c.CountUpload(3, "2026-12-07", 0)
	if took := time.Since(start); err == nil || took < Timeout || took > Timeout+30*time.Second {
		t.Fatalf("CountUpload on a locked row = %v after %v, want an error after %v", err, took, Timeout)
	}
}
