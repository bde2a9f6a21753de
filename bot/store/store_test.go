package store

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func openTemp(tb testing.TB) (*Store, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "data", FileName)
	s, err := Open(path, Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s, path
}

func raw(id int) json.RawMessage {
	b, _ := json.Marshal(map[string]any{"update_id": id, "message": map[string]any{"text": "q"}})
	return b
}

func ids(us []Update) []int {
	var out []int
	for _, u := range us {
		out = append(out, u.ID)
	}
	return out
}

func TestPutIsIdempotentAndKeepsState(t *testing.T) {
	s, _ := openTemp(t)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	seqs, err := s.Put([]Update{{ID: 3, Raw: raw(3), Received: now}, {ID: 1, Raw: raw(1), Received: now}, {ID: 2, Raw: raw(2), State: Done}})
	if err != nil || !slices.Equal(seqs, []uint64{1, 2, 3}) {
		t.Fatalf("Put = %v, %v", seqs, err)
	}
	if err := s.Finish(seqs[1]); err != nil {
		t.Fatal(err)
	}
	seqs, err = s.Put([]Update{{ID: 1, Raw: raw(1)}, {ID: 4, Raw: raw(4)}})
	if err != nil || !slices.Equal(seqs, []uint64{0, 4}) {
		t.Fatalf("second Put = %v, %v", seqs, err)
	}
	pending, err := s.Pending()
	if err != nil || !slices.Equal(ids(pending), []int{3, 4}) {
		t.Fatalf("Pending = %v, %v; want 3 and 4 in the order stored (1 done, 2 stored done)", ids(pending), err)
	}
	if !pending[0].Received.Equal(now) || string(pending[0].Raw) != string(raw(3)) || pending[0].State != Pending {
		t.Errorf("stored update = %+v", pending[0])
	}
}

func TestSentSurvivesReopen(t *testing.T) {
	s, path := openTemp(t)
	seqs, err := s.Put([]Update{{ID: 10, Raw: raw(10)}})
	if err != nil {
		t.Fatal(err)
	}
	seq := seqs[0]
	for i, m := range []int{1001, 1002} {
		if err := s.SetSent(seq, i, m); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetSent(seq+1, 0, 5); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetSent of an unknown update: %v, want ErrNotFound", err)
	}
	// A crash: the file is closed without marking the update done.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Finish(seq); err == nil {
		t.Error("Finish after Close succeeded")
	}
	s2, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	pending, err := s2.Pending()
	if err != nil || len(pending) != 1 || !slices.Equal(pending[0].Sent, []int{1001, 1002}) {
		t.Fatalf("after reopen Pending = %+v, %v", pending, err)
	}
	if err := s2.Finish(seq); err != nil {
		t.Fatal(err)
	}
	u, err := s2.Get(10)
	if err != nil || u.State != Done || u.ID != 10 {
		t.Errorf("Get = %+v, %v", u, err)
	}
}

func TestPruneKeepsNewestDoneAndAllPending(t *testing.T) {
	s, _ := openTemp(t)
	var us []Update
	for id := 1; id <= 10; id++ {
		st := Done
		if id == 2 || id == 9 {
			st = Pending
		}
		us = append(us, Update{ID: id, Raw: raw(id), State: st})
	}
	if _, err := s.Put(us); err != nil {
		t.Fatal(err)
	}
	n, err := s.Prune(3)
	if err != nil || n != 5 {
		t.Fatalf("Prune = %d, %v; want 5 deleted", n, err)
	}
	var left []int
	for id := 1; id <= 10; id++ {
		if _, err := s.Get(id); err == nil {
			left = append(left, id)
		}
	}
	if want := []int{2, 7, 8, 9, 10}; !slices.Equal(left, want) {
		t.Errorf("left %v, want %v", left, want)
	}
}

func TestOpenChecksSchema(t *testing.T) {
	s, path := openTemp(t)
	s.Close()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{"meta", "updates", "feedback", "chat_settings"} {
		db.View(func(tx *bolt.Tx) error {
			if tx.Bucket([]byte(b)) == nil {
				t.Errorf("bucket %s missing", b)
			}
			return nil
		})
	}
	db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keySchema, []byte("3")) })
	db.Close()
	if _, err := Open(path, Options{}); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open of a newer schema: %v", err)
	}
}

func TestOpenRefusesASecondProcess(t *testing.T) {
	_, path := openTemp(t)
	start := time.Now()
	if _, err := Open(path, Options{}); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("second Open: %v", err)
	}
	if d := time.Since(start); d > lockTimeout+30*time.Second { // it waits lockTimeout, not forever
		t.Errorf("second Open took %v", d)
	}
}

// TestConcurrentWritesFailAlone writes from many goroutines at once,
// some of them failing (see [Store.commit]): every good write is
// committed, every bad one fails alone.
func TestConcurrentWritesFailAlone(t *testing.T) {
	s, _ := openTemp(t)
	const n = 200
	var us []Update
	for id := 1; id <= n; id++ {
		us = append(us, Update{ID: id, Raw: raw(id)})
	}
	seqs, err := s.Put(us)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2*n)
	for id := 1; id <= n; id++ {
		wg.Go(func() { errs[2*(id-1)] = s.SetSent(seqs[id-1], 0, 1000+id) })
		wg.Go(func() { errs[2*(id-1)+1] = s.SetSent(uint64(n+id), 0, 1) }) // unknown update
	}
	wg.Wait()
	for i, err := range errs {
		if bad := i%2 == 1; bad != errors.Is(err, ErrNotFound) {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	for id := 1; id <= n; id++ {
		if u, err := s.Get(id); err != nil || !slices.Equal(u.Sent, []int{1000 + id}) {
			t.Fatalf("update %d: %+v, %v", id, u.Sent, err)
		}
	}
}

func TestCloseTwiceAndWriteAfterClose(t *testing.T) {
	s, _ := openTemp(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := s.Put([]Update{{ID: 1, Raw: raw(1)}}); err == nil {
		t.Error("Put after Close succeeded")
	}
}
