package document

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/citebot/citebot/retrieval/extract"
	"github.com/citebot/citebot/retrieval/pdf"
)

// MaxBytes is the largest file [Load] reads.
const MaxBytes = pdf.MaxBytes

// Errors returned (wrapped, with the file name) by [Parse] and
// [Load]; branch on them with errors.Is.
var (
	// ErrEmptyDocument means the file has no text.
	ErrEmptyDocument = errors.New("empty document")
	// ErrBinaryDocument means the file holds binary data, not text.
	ErrBinaryDocument = errors.New("not a text file")
	// ErrInvalidUTF8 means the file is not UTF-8 encoded text.
	ErrInvalidUTF8 = errors.New("not valid UTF-8 text")
	// ErrUnsupportedFileType means the file's extension is not one of the
	// supported document types.
	ErrUnsupportedFileType = errors.New("unsupported file type, want " + documentTypes)
)

// documentExtensions are the file extensions Load reads, in
// lowercase. This is the one place that decides which files are documents.
var documentExtensions = []string{".txt", ".md", ".pdf"}

// documentTypes lists documentExtensions for messages: ".txt, .md or .pdf".
var documentTypes = listExtensions(documentExtensions)

// listExtensions returns exts as "a, b or c".
func listExtensions(exts []string) string {
	if len(exts) < 2 {
		return strings.Join(exts, "")
	}
	return strings.Join(exts[:len(exts)-1], ", ") + " or " + exts[len(exts)-1]
}

// IsSupportedFile reports whether path has a supported document extension
// (compared case-insensitively).
func IsSupportedFile(path string) bool {
	return slices.Contains(documentExtensions, strings.ToLower(filepath.Ext(path)))
}

// Load reads and parses the documents at paths, in order. A path
// may be a file (.txt, .md or .pdf, in any case) or a directory, whose
// document files are loaded in name order (not recursively; hidden files are
// skipped). With no
// paths it returns the bundled sample, [Sample].
//
// Errors are one line and name the offending path: a missing file, a
// directory without documents, an unsupported file type, a file larger than
// [MaxBytes], two documents with the same base name (their names
// must be unique, as citations use them) and any error of [Parse].
//
// Load is [Limits.Load] with no limits.
func Load(paths []string) ([]*Document, error) { return Limits{}.Load(paths) }

// Load is [Load] within l: a file whose text alone, or whose paragraphs,
// would pass l is refused as it is parsed (see [Limits.Parse]), and the
// documents together are checked with [Limits.Check].
func (l Limits) Load(paths []string) ([]*Document, error) {
	if len(paths) == 0 {
		return []*Document{Sample()}, nil
	}
	var files []string
	for _, path := range paths {
		found, err := documentFiles(path)
		if err != nil {
			return nil, err
		}
		files = append(files, found...)
	}
	docs := make([]*Document, 0, len(files))
	seen := make(map[string]string, len(files))
	for _, path := range files {
		name := filepath.Base(path)
		if prev, ok := seen[name]; ok {
			return nil, fmt.Errorf("duplicate document name %q: %s and %s", name, prev, path)
		}
		seen[name] = path
		doc, err := l.loadDocument(path)
		if err != nil {
			return nil, err
		}
		docs = append(docs, doc)
	}
	if err := l.Check(docs); err != nil {
		return nil, err
	}
	return docs, nil
}

// documentFiles returns the document files at path: path itself when it is
// a supported file, or the supported files of the directory at path.
func documentFiles(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, pathErrorCause(err))
	}
	if !info.IsDir() {
		if !IsSupportedFile(path) {
			return nil, fmt.Errorf("%s: %w", path, ErrUnsupportedFileType)
		}
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, fmt.Errorf("read directory %s: %w", path, pathErrorCause(err))
	}
	var files []string
	for _, e := range entries { // sorted by name
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") || !IsSupportedFile(e.Name()) {
			continue
		}
		files = append(files, filepath.Join(path, e.Name()))
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no %s documents in directory", path, documentTypes)
	}
	return files, nil
}

