package office_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/citebot/citebot/retrieval/office"
)

func TestODT(t *testing.T) {
	const autoStyles = `<style:style style:name="P1" style:family="paragraph" style:parent-style-name="Title"/>` +
		`<style:style style:name="P2" style:family="paragraph" style:parent-style-name="Heading_20_2"/>`
	cases := []struct {
		name, body, want string
	}{
		{"spans joined without spaces", `<text:p>Hel<text:span text:style-name="T1">lo wor</text:span>ld</text:p><text:p>长江<text:span>经</text:span>济带</text:p>`, "Hello world\n\n长江经济带"},
		{"spaces, tabs and white space", `<text:p>  a<text:s text:c="3"/>b<text:tab/>c
   d </text:p>`, "a b c d"},
		{"line break between Latin words", `<text:p>one<text:line-break/>two</text:p>`, "one two"},
		{"line break between CJK characters", `<text:p>长江<text:line-break/>经济带</text:p>`, "长江经济带"},
		{"headings", `<text:p text:style-name="P1">Book</text:p><text:h text:outline-level="1">One</text:h>` +
			`<text:h text:outline-level="3">Three</text:h><text:h>Default</text:h><text:p text:style-name="P2">Styled</text:p><text:p>Body</text:p>`,
			"# Book\n\n# One\n\n### Three\n\n# Default\n\n## Styled\n\nBody"},
		{"lists", `<text:list><text:list-item><text:p>first</text:p></text:list-item><text:list-item><text:p>second</text:p>` +
			`<text:list><text:list-item><text:p>nested</text:p></text:list-item></text:list></text:list-item></text:list>`,
			"first\n\nsecond\n\nnested"},
		{"table rows", `<table:table><table:table-column table:number-columns-repeated="2"/><table:table-header-rows><table:table-row>` +
			`<table:table-cell><text:p>h1</text:p></table:table-cell><table:table-cell><text:p>h2</text:p></table:table-cell></table:table-row></table:table-header-rows>` +
			`<table:table-row><table:table-cell table:number-columns-spanned="2"><text:p>wide</text:p><text:p>cell</text:p></table:table-cell><table:covered-table-cell/></table:table-row>` +
			`<table:table-row><table:table-cell><table:table><table:table-row><table:table-cell><text:p>in</text:p></table:table-cell>` +
			`<table:table-cell><text:p>ner</text:p></table:table-cell></table:table-row></table:table></table:table-cell><table:table-cell/></table:table-row></table:table><text:p>after</text:p>`,
			"h1 | h2\n\nwide cell\n\nin ner\n\nafter"},
		{"footnotes, comments and tracked changes left out", `<text:tracked-changes><text:changed-region text:id="c1"><text:deletion><text:p>DELETED</text:p></text:deletion></text:changed-region></text:tracked-changes>` +
			`<text:p>Claim<text:note text:id="n1" text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>NOTE</text:p></text:note-body></text:note>` +
			`<office:annotation><dc:creator>A</dc:creator><text:p>COMMENT</text:p></office:annotation>.<text:change text:change-id="c1"/> <text:change-start text:change-id="c2"/>inserted<text:change-end text:change-id="c2"/></text:p>`,
			"Claim. inserted"},
		{"links, bookmarks and text boxes", `<text:p><text:bookmark text:name="b"/><text:a xlink:href="http://x" xmlns:xlink="http://www.w3.org/1999/xlink">link</text:a> text` +
			`<draw:frame><svg:title>TITLE</svg:title><draw:text-box><text:p>Box</text:p></draw:text-box></draw:frame></text:p>`,
			"Box\n\nlink text"},
		{"index left out", `<text:table-of-content><text:index-body><text:p>Chapter 1 3</text:p></text:index-body></text:table-of-content><text:p>Text</text:p>`, "Text"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := office.ODT(odtFile(t, tc.body, autoStyles))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			for _, hidden := range []string{"HEADER", "FOOTER"} {
				if strings.Contains(got, hidden) {
					t.Errorf("the text holds %s", hidden)
				}
			}
		})
	}
}

func TestODTErrors(t *testing.T) {
	cases := []struct {
		name string
		raw  []byte
		want error
	}{
		{"not a zip", []byte("plain text"), office.ErrNotDocument},
		{"a spreadsheet", zipFiles(t, file{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"}, file{"content.xml", "<x/>"}), office.ErrNotDocument},
		{"no content.xml", zipFiles(t, file{"mimetype", "application/vnd.oasis.opendocument.text"}), office.ErrNotDocument},
		{"content of another kind", zipFiles(t, file{"content.xml", `<html/>`}), office.ErrNotDocument},
		{"no text", odtFile(t, `<text:p> </text:p>`, ""), office.ErrNoText},
		{"malformed", odtFile(t, `<text:p>x</text:h>`, ""), office.ErrDamaged},
		{"nested too deep", odtFile(t, strings.Repeat("<text:span>", office.MaxDepth)+"x", ""), office.ErrTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := office.ODT(tc.raw)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %q, %v; want an error wrapping %v", got, err, tc.want)
			}
		})
	}
}
