package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// migrate brings a file of schema version from up to [SchemaVersion],
// inside Open's transaction (so that a failure changes nothing). The
// caller records the new version.
func migrate(tx *bolt.Tx, from int) error {
	if from < 2 {
		if err := migrate1to2(tx); err != nil {
			return err
		}
	}
	return nil
}

// migrate1to2 moves the updates bucket from version 1, keyed by update_id,
// to version 2, keyed by entry number. The entry numbers of the stored
// updates are their ids (so their order is kept), each entry records its
// id, the update_ids index names them, and the bucket's sequence starts
// after the largest: updates stored from now on sort after them. Their
// hashes are left empty: [Store.Put] hashes such entries from their raw
// update when it needs to.
func migrate1to2(tx *bolt.Tx) error {
	b, index := tx.Bucket(bucketUpdates), tx.Bucket(bucketUpdateIDs)
	type entry struct{ key, val []byte }
	var entries []entry
	err := b.ForEach(func(k, v []byte) error {
		if len(k) != 8 {
			return fmt.Errorf("update key %x is not 8 bytes", k)
		}
		var u Update
		if err := json.Unmarshal(v, &u); err != nil {
			return fmt.Errorf("decode update %d: %w", binary.BigEndian.Uint64(k), err)
		}
		u.ID = int(binary.BigEndian.Uint64(k))
		nv, err := json.Marshal(u)
		if err != nil {
			return err
		}
		entries = append(entries, entry{bytes.Clone(k), nv})
		return nil
	})
	if err != nil {
		return err
	}
	var last uint64
	for _, e := range entries {
		if err := b.Put(e.key, e.val); err != nil {
			return err
		}
		if err := index.Put(e.key, e.key); err != nil {
			return err
		}
		last = max(last, binary.BigEndian.Uint64(e.key))
	}
	return b.SetSequence(max(last, b.Sequence()))
}
