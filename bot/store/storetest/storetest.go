// Package storetest is the conformance suite of [store.Backend]: the
// behaviour every store of record of the bot's state must share, run by
// each one's tests with [Run].
//
// The suite checks the contract, not a layout: entry numbers are compared
// by order, not value, and times carry whole microseconds, which every
// backend keeps.
package storetest

import (
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/citebot/citebot/bot/store"
	"github.com/google/go-cmp/cmp"
)

// Opener opens a backend on one place (a file, a database): every call
// opens it again, after the backend opened before was closed, and sees
// what that one committed. The backends it returns are closed at the end
// of the test that made the Opener.
type Opener func() store.Backend

// Opens makes an [Opener] of open, failing t when it fails and closing
// what it opened at the end of t.
func Opens(t *testing.T, open func() (store.Backend, error)) Opener {
	return func() store.Backend {
		t.Helper()
		s, err := open()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
}

// Run runs the suite, each case in a subtest on a new empty place made by
// newPlace for that subtest.
func Run(t *testing.T, newPlace func(t *testing.T) Opener) {
	cases := []struct {
		name string
		f    func(*testing.T, Opener)
	}{
		{"put stores and keeps state", testPutStores},
		{"put tells redeliveries from reused ids", testRedeliveries},
		{"put refuses a negative id", testNegativeID},
		{"begin counts attempts", testAttempts},
		{"set sent records messages", testSent},
		{"finish", testFinish},
		{"pending in stored order", testPendingOrder},
		{"prune keeps the newest done and all pending", testPrune},
		{"prune keeps the index of reused ids", testPruneReusedIDs},
		{"get unknown", testGetUnknown},
		{"votes", testVotes},
		{"chat settings", testChatSettings},
		{"flush waits for queued writes", testFlush},
		{"writes of an update keep their order", testOrder},
		{"concurrent writes fail alone", testConcurrentWrites},
		{"close", testClose},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.f(t, newPlace(t)) })
	}
}

// at is a time with microseconds, which every backend keeps.
var at = time.Date(2026, 12, 8, 1, 2, 3, 456789000, time.UTC)

// question is update id asking text in chat 7, as Telegram sends it.
func question(id int, text string) json.RawMessage {
	b, _ := json.Marshal(map[string]any{"update_id": id, "message": map[string]any{
		"message_id": 100 + id, "chat": map[string]any{"id": 7, "type": "private"}, "text": text}})
	return b
}

func put(t *testing.T, s store.Backend, us ...store.Update) []uint64 {
	t.Helper()
	seqs, err := s.Put(us)
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	if len(seqs) != len(us) {
		t.Fatalf("Put of %d updates returned %d entry numbers", len(us), len(seqs))
	}
	return seqs
}

func get(t *testing.T, s store.Backend, id int) store.Update {
	t.Helper()
	u, err := s.Get(id)
	if err != nil {
		t.Fatalf("Get(%d): %v", id, err)
	}
	return u
}

func pending(t *testing.T, s store.Backend) []store.Update {
	t.Helper()
	us, err := s.Pending()
	if err != nil {
		t.Fatalf("Pending: %v", err)
	}
	return us
}

func finish(t *testing.T, s store.Backend, seqs ...uint64) {
	t.Helper()
	for _, seq := range seqs {
		if err := s.Finish(seq); err != nil {
			t.Fatalf("Finish(%d): %v", seq, err)
		}
	}
}

// later calls f with a done function and returns f's outcome once done
// has received it.
func later(f func(done func(error))) error {
	errc := make(chan error, 1)
	f(func(err error) { errc <- err })
	return <-errc
}

// seqsOf returns the entry numbers of us.
func seqsOf(us []store.Update) []uint64 {
	var out []uint64
	for _, u := range us {
		out = append(out, u.Seq)
	}
	return out
}

// increasing reports whether seqs are all non-zero and growing.
func increasing(seqs []uint64) bool {
	for i, s := range seqs {
		if s == 0 || (i > 0 && s <= seqs[i-1]) {
			return false
		}
	}
	return true
}

// sameUpdate compares updates, times as instants.
var sameUpdate = cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })

