package document

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/citebot/citebot/retrieval/pdf"
	"github.com/citebot/citebot/retrieval/pdf/pdftest"
)

// defaultLimits are the limits of the default settings with the local
// embedder: max_passages_per_document 20000, memory_budget_mb 256.
var defaultLimits = Limits{MaxPassages: 20000, MemoryBudget: 256 << 20, VectorDims: 384}

// tinyParagraphs returns n one-character paragraphs, blank-line separated:
// 3n bytes.
func tinyParagraphs(n int) []byte { return generatedText(3*n, "a\n\n") }

// checkLimitError fails tb unless err is the [*LimitError] want, naming
// setting.
func checkLimitError(tb testing.TB, err error, want, setting string) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("no error, want %q", want)
	}
	if err.Error() != want {
		tb.Errorf("error = %q\nwant    %q", err, want)
	}
	le, ok := errors.AsType[*LimitError](err)
	if !ok || !errors.Is(err, ErrOverLimit) || le.Setting != setting {
		tb.Errorf("error %v is not a LimitError of %s wrapping ErrOverLimit", err, setting)
	}
}

// peakOf runs f and returns the peak of the live heap above what it was
// before.
func peakOf(f func()) uint64 {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	stop := peakHeap()
	f()
	peak := stop()
	return peak - min(peak, before.HeapAlloc)
}

// TestLimitsRefuseTinyParagraphs parses the file that took 2.7 GB to
// index (2.4 MB of one-character paragraphs) and a 20 MiB upload of them:
// both are refused with an error naming the limit and its setting, in
// memory that follows the file's bytes.
func TestLimitsRefuseTinyParagraphs(t *testing.T) {
	noPassageLimit := defaultLimits
	noPassageLimit.MaxPassages = 0
	tests := []struct {
		name    string
		limits  Limits
		raw     []byte
		want    string
		setting string
	}{
		{"2.4 MB, default limits", defaultLimits, tinyParagraphs(800_000),
			"notes.txt: 800000 paragraphs, over the limit of 20000 passages per document (max_passages_per_document)", MaxPassagesSetting},
		{"2.4 MB, no passage limit", noPassageLimit, tinyParagraphs(800_000),
			"notes.txt: 800000 paragraphs would need ~2.7 GB, over the memory budget of 256 MB (memory_budget_mb)", MemoryBudgetSetting},
		{"20 MiB upload, default limits", defaultLimits, generatedText(20<<20, "a\n\n"),
			"notes.txt: 6990507 paragraphs, over the limit of 20000 passages per document (max_passages_per_document)", MaxPassagesSetting},
		{"20 MiB upload, no passage limit", noPassageLimit, generatedText(20<<20, "a\n\n"),
			"notes.txt: 6990507 paragraphs would need ~23.2 GB, over the memory budget of 256 MB (memory_budget_mb)", MemoryBudgetSetting},
		{"20 MiB upload, smaller budget", Limits{MemoryBudget: 128 << 20}, generatedText(20<<20, "a\n\n"),
			"notes.txt: 20 MB of text would need ~240 MB, over the memory budget of 128 MB (memory_budget_mb)", MemoryBudgetSetting},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			peak := peakOf(func() { _, err = tc.limits.Parse("notes.txt", tc.raw) })
			checkLimitError(t, err, tc.want, tc.setting)
			t.Logf("peak heap %.1f MB parsing %.1f MB", float64(peak)/(1<<20), float64(len(tc.raw))/(1<<20))
			// The file, its normalised and rebuilt copies and at most the
			// paragraphs the limits allow.
			if limit := uint64(4*len(tc.raw) + 16<<20); peak > limit {
				t.Errorf("peak heap %d MB parsing %d MB, want at most %d MB", peak>>20, len(tc.raw)>>20, limit>>20)
			}
		})
	}
}

