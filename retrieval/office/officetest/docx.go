package officetest

import (
	"fmt"
	"strings"
)

// DOCX returns a Word document whose first paragraph is title in the
// Title style and whose body paragraphs are paras, each split into runs
// (some bold), with a header, a footer, a footnote after the first run of
// the first paragraph, a bookmark and proofing marks as Word writes them.
func DOCX(title string, paras []string) []byte {
	var body strings.Builder
	body.WriteString(`<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr>`)
	writeDOCXRuns(&body, title, -1)
	body.WriteString(`</w:p>`)
	for i, p := range paras {
		body.WriteString(`<w:p w14:paraId="` + fmt.Sprintf("%08X", i+1) + `"><w:pPr><w:jc w:val="both"/></w:pPr>`)
		writeDOCXRuns(&body, p, i)
		body.WriteString(`</w:p>`)
	}
	doc := xmlHeader + `<w:document ` + wNamespaces + `><w:body>` + body.String() +
		`<w:sectPr><w:headerReference w:type="default" r:id="rId3"/><w:footerReference w:type="default" r:id="rId4"/>` +
		`<w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>`
	return zipOf([]entry{
		{name: "[Content_Types].xml", body: docxContentTypes},
		{name: "_rels/.rels", body: docxRootRels},
		{name: "docProps/core.xml", body: xmlHeader + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>` + esc(title) + `</dc:title></cp:coreProperties>`},
		{name: "word/document.xml", body: doc},
		{name: "word/_rels/document.xml.rels", body: docxDocRels},
		{name: "word/styles.xml", body: docxStyles},
		{name: "word/header1.xml", body: xmlHeader + `<w:hdr ` + wNamespaces + `><w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr><w:r><w:t>` + HeaderText + `</w:t></w:r></w:p></w:hdr>`},
		{name: "word/footer1.xml", body: xmlHeader + `<w:ftr ` + wNamespaces + `><w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr><w:r><w:t xml:space="preserve">` + FooterText + ` </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:ftr>`},
		{name: "word/footnotes.xml", body: xmlHeader + `<w:footnotes ` + wNamespaces + `><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote><w:footnote w:id="1"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr><w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> ` + FootnoteText + `</w:t></w:r></w:p></w:footnote></w:footnotes>`},
	})
}

// writeDOCXRuns writes the runs of s; n is the paragraph's index (-1 for
// the title): the first body paragraph gets the footnote reference.
func writeDOCXRuns(b *strings.Builder, s string, n int) {
	for j, run := range Runs(s, n+7) {
		if j == 1 && n == 0 {
			b.WriteString(`<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteReference w:id="1"/></w:r>`)
		}
		if j == 2 {
			b.WriteString(`<w:bookmarkStart w:id="0" w:name="_Ref` + fmt.Sprint(n+1) + `"/><w:proofErr w:type="spellStart"/>`)
		}
		b.WriteString(`<w:r>`)
		if j%3 == 1 {
			b.WriteString(`<w:rPr><w:b/><w:rFonts w:hint="eastAsia"/></w:rPr>`)
		}
		b.WriteString(`<w:t xml:space="preserve">` + esc(run) + `</w:t></w:r>`)
		if j == 2 {
			b.WriteString(`<w:proofErr w:type="spellEnd"/><w:bookmarkEnd w:id="0"/>`)
		}
	}
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

const wNamespaces = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ` +
	`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ` +
	`xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" ` +
	`xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="w14"`

const docxContentTypes = xmlHeader + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
	`<Default Extension="xml" ContentType="application/xml"/>` +
	`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
	`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` +
	`<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>` +
	`<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>` +
	`<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/>` +
	`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
	`</Types>`

const docxRootRels = xmlHeader + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
	`</Relationships>`

const docxDocRels = xmlHeader + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/>` +
	`<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/>` +
	`<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>` +
	`</Relationships>`

const docxStyles = xmlHeader + `<w:styles ` + wNamespaces + `>` +
	`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:rPr><w:sz w:val="56"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Header"><w:name w:val="header"/><w:basedOn w:val="Normal"/></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Footer"><w:name w:val="footer"/><w:basedOn w:val="Normal"/></w:style>` +
	`<w:style w:type="paragraph" w:styleId="FootnoteText"><w:name w:val="footnote text"/><w:basedOn w:val="Normal"/></w:style>` +
	`<w:style w:type="character" w:styleId="FootnoteReference"><w:name w:val="footnote reference"/><w:rPr><w:vertAlign w:val="superscript"/></w:rPr></w:style>` +
	`</w:styles>`
