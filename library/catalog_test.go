package library_test

import (
	"path/filepath"
	"testing"

	"github.com/citebot/citebot/library"
	"github.com/citebot/citebot/library/catalogtest"
	bolt "go.etcd.io/bbolt"
)

// TestBoltCatalog runs the Catalog conformance suite on BoltCatalog.
func TestBoltCatalog(t *testing.T) {
	catalogtest.Run(t, func(t *testing.T) library.Catalog {
		db, err := bolt.Open(filepath.Join(t.TempDir(), "store.db"), 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		c, err := library.NewBoltCatalog(db)
		if err != nil {
			t.Fatal(err)
		}
		return c
	})
}
