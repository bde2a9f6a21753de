package document

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citebot/citebot/retrieval/extract"
	"github.com/citebot/citebot/retrieval/ocr"
	"github.com/citebot/citebot/retrieval/ocr/ocrtest"
	"github.com/citebot/citebot/retrieval/office/officetest"
	"github.com/citebot/citebot/retrieval/pdf/pdftest"
	"github.com/citebot/citebot/retrieval/web/webtest"
	"github.com/google/go-cmp/cmp"
)

// formatParagraphs are the body paragraphs of the documents that
// TestParseFileFormats writes in every format.
var formatParagraphs = []string{
	"The river has been watched by the same families for more than two hundred years.",
	"Their notebooks are kept in the village hall, in a cupboard that smells of paper and wax.",
	"长江经济带发展战略实施近8年来，沿江省市认真贯彻落实党中央决策部署。",
}

func TestParseFileFormats(t *testing.T) {
	const title = "River notes"
	latin := pdftest.Latin()
	latin.BreakBefore = 2
	tests := []struct {
		name, file string
		raw        []byte
		kind       string
		pages      int
	}{
		{name: "text", file: "a.txt", raw: []byte(strings.Join(formatParagraphs, "\n\n")), kind: "text"},
		{name: "markdown", file: "a.md", raw: []byte("# " + title + "\n\n" + strings.Join(formatParagraphs, "\n\n")), kind: "markdown"},
		{name: "docx", file: "a.docx", raw: officetest.DOCX(title, formatParagraphs), kind: "docx"},
		{name: "docx renamed .pdf", file: "a.pdf", raw: officetest.DOCX(title, formatParagraphs), kind: "docx"},
		{name: "odt", file: "a.odt", raw: officetest.ODT(title, formatParagraphs), kind: "odt"},
		{name: "epub", file: "a.epub", raw: officetest.EPUB(title, [][]string{formatParagraphs}), kind: "epub"},
		{name: "html", file: "a.html", raw: webtest.Page(title, formatParagraphs, "Sidebar text.", "Footer text."), kind: "html"},
		{name: "pdf over two pages", file: "a.pdf", raw: pdftest.Write(t, latin), kind: "pdf", pages: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := ParseFile(t, tc.file, tc.raw)
			if err != nil {
				t.Fatal(err)
			}
			checkDocument(t, doc)
			if doc.Kind != tc.kind || doc.OCR || doc.Pages != tc.pages {
				t.Errorf("Kind, OCR, Pages = %q, %v, %d; want %q, false, %d", doc.Kind, doc.OCR, doc.Pages, tc.kind, tc.pages)
			}
			if tc.kind == "pdf" {
				return
			}
			var body []string
			for _, p := range doc.Paragraphs {
				if !p.Heading {
					body = append(body, p.Text(doc))
				}
			}
			if diff := cmp.Diff(formatParagraphs, body); diff != "" {
				t.Errorf("body paragraphs mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// ParseFile parses raw as name with no limits and the in-process extractor.
func ParseFile(tb testing.TB, name string, raw []byte) (*Document, error) {
	tb.Helper()
	return Limits{}.ParseFile(context.Background(), name, raw, nil)
}

func TestParseFileErrors(t *testing.T) {
	tests := []struct {
		name, file string
		raw        []byte
		want       string
		is         error
	}{
		{"zip of other files", "a.zip", []byte("PK\x03\x04"), "a.zip: unsupported file type: a zip archive that is not a Word, OpenDocument or EPUB file", ErrUnsupportedFileType},
		{"unknown type", "a.bin", []byte{1, 2}, "a.bin: unsupported file type, want .txt, .md, .pdf", ErrUnsupportedFileType},
		{"text named .pdf", "a.pdf", []byte("text"), "a.pdf: not a PDF file (its content is not one)", nil},
		{"image without OCR", "a.png", []byte("\x89PNG\r\n\x1a\n"), "a.png: reading images needs OCR support; see README", extract.ErrNoOCR},
		{"scanned PDF without OCR", "a.pdf", pdftest.Scanned(t), "a.pdf: this PDF has no text layer; install OCR support (see README)", extract.ErrNoTextLayer},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseFile(t, tc.file, tc.raw)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("ParseFile = %v, want an error starting %q", err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %q is not %q", err, tc.is)
			}
		})
	}
}

func TestParseFileTextSizeAfterExtraction(t *testing.T) {
	raw := officetest.DOCX("Title", []string{strings.Repeat("word ", 20000)})
	_, err := Limits{MemoryBudget: 100 << 10}.ParseFile(context.Background(), "big.docx", raw, nil)
	if _, ok := errors.AsType[*LimitError](err); !ok {
		t.Fatalf("ParseFile = %v, want a *LimitError for the extracted text", err)
	}
}

// TestLoadFilesChecksSizeOfTextOnly loads a Word file whose bytes, were
// they text, would pass the memory budget: only text files are refused by
// their size before they are read.
func TestLoadFilesChecksSizeOfTextOnly(t *testing.T) {
	dir := t.TempDir()
	raw := officetest.DOCX("Title", formatParagraphs)
	docx := writeDocFile(t, dir, "a.docx", string(raw))
	txt := writeDocFile(t, dir, "b.txt", string(raw[:len(raw)/2]))
	l := Limits{MemoryBudget: int64(len(raw)*textOverhead - 1), VectorDims: 16}
	docs, err := l.LoadFiles(context.Background(), []string{docx}, nil)
	if err != nil || len(docs) != 1 || docs[0].Kind != "docx" {
		t.Fatalf("LoadFiles = %v, %v; want the Word file", docs, err)
	}
	l.MemoryBudget = int64(len(raw)/2*textOverhead - 1)
	if _, err := l.LoadFiles(context.Background(), []string{txt}, nil); !errors.Is(err, ErrOverLimit) {
		t.Fatalf("LoadFiles of a text file over the budget = %v, want ErrOverLimit", err)
	}
}

// TestLoadFilesOCRProgress loads a scanned PDF read by OCR, reporting its
// pages as they are read.
func TestLoadFilesOCRProgress(t *testing.T) {
	ocrtest.Require(t)
	dir := t.TempDir()
	writeDocFile(t, dir, "scan.pdf", string(ocrtest.ScannedPages(t, ocrtest.NumberedPages(2))))
	e := &extract.Extractor{Options: extract.Options{OCR: ocr.Detect(context.Background()), OCROptions: ocr.Options{Languages: []string{"eng"}}}}
	var got []string
	docs, err := Limits{Extractor: e}.LoadFiles(context.Background(), []string{dir}, func(file string, p extract.Progress) {
		got = append(got, fmt.Sprintf("%s %s %d/%d", filepath.Base(file), p.Stage, p.Done, p.Total))
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := docs[0]; d.Kind != "pdf" || !d.OCR || d.Pages != 2 || !strings.Contains(d.Text, "Page 2 of the river notes") {
		t.Errorf("Kind, OCR, Pages = %q, %v, %d; text %q", d.Kind, d.OCR, d.Pages, d.Text)
	}
	if len(got) == 0 || got[len(got)-1] != "scan.pdf OCR 2/2" {
		t.Errorf("progress %q, want it to end with scan.pdf OCR 2/2", got)
	}
}
