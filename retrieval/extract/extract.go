// Package extract turns an outside file into text that retrieval/document
// rebuilds into paragraphs, whatever its format, and keeps a hostile file
// from taking the process down.
//
// # Formats
//
// [Sniff] decides what a file is from its content first and its name
// second: a .docx renamed .pdf is read as the Word file it is; a file whose
// content matches no format and whose name has no known extension is
// refused with [ErrUnsupported]. [Extensions] is the one list of file types
// citebot reads. Plain text and Markdown are read by retrieval/document
// itself; every other kind goes through [File]:
//
//   - PDF: retrieval/pdf's text layer, hard-wrapped lines; without a text
//     layer, OCR of every page (retrieval/ocr) when it is installed, else
//     [ErrNoTextLayer] saying how to install it;
//   - DOCX, ODT, EPUB: retrieval/office; HTML: retrieval/web (the page's
//     main content only); both give Markdown-style blocks;
//   - PNG, JPEG: OCR of the one page.
//
// Page breaks of paged formats (PDF, OCR) are a form feed '\f' at the start
// of the first line of each page after the first; [Result.Pages] counts them.
//
// # Isolation
//
// An [Extractor] with Isolated set reads each file in a child process: the
// running executable started again, which [Main] turns into an extraction
// worker. The parent sends the request and the file over the child's
// standard input; the child answers with frames on its standard output
// (progress, then a result or an error whose sentinel errors keep their
// identity). The child runs in a process group of its own under an
// address-space limit, a CPU-time limit and a wall-clock limit that grows
// with the pages OCR has to read, and its output is capped ([ChildLimits]);
// the programs it starts (Tesseract, pdftoppm) are in its group and under
// the same kernel limits. A crash, hang or limit becomes a [*DamagedError]
// (wrapping [ErrDamaged]) and the parent keeps serving; ctx ending kills
// the group. At most [Extractor.Children] children run at once.
//
// An Extractor also caches results by the SHA-256 of the file's bytes in
// CacheDir, so a document read once (OCR is slow) is not read again when
// the library reloads or the process restarts.
//
// Everything here is safe for concurrent use.
package extract

import (
	"errors"
	"log/slog"

	"github.com/citebot/citebot/retrieval/ocr"
)

// Kind is a file format.
type Kind string

// The formats citebot reads.
const (
	Text     Kind = "text"
	Markdown Kind = "markdown"
	PDF      Kind = "pdf"
	DOCX     Kind = "docx"
	ODT      Kind = "odt"
	EPUB     Kind = "epub"
	HTML     Kind = "html"
	Image    Kind = "image"
)

// Errors of [Sniff] and [File], wrapped with the file name.
var (
	// ErrUnsupported means the file is of no format citebot reads.
	ErrUnsupported = errors.New("unsupported file type")
	// ErrDamaged means reading the file crashed, hung or passed a limit.
	ErrDamaged = errors.New("the file is damaged or too complex")
	// ErrNoTextLayer means a PDF has no text and OCR is not installed.
	ErrNoTextLayer = errors.New("this PDF has no text layer; install OCR support (see README)")
	// ErrNoOCR means an image was sent and OCR is not installed.
	ErrNoOCR = errors.New("reading images needs OCR support; see README")
)

// DamagedError is the error of a file whose reading in a child process
// crashed, hung or passed a [ChildLimits] limit; it wraps [ErrDamaged].
// Its text is short, for users; Reason, for logs, says what happened
// ("killed at the wall-clock limit of 20s", "fatal error: stack
// overflow"), and [DamagedError.LogValue] adds it when the error is
// logged with log/slog.
type DamagedError struct {
	Name   string // the file name
	Reason string
}

// Error returns "couldn't read NAME: the file is damaged or too complex".
func (e *DamagedError) Error() string { return "couldn't read " + e.Name + ": " + ErrDamaged.Error() }

// Unwrap returns [ErrDamaged].
func (e *DamagedError) Unwrap() error { return ErrDamaged }

// LogValue returns the error's text with its Reason.
func (e *DamagedError) LogValue() slog.Value {
	return slog.StringValue(e.Error() + " (" + e.Reason + ")")
}

// Result is the text of one file.
type Result struct {
	// Kind is the format the file was read as.
	Kind Kind
	// Text is the file's text: hard-wrapped lines (HardWrapped) or
	// Markdown-style blocks; '\f' starts each page after the first.
	Text string
	// HardWrapped says Text is laid out as PDF extraction lays it out.
	HardWrapped bool
	// OCR says the text was read from page images.
	OCR bool
	// Pages is the number of pages of a paged format; 0 otherwise.
	Pages int
}

// Progress is how far the reading of one file has come. OCR reports
// Done 0 of Total 0 as it starts, before the number of pages is known,
// then each page read.
type Progress struct {
	Stage       string // "OCR"
	Done, Total int    // pages; Total 0: not known yet
}

// ProgressFunc receives progress reports; it may be nil.
type ProgressFunc func(Progress)

// Options configures the reading of files in this process.
type Options struct {
	// OCR is the OCR support found at start ([ocr.Detect]); its zero
	// value means no OCR.
	OCR ocr.Info
	// OCROptions configures OCR (languages, resolution).
	OCROptions ocr.Options
}
