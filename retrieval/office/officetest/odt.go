package officetest

import (
	"strings"
)

// ODT returns an OpenDocument text whose first paragraph is title in the
// Title style and whose body paragraphs are paras, each split into spans
// (some with an automatic style), spaces after the first of a run written
// as text:s as LibreOffice writes them, with a header and a footer in the
// master page and a footnote in the first paragraph.
func ODT(title string, paras []string) []byte {
	var body strings.Builder
	body.WriteString(`<text:p text:style-name="Title">`)
	writeODTSpans(&body, title, -1)
	body.WriteString(`</text:p>`)
	for i, p := range paras {
		body.WriteString(`<text:p text:style-name="P1">`)
		writeODTSpans(&body, p, i)
		body.WriteString(`</text:p>`)
	}
	content := xmlHeader + `<office:document-content ` + odfNamespaces + ` office:version="1.3">` +
		`<office:automatic-styles><style:style style:name="P1" style:family="paragraph" style:parent-style-name="Text_20_body"><style:paragraph-properties fo:text-align="justify"/></style:style>` +
		`<style:style style:name="T1" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style></office:automatic-styles>` +
		`<office:body><office:text><text:sequence-decls><text:sequence-decl text:display-outline-level="0" text:name="Table"/></text:sequence-decls>` +
		body.String() + `</office:text></office:body></office:document-content>`
	styles := xmlHeader + `<office:document-styles ` + odfNamespaces + ` office:version="1.3"><office:styles>` +
		`<style:style style:name="Standard" style:family="paragraph" style:class="text"/>` +
		`<style:style style:name="Text_20_body" style:display-name="Text body" style:family="paragraph" style:parent-style-name="Standard" style:class="text"/>` +
		`<style:style style:name="Title" style:family="paragraph" style:parent-style-name="Standard" style:next-style-name="Text_20_body" style:class="chapter"/>` +
		`<style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph" style:parent-style-name="Standard" style:default-outline-level="1" style:class="text"/>` +
		`</office:styles><office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1">` +
		`<style:header><text:p text:style-name="Header">` + HeaderText + `</text:p></style:header>` +
		`<style:footer><text:p text:style-name="Footer">` + FooterText + ` <text:page-number text:select-page="current">1</text:page-number></text:p></style:footer>` +
		`</style:master-page></office:master-styles></office:document-styles>`
	const mime = "application/vnd.oasis.opendocument.text"
	return zipOf([]entry{
		{name: "mimetype", body: mime, store: true},
		{name: "content.xml", body: content},
		{name: "styles.xml", body: styles},
		{name: "meta.xml", body: xmlHeader + `<office:document-meta ` + odfNamespaces + `><office:meta><dc:title>` + esc(title) + `</dc:title></office:meta></office:document-meta>`},
		{name: "META-INF/manifest.xml", body: xmlHeader + `<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">` +
			`<manifest:file-entry manifest:full-path="/" manifest:media-type="` + mime + `"/>` +
			`<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>` +
			`<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>` +
			`<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/></manifest:manifest>`},
	})
}

// writeODTSpans writes the spans of s; n is the paragraph's index (-1 for
// the title): the first body paragraph gets the footnote.
func writeODTSpans(b *strings.Builder, s string, n int) {
	prevSpace := true // a space at the start of a paragraph is written as text:s
	for j, run := range Runs(s, n+11) {
		if j == 1 && n == 0 {
			b.WriteString(`<text:note text:id="ftn1" text:note-class="footnote"><text:note-citation>1</text:note-citation>` +
				`<text:note-body><text:p text:style-name="Footnote">` + FootnoteText + `</text:p></text:note-body></text:note>`)
		}
		if j%3 == 1 {
			b.WriteString(`<text:span text:style-name="T1">`)
		}
		for _, r := range run {
			switch {
			case r == ' ' && prevSpace:
				b.WriteString(`<text:s/>`)
			case r == '\t':
				b.WriteString(`<text:tab/>`)
			default:
				b.WriteString(esc(string(r)))
			}
			prevSpace = r == ' '
		}
		if j%3 == 1 {
			b.WriteString(`</text:span>`)
		}
	}
}

const odfNamespaces = `xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ` +
	`xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" ` +
	`xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" ` +
	`xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" ` +
	`xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" ` +
	`xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" ` +
	`xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" ` +
	`xmlns:dc="http://purl.org/dc/elements/1.1/"`
