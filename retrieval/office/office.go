// Package office reads the text of word-processor and e-book files: Office
// Open XML documents (.docx), OpenDocument text (.odt) and EPUB e-books
// (.epub). All three are zip archives of XML; the readers here are small
// and fuzzed, and bound the bytes they inflate.
//
// Each reader returns Markdown-style text that retrieval/document rebuilds
// into paragraphs: one block per paragraph, blocks separated by a blank
// line, headings as "# Heading" (level kept with more '#'), table rows as
// one block each with cells joined by " | ", runs of one paragraph joined
// without inventing spaces, soft line breaks as a space between Latin
// words and nothing between CJK characters. Headers, footers, footnotes,
// comments and deleted text are not body text and are left out.
//
// The readers are safe for concurrent use.
package office

import "errors"

// ErrNotImplemented is returned by readers not written yet.
var ErrNotImplemented = errors.New("not implemented")

// DOCX returns the body text of an Office Open XML document.
func DOCX(raw []byte) (string, error) { return "", ErrNotImplemented }

// ODT returns the body text of an OpenDocument text document.
func ODT(raw []byte) (string, error) { return "", ErrNotImplemented }

// EPUB returns the text of an EPUB e-book, its spine in order, each
// chapter starting with its heading.
func EPUB(raw []byte) (string, error) { return "", ErrNotImplemented }
