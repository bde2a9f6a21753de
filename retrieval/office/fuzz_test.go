package office_test

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"github.com/citebot/citebot/retrieval/office"
	"github.com/citebot/citebot/retrieval/office/officetest"
)

// storedZip returns a zip archive of stored (uncompressed) entries, so
// that a fuzzer's changes to part reach the XML reader; names and parts
// alternate.
func storedZip(namesAndParts ...[]byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(namesAndParts); i += 2 {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: string(namesAndParts[i]), Method: zip.Store})
		if err != nil {
			panic(err)
		}
		_, _ = w.Write(namesAndParts[i+1])
	}
	_ = zw.Close()
	return buf.Bytes()
}

// checkRead fails when a reader returned empty text without an error.
func checkRead(t *testing.T, text string, err error) {
	t.Helper()
	if err == nil && strings.TrimSpace(text) == "" {
		t.Fatal("empty text without an error")
	}
	if len(text) > office.MaxText {
		t.Fatalf("%d bytes of text, more than MaxText", len(text))
	}
}

// FuzzDOCX reads fuzzed archives and fuzzed document.xml parts.
func FuzzDOCX(f *testing.F) {
	f.Add([]byte(`<w:document `+wNS+`><w:body>`+p("a", "b")+`<w:tbl><w:tr><w:tc>`+p("c")+`</w:tc></w:tr></w:tbl></w:body></w:document>`), officetest.DOCX("T", []string{"长江经济带", "one two"}))
	f.Add([]byte(`<w:document `+wNS+`><w:body><w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>x</w:t><w:br/></w:r><w:del><w:r><w:t>d</w:t></w:r></w:del></w:p></w:body></w:document>`), []byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, part, raw []byte) {
		text, err := office.DOCX(raw)
		checkRead(t, text, err)
		text, err = office.DOCX(storedZip([]byte("word/document.xml"), part,
			[]byte("word/styles.xml"), []byte(`<w:styles `+wNS+`>`+testStyles+`</w:styles>`)))
		checkRead(t, text, err)
	})
}

// FuzzODT reads fuzzed archives and fuzzed content.xml parts.
func FuzzODT(f *testing.F) {
	f.Add([]byte(`<office:document-content `+odtNS+`><office:body><office:text><text:h>H</text:h><text:p>a<text:s/>b<text:note><text:note-body><text:p>n</text:p></text:note-body></text:note></text:p>`+
		`<table:table><table:table-row><table:table-cell><text:p>c</text:p></table:table-cell></table:table-row></table:table></office:text></office:body></office:document-content>`),
		officetest.ODT("T", []string{"长江经济带", "one two"}))
	f.Fuzz(func(t *testing.T, part, raw []byte) {
		text, err := office.ODT(raw)
		checkRead(t, text, err)
		text, err = office.ODT(storedZip([]byte("content.xml"), part))
		checkRead(t, text, err)
	})
}

// FuzzEPUB reads fuzzed archives and e-books with a fuzzed package
// document and chapter.
func FuzzEPUB(f *testing.F) {
	f.Add([]byte(`<package><manifest><item id="a" href="a.xhtml" media-type="application/xhtml+xml"/></manifest><spine><itemref idref="a"/></spine></package>`),
		[]byte(xhtml(`<h1>T</h1><p>a<br/>b</p><table><tr><td>x</td></tr></table><pre>p</pre><aside epub:type="footnote">n</aside>`)),
		officetest.EPUB("T", [][]string{{"长江经济带"}, {"one two"}}))
	f.Fuzz(func(t *testing.T, opf, chapter, raw []byte) {
		text, err := office.EPUB(raw)
		checkRead(t, text, err)
		text, err = office.EPUB(storedZip(
			[]byte("META-INF/container.xml"), []byte(`<container><rootfiles><rootfile full-path="OPS/book.opf"/></rootfiles></container>`),
			[]byte("OPS/book.opf"), opf, []byte("OPS/a.xhtml"), chapter))
		checkRead(t, text, err)
	})
}
