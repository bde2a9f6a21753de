package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrNotFound is returned for an update the store does not hold.
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
	// Seq is the update's entry number, given by [Store.Put]: entries are
	// numbered from 1 in the order they were stored. The other methods
	// name an update by it.
	Seq uint64 `json:"-"`
	// ID is Telegram's update_id.
	ID int `json:"id"`
	// Raw is the update as Telegram sent it.
	Raw json.RawMessage `json:"raw"`
	// Hash is [ContentHash] of Raw, set by [Store.Put]; empty in entries
	// stored by schema version 1.
	Hash     string    `json:"hash,omitempty"`
	Received time.Time `json:"received"`
	State    State     `json:"state"`
	// Sent are the ids of the messages sent for the update, in the order
	// they were sent.
	Sent []int `json:"sent,omitempty"`
	// Attempts counts the handlings of the update that started
	// ([Store.Begin]) and did not end ([Store.EndLater]): the ones a
	// crash cut short.
	Attempts int `json:"attempts,omitempty"`
}

// ContentHash returns the hex SHA-256 of raw's canonical JSON (objects'
// keys sorted, no insignificant space, numbers as written), so that the
// same update sent twice hashes the same however it was formatted. Raw
// that is not JSON is hashed as it is.
func ContentHash(raw []byte) string {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if d.Decode(&v) == nil && d.InputOffset() == int64(len(bytes.TrimRight(raw, " \t\r\n"))) {
		if canon, err := json.Marshal(v); err == nil {
			raw = canon
		}
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// seqKey is the key of entry seq in the updates bucket.
func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

// idKey is the key of update id in the update_ids bucket.
func idKey(id int) ([]byte, error) {
	if id < 0 {
		return nil, fmt.Errorf("negative update id %d", id)
	}
	return binary.BigEndian.AppendUint64(nil, uint64(id)), nil
}

// Put stores, in one transaction, the updates not stored yet, and returns
// for each its entry number ([Update.Seq]), or 0 for one stored before
// (its update_id is stored with the same content, whatever its state;
// the stored copy is left as it is). An update_id stored before with other
// content is a new update: it gets a new entry. An update's ID, Raw,
// Received, State, Sent and Attempts are stored; State defaults to
// [Pending].
func (s *Store) Put(us []Update) (seqs []uint64, err error) {
	ids := make([][]byte, len(us))
	for i := range us {
		if ids[i], err = idKey(us[i].ID); err != nil {
			return nil, fmt.Errorf("couldn't store updates: %w", err)
		}
	}
	hashes := make([]string, len(us))
	for i, u := range us {
		hashes[i] = ContentHash(u.Raw)
	}
	err = s.update(func(tx *bolt.Tx) error {
		// Set afresh on every try: a group that fails is tried again.
		seqs = make([]uint64, len(us))
		b, index := tx.Bucket(bucketUpdates), tx.Bucket(bucketUpdateIDs)
		for i, u := range us {
			if storedAs(b, index, ids[i], hashes[i]) {
				continue
			}
			seq, err := b.NextSequence()
			if err != nil {
				return err
			}
			u.Seq, u.Hash = seq, hashes[i]
			if u.State == "" {
				u.State = Pending
			}
			v, err := json.Marshal(u)
			if err != nil {
				return fmt.Errorf("encode update %d: %w", u.ID, err)
			}
			if err := b.Put(seqKey(seq), v); err != nil {
				return fmt.Errorf("store update %d: %w", u.ID, err)
			}
			if err := index.Put(ids[i], seqKey(seq)); err != nil {
				return fmt.Errorf("index update %d: %w", u.ID, err)
			}
			seqs[i] = seq
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("couldn't store updates: %w", err)
	}
	return seqs, nil
}

// storedAs reports whether the newest entry of update_id id holds the
// content whose hash is hash. Entries without a hash (schema version 1)
// are hashed from their raw update.
func storedAs(b, index *bolt.Bucket, id []byte, hash string) bool {
	k := index.Get(id)
	if k == nil {
		return false
	}
	v := b.Get(k)
	if v == nil {
		return false
	}
	var stored struct {
		Raw  json.RawMessage `json:"raw"`
		Hash string          `json:"hash"`
	}
	if json.Unmarshal(v, &stored) != nil {
		return false
	}
	if stored.Hash == "" {
		stored.Hash = ContentHash(stored.Raw)
	}
	return stored.Hash == hash
}

// change applies f to the stored update seq, in a transaction shared with
// the writes queued at the same time, and passes the outcome to done (see
// [Store.queue]).
func (s *Store) change(seq uint64, f func(*Update), done func(error)) {
	s.queue(inUpdates(func(b *bolt.Bucket) error {
		k := seqKey(seq)
		u, err := decode(seq, b.Get(k))
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
// update seq, and returns once that is committed.
func (s *Store) SetSent(seq uint64, n, msg int) error {
	done, result := wait()
	s.SetSentLater(seq, n, msg, done)
	return result()
}

// SetSentLater queues the write of [Store.SetSent] and returns at once;
// done (which must be quick) receives the outcome once it is committed.
// Writes are committed in the order they are queued: a Finish of the same
// update queued later is never committed before it.
func (s *Store) SetSentLater(seq uint64, n, msg int, done func(error)) {
	wrap := func(err error) {
		if err != nil {
			err = fmt.Errorf("couldn't record message %d of update entry %d: %w", msg, seq, err)
		}
		done(err)
	}
	if n < 0 {
		wrap(fmt.Errorf("negative message index %d", n))
		return
	}
	s.change(seq, func(u *Update) {
		if n >= len(u.Sent) {
			u.Sent = append(u.Sent, make([]int, n+1-len(u.Sent))...)
		}
		u.Sent[n] = msg
	}, wrap)
}

// Finish marks update seq done, and returns once that is committed.
func (s *Store) Finish(seq uint64) error {
	done, result := wait()
	s.FinishLater(seq, done)
	return result()
}

// FinishLater queues the write of [Store.Finish] and returns at once; done
// (which must be quick) receives the outcome once it is committed.
func (s *Store) FinishLater(seq uint64, done func(error)) {
	s.change(seq, func(u *Update) { u.State = Done }, func(err error) {
		if err != nil {
			err = fmt.Errorf("couldn't mark update entry %d done: %w", seq, err)
		}
		done(err)
	})
}

// Begin records that a handling of update seq starts (its
// [Update.Attempts] grows by one) and returns, once that is committed,
// the attempts counted with this one.
func (s *Store) Begin(seq uint64) (attempts int, err error) {
	done, result := wait()
	s.change(seq, func(u *Update) {
		u.Attempts++
		attempts = u.Attempts
	}, done)
	if err := result(); err != nil {
		return 0, fmt.Errorf("couldn't record the start of update entry %d: %w", seq, err)
	}
	return attempts, nil
}

// EndLater queues the end of a handling of update seq that did not finish
// it (a stop interrupted it): it takes back the attempt [Store.Begin]
// counted, so that [Update.Attempts] counts only the handlings a crash cut
// short. It returns at once; done (which must be quick) receives the
// outcome once it is committed.
func (s *Store) EndLater(seq uint64, done func(error)) {
	s.change(seq, func(u *Update) { u.Attempts = max(u.Attempts-1, 0) }, func(err error) {
		if err != nil {
			err = fmt.Errorf("couldn't record the end of update entry %d: %w", seq, err)
		}
		done(err)
	})
}

// Get returns the newest entry stored for Telegram update id, or
// [ErrNotFound].
func (s *Store) Get(id int) (Update, error) {
	ik, err := idKey(id)
	if err != nil {
		return Update{}, err
	}
	var u Update
	err = s.db.View(func(tx *bolt.Tx) error {
		k := tx.Bucket(bucketUpdateIDs).Get(ik)
		if k == nil {
			return fmt.Errorf("update %d: %w", id, ErrNotFound)
		}
		u, err = decode(binary.BigEndian.Uint64(k), tx.Bucket(bucketUpdates).Get(k))
		return err
	})
	return u, err
}

// Pending returns the updates not done, in the order they were stored.
func (s *Store) Pending() ([]Update, error) {
	var out []Update
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketUpdates).ForEach(func(k, v []byte) error {
			u, err := decode(binary.BigEndian.Uint64(k), v)
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

// Prune deletes the done updates except the keep newest (by entry number)
// and returns how many it deleted. Pending updates are never deleted.
func (s *Store) Prune(keep int) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, index := tx.Bucket(bucketUpdates), tx.Bucket(bucketUpdateIDs)
		type entry struct{ key, id []byte }
		var old []entry
		kept := 0
		c := b.Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			var st struct {
				ID    int   `json:"id"`
				State State `json:"state"`
			}
			if json.Unmarshal(v, &st) != nil || st.State != Done {
				continue
			}
			if kept < keep {
				kept++
				continue
			}
			id, _ := idKey(max(st.ID, 0))
			old = append(old, entry{bytes.Clone(k), id})
		}
		for _, e := range old {
			if err := b.Delete(e.key); err != nil {
				return err
			}
			// The index names the newest entry of an id: keep it when a
			// newer entry took the id over.
			if bytes.Equal(index.Get(e.id), e.key) {
				if err := index.Delete(e.id); err != nil {
					return err
				}
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

// decode decodes a stored entry; nil is [ErrNotFound].
func decode(seq uint64, v []byte) (Update, error) {
	if v == nil {
		return Update{}, fmt.Errorf("update entry %d: %w", seq, ErrNotFound)
	}
	var u Update
	if err := json.Unmarshal(v, &u); err != nil {
		return Update{}, fmt.Errorf("decode update entry %d: %w", seq, err)
	}
	u.Seq = seq
	return u, nil
}
