package library

// The memory and latency of many chat libraries: benchChats chats, each
// with one document of about benchDocBytes (paragraphs of English-like
// words, one in four in Chinese, every document different), under the
// default memory budget (library_memory_mb 256), asked questions in
// random order. BenchmarkShelfEvictedQuestion reports the time of a
// question to a chat whose library was evicted (it is loaded from its
// file and snapshot first); TestShelfMemoryBound (shelf_memory_test.go)
// holds the process's resident memory and that latency to their bounds.
//
// Building the 1,000 indexes takes minutes, so the chats' folders and
// catalog are built once into a folder under os.TempDir named by
// benchCorpusVersion and reused by later runs (change the version when
// the corpus changes; snapshots a retrieval change made stale are
// rebuilt in place on the first run after it). Two runs at once wait for
// each other's catalog lock.
//
//	go test ./library -run '^$' -bench ShelfEvictedQuestion -benchtime 300x -count 3

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/sync/errgroup"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/config"
	"github.com/citebot/citebot/eval"
	"github.com/citebot/citebot/retrieval"
	"github.com/citebot/citebot/retrieval/document"
)

const (
	benchChats         = 1000
	benchDocBytes      = 100 << 10
	benchFirstChat     = 1_000_000 // chat i is benchFirstChat+i, its user the same
	benchCorpusVersion = "v1"
)

// benchCorpusDir is the cached corpus's folder.
func benchCorpusDir() string {
	return filepath.Join(os.TempDir(), fmt.Sprintf("citebot-shelf-bench-%s-%dx%dk", benchCorpusVersion, benchChats, benchDocBytes>>10))
}

// benchWords are the English-like words of the documents: common words,
// then made-up ones of two to four syllables.
var benchWords = func() []string {
	words := strings.Fields(`the of and to in is that it was for on are as with his they at be this from
		have or by one had not but what all were when we there can an your which their said if do will each
		about how up out them then she many some so these would other into has more her two like him see time`)
	syll := strings.Fields(`ba ce di fo gu ha ke li mo nu pa qui ro sa te vi wo xa yu ze bri cla dre fla
		gri pro stra tho vel mar ton ris lan der pen cor mis tal ven sor`)
	rng := rand.New(rand.NewPCG(7, 7))
	for len(words) < 4000 {
		var b strings.Builder
		for range 2 + rng.IntN(3) {
			b.WriteString(syll[rng.IntN(len(syll))])
		}
		words = append(words, b.String())
	}
	return words
}()

// benchHan are common Chinese characters for the Chinese paragraphs.
var benchHan = []rune("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理世车")

// benchName is chat i's document name.
func benchName(i int) string { return fmt.Sprintf("report-%04d.txt", i) }

// benchFact returns the sentence only chat i's document holds and the
// question it answers.
func benchFact(i int) (fact, question string) {
	rng := rand.New(rand.NewPCG(uint64(i), 99))
	w := func() string { return benchWords[100+rng.IntN(len(benchWords)-100)] }
	name := strings.ToUpper(w()[:1]) + w()[1:]
	fact = fmt.Sprintf("The keeper of archive %d is %s %s, who catalogued %d maps of the %s valley.",
		i, name, strings.ToUpper(w()[:1])+w()[1:], 100+rng.IntN(900), w())
	return fact, fmt.Sprintf("Who is the keeper of archive %d?", i)
}

// benchDoc returns chat i's document: paragraphs of 40-160 words (one in
// four of 60-200 Chinese characters) up to about benchDocBytes, with
// benchFact in the middle.
func benchDoc(i int) []byte {
	rng := rand.New(rand.NewPCG(uint64(i), 1))
	var b strings.Builder
	fact, _ := benchFact(i)
	for p := 0; b.Len() < benchDocBytes; p++ {
		if p == 80 {
			b.WriteString("Notes of the archive. " + fact + "\n\n")
			continue
		}
		if rng.IntN(4) == 0 {
			hanParagraph(&b, rng)
		} else {
			wordParagraph(&b, rng)
		}
		b.WriteString("\n\n")
	}
	return []byte(b.String())
}

func wordParagraph(b *strings.Builder, rng *rand.Rand) {
	n := 40 + rng.IntN(121)
	for k, left := 0, n; left > 0; k++ {
		s := min(left, 8+rng.IntN(13))
		for j := range s {
			word := benchWords[rng.IntN(len(benchWords))]
			if rng.IntN(3) == 0 {
				word = benchWords[rng.IntN(100)] // common words are common
			}
			if j == 0 {
				word = strings.ToUpper(word[:1]) + word[1:]
				if k > 0 {
					b.WriteByte(' ')
				}
			} else {
				b.WriteByte(' ')
			}
			b.WriteString(word)
		}
		b.WriteByte('.')
		left -= s
	}
}