func testPutStores(t *testing.T, open Opener) {
	s := open()
	in := []store.Update{
		{ID: 3, Raw: question(3, "three"), Received: at},
		{ID: 1, Raw: question(1, "one"), Received: at.Add(time.Second), Attempts: 2, Sent: []int{500, 501}},
		{ID: 2, Raw: question(2, "two"), State: store.Done},
		{ID: 1 << 40, Raw: question(1<<40, "big")},
	}
	seqs := put(t, s, in...)
	if !increasing(seqs) {
		t.Fatalf("Put = %v, want growing entry numbers", seqs)
	}
	for i := range in {
		in[i].Seq, in[i].Hash = seqs[i], store.ContentHash(in[i].Raw)
		if in[i].State == "" {
			in[i].State = store.Pending
		}
	}
	s.Close()
	s = open()
	for _, want := range in {
		if diff := cmp.Diff(want, get(t, s, want.ID), sameUpdate); diff != "" {
			t.Errorf("Get(%d) after reopening mismatch (-want +got):\n%s", want.ID, diff)
		}
	}
	if diff := cmp.Diff([]store.Update{in[0], in[1], in[3]}, pending(t, s), sameUpdate); diff != "" {
		t.Errorf("Pending mismatch (-want +got):\n%s", diff)
	}
	if seqs, err := s.Put(nil); err != nil || len(seqs) != 0 {
		t.Errorf("Put(nil) = %v, %v", seqs, err)
	}
}

// testRedeliveries: an update_id stored again with the same content
// (however formatted) is a redelivery, whatever its state; with other
// content it is a new update, stored after the old one, which keeps its
// own state and can still be finished.
func testRedeliveries(t *testing.T, open Opener) {
	s := open()
	first := put(t, s, store.Update{ID: 1, Raw: question(1, "old one")}, store.Update{ID: 2, Raw: question(2, "old two")})
	finish(t, s, first[0])
	reformatted := append([]byte(" "), question(2, "old two")...)
	seqs := put(t, s,
		store.Update{ID: 1, Raw: question(1, "old one")},   // redelivered, done
		store.Update{ID: 2, Raw: reformatted},              // redelivered, pending
		store.Update{ID: 1, Raw: question(1, "new one")},   // a reused id
		store.Update{ID: 1, Raw: question(1, "new one")},   // the same, in the same batch
		store.Update{ID: 3, Raw: question(3, "new three")}, // a new id
	)
	if seqs[0] != 0 || seqs[1] != 0 || seqs[3] != 0 || !increasing([]uint64{first[1], seqs[2], seqs[4]}) {
		t.Fatalf("Put = %v after %v, want 0, 0, a new entry, 0, a newer entry", seqs, first)
	}
	u := get(t, s, 1)
	if u.Seq != seqs[2] || u.State != store.Pending || string(u.Raw) != string(question(1, "new one")) || u.Hash != store.ContentHash(u.Raw) {
		t.Errorf("Get(1) = %+v; want the new entry %d", u, seqs[2])
	}
	if got, want := seqsOf(pending(t, s)), []uint64{first[1], seqs[2], seqs[4]}; !slices.Equal(got, want) {
		t.Errorf("pending entries %v, want %v (in the order stored)", got, want)
	}
	finish(t, s, first[1])
	if again := put(t, s, store.Update{ID: 1, Raw: question(1, "new one")}); again[0] != 0 {
		t.Errorf("the new update redelivered: Put = %v, want a redelivery", again)
	}
	if again := put(t, s, store.Update{ID: 1, Raw: question(1, "old one")}); again[0] <= seqs[4] {
		t.Errorf("the old content of a reused id: Put = %v, want a new entry (only the newest entry of an id counts)", again)
	}
}

func testNegativeID(t *testing.T, open Opener) {
	s := open()
	if _, err := s.Put([]store.Update{{ID: 1, Raw: question(1, "q")}, {ID: -1, Raw: question(-1, "q")}}); err == nil {
		t.Fatal("a negative update id was stored")
	}
	if _, err := s.Get(1); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get(1) after a failed Put: %v, want ErrNotFound (nothing of the batch stored)", err)
	}
}

