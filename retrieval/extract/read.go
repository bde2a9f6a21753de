package extract

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/citebot/citebot/retrieval/ocr"
	"github.com/citebot/citebot/retrieval/office"
	"github.com/citebot/citebot/retrieval/pdf"
	"github.com/citebot/citebot/retrieval/web"
)

// File reads the file name with content raw, of a kind other than Text and
// Markdown, in this process: it sniffs its kind ([Sniff]) and reads it
// with the reader of that kind (see the package documentation). progress
// (it may be nil) hears of OCR pages as they are read. Errors are one line
// and start with name; a file that needs OCR where none is installed gets
// [ErrNoTextLayer] (a PDF) or [ErrNoOCR] (an image).
//
// File trusts the readers to stay within memory and time; an [Extractor]
// with Isolated set does not.
func File(ctx context.Context, name string, raw []byte, opts Options, progress ProgressFunc) (Result, error) {
	kind, err := Sniff(name, raw)
	if err != nil {
		return Result{}, err
	}
	return readKind(ctx, name, kind, raw, opts, progress)
}

// readKind is File for a file already sniffed as kind.
func readKind(ctx context.Context, name string, kind Kind, raw []byte, opts Options, progress ProgressFunc) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, fileError(name, err)
	}
	res := Result{Kind: kind}
	var err error
	switch kind {
	case PDF:
		return readPDF(ctx, name, raw, opts, progress)
	case Image:
		return readImage(ctx, name, raw, opts, progress)
	case DOCX:
		res.Text, err = office.DOCX(raw)
	case ODT:
		res.Text, err = office.ODT(raw)
	case EPUB:
		res.Text, err = office.EPUB(raw)
	case HTML:
		res.Text, err = web.HTML(raw)
	default:
		return Result{}, fmt.Errorf("%s: %w: %s files are read as text, not extracted", name, ErrUnsupported, kind)
	}
	if err != nil {
		return Result{}, fileError(name, err)
	}
	return res, nil
}

// readPDF reads a PDF's text layer, or its pages by OCR when it has none.
func readPDF(ctx context.Context, name string, raw []byte, opts Options, progress ProgressFunc) (Result, error) {
	text, err := pdf.Extract(name, raw)
	if err == nil {
		return Result{Kind: PDF, Text: text, HardWrapped: true, Pages: strings.Count(text, "\f") + 1}, nil
	}
	if !errors.Is(err, pdf.ErrNoTextLayer) {
		return Result{}, oneLine(err) // pdf.Extract's errors start with name
	}
	if !opts.OCR.PDFAvailable() {
		return Result{}, noTextLayer(name)
	}
	report := func(done, total int) {
		if progress != nil {
			progress(Progress{Stage: "OCR", Done: done, Total: total})
		}
	}
	report(0, 0) // OCR starts; the number of pages comes with the first page read
	text, pages, err := ocr.PDF(ctx, opts.OCR, raw, opts.OCROptions, report)
	switch {
	case errors.Is(err, ocr.ErrUnavailable):
		return Result{}, noTextLayer(name)
	case err != nil:
		return Result{}, fileError(name, err)
	}
	return Result{Kind: PDF, Text: text, HardWrapped: true, OCR: true, Pages: pages}, nil
}

// noTextLayer returns the error of the PDF name that has no text layer
// where OCR is not installed: [ErrNoTextLayer], also pdf.ErrNoTextLayer.
func noTextLayer(name string) error {
	return &lineError{text: name + ": " + ErrNoTextLayer.Error(), err: errors.Join(ErrNoTextLayer, pdf.ErrNoTextLayer)}
}

// readImage reads a page image by OCR.
func readImage(ctx context.Context, name string, raw []byte, opts Options, progress ProgressFunc) (Result, error) {
	if !opts.OCR.Available() {
		return Result{}, fmt.Errorf("%s: %w", name, ErrNoOCR)
	}
	if progress != nil {
		progress(Progress{Stage: "OCR", Done: 0, Total: 1})
	}
	text, err := ocr.Image(ctx, opts.OCR, raw, opts.OCROptions)
	switch {
	case errors.Is(err, ocr.ErrUnavailable):
		return Result{}, fmt.Errorf("%s: %w", name, ErrNoOCR)
	case err != nil:
		return Result{}, fileError(name, err)
	}
	if progress != nil {
		progress(Progress{Stage: "OCR", Done: 1, Total: 1})
	}
	return Result{Kind: Image, Text: text, HardWrapped: true, OCR: true, Pages: 1}, nil
}

// lineError is an error whose text is kept to one line; it wraps the
// error it shortens.
type lineError struct {
	text string
	err  error
}

func (e *lineError) Error() string { return e.text }
func (e *lineError) Unwrap() error { return e.err }

// fileError returns err as one line starting with name.
func fileError(name string, err error) error {
	return oneLine(fmt.Errorf("%s: %w", name, err))
}

// oneLine returns err with its text on one line: runs of white space and
// control characters become one space.
func oneLine(err error) error {
	text := err.Error()
	isSeparator := func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }
	if !strings.ContainsFunc(text, func(r rune) bool { return r != ' ' && isSeparator(r) }) {
		return err
	}
	return &lineError{text: strings.Join(strings.FieldsFunc(text, isSeparator), " "), err: err}
}