func hanParagraph(b *strings.Builder, rng *rand.Rand) {
	n := 60 + rng.IntN(141)
	for k := range n {
		b.WriteRune(benchHan[rng.IntN(len(benchHan))])
		switch {
		case k == n-1 || rng.IntN(30) == 0:
			b.WriteString("。")
		case rng.IntN(10) == 0:
			b.WriteString("，")
		}
	}
}

// benchShelf is a shelf over a corpus folder, configured as serve is by
// default, counting the index builds that found no snapshot.
type benchShelf struct {
	*Shelf
	db     *bolt.DB
	builds atomic.Int64 // builds of a chat's index
	fresh  atomic.Int64 // of which embedded anew (no usable snapshot)
}

// openBenchShelf opens the shelf over dir with budget (bytes; 0: none).
func openBenchShelf(tb testing.TB, dir string, budget int64) *benchShelf {
	tb.Helper()
	cfg := config.Default()
	db, err := bolt.Open(filepath.Join(dir, "store.db"), 0o600, &bolt.Options{Timeout: time.Minute})
	if err != nil {
		tb.Fatal(err)
	}
	bs := &benchShelf{db: db}
	tb.Cleanup(func() { db.Close() })
	cat, err := NewBoltCatalog(db)
	if err != nil {
		tb.Fatal(err)
	}
	limits := document.Limits{MaxPassages: cfg.MaxPassagesPerDocument, MemoryBudget: int64(cfg.MemoryBudgetMB) << 20,
		MaxPassageRunes: cfg.MaxPassageRunes, VectorDims: cfg.EmbedDim}
	build := func(ctx context.Context, d string, docs []*document.Document) (*retrieval.Index, retrieval.BuildStats, error) {
		ix, st, err := retrieval.Build(ctx, docs, retrieval.Options{DataDir: d, MaxPassageRunes: cfg.MaxPassageRunes,
			VectorWeight: cfg.VectorWeight, Embedder: retrieval.LocalEmbedder(cfg.EmbedDim), EmbedderID: retrieval.LocalEmbedderID(cfg.EmbedDim)})
		if d != dir {
			bs.builds.Add(1)
			if err == nil && !st.Reused {
				bs.fresh.Add(1)
			}
		}
		return ix, st, err
	}
	shared, _, err := Open(context.Background(), Options{DataDir: dir, Build: build, Limits: limits})
	if err != nil {
		tb.Fatal(err)
	}
	_, quotas := Settings(cfg.Library)
	eng := answer.New(shared, nil, answer.Options{TopK: cfg.TopK, ContextWindow: cfg.ContextWindow, MaxCompletionTokens: cfg.MaxCompletionTokens})
	bs.Shelf, err = OpenShelf(shared, ShelfOptions{DataDir: dir, Build: build, Limits: limits, Catalog: cat,
		Engine: eng, MemoryBudget: budget, Quotas: quotas})
	if err != nil {
		tb.Fatal(err)
	}
	// The runtime's memory limit as serve sets it (unless GOMEMLIMIT).
	old := debug.SetMemoryLimit(-1)
	tb.Logf("memory limit: %d MiB", bs.LimitMemory()>>20)
	tb.Cleanup(func() { debug.SetMemoryLimit(old) })
	return bs
}

// close closes the shelf's catalog.
func (bs *benchShelf) close() { bs.db.Close() }

// defaultBudget is library_memory_mb's default in bytes.
func defaultBudget() int64 {
	budget, _ := Settings(config.Default().Library)
	return budget
}

// benchCorpus returns the cached corpus's folder, building it first when
// missing (built reports so) and rebuilding stale snapshots.
func benchCorpus(tb testing.TB) (dir string, built bool) {
	tb.Helper()
	dir = benchCorpusDir()
	if _, err := os.Stat(filepath.Join(dir, "complete")); err != nil {
		buildBenchCorpus(tb, dir)
		built = true
	}
	bs := openBenchShelf(tb, dir, defaultBudget())
	defer bs.close()
	bs.ask(tb, 0)
	if bs.fresh.Load() > 0 { // the index format changed since the corpus was built
		tb.Logf("the cached corpus's snapshots are stale: rebuilding them in %s", dir)
		bs.eachChat(tb, func(i int) error { _, err := bs.Answerer(context.Background(), benchFirstChat+int64(i)); return err })
		built = true
	}
	return dir, built
}

