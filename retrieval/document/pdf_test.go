package document

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/citebot/citebot/retrieval/pdf"
	"github.com/citebot/citebot/retrieval/pdf/pdftest"
	"github.com/google/go-cmp/cmp"
)

// The tests of PDF text extraction itself (lines, page numbers, content
// streams, fonts, errors of damaged files) are in package pdf; these check
// the paragraphs rebuilt from what it extracts.

func TestParsePDFLatin(t *testing.T) {
	latin := pdftest.Latin()
	want := []rebuiltParagraph{headingPara(latin.Title + " " + latin.Subtitle)} // joined as the rebuilder joins them
	for i, p := range latin.Paragraphs {
		want = append(want, bodyPara(i+1, p))
	}
	tests := []struct {
		name string
		edit func(*pdftest.Layout)
	}{
		{"justified with space between paragraphs", func(*pdftest.Layout) {}},
		{"justified without space between paragraphs", func(l *pdftest.Layout) { l.Gap = 0 }},
		{"ragged right without space between paragraphs", func(l *pdftest.Layout) { l.Align, l.Gap = "L", 0 }},
		{"Times, uncompressed", func(l *pdftest.Layout) { l.Font, l.Compress = "Times", false }},
		{"paragraph across a page break, page numbers", func(l *pdftest.Layout) { l.BreakBefore, l.PageNumbers = 2, true }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := latin
			tc.edit(&l)
			checkPDFParagraphs(t, "keepers.pdf", pdftest.Write(t, l), want)
		})
	}
}

// checkPDFParagraphs parses the PDF raw as name and compares its paragraphs
// with want.
func checkPDFParagraphs(tb testing.TB, name string, raw []byte, want []rebuiltParagraph) {
	tb.Helper()
	doc, err := Parse(name, raw)
	if err != nil {
		tb.Fatal(err)
	}
	checkDocument(tb, doc)
	if diff := cmp.Diff(want, rebuilt(doc)); diff != "" {
		text, _ := pdf.Extract(name, raw)
		tb.Errorf("paragraphs mismatch (-want +got):\n%s\nextracted text:\n%s", diff, text)
	}
	sum := sha256.Sum256(raw)
	if doc.Name != name || doc.Hash != hex.EncodeToString(sum[:]) {
		tb.Errorf("Name, Hash = %q, %q; want %q and the SHA-256 of the PDF", doc.Name, doc.Hash, name)
	}
}

func TestParsePDFCJK(t *testing.T) {
	pdftest.RequireCJKFont(t)
	cjk := pdftest.CJK()
	want := []rebuiltParagraph{headingPara(cjk.Title + cjk.Subtitle)}
	for i, p := range cjk.Paragraphs {
		want = append(want, bodyPara(i+1, p))
	}
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
			checkPDFParagraphs(t, "yangtze.pdf", pdftest.Write(t, l), want)
		})
	}
}

func TestParsePDFErrors(t *testing.T) {
	base := pdftest.Layout{
		Title: "Title", Paragraphs: pdftest.LatinParagraphs, Font: "Helvetica", Align: "J", BreakBefore: -1, Compress: true,
	}
	latin := pdftest.Write(t, base)
	protected := base
	protected.Protect, protected.UserPass = true, "secret"
	const name = "report.pdf"
	tests := []struct {
		name string
		raw  []byte
		want string
		is   error
	}{
		{"encrypted", pdftest.Write(t, protected), name + ": encrypted PDF is not supported; save an unencrypted copy", pdf.ErrEncrypted},
		{"truncated", latin[:len(latin)/2], name + ": not a readable PDF (not a PDF file: missing %%EOF)", pdf.ErrUnreadable},
		{"scanned", pdftest.Scanned(t), name + ": this PDF has no text layer; install OCR support (see README)", pdf.ErrNoTextLayer},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Parse(name, tc.raw)
			if err == nil {
				t.Fatalf("Parse = %d paragraphs, want an error", len(doc.Paragraphs))
			}
			pdftest.CheckError(t, err, tc.want, tc.is)
		})
	}
}

func TestLoadPDF(t *testing.T) {
	dir := t.TempDir()
	l := pdftest.Latin()
	l.Gap = 0
	raw := pdftest.Write(t, l)
	writeDocFile(t, dir, "docs/keepers.PDF", string(raw))
	writeDocFile(t, dir, "docs/notes.txt", "Notes.")
	docs, err := Load([]string{filepath.Join(dir, "docs")})
	if err != nil {
		t.Fatal(err)
	}
	if got := docNames(docs); strings.Join(got, ",") != "keepers.PDF,notes.txt" {
		t.Fatalf("loaded %q, want keepers.PDF and notes.txt", got)
	}
	sum := sha256.Sum256(raw)
	if got := docs[0]; got.Hash != hex.EncodeToString(sum[:]) || got.BodyParagraphs() != len(pdftest.LatinParagraphs) {
		t.Errorf("keepers.PDF has hash %s and %d paragraphs, want the file's SHA-256 and %d", got.Hash, got.BodyParagraphs(), len(pdftest.LatinParagraphs))
	}

	broken := writeDocFile(t, dir, "broken.pdf", string(raw[:len(raw)/2]))
	_, err = Load([]string{broken})
	pdftest.CheckError(t, err, broken+": not a readable PDF (not a PDF file: missing %%EOF)", pdf.ErrUnreadable)
}

// FuzzParsePDF fuzzes the page content and the ToUnicode CMap of a
// well-formed PDF and checks the document rebuilt from what is extracted.
func FuzzParsePDF(f *testing.F) {
	f.Add("BT /F1 12 Tf 72 700 Td [(Hello)-300(world)] TJ T* (two) ' ET /X1 Do", pdftest.IdentityCMap)
	f.Add("BT /F1 18 Tf 72 740 Td (Title) Tj ET BT /F1 12 Tf 72 700 Td 14 TL (one two) Tj T* (three.) ' ET", pdftest.IdentityCMap)
	f.Add("q 2 0 0 2 0 0 cm BT /F2 6 Tf 1 0 0 1 36 350 Tm <4E2D6587> Tj ET Q", pdftest.IdentityCMap)
	f.Fuzz(func(t *testing.T, content, cmap string) {
		const name = "fuzz.pdf"
		doc, err := Parse(name, pdftest.Minimal(content, cmap))
		if err != nil {
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r") || !strings.HasPrefix(msg, name+": ") {
				t.Fatalf("error %q is not one line starting with the name", msg)
			}
			return
		}
		checkDocument(t, doc)
		if !utf8.ValidString(doc.Text) {
			t.Fatalf("text is not valid UTF-8: %q", doc.Text)
		}
	})
}
