// Package office reads the text of word-processor and e-book files: Office
// Open XML documents (.docx), OpenDocument text (.odt) and EPUB e-books
// (.epub). All three are zip archives of XML.
//
// Each reader returns Markdown-style text that retrieval/document rebuilds
// into paragraphs (written by retrieval/office/blocks): one block per
// paragraph, blocks separated by a blank line, headings as "# Heading"
// (level kept with more '#'; a document's title style is level 1), table
// rows as one block each with cells joined by " | " (nested tables
// flattened into their cell), list items as blocks of their own, runs of
// one paragraph joined without inventing spaces, soft line breaks as a
// space between Latin words and nothing next to a CJK character, tabs and
// other white space collapsed to one space. Headers, footers, footnotes
// and endnotes with their marks, comments, deleted revisions, field codes
// and tables of contents are not body text and are left out; inserted
// revisions, hyperlinks' text and text boxes are kept.
//
// The readers parse hostile files. They inflate at most [MaxInflated]
// bytes from an archive (all entries together, and so each one), look at
// no more than [MaxEntries] entries, read XML as a token stream nested at
// most [MaxDepth] elements deep and return at most [MaxText] bytes of
// text; past a limit they return an error wrapping [ErrTooLarge]. A file
// that is not an archive of the format asked for gives an error wrapping
// [ErrNotDocument], a damaged one [ErrDamaged], one without text
// [ErrNoText]. They never panic.
//
// The readers are safe for concurrent use.
package office

import (
	"errors"

	"github.com/citebot/citebot/retrieval/office/blocks"
)

// Limits of the readers.
const (
	// MaxInflated is the most bytes read out of one archive's entries.
	MaxInflated = 64 << 20
	// MaxEntries is the most entries an archive may have.
	MaxEntries = 20000
	// MaxDepth is the deepest element nesting read in one XML part.
	MaxDepth = 256
	// MaxText is the most bytes of text a reader returns.
	MaxText = 32 << 20
	// MaxChapters is the most spine items of an EPUB read.
	MaxChapters = 5000
)

// Errors of the readers, wrapped with what went wrong.
var (
	// ErrNotDocument means the file is not of the format asked for.
	ErrNotDocument = errors.New("not a document of this format")
	// ErrDamaged means the file is of the format but cannot be read.
	ErrDamaged = errors.New("the document is damaged")
	// ErrTooLarge means the file passed one of the readers' limits.
	ErrTooLarge = blocks.ErrTooLarge
	// ErrNoText means the document has no text.
	ErrNoText = blocks.ErrNoText
	// ErrEncrypted means the document is password-protected.
	ErrEncrypted = errors.New("the document is password-protected")
)
