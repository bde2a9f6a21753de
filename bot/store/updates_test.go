package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	bolt "go.etcd.io/bbolt"
)

// question is update id asking text in chat 7.
func question(id int, text string) json.RawMessage {
	b, _ := json.Marshal(map[string]any{"update_id": id, "message": map[string]any{
		"message_id": 100 + id, "chat": map[string]any{"id": 7, "type": "private"}, "text": text}})
	return b
}

func TestContentHash(t *testing.T) {
	base := `{"update_id":1,"message":{"message_id":5,"text":"q","chat":{"id":7}}}`
	tests := []struct {
		name  string
		other string
		same  bool
	}{
		{"identical", base, true},
		{"spaces and newlines", "{ \"update_id\": 1,\n \"message\": {\"message_id\": 5, \"text\": \"q\", \"chat\": {\"id\": 7}}}\n", true},
		{"keys in another order", `{"message":{"chat":{"id":7},"text":"q","message_id":5},"update_id":1}`, true},
		{"escaped the other way", `{"update_id":1,"message":{"message_id":5,"text":"\u0071","chat":{"id":7}}}`, true},
		{"another text", `{"update_id":1,"message":{"message_id":5,"text":"r","chat":{"id":7}}}`, false},
		{"another message id", `{"update_id":1,"message":{"message_id":6,"text":"q","chat":{"id":7}}}`, false},
		{"a number written otherwise", `{"update_id":1.0,"message":{"message_id":5,"text":"q","chat":{"id":7}}}`, false},
		{"not JSON", `{"update_id":1,`, false},
		{"trailing garbage", base + "x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := ContentHash([]byte(tt.other))
			if len(h) != 64 {
				t.Fatalf("hash %q is not 64 hex digits", h)
			}
			if same := h == ContentHash([]byte(base)); same != tt.same {
				t.Errorf("same hash = %v, want %v", same, tt.same)
			}
		})
	}
	garbage := []byte("garbage")
	if ContentHash(garbage) != ContentHash(slices.Clone(garbage)) {
		t.Error("the hash of raw that is not JSON changes")
	}
}

// FuzzContentHash: the hash never panics, and JSON reformatted (indented,
// compacted) hashes the same.
func FuzzContentHash(f *testing.F) {
	for _, s := range []string{`{"update_id":1,"message":{"text":"q"}}`, `[1,2.50,"x"]`, `"\u00e9"`, `{"a":{"b":[]}} `, `{`, ``, `null`, `1e400`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		h := ContentHash(raw)
		if !json.Valid(raw) {
			return
		}
		var indented, compact bytes.Buffer
		if json.Indent(&indented, raw, "", "  ") != nil || json.Compact(&compact, raw) != nil {
			return
		}
		if ContentHash(indented.Bytes()) != h || ContentHash(compact.Bytes()) != h {
			t.Errorf("reformatting %q changed its hash", raw)
		}
	})
}