// testAttempts: Begin counts handlings, EndLater takes one back (never
// below 0), and the count survives a reopen.
func testAttempts(t *testing.T, open Opener) {
	s := open()
	seqs := put(t, s, store.Update{ID: 1, Raw: question(1, "q"), Attempts: 1}, store.Update{ID: 2, Raw: question(2, "q")})
	for want := 2; want <= 3; want++ {
		if n, err := s.Begin(seqs[0]); err != nil || n != want {
			t.Fatalf("Begin = %d, %v; want %d", n, err, want)
		}
	}
	if err := later(func(done func(error)) { s.EndLater(seqs[0], done) }); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := later(func(done func(error)) { s.EndLater(seqs[1], done) }); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Begin(seqs[1] + 1000); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Begin of an unknown entry: %v, want ErrNotFound", err)
	}
	if err := later(func(done func(error)) { s.EndLater(seqs[1]+1000, done) }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("EndLater of an unknown entry: %v, want ErrNotFound", err)
	}
	s.Close()
	s = open()
	if u := get(t, s, 1); u.Attempts != 2 {
		t.Errorf("after reopening update 1 has %d attempts, want 2", u.Attempts)
	}
	if u := get(t, s, 2); u.Attempts != 0 {
		t.Errorf("update 2 ended twice, never begun, has %d attempts, want 0", u.Attempts)
	}
	if n, err := s.Begin(seqs[1]); err != nil || n != 1 {
		t.Errorf("Begin after the ends = %d, %v; want 1", n, err)
	}
}

// testSent: messages recorded by index, in any order (the gaps hold 0),
// through SetSent or SetSentLater, survive a reopen.
func testSent(t *testing.T, open Opener) {
	s := open()
	seqs := put(t, s, store.Update{ID: 10, Raw: question(10, "q")}, store.Update{ID: 11, Raw: question(11, "q")})
	if err := s.SetSent(seqs[0], 0, 1001); err != nil {
		t.Fatal(err)
	}
	if err := later(func(done func(error)) { s.SetSentLater(seqs[0], 1, 1002, done) }); err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct{ n, msg int }{{3, 2004}, {2, 2003}, {0, 2001}} {
		if err := s.SetSent(seqs[1], w.n, w.msg); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetSent(seqs[1]+1000, 0, 5); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetSent of an unknown entry: %v, want ErrNotFound", err)
	}
	if err := later(func(done func(error)) { s.SetSentLater(seqs[1]+1000, 0, 5, done) }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetSentLater of an unknown entry: %v, want ErrNotFound", err)
	}
	if err := s.SetSent(seqs[0], -1, 5); err == nil {
		t.Error("SetSent of a negative index succeeded")
	}
	s.Close()
	s = open()
	got := pending(t, s)
	if len(got) != 2 || !slices.Equal(got[0].Sent, []int{1001, 1002}) || !slices.Equal(got[1].Sent, []int{2001, 0, 2003, 2004}) {
		t.Errorf("after reopening Pending = %+v; want sent 1001, 1002 and 2001, 0, 2003, 2004", got)
	}
}