func TestLimitsAcceptWithin(t *testing.T) {
	raw := tinyParagraphs(20_000)
	doc, err := defaultLimits.Parse("notes.txt", raw)
	if err != nil {
		t.Fatalf("20000 paragraphs, the limit: %v", err)
	}
	passages, bytes := defaultLimits.Estimate(doc)
	if passages != 20_000 || bytes != 20_000*(2*4*384+passageOverhead)+int64(len(doc.Text))*textOverhead {
		t.Errorf("Estimate = %d passages, %d bytes", passages, bytes)
	}
	_, err = defaultLimits.Parse("notes.txt", tinyParagraphs(20_001))
	checkLimitError(t, err, "notes.txt: 20001 paragraphs, over the limit of 20000 passages per document (max_passages_per_document)", MaxPassagesSetting)
	if _, err := (Limits{}).Parse("notes.txt", tinyParagraphs(100_000)); err != nil {
		t.Errorf("no limits: %v", err)
	}
}

// TestLimitsCountWindows checks that the passage limit counts the windows
// of long paragraphs, not only paragraphs.
func TestLimitsCountWindows(t *testing.T) {
	long := strings.Repeat("这是一个很长的句子，用来测试窗口。", 100) // 1700 runes: two windows at 1000
	raw := []byte(strings.Repeat(long+"\n\n", 6))
	l := Limits{MaxPassages: 10}
	_, err := l.Parse("long.txt", raw)
	checkLimitError(t, err, "long.txt: 12 passages, over the limit of 10 passages per document (max_passages_per_document)", MaxPassagesSetting)
	l.MaxPassageRunes = 2000
	if _, err := l.Parse("long.txt", raw); err != nil {
		t.Errorf("6 passages of up to 2000 runes: %v", err)
	}
}

func TestBudgetAdd(t *testing.T) {
	l := Limits{MemoryBudget: 1 << 20, VectorDims: 384}
	doc := func(name string, paragraphs int) *Document {
		t.Helper()
		d, err := Parse(name, tinyParagraphs(paragraphs))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	b := Budget{Limits: l}
	if err := b.Add(doc("a.txt", 100)); err != nil {
		t.Fatal(err)
	}
	used := b.Used()
	if err := b.Add(doc("b.txt", 100)); err != nil {
		t.Fatal(err)
	}
	err := b.Add(doc("c.txt", 200))
	checkLimitError(t, err, "c.txt: 200 passages would need ~695 KB, with the 2 other documents ~1.4 MB, over the memory budget of 1.0 MB (memory_budget_mb)", MemoryBudgetSetting)
	if b.Used() != 2*used {
		t.Errorf("a refused document was charged: used %d, want %d", b.Used(), 2*used)
	}
	one := Budget{Limits: l}
	one.Add(doc("a.txt", 100))
	checkLimitError(t, one.Add(doc("c.txt", 250)),
		"c.txt: 250 passages would need ~869 KB, with the other document ~1.2 MB, over the memory budget of 1.0 MB (memory_budget_mb)", MemoryBudgetSetting)
	checkLimitError(t, Limits{MemoryBudget: 1 << 20}.Check([]*Document{doc("big.txt", 100)}),
		"big.txt: 100 passages would need ~1.2 MB, over the memory budget of 1.0 MB (memory_budget_mb)", MemoryBudgetSetting)
}

func TestLoadLimits(t *testing.T) {
	dir := t.TempDir()
	big := writeDocFile(t, dir, "big.txt", strings.Repeat("一句话。\n\n", 200_000)) // 2.8 MB
	small := writeDocFile(t, dir, "small.txt", string(tinyParagraphs(3000)))
	other := writeDocFile(t, dir, "other.md", string(tinyParagraphs(3000)))
	tests := []struct {
		name    string
		limits  Limits
		paths   []string
		want    string
		setting string
	}{
		{"text too large, refused before reading", Limits{MemoryBudget: 16 << 20}, []string{big},
			big + ": 2.7 MB of text would need ~32 MB, over the memory budget of 16 MB (memory_budget_mb)", MemoryBudgetSetting},
		{"too many paragraphs", defaultLimits, []string{big},
			big + ": 200000 paragraphs, over the limit of 20000 passages per document (max_passages_per_document)", MaxPassagesSetting},
		{"each fits, not together", Limits{MemoryBudget: 12 << 20, VectorDims: 384}, []string{small, other},
			"other.md: 3000 passages would need ~10 MB, with the other document ~20 MB, over the memory budget of 12 MB (memory_budget_mb)", MemoryBudgetSetting},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			docs, err := tc.limits.Load(tc.paths)
			if err == nil {
				t.Fatalf("Load = %d documents, want an error", len(docs))
			}
			checkLimitError(t, err, tc.want, tc.setting)
		})
	}
	if docs, err := defaultLimits.Load([]string{small, other}); err != nil || len(docs) != 2 {
		t.Errorf("Load within the limits = %d documents, %v", len(docs), err)
	}
	if docs, err := defaultLimits.Load(nil); err != nil || len(docs) != 1 {
		t.Errorf("Load of the sample within the limits = %d documents, %v", len(docs), err)
	}
}

