package pdf

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	lpdf "github.com/citebot/citebot/retrieval/pdf/internal/pdfread"
	"github.com/citebot/citebot/retrieval/pdf/pdftest"
	"github.com/google/go-cmp/cmp"
)

// pageTexts returns the text lines of each page of the PDF raw, before
// page numbers are dropped and paragraphs marked.
func pageTexts(tb testing.TB, raw []byte) [][]string {
	tb.Helper()
	r, err := lpdf.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		tb.Fatal(err)
	}
	x := newExtractor(time.Now().Add(time.Minute))
	pages, err := readPages(r, x)
	if err != nil {
		tb.Fatal(err)
	}
	var out [][]string
	for _, p := range pages {
		runs, err := x.pageRuns(p)
		if err != nil {
			tb.Fatal(err)
		}
		var lines []string
		for _, l := range pageLines(runs) {
			lines = append(lines, l.text)
		}
		out = append(out, lines)
	}
	return out
}

// checkHardWrapped fails tb unless text has the shape Extract promises:
// non-empty lines, each trimmed (but for the form feeds that start a
// page) and followed by a blank line, the last line of a paragraph (and
// of the text) ending in one space.
func checkHardWrapped(tb testing.TB, text string) {
	tb.Helper()
	body, ok := strings.CutSuffix(text, " \n\n")
	if !ok {
		tb.Fatalf("text does not end with a paragraph's last line: %q", text)
	}
	for i, line := range strings.Split(body, "\n\n") {
		trimmed := strings.TrimLeft(strings.TrimSuffix(line, " "), "\f")
		if trimmed == "" || strings.TrimSpace(trimmed) != trimmed || strings.Contains(line, "\n") {
			tb.Fatalf("line %d is empty, not trimmed or holds a line break: %q", i, line)
		}
	}
}

// paragraphs returns the paragraphs of the text Extract returned, their
// lines joined by sep, without page marks.
func paragraphs(text, sep string) []string {
	var out []string
	var lines []string
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n\n"), "\n\n") {
		trimmed, last := strings.CutSuffix(strings.TrimLeft(line, "\f"), " ")
		if lines = append(lines, trimmed); last {
			out = append(out, strings.Join(lines, sep))
			lines = nil
		}
	}
	return out
}

// checkExtract extracts the PDF raw and compares its paragraphs, lines
// joined by sep, with want.
func checkExtract(tb testing.TB, raw []byte, sep string, want []string) {
	tb.Helper()
	text, err := Extract("test.pdf", raw)
	if err != nil {
		tb.Fatal(err)
	}
	checkHardWrapped(tb, text)
	if diff := cmp.Diff(want, paragraphs(text, sep)); diff != "" {
		tb.Errorf("paragraphs mismatch (-want +got):\n%s\nextracted text:\n%s", diff, text)
	}
}

func TestExtractLatin(t *testing.T) {
	latin := pdftest.Latin()
	want := append([]string{latin.Title, latin.Subtitle}, latin.Paragraphs...)
	tests := []struct {
		name  string
		edit  func(*pdftest.Layout)
		check func(t *testing.T, pages [][]string)
	}{
		{"justified with space between paragraphs", func(*pdftest.Layout) {}, nil},
		{"justified without space between paragraphs", func(l *pdftest.Layout) { l.Gap = 0 }, nil},
		{"ragged right without space between paragraphs", func(l *pdftest.Layout) { l.Align, l.Gap = "L", 0 }, nil},
		{"Times, uncompressed", func(l *pdftest.Layout) { l.Font, l.Compress = "Times", false }, nil},
		{"paragraph across a page break, page numbers", func(l *pdftest.Layout) { l.BreakBefore, l.PageNumbers = 2, true },
			func(t *testing.T, pages [][]string) {
				// The third paragraph starts at the foot of page 1 and
				// continues at the top of page 2, below the page numbers.
				if len(pages) != 2 || len(pages[1]) < 2 {
					t.Fatalf("pages = %q, want two", pages)
				}
				last, next := pages[0][len(pages[0])-2], pages[1][0]
				third := pdftest.LatinParagraphs[2]
				if !strings.HasPrefix(third, last) || !strings.Contains(third, " "+next+" ") {
					t.Errorf("page 1 ends with %q, page 2 starts with %q: want paragraph 3 split between them", last, next)
				}
				if got := pages[0][len(pages[0])-1]; got != "Page 1" {
					t.Errorf("page 1 ends with %q, want its number", got)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := latin
			tc.edit(&l)
			raw := pdftest.Write(t, l)
			checkExtract(t, raw, " ", want)
			if tc.check != nil {
				tc.check(t, pageTexts(t, raw))
			}
		})
	}
}

func TestExtractCJK(t *testing.T) {
	pdftest.RequireCJKFont(t)
	cjk := pdftest.CJK()
	want := append([]string{cjk.Title, cjk.Subtitle}, cjk.Paragraphs...)
	tests := []struct {
		name string
		edit func(*pdftest.Layout)
	}{
		{"without space between paragraphs", func(*pdftest.Layout) {}},
		{"with space between paragraphs", func(l *pdftest.Layout) { l.Gap = 4 }},
		{"paragraph across a page break, page numbers", func(l *pdftest.Layout) { l.BreakBefore, l.PageNumbers = 2, true }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := cjk
			tc.edit(&l)
			checkExtract(t, pdftest.Write(t, l), "", want)
		})
	}
}