func testFinish(t *testing.T, open Opener) {
	s := open()
	seqs := put(t, s, store.Update{ID: 1, Raw: question(1, "q")}, store.Update{ID: 2, Raw: question(2, "q")}, store.Update{ID: 3, Raw: question(3, "q")})
	finish(t, s, seqs[0])
	if err := later(func(done func(error)) { s.FinishLater(seqs[2], done) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Finish(seqs[2] + 1000); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Finish of an unknown entry: %v, want ErrNotFound", err)
	}
	if err := later(func(done func(error)) { s.FinishLater(seqs[2]+1000, done) }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("FinishLater of an unknown entry: %v, want ErrNotFound", err)
	}
	finish(t, s, seqs[0]) // again: still done
	s.Close()
	s = open()
	if got := seqsOf(pending(t, s)); !slices.Equal(got, seqs[1:2]) {
		t.Errorf("pending %v, want %v", got, seqs[1:2])
	}
	for id, want := range map[int]store.State{1: store.Done, 2: store.Pending, 3: store.Done} {
		if u := get(t, s, id); u.State != want {
			t.Errorf("update %d is %s, want %s", id, u.State, want)
		}
	}
}

// testPendingOrder: Pending lists the updates not done in the order they
// were stored, across Puts, with their attempts and messages.
func testPendingOrder(t *testing.T, open Opener) {
	s := open()
	var all []uint64
	for _, batch := range [][]int{{30, 10}, {20}, {5, 40, 1}} {
		var us []store.Update
		for _, id := range batch {
			us = append(us, store.Update{ID: id, Raw: question(id, "q")})
		}
		all = append(all, put(t, s, us...)...)
	}
	if !increasing(all) {
		t.Fatalf("entry numbers %v do not grow across Puts", all)
	}
	finish(t, s, all[1], all[4])
	if _, err := s.Begin(all[3]); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSent(all[3], 0, 77); err != nil {
		t.Fatal(err)
	}
	got := pending(t, s)
	var ids []int
	for _, u := range got {
		ids = append(ids, u.ID)
	}
	if want := []int{30, 20, 5, 1}; !slices.Equal(ids, want) {
		t.Fatalf("Pending ids %v, want %v", ids, want)
	}
	if u := got[2]; u.Attempts != 1 || !slices.Equal(u.Sent, []int{77}) || u.Seq != all[3] {
		t.Errorf("pending update 5 = %+v; want entry %d, 1 attempt, message 77 sent", u, all[3])
	}
}

func testPrune(t *testing.T, open Opener) {
	s := open()
	var us []store.Update
	for id := 1; id <= 10; id++ {
		st := store.Done
		if id == 2 || id == 9 {
			st = store.Pending
		}
		us = append(us, store.Update{ID: id, Raw: question(id, "q"), State: st})
	}
	put(t, s, us...)
	if n, err := s.Prune(3); err != nil || n != 5 {
		t.Fatalf("Prune(3) = %d, %v; want 5 deleted", n, err)
	}
	var left []int
	for id := 1; id <= 10; id++ {
		if _, err := s.Get(id); err == nil {
			left = append(left, id)
		} else if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Get(%d): %v", id, err)
		}
	}
	if want := []int{2, 7, 8, 9, 10}; !slices.Equal(left, want) {
		t.Errorf("left %v, want %v", left, want)
	}
	if n, err := s.Prune(3); err != nil || n != 0 {
		t.Errorf("Prune(3) again = %d, %v; want 0", n, err)
	}
	if n, err := s.Prune(0); err != nil || n != 3 {
		t.Errorf("Prune(0) = %d, %v; want 3", n, err)
	}
	if got := len(pending(t, s)); got != 2 {
		t.Errorf("%d pending after pruning, want 2", got)
	}
	if again := put(t, s, store.Update{ID: 10, Raw: question(10, "q")}); again[0] == 0 {
		t.Error("a pruned update came back as a redelivery, want a new entry")
	}
}

// testPruneReusedIDs: pruning an old entry whose id was reused keeps the
// id's newest entry findable.
func testPruneReusedIDs(t *testing.T, open Opener) {
	s := open()
	for _, text := range []string{"old", "new"} {
		finish(t, s, put(t, s, store.Update{ID: 5, Raw: question(5, text)}, store.Update{ID: 6, Raw: question(6, text)})...)
	}
	if n, err := s.Prune(2); err != nil || n != 2 {
		t.Fatalf("Prune(2) = %d, %v; want the 2 old entries deleted", n, err)
	}
	for _, id := range []int{5, 6} {
		if u := get(t, s, id); string(u.Raw) != string(question(id, "new")) {
			t.Errorf("Get(%d) = %s; want the new entry", id, u.Raw)
		}
	}
	if again := put(t, s, store.Update{ID: 5, Raw: question(5, "new")}); again[0] != 0 {
		t.Error("the newest entry of a reused id, redelivered after pruning, was stored again")
	}
	if n, err := s.Prune(0); err != nil || n != 2 {
		t.Fatalf("Prune(0) = %d, %v", n, err)
	}
	if _, err := s.Get(5); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get after pruning everything: %v, want ErrNotFound", err)
	}
}

