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
// # Schema (version 1)
//
// Top-level buckets:
//
//	meta           "schema" -> the schema version as a decimal string ("1").
//	updates        update_id as 8 bytes big-endian (so keys sort by id)
//	               -> JSON {"raw": the update exactly as Telegram sent it,
//	                        "received": RFC 3339 time it was stored,
//	                        "state": "pending" | "done",
//	                        "sent": [ids of the messages sent for it, in order]}
//	feedback       chat_id (8 bytes, two's complement big-endian) +
//	               message_id + user_id (8 bytes each) of the message
//	               carrying the answer's buttons -> JSON [Vote], one per
//	               user per answer
//	chat_settings  chat_id -> JSON [ChatSettings]
//
// The feedback and chat_settings buckets are described in feedback.go;
// version 1 files made before they held anything read the same.
//
// A newer schema than this package knows makes [Open] fail rather than
// misread the file; an older one is migrated by Open (none exists yet).
//
// # Writes
//
// Writes go through one queue, in order. One writer goroutine takes every
// write queued while the previous commit was syncing and commits them in
// one transaction (a group commit), so that the cost of a sync is paid
// once per group, not once per write, and no write waits for a timer. A
// write that fails (say, an unknown update) fails alone: its group is
// committed again without it. [Store.Put], [Store.SetSent] and
// [Store.Finish] return once their write is committed and synced;
// [Store.SetSentLater] and [Store.FinishLater] return at once and report
// the outcome later, so that the caller need not wait for the disk, while
// the queue's order still commits a message id before the update is
// marked done.
//
// A [Store] is safe for concurrent use.
package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
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
const SchemaVersion = 1

// Bucket names.
var (
	bucketMeta         = []byte("meta")
	bucketUpdates      = []byte("updates")
	bucketFeedback     = []byte("feedback")
	bucketChatSettings = []byte("chat_settings")
	keySchema          = []byte("schema")
)

// lockTimeout bounds the wait for the file lock: another process using the
// same data directory is an error, not a hang.
const lockTimeout = 2 * time.Second

// ErrNotFound is returned for an update id the store does not hold.
var ErrNotFound = errors.New("update not stored")

// State is where an update is in its handling.
type State string

// The states of an update.
const (
	// Pending: stored, not answered yet (queued, in progress or
	// interrupted); replayed on the next start.
	Pending State = "pending"
	// Done: answered, or deliberately dropped.
	Done State = "done"
)

// Update is one stored update.
type Update struct {
	// ID is Telegram's update_id.
	ID int `json:"-"`
	// Raw is the update as Telegram sent it.
	Raw      json.RawMessage `json:"raw"`
	Received time.Time       `json:"received"`
	State    State           `json:"state"`
	// Sent are the ids of the messages sent for the update, in the order
	// they were sent.
	Sent []int `json:"sent,omitempty"`
}

// Options adjust [Open]. The zero value is what production uses.
type Options struct {
	// NoSync skips the fsync after each commit: faster, but a power loss
	// (not a process crash) may lose the last commits. For tests.
	NoSync bool
}

// Store is the bot's durable state. Its methods are safe for concurrent
// use.
type Store struct {
	db     *bolt.DB
	writes chan *write   // to the writer goroutine
	done   chan struct{} // closed when the writer goroutine exits
	mu     sync.RWMutex  // held to send on writes; Lock to close it
	closed bool
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

// errClosed is returned by the writes made after Close.
var errClosed = errors.New("the store is closed")

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
	s := &Store{db: db, writes: make(chan *write, maxGroup), done: make(chan struct{})}
	go s.writer()
	return s, nil
}

// initSchema creates the buckets and records or checks the version.
func initSchema(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketMeta, bucketUpdates, bucketFeedback, bucketChatSettings} {
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
	return nil
}

// Close waits for the writes in progress to be committed and closes the
// file. Later calls of other methods fail; Close may be called again.
func (s *Store) Close() error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.writes)
	}
	s.mu.Unlock()
	<-s.done
	return s.db.Close()
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
		done(errClosed)
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