func TestExtractErrors(t *testing.T) {
	base := pdftest.Layout{
		Title: "Title", Paragraphs: pdftest.LatinParagraphs, Font: "Helvetica", Align: "J", BreakBefore: -1, Compress: true,
	}
	latin := pdftest.Write(t, base)
	protected := func(userPass string) []byte {
		l := base
		l.Protect, l.UserPass = true, userPass
		return pdftest.Write(t, l)
	}
	damaged := bytes.Clone(latin)
	clear(damaged[len(damaged)/4 : len(damaged)/2])
	random := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	const name = "report.pdf"
	tests := []struct {
		name string
		raw  []byte
		want string // the error, or its start when it ends in "("
		is   error
	}{
		{"encrypted with a password", protected("secret"), name + ": encrypted PDF is not supported; save an unencrypted copy", ErrEncrypted},
		// The reader opens it, but decrypts 40-bit RC4 wrongly.
		{"encrypted without a user password", protected(""), name + ": encrypted PDF is not supported; save an unencrypted copy", ErrEncrypted},
		{"truncated", latin[:len(latin)/2], name + ": not a readable PDF (not a PDF file: missing %%EOF)", ErrUnreadable},
		{"damaged", damaged, name + ": not a readable PDF (", ErrUnreadable},
		{"random bytes", random, name + ": not a readable PDF (not a PDF file: invalid header)", ErrUnreadable},
		{"empty", nil, name + ": not a readable PDF (not a PDF file: invalid header)", ErrUnreadable},
		{"text file", []byte("Just text.\n"), name + ": not a readable PDF (not a PDF file: invalid header)", ErrUnreadable},
		{"scanned", pdftest.Scanned(t), name + ": PDF has no text layer (scanned?)", ErrNoTextLayer},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text, err := Extract(name, tc.raw)
			if err == nil {
				t.Fatalf("Extract = %q, want an error", text)
			}
			pdftest.CheckError(t, err, tc.want, tc.is)
		})
	}
}

func TestIsPDFName(t *testing.T) {
	for name, want := range map[string]bool{
		"a.pdf": true, "docs/Report.PDF": true, ".pdf": true, "a.Pdf": true,
		"pdf": false, "a.pdfx": false, "a.txt": false, "": false, "a.pd": false,
	} {
		if got := IsPDFName(name); got != want {
			t.Errorf("IsPDFName(%q) = %v, want %v", name, got, want)
		}
	}
}

func FuzzExtract(f *testing.F) {
	plain := pdftest.Write(f, pdftest.Layout{
		Title: "Title", Paragraphs: pdftest.LatinParagraphs[:2], Font: "Helvetica", Align: "J", BreakBefore: -1, PageNumbers: true,
	})
	packed := pdftest.Write(f, pdftest.Layout{
		Title: "Title", Paragraphs: pdftest.LatinParagraphs, Font: "Times", Align: "L", BreakBefore: 2, Compress: true,
	})
	for _, seed := range [][]byte{
		plain, packed,
		plain[:len(plain)/2], plain[:len(plain)-20], packed[len(packed)/3:],
		[]byte("%PDF-1.4\n%%EOF\n"),
		pdftest.PaddedPages(20, 4096),
	} {
		f.Add(seed)
	}
	for _, c := range pdftest.Hostile() {
		if !strings.Contains(c.Name, "40 MB") { // a small variant is above
			f.Add(c.Build())
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		const name = "fuzz.pdf"
		text, err := Extract(name, raw)
		checkResult(t, name, text, err)
	})
}

// checkResult fails t unless Extract of name returned well-formed text
// or a one-line error that starts with name and wraps one of the PDF
// errors.
func checkResult(t *testing.T, name, text string, err error) {
	t.Helper()
	if err != nil {
		msg := err.Error()
		if strings.ContainsAny(msg, "\n\r") || !strings.HasPrefix(msg, name+": ") {
			t.Fatalf("error %q is not one line starting with the name", msg)
		}
		if !errors.Is(err, ErrUnreadable) && !errors.Is(err, ErrEncrypted) && !errors.Is(err, ErrNoTextLayer) && !errors.Is(err, ErrTooLarge) {
			t.Fatalf("error %q is none of the PDF errors", msg)
		}
		return
	}
	checkHardWrapped(t, text)
	if !utf8.ValidString(text) {
		t.Fatalf("text is not valid UTF-8: %q", text)
	}
}

func BenchmarkExtract(b *testing.B) {
	var paras []string
	for len(paras) < 1000 {
		paras = append(paras, pdftest.LatinParagraphs...)
	}
	raw := pdftest.Write(b, pdftest.Layout{
		Title: "The Keepers of the River", Paragraphs: paras, Font: "Helvetica", Align: "J", Gap: 2,
		BreakBefore: -1, PageNumbers: true, Compress: true,
	})
	pages := len(pageTexts(b, raw))
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := Extract("keepers.pdf", raw); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(pages), "pages")
}