func testGetUnknown(t *testing.T, open Opener) {
	s := open()
	put(t, s, store.Update{ID: 1, Raw: question(1, "q")})
	for _, id := range []int{2, 0, -1} {
		if _, err := s.Get(id); err == nil {
			t.Errorf("Get(%d) of an update never stored succeeded", id)
		}
	}
	if _, err := s.Get(2); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get(2): %v, want ErrNotFound", err)
	}
}

// testFlush: what was queued before Flush is committed, and its done
// functions called, when Flush returns.
func testFlush(t *testing.T, open Opener) {
	s := open()
	var us []store.Update
	for id := 1; id <= 50; id++ {
		us = append(us, store.Update{ID: id, Raw: question(id, "q")})
	}
	seqs := put(t, s, us...)
	var called atomic.Int32
	count := func(err error) {
		if err == nil {
			called.Add(1)
		}
	}
	for i, seq := range seqs {
		s.SetSentLater(seq, 0, 1000+i, count)
		s.FinishLater(seq, count)
		s.EndLater(seq, count)
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := called.Load(); n != 3*int32(len(seqs)) {
		t.Errorf("%d of %d queued writes reported when Flush returned", n, 3*len(seqs))
	}
	s.Close()
	s = open()
	if got := pending(t, s); len(got) != 0 {
		t.Errorf("after Flush and reopening %d pending, want none", len(got))
	}
	if u := get(t, s, 50); !slices.Equal(u.Sent, []int{1049}) {
		t.Errorf("update 50 sent %v, want 1049", u.Sent)
	}
}

// testOrder: writes of one update queued one after the other are
// committed in that order.
func testOrder(t *testing.T, open Opener) {
	s := open()
	seqs := put(t, s, store.Update{ID: 1, Raw: question(1, "q")})
	errs := make(chan error, 40)
	for n := range 20 {
		s.SetSentLater(seqs[0], n, 100+n, func(err error) { errs <- err })
	}
	s.FinishLater(seqs[0], func(err error) { errs <- err })
	if err := s.SetSent(seqs[0], 0, 99); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	u := get(t, s, 1)
	if u.State != store.Done || len(u.Sent) != 20 || u.Sent[0] != 99 || u.Sent[19] != 119 {
		t.Errorf("update = %s with sent %v; want done, 99, 101, ..., 119", u.State, u.Sent)
	}
}

// testConcurrentWrites writes from many goroutines at once, half of them
// to unknown entries: every good write is committed, every bad one fails
// alone.
func testConcurrentWrites(t *testing.T, open Opener) {
	s := open()
	const n = 100
	var us []store.Update
	for id := 1; id <= n; id++ {
		us = append(us, store.Update{ID: id, Raw: question(id, "q")})
	}
	seqs := put(t, s, us...)
	var wg sync.WaitGroup
	errs := make([]error, 2*n)
	for i := range n {
		wg.Go(func() { errs[2*i] = s.SetSent(seqs[i], 0, 1000+i) })
		wg.Go(func() { errs[2*i+1] = s.SetSent(seqs[n-1]+uint64(1+i), 0, 1) })
	}
	wg.Wait()
	for i, err := range errs {
		if bad := i%2 == 1; bad != errors.Is(err, store.ErrNotFound) {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	for i, u := range pending(t, s) {
		if !slices.Equal(u.Sent, []int{1000 + i}) {
			t.Fatalf("update %d sent %v, want %d", u.ID, u.Sent, 1000+i)
		}
	}
}

// Benchmark measures the writes of one update's handling on s: Put, Begin,
// EndLater and Finish (which waits for the EndLater queued before it).
func Benchmark(b *testing.B, s store.Backend) {
	id := 0
	for b.Loop() {
		id++
		seqs, err := s.Put([]store.Update{{ID: id, Raw: question(id, "q"), Received: at}})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Begin(seqs[0]); err != nil {
			b.Fatal(err)
		}
		s.EndLater(seqs[0], func(err error) {
			if err != nil {
				b.Error(err)
			}
		})
		if err := s.Finish(seqs[0]); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Flush(); err != nil {
		b.Fatal(err)
	}
}
