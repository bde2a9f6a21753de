package office_test

import (
	"archive/zip"
	"bytes"
	"testing"
)

// file is one entry of a test archive.
type file struct{ name, body string }

// zipFiles returns a zip archive of files, in order.
func zipFiles(tb testing.TB, files ...file) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.Create(f.name)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write([]byte(f.body)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

const wNS = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ` +
	`xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" ` +
	`xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" ` +
	`xmlns:v="urn:schemas-microsoft-com:vml" ` +
	`xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"`

// docxFile returns a Word document whose body XML is body, with the
// paragraph styles styles (w:style elements) in word/styles.xml.
func docxFile(tb testing.TB, body, styles string) []byte {
	tb.Helper()
	return zipFiles(tb,
		file{"[Content_Types].xml", `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`},
		file{"word/document.xml", `<?xml version="1.0" encoding="UTF-8"?><w:document ` + wNS + `><w:body>` + body + `</w:body></w:document>`},
		file{"word/styles.xml", `<w:styles ` + wNS + `>` + styles + `</w:styles>`},
		file{"word/header1.xml", `<w:hdr ` + wNS + `><w:p><w:r><w:t>HEADER</w:t></w:r></w:p></w:hdr>`},
		file{"word/footnotes.xml", `<w:footnotes ` + wNS + `><w:footnote w:id="1"><w:p><w:r><w:t>FOOTNOTE</w:t></w:r></w:p></w:footnote></w:footnotes>`},
	)
}

const odtNS = `xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ` +
	`xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" ` +
	`xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" ` +
	`xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" ` +
	`xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" ` +
	`xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" ` +
	`xmlns:dc="http://purl.org/dc/elements/1.1/"`

// odtFile returns an OpenDocument text whose office:text XML is body and
// whose automatic styles are autoStyles.
func odtFile(tb testing.TB, body, autoStyles string) []byte {
	tb.Helper()
	return zipFiles(tb,
		file{"mimetype", "application/vnd.oasis.opendocument.text"},
		file{"content.xml", `<?xml version="1.0" encoding="UTF-8"?><office:document-content ` + odtNS + `>` +
			`<office:automatic-styles>` + autoStyles + `</office:automatic-styles>` +
			`<office:body><office:text>` + body + `</office:text></office:body></office:document-content>`},
		file{"styles.xml", `<office:document-styles ` + odtNS + `><office:styles>` +
			`<style:style style:name="Title" style:family="paragraph"/>` +
			`<style:style style:name="Heading_20_2" style:family="paragraph" style:default-outline-level="2"/>` +
			`</office:styles><office:master-styles><style:master-page style:name="Standard">` +
			`<style:header><text:p>HEADER</text:p></style:header><style:footer><text:p>FOOTER</text:p></style:footer>` +
			`</style:master-page></office:master-styles></office:document-styles>`},
	)
}
