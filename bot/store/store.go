// Package store is the bot's durable state: an embedded, crash-safe
// key-value file (go.etcd.io/bbolt, one writer, ACID transactions, every
// commit synced to disk) at DATA_DIR/citebot.db ([FileName]).
//
// Its first use is the inbox: every Telegram update is written here before
// it is confirmed to Telegram (polling) or acknowledged (webhook), and is
// marked done only once it has been answered or deliberately dropped, so
// that a stop or a crash loses nothing: unfinished updates are replayed on
// the next start.
//
// # Schema (version 2)
//
// Top-level buckets:
//
//	meta           "schema" -> the schema version as a decimal string ("2").
//	updates        entry number as 8 bytes big-endian (the bucket's
//	               sequence: entries sort in the order they were stored)
//	               -> JSON {"id": Telegram's update_id,
//	                        "raw": the update exactly as Telegram sent it,
//	                        "hash": hex SHA-256 of raw's canonical JSON,
//	                        "received": RFC 3339 time it was stored,
//	                        "state": "pending" | "done",
//	                        "sent": [ids of the messages sent for it, in order],
//	                        "attempts": handlings started and not ended}
//	update_ids     update_id as 8 bytes big-endian -> the number of the
//	               newest entry holding that update_id
//	feedback       chat_id (8 bytes, two's complement big-endian) +
//	               message_id + user_id (8 bytes each) of the message
//	               carrying the answer's buttons -> JSON [Vote], one per
//	               user per answer
//	chat_settings  chat_id -> JSON [ChatSettings]
//
// An update is known by its entry number, not by its update_id: Telegram's
// ids start again (a new token on an old data directory, a Bot API server
// restarted, a random id after a week without updates), so an update_id
// stored before with other content is a new update and gets a new entry
// (see [Store.Put]). The feedback and chat_settings buckets are described
// in feedback.go.
//
// A newer schema than this package knows makes [Open] fail rather than
// misread the file; an older one is migrated by Open (see migrate.go).
//
// # Writes
//
// Writes go through one queue, in order. One writer goroutine takes every
// write queued while the previous commit was syncing and commits them in
// one transaction (a group commit), so that the cost of a sync is paid
// once per group, not once per write, and no write waits for a timer. A
// write that fails (say, an unknown update) fails alone: its group is
// committed again without it. A commit that fails on the disk (a write or
// sync error) is tried again with backoff, up to commitTries times, before
// its writes fail; [Store.Close] cuts the waiting short. [Store.Put],
// [Store.SetSent], [Store.Finish] and [Store.Begin] return once their
// write is committed and synced; [Store.SetSentLater],
// [Store.FinishLater] and [Store.EndLater] return at once and report the
// outcome later, so that the caller need not wait for the disk, while the
// queue's order still commits a message id before the update is marked
// done.
//
// A [Store] is safe for concurrent use.
package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// FileName is the store's file name inside the data directory.
const FileName = "citebot.db"

// SchemaVersion is the version of the layout described in the package
// documentation.
const SchemaVersion = 2

// Bucket names.
var (
	bucketMeta         = []byte("meta")
	bucketUpdates      = []byte("updates")
	bucketUpdateIDs    = []byte("update_ids")
	bucketFeedback     = []byte("feedback")
	bucketChatSettings = []byte("chat_settings")
	keySchema          = []byte("schema")
)

// lockTimeout bounds the wait for the file lock: another process using the
// same data directory is an error, not a hang.
const lockTimeout = 2 * time.Second

// Options adjust [Open]. The zero value is what production uses.
type Options struct {
	// NoSync skips the fsync after each commit: faster, but a power loss
	// (not a process crash) may lose the last commits. For tests.
	NoSync bool
	// FailCommit, when set, is called before each commit: an error it
	// returns fails that commit the way a failed disk write does (it is
	// tried again, see the package documentation). For fault tests.
	FailCommit func() error
}

// Store is the bot's durable state. Its methods are safe for concurrent
// use.
type Store struct {
	db         *bolt.DB
	failCommit func() error  // Options.FailCommit
	writes     chan *write   // to the writer goroutine
	done       chan struct{} // closed when the writer goroutine exits
	quit       chan struct{} // closed by Close: stop retrying commits
	mu         sync.RWMutex  // held to send on writes; Lock to close it
	closed     bool
}

// write is one change waiting for its commit. When apply returns an
// error, the transaction it ran in is rolled back and the other writes of
// its group are committed without it (so apply may run twice: it must not
// keep state between runs).
type write struct {
	apply func(tx *bolt.Tx) error
	done  func(error) // receives the outcome once
}

// inUpdates makes a write of the updates bucket.
func inUpdates(f func(b *bolt.Bucket) error) func(tx *bolt.Tx) error {
	return func(tx *bolt.Tx) error { return f(tx.Bucket(bucketUpdates)) }
}

// maxGroup bounds the writes committed in one transaction.
const maxGroup = 256

// ErrClosed is returned (wrapped) by the writes made after [Store.Close].
var ErrClosed = errors.New("the store is closed")