// commit applies a group of writes in one transaction. When it fails, each
// write is committed again on its own, so that one failing write does not
// fail the others.
func (s *Store) commit(group []*write) {
	err := s.db.Update(func(tx *bolt.Tx) error {
		for _, w := range group {
			if err := w.apply(tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && len(group) > 1 {
		for _, w := range group {
			s.commit([]*write{w})
		}
		return
	}
	for _, w := range group {
		w.done(err)
	}
}

func key(id int) ([]byte, error) {
	if id < 0 {
		return nil, fmt.Errorf("negative update id %d", id)
	}
	return binary.BigEndian.AppendUint64(nil, uint64(id)), nil
}

// Put stores, in one transaction, the updates not stored yet, and reports
// for each whether it was new (false: stored before, whatever its state;
// the stored copy is left as it is). An update's ID, Raw, Received and
// State are stored; State defaults to [Pending].
func (s *Store) Put(us []Update) (added []bool, err error) {
	keys, vals := make([][]byte, len(us)), make([][]byte, len(us))
	for i, u := range us {
		if keys[i], err = key(u.ID); err != nil {
			return nil, fmt.Errorf("couldn't store updates: %w", err)
		}
		if u.State == "" {
			u.State = Pending
		}
		if vals[i], err = json.Marshal(u); err != nil {
			return nil, fmt.Errorf("couldn't store updates: encode update %d: %w", u.ID, err)
		}
	}
	err = s.update(inUpdates(func(b *bolt.Bucket) error {
		// Set afresh on every try: a group that fails is tried again.
		added = make([]bool, len(us))
		for i, k := range keys {
			if b.Get(k) != nil {
				continue
			}
			if err := b.Put(k, vals[i]); err != nil {
				return fmt.Errorf("store update %d: %w", us[i].ID, err)
			}
			added[i] = true
		}
		return nil
	}))
	if err != nil {
		return nil, fmt.Errorf("couldn't store updates: %w", err)
	}
	return added, nil
}

// change applies f to the stored update id, in a transaction shared with
// the writes queued at the same time, and passes the outcome to done (see
// [Store.queue]).
func (s *Store) change(id int, f func(*Update), done func(error)) {
	k, err := key(id)
	if err != nil {
		done(err)
		return
	}
	s.queue(inUpdates(func(b *bolt.Bucket) error {
		u, err := decode(id, b.Get(k))
		if err != nil {
			return err
		}
		f(&u)
		v, err := json.Marshal(u)
		if err != nil {
			return err
		}
		return b.Put(k, v)
	}), done)
}

// SetSent records that message msg is the n-th (from 0) message sent for
// update id, and returns once that is committed.
func (s *Store) SetSent(id, n, msg int) error {
	done, result := wait()
	s.SetSentLater(id, n, msg, done)
	return result()
}

// SetSentLater queues the write of [Store.SetSent] and returns at once;
// done (which must be quick) receives the outcome once it is committed.
// Writes are committed in the order they are queued: a Finish of the same
// update queued later is never committed before it.
func (s *Store) SetSentLater(id, n, msg int, done func(error)) {
	wrap := func(err error) {
		if err != nil {
			err = fmt.Errorf("couldn't record message %d of update %d: %w", msg, id, err)
		}
		done(err)
	}
	if n < 0 {
		wrap(fmt.Errorf("negative message index %d", n))
		return
	}
	s.change(id, func(u *Update) {
		if n >= len(u.Sent) {
			u.Sent = append(u.Sent, make([]int, n+1-len(u.Sent))...)
		}
		u.Sent[n] = msg
	}, wrap)
}

// Finish marks update id done, and returns once that is committed.
func (s *Store) Finish(id int) error {
	done, result := wait()
	s.FinishLater(id, done)
	return result()
}

// FinishLater queues the write of [Store.Finish] and returns at once; done
// (which must be quick) receives the outcome once it is committed.
func (s *Store) FinishLater(id int, done func(error)) {
	s.change(id, func(u *Update) { u.State = Done }, func(err error) {
		if err != nil {
			err = fmt.Errorf("couldn't mark update %d done: %w", id, err)
		}
		done(err)
	})
}

// Get returns the stored update id, or [ErrNotFound].
func (s *Store) Get(id int) (Update, error) {
	k, err := key(id)
	if err != nil {
		return Update{}, err
	}
	var u Update
	err = s.db.View(func(tx *bolt.Tx) error {
		u, err = decode(id, tx.Bucket(bucketUpdates).Get(k))
		return err
	})
	return u, err
}

// Pending returns the updates not done, in id order.
func (s *Store) Pending() ([]Update, error) {
	var out []Update
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketUpdates).ForEach(func(k, v []byte) error {
			u, err := decode(int(binary.BigEndian.Uint64(k)), v)
			if err != nil {
				return err
			}
			if u.State != Done {
				out = append(out, u)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("couldn't read unfinished updates: %w", err)
	}
	return out, nil
}

// Prune deletes the done updates except the keep newest (by id) and
// returns how many it deleted. Pending updates are never deleted.
func (s *Store) Prune(keep int) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketUpdates)
		var old [][]byte
		kept := 0
		c := b.Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			var st struct {
				State State `json:"state"`
			}
			if json.Unmarshal(v, &st) != nil || st.State != Done {
				continue
			}
			if kept < keep {
				kept++
				continue
			}
			old = append(old, bytes.Clone(k))
		}
		for _, k := range old {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(old)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("couldn't prune done updates: %w", err)
	}
	return n, nil
}

// decode decodes a stored value; nil is [ErrNotFound].
func decode(id int, v []byte) (Update, error) {
	if v == nil {
		return Update{}, fmt.Errorf("update %d: %w", id, ErrNotFound)
	}
	var u Update
	if err := json.Unmarshal(v, &u); err != nil {
		return Update{}, fmt.Errorf("decode update %d: %w", id, err)
	}
	u.ID = id
	return u, nil
}
