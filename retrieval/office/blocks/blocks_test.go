package blocks_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/citebot/citebot/retrieval/office/blocks"
	"golang.org/x/net/html"
)

// run is one step of building a paragraph.
type run struct {
	text      string
	html      bool
	brk, spce bool
}

func TestPara(t *testing.T) {
	cases := []struct {
		name string
		runs []run
		want string
	}{
		{"runs joined as they come", []run{{text: "Hel"}, {text: "lo wor"}, {text: "ld"}}, "Hello world"},
		{"white space collapsed and trimmed", []run{{text: "  a \t\n b  "}, {text: "\u00a0c\u3000d "}}, "a b c d"},
		{"break between Latin words", []run{{text: "one"}, {brk: true}, {text: "two"}}, "one two"},
		{"break between CJK characters", []run{{text: "长江"}, {brk: true}, {text: "经济"}}, "长江经济"},
		{"break after CJK punctuation", []run{{text: "发展。"}, {brk: true}, {text: "The"}}, "发展。The"},
		{"break before Hangul keeps a space", []run{{text: "word"}, {brk: true}, {text: "한국"}}, "word 한국"},
		{"break wins over spaces around it", []run{{text: "长江 "}, {brk: true}, {text: " 经济"}}, "长江经济"},
		{"space element", []run{{text: "a"}, {spce: true}, {text: "b"}}, "a b"},
		{"HTML line feed between CJK", []run{{text: "长江\n  经济 and\nmore", html: true}}, "长江经济 and more"},
		{"HTML spaces without a line feed", []run{{text: "长江  经济", html: true}}, "长江 经济"},
		{"control characters dropped", []run{{text: "a\x00b\x01c\x7f"}}, "abc"},
		{"invalid UTF-8 replaced", []run{{text: "a\xffb"}}, "a\uFFFDb"},
		{"leading break ignored", []run{{brk: true}, {text: "x"}}, "x"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := blocks.NewWriter(1 << 20)
			p := w.NewPara()
			for _, r := range tc.runs {
				switch {
				case r.brk:
					p.Break()
				case r.spce:
					p.Space()
				case r.html:
					p.HTMLText(r.text)
				default:
					p.Text(r.text)
				}
			}
			if got := p.String(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestWriter(t *testing.T) {
	para := func(w *blocks.Writer, s string) *blocks.Para {
		p := w.NewPara()
		p.Text(s)
		return p
	}
	cases := []struct {
		name  string
		write func(w *blocks.Writer)
		want  string
	}{
		{"blocks and headings", func(w *blocks.Writer) {
			w.Heading(1, para(w, "Title"))
			w.Paragraph(para(w, "body"))
			w.Paragraph(para(w, "  "))
			w.Heading(9, para(w, "deep"))
			w.Heading(0, para(w, "shallow"))
		}, "# Title\n\nbody\n\n###### deep\n\n# shallow"},
		{"a heading repeated at once written once", func(w *blocks.Writer) {
			w.Heading(1, para(w, "Title"))
			w.Heading(2, para(w, "Title"))
			w.Paragraph(para(w, "x"))
			w.Heading(2, para(w, "Title"))
		}, "# Title\n\nx\n\n## Title"},
		{"rows skip empty cells", func(w *blocks.Writer) {
			w.Row([]*blocks.Para{para(w, "a"), para(w, ""), para(w, "b")})
			w.Row([]*blocks.Para{para(w, " ")})
		}, "a | b"},
		{"code keeps lines, fence longer than backticks inside", func(w *blocks.Writer) {
			w.Code("\n\nx := 1\r\n\tif ```\n\n")
		}, "````\nx := 1\n    if ```\n````"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := blocks.NewWriter(1 << 20)
			tc.write(w)
			got, err := w.Text()
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestWriterErrors(t *testing.T) {
	w := blocks.NewWriter(10)
	if _, err := w.Text(); !errors.Is(err, blocks.ErrNoText) {
		t.Errorf("empty writer: %v, want ErrNoText", err)
	}
	p := w.NewPara()
	p.Text(strings.Repeat("x", 11))
	w.Paragraph(p)
	if _, err := w.Text(); !errors.Is(err, blocks.ErrTooLarge) {
		t.Errorf("over the limit: %v, want ErrTooLarge", err)
	}
}

func TestFromHTMLDepth(t *testing.T) {
	root := &html.Node{Type: html.ElementNode, Data: "div"}
	n := root
	for range blocks.MaxHTMLDepth + 2 {
		ch := &html.Node{Type: html.ElementNode, Data: "div"}
		n.AppendChild(ch)
		n = ch
	}
	n.AppendChild(&html.Node{Type: html.TextNode, Data: "x"})
	if err := blocks.FromHTML(blocks.NewWriter(100), root); !errors.Is(err, blocks.ErrTooDeep) {
		t.Errorf("got %v, want ErrTooDeep", err)
	}
}

func TestPrescan(t *testing.T) {
	cases := []struct {
		name    string
		page    string
		tooDeep bool
	}{
		{"closed elements", strings.Repeat("<div><span>x</span></div>", 1000), false},
		{"unclosed paragraphs and items", "<ul>" + strings.Repeat("<li><p>item", 1000), false},
		{"unclosed cells and rows", "<table>" + strings.Repeat("<tr><td>a<td>b", 1000), false},
		{"void elements", strings.Repeat("<br><img src=x><hr>", 1000), false},
		{"paragraph closed by a block", strings.Repeat("<p>x<div>y</div>", 1000), false},
		{"script text is not tags", "<script>" + strings.Repeat("<div>", 1000) + "</script>", false},
		{"nested divs", strings.Repeat("<div>", 100), true},
		{"unclosed formatting", strings.Repeat("<b>", 100), true},
		{"too many elements", strings.Repeat("<br>", 5001), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := blocks.Prescan([]byte(tc.page), 5000, 64)
			if tc.tooDeep != errors.Is(err, blocks.ErrTooLarge) {
				t.Errorf("got %v, want refused %v", err, tc.tooDeep)
			}
		})
	}
}