// Open opens or creates the store file at path (creating its directory),
// creates the buckets and checks the schema version. It fails when another
// process holds the file.
func Open(path string, opts Options) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("couldn't create the store's directory: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout, NoSync: opts.NoSync})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("couldn't open the store %s: it is in use by another process", path)
		}
		return nil, fmt.Errorf("couldn't open the store %s: %w", path, err)
	}
	if err := db.Update(initSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("couldn't open the store %s: %w", path, err)
	}
	s := &Store{db: db, failCommit: opts.FailCommit, writes: make(chan *write, maxGroup),
		done: make(chan struct{}), quit: make(chan struct{})}
	go s.writer()
	return s, nil
}

// initSchema creates the buckets and records, checks or migrates the
// version.
func initSchema(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketMeta, bucketUpdates, bucketUpdateIDs, bucketFeedback, bucketChatSettings} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	meta := tx.Bucket(bucketMeta)
	v := meta.Get(keySchema)
	if v == nil {
		return meta.Put(keySchema, []byte(strconv.Itoa(SchemaVersion)))
	}
	n, err := strconv.Atoi(string(v))
	if err != nil {
		return fmt.Errorf("schema version %q is not a number", v)
	}
	if n > SchemaVersion {
		return fmt.Errorf("schema version %d is newer than this citebot understands (%d)", n, SchemaVersion)
	}
	if n < SchemaVersion {
		if err := migrate(tx, n); err != nil {
			return fmt.Errorf("migrate schema version %d to %d: %w", n, SchemaVersion, err)
		}
		return meta.Put(keySchema, []byte(strconv.Itoa(SchemaVersion)))
	}
	return nil
}

// Close waits for the writes in progress to be committed and closes the
// file. Later calls of other methods fail; Close may be called again.
func (s *Store) Close() error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.quit)
		close(s.writes)
	}
	s.mu.Unlock()
	<-s.done
	return s.db.Close()
}

// Flush waits until the writes queued before it are committed (the
// writer commits in order). A stopping bot calls it so that what it
// finished is on disk, not only queued, when Run returns.
func (s *Store) Flush() error {
	return s.update(func(*bolt.Tx) error { return nil })
}

// update queues apply (see [write]) and waits until it is committed.
func (s *Store) update(apply func(tx *bolt.Tx) error) error {
	done, result := wait()
	s.queue(apply, done)
	return result()
}

// wait returns a done function for [Store.queue] and the function waiting
// for the outcome it receives.
func wait() (done func(error), result func() error) {
	errc := make(chan error, 1)
	return func(err error) { errc <- err }, func() error { return <-errc }
}

// queue queues apply (see [write]) and returns; done receives the outcome,
// on the writer goroutine (or at once when the store is closed).
func (s *Store) queue(apply func(tx *bolt.Tx) error, done func(error)) {
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		done(ErrClosed)
		return
	}
	s.writes <- &write{apply: apply, done: done}
	s.mu.RUnlock()
}

// writer commits the queued writes until Close: each transaction takes
// every write queued while the last one committed (at most maxGroup).
func (s *Store) writer() {
	defer close(s.done)
	group := make([]*write, 0, maxGroup)
	for w := range s.writes {
		group = append(group[:0], w)
	more:
		for len(group) < maxGroup {
			select {
			case w, ok := <-s.writes:
				if !ok {
					break more
				}
				group = append(group, w)
			default:
				break more
			}
		}
		s.commit(group)
	}
}

// commit applies a group of writes in one transaction. When a write
// fails, each write is committed again on its own, so that one failing
// write does not fail the others. When the commit itself fails (the disk),
// it is tried again (see commitRetrying).
func (s *Store) commit(group []*write) {
	writeFailed, err := s.commitRetrying(group)
	if writeFailed && len(group) > 1 {
		for _, w := range group {
			s.commit([]*write{w})
		}
		return
	}
	for _, w := range group {
		w.done(err)
	}
}

const (
	// commitTries bounds the tries of a commit that fails on the disk;
	// the waits between them double from commitBackoff (0.1 s + 0.2 s +
	// 0.4 s + 0.8 s: 1.5 s in all).
	commitTries   = 5
	commitBackoff = 100 * time.Millisecond
)

// commitRetrying runs the group's writes in one transaction and commits
// it. writeFailed reports that one of the writes failed (nothing to try
// again: the caller splits the group). A commit that fails otherwise (a
// write or sync error of the file) is tried again, with the group's
// writes applied afresh, up to commitTries times with backoff, and no
// more once the store is closing.
func (s *Store) commitRetrying(group []*write) (writeFailed bool, err error) {
	wait := commitBackoff
	for try := 1; ; try++ {
		writeFailed = false
		err = s.db.Update(func(tx *bolt.Tx) error {
			for _, w := range group {
				if err := w.apply(tx); err != nil {
					writeFailed = true
					return err
				}
			}
			if s.failCommit != nil {
				return s.failCommit()
			}
			return nil
		})
		if err == nil || writeFailed || try == commitTries {
			return writeFailed, err
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-s.quit:
			t.Stop()
			return false, err
		}
		wait *= 2
	}
}

// DB returns the store's database, for other stores of record that keep
// their buckets in the same file (the chat libraries' catalog): bbolt
// locks the file, so one process opens it once. They must not touch the
// inbox's buckets.
func (s *Store) DB() *bolt.DB { return s.db }