// buildBenchCorpus adds every chat's document to a new shelf in a
// scratch folder, then moves it to dir.
func buildBenchCorpus(tb testing.TB, dir string) {
	tb.Helper()
	tmp := dir + ".building-" + strconv.Itoa(os.Getpid())
	os.RemoveAll(tmp)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		tb.Fatal(err)
	}
	t0 := time.Now()
	bs := openBenchShelf(tb, tmp, defaultBudget())
	bs.eachChat(tb, func(i int) error {
		chat := benchFirstChat + int64(i)
		_, _, err := bs.AddOwn(context.Background(), chat, chat, benchName(i), benchDoc(i), nil)
		return err
	})
	bs.close()
	tb.Logf("built %d chat libraries of one %d KB document in %v", benchChats, benchDocBytes>>10, time.Since(t0).Round(time.Second))
	if err := os.WriteFile(filepath.Join(tmp, "complete"), nil, 0o644); err != nil {
		tb.Fatal(err)
	}
	os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		tb.Fatal(err)
	}
}

// eachChat runs f for every chat, as many at once as there are CPUs.
func (bs *benchShelf) eachChat(tb testing.TB, f func(i int) error) {
	tb.Helper()
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i := range benchChats {
		g.Go(func() error {
			if err := f(i); err != nil {
				return fmt.Errorf("chat %d: %w", i, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		tb.Fatal(err)
	}
}

// asked is one question's outcome.
type asked struct {
	took    time.Duration
	evicted bool // the chat's library was loaded for it
	cited   bool // the answer cites the chat's document
	quoted  bool // and quotes its fact's keeper
}

// ask asks chat i its question.
func (bs *benchShelf) ask(tb testing.TB, i int) asked {
	tb.Helper()
	fact, q := benchFact(i)
	keeper := strings.Fields(fact)[4]
	ctx := context.Background()
	loads := bs.Stats().Loads
	t0 := time.Now()
	eng, err := bs.Answerer(ctx, benchFirstChat+int64(i))
	if err != nil {
		tb.Fatal(err)
	}
	a, err := eng.Answer(ctx, answer.Question{Text: q}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	out := asked{took: time.Since(t0), evicted: bs.Stats().Loads > loads}
	out.cited = cites(a, benchName(i))
	out.quoted = out.cited && strings.Contains(a.Text, keeper)
	return out
}

// loadedChat reports whether chat i's library is loaded.
func (bs *benchShelf) loadedChat(i int) bool {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	return bs.loaded[benchFirstChat+int64(i)] != nil
}

// evictedChat returns a random chat whose library is not loaded.
func (bs *benchShelf) evictedChat(rng *rand.Rand) int {
	for {
		if i := rng.IntN(benchChats); !bs.loadedChat(i) {
			return i
		}
	}
}

// dropAll evicts every loaded chat library.
func (bs *benchShelf) dropAll() {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	for _, e := range bs.loaded {
		bs.drop(e)
	}
}

// fill asks random chats until the loaded libraries' estimate is within
// one library of the budget, so that every new load evicts.
func (bs *benchShelf) fill(tb testing.TB, rng *rand.Rand) {
	tb.Helper()
	for n := 0; n < benchChats; n++ {
		st := bs.Stats()
		if st.Loaded > 0 && st.LoadedBytes+st.LoadedBytes/int64(st.Loaded) > bs.opts.MemoryBudget {
			return
		}
		bs.ask(tb, bs.evictedChat(rng))
	}
}

// latencies summarises question times in milliseconds.
type latencies []float64

func (l *latencies) add(d time.Duration) { *l = append(*l, float64(d.Microseconds())/1000) }

// pct returns the p-th percentile.
func (l latencies) pct(p float64) float64 { return eval.Percentile(append(latencies(nil), l...), p) }

func (l latencies) String() string {
	return fmt.Sprintf("%d questions, p50 %.1f ms, p95 %.1f ms, max %.1f ms", len(l), l.pct(50), l.pct(95), l.pct(100))
}

// procStatus returns the fields of /proc/self/status in bytes (VmRSS,
// VmHWM, ...); empty where there is no /proc.
func procStatus() map[string]int64 {
	out := map[string]int64{}
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		fs := strings.Fields(v)
		if ok && len(fs) == 2 && fs[1] == "kB" {
			n, _ := strconv.ParseInt(fs[0], 10, 64)
			out[k] = n << 10
		}
	}
	return out
}

// resetPeakRSS makes VmHWM start again from VmRSS (Linux).
func resetPeakRSS() error { return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// settle collects garbage and returns freed memory to the system, so
// that what a previous phase (building the corpus) left does not count.
func settle() {
	runtime.GC()
	debug.FreeOSMemory()
	if err := resetPeakRSS(); err != nil && !errors.Is(err, os.ErrNotExist) {
		fmt.Fprintln(os.Stderr, "couldn't reset the peak RSS:", err)
	}
}

// BenchmarkShelfEvictedQuestion: a question to a chat whose library was
// evicted, with the loaded libraries at the default budget. Besides
// ns/op it reports the p50 and p95 of those questions, the process's
// resident memory after them and its peak (VmRSS, VmHWM), the heap in
// use and the chat libraries loaded. The runtime's memory limit is set
// as serve sets it ([Shelf.LimitMemory]).
func BenchmarkShelfEvictedQuestion(b *testing.B) {
	dir, _ := benchCorpus(b)
	settle()
	bs := openBenchShelf(b, dir, defaultBudget())
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 3))
	bs.fill(b, rng)
	var lat latencies
	for b.Loop() {
		b.StopTimer()
		i := bs.evictedChat(rng)
		b.StartTimer()
		a := bs.ask(b, i)
		if !a.evicted {
			b.Fatalf("chat %d was not loaded for its question", i)
		}
		lat.add(a.took)
	}
	b.StopTimer()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	st, proc := bs.Stats(), procStatus()
	b.ReportMetric(lat.pct(50), "p50-ms")
	b.ReportMetric(lat.pct(95), "p95-ms")
	b.ReportMetric(float64(proc["VmRSS"])/(1<<20), "rss-MB")
	b.ReportMetric(float64(proc["VmHWM"])/(1<<20), "hwm-MB")
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-inuse-MB")
	b.ReportMetric(float64(st.Loaded), "loaded-chats")
	if n := bs.fresh.Load(); n > 0 {
		b.Errorf("%d chat libraries were embedded again instead of loaded from their snapshots", n)
	}
}

// memoryReport is what TestShelfMemoryBound measured.
type memoryReport struct {
	evicted, loaded  latencies
	cited, quoted, n int
	rss, hwm         int64
	heapInuse        int64
	stats            Stats
	livePerChat      float64 // heap freed per library evicted, bytes
	estPerChat       float64 // Snapshot.Bytes per library
}

// measureShelf asks questions random chats, as TestShelfMemoryBound
// describes, and measures.
func measureShelf(tb testing.TB, dir string, questions int, seed uint64) memoryReport {
	tb.Helper()
	bs := openBenchShelf(tb, dir, defaultBudget())
	defer bs.close()
	rng := rand.New(rand.NewPCG(seed, 5))
	var r memoryReport
	var recent []int
	for range questions {
		i := rng.IntN(benchChats)
		if len(recent) > 0 && rng.IntN(10) < 3 {
			i = recent[rng.IntN(len(recent))] // asked again while it is likely still loaded
		}
		recent = append(recent[max(0, len(recent)-31):], i)
		a := bs.ask(tb, i)
		if a.evicted {
			r.evicted.add(a.took)
		} else {
			r.loaded.add(a.took)
		}
		r.n++
		if a.cited {
			r.cited++
		}
		if a.quoted {
			r.quoted++
		}
	}
	proc := procStatus()
	r.rss, r.hwm = proc["VmRSS"], proc["VmHWM"]
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	r.heapInuse = int64(ms.HeapInuse)
	r.stats = bs.Stats()
	// The libraries' live memory: the heap they hold, measured by
	// dropping them all.
	runtime.GC()
	runtime.ReadMemStats(&ms)
	with := ms.HeapAlloc
	bs.dropAll()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	if n := float64(r.stats.Loaded); n > 0 {
		r.livePerChat = (float64(with) - float64(ms.HeapAlloc)) / n
		r.estPerChat = float64(r.stats.LoadedBytes) / n
	}
	if n := bs.fresh.Load(); n > 0 {
		tb.Errorf("%d chat libraries were embedded again instead of loaded from their snapshots", n)
	}
	return r
}

// logReport logs r.
func logReport(tb testing.TB, r memoryReport) {
	tb.Helper()
	const mb = 1 << 20
	limit := debug.SetMemoryLimit(-1)
	lim := "none"
	if limit < 1<<62 {
		lim = fmt.Sprintf("%d MiB", limit/mb)
	}
	tb.Logf("questions to evicted chats: %v", r.evicted)
	tb.Logf("questions to loaded chats:  %v", r.loaded)
	tb.Logf("answers citing the chat's document: %d of %d (quoting its fact: %d)", r.cited, r.n, r.quoted)
	tb.Logf("after: VmRSS %d MiB, VmHWM %d MiB (of the question phase), heap in use %d MiB; memory limit %s, GOGC %q",
		r.rss/mb, r.hwm/mb, r.heapInuse/mb, lim, os.Getenv("GOGC"))
	tb.Logf("shelf: %d loaded, estimated %d MiB (budget %d MiB), %d loads, %d evictions",
		r.stats.Loaded, r.stats.LoadedBytes/mb, defaultBudget()/mb, r.stats.Loads, r.stats.Evictions)
	if r.estPerChat > 0 {
		tb.Logf("per loaded chat: estimate %.0f KiB, live heap %.0f KiB (live/estimate %.2f)",
			r.estPerChat/1024, r.livePerChat/1024, r.livePerChat/r.estPerChat)
	}
}
