// Package pdftest generates PDF files for the tests of the packages that
// read them, and checks the errors those return.
package pdftest

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"
)

// Layout describes a PDF that [Write] generates.
type Layout struct {
	Title, Subtitle string
	Paragraphs      []string
	// Font is the body font: a core font ("Helvetica", "Times") or, with
	// FontFile set, the family name for that TrueType file.
	Font, FontFile string
	Align          string  // MultiCell alignment: "J" or "L"
	Gap            float64 // space between paragraphs, mm
	// BreakBefore is the paragraph (0-based) that starts near the bottom of
	// the first page, so that it continues on the next one; -1 for none.
	BreakBefore int
	PageNumbers bool   // a "Page N" footer
	UserPass    string // with Protect: the password needed to open the file
	Protect     bool   // encrypt with the owner password "owner"
	Compress    bool
	// BreakAnywhere wraps the paragraphs here, at any character, rather
	// than in MultiCell: fpdf drops the character where it breaks a line
	// of CJK text.
	BreakAnywhere bool
}

// fixedTime makes generated PDFs reproducible.
var fixedTime = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// Write returns the PDF described by l.
func Write(tb testing.TB, l Layout) []byte {
	tb.Helper()
	doc := fpdf.New("P", "mm", "A4", "")
	doc.SetCreationDate(fixedTime)
	doc.SetModificationDate(fixedTime)
	doc.SetCatalogSort(true)
	doc.SetCompression(l.Compress)
	if l.Protect {
		doc.SetProtection(fpdf.CnProtectPrint, l.UserPass, "owner")
	}
	font, tr := l.Font, func(s string) string { return s }
	if l.FontFile != "" {
		ttf, err := os.ReadFile(l.FontFile)
		if err != nil {
			tb.Fatal(err)
		}
		doc.AddUTF8FontFromBytes(font, "", ttf)
		doc.AddUTF8FontFromBytes(font, "B", ttf)
	} else {
		tr = doc.UnicodeTranslatorFromDescriptor("") // UTF-8 to cp1252
	}
	if l.PageNumbers {
		doc.SetFooterFunc(func() {
			doc.SetY(-15)
			doc.SetFont(font, "", 9)
			doc.CellFormat(0, 10, fmt.Sprintf("Page %d", doc.PageNo()), "", 0, "C", false, 0, "")
		})
	}
	doc.AddPage()
	doc.SetFont(font, "B", 18)
	doc.MultiCell(0, 9, tr(l.Title), "", "L", false)
	if l.Subtitle != "" {
		doc.SetFont(font, "", 14)
		doc.MultiCell(0, 7, tr(l.Subtitle), "", "L", false)
	}
	doc.Ln(6)
	doc.SetFont(font, "", 11)
	for i, p := range l.Paragraphs {
		if i == l.BreakBefore {
			doc.SetY(270)
		}
		if l.BreakAnywhere {
			p = strings.Join(wrapText(doc, p, 185), "\n")
		}
		doc.MultiCell(0, 5.5, tr(p), "", l.Align, false)
		if l.Gap > 0 {
			doc.Ln(l.Gap)
		}
	}
	return output(tb, doc)
}

// output returns the PDF that doc writes.
func output(tb testing.TB, doc *fpdf.Fpdf) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := doc.Output(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// wrapText splits text into lines at most width wide (in doc's unit and
// current font), breaking anywhere.
func wrapText(doc *fpdf.Fpdf, text string, width float64) []string {
	var lines []string
	line := ""
	for _, r := range text {
		if line != "" && doc.GetStringWidth(line+string(r)) > width {
			lines = append(lines, line)
			line = ""
		}
		line += string(r)
	}
	return append(lines, line)
}

// Scanned returns a PDF whose one page holds only an image.
func Scanned(tb testing.TB) []byte {
	tb.Helper()
	img := image.NewGray(image.Rect(0, 0, 64, 64))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	var encoded bytes.Buffer
	if err := png.Encode(&encoded, img); err != nil {
		tb.Fatal(err)
	}
	doc := fpdf.New("P", "mm", "A4", "")
	doc.SetCreationDate(fixedTime)
	opts := fpdf.ImageOptions{ImageType: "PNG"}
	doc.RegisterImageOptionsReader("scan", opts, &encoded)
	doc.AddPage()
	doc.ImageOptions("scan", 10, 10, 190, 0, false, opts, 0, "")
	return output(tb, doc)
}

// CheckError fails tb unless err is want (or, when want ends in "(",
// starts with it and ends in ")"), is one line and wraps is.
func CheckError(tb testing.TB, err error, want string, is error) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("no error, want %q", want)
	}
	msg := err.Error()
	if prefix, ok := strings.CutSuffix(want, "("); ok {
		if !strings.HasPrefix(msg, prefix+"(") || !strings.HasSuffix(msg, ")") {
			tb.Errorf("error = %q, want %q...)", msg, want)
		}
	} else if msg != want {
		tb.Errorf("error = %q, want %q", msg, want)
	}
	if strings.ContainsAny(msg, "\n\r") {
		tb.Errorf("error %q is more than one line", msg)
	}
	if !errors.Is(err, is) {
		tb.Errorf("error %q is not %q", msg, is)
	}
}
