package ocr_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode"

	"github.com/citebot/citebot/retrieval/document"
	"github.com/citebot/citebot/retrieval/ocr"
	"github.com/citebot/citebot/retrieval/ocr/ocrtest"
	"github.com/citebot/citebot/retrieval/pdf/pdftest"
)

// Accuracy floors of the tests below, with a margin under what Tesseract
// 5.3 reads from the generated pages (0.99 scanned, 0.986 photographed).
const (
	minScanAccuracy  = 0.97 // scanned sample, 200 dpi
	minPhotoAccuracy = 0.95 // turned by 1.5 degrees
)

// detect returns the OCR support of this machine, or skips (fails under
// CI) when it is incomplete.
func detect(tb testing.TB) ocr.Info {
	tb.Helper()
	ocrtest.Require(tb)
	info := ocr.Detect(context.Background())
	if !info.PDFAvailable() {
		tb.Fatalf("Detect = %+v, want tesseract, pdftoppm and pdfinfo", info)
	}
	return info
}

// sample returns the text of the bundled sample document, one string per
// paragraph.
func sample() []string {
	doc := document.Sample()
	paras := make([]string, len(doc.Paragraphs))
	for i, p := range doc.Paragraphs {
		paras[i] = p.Text(doc)
	}
	return paras
}

// progressLog records progress calls.
type progressLog struct {
	mu    sync.Mutex
	calls [][2]int
}

func (p *progressLog) report(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, [2]int{done, total})
}

// check fails t unless the calls were 1..pages of pages, in order.
func (p *progressLog) check(t *testing.T, pages int) {
	t.Helper()
	var want [][2]int
	for i := 1; i <= pages; i++ {
		want = append(want, [2]int{i, pages})
	}
	if !slices.Equal(p.calls, want) {
		t.Errorf("progress calls %v, want %v", p.calls, want)
	}
}

// checkShape fails t unless text is hard-wrapped as retrieval/document
// expects it: pages of "line\n\n" blocks.
func checkShape(t *testing.T, text string) {
	t.Helper()
	for _, page := range strings.Split(text, "\f") {
		if page == "" {
			continue
		}
		for _, l := range strings.Split(strings.TrimSuffix(page, "\n\n"), "\n\n") {
			if body := strings.TrimSuffix(l, " "); body == "" || strings.TrimSpace(body) != body || strings.Contains(body, "\n") {
				t.Fatalf("line %q is not one trimmed line", l)
			}
		}
	}
	if !strings.HasSuffix(text, " \n\n") {
		t.Errorf("text does not end a paragraph: %q", text[max(0, len(text)-40):])
	}
}

func TestDetect(t *testing.T) {
	info := detect(t)
	if !strings.HasPrefix(info.Version, "tesseract ") {
		t.Errorf("Version = %q", info.Version)
	}
	for _, want := range []string{"chi_sim", "chi_tra", "eng"} {
		if !slices.Contains(info.Languages, want) {
			t.Errorf("Languages = %v, missing %s", info.Languages, want)
		}
	}
	if slices.Contains(info.Languages, "osd") {
		t.Errorf("Languages = %v, want no osd", info.Languages)
	}
}

func TestPDFScannedSample(t *testing.T) {
	if testing.Short() {
		t.Skip("reads three pages by OCR")
	}
	info := detect(t)
	paras := sample()
	raw := ocrtest.ScannedPDF(t, paras)
	var progress progressLog
	start := time.Now()
	text, pages, err := ocr.PDF(context.Background(), info, raw, ocr.Options{}, progress.report)
	if err != nil {
		t.Fatal(err)
	}
	progress.check(t, pages)
	if pages < 2 || strings.Count(text, "\f") != pages-1 {
		t.Errorf("%d pages, %d form feeds", pages, strings.Count(text, "\f"))
	}
	checkShape(t, text)
	acc := ocrtest.Accuracy(text, strings.Join(paras, ""))
	t.Logf("scanned sample: %d pages in %v, character accuracy %.4f", pages, time.Since(start).Round(time.Millisecond), acc)
	if acc < minScanAccuracy {
		t.Errorf("accuracy %.4f, want at least %.2f", acc, minScanAccuracy)
	}
	doc, err := document.Parse("scan.txt", []byte(strings.ReplaceAll(text, "\f", "")))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(doc.Paragraphs); n < len(paras)-2 || n > len(paras)+2 {
		t.Errorf("%d paragraphs rebuilt from the OCR text, want %d ± 2", n, len(paras))
	}
}