// pathErrorCause returns the cause inside an *os.PathError, so that the
// caller can name the path once.
func pathErrorCause(err error) error {
	if pe, ok := errors.AsType[*os.PathError](err); ok {
		return pe.Err
	}
	return err
}

// loadDocument reads and parses the file at path within l.
func (l Limits) loadDocument(path string) (*Document, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, pathErrorCause(err))
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat %s: %w", path, pathErrorCause(err))
	}
	if info.IsDir() {
		return nil, fmt.Errorf("%s: is a directory", path)
	}
	if info.Size() > MaxBytes {
		return nil, fmt.Errorf("%s: file too large (%d bytes, limit %d)", path, info.Size(), MaxBytes)
	}
	if !pdf.IsPDFName(path) {
		if err := l.checkTextSize(path, int(info.Size())); err != nil {
			return nil, err // before reading it
		}
	}
	var buf bytes.Buffer
	buf.Grow(int(info.Size()) + bytes.MinRead)
	if _, err := buf.ReadFrom(io.LimitReader(f, MaxBytes+1)); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, pathErrorCause(err))
	}
	if buf.Len() > MaxBytes {
		return nil, fmt.Errorf("%s: file too large (over %d bytes)", path, MaxBytes)
	}
	return l.parseDocument(path, filepath.Base(path), buf.Bytes())
}

// Parse parses raw file contents into a [Document] called name: it
// strips a UTF-8 BOM, turns CRLF and CR line ends into LF and rebuilds the
// paragraphs (see the package documentation); a name ending in .md is
// read as Markdown, any other as plain text. Headings have number 0: the
// title of hard-wrapped text (its leading short blocks, joined) and each
// Markdown heading, stored without its '#' marks; body paragraphs are
// numbered from 1 in reading order and carry the text of the nearest
// Markdown heading above them as Section. Hash is the hex SHA-256 of raw. It rejects empty text ([ErrEmptyDocument]), binary data such as NUL
// bytes or many control characters ([ErrBinaryDocument]) and invalid UTF-8
// ([ErrInvalidUTF8]), with a one-line error that starts with name.
//
// Parse does not keep raw. It is safe for concurrent use. It is
// [Limits.Parse] with no limits.
func Parse(name string, raw []byte) (*Document, error) {
	return Limits{}.parseDocument(name, name, raw)
}

// Parse is [Parse] within l. It refuses, with a [*LimitError], a text
// whose bytes alone would take more than l.MemoryBudget before it
// rebuilds it, and a document with more passages than l.MaxPassages or
// needing more than l.MemoryBudget; while it rebuilds the paragraphs it
// keeps no more of them than l allows, so that a text of a million tiny
// paragraphs is refused in memory proportional to its bytes.
func (l Limits) Parse(name string, raw []byte) (*Document, error) {
	return l.parseDocument(name, name, raw)
}

// ParseFile is [Limits.Parse] for a file of any format retrieval/extract
// reads, within ctx, reporting progress (it may be nil) as long work
// (OCR) goes on. Files other than text and Markdown are read by
// l.Extractor (nil: in this process, without OCR).
func (l Limits) ParseFile(ctx context.Context, name string, raw []byte, progress extract.ProgressFunc) (*Document, error) {
	return l.parseDocument(name, name, raw)
}

// LoadFiles is [Limits.Load] within ctx, reporting each file's progress
// (progress may be nil).
func (l Limits) LoadFiles(ctx context.Context, paths []string, progress func(file string, p extract.Progress)) ([]*Document, error) {
	return l.Load(paths)
}

