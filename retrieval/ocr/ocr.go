// Package ocr reads text from page images with Tesseract (Debian's
// tesseract-ocr), rendering PDF pages with poppler's pdftoppm. Both are
// optional programs found at run time ([Detect]); without them OCR is
// unavailable and callers say how to install it.
//
// The text comes out hard-wrapped, as retrieval/pdf lays out a text layer:
// every line is followed by a blank line and the last line of a paragraph
// ends with a space; paragraph ends come from the geometry of the lines
// Tesseract reports. Every function here is safe for
// concurrent use; each Tesseract process runs on one thread
// (OMP_THREAD_LIMIT=1), so concurrency is the caller's to bound, and [PDF]
// reads at most two pages at a time.
package ocr

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // image.DecodeConfig of JPEG files
	_ "image/png"  // image.DecodeConfig of PNG files
	"os"
	"slices"
	"strings"
	"time"
)

// Errors of [Image] and [PDF].
var (
	// ErrUnavailable means Tesseract (or, for PDFs, pdftoppm and pdfinfo)
	// is not installed.
	ErrUnavailable = errors.New("OCR is not installed")
	// ErrImageFormat means an image is not a PNG or JPEG file.
	ErrImageFormat = errors.New("not a PNG or JPEG image")
	// ErrTooLarge means an image has more than [MaxPixels] pixels or a PDF
	// more than [Options.MaxPages] pages.
	ErrTooLarge = errors.New("too large to read by OCR")
	// ErrLanguage means a language asked for in [Options.Languages] is not
	// installed.
	ErrLanguage = errors.New("OCR language not installed")
)

// MaxPixels is the largest image [Image] reads: about a 600 dpi A4 page.
const MaxPixels = 40_000_000

// Info describes the OCR support found on this machine.
type Info struct {
	Tesseract string   // path of the tesseract program; "" when missing
	Pdftoppm  string   // path of the pdftoppm program; "" when missing
	Pdfinfo   string   // path of the pdfinfo program; "" when missing
	Version   string   // the first line of "tesseract --version"
	Languages []string // Tesseract languages installed (e.g. chi_sim, eng), without osd
}

// Available reports whether images can be read.
func (i Info) Available() bool { return i.Tesseract != "" && len(i.Languages) > 0 }

// PDFAvailable reports whether PDF pages can be rendered and read.
func (i Info) PDFAvailable() bool { return i.Available() && i.Pdftoppm != "" && i.Pdfinfo != "" }

// Options configures OCR. The zero value reads PDF pages at 200 dpi in a
// language chosen from the first page.
type Options struct {
	// Languages are the Tesseract languages to read with, e.g.
	// ["chi_sim", "eng"]; empty: chosen from the page by a first pass
	// (see [chooseLanguages]).
	Languages []string
	// DPI is the resolution PDF pages are rendered at; 0: 200.
	DPI int
	// MaxPages is the most pages [PDF] reads; 0: no limit.
	MaxPages int
}

// defaultDPI is the resolution of rendered PDF pages when Options.DPI is 0.
const defaultDPI = 200

// Progress reports pages done of total.
type Progress func(done, total int)

// detectTimeout bounds each program run by [Detect].
const detectTimeout = 10 * time.Second

// Detect finds the OCR programs and languages on PATH. Tesseract counts
// as missing when it does not answer "--list-langs" within ten seconds.
func Detect(ctx context.Context) Info {
	var info Info
	info.Pdftoppm, _ = lookPath("pdftoppm")
	info.Pdfinfo, _ = lookPath("pdfinfo")
	path, err := lookPath("tesseract")
	if err != nil {
		return info
	}
	out, err := run(ctx, detectTimeout, path, "--list-langs")
	if err != nil {
		return info
	}
	info.Languages = parseLanguages(string(out))
	info.Tesseract = path
	if out, err := run(ctx, detectTimeout, path, "--version"); err == nil {
		info.Version, _, _ = strings.Cut(strings.TrimSpace(string(out)), "\n")
	}
	return info
}

// parseLanguages returns the languages listed in the output of
// "tesseract --list-langs": the lines after the first that are language
// names, without "osd" (orientation detection, not a language).
func parseLanguages(out string) []string {
	var langs []string
	for i, l := range strings.Split(out, "\n") {
		l = strings.TrimSpace(l)
		if i == 0 || l == "osd" || !validLanguage(l) || slices.Contains(langs, l) {
			continue
		}
		langs = append(langs, l)
	}
	return langs
}

// validLanguage reports whether s can be a Tesseract language name
// (letters, digits, '_', '-' and '/', as in "chi_sim" or "script/Latin"),
// so that it cannot be taken for an option or break a "+" list.
func validLanguage(s string) bool {
	if s == "" || len(s) > 64 || s[0] == '-' {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '/') {
			return false
		}
	}
	return true
}

// Image returns the text of one page image (PNG or JPEG) as hard-wrapped
// lines (see the package comment).
func Image(ctx context.Context, info Info, raw []byte, opts Options) (string, error) {
	if !info.Available() {
		return "", ErrUnavailable
	}
	ext, err := imageType(raw)
	if err != nil {
		return "", err
	}
	langs, err := opts.languages(info)
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp("", "citebot-ocr-*"+ext)
	if err != nil {
		return "", fmt.Errorf("couldn't store image for OCR: %w", err)
	}
	defer os.Remove(f.Name())
	_, err = f.Write(raw)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("couldn't store image for OCR: %w", err)
	}
	r := reader{info: info, langs: langs}
	lines, err := r.read(ctx, f.Name(), 0)
	if err != nil {
		return "", err
	}
	return joinPages([]string{shapePage(lines)}), nil
}

// imageType returns the file extension of raw, a PNG or JPEG image,
// checking its magic bytes and its size.
func imageType(raw []byte) (string, error) {
	var ext string
	switch {
	case bytes.HasPrefix(raw, []byte("\x89PNG\r\n\x1a\n")):
		ext = ".png"
	case bytes.HasPrefix(raw, []byte("\xff\xd8\xff")):
		ext = ".jpg"
	default:
		return "", ErrImageFormat
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(raw))
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrImageFormat, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return "", fmt.Errorf("%w: image of %dx%d pixels (limit %d pixels)", ErrTooLarge, cfg.Width, cfg.Height, MaxPixels)
	}
	return ext, nil
}

// languages returns the languages of o joined for Tesseract's "-l"
// ("chi_sim+eng"), or "" when they are to be chosen from the page. Each
// must be installed.
func (o Options) languages(info Info) (string, error) {
	for _, l := range o.Languages {
		if !slices.Contains(info.Languages, l) {
			return "", fmt.Errorf("%w: %q (installed: %s)", ErrLanguage, l, strings.Join(info.Languages, ", "))
		}
	}
	return strings.Join(o.Languages, "+"), nil
}
