package extract

import (
	"archive/zip"
	"bytes"
	"errors"
	"strings"
	"testing"
)

// zipOf returns a zip archive of the named entries, in order; the first
// is stored uncompressed, as OpenDocument and EPUB want their mimetype.
func zipOf(tb testing.TB, entries ...string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(entries); i += 2 {
		method := zip.Deflate
		if i == 0 {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: entries[i], Method: method})
		if err != nil {
			tb.Fatal(err)
		}
		w.Write([]byte(entries[i+1]))
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// Files of every kind, as small as Sniff needs them.
var (
	pngMagic  = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	jpegMagic = []byte("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00")
	pdfFile   = []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")
)

func docxFile(tb testing.TB) []byte {
	return zipOf(tb, "[Content_Types].xml", "<Types/>", "word/document.xml", "<w:document/>")
}

func odtFile(tb testing.TB) []byte {
	return zipOf(tb, "mimetype", odtMimetype, "content.xml", "<office:document-content/>")
}

func epubFile(tb testing.TB) []byte {
	return zipOf(tb, "mimetype", epubMimetype, "META-INF/container.xml", "<container/>")
}

func TestSniff(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		raw     []byte
		want    Kind
		wantErr string // substring of the error; "" for none
		is      error
	}{
		{name: "text", file: "a.txt", raw: []byte("hello\n"), want: Text},
		{name: "markdown", file: "A.MD", raw: []byte("# Title\n"), want: Markdown},
		{name: "markdown long extension", file: "a.markdown", raw: []byte("text"), want: Markdown},
		{name: "pdf", file: "a.pdf", raw: pdfFile, want: PDF},
		{name: "pdf after junk bytes", file: "a.pdf", raw: append([]byte("junk\r\n"), pdfFile...), want: PDF},
		{name: "pdf magic past 1024 bytes", file: "a.bin", raw: append(bytes.Repeat([]byte{1}, 1100), pdfFile...), wantErr: "unsupported file type, want .txt", is: ErrUnsupported},
		{name: "docx", file: "a.docx", raw: docxFile(t), want: DOCX},
		{name: "odt", file: "a.odt", raw: odtFile(t), want: ODT},
		{name: "epub", file: "a.epub", raw: epubFile(t), want: EPUB},
		{name: "html by extension", file: "a.html", raw: []byte("<p>hi</p>"), want: HTML},
		{name: "htm by extension", file: "a.HTM", raw: []byte("<div>hi</div>"), want: HTML},
		{name: "html by content without extension", file: "page", raw: []byte("\xEF\xBB\xBF \n<!DOCTYPE HTML><html>"), want: HTML},
		{name: "html by content, unknown extension", file: "page.php", raw: []byte("<html lang=en>"), want: HTML},
		{name: "html content in a .txt stays text", file: "a.txt", raw: []byte("<html>"), want: Text},
		{name: "png", file: "a.png", raw: pngMagic, want: Image},
		{name: "jpeg", file: "a.jpg", raw: jpegMagic, want: Image},
		{name: "jpeg long extension", file: "a.JPEG", raw: jpegMagic, want: Image},
		{name: "docx renamed .pdf", file: "report.pdf", raw: docxFile(t), want: DOCX},
		{name: "pdf renamed .txt", file: "report.txt", raw: pdfFile, want: PDF},
		{name: "png renamed .docx", file: "a.docx", raw: pngMagic, want: Image},
		{name: "text quoting %PDF- stays text", file: "notes.md", raw: []byte("A PDF starts with %PDF-1.7.\n"), want: Markdown},
		{name: "text named .pdf", file: "notes.pdf", raw: []byte("just some text\n"), wantErr: "notes.pdf: not a PDF file"},
		{name: "text named .docx", file: "notes.docx", raw: []byte("just some text\n"), wantErr: "notes.docx: not a Word (.docx) file"},
		{name: "text named .png", file: "x.png", raw: []byte("text"), wantErr: "x.png: not a PNG or JPEG image file"},
		{name: "zip of other files", file: "a.zip", raw: zipOf(t, "a.csv", "1,2"), wantErr: "a.zip: unsupported file type: a zip archive that is not a Word, OpenDocument or EPUB file", is: ErrUnsupported},
		{name: "spreadsheet named .docx", file: "a.docx", raw: zipOf(t, "[Content_Types].xml", "<Types/>", "xl/workbook.xml", "<w/>"), wantErr: "not a Word, OpenDocument or EPUB", is: ErrUnsupported},
		{name: "opendocument spreadsheet", file: "a.ods", raw: zipOf(t, "mimetype", "application/vnd.oasis.opendocument.spreadsheet"), wantErr: "not a text document (application/vnd.oasis.opendocument.spreadsheet)", is: ErrUnsupported},
		{name: "truncated zip", file: "a.docx", raw: docxFile(t)[:40], wantErr: "a.docx: unsupported file type: a zip archive", is: ErrUnsupported},
		{name: "unknown extension and content", file: "a.bin", raw: []byte{0, 1, 2}, wantErr: "a.bin: unsupported file type, want .txt, .md, .pdf, .docx, .odt, .epub, .html, .htm, .png, .jpg or .jpeg", is: ErrUnsupported},
		{name: "no extension, text", file: "README", raw: []byte("text"), wantErr: "unsupported file type", is: ErrUnsupported},
		{name: "empty text", file: "a.txt", raw: nil, want: Text},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Sniff(tc.file, tc.raw)
			if tc.wantErr == "" {
				if err != nil || got != tc.want {
					t.Fatalf("Sniff = %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Sniff = %q, %v; want an error containing %q", got, err, tc.wantErr)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v is not %v", err, tc.is)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error has several lines: %q", err)
			}
		})
	}
}