// utf8BOM is the UTF-8 byte order mark.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// parseDocument is Parse within l, with label, the file name used in
// errors, apart from the document name.
func (l Limits) parseDocument(label, name string, raw []byte) (*Document, error) {
	if pdf.IsPDFName(name) {
		return l.parsePDF(label, name, raw)
	}
	if err := checkText(raw); err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	if err := l.checkTextSize(label, len(raw)); err != nil {
		return nil, err
	}
	body := bytes.TrimPrefix(raw, utf8BOM)
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, fmt.Errorf("%s: %w", label, ErrEmptyDocument)
	}
	markdown := strings.EqualFold(filepath.Ext(name), ".md")
	text, paras, total := rebuildParagraphs(normalizeLineEnds(body), markdown, l.maxParagraphs())
	if len(paras) == 0 {
		return nil, fmt.Errorf("%s: %w (no paragraphs of text)", label, ErrEmptyDocument)
	}
	return l.newDocument(label, name, raw, text, paras, total)
}

// parsePDF is parseDocument for a PDF file: the extractor lays its text out
// as hard-wrapped lines, which the hard-wrap rebuilder turns into paragraphs.
func (l Limits) parsePDF(label, name string, raw []byte) (*Document, error) {
	src, err := pdf.Extract(label, raw)
	if err != nil {
		return nil, err
	}
	w := newParagraphWriter(len(src), strings.Count(src, " \n")+1, l.maxParagraphs())
	rebuildHardWrapped(src, w)
	text, paras, total := w.finish()
	if len(paras) == 0 {
		return nil, fmt.Errorf("%s: %w", label, pdf.ErrNoTextLayer)
	}
	return l.newDocument(label, name, raw, text, paras, total)
}

// newDocument assembles a parsed document of total paragraphs, of which
// paras were kept, and checks it against l; errors name it label.
func (l Limits) newDocument(label, name string, raw []byte, text string, paras []Paragraph, total int) (*Document, error) {
	if total > len(paras) {
		return nil, l.paragraphsError(label, total, len(text))
	}
	sum := sha256.Sum256(raw)
	doc := &Document{
		Name:       name,
		Text:       text,
		Hash:       hex.EncodeToString(sum[:]),
		Paragraphs: paras,
	}
	if l.none() {
		return doc, nil
	}
	b := Budget{Limits: l}
	if err := b.Add(doc); err != nil {
		if le, ok := errors.AsType[*LimitError](err); ok {
			le.Doc = label
		}
		return nil, err
	}
	return doc, nil
}

// checkText returns an error when raw is not UTF-8 text: a UTF-16 BOM, a
// NUL byte, control characters in more than 1 of 10 bytes, or invalid
// UTF-8. The error carries the byte offset into raw where it helps.
func checkText(raw []byte) error {
	if bytes.HasPrefix(raw, []byte{0xFF, 0xFE}) || bytes.HasPrefix(raw, []byte{0xFE, 0xFF}) {
		return fmt.Errorf("%w (UTF-16 byte order mark; save the file as UTF-8)", ErrInvalidUTF8)
	}
	if i := bytes.IndexByte(raw, 0); i >= 0 {
		return fmt.Errorf("%w (NUL byte at offset %d)", ErrBinaryDocument, i)
	}
	control := 0
	for _, c := range raw {
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') || c == 0x7F {
			control++
		}
	}
	if control*10 > len(raw) {
		return fmt.Errorf("%w (%d control characters in %d bytes)", ErrBinaryDocument, control, len(raw))
	}
	if !utf8.Valid(raw) {
		return fmt.Errorf("%w (invalid byte at offset %d)", ErrInvalidUTF8, invalidUTF8Offset(raw))
	}
	return nil
}

// invalidUTF8Offset returns the offset of the first byte of b that is not
// part of a valid UTF-8 sequence, or -1.
func invalidUTF8Offset(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// normalizeLineEnds returns b as a string with CRLF and CR line ends turned
// into LF.
func normalizeLineEnds(b []byte) string {
	if bytes.IndexByte(b, '\r') < 0 {
		return string(b)
	}
	var s strings.Builder
	s.Grow(len(b))
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\r')
		if i < 0 {
			s.Write(b)
			break
		}
		s.Write(b[:i])
		s.WriteByte('\n')
		b = b[i+1:]
		if len(b) > 0 && b[0] == '\n' {
			b = b[1:]
		}
	}
	return s.String()
}
