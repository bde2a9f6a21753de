//go:build !race

package library

import (
	"os"
	"testing"
	"time"
)

// slowEnv runs TestShelfMemoryBound when set to 1.
const slowEnv = "CITEBOT_SLOW"

// TestShelfMemoryBound: 1,000 chats, each with one 100 KB document, asked
// 2,000 questions in random order (three in ten to a chat asked a moment
// before) with library_memory_mb at its default of 256: the process's
// resident memory stays under the budget plus 100 MiB, and a question to
// a chat whose library was evicted is answered within 300 ms at the 95th
// percentile. It takes minutes the first time (the corpus is built and
// cached, see shelf_bench_test.go) and a minute after, so it runs only
// with CITEBOT_SLOW=1, alone:
//
//	CITEBOT_SLOW=1 go test ./library -run TestShelfMemoryBound -count 1 -v
//
// The runtime's memory limit is the one serve sets ([Shelf.LimitMemory])
// unless GOMEMLIMIT sets another. Without the race detector only: its
// shadow memory would be measured.
func TestShelfMemoryBound(t *testing.T) {
	if os.Getenv(slowEnv) != "1" || testing.Short() {
		t.Skipf("builds and asks 1,000 chat libraries (minutes): set %s=1 to run it", slowEnv)
	}
	dir, built := benchCorpus(t)
	settle()
	if built {
		t.Log("the corpus was built by this run: its memory was returned to the system before measuring")
	}
	t0 := time.Now()
	r := measureShelf(t, dir, 2000, 20261207)
	t.Logf("question phase took %v", time.Since(t0).Round(time.Second))
	logReport(t, r)
	const mb = 1 << 20
	if limit := defaultBudget() + 100*mb; r.hwm > limit {
		t.Errorf("peak resident memory %d MiB, over the budget plus 100 MiB (%d MiB)", r.hwm/mb, limit/mb)
	}
	if p95 := r.evicted.pct(95); p95 >= 300 {
		t.Errorf("p95 of questions to evicted chats %.1f ms, want under 300 ms", p95)
	}
	if len(r.evicted) < 1000 || len(r.loaded) < 100 {
		t.Errorf("%d questions to evicted chats and %d to loaded ones: the mix measures too few of one", len(r.evicted), len(r.loaded))
	}
	if r.stats.LoadedBytes > defaultBudget() {
		t.Errorf("loaded libraries estimated at %d MiB, over the budget", r.stats.LoadedBytes/mb)
	}
	if r.quoted < r.n*9/10 {
		t.Errorf("only %d of %d answers quote the chat's own document", r.quoted, r.n)
	}
}
