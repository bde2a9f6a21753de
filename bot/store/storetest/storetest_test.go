package storetest_test

import (
	"path/filepath"
	"testing"

	"github.com/citebot/citebot/bot/store"
	"github.com/citebot/citebot/bot/store/storetest"
)

// TestBolt runs the suite against [store.Store], the bbolt file.
func TestBolt(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Opener {
		path := filepath.Join(t.TempDir(), store.FileName)
		return storetest.Opens(t, func() (store.Backend, error) { return store.Open(path, store.Options{NoSync: true}) })
	})
}