func TestIsSupported(t *testing.T) {
	for name, want := range map[string]bool{
		"a.txt": true, "A.PDF": true, "b.Docx": true, "c.odt": true, "d.epub": true, "e.html": true,
		"f.htm": true, "g.png": true, "h.jpg": true, "i.jpeg": true, "j.md": true,
		"k.zip": false, "l": false, "m.pdf.exe": false, ".txt.gz": false,
	} {
		if got := IsSupported(name); got != want {
			t.Errorf("IsSupported(%q) = %v, want %v", name, got, want)
		}
	}
	for _, ext := range Extensions {
		if _, ok := byExtension[ext]; !ok {
			t.Errorf("extension %s has no kind", ext)
		}
	}
}

func FuzzSniff(f *testing.F) {
	f.Add("a.pdf", pdfFile)
	f.Add("a.docx", docxFile(f))
	f.Add("a.odt", odtFile(f))
	f.Add("a.epub", epubFile(f))
	f.Add("a.png", pngMagic)
	f.Add("a", []byte("<!doctype html>"))
	f.Add("a.zip", zipOf(f, "mimetype", "x", "word/document.xml", ""))
	f.Fuzz(func(t *testing.T, name string, raw []byte) {
		kind, err := Sniff(name, raw)
		if (kind == "") == (err == nil) {
			t.Fatalf("Sniff = %q, %v: want a kind or an error", kind, err)
		}
		if err != nil && !strings.HasPrefix(err.Error(), name+": ") {
			t.Fatalf("error %q does not start with the name", err)
		}
		if err != nil && !strings.ContainsAny(name, "\r\n") && strings.ContainsAny(err.Error(), "\r\n") {
			t.Fatalf("error has several lines: %q", err)
		}
	})
}

func TestExtensionList(t *testing.T) {
	want := ".txt, .md, .pdf, .docx, .odt, .epub, .html, .htm, .png, .jpg or .jpeg"
	if ExtensionList != want {
		t.Errorf("ExtensionList = %q, want %q", ExtensionList, want)
	}
}