func TestImagePhoto(t *testing.T) {
	if testing.Short() {
		t.Skip("reads a page by OCR")
	}
	info := detect(t)
	for _, tc := range []struct {
		name       string
		paragraphs []string
		han        bool
	}{
		{"Chinese", sample()[:6], true},
		{"English", pdftest.LatinParagraphs, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := ocrtest.PhotoPNG(t, tc.paragraphs)
			start := time.Now()
			text, err := ocr.Image(context.Background(), info, raw, ocr.Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkShape(t, text)
			acc := ocrtest.Accuracy(text, strings.Join(tc.paragraphs, ""))
			t.Logf("photo, %s: %v, character accuracy %.4f", tc.name, time.Since(start).Round(time.Millisecond), acc)
			if acc < minPhotoAccuracy {
				t.Errorf("accuracy %.4f, want at least %.2f", acc, minPhotoAccuracy)
			}
			if got := strings.ContainsFunc(text, func(r rune) bool { return unicode.Is(unicode.Han, r) }); got != tc.han {
				t.Errorf("Han characters in the text: %v, want %v", got, tc.han)
			}
		})
	}
}

func TestPDFTraditional(t *testing.T) {
	if testing.Short() {
		t.Skip("reads a page by OCR")
	}
	info := detect(t)
	raw, err := os.ReadFile("testdata/traditional.txt")
	if err != nil {
		t.Fatal(err)
	}
	paras := strings.Split(strings.TrimSpace(string(raw)), "\n\n")
	text, _, err := ocr.PDF(context.Background(), info, ocrtest.ScannedPDF(t, paras), ocr.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	acc := ocrtest.Accuracy(text, strings.Join(paras, ""))
	t.Logf("scanned Traditional Chinese: character accuracy %.4f", acc)
	if acc < minScanAccuracy {
		t.Errorf("accuracy %.4f, want at least %.2f", acc, minScanAccuracy)
	}
	// 經濟 is 经济 in Simplified script: chi_sim would not read it.
	if !strings.Contains(text, "經濟") {
		t.Errorf("text not read as Traditional Chinese: %q", text)
	}
}

func TestPDFPagesInOrder(t *testing.T) {
	info := detect(t)
	const n = 5
	raw := ocrtest.ScannedPages(t, ocrtest.NumberedPages(n))
	var progress progressLog
	text, pages, err := ocr.PDF(context.Background(), info, raw, ocr.Options{Languages: []string{"eng"}, DPI: 150}, progress.report)
	if err != nil {
		t.Fatal(err)
	}
	progress.check(t, n)
	want := ""
	for i, p := range ocrtest.NumberedPages(n) {
		if i > 0 {
			want += "\f"
		}
		want += p[0] + " \n\n"
	}
	if pages != n || text != want {
		t.Errorf("PDF = %q, %d pages; want %q, %d", text, pages, want, n)
	}
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	png := ocrtest.PNG(t, 10, 10)
	fake := ocr.Info{Tesseract: "/nonexistent/tesseract", Pdftoppm: "/nonexistent/pdftoppm", Pdfinfo: "/nonexistent/pdfinfo", Languages: []string{"eng"}}
	for _, tc := range []struct {
		name string
		read func() error
		is   error
	}{
		{"image without OCR", func() error { _, err := ocr.Image(ctx, ocr.Info{}, png, ocr.Options{}); return err }, ocr.ErrUnavailable},
		{"PDF without pdftoppm", func() error {
			_, _, err := ocr.PDF(ctx, ocr.Info{Tesseract: "t", Languages: []string{"eng"}}, nil, ocr.Options{}, nil)
			return err
		}, ocr.ErrUnavailable},
		{"not an image", func() error { _, err := ocr.Image(ctx, fake, []byte("GIF89a"), ocr.Options{}); return err }, ocr.ErrImageFormat},
		{"language not installed", func() error {
			_, err := ocr.Image(ctx, fake, png, ocr.Options{Languages: []string{"deu"}})
			return err
		}, ocr.ErrLanguage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.read(); !errors.Is(err, tc.is) {
				t.Errorf("error %v, want %v", err, tc.is)
			}
		})
	}
}

