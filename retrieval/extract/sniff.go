package extract

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
)

// Extensions are the file extensions of the formats citebot reads, in
// lowercase: the one list that decides which files are documents.
var Extensions = []string{".txt", ".md", ".pdf", ".docx", ".odt", ".epub", ".html", ".htm", ".png", ".jpg", ".jpeg"}

// ExtensionList is [Extensions] for messages: ".txt, .md, ... or .jpeg".
var ExtensionList = strings.Join(Extensions[:len(Extensions)-1], ", ") + " or " + Extensions[len(Extensions)-1]

// IsSupported reports whether name has one of [Extensions], compared
// case-insensitively.
func IsSupported(name string) bool {
	return slices.Contains(Extensions, strings.ToLower(filepath.Ext(name)))
}

// byExtension are the kinds extensions name.
var byExtension = map[string]Kind{
	".txt": Text, ".md": Markdown, ".markdown": Markdown, ".pdf": PDF,
	".docx": DOCX, ".odt": ODT, ".epub": EPUB, ".html": HTML, ".htm": HTML,
	".png": Image, ".jpg": Image, ".jpeg": Image,
}

// kindNames name the binary kinds in "not a ... file" errors.
var kindNames = map[Kind]string{
	PDF: "PDF", DOCX: "Word (.docx)", ODT: "OpenDocument text (.odt)",
	EPUB: "EPUB", Image: "PNG or JPEG image",
}

// Zip archives are looked into within these bounds: a real document has
// tens to a few thousand entries, and the mimetype entry a few dozen bytes.
const (
	maxZipEntries  = 20000
	maxMimetype    = 256
	pdfMagicWithin = 1024 // "%PDF-" may follow junk bytes, as readers allow
)

// The media types of the mimetype entry of OpenDocument text and EPUB.
const (
	odtMimetype  = "application/vnd.oasis.opendocument.text"
	epubMimetype = "application/epub+zip"
)

// Sniff returns the kind of the file name with content raw, judged by the
// content first and the name's extension second: a .docx renamed .pdf is
// DOCX, a file whose content is no binary format and whose extension is
// .txt is Text. A file named as a binary kind whose content is not that
// kind is refused, saying what it is not; a zip archive that is no
// document, and a file of no known content or extension, are refused with
// [ErrUnsupported]. Errors are one line and start with name.
//
// A text file (.txt, .md) is taken for a binary kind only when its first
// bytes are that kind's signature, so that a text about PDF files that
// quotes "%PDF-" stays text. Sniff reads at most a bounded part of raw.
func Sniff(name string, raw []byte) (Kind, error) {
	ext := strings.ToLower(filepath.Ext(name))
	named, known := byExtension[ext]
	textName := named == Text || named == Markdown
	kind, err := sniffContent(raw, textName)
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	switch {
	case kind != "":
		return kind, nil
	case looksHTML(raw) && (named == HTML || !known):
		return HTML, nil
	case textName || named == HTML:
		return named, nil
	case known:
		return "", fmt.Errorf("%s: not a %s file (its content is not one)", name, kindNames[named])
	}
	return "", fmt.Errorf("%s: %w, want %s", name, ErrUnsupported, ExtensionList)
}

// sniffContent returns the binary kind raw's content shows, or "" when it
// shows none; strict asks for the signature at the very start.
func sniffContent(raw []byte, strict bool) (Kind, error) {
	head := raw[:min(len(raw), pdfMagicWithin)]
	switch {
	case bytes.HasPrefix(raw, []byte("%PDF-")),
		!strict && bytes.Contains(head, []byte("%PDF-")):
		return PDF, nil
	case bytes.HasPrefix(raw, []byte("PK\x03\x04")):
		return sniffZip(raw)
	case bytes.HasPrefix(raw, []byte("\x89PNG\r\n\x1a\n")),
		bytes.HasPrefix(raw, []byte("\xFF\xD8\xFF")):
		return Image, nil
	}
	return "", nil
}

// sniffZip returns the document kind of the zip archive raw: ODT or EPUB
// by its mimetype entry, DOCX by its word/document.xml part.
func sniffZip(raw []byte) (Kind, error) {
	notDocument := fmt.Errorf("%w: a zip archive that is not a Word, OpenDocument or EPUB file", ErrUnsupported)
	if n, ok := zipEntries(raw); !ok || n > maxZipEntries {
		return "", notDocument
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return "", fmt.Errorf("%w: a damaged zip archive (%v)", ErrUnsupported, err)
	}
	for _, f := range zr.File {
		switch f.Name {
		case "mimetype":
			switch mt := readMimetype(f); {
			case mt == odtMimetype:
				return ODT, nil
			case mt == epubMimetype:
				return EPUB, nil
			case strings.HasPrefix(mt, "application/vnd.oasis.opendocument."):
				return "", fmt.Errorf("%w: an OpenDocument file that is not a text document (%s)", ErrUnsupported, mt)
			}
		case "word/document.xml":
			return DOCX, nil
		}
	}
	return "", notDocument
}

// readMimetype returns the trimmed content of the mimetype entry f, or ""
// when it is longer than maxMimetype or unreadable.
func readMimetype(f *zip.File) string {
	if f.UncompressedSize64 > maxMimetype {
		return ""
	}
	rc, err := f.Open()
	if err != nil {
		return ""
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxMimetype))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// zipEntries returns the number of entries the end of central directory
// record of the zip archive raw declares, and whether it has one. A zip64
// archive declares 0xFFFF, more than any document needs.
func zipEntries(raw []byte) (int, bool) {
	const eocdLen, maxComment = 22, 0xFFFF
	start := max(0, len(raw)-eocdLen-maxComment)
	i := bytes.LastIndex(raw[start:], []byte("PK\x05\x06"))
	if i < 0 || start+i+eocdLen > len(raw) {
		return 0, false
	}
	eocd := raw[start+i:]
	return int(binary.LittleEndian.Uint16(eocd[10:12])), true
}

// looksHTML reports whether raw starts, after a byte order mark and white
// space, with "<!doctype html" or "<html", in any case.
func looksHTML(raw []byte) bool {
	b := bytes.TrimPrefix(raw, []byte("\xEF\xBB\xBF"))
	b = bytes.TrimLeft(b[:min(len(b), 4096)], " \t\r\n\f")
	for _, p := range []string{"<!doctype html", "<html"} {
		if len(b) >= len(p) && strings.EqualFold(string(b[:len(p)]), p) {
			return true
		}
	}
	return false
}