// TestPutTellsRedeliveriesFromReusedIDs: an update_id stored again with
// the same content is a redelivery (not stored); with other content it is
// a new update, stored as a new entry after the old one, which keeps its
// own state and can still be finished.
func TestPutTellsRedeliveriesFromReusedIDs(t *testing.T) {
	s, _ := openTemp(t)
	first, err := s.Put([]Update{{ID: 1, Raw: question(1, "old one")}, {ID: 2, Raw: question(2, "old two")}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Finish(first[0]); err != nil {
		t.Fatal(err)
	}
	reformatted := append([]byte(" "), question(2, "old two")...)
	seqs, err := s.Put([]Update{
		{ID: 1, Raw: question(1, "old one")},   // redelivered, done
		{ID: 2, Raw: reformatted},              // redelivered, pending
		{ID: 1, Raw: question(1, "new one")},   // a reused id
		{ID: 1, Raw: question(1, "new one")},   // the same, in the same batch
		{ID: 3, Raw: question(3, "new three")}, // a new id
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []uint64{0, 0, 3, 0, 4}; !slices.Equal(seqs, want) {
		t.Fatalf("Put = %v, want %v", seqs, want)
	}
	u, err := s.Get(1)
	if err != nil || u.Seq != 3 || u.State != Pending || !bytes.Equal(u.Raw, question(1, "new one")) || u.Hash != ContentHash(u.Raw) {
		t.Errorf("Get(1) = %+v, %v; want the new entry", u, err)
	}
	pending, err := s.Pending()
	if err != nil {
		t.Fatal(err)
	}
	var got []uint64
	for _, p := range pending {
		got = append(got, p.Seq)
	}
	if want := []uint64{2, 3, 4}; !slices.Equal(got, want) {
		t.Errorf("pending entries %v, want %v (in the order stored)", got, want)
	}
	if err := s.Finish(first[1]); err != nil {
		t.Fatal(err)
	}
	if seqs, err := s.Put([]Update{{ID: 1, Raw: question(1, "new one")}}); err != nil || seqs[0] != 0 {
		t.Errorf("the new update redelivered: Put = %v, %v; want a redelivery", seqs, err)
	}
	if _, err := s.Put([]Update{{ID: -1, Raw: question(1, "x")}}); err == nil {
		t.Error("a negative update id was stored")
	}
}

// TestPruneKeepsTheIndexOfReusedIDs: pruning an old entry whose id was
// reused keeps the id's newest entry findable.
func TestPruneKeepsTheIndexOfReusedIDs(t *testing.T) {
	s, _ := openTemp(t)
	for _, text := range []string{"old", "new"} {
		seqs, err := s.Put([]Update{{ID: 5, Raw: question(5, text)}, {ID: 6, Raw: question(6, text)}})
		if err != nil {
			t.Fatal(err)
		}
		for _, seq := range seqs {
			if err := s.Finish(seq); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n, err := s.Prune(2); err != nil || n != 2 {
		t.Fatalf("Prune = %d, %v; want the 2 old entries deleted", n, err)
	}
	for _, id := range []int{5, 6} {
		if u, err := s.Get(id); err != nil || !bytes.Equal(u.Raw, question(id, "new")) {
			t.Errorf("Get(%d) = %+v, %v; want the new entry", id, u, err)
		}
	}
	if n, err := s.Prune(0); err != nil || n != 2 {
		t.Fatalf("Prune(0) = %d, %v", n, err)
	}
	if _, err := s.Get(5); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after pruning everything: %v", err)
	}
}

// writeVersion1 makes a store file of schema version 1 at path holding
// updates 1..n (the even ones done; update 3 with a message sent).
func writeVersion1(t *testing.T, path string, n int) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		meta, _ := tx.CreateBucket(bucketMeta)
		b, _ := tx.CreateBucket(bucketUpdates)
		if err := meta.Put(keySchema, []byte("1")); err != nil {
			return err
		}
		for id := 1; id <= n; id++ {
			v := map[string]any{"raw": question(id, "old question"), "received": time.Now().Add(-time.Hour), "state": "pending"}
			if id%2 == 0 {
				v["state"] = "done"
			}
			if id == 3 {
				v["sent"] = []int{1003}
			}
			raw, _ := json.Marshal(v)
			if err := b.Put(binary.BigEndian.AppendUint64(nil, uint64(id)), raw); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestMigrateFromVersion1: a version 1 file opens with its updates in
// place (ids, states, sent messages, order), its redeliveries are still
// recognised (hashed from their raw update), and ids reused with new
// content are new updates stored after the old ones.
func TestMigrateFromVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	writeVersion1(t, path, 5)
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pending, err := s.Pending()
	if err != nil || !slices.Equal(ids(pending), []int{1, 3, 5}) {
		t.Fatalf("Pending = %v, %v; want 1, 3, 5", ids(pending), err)
	}
	if p := pending[1]; p.Seq != 3 || !slices.Equal(p.Sent, []int{1003}) || p.Hash != "" {
		t.Errorf("migrated update 3 = %+v", p)
	}
	seqs, err := s.Put([]Update{
		{ID: 2, Raw: question(2, "old question")}, // a redelivery of a done one
		{ID: 3, Raw: question(3, "old question")}, // of a pending one
		{ID: 1, Raw: question(1, "new question")},
		{ID: 6, Raw: question(6, "new question")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []uint64{0, 0, 6, 7}; !slices.Equal(seqs, want) {
		t.Errorf("Put after migration = %v, want %v", seqs, want)
	}
	s.Close()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(keySchema); string(v) != "2" {
			t.Errorf("schema after migration = %q, want 2", v)
		}
		return nil
	})
}

// TestAttempts: Begin counts handlings, EndLater takes one back, and the
// count survives a reopen.
func TestAttempts(t *testing.T) {
	s, path := openTemp(t)
	seqs, err := s.Put([]Update{{ID: 1, Raw: raw(1), Attempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	for want := 2; want <= 3; want++ {
		if n, err := s.Begin(seqs[0]); err != nil || n != want {
			t.Fatalf("Begin = %d, %v; want %d", n, err, want)
		}
	}
	done, result := wait()
	s.EndLater(seqs[0], done)
	if err := result(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Begin(99); !errors.Is(err, ErrNotFound) {
		t.Errorf("Begin of an unknown entry: %v", err)
	}
	s.Close()
	s2, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if u, err := s2.Get(1); err != nil || u.Attempts != 2 {
		t.Errorf("after reopen: %+v, %v; want 2 attempts", u, err)
	}
}

// TestFlushWaitsForQueuedWrites: what was queued before Flush is
// committed when it returns, whatever the callbacks were.
func TestFlushWaitsForQueuedWrites(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	var us []Update
	for i := 1; i <= 50; i++ {
		us = append(us, Update{ID: i, Raw: raw(i)})
	}
	seqs, err := s.Put(us)
	if err != nil {
		t.Fatal(err)
	}
	for _, seq := range seqs {
		s.FinishLater(seq, func(error) {})
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if pending, err := s.Pending(); err != nil || len(pending) != 0 {
		t.Errorf("after Flush %d pending, %v; want none", len(pending), err)
	}
	s.Close()
	if err := s.Flush(); !errors.Is(err, ErrClosed) {
		t.Errorf("Flush of a closed store: %v", err)
	}
}

// errDisk stands for a failed disk write.
var errDisk = errors.New("input/output error")

// failFirst returns a FailCommit hook failing its first n calls, and the
// count of its calls.
func failFirst(n int) (hook func() error, calls *atomic.Int32) {
	calls = new(atomic.Int32)
	return func() error {
		if calls.Add(1) <= int32(n) {
			return errDisk
		}
		return nil
	}, calls
}

// TestFailedCommitIsRetried: a commit that fails on the disk is tried
// again with backoff: a write failing once is committed, one failing every
// time fails after commitTries tries, and Close cuts the retries short.
func TestFailedCommitIsRetried(t *testing.T) {
	tests := []struct {
		name      string
		failures  int
		wantErr   bool
		wantCalls int32
	}{
		{"fails once", 1, false, 2},
		{"fails until the last try", commitTries - 1, false, commitTries},
		{"fails every time", 1000, true, commitTries},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), FileName)
			hook, _ := failFirst(0)
			s, err := Open(path, Options{NoSync: true, FailCommit: func() error { return hook() }})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			seqs, err := s.Put([]Update{{ID: 1, Raw: raw(1)}})
			if err != nil {
				t.Fatal(err)
			}
			var calls *atomic.Int32
			hook, calls = failFirst(tt.failures)
			err = s.Finish(seqs[0])
			if (err != nil) != tt.wantErr || (err != nil && !errors.Is(err, errDisk)) {
				t.Fatalf("Finish = %v, want error %v", err, tt.wantErr)
			}
			if n := calls.Load(); n != tt.wantCalls {
				t.Errorf("%d tries, want %d", n, tt.wantCalls)
			}
			s.Close()
			s2, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s2.Close()
			u, _ := s2.Get(1)
			if done := u.State == Done; done == tt.wantErr {
				t.Errorf("after reopen the update is %s", u.State)
			}
		})
	}
}

// TestCloseCutsCommitRetriesShort: Close during a commit's backoff does
// not wait the backoff out (in a synctest bubble: fake time, so a busy
// machine cannot make it look slow).
func TestCloseCutsCommitRetriesShort(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var failing atomic.Bool
		s, err := Open(filepath.Join(t.TempDir(), FileName), Options{NoSync: true, FailCommit: func() error {
			if failing.Load() {
				return errDisk
			}
			return nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		seqs, err := s.Put([]Update{{ID: 1, Raw: raw(1)}})
		if err != nil {
			t.Fatal(err)
		}
		failing.Store(true)
		errc := make(chan error, 1)
		s.FinishLater(seqs[0], func(err error) { errc <- err })
		time.Sleep(commitBackoff / 2) // in the first backoff
		start := time.Now()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("Close took %v while a commit was being retried, want no wait", d)
		}
		if err := <-errc; !errors.Is(err, errDisk) {
			t.Errorf("the write cut short by Close: %v, want the disk error", err)
		}
	})
}

// BenchmarkBegin measures the synced commit that precedes every handling.
func BenchmarkBegin(b *testing.B) {
	s, _ := openTemp(b)
	seqs, err := s.Put([]Update{{ID: 1, Raw: raw(1)}})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.Begin(seqs[0]); err != nil {
			b.Fatal(err)
		}
	}
}
