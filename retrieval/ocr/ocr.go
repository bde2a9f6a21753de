// Package ocr reads text from page images with Tesseract (Debian's
// tesseract-ocr), rendering PDF pages with poppler's pdftoppm. Both are
// optional programs found at run time ([Detect]); without them OCR is
// unavailable and callers say how to install it.
package ocr

import (
	"context"
	"errors"
)

// ErrUnavailable means Tesseract (or, for PDFs, pdftoppm) is not installed.
var ErrUnavailable = errors.New("OCR is not installed")

// Info describes the OCR support found on this machine.
type Info struct {
	Tesseract string   // path of the tesseract program; "" when missing
	Pdftoppm  string   // path of the pdftoppm program; "" when missing
	Languages []string // Tesseract languages installed (e.g. chi_sim, eng)
}

// Available reports whether images can be read.
func (i Info) Available() bool { return i.Tesseract != "" && len(i.Languages) > 0 }

// Options configures OCR.
type Options struct {
	// Languages are the Tesseract languages to read with, e.g.
	// ["chi_sim", "eng"]; empty: chosen from the page by a first pass.
	Languages []string
	// DPI is the resolution PDF pages are rendered at; 0: 200.
	DPI int
}

// Progress reports pages done of total.
type Progress func(done, total int)

// Detect finds the OCR programs and languages on PATH.
func Detect(ctx context.Context) Info { return Info{} }

// Image returns the text of one page image (PNG or JPEG) as hard-wrapped
// lines (see retrieval/document).
func Image(ctx context.Context, info Info, raw []byte, opts Options) (string, error) {
	return "", ErrUnavailable
}

// PDF returns the text of every page of the PDF raw, read by OCR, as
// hard-wrapped lines with a form feed '\f' starting each page after the
// first, and the number of pages.
func PDF(ctx context.Context, info Info, raw []byte, opts Options, progress Progress) (string, int, error) {
	return "", 0, ErrUnavailable
}
