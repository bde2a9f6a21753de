package document

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// pagedParagraph is a paragraph as the page tests compare it.
type pagedParagraph struct {
	N, Page int
	Text    string
}

// pagedParagraphs returns the numbers, pages and texts of paras in text.
func pagedParagraphs(text string, paras []Paragraph) []pagedParagraph {
	out := make([]pagedParagraph, 0, len(paras))
	for _, p := range paras {
		out = append(out, pagedParagraph{N: p.N, Page: p.Page, Text: text[p.Start:p.End]})
	}
	return out
}

// A hard-wrapped page as the PDF extractor lays it out: each line followed
// by a blank line, a paragraph's last line ending in a space.
const (
	wrappedTitle = "Annual report \n\n"
	wrappedOne   = "This paragraph is wrapped at the\n\nmargin of the page and it goes\n\non to the next line. \n\n"
	wrappedTwo   = "Then another paragraph is written\n\nand ended at the margin of\n\nthe page as well. \n\n"
)

func TestRebuildPages(t *testing.T) {
	one := "This paragraph is wrapped at the margin of the page and it goes on to the next line."
	two := "Then another paragraph is written and ended at the margin of the page as well."
	tests := []struct {
		name     string
		markdown bool
		in       string
		want     []pagedParagraph
		pages    int
	}{
		{
			name:  "no page breaks: unpaged",
			in:    wrappedTitle + wrappedOne + wrappedTwo,
			want:  []pagedParagraph{{0, 0, "Annual report"}, {1, 0, one}, {2, 0, two}},
			pages: 0,
		},
		{
			name:  "a page break between paragraphs",
			in:    wrappedTitle + wrappedOne + "\f" + wrappedTwo,
			want:  []pagedParagraph{{0, 1, "Annual report"}, {1, 1, one}, {2, 2, two}},
			pages: 2,
		},
		{
			name: "a paragraph across a page break keeps its first page",
			in: wrappedTitle + "This paragraph is wrapped at the\n\n\fmargin of the page and it goes\n\non to the next line. \n\n" +
				"\f" + wrappedTwo,
			want:  []pagedParagraph{{0, 1, "Annual report"}, {1, 1, one}, {2, 3, two}},
			pages: 3,
		},
		{
			name:  "empty pages: several form feeds",
			in:    wrappedTitle + wrappedOne + "\f\f\f" + wrappedTwo + "\f",
			want:  []pagedParagraph{{0, 1, "Annual report"}, {1, 1, one}, {2, 4, two}},
			pages: 5,
		},
		{
			name:  "form feeds on lines of their own and after spaces",
			in:    wrappedTitle + wrappedOne + "\f\n\n \f\n\n  \f" + wrappedTwo,
			want:  []pagedParagraph{{0, 1, "Annual report"}, {1, 1, one}, {2, 4, two}},
			pages: 4,
		},
		{
			name:  "a page break inside the title block",
			in:    "Annual \n\n\freport \n\n" + wrappedOne + wrappedTwo,
			want:  []pagedParagraph{{0, 1, "Annual report"}, {1, 2, one}, {2, 2, two}},
			pages: 2,
		},
		{
			name:  "the text starts with a page break",
			in:    "\f" + wrappedTitle + wrappedOne + wrappedTwo,
			want:  []pagedParagraph{{0, 2, "Annual report"}, {1, 2, one}, {2, 2, two}},
			pages: 2,
		},
		{
			name: "CJK hard-wrapped across pages",
			in: "第一段的第一行文字很长，\n\n第一段的第二行也很长。 \n\n\f第二段的第一行文字很长，\n\n\f第二段的第二行也很长。 \n\n" +
				"第三段的第一行文字很长，\n\n第三段的第二行。 \n\n",
			want: []pagedParagraph{
				{1, 1, "第一段的第一行文字很长，第一段的第二行也很长。"},
				{2, 2, "第二段的第一行文字很长，第二段的第二行也很长。"},
				{3, 3, "第三段的第一行文字很长，第三段的第二行。"},
			},
			pages: 3,
		},
		{
			name:  "blank-line separated text",
			in:    "First paragraph.\n\n\fSecond paragraph\n\fgoes on.\n\n\f\n\nThird.\n",
			want:  []pagedParagraph{{1, 1, "First paragraph."}, {2, 2, "Second paragraph goes on."}, {3, 4, "Third."}},
			pages: 4,
		},
		{
			name:  "blank-line separated lines, one paragraph a line",
			in:    "第一句。\n\f第二句！\n\f\f第三句？\n",
			want:  []pagedParagraph{{1, 1, "第一句。"}, {2, 2, "第二句！"}, {3, 4, "第三句？"}},
			pages: 4,
		},
		{
			name:     "Markdown with a fenced block across a page",
			markdown: true,
			in:       "# Title\n\nIntro.\n\f```\ncode\n\fmore\n```\n\fAfter.\n",
			want:     []pagedParagraph{{0, 1, "Title"}, {1, 1, "Intro."}, {2, 2, "code\nmore"}, {3, 4, "After."}},
			pages:    4,
		},
		{
			name:  "a form feed inside a line is text",
			in:    "Page one text.\n\nPage two\ftext.\n",
			want:  []pagedParagraph{{1, 0, "Page one text."}, {2, 0, "Page two\ftext."}},
			pages: 0,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text, paras, total := rebuildParagraphs(tc.in, tc.markdown, 0)
			if total != len(paras) {
				t.Errorf("total = %d, want %d", total, len(paras))
			}
			if diff := cmp.Diff(tc.want, pagedParagraphs(text, paras)); diff != "" {
				t.Errorf("paragraphs mismatch (-want +got):\n%s", diff)
			}
			if got := pageCount(tc.in); got != tc.pages {
				t.Errorf("pageCount = %d, want %d", got, tc.pages)
			}
			if strings.Count(text, "\f") > strings.Count(tc.in, "\f")-pageBreaks(tc.in) {
				t.Errorf("page breaks left in the text: %q", text)
			}
		})
	}
}

