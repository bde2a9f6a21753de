package office_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/citebot/citebot/retrieval/office"
)

const testStyles = `<w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal"/></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="2"><w:name w:val="heading 2"/></w:style>` +
	`<w:style w:type="paragraph" w:styleId="MyHeading"><w:name w:val="My Heading"/><w:basedOn w:val="Heading1"/></w:style>` +
	`<w:style w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/></w:style>`

// p returns a body paragraph of runs, each a w:r with one w:t.
func p(runs ...string) string {
	var b strings.Builder
	b.WriteString(`<w:p>`)
	for _, r := range runs {
		b.WriteString(`<w:r><w:t xml:space="preserve">` + r + `</w:t></w:r>`)
	}
	b.WriteString(`</w:p>`)
	return b.String()
}

func TestDOCX(t *testing.T) {
	cases := []struct {
		name, body, want string
	}{
		{"runs joined without spaces", p("Hel", "lo wor", "ld") + p("长江", "经", "济带"), "Hello world\n\n长江经济带"},
		{"white space collapsed and trimmed", p("  a   b ", " c\u00a0\u00a0d  "), "a b c d"},
		{"tab as a space", `<w:p><w:r><w:t>a</w:t><w:tab/><w:t>b</w:t></w:r></w:p>`, "a b"},
		{"soft break between Latin words", `<w:p><w:r><w:t>one</w:t><w:br/><w:t>two</w:t></w:r></w:p>`, "one two"},
		{"soft break between CJK characters", `<w:p><w:r><w:t>长江</w:t><w:br/><w:t>经济</w:t><w:cr/><w:t>带</w:t></w:r></w:p>`, "长江经济带"},
		{"soft break between CJK and Latin", `<w:p><w:r><w:t>长江</w:t><w:br/><w:t>GDP</w:t></w:r></w:p>`, "长江GDP"},
		{"headings by style", `<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>Book</w:t></w:r></w:p>` +
			`<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>One</w:t></w:r></w:p>` +
			`<w:p><w:pPr><w:pStyle w:val="2"/></w:pPr><w:r><w:t>Two</w:t></w:r></w:p>` +
			`<w:p><w:pPr><w:pStyle w:val="MyHeading"/></w:pPr><w:r><w:t>Based</w:t></w:r></w:p>` +
			`<w:p><w:pPr><w:outlineLvl w:val="2"/></w:pPr><w:r><w:t>Outline</w:t></w:r></w:p>` +
			`<w:p><w:pPr><w:pStyle w:val="Normal"/><w:pPrChange><w:pPr><w:pStyle w:val="Heading1"/></w:pPr></w:pPrChange></w:pPr><w:r><w:t>Body</w:t></w:r></w:p>`,
			"# Book\n\n# One\n\n## Two\n\n# Based\n\n### Outline\n\nBody"},
		{"table of contents left out", `<w:p><w:pPr><w:pStyle w:val="TOC1"/></w:pPr><w:r><w:t>Chapter 1 ... 3</w:t></w:r></w:p>` + p("Text"), "Text"},
		{"table rows", `<w:tbl><w:tblPr/><w:tblGrid/>` +
			`<w:tr><w:tc><w:tcPr/>` + p("a") + `</w:tc><w:tc>` + p("b") + p("c") + `</w:tc></w:tr>` +
			`<w:tr><w:tc>` + p("中") + p("文") + `</w:tc><w:tc>` + p("") + `</w:tc><w:tc>` + p("d") + `</w:tc></w:tr></w:tbl>` + p("after"),
			"a | b c\n\n中文 | d\n\nafter"},
		{"nested table flattened", `<w:tbl><w:tr><w:tc>` + p("x") +
			`<w:tbl><w:tr><w:tc>` + p("y") + `</w:tc><w:tc>` + p("z") + `</w:tc></w:tr></w:tbl>` + p("w") +
			`</w:tc><w:tc>` + p("v") + `</w:tc></w:tr></w:tbl>`,
			"x y z w | v"},
		{"revisions", `<w:p><w:r><w:t xml:space="preserve">kept </w:t></w:r><w:del w:id="1" w:author="A"><w:r><w:delText>deleted </w:delText></w:r></w:del>` +
			`<w:ins w:id="2" w:author="A"><w:r><w:t>inserted</w:t></w:r></w:ins>` +
			`<w:moveFrom w:id="3"><w:r><w:t>moved away</w:t></w:r></w:moveFrom></w:p>`,
			"kept inserted"},
		{"field codes left out, results kept", `<w:p><w:r><w:t xml:space="preserve">See </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>` +
			`<w:r><w:instrText xml:space="preserve"> HYPERLINK "http://x" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>` +
			`<w:r><w:t>the site</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>` +
			`<w:hyperlink r:id="rId9" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:r><w:t xml:space="preserve"> and link</w:t></w:r></w:hyperlink></w:p>`,
			"See the site and link"},
		{"note and comment marks left out", `<w:p><w:r><w:t>Claim</w:t></w:r><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteReference w:id="1"/></w:r>` +
			`<w:commentRangeStart w:id="0"/><w:r><w:t>.</w:t></w:r><w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r>` +
			`<w:r><w:endnoteReference w:id="2"/></w:r></w:p>`,
			"Claim."},
		{"hidden text left out", `<w:p><w:r><w:t>shown</w:t></w:r><w:r><w:rPr><w:vanish/></w:rPr><w:t>secret</w:t></w:r>` +
			`<w:r><w:rPr><w:vanish w:val="0"/></w:rPr><w:t>!</w:t></w:r></w:p>`,
			"shown!"},
		{"text box once, fallback skipped", `<w:p><w:r><w:t>Outer</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><a:graphic><a:graphicData>` +
			`<wps:wsp><wps:txbx><w:txbxContent>` + p("Box") + `</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></w:drawing></mc:Choice>` +
			`<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>` + p("Box") + `</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>` +
			`<w:r><w:t xml:space="preserve"> text</w:t></w:r></w:p>`,
			"Box\n\nOuter text"},
		{"content controls kept", `<w:sdt><w:sdtPr><w:alias w:val="Name"/><w:placeholder><w:docPart w:val="x"/></w:placeholder></w:sdtPr><w:sdtContent>` + p("Filled") + `</w:sdtContent></w:sdt>`, "Filled"},
		{"section properties left out", p("Body") + `<w:sectPr><w:headerReference w:type="default" r:id="rId1" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/></w:sectPr>`, "Body"},
		{"drawing text outside text boxes left out", `<w:p><w:r><w:t>Chart</w:t></w:r><w:r><w:drawing><a:graphic><a:graphicData><a:p><a:r><a:t>axis</a:t></a:r></a:p></a:graphicData></a:graphic></w:drawing></w:r></w:p>`, "Chart"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := office.DOCX(docxFile(t, tc.body, testStyles))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			for _, hidden := range []string{"HEADER", "FOOTNOTE"} {
				if strings.Contains(got, hidden) {
					t.Errorf("the text holds %s", hidden)
				}
			}
		})
	}
}