// TestEstimateCountsPassages checks that Estimate counts what Passages
// makes, on the sample and the eval corpora.
func TestEstimateCountsPassages(t *testing.T) {
	docs := []*Document{Sample()}
	for _, name := range []string{"cmrc2018_trial.txt", "drcd_dev.txt"} {
		raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "eval", name))
		if err != nil {
			t.Fatal(err)
		}
		d, err := Parse(name, raw)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	for _, d := range docs {
		for _, max := range []int{0, 50, 200, 1000} {
			t.Run(fmt.Sprint(d.Name, max), func(t *testing.T) {
				n, _ := Limits{MaxPassageRunes: max}.Estimate(d)
				if want := len(Passages(d, max)); n != want {
					t.Errorf("Estimate counts %d passages, Passages makes %d", n, want)
				}
			})
		}
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0 KB", 1: "1 KB", 1024: "1 KB", 1025: "2 KB", 1 << 20: "1.0 MB", 3<<20 + 400<<10: "3.4 MB",
		10 << 20: "10 MB", 255<<20 + 600<<10: "256 MB", 1 << 30: "1.0 GB", 2254857830: "2.1 GB",
	} {
		if got := formatBytes(n); got != want {
			t.Errorf("formatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

// FuzzLimits checks, on any text, that the passage count of Estimate is
// that of Passages, and that Parse within limits either refuses the text
// with a LimitError or returns what Parse returns.
func FuzzLimits(f *testing.F) {
	f.Add([]byte("a\n\nb\n\nc\n\n"), 2, 40)
	f.Add([]byte("# T\n\n一二三。四五六。\n\n- a\n- b\n"), 0, 5)
	f.Fuzz(func(t *testing.T, raw []byte, maxPassages, maxRunes int) {
		maxPassages, maxRunes = max(0, maxPassages%50), maxRunes%300
		doc, err := Parse("fuzz.md", raw)
		if err != nil {
			return
		}
		l := Limits{MaxPassages: maxPassages, MaxPassageRunes: maxRunes}
		n, _ := l.Estimate(doc)
		if want := len(Passages(doc, maxRunes)); n != want {
			t.Fatalf("Estimate counts %d passages, Passages makes %d", n, want)
		}
		limited, err := l.Parse("fuzz.md", raw)
		switch {
		case err != nil && !errors.Is(err, ErrOverLimit):
			t.Fatalf("Parse within %+v: %v, want a LimitError", l, err)
		case err != nil && (maxPassages == 0 || n <= maxPassages):
			t.Fatalf("%d passages refused by %+v: %v", n, l, err)
		case err == nil && maxPassages > 0 && n > maxPassages:
			t.Fatalf("%d passages accepted by %+v", n, l)
		case err == nil && limited.Text != doc.Text:
			t.Fatalf("Parse within limits rebuilt another text")
		}
	})
}

// TestParsePDFLimits checks that the extractor's limits reach the caller
// as one-line errors naming the file.
func TestParsePDFLimits(t *testing.T) {
	raw := pdftest.Repeated(pdf.MaxPages+1, "BT /F1 12 Tf 72 700 Td (Hello.) Tj ET\n", 1)
	_, err := defaultLimits.Parse("book.pdf", raw)
	pdftest.CheckError(t, err, "book.pdf: PDF too large to read (more than 2000 pages)", pdf.ErrTooLarge)
}
