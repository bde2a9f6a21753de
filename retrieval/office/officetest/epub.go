package officetest

import (
	"fmt"
	"strings"
)

// EPUB returns an EPUB 3 e-book titled title: a title page holding title
// as an h1, then one XHTML document per chapter whose paragraphs are the
// chapter's strings, each split into spans. The manifest lists the
// chapters in reverse order (the spine gives the reading order), the
// navigation document ([NavText]) is in the spine with linear="no", the
// second chapter's file name has a space (its href is %-escaped), and the
// first paragraph has a footnote mark and a footnote aside.
func EPUB(title string, chapters [][]string) []byte {
	var manifest, spine strings.Builder
	files := []entry{
		{name: "mimetype", body: "application/epub+zip", store: true},
		{name: "META-INF/container.xml", body: xmlHeader + `<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>` +
			`<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>`},
		{name: "OEBPS/nav.xhtml", body: xhtmlPage("Contents", `<nav epub:type="toc" id="toc"><h1>Contents</h1><ol><li><a href="text/title.xhtml">`+NavText+`</a></li></ol></nav>`)},
		{name: "OEBPS/text/title.xhtml", body: xhtmlPage(title, `<section epub:type="titlepage"><h1 class="title">`+esc(title)+`</h1></section>`)},
		{name: "OEBPS/styles/book.css", body: "p { text-indent: 2em; }\n"},
	}
	for i := len(chapters) - 1; i >= 0; i-- {
		manifest.WriteString(fmt.Sprintf(`<item id="ch%d" href="%s" media-type="application/xhtml+xml"/>`, i+1, chapterHref(i)))
	}
	for i, ch := range chapters {
		spine.WriteString(fmt.Sprintf(`<itemref idref="ch%d"/>`, i+1))
		var body strings.Builder
		body.WriteString(`<section epub:type="chapter">`)
		for j, p := range ch {
			body.WriteString(`<p>`)
			for k, run := range Runs(p, 100*i+j) {
				if k == 1 && i == 0 && j == 0 {
					body.WriteString(`<a epub:type="noteref" href="#fn1" id="r1">1</a>`)
				}
				body.WriteString(`<span class="s` + fmt.Sprint(k%3) + `">` + esc(run) + `</span>`)
			}
			body.WriteString(`</p>` + "\n")
		}
		if i == 0 {
			body.WriteString(`<aside epub:type="footnote" id="fn1"><p><a href="#r1">1</a> ` + FootnoteText + `</p></aside>`)
		}
		body.WriteString(`</section>`)
		name := strings.ReplaceAll(chapterHref(i), "%20", " ")
		files = append(files, entry{name: "OEBPS/" + name, body: xhtmlPage(fmt.Sprintf("Chapter %d", i+1), body.String())})
	}
	opf := xmlHeader + `<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid">` +
		`<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="uid">urn:uuid:00000000-0000-4000-8000-000000000000</dc:identifier>` +
		`<dc:title>` + esc(title) + `</dc:title><dc:language>zh</dc:language><meta property="dcterms:modified">2024-01-01T00:00:00Z</meta></metadata>` +
		`<manifest>` + manifest.String() +
		`<item id="css" href="styles/book.css" media-type="text/css"/>` +
		`<item id="title" href="text/title.xhtml" media-type="application/xhtml+xml"/>` +
		`<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/></manifest>` +
		`<spine><itemref idref="nav" linear="no"/><itemref idref="title"/>` + spine.String() + `</spine></package>`
	files = append(files, entry{name: "OEBPS/content.opf", body: opf})
	return zipOf(files)
}

// chapterHref returns the manifest href of chapter i.
func chapterHref(i int) string {
	if i == 1 {
		return "text/chapter%202.xhtml"
	}
	return fmt.Sprintf("text/ch%03d.xhtml", i+1)
}

// xhtmlPage returns an XHTML document of an e-book.
func xhtmlPage(title, body string) string {
	return xmlHeader + `<!DOCTYPE html>` + "\n" +
		`<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" xml:lang="zh" lang="zh">` +
		`<head><title>` + esc(title) + `</title><link rel="stylesheet" type="text/css" href="../styles/book.css"/></head>` +
		"\n<body>\n" + body + "\n</body></html>"
}
