// Package officetest makes small Word, OpenDocument and EPUB files for
// tests, laid out as Word, LibreOffice and e-book tools write them: each
// paragraph split into several runs at arbitrary points (mid-word and
// between two CJK characters included), with a header, a footer and a
// footnote whose texts ([HeaderText], [FooterText], [FootnoteText]) are
// not body text and must not come out of a reader.
//
// The generators are deterministic and safe for concurrent use.
package officetest

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"strings"
	"unicode/utf8"
)

// Texts of the parts that are not body text.
const (
	HeaderText   = "Running header of officetest"
	FooterText   = "Page footer of officetest"
	FootnoteText = "A footnote of officetest"
	// NavText is the table of contents entry of an EPUB's navigation
	// document, which is not in the reading order.
	NavText = "Contents of officetest"
)

// entry is one file of a zip archive.
type entry struct {
	name, body string
	store      bool // stored uncompressed (an OpenDocument or EPUB mimetype)
}

// zipOf returns the zip archive of entries, in order.
func zipOf(entries []entry) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		method := zip.Deflate
		if e.store {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: method})
		if err != nil {
			panic(err) // writing to memory does not fail
		}
		if _, err := w.Write([]byte(e.body)); err != nil {
			panic(err)
		}
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// esc returns s escaped for XML text and attribute values.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// Runs splits s into pieces at arbitrary but repeatable points chosen by
// seed: every piece is non-empty, the pieces joined are s, and a piece
// boundary falls within a word or between two CJK characters whenever s
// is long enough.
func Runs(s string, seed int) []string {
	var runs []string
	state := uint32(seed)*2654435761 + 12345
	for s != "" {
		state = state*1664525 + 1013904223
		n := 1 + int(state>>24)%9 // runes in this piece
		i, count := 0, 0
		for i < len(s) && count < n {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
			count++
		}
		runs = append(runs, s[:i])
		s = s[i:]
	}
	return runs
}
