// Package catalogtest is the conformance suite of [library.Catalog]: the
// behaviour every implementation must share, run by each one's tests
// with [Run].
package catalogtest

import (
	stdcmp "cmp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citebot/citebot/library"
	"github.com/google/go-cmp/cmp"
)

// Run runs the suite, each case in a subtest on a new empty catalog from
// open (which closes it at the end of the subtest it is given).
func Run(t *testing.T, open func(t *testing.T) library.Catalog) {
	cases := []struct {
		name string
		f    func(*testing.T, library.Catalog)
	}{
		{"empty", testEmpty},
		{"put and list", testPutAndList},
		{"put replaces", testPutReplaces},
		{"delete", testDelete},
		{"count up to the limit", testCountLimit},
		{"count per user and day", testCountPerUserAndDay},
		{"uncount", testUncount},
		{"concurrent counts keep the limit", testConcurrentCounts},
		{"touch and last used", testTouch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.f(t, open(t)) })
	}
}

// added is a time with microseconds, which every catalog keeps.
var added = time.Date(2026, 12, 7, 10, 11, 12, 345678000, time.UTC)

// docs returns c's records of chat, with times in UTC for comparison.
func docs(t *testing.T, c library.Catalog, chat int64) []library.DocRecord {
	t.Helper()
	got, err := c.Docs(chat)
	if err != nil {
		t.Fatalf("Docs(%d): %v", chat, err)
	}
	return inUTC(got)
}

// all returns every record of c in (chat, name) order, times in UTC.
func all(t *testing.T, c library.Catalog) []library.DocRecord {
	t.Helper()
	got, err := c.All()
	if err != nil {
		t.Fatalf("All: %v", err)
	}
	got = inUTC(got)
	slices.SortFunc(got, func(a, b library.DocRecord) int {
		if a.Chat != b.Chat {
			return stdcmp.Compare(a.Chat, b.Chat)
		}
		return strings.Compare(a.Name, b.Name)
	})
	return got
}

func inUTC(rs []library.DocRecord) []library.DocRecord {
	for i := range rs {
		rs[i].Added = rs[i].Added.UTC()
	}
	return rs
}

func put(t *testing.T, c library.Catalog, rs ...library.DocRecord) {
	t.Helper()
	for _, r := range rs {
		if err := c.Put(r); err != nil {
			t.Fatalf("Put(%+v): %v", r, err)
		}
	}
}

// count calls CountUpload and fails t on an error.
func count(t *testing.T, c library.Catalog, user int64, day string, limit int) bool {
	t.Helper()
	ok, err := c.CountUpload(user, day, limit)
	if err != nil {
		t.Fatalf("CountUpload(%d, %s, %d): %v", user, day, limit, err)
	}
	return ok
}

// counts calls CountUpload n times and returns how many it counted.
func counts(t *testing.T, c library.Catalog, user int64, day string, limit, n int) int {
	t.Helper()
	got := 0
	for range n {
		if count(t, c, user, day, limit) {
			got++
		}
	}
	return got
}

func testEmpty(t *testing.T, c library.Catalog) {
	if got := docs(t, c, 1); len(got) != 0 {
		t.Errorf("Docs of a new catalog = %v", got)
	}
	if got := all(t, c); len(got) != 0 {
		t.Errorf("All of a new catalog = %v", got)
	}
	used, err := c.LastUsed()
	if err != nil || len(used) != 0 {
		t.Errorf("LastUsed of a new catalog = %v, %v", used, err)
	}
}

