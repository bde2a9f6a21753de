// Package pdf extracts the text of PDF documents as hard-wrapped lines.
//
// PDF documents are read in three steps. [Extract] opens the file with the
// pure-Go reader github.com/ledongthuc/pdf (its object parser, stream
// filters, decryption and simple font encodings) and interprets the content
// stream of every page itself (contentOps, extractor.interpret), collecting
// text runs with their baseline position and extent: the reader's own text
// layout ignores Td moves and misplaces composite fonts, its ToUnicode
// ranges garble codes past 256 and its content lexer loops forever on a hex
// string left open at the end of a stream. pageLines groups the runs of a
// page into rows (by baseline, then left to right) and layoutText decides
// where paragraphs end. The result is hard-wrapped text, one line per row,
// which callers turn into paragraphs as they do text that other tools
// extracted from PDFs.
//
// The reader panics on some malformed input; every panic becomes an error.
// Work is bounded: at most maxPages pages, [MaxBytes] of decompressed
// content streams and of text, form XObjects nested at most maxFormDepth
// deep and drawn at most maxFormCalls times.
package pdf

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxBytes is the largest PDF file [Extract] reads, and the budget of its
// decompressed content streams and of its text.
const MaxBytes = 256 << 20

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
)

// Limits of the work spent on one PDF.
const (
	maxPages       = 5000         // pages read
	maxPageNodes   = 4 * maxPages // page tree nodes visited
	maxTreeDepth   = 64           // page tree depth
	maxContent     = MaxBytes     // decompressed content streams, in bytes
	maxFormDepth   = 8            // nesting of form XObjects
	maxFormCalls   = 10000        // form XObjects drawn
	maxStateDepth  = 256          // nesting of q/Q graphics states
	maxWidthValues = 1 << 16      // entries read from a font's width array
	maxReasonBytes = 160          // length of a reason in an error
)

// IsPDFName reports whether name has the .pdf extension, in any case.
func IsPDFName(name string) bool {
	return len(name) >= 4 && strings.EqualFold(name[len(name)-4:], ".pdf")
}

// Extract returns the text of the PDF raw as hard-wrapped lines: one line
// per row of text, in page order and top to bottom, each followed by a
// blank line; the last line of a paragraph ends with a space. Errors are
// one line, start with name and wrap [ErrEncrypted], [ErrUnreadable] or
// [ErrNoTextLayer].
//
// An encrypted PDF that opens with the empty user password (one that only
// restricts permissions) is read; if that fails, for instance because the
// reader decrypts it wrongly (it does so with 40-bit RC4 keys), the error
// is [ErrEncrypted].
func Extract(name string, raw []byte) (string, error) {
	if len(raw) > MaxBytes {
		return "", fmt.Errorf("%s: file too large (%d bytes, limit %d)", name, len(raw), MaxBytes)
	}
	text, encrypted, err := readText(raw)
	switch {
	case err == nil:
		return text, nil
	case encrypted:
		return "", fmt.Errorf("%s: %w", name, ErrEncrypted)
	case errors.Is(err, ErrNoTextLayer):
		return "", fmt.Errorf("%s: %w", name, err)
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