func TestErrorsWithTesseract(t *testing.T) {
	info := detect(t)
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	scan := ocrtest.ScannedPages(t, ocrtest.NumberedPages(3))
	for _, tc := range []struct {
		name string
		read func() error
		is   error
		msg  string
	}{
		{"canceled image", func() error {
			_, err := ocr.Image(canceled, info, ocrtest.PNG(t, 10, 10), ocr.Options{})
			return err
		}, context.Canceled, ""},
		{"canceled PDF", func() error { _, _, err := ocr.PDF(canceled, info, scan, ocr.Options{}, nil); return err }, context.Canceled, ""},
		{"too many pages", func() error {
			_, _, err := ocr.PDF(context.Background(), info, scan, ocr.Options{MaxPages: 2}, nil)
			return err
		}, ocr.ErrTooLarge, "too large to read by OCR: 3 pages (limit 2)"},
		{"not a PDF", func() error {
			_, _, err := ocr.PDF(context.Background(), info, []byte("%PDF-1.4 nothing"), ocr.Options{}, nil)
			return err
		}, nil, "couldn't count PDF pages: pdfinfo: exit status 1: Syntax Error: Couldn't find trailer dictionary"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.read()
			if err == nil || (tc.is != nil && !errors.Is(err, tc.is)) || (tc.msg != "" && err.Error() != tc.msg) {
				t.Errorf("error %v, want %v %q", err, tc.is, tc.msg)
			}
		})
	}
}

// BenchmarkOCRSample reads the scanned sample (three A4 pages at 200 dpi)
// and reports its character accuracy, the seconds per page (wall clock
// and CPU time of the OCR processes, the choice of language on the first
// page included) and the peak resident memory of the largest child
// process (Tesseract; the pdftoppm runs that made the scan count too).
func BenchmarkOCRSample(b *testing.B) {
	info := detect(b)
	paras := sample()
	raw := ocrtest.ScannedPDF(b, paras)
	want := strings.Join(paras, "")
	var acc float64
	pages := 0
	cpu := childCPU(b)
	for b.Loop() {
		text, n, err := ocr.PDF(context.Background(), info, raw, ocr.Options{}, nil)
		if err != nil {
			b.Fatal(err)
		}
		acc, pages = ocrtest.Accuracy(text, want), pages+n
	}
	b.ReportMetric(acc, "accuracy")
	b.ReportMetric(b.Elapsed().Seconds()/float64(pages), "s/page")
	b.ReportMetric((childCPU(b)-cpu).Seconds()/float64(pages), "cpu-s/page")
	b.ReportMetric(childPeakMB(b), "child-peak-MB")
}

// BenchmarkOCRPhoto reads a photographed page (six paragraphs of the
// sample, turned by 1.5 degrees), as BenchmarkOCRSample does.
func BenchmarkOCRPhoto(b *testing.B) {
	info := detect(b)
	paras := sample()[:6]
	raw := ocrtest.PhotoPNG(b, paras)
	want := strings.Join(paras, "")
	var acc float64
	cpu := childCPU(b)
	for b.Loop() {
		text, err := ocr.Image(context.Background(), info, raw, ocr.Options{})
		if err != nil {
			b.Fatal(err)
		}
		acc = ocrtest.Accuracy(text, want)
	}
	b.ReportMetric(acc, "accuracy")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/page")
	b.ReportMetric((childCPU(b)-cpu).Seconds()/float64(b.N), "cpu-s/page")
	b.ReportMetric(childPeakMB(b), "child-peak-MB")
}

// childCPU returns the CPU time (user and system) of the child processes
// waited for so far.
func childCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// childPeakMB returns the peak resident set of the largest child process
// waited for so far, in MB.
func childPeakMB(tb testing.TB) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err != nil {
		tb.Fatal(err)
	}
	return float64(ru.Maxrss) / 1024 // kilobytes on Linux
}
