package pgstore

import (
	"context"
	"testing"
	"time"

	"github.com/citebot/citebot/bot/store"
	"github.com/citebot/citebot/bot/store/storetest"
	"github.com/citebot/citebot/library/pgcatalog/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// open opens a store of databaseURL.
func open(databaseURL string) (*Store, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return Open(ctx, databaseURL)
}

// TestConformance runs the store.Backend conformance suite, each case on
// a database of its own.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Opener {
		u := pgtest.Start(t)
		return storetest.Opens(t, func() (store.Backend, error) { return open(u) })
	})
}
