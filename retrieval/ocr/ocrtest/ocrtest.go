// Package ocrtest generates page images and scanned PDFs for the tests of
// the packages that read them by OCR, and checks that the programs OCR
// needs are installed.
//
// Pages are laid out on A4, CJK characters in [CJKFont] and everything
// else in Helvetica, rendered by poppler's pdftoppm and, for a scan, put
// back into a PDF that holds only the page images. Every function here is
// safe for concurrent use.
package ocrtest

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/go-pdf/fpdf"
)

// CJKFont is the TrueType font pages are set in, from the Debian package
// fonts-droid-fallback.
const CJKFont = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"

// RenderDPI is the resolution of the page images.
const RenderDPI = 200

// Page geometry, in millimetres and points.
const (
	pageWidth, pageHeight = 210.0, 297.0
	margin                = 20.0
	fontSize              = 12.0 // points
	lineHeight            = 6.5  // mm
	paragraphGap          = 4.0  // mm between paragraphs
)

// fixedTime makes generated PDFs reproducible.
var fixedTime = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// Require fails tb when the environment variable CI is set and one of the
// programs tesseract, pdftoppm and pdfinfo, the Tesseract languages
// chi_sim, chi_tra and eng, or [CJKFont] is missing (CI installs them),
// and skips it otherwise.
func Require(tb testing.TB) {
	tb.Helper()
	var missing []string
	for _, name := range []string{"tesseract", "pdftoppm", "pdfinfo"} {
		if _, err := exec.LookPath(name); err != nil {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		out, err := exec.Command("tesseract", "--list-langs").Output()
		installed := strings.Fields(string(out))
		for _, lang := range []string{"chi_sim", "chi_tra", "eng"} {
			if err != nil || !slices.Contains(installed, lang) {
				missing = append(missing, "tesseract language "+lang)
			}
		}
	}
	if _, err := os.Stat(CJKFont); err != nil {
		missing = append(missing, CJKFont)
	}
	if len(missing) == 0 {
		return
	}
	const install = "apt-get install tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-chi-tra poppler-utils fonts-droid-fallback"
	if os.Getenv("CI") != "" {
		tb.Fatalf("OCR test needs %s (%s)", strings.Join(missing, ", "), install)
	}
	tb.Skipf("OCR test skipped: %s not installed (%s)", strings.Join(missing, ", "), install)
}

// ScannedPDF returns a PDF whose A4 pages hold only images of paragraphs
// (see the package comment), as a scanner makes it: no text layer. Call [Require]
// first.
func ScannedPDF(tb testing.TB, paragraphs []string) []byte {
	tb.Helper()
	return imagesPDF(tb, renderPages(tb, textPDF(tb, paginate(tb, paragraphs, pageHeight))))
}

// ScannedPages returns a scanned PDF (see [ScannedPDF]) with one page per
// element of pages, each holding that element's paragraphs. Call
// [Require] first.
func ScannedPages(tb testing.TB, pages [][]string) []byte {
	tb.Helper()
	var laid [][]line
	for _, p := range pages {
		lines := paginate(tb, p, pageHeight)
		if len(lines) != 1 {
			tb.Fatalf("page text %q does not fit on one page", p)
		}
		laid = append(laid, lines[0])
	}
	return imagesPDF(tb, renderPages(tb, textPDF(tb, laid)))
}

// NumberedPages returns n pages of text for [ScannedPages], one short
// numbered paragraph each: a document that OCR reads quickly.
func NumberedPages(n int) [][]string {
	pages := make([][]string, n)
	for i := range pages {
		pages[i] = []string{fmt.Sprintf("Page %d of the river notes.", i+1)}
	}
	return pages
}

// PhotoPNG returns a PNG image of one page holding paragraphs, as a
// photograph of a page: rendered in grey and turned by 1.5 degrees on a
// white background. The page is A4 wide and as tall as its text needs.
// Call [Require] first.
func PhotoPNG(tb testing.TB, paragraphs []string) []byte {
	tb.Helper()
	pages := paginate(tb, paragraphs, 0)
	images := renderPages(tb, textPDF(tb, pages))
	img, err := png.Decode(bytes.NewReader(images[0]))
	if err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	if err := png.Encode(&out, Rotate(img, 1.5)); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

// line is one line of text placed on a page.
type line struct {
	text string
	y    float64 // baseline, mm from the top
}

// paginate wraps paragraphs to the text width and places the lines on
// pages of height mm; height 0 makes one page as tall as the text needs.
func paginate(tb testing.TB, paragraphs []string, height float64) [][]line {
	tb.Helper()
	doc := newDoc(tb)
	bottom := height - margin
	if height == 0 {
		bottom = 1e9
	}
	pages := [][]line{nil}
	y := margin
	for i, p := range paragraphs {
		if i > 0 {
			y += paragraphGap
		}
		for _, text := range wrap(doc, p, pageWidth-2*margin) {
			if y+lineHeight > bottom {
				pages = append(pages, nil)
				y = margin
			}
			y += lineHeight
			pages[len(pages)-1] = append(pages[len(pages)-1], line{text, y})
		}
	}
	return pages
}

// newDoc returns an empty fpdf document with [CJKFont] added.
func newDoc(tb testing.TB) *fpdf.Fpdf {
	tb.Helper()
	ttf, err := os.ReadFile(CJKFont)
	if err != nil {
		tb.Fatal(err)
	}
	doc := fpdf.New("P", "mm", "A4", "")
	doc.SetCreationDate(fixedTime)
	doc.SetModificationDate(fixedTime)
	doc.SetCatalogSort(true)
	doc.AddUTF8FontFromBytes(cjkFamily, "", ttf)
	return doc
}

// cjkFamily is the family name of [CJKFont] in fpdf; latinFamily, a core
// font, sets everything else ([CJKFont] has no Latin letters or digits).
const cjkFamily, latinFamily = "DroidSansFallback", "Helvetica"

// run is a piece of a line set in one font.
type run struct {
	text string
	wide bool // CJK: set in [CJKFont]
}

// runs splits s into pieces of CJK and of other characters.
func runs(s string) []run {
	var out []run
	for _, r := range s {
		w := isWide(r)
		if n := len(out); n > 0 && out[n-1].wide == w {
			out[n-1].text += string(r)
			continue
		}
		out = append(out, run{string(r), w})
	}
	return out
}

// setFont selects the font that sets ru and returns ru's text in that
// font's encoding.
func setFont(doc *fpdf.Fpdf, ru run) string {
	if ru.wide {
		doc.SetFont(cjkFamily, "", fontSize)
		return ru.text
	}
	doc.SetFont(latinFamily, "", fontSize)
	return doc.UnicodeTranslatorFromDescriptor("")(ru.text)
}

// width returns the width of s set in doc's fonts.
func width(doc *fpdf.Fpdf, s string) float64 {
	w := 0.0
	for _, ru := range runs(s) {
		w += doc.GetStringWidth(setFont(doc, ru))
	}
	return w
}

// draw writes s with its baseline starting at (x, y).
func draw(doc *fpdf.Fpdf, x, y float64, s string) {
	for _, ru := range runs(s) {
		text := setFont(doc, ru)
		doc.Text(x, y, text)
		x += doc.GetStringWidth(text)
	}
}

// textPDF returns a PDF with the lines of each page drawn as text. Every
// page is A4 wide; a page is A4 tall unless its lines need more.
func textPDF(tb testing.TB, pages [][]line) []byte {
	tb.Helper()
	doc := newDoc(tb)
	for _, lines := range pages {
		height := pageHeight
		if n := len(lines); n > 0 {
			height = max(height, lines[n-1].y+margin)
		}
		doc.AddPageFormat("P", fpdf.SizeType{Wd: pageWidth, Ht: height})
		for _, l := range lines {
			draw(doc, margin, l.y, l.text)
		}
	}
	return output(tb, doc)
}

// wrap splits text into lines at most maxWidth wide in doc's fonts,
// breaking between Latin words or next to a CJK character.
func wrap(doc *fpdf.Fpdf, text string, maxWidth float64) []string {
	var lines []string
	line := ""
	for _, tok := range tokens(text) {
		next := line + tok
		if line != "" && width(doc, strings.TrimRight(next, " ")) > maxWidth {
			lines = append(lines, strings.TrimRight(line, " "))
			next = strings.TrimLeft(tok, " ")
		}
		line = next
	}
	if line = strings.TrimRight(line, " "); line != "" {
		lines = append(lines, line)
	}
	return lines
}

// tokens splits text into the pieces a line may break between: a CJK
// character or punctuation mark, or a Latin word with the spaces after it.
func tokens(text string) []string {
	var toks []string
	start := 0
	for i, r := range text {
		if isWide(r) {
			if start < i {
				toks = append(toks, text[start:i])
			}
			toks = append(toks, string(r))
			start = i + len(string(r))
			continue
		}
		if r == ' ' && i+1 < len(text) && text[i+1] != ' ' {
			toks = append(toks, text[start:i+1])
			start = i + 1
		}
	}
	if start < len(text) {
		toks = append(toks, text[start:])
	}
	return toks
}

// isWide reports whether r is a CJK character or full-width punctuation.
func isWide(r rune) bool {
	return unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFFEF)
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

// renderPages returns every page of the PDF raw as a grey PNG image at
// [RenderDPI], rendered by pdftoppm.
func renderPages(tb testing.TB, raw []byte) [][]byte {
	tb.Helper()
	dir := tb.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, raw, 0o600); err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command("pdftoppm", "-r", fmt.Sprint(RenderDPI), "-gray", "-png", in, filepath.Join(dir, "page"))
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("pdftoppm: %v: %s", err, out)
	}
	names, err := filepath.Glob(filepath.Join(dir, "page-*.png"))
	if err != nil || len(names) == 0 {
		tb.Fatalf("pdftoppm wrote no pages (%v)", err)
	}
	sort.Strings(names) // the page numbers are zero-padded to one width
	images := make([][]byte, len(names))
	for i, name := range names {
		if images[i], err = os.ReadFile(name); err != nil {
			tb.Fatal(err)
		}
	}
	return images
}

// imagesPDF returns a PDF with one A4 page per PNG image, the image
// filling the page, and nothing else.
func imagesPDF(tb testing.TB, images [][]byte) []byte {
	tb.Helper()
	doc := fpdf.New("P", "mm", "A4", "")
	doc.SetCreationDate(fixedTime)
	doc.SetModificationDate(fixedTime)
	doc.SetCatalogSort(true)
	opts := fpdf.ImageOptions{ImageType: "PNG"}
	for i, img := range images {
		cfg, err := png.DecodeConfig(bytes.NewReader(img))
		if err != nil {
			tb.Fatal(err)
		}
		name := fmt.Sprintf("page%d", i+1)
		doc.RegisterImageOptionsReader(name, opts, bytes.NewReader(img))
		height := pageWidth * float64(cfg.Height) / float64(cfg.Width)
		doc.AddPageFormat("P", fpdf.SizeType{Wd: pageWidth, Ht: height})
		doc.ImageOptions(name, 0, 0, pageWidth, height, false, opts, 0, "")
	}
	return output(tb, doc)
}

// PNG returns a white PNG image of w x h pixels.
func PNG(tb testing.TB, w, h int) []byte {
	tb.Helper()
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}