func testPutAndList(t *testing.T, c library.Catalog) {
	// Names in byte order, which is not a dictionary's: "B" < "a" < "é".
	a := library.DocRecord{Chat: 42, Name: "a.txt", Uploader: 7, Bytes: 1 << 40, Passages: 12, Added: added}
	b := library.DocRecord{Chat: 42, Name: "B.pdf", Uploader: 8, Bytes: 5, Passages: 1, Added: added.Add(time.Hour)}
	e := library.DocRecord{Chat: 42, Name: "é 文件.md", Uploader: 7, Bytes: 9, Passages: 100_000, Added: added}
	group := library.DocRecord{Chat: -1001234567890, Name: "a.txt", Uploader: 7, Bytes: 3, Passages: 2, Added: added}
	put(t, c, e, a, group, b)
	if diff := cmp.Diff([]library.DocRecord{b, a, e}, docs(t, c, 42)); diff != "" {
		t.Errorf("Docs(42) mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]library.DocRecord{group}, docs(t, c, group.Chat)); diff != "" {
		t.Errorf("Docs(group) mismatch (-want +got):\n%s", diff)
	}
	if got := docs(t, c, 43); len(got) != 0 {
		t.Errorf("Docs of a chat without documents = %v", got)
	}
	if diff := cmp.Diff([]library.DocRecord{group, b, a, e}, all(t, c)); diff != "" {
		t.Errorf("All mismatch (-want +got):\n%s", diff)
	}
}

func testPutReplaces(t *testing.T, c library.Catalog) {
	r := library.DocRecord{Chat: 5, Name: "x.txt", Uploader: 1, Bytes: 10, Passages: 1, Added: added}
	put(t, c, r)
	r.Uploader, r.Bytes, r.Passages, r.Added = 2, 20, 3, added.Add(time.Minute)
	put(t, c, r)
	if diff := cmp.Diff([]library.DocRecord{r}, docs(t, c, 5)); diff != "" {
		t.Errorf("Docs after a second Put mismatch (-want +got):\n%s", diff)
	}
}

func testDelete(t *testing.T, c library.Catalog) {
	x := library.DocRecord{Chat: 5, Name: "x.txt", Added: added}
	y := library.DocRecord{Chat: 5, Name: "y.txt", Added: added}
	other := library.DocRecord{Chat: 6, Name: "x.txt", Added: added}
	put(t, c, x, y, other)
	if err := c.Delete(5, "x.txt"); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(5, "absent.txt"); err != nil {
		t.Fatalf("Delete of an absent document: %v", err)
	}
	if err := c.Delete(7, "x.txt"); err != nil {
		t.Fatalf("Delete in a chat without documents: %v", err)
	}
	if diff := cmp.Diff([]library.DocRecord{y, other}, all(t, c)); diff != "" {
		t.Errorf("All after Delete mismatch (-want +got):\n%s", diff)
	}
}

func testCountLimit(t *testing.T, c library.Catalog) {
	const day = "2026-12-07"
	if got := counts(t, c, 1, day, 3, 5); got != 3 {
		t.Errorf("counted %d of 5 uploads with limit 3, want 3", got)
	}
	if !count(t, c, 1, day, 4) {
		t.Error("a higher limit did not count a fourth upload")
	}
	if got := counts(t, c, 1, day, 0, 10); got != 10 {
		t.Errorf("counted %d of 10 uploads without a limit, want 10", got)
	}
	if count(t, c, 1, day, 14) {
		t.Error("counted a 15th upload with limit 14")
	}
}

func testCountPerUserAndDay(t *testing.T, c library.Catalog) {
	const day, next = "2026-12-07", "2026-12-08"
	if got := counts(t, c, 1, day, 2, 2); got != 2 {
		t.Fatalf("counted %d of 2 uploads with limit 2", got)
	}
	if !count(t, c, 2, day, 2) {
		t.Error("user 1's uploads counted against user 2")
	}
	if got := counts(t, c, 1, next, 2, 3); got != 2 {
		t.Errorf("counted %d of 3 uploads on the next day with limit 2, want 2: the day before counted", got)
	}
	if got := counts(t, c, 2, next, 2, 3); got != 2 {
		t.Errorf("user 2 counted %d of 3 uploads on the next day with limit 2, want 2", got)
	}
}

func testUncount(t *testing.T, c library.Catalog) {
	const day = "2026-12-07"
	if err := c.UncountUpload(1, day); err != nil {
		t.Fatalf("UncountUpload with nothing counted: %v", err)
	}
	if got := counts(t, c, 1, day, 2, 3); got != 2 {
		t.Fatalf("counted %d of 3 uploads with limit 2 after taking back nothing, want 2", got)
	}
	if err := c.UncountUpload(1, day); err != nil {
		t.Fatal(err)
	}
	if got := counts(t, c, 1, day, 2, 2); got != 1 {
		t.Errorf("counted %d of 2 uploads after taking one back, want 1", got)
	}
	for range 3 {
		if err := c.UncountUpload(1, day); err != nil {
			t.Fatal(err)
		}
	}
	if got := counts(t, c, 1, day, 2, 3); got != 2 {
		t.Errorf("counted %d of 3 uploads with limit 2 after taking back more than counted, want 2", got)
	}
	if err := c.UncountUpload(1, "2026-12-06"); err != nil {
		t.Fatalf("UncountUpload of another day: %v", err)
	}
	if count(t, c, 1, day, 2) {
		t.Error("taking back another day's upload freed one of this day")
	}
}

func testConcurrentCounts(t *testing.T, c library.Catalog) {
	const day, limit, callers = "2026-12-07", 7, 40
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := map[int64]int{}
	errs := make(chan error, 2*callers)
	for i := range 2 * callers {
		user := int64(1 + i%2)
		wg.Go(func() {
			ok, err := c.CountUpload(user, day, limit)
			if err != nil {
				errs <- err
				return
			}
			if ok {
				mu.Lock()
				got[user]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if want := map[int64]int{1: limit, 2: limit}; !cmp.Equal(got, want) {
		t.Errorf("%d concurrent calls per user counted %v, want %v", callers, got, want)
	}
}

func testTouch(t *testing.T, c library.Catalog) {
	t1 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	t2 := time.Date(2026, 12, 3, 9, 30, 15, 0, time.UTC)
	for _, touch := range []struct {
		chat int64
		at   time.Time
	}{{1, t1}, {-100, t1}, {1, t2.Add(999 * time.Millisecond)}} {
		if err := c.Touch(touch.chat, touch.at); err != nil {
			t.Fatal(err)
		}
	}
	used, err := c.LastUsed()
	if err != nil {
		t.Fatal(err)
	}
	if len(used) != 2 || !used[1].Equal(t2) || !used[-100].Equal(t1) {
		t.Errorf("LastUsed = %v, want chat 1 at %v (whole seconds) and chat -100 at %v", used, t2, t1)
	}
}
