// Package pdf extracts the text of PDF documents as hard-wrapped lines.
//
// PDF documents are read in three steps. [Extract] opens the file with
// internal/pdfread (its object parser, stream filters, decryption and
// simple font encodings: a fork of the pure-Go reader
// github.com/ledongthuc/pdf guarded against hostile cross-reference data
// and object streams) and interprets the content stream of every page
// itself (contentOps, extractor.interpret), collecting text runs with
// their baseline position and extent: the upstream reader's own text
// layout ignores Td moves and misplaces composite fonts, its ToUnicode
// ranges garble codes past 256 and its content lexer loops forever on a hex
// string left open at the end of a stream. pageLines groups the runs of a
// page into rows (by baseline, then left to right) and layoutText decides
// where paragraphs end and marks where pages begin. The result is
// hard-wrapped text, one line per row, which callers turn into paragraphs
// as they do text that other tools extracted from PDFs.
//
// The reader panics on some malformed input; every panic becomes an error.
// Work and memory are bounded whatever the file holds, so that a small
// compressed file cannot cost gigabytes or minutes. The limits count work,
// not time, so that a file is accepted or refused the same way on every
// machine however busy: the reader's own limits (object numbers, object
// streams, reference chains; see internal/pdfread), at most [MaxPages]
// pages, maxContent bytes of decompressed content streams, maxOps content
// operators, maxText bytes of text and lines, maxPageRuns text runs on one
// page, form XObjects nested at most maxFormDepth deep and drawn at most
// maxFormCalls times. Past a limit the extractor stops and [Extract]
// returns [ErrTooLarge]. [MaxDuration] is a last resort behind them, for
// work they fail to count (checked at every node of the page tree, every
// deadlineEvery content operators and every write of a decompressed
// stream).
package pdf

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxBytes is the largest PDF file [Extract] reads.
const MaxBytes = 256 << 20

// MaxPages is the most pages [Extract] reads; a longer PDF is refused with
// [ErrTooLarge]. 2000 pages hold a long book.
const MaxPages = 2000

// MaxDuration is the last-resort bound of the time [Extract] spends on one
// PDF; past it the extraction stops with [ErrTooLarge]. It is not a limit
// a file is meant to meet: the work limits refuse every costly file the
// same way on every machine, and what they admit takes seconds on an idle
// one (text pages take about 0.5 ms each, BenchmarkExtract; the largest
// refused files of TestExtractLimits about 2 s), so MaxDuration stops only
// work the limits fail to count, or a machine too loaded to serve.
const MaxDuration = 2 * time.Minute

// Errors returned (wrapped, with the file name) by [Extract]; branch on
// them with errors.Is.
var (
	// ErrEncrypted means the PDF is encrypted and needs a password, or
	// uses a cipher the reader does not decrypt correctly.
	ErrEncrypted = errors.New("encrypted PDF is not supported; save an unencrypted copy")
	// ErrUnreadable means the file is not a PDF, is damaged or truncated,
	// or uses features the reader does not support; the error adds the
	// reason in parentheses.
	ErrUnreadable = errors.New("not a readable PDF")
	// ErrNoTextLayer means the PDF has pages but no text on them, as a
	// scanned document without OCR.
	ErrNoTextLayer = errors.New("PDF has no text layer (scanned?)")
	// ErrTooLarge means reading the PDF would take more pages, work or
	// memory than the extractor allows; the error adds the limit in
	// parentheses.
	ErrTooLarge = errors.New("PDF too large to read")
)

