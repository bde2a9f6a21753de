// Package pgstore is a [store.Backend] in PostgreSQL, so that several
// citebot processes serving one bot can share its state: the inbox of
// updates, the feedback votes and the chats' settings.
//
// [Open] opens the database with package pgdb: the migrations under
// migrations/ are embedded in the binary and applied under an advisory
// lock, recorded in citebot_store_goose_version.
//
// The tables mirror [store.Store]'s buckets: bot_updates (one row per
// entry, numbered by the sequence bot_update_seq), bot_update_ids (the
// newest entry of each update_id with its content hash), bot_votes and
// bot_chat_settings. [Store.Put] stores a batch in one transaction, and
// tells a redelivery from a new update with an upsert on bot_update_ids
// that changes nothing when the id's newest entry has the same hash: two
// processes storing the same update at once get one entry, the second
// waiting on the first's row and then finding it. Puts take turns under
// a transaction-level advisory lock, so entries are numbered in the
// order they were committed.
//
// The writes of updates after [Store.Put] ([Store.Begin], [Store.SetSent],
// [Store.Finish] and their Later forms) go through a few queues, each with
// one worker: the writes of one entry always go to the same queue, so
// they are committed in the order they were queued, while writes of other
// entries proceed beside them. [Store.Flush] waits for every queue.
//
// The Backend interface carries no context: every call (a Put's
// transaction, each queued write) runs under a timeout of its own
// ([Timeout]), and one that times out is cancelled on the server. No error shows the database URL's
// password. A [Store] is safe for concurrent use, also by several
// processes sharing the database.
package pgstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/citebot/citebot/bot/store"
	"github.com/citebot/citebot/config/pgdb"
	"github.com/citebot/citebot/config/redact"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Timeout bounds each call of a [Store] (each write of a queue on its
// own).
const Timeout = 5 * time.Second

// versionTable is goose's record of the migrations applied, apart from
// the library catalog's (which may share the database).
const versionTable = "citebot_store_goose_version"

// Advisory lock keys: the first 8 bytes of "citebot#" (held while
// migrating) and "citebot+" (held by each Put's transaction) read as
// big-endian integers.
const (
	migrationLock int64 = 0x63697465_626f7423
	putLock       int64 = 0x63697465_626f742b
)

// queues is the number of write queues (see the package comment).
const queues = 4

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a [store.Backend] in a PostgreSQL database.
type Store struct {
	pool    *pgxpool.Pool
	secret  redact.Scrubber // the URL's password, scrubbed from errors
	queues  [queues]chan write
	workers sync.WaitGroup
	// mu is held (read) by the calls in progress and by the senders on
	// queues; Close takes it to close them.
	mu     sync.RWMutex
	closed bool
}

// write is a queued write: run's outcome goes to done, on the queue's
// worker.
type write struct {
	run  func(ctx context.Context) error
	done func(error)
}

var _ store.Backend = (*Store)(nil)

// Open connects to the database at databaseURL (postgres://...), applies
// the migrations it lacks and returns its store. ctx bounds the
// connection and the migrations, waiting for another process's included.
// Close the store when done.
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	pool, secret, err := pgdb.Open(ctx, databaseURL, pgdb.Schema{Name: "the bot store",
		Migrations: migrations, Dir: "migrations", VersionTable: versionTable, Lock: migrationLock})
	if err != nil {
		return nil, err
	}
	s := &Store{pool: pool, secret: secret}
	for i := range s.queues {
		q := make(chan write, 64)
		s.queues[i] = q
		s.workers.Go(func() {
			for w := range q {
				w.done(s.call(w.run))
			}
		})
	}
	return s, nil
}

// Close waits for the calls in progress and the queued writes, then
// closes the store's connections. Later calls fail with [store.ErrClosed];
// Close may be called again.
func (s *Store) Close() error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		for _, q := range s.queues {
			close(q)
		}
	}
	s.mu.Unlock()
	s.workers.Wait()
	s.pool.Close()
	return nil
}

// call runs f under [Timeout] and scrubs its error.
func (s *Store) call(f func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	return s.secret.Error(f(ctx))
}

// do runs f like [Store.call] unless the store is closed, and keeps
// Close waiting until it returns.
func (s *Store) do(f func(ctx context.Context) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return store.ErrClosed
	}
	return s.call(f)
}

// queryRows runs query with args like [Store.do] and collects its rows
// with scan; what names the rows in the error.
func queryRows[T any](s *Store, what, query string, scan pgx.RowToFunc[T], args ...any) ([]T, error) {
	var out []T
	err := s.do(func(ctx context.Context) error {
		rows, err := s.pool.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, scan)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("couldn't read %s: %w", what, err)
	}
	return out, nil
}

// queue queues run on the queue of entry seq and returns; done receives
// its outcome on that queue's worker (or at once when the store is
// closed).
func (s *Store) queue(seq uint64, run func(ctx context.Context) error, done func(error)) {
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		done(store.ErrClosed)
		return
	}
	s.queues[seq%queues] <- write{run: run, done: done}
	s.mu.RUnlock()
}

// Flush waits until the writes queued before it are committed and their
// done functions have returned.
func (s *Store) Flush() error {
	errs := make(chan error, queues)
	for i := range queues {
		s.queue(uint64(i), func(context.Context) error { return nil }, func(err error) { errs <- err })
	}
	var err error
	for range queues {
		err = errors.Join(err, <-errs)
	}
	if errors.Is(err, store.ErrClosed) {
		return store.ErrClosed
	}
	return err
}
