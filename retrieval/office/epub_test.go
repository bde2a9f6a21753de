package office_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/citebot/citebot/retrieval/office"
)

// epubFile returns an e-book whose package document OPS/book.opf has the
// manifest items and spine itemrefs given, with the other files added.
func epubFile(tb testing.TB, items, spine string, files ...file) []byte {
	tb.Helper()
	all := []file{
		{"mimetype", "application/epub+zip"},
		{"META-INF/container.xml", `<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OPS/book.opf" media-type="application/oebps-package+xml"/></rootfiles></container>`},
		{"OPS/book.opf", `<package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata/><manifest>` + items + `</manifest><spine>` + spine + `</spine></package>`},
	}
	return zipFiles(tb, append(all, files...)...)
}

// xhtml returns an XHTML document with body.
func xhtml(body string) string {
	return `<?xml version="1.0" encoding="utf-8"?><!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">` +
		`<head><title>Head title</title><style>p{}</style></head><body>` + body + `</body></html>`
}

func TestEPUB(t *testing.T) {
	item := func(id, href string) string {
		return `<item id="` + id + `" href="` + href + `" media-type="application/xhtml+xml"/>`
	}
	cases := []struct {
		name string
		raw  []byte
		want string
	}{
		{"spine order, not manifest order", epubFile(t, item("b", "b.xhtml")+item("a", "a.xhtml"), `<itemref idref="a"/><itemref idref="b"/>`,
			file{"OPS/a.xhtml", xhtml(`<h1>One</h1><p>first</p>`)}, file{"OPS/b.xhtml", xhtml(`<h1>Two</h1><p>second</p>`)}),
			"# One\n\nfirst\n\n# Two\n\nsecond"},
		{"linear no and navigation left out", epubFile(t,
			item("a", "a.xhtml")+item("cover", "cover.xhtml")+`<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>`,
			`<itemref idref="nav"/><itemref idref="cover" linear="no"/><itemref idref="a"/>`,
			file{"OPS/a.xhtml", xhtml(`<p>body</p>`)}, file{"OPS/cover.xhtml", xhtml(`<p>COVER</p>`)},
			file{"OPS/nav.xhtml", xhtml(`<nav epub:type="toc"><ol><li>TOC</li></ol></nav>`)}),
			"body"},
		{"relative and escaped paths", epubFile(t, item("a", "../Text/ch%201.xhtml#start"), `<itemref idref="a"/>`,
			file{"Text/ch 1.xhtml", xhtml(`<p>found</p>`)}),
			"found"},
		{"blocks", epubFile(t, item("a", "a.xhtml"), `<itemref idref="a"/>`,
			file{"OPS/a.xhtml", xhtml(`<section><h2>Sec<br/>tion</h2><div>loose text<p>para&nbsp;graph with <b>bo</b>ld</p>tail</div>` +
				`<blockquote><p>quoted</p></blockquote><ul><li>item one</li><li>item <em>two</em></li></ul>` +
				`<table><caption>Cap</caption><tr><th>h1</th><th>h2</th></tr><tr><td>c1</td><td><p>c</p><p>2</p></td></tr></table>` +
				`<pre>line 1
    line 2</pre><h6>Small</h6><p>长江<br/>经济带</p></section>`)}),
			"## Sec tion\n\nloose text\n\npara graph with bold\n\ntail\n\nquoted\n\nitem one\n\nitem two\n\nCap\n\nh1 | h2\n\nc1 | c 2\n\n```\nline 1\n    line 2\n```\n\n###### Small\n\n长江经济带"},
		{"footnotes and marks left out", epubFile(t, item("a", "a.xhtml"), `<itemref idref="a"/>`,
			file{"OPS/a.xhtml", xhtml(`<p>Claim<a epub:type="noteref" href="#n1">1</a>.<sup><a role="doc-noteref" href="#n2">2</a></sup></p>` +
				`<aside epub:type="footnote" id="n1"><p>NOTE</p></aside><section role="doc-endnotes"><p>ENDNOTE</p></section><script>SCRIPT</script>`)}),
			"Claim."},
		{"not well-formed XML read as HTML", epubFile(t, item("a", "a.xhtml"), `<itemref idref="a"/>`,
			file{"OPS/a.xhtml", `<html><body><p>one<p>two & <b>three</i></body>`}),
			"one\n\ntwo & three"},
		{"missing spine document skipped", epubFile(t, item("a", "a.xhtml")+item("b", "gone.xhtml"), `<itemref idref="b"/><itemref idref="a"/>`,
			file{"OPS/a.xhtml", xhtml(`<p>still read</p>`)}),
			"still read"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := office.EPUB(tc.raw)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestEPUBErrors(t *testing.T) {
	cases := []struct {
		name string
		raw  []byte
		want error
	}{
		{"not a zip", []byte("plain text"), office.ErrNotDocument},
		{"no container", zipFiles(t, file{"mimetype", "application/epub+zip"}), office.ErrNotDocument},
		{"another media type", zipFiles(t, file{"mimetype", "application/zip"}), office.ErrNotDocument},
		{"no package document", zipFiles(t, file{"META-INF/container.xml", `<container><rootfiles><rootfile full-path="x.opf"/></rootfiles></container>`}), office.ErrNotDocument},
		{"empty spine", epubFile(t, "", ""), office.ErrNoText},
		{"no text", epubFile(t, `<item id="a" href="a.xhtml" media-type="application/xhtml+xml"/>`, `<itemref idref="a"/>`, file{"OPS/a.xhtml", xhtml(`<p> </p>`)}), office.ErrNoText},
		{"nested too deep", epubFile(t, `<item id="a" href="a.xhtml" media-type="application/xhtml+xml"/>`, `<itemref idref="a"/>`,
			file{"OPS/a.xhtml", xhtml(strings.Repeat("<div>", office.MaxDepth) + "x")}), office.ErrTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := office.EPUB(tc.raw)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %q, %v; want an error wrapping %v", got, err, tc.want)
			}
		})
	}
}
