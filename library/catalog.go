package library

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// DocRecord is the catalog's record of one document of a chat's library:
// what makes its file a document, and what the quotas count.
type DocRecord struct {
	Chat     int64     `json:"chat"`
	Name     string    `json:"name"`
	Uploader int64     `json:"uploader"`
	Bytes    int64     `json:"bytes"`
	Passages int       `json:"passages"`
	Added    time.Time `json:"added"`
}

// Catalog is the store of record of the chat libraries' metadata: their
// documents, each chat's last activity and each user's uploads per day.
// The documents' files and index snapshots live in the data directory.
// A Catalog must be safe for concurrent use.
type Catalog interface {
	// Docs lists chat's documents, by name.
	Docs(chat int64) ([]DocRecord, error)
	// All lists every chat's documents.
	All() ([]DocRecord, error)
	// Put records a document, replacing the record of the same name.
	Put(r DocRecord) error
	// Delete forgets chat's document name (no error when absent).
	Delete(chat int64, name string) error
	// CountUpload counts one upload of user on day (a UTC date such as
	// "2026-12-07") unless limit (>0) uploads were counted already, and
	// reports whether it counted it.
	CountUpload(user int64, day string, limit int) (bool, error)
	// UncountUpload takes back one upload counted on day (a document
	// that was not added after all).
	UncountUpload(user int64, day string) error
	// Touch records that chat was used at t.
	Touch(chat int64, t time.Time) error
	// LastUsed returns when each chat was last used (chats never touched
	// are absent).
	LastUsed() (map[int64]time.Time, error)
}

// Bucket names of [BoltCatalog], beside the inbox's in the same file.
var (
	docsBucket    = []byte("library_docs")
	usedBucket    = []byte("library_used")
	uploadsBucket = []byte("library_uploads")
)

// BoltCatalog is a [Catalog] in a bbolt database (the bot's store file).
type BoltCatalog struct{ db *bolt.DB }

// NewBoltCatalog returns a catalog in db, creating its buckets.
func NewBoltCatalog(db *bolt.DB) (*BoltCatalog, error) {
	err := db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{docsBucket, usedBucket, uploadsBucket} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("open the library catalog: %w", err)
	}
	return &BoltCatalog{db: db}, nil
}

func chatKey(chat int64) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(chat))
}

func docKey(chat int64, name string) []byte { return append(chatKey(chat), name...) }

// Docs implements [Catalog].
func (c *BoltCatalog) Docs(chat int64) ([]DocRecord, error) {
	var out []DocRecord
	err := c.db.View(func(tx *bolt.Tx) error {
		prefix := chatKey(chat)
		cur := tx.Bucket(docsBucket).Cursor()
		for k, v := cur.Seek(prefix); len(k) >= 8 && string(k[:8]) == string(prefix); k, v = cur.Next() {
			var r DocRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("catalog record %q: %w", k[8:], err)
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// All implements [Catalog].
func (c *BoltCatalog) All() ([]DocRecord, error) {
	var out []DocRecord
	err := c.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(docsBucket).ForEach(func(k, v []byte) error {
			var r DocRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("catalog record %q: %w", k, err)
			}
			out = append(out, r)
			return nil
		})
	})
	return out, err
}

// Put implements [Catalog].
func (c *BoltCatalog) Put(r DocRecord) error {
	v, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return c.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(docsBucket).Put(docKey(r.Chat, r.Name), v)
	})
}

// Delete implements [Catalog].
func (c *BoltCatalog) Delete(chat int64, name string) error {
	return c.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(docsBucket).Delete(docKey(chat, name))
	})
}

// CountUpload implements [Catalog]. Counts of other days are dropped as
// it goes, so the bucket holds one day.
func (c *BoltCatalog) CountUpload(user int64, day string, limit int) (bool, error) {
	counted := false
	err := c.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(uploadsBucket)
		var stale [][]byte
		b.ForEach(func(k, _ []byte) error {
			if len(k) > 8 && string(k[8:]) != day {
				stale = append(stale, k)
			}
			return nil
		})
		for _, k := range stale {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		key := append(chatKey(user), day...)
		n := uint64(0)
		if v := b.Get(key); len(v) == 8 {
			n = binary.BigEndian.Uint64(v)
		}
		if limit > 0 && n >= uint64(limit) {
			return nil
		}
		counted = true
		return b.Put(key, binary.BigEndian.AppendUint64(nil, n+1))
	})
	return counted, err
}

// UncountUpload implements [Catalog].
func (c *BoltCatalog) UncountUpload(user int64, day string) error {
	return c.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(uploadsBucket)
		key := append(chatKey(user), day...)
		if v := b.Get(key); len(v) == 8 && binary.BigEndian.Uint64(v) > 0 {
			return b.Put(key, binary.BigEndian.AppendUint64(nil, binary.BigEndian.Uint64(v)-1))
		}
		return nil
	})
}

// Touch implements [Catalog].
func (c *BoltCatalog) Touch(chat int64, t time.Time) error {
	return c.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(usedBucket).Put(chatKey(chat), binary.BigEndian.AppendUint64(nil, uint64(t.Unix())))
	})
}

// LastUsed implements [Catalog].
func (c *BoltCatalog) LastUsed() (map[int64]time.Time, error) {
	out := make(map[int64]time.Time)
	err := c.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(usedBucket).ForEach(func(k, v []byte) error {
			if len(k) != 8 || len(v) != 8 {
				return errors.New("catalog: malformed last-used entry")
			}
			out[int64(binary.BigEndian.Uint64(k))] = time.Unix(int64(binary.BigEndian.Uint64(v)), 0)
			return nil
		})
	})
	return out, err
}
