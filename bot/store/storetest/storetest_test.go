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

// BenchmarkBolt measures one update's handling on a bbolt file, synced
// after each commit as production opens it, and without syncs.
func BenchmarkBolt(b *testing.B) {
	for _, tc := range []struct {
		name string
		opts store.Options
	}{{"synced", store.Options{}}, {"nosync", store.Options{NoSync: true}}} {
		b.Run(tc.name, func(b *testing.B) {
			s, err := store.Open(filepath.Join(b.TempDir(), store.FileName), tc.opts)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			storetest.Benchmark(b, s)
		})
	}
}
