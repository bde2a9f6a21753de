package extract

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citebot/citebot/retrieval/ocr"
	"github.com/citebot/citebot/retrieval/pdf"
	"github.com/citebot/citebot/retrieval/pdf/pdftest"
)

// samplePDF returns the bundled sample document laid out as a PDF in a
// CJK font, its paragraphs wrapped over lines and pages.
func samplePDF(tb testing.TB) []byte {
	tb.Helper()
	pdftest.RequireCJKFont(tb)
	raw, err := os.ReadFile(filepath.Join("..", "document", "sample", "yangtze-symposium.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	var paras []string
	for p := range strings.SplitSeq(string(raw), "\n\n") {
		if p = strings.Join(strings.Fields(p), ""); p != "" {
			paras = append(paras, p)
		}
	}
	l := pdftest.CJK()
	l.Title, l.Subtitle, l.Paragraphs = paras[0], "", paras[1:]
	return pdftest.Write(tb, l)
}

func TestFilePDF(t *testing.T) {
	latin := pdftest.Latin()
	latin.BreakBefore = 2
	raw := pdftest.Write(t, latin)
	want, err := pdf.Extract("keepers.pdf", raw)
	if err != nil {
		t.Fatal(err)
	}
	wantPages := strings.Count(want, "\f") + 1
	for _, isolated := range []bool{false, true} {
		t.Run(map[bool]string{false: "in process", true: "isolated"}[isolated], func(t *testing.T) {
			e := &Extractor{Isolated: isolated}
			res, err := e.Extract(context.Background(), "keepers.pdf", raw, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res != (Result{Kind: PDF, Text: want, HardWrapped: true, Pages: wantPages}) {
				t.Errorf("Extract = %+v, want the text of pdf.Extract, hard-wrapped, %d pages", res, wantPages)
			}
		})
	}
}

func TestFileErrors(t *testing.T) {
	noOCR := Options{}
	tests := []struct {
		name, file string
		raw        []byte
		want       string
		is         []error
	}{
		{"scanned PDF without OCR", "scan.pdf", pdftest.Scanned(t),
			"scan.pdf: this PDF has no text layer; install OCR support (see README)", []error{ErrNoTextLayer, pdf.ErrNoTextLayer}},
		{"image without OCR", "photo.png", pngMagic,
			"photo.png: reading images needs OCR support; see README", []error{ErrNoOCR}},
		{"damaged PDF", "bad.pdf", []byte("%PDF-1.4\nnothing else"), "bad.pdf: not a readable PDF", []error{pdf.ErrUnreadable}},
		{"text named .pdf", "notes.pdf", []byte("notes"), "notes.pdf: not a PDF file (its content is not one)", nil},
	}
	for _, tc := range tests {
		for _, isolated := range []bool{false, true} {
			t.Run(tc.name+map[bool]string{false: "", true: ", isolated"}[isolated], func(t *testing.T) {
				e := &Extractor{Options: noOCR, Isolated: isolated}
				_, err := e.Extract(context.Background(), tc.file, tc.raw, nil)
				if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
					t.Fatalf("Extract = %v, want an error starting %q", err, tc.want)
				}
				for _, is := range tc.is {
					if !errors.Is(err, is) {
						t.Errorf("error %q is not %q", err, is)
					}
				}
			})
		}
	}
}

// TestIsolatedHostilePDFs reads every hostile PDF of pdftest in a child:
// each ends in an error, a damaged file or a clean one, and the test
// process lives on.
func TestIsolatedHostilePDFs(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 17 hostile PDFs in child processes")
	}
	e := &Extractor{Isolated: true, Limits: ChildLimits{Wall: 15 * time.Second}}
	var wg sync.WaitGroup
	for _, c := range pdftest.Hostile() {
		raw := c.Build()
		wg.Go(func() {
			start := time.Now()
			res, err := e.Extract(context.Background(), "hostile.pdf", raw, nil)
			if err == nil {
				t.Logf("%s: read (%d bytes of text)", c.Name, len(res.Text))
				return
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("%s: error of several lines: %q", c.Name, err)
			}
			if de, ok := errors.AsType[*DamagedError](err); ok {
				err = errors.New(de.LogValue().String())
			}
			t.Logf("%s: %v (%v)", c.Name, err, time.Since(start).Round(time.Millisecond))
		})
	}
	wg.Wait()
}

func TestCache(t *testing.T) {
	dir := t.TempDir()
	raw := hookFile("progress")
	e := &Extractor{Isolated: true, CacheDir: dir, Limits: testLimits}
	first, err := e.Extract(context.Background(), "scan.pdf", raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A child would be killed at once: a result means the cache answered.
	noChild := &Extractor{Isolated: true, CacheDir: dir, Limits: ChildLimits{Wall: time.Nanosecond}}
	t.Run("hit without a child", func(t *testing.T) {
		got, err := noChild.Extract(context.Background(), "renamed.pdf", raw, nil)
		if err != nil || got != first {
			t.Fatalf("Extract = %+v, %v; want the cached %+v", got, err, first)
		}
	})
	t.Run("OCR options are part of the key", func(t *testing.T) {
		other := &Extractor{Isolated: true, CacheDir: dir, Limits: noChild.Limits,
			Options: Options{OCROptions: ocr.Options{Languages: []string{"eng"}}}}
		if _, err := other.Extract(context.Background(), "scan.pdf", raw, nil); !errors.Is(err, ErrDamaged) {
			t.Fatalf("Extract with other OCR options = %v, want a child (killed)", err)
		}
	})
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) != 1 || !strings.HasSuffix(files[0], "-v1.json") {
		t.Fatalf("cache files %q, want one", files)
	}
	t.Run("a corrupt file is ignored and rewritten", func(t *testing.T) {
		if err := os.WriteFile(files[0], []byte("{not json"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := noChild.Extract(context.Background(), "scan.pdf", raw, nil); !errors.Is(err, ErrDamaged) {
			t.Fatalf("Extract over a corrupt cache file = %v, want a child (killed)", err)
		}
		if got, err := e.Extract(context.Background(), "scan.pdf", raw, nil); err != nil || got != first {
			t.Fatalf("Extract = %+v, %v", got, err)
		}
		if got, err := noChild.Extract(context.Background(), "scan.pdf", raw, nil); err != nil || got != first {
			t.Fatalf("Extract after the rewrite = %+v, %v; want the cached %+v", got, err, first)
		}
	})
	t.Run("errors are not cached", func(t *testing.T) {
		e.Extract(context.Background(), "locked.pdf", hookFile("encrypted"), nil)
		if after, _ := filepath.Glob(filepath.Join(dir, "*.json")); len(after) != 1 {
			t.Errorf("cache files %q after an error", after)
		}
	})
}

func TestClean(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, ".extract-1.tmp")
	fresh := filepath.Join(dir, ".extract-2.tmp")
	kept := filepath.Join(dir, "abc-pdf-v1.json")
	for _, name := range []string{stale, fresh, kept} {
		if err := os.WriteFile(name, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-time.Hour)
	os.Chtimes(stale, old, old)
	os.Chtimes(kept, old, old)
	if err := (&Extractor{CacheDir: dir}).Clean(); err != nil {
		t.Fatal(err)
	}
	var left []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if want := []string{".extract-2.tmp", "abc-pdf-v1.json"}; !slices.Equal(left, want) {
		t.Errorf("left %q, want %q", left, want)
	}
	if err := (*Extractor)(nil).Clean(); err != nil {
		t.Errorf("nil Extractor: %v", err)
	}
}

// BenchmarkSamplePDF reads the sample document as a PDF in this process
// and in a child, reporting the median time of one read.
func BenchmarkSamplePDF(b *testing.B) {
	raw := samplePDF(b)
	for _, isolated := range []bool{false, true} {
		b.Run(map[bool]string{false: "in-process", true: "isolated"}[isolated], func(b *testing.B) {
			e := &Extractor{Isolated: isolated}
			var times []time.Duration
			for b.Loop() {
				start := time.Now()
				if _, err := e.Extract(context.Background(), "sample.pdf", raw, nil); err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(start))
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
		})
	}
}

// TestCacheForget: Forget deletes the cached text of one file, whatever
// it was read as, and nothing of another file.
func TestCacheForget(t *testing.T) {
	dir := t.TempDir()
	e := &Extractor{CacheDir: dir}
	raw, other := []byte("one file"), []byte("another file")
	e.store(e.cacheKey(PDF, raw, e.Options), Result{Kind: PDF})
	e.store(e.cacheKey(HTML, raw, e.Options), Result{Kind: HTML})
	keep := e.cacheKey(PDF, other, e.Options)
	e.store(keep, Result{Kind: PDF})
	e.Forget(raw)
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) != 1 || filepath.Base(files[0]) != keep {
		t.Errorf("cache after Forget: %q, want only %s", files, keep)
	}
	(*Extractor)(nil).Forget(raw) // a library without an extractor
}