// TestRebuildPagesUnchanged checks that page breaks change nothing but the
// pages: the text with its form feeds removed rebuilds to the same text and
// paragraphs.
func TestRebuildPagesUnchanged(t *testing.T) {
	for _, in := range []string{
		wrappedTitle + wrappedOne + "\f" + wrappedTwo,
		wrappedTitle + "This paragraph is wrapped at the\n\n\fmargin of the page and it goes\n\non to the next line. \n\n\f\f" + wrappedTwo,
		"First paragraph.\n\n\fSecond paragraph\n\fgoes on.\n\n\f\n\nThird.\n",
	} {
		text, paras, _ := rebuildParagraphs(in, false, 0)
		plainText, plainParas, _ := rebuildParagraphs(strings.ReplaceAll(in, "\f", ""), false, 0)
		for i := range paras {
			paras[i].Page = 0
		}
		if text != plainText || !cmp.Equal(paras, plainParas) {
			t.Errorf("%q rebuilds to %q %v, without its page breaks to %q %v", in, text, paras, plainText, plainParas)
		}
	}
}

func TestRebuildPaged(t *testing.T) {
	one := "This paragraph is wrapped at the margin of the page and it goes on to the next line."
	two := "Then another paragraph is written and ended at the margin of the page as well."
	tests := []struct {
		name  string
		in    string
		want  []pagedParagraph
		pages int
	}{
		{"one page", wrappedTitle + wrappedOne + wrappedTwo, []pagedParagraph{{0, 1, "Annual report"}, {1, 1, one}, {2, 1, two}}, 1},
		{"two pages", wrappedTitle + wrappedOne + "\f" + wrappedTwo, []pagedParagraph{{0, 1, "Annual report"}, {1, 1, one}, {2, 2, two}}, 2},
		{"an empty last page", wrappedTitle + wrappedOne + wrappedTwo + "\f", []pagedParagraph{{0, 1, "Annual report"}, {1, 1, one}, {2, 1, two}}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text, paras, total, pages := rebuildPaged(tc.in, 0)
			if total != len(paras) || pages != tc.pages {
				t.Errorf("total, pages = %d, %d; want %d, %d", total, pages, len(paras), tc.pages)
			}
			if diff := cmp.Diff(tc.want, pagedParagraphs(text, paras)); diff != "" {
				t.Errorf("paragraphs mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCutPageBreaks(t *testing.T) {
	tests := []struct {
		in, want string
		n        int
	}{
		{"text", "text", 0},
		{"", "", 0},
		{"\ftext", "text", 1},
		{"\f\f\f", "", 3},
		{" \f text", "  text", 1},
		{"\f \f\ttext\f", " \ttext\f", 2},
		{"text\f", "text\f", 0},
		{"\u3000\ftext", "\u3000\ftext", 0},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, n := cutPageBreaks(tc.in)
			if got != tc.want || n != tc.n {
				t.Errorf("cutPageBreaks(%q) = %q, %d; want %q, %d", tc.in, got, n, tc.want, tc.n)
			}
		})
	}
}

func TestParsePages(t *testing.T) {
	doc, err := Parse("report.txt", []byte(wrappedTitle+wrappedOne+"\f"+wrappedTwo))
	if err != nil {
		t.Fatal(err)
	}
	checkDocument(t, doc)
	ps := Passages(doc, 30)
	checkPassages(t, doc, ps, 30)
	pages := map[int]int{}
	for _, p := range ps {
		pages[p.Paragraph] = p.Page
	}
	if want := map[int]int{0: 1, 1: 1, 2: 2}; !cmp.Equal(pages, want) {
		t.Errorf("passage pages by paragraph = %v, want %v", pages, want)
	}
}

// TestParseTextPageCount checks that a text or Markdown file counts its
// pages as its paragraphs number them: /source pN and citations agree.
func TestParseTextPageCount(t *testing.T) {
	for _, tc := range []struct {
		name, file, src string
		pages           int
	}{
		{"text without page breaks", "a.txt", wrappedTitle + wrappedOne + wrappedTwo, 0},
		{"text of two pages", "a.txt", wrappedTitle + wrappedOne + "\f" + wrappedTwo, 2},
		{"pdftotext output: every page ends in a form feed", "a.txt", wrappedTitle + wrappedOne + "\f" + wrappedTwo + "\f", 2},
		{"trailing blank pages", "a.txt", "First.\n\fSecond.\n\f\n\f \n\n", 2},
		{"a page break at the end only", "a.txt", "First.\n\f\n", 1},
		{"an empty page between", "a.txt", "First.\n\n\f\f Second.\n", 3},
		{"CRLF line ends", "a.txt", "First.\r\n\r\n\fSecond.\r\n", 2},
		{"a form feed inside a line is text", "a.txt", "One\fline.\n", 0},
		{"Markdown of two pages", "a.md", "# Title\n\nFirst.\n\n\fSecond.\n", 2},
		{"Markdown without page breaks", "a.md", "# Title\n\nFirst.\n", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Parse(tc.file, []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			if doc.Pages != tc.pages {
				t.Errorf("Pages = %d, want %d", doc.Pages, tc.pages)
			}
			for _, p := range doc.Paragraphs {
				if p.Page > doc.Pages || (doc.Pages > 0) != (p.Page > 0) {
					t.Errorf("paragraph %d %q on page %d of %d", p.N, p.Text(doc), p.Page, doc.Pages)
				}
			}
		})
	}
}

func FuzzRebuildPages(f *testing.F) {
	for _, seed := range []string{
		wrappedTitle + wrappedOne + "\f" + wrappedTwo,
		"\f\f" + wrappedTitle + "\f" + wrappedOne + "\f\f" + wrappedTwo + "\f",
		"a \n\n\fb\n\n\f c \n\n",
		"First.\n\n\fSecond\n\fon.\n\n\f\n\nThird.\n",
		"# T\n\f```\nx\n\f\n```\n\f- a\n\f- b\n",
		"x\fy\n \f\t\f\n\u3000\f段\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		pages, breaks := pageCount(src), pageBreaks(src)
		if (pages == 0) != (breaks == 0) || (pages > 0 && pages != breaks+1) {
			t.Fatalf("pageCount = %d with %d page breaks", pages, breaks)
		}
		check := func(what, text string, paras []Paragraph, pages int) {
			if strings.Count(text, "\f") > strings.Count(src, "\f")-breaks {
				t.Errorf("%s: page breaks left in the text %q", what, text)
			}
			prev := 0
			for i, p := range paras {
				if p.Page < prev || p.Page > pages || (pages > 0) != (p.Page > 0) {
					t.Fatalf("%s: paragraph %d on page %d after page %d, of %d pages", what, i, p.Page, prev, pages)
				}
				prev = p.Page
			}
		}
		for _, markdown := range []bool{false, true} {
			text, paras, _ := rebuildParagraphs(src, markdown, 0)
			check("rebuildParagraphs", text, paras, pages)
			check("rebuildParagraphs by textPages", text, paras, textPages(src))
		}
		text, paras, _, pagedPages := rebuildPaged(src, 0)
		if pagedPages != max(1, pages) {
			t.Errorf("rebuildPaged: %d pages, want %d", pagedPages, max(1, pages))
		}
		check("rebuildPaged", text, paras, pagedPages)
	})
}