func TestDOCXErrors(t *testing.T) {
	deep := strings.Repeat("<w:sdt><w:sdtContent>", office.MaxDepth) + p("x")
	cases := []struct {
		name string
		raw  []byte
		want error
	}{
		{"not a zip", []byte("plain text, not a document"), office.ErrNotDocument},
		{"empty", nil, office.ErrNotDocument},
		{"zip without document.xml", zipFiles(t, file{"hello.txt", "hi"}), office.ErrNotDocument},
		{"a workbook", zipFiles(t,
			file{"_rels/.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
			file{"xl/workbook.xml", `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>`}),
			office.ErrNotDocument},
		{"old binary or encrypted", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...), office.ErrEncrypted},
		{"no text", docxFile(t, `<w:p/><w:p><w:r><w:t>  </w:t></w:r></w:p>`, ""), office.ErrNoText},
		{"malformed XML", docxFile(t, `<w:p><w:r><w:t>broken</w:r></w:p>`, ""), office.ErrDamaged},
		{"nested too deep", docxFile(t, deep, ""), office.ErrTooLarge},
		{"inflates too much", zipFiles(t, file{"word/document.xml", `<w:document ` + wNS + `><w:body>` + p(strings.Repeat("a", office.MaxInflated)) + `</w:body></w:document>`}), office.ErrTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := office.DOCX(tc.raw)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %q, %v; want an error wrapping %v", got, err, tc.want)
			}
		})
	}
}