// Limits of the work spent on one PDF. Memory follows them: the content
// of a page or form being interpreted holds at most maxStream bytes (up to
// three times that while its buffer grows), and with the nested forms it
// draws at most maxContent; the runs of one page at most maxPageRuns
// textRuns (about 80 bytes each); the text and lines of the document at
// most maxText. A 480 KB file whose one page draws a letter seven million
// times took 28 s and 2.7 GB before these limits; it is refused after
// 16 MB of content now (TestExtractLimits).
const (
	maxPageNodes   = 4 * MaxPages // page tree nodes visited
	maxTreeDepth   = 64           // page tree depth
	maxContent     = 64 << 20     // decompressed content streams, in bytes: 32 KB a page at MaxPages (text pages take 3-15 KB)
	maxStream      = 16 << 20     // the decompressed content of a page or form (a stream or an array of them), in bytes
	maxOps         = 16_000_000   // content operators run, forms included: 8000 a page at MaxPages (text pages run 200-3000)
	maxText        = 32 << 20     // text bytes, plus lineBytes per line: 16 KB a page at MaxPages
	lineBytes      = 96           // charged per line to maxText: about the size of a textLine
	maxPageRuns    = 200_000      // text runs on one page: 40 times a dense page drawn glyph by glyph
	maxFormDepth   = 8            // nesting of form XObjects
	maxFormCalls   = 10000        // form XObjects drawn
	maxStateDepth  = 256          // nesting of q/Q graphics states
	maxWidthValues = 1 << 16      // entries read from a font's width array
	maxReasonBytes = 160          // length of a reason in an error
	deadlineEvery  = 1024         // content operators between checks of the deadline
)

// tooLarge returns the [ErrTooLarge] error with the limit that was passed.
func tooLarge(format string, args ...any) error {
	return fmt.Errorf("%w (%s)", ErrTooLarge, fmt.Sprintf(format, args...))
}

// IsPDFName reports whether name has the .pdf extension, in any case.
func IsPDFName(name string) bool {
	return len(name) >= 4 && strings.EqualFold(name[len(name)-4:], ".pdf")
}

// Extract returns the text of the PDF raw as hard-wrapped lines: one line
// per row of text, in page order and top to bottom, each followed by a
// blank line; the last line of a paragraph ends with a space. Page breaks
// are marked: the first line of a page after the first starts with a form
// feed ('\f') for each page boundary since the line before, so that page
// 4's first line starts with "\f\f" when page 3 has no text, and the
// page of a line is one more than the form feeds before it. Errors are
// one line, start with name and wrap [ErrEncrypted], [ErrUnreadable],
// [ErrNoTextLayer] or [ErrTooLarge].
//
// An encrypted PDF that opens with the empty user password (one that only
// restricts permissions) is read; if that fails, for instance because the
// reader decrypts it wrongly (it does so with 40-bit RC4 keys), the error
// is [ErrEncrypted].
func Extract(name string, raw []byte) (string, error) {
	if len(raw) > MaxBytes {
		return "", fmt.Errorf("%s: file too large (%d bytes, limit %d)", name, len(raw), MaxBytes)
	}
	return extract(name, raw, time.Now().Add(MaxDuration))
}

// extract is [Extract] with the last-resort deadline given: the zero time
// sets none, so that tests of the work limits cannot depend on time.
func extract(name string, raw []byte, deadline time.Time) (string, error) {
	text, encrypted, err := readText(raw, deadline)
	switch {
	case err == nil:
		return text, nil
	case errors.Is(err, ErrTooLarge), errors.Is(err, ErrNoTextLayer):
		return "", fmt.Errorf("%s: %w", name, err)
	case encrypted:
		return "", fmt.Errorf("%s: %w", name, ErrEncrypted)
	}
	return "", unreadable(name, err.Error())
}

// unreadable returns the one-line [ErrUnreadable] error for the file name
// with reason, shortened to one line of at most maxReasonBytes.
func unreadable(name, reason string) error {
	reason = strings.Join(strings.FieldsFunc(reason, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
	reason = strings.ToValidUTF8(reason, "?")
	if len(reason) > maxReasonBytes {
		cut := maxReasonBytes
		for cut > 0 && !utf8.RuneStart(reason[cut]) {
			cut--
		}
		reason = reason[:cut] + "…"
	}
	return fmt.Errorf("%s: %w (%s)", name, ErrUnreadable, reason)
}
