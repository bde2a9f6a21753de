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
	// ErrUnsupportedFileType means the file is of no supported document
	// type (see [IsSupportedFile]); it wraps extract.ErrUnsupported.
	ErrUnsupportedFileType = fmt.Errorf("%w, want %s", extract.ErrUnsupported, documentTypes)
)

// documentTypes lists the supported extensions for messages: ".txt, .md,
// ... or .jpeg".
var documentTypes = extract.ExtensionList

// IsSupportedFile reports whether path has a supported document extension
// (compared case-insensitively): one of extract.Extensions, the one list
// of document types.
func IsSupportedFile(path string) bool { return extract.IsSupported(path) }

// Load reads and parses the documents at paths, in order. A path
// may be a file of a supported type (see [IsSupportedFile]) or a directory, whose
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
// documents together are checked with [Limits.Check]. It is
// [Limits.LoadFiles] without a context or progress.
func (l Limits) Load(paths []string) ([]*Document, error) {
	return l.LoadFiles(context.Background(), paths, nil)
}

// LoadFiles is [Limits.Load] within ctx, reporting each file's progress
// (progress may be nil); files are read as [Limits.ParseFile] reads them.
func (l Limits) LoadFiles(ctx context.Context, paths []string, progress func(file string, p extract.Progress)) ([]*Document, error) {
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
		var report extract.ProgressFunc
		if progress != nil {
			report = func(p extract.Progress) { progress(path, p) }
		}
		doc, err := l.loadDocument(ctx, path, report)
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

// loadDocument reads and parses the file at path within l and ctx.
func (l Limits) loadDocument(ctx context.Context, path string, progress extract.ProgressFunc) (*Document, error) {
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
	if isTextName(path) {
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
	return l.parseFile(ctx, path, filepath.Base(path), buf.Bytes(), progress)
}

// isTextName reports whether name's extension is that of a text kind,
// whose text is its bytes: .txt, .md or .markdown.
func isTextName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".txt", ".md", ".markdown":
		return true
	}
	return false
}

// Parse parses raw file contents into a [Document] called name. The
// file's kind comes from its content first and name second (see
// extract.Sniff): plain text and Markdown (a name ending in .md) are read
// here, other kinds (PDF, Word, OpenDocument, EPUB, web pages, images)
// through extract in this process, without OCR. Text is rebuilt into
// paragraphs (see the package documentation): a UTF-8 BOM is stripped,
// CRLF and CR line ends become LF. Headings have number 0: the
// title of hard-wrapped text (its leading short blocks, joined) and each
// Markdown heading, stored without its '#' marks; body paragraphs are
// numbered from 1 in reading order and carry the text of the nearest
// Markdown heading above them as Section. Hash is the hex SHA-256 of raw;
// Kind, OCR and Pages say how the file was read. It rejects empty text
// ([ErrEmptyDocument]), binary data such as NUL bytes or many control
// characters in a text file ([ErrBinaryDocument]), invalid UTF-8
// ([ErrInvalidUTF8]) and files of no supported type
// ([ErrUnsupportedFileType]), with a one-line error that starts with name.
//
// Parse does not keep raw. It is safe for concurrent use. It is
// [Limits.Parse] with no limits.
func Parse(name string, raw []byte) (*Document, error) {
	return Limits{}.Parse(name, raw)
}

// Parse is [Parse] within l. It refuses, with a [*LimitError], a text
// whose bytes alone would take more than l.MemoryBudget before it
// rebuilds it, and a document with more passages than l.MaxPassages or
// needing more than l.MemoryBudget; while it rebuilds the paragraphs it
// keeps no more of them than l allows, so that a text of a million tiny
// paragraphs is refused in memory proportional to its bytes. Files other
// than text and Markdown are read by l.Extractor (see [Limits.ParseFile]).
func (l Limits) Parse(name string, raw []byte) (*Document, error) {
	return l.ParseFile(context.Background(), name, raw, nil)
}

// ParseFile is [Limits.Parse] for a file of any format retrieval/extract
// reads, within ctx, reporting progress (it may be nil) as long work
// (OCR) goes on. Files other than text and Markdown are read by
// l.Extractor (nil: in this process, without OCR): hard-wrapped text (a
// PDF's text layer, OCR) is rebuilt as hard-wrapped lines with their
// pages, Markdown-style text (Word, OpenDocument, EPUB, web pages) as
// Markdown.
func (l Limits) ParseFile(ctx context.Context, name string, raw []byte, progress extract.ProgressFunc) (*Document, error) {
	return l.parseFile(ctx, name, name, raw, progress)
}

// parseFile is ParseFile with label, the file name used in errors, apart
// from the document name.
func (l Limits) parseFile(ctx context.Context, label, name string, raw []byte, progress extract.ProgressFunc) (*Document, error) {
	kind, err := extract.Sniff(label, raw)
	if err != nil {
		if errors.Is(err, extract.ErrUnsupported) {
			err = &unsupportedError{err}
		}
		return nil, err
	}
	if kind == extract.Text || kind == extract.Markdown {
		return l.parseText(label, name, raw, kind)
	}
	res, err := l.Extractor.Extract(ctx, label, raw, progress)
	if err != nil {
		return nil, err
	}
	return l.parseExtracted(label, name, raw, res)
}

// unsupportedError is an error of extract.ErrUnsupported that is also
// [ErrUnsupportedFileType], keeping its text.
type unsupportedError struct{ err error }

func (e *unsupportedError) Error() string   { return e.err.Error() }
func (e *unsupportedError) Unwrap() []error { return []error{e.err, ErrUnsupportedFileType} }

// utf8BOM is the UTF-8 byte order mark.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// parseText parses the text or Markdown file raw of kind within l.
func (l Limits) parseText(label, name string, raw []byte, kind extract.Kind) (*Document, error) {
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
	src := normalizeLineEnds(body)
	text, paras, total := rebuildParagraphs(src, kind == extract.Markdown, l.maxParagraphs())
	if len(paras) == 0 {
		return nil, fmt.Errorf("%s: %w (no paragraphs of text)", label, ErrEmptyDocument)
	}
	doc, err := l.newDocument(label, name, raw, text, paras, total)
	if err != nil {
		return nil, err
	}
	doc.Kind, doc.Pages = string(kind), textPages(src)
	return doc, nil
}

// parseExtracted rebuilds the paragraphs of res, the text extracted from
// the file raw: hard-wrapped lines with their pages, or Markdown.
func (l Limits) parseExtracted(label, name string, raw []byte, res extract.Result) (*Document, error) {
	if err := l.checkTextSize(label, len(res.Text)); err != nil {
		return nil, err
	}
	var (
		text  string
		paras []Paragraph
		total int
		pages = res.Pages
	)
	if res.HardWrapped {
		var n int
		text, paras, total, n = rebuildPaged(res.Text, l.maxParagraphs())
		if pages == 0 {
			pages = n
		}
	} else {
		text, paras, total = rebuildParagraphs(normalizeLineEnds([]byte(res.Text)), true, l.maxParagraphs())
	}
	if len(paras) == 0 {
		if res.Kind == extract.PDF && !res.OCR {
			return nil, fmt.Errorf("%s: %w", label, pdf.ErrNoTextLayer)
		}
		return nil, fmt.Errorf("%s: %w (no paragraphs of text)", label, ErrEmptyDocument)
	}
	doc, err := l.newDocument(label, name, raw, text, paras, total)
	if err != nil {
		return nil, err
	}
	doc.Kind, doc.OCR, doc.Pages = string(res.Kind), res.OCR, pages
	return doc, nil
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
