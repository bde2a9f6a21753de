package document

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata")

// rebuiltParagraph is a paragraph as the tests compare it.
type rebuiltParagraph struct {
	N       int
	Heading bool
	Section string
	Text    string
}

// rebuilt returns the paragraphs of doc for comparison.
func rebuilt(doc *Document) []rebuiltParagraph {
	out := make([]rebuiltParagraph, 0, len(doc.Paragraphs))
	for _, p := range doc.Paragraphs {
		out = append(out, rebuiltParagraph{N: p.N, Heading: p.Heading, Section: p.Section, Text: p.Text(doc)})
	}
	return out
}

// bodyPara returns a numbered body paragraph for a want list.
func bodyPara(n int, text string) rebuiltParagraph { return rebuiltParagraph{N: n, Text: text} }

// headingPara returns a heading paragraph for a want list.
func headingPara(text string) rebuiltParagraph { return rebuiltParagraph{Heading: true, Text: text} }

// inSection returns p with its Section set.
func inSection(section string, p rebuiltParagraph) rebuiltParagraph {
	p.Section = section
	return p
}

// checkDocument fails tb unless doc keeps the invariants of a parsed
// document: Text is exactly its paragraphs joined by "\n\n", every paragraph
// is non-empty and trimmed, body paragraphs are numbered 1..N in order,
// headings have number 0, a Section is the text of an earlier heading, and
// pages are all 0 or all at least 1 and non-decreasing, none past doc.Pages
// when that is set.
func checkDocument(tb testing.TB, doc *Document) {
	tb.Helper()
	if len(doc.Hash) != 64 {
		tb.Errorf("Hash = %q, want 64 hex digits", doc.Hash)
	}
	if len(doc.Paragraphs) == 0 {
		tb.Fatalf("no paragraphs")
	}
	end, n, page := 0, 0, 0
	headings := map[string]bool{}
	for i, p := range doc.Paragraphs {
		if p.Page < page || (i > 0 && (p.Page == 0) != (page == 0)) || (doc.Pages > 0 && p.Page > doc.Pages) {
			tb.Errorf("paragraph %d is on page %d after page %d, of %d pages", i, p.Page, page, doc.Pages)
		}
		page = p.Page
		if p.Start < end || p.End <= p.Start || p.End > len(doc.Text) {
			tb.Fatalf("paragraph %d spans [%d,%d), previous ends at %d, text has %d bytes", i, p.Start, p.End, end, len(doc.Text))
		}
		if sep := doc.Text[end:p.Start]; (i == 0 && sep != "") || (i > 0 && sep != "\n\n") {
			tb.Errorf("paragraph %d is preceded by %q, want a blank line", i, sep)
		}
		text := p.Text(doc)
		if strings.TrimSpace(text) != text || strings.Contains(text, "\n\n") {
			tb.Errorf("paragraph %d is not trimmed or holds a blank line: %q", i, text)
		}
		switch {
		case p.Heading && p.N != 0:
			tb.Errorf("heading %d has number %d", i, p.N)
		case p.Heading:
			headings[text] = true
		default:
			n++
			if p.N != n {
				tb.Errorf("paragraph %d has number %d, want %d", i, p.N, n)
			}
		}
		if p.Section != "" && (p.Heading || !headings[p.Section]) {
			tb.Errorf("paragraph %d has section %q, which is not an earlier heading", i, p.Section)
		}
		end = p.End
	}
	if end != len(doc.Text) {
		tb.Errorf("text continues after the last paragraph: %q", doc.Text[end:])
	}
}

func TestSampleDocument(t *testing.T) {
	doc := Sample()
	checkDocument(t, doc)
	if doc.Name != SampleName {
		t.Errorf("Name = %q, want %q", doc.Name, SampleName)
	}

	golden := filepath.Join("testdata", "yangtze-symposium.golden")
	if *updateGolden {
		if err := os.WriteFile(golden, []byte(doc.Text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if diff := cmp.Diff(doc.Text, string(want)); diff != "" {
		t.Errorf("rebuilt text mismatch (-got +want):\n%s", diff)
	}

	paras := rebuilt(doc)
	if len(paras) != 14 || !paras[0].Heading || doc.BodyParagraphs() != 13 {
		t.Fatalf("got %d paragraphs (%d body), want a heading and 13 body paragraphs", len(paras), doc.BodyParagraphs())
	}
	if want := "习近平主持召开进一步推动长江经济带高质量发展座谈会强调 进一步推动长江经济带高质量发展 更好支撑和服务中国式现代化"; paras[0].Text != want {
		t.Errorf("heading = %q, want %q", paras[0].Text, want)
	}
	starts := []string{
		"中共中央总书记", "中共中央政治局常委", "习近平在江西调研", "听取大家发言后",
		"习近平指出，从长远来看", "习近平强调，要坚持创新", "习近平指出，要更好发挥",
		"习近平强调，要坚持把强化", "习近平指出，长江经济带事关", "习近平强调，要坚持中央统筹",
		"李强在讲话中", "丁薛祥在讲话中", "李干杰、何立峰",
	}
	for i, start := range starts {
		p, ok := doc.Paragraph(i + 1)
		if !ok {
			t.Fatalf("no paragraph %d", i+1)
		}
		if text := p.Text(doc); !strings.HasPrefix(text, start) || !strings.HasSuffix(text, "。") {
			t.Errorf("¶%d = %.60q..., want it to start with %q and end a sentence", i+1, text, start)
		}
	}
	for _, tc := range []struct {
		n    int
		want string
	}{
		{1, "习近平 12日下午在江西省南昌市主持召开进一步推动长江经济带高质量发展座谈会"},
		{4, "“一江碧水向东流”美景重现"},
		{4, "长江经济带发展战略实施近 8年来"},
		{5, "坚定推进长江“十年禁渔”"},
		{5, "统筹水资源、水环境、水生态，扎实推进大气和土壤污染防治，更加注重前端控污"},
		{7, "增强对国际循环的吸引力、推动力"},
		{10, "中央有关部门对符合长江经济带高质量发展导向的项目要给予支持"},
	} {
		if p, _ := doc.Paragraph(tc.n); !strings.Contains(p.Text(doc), tc.want) {
			t.Errorf("¶%d does not contain %q", tc.n, tc.want)
		}
	}
}

func TestEvalCorpora(t *testing.T) {
	for _, tc := range []struct {
		file string
		want int
	}{
		{"cmrc2018_trial.txt", 256},
		{"drcd_dev.txt", 1000},
	} {
		t.Run(tc.file, func(t *testing.T) {
			docs, err := Load([]string{filepath.Join("..", "..", "testdata", "eval", tc.file)})
			if err != nil {
				t.Fatal(err)
			}
			doc := docs[0]
			checkDocument(t, doc)
			if got := doc.BodyParagraphs(); got != tc.want || len(doc.Paragraphs) != tc.want {
				t.Errorf("got %d paragraphs (%d body), want %d body paragraphs and no heading", len(doc.Paragraphs), got, tc.want)
			}
		})
	}
}

func TestRebuildParagraphs(t *testing.T) {
	tests := []struct {
		name string
		file string // the document name, "test.txt" if empty
		in   string
		want []rebuiltParagraph
	}{
		{
			name: "one-line paragraphs",
			in:   "第一段。\n\n第二段。\n\n\n\nThird paragraph.\n",
			want: []rebuiltParagraph{bodyPara(1, "第一段。"), bodyPara(2, "第二段。"), bodyPara(3, "Third paragraph.")},
		},
		{
			name: "white-space-only lines separate paragraphs",
			in:   "第一段。\n \t\n第二段。\n\u3000\n第三段。",
			want: []rebuiltParagraph{bodyPara(1, "第一段。"), bodyPara(2, "第二段。"), bodyPara(3, "第三段。")},
		},
		{
			name: "CJK lines join without a space",
			in:   "长江经济带发展战略实施近 8年来，沿江\n省市和中央有关部门认真贯彻\n“十年禁渔”。\n\n下一段",
			want: []rebuiltParagraph{bodyPara(1, "长江经济带发展战略实施近 8年来，沿江省市和中央有关部门认真贯彻“十年禁渔”。"), bodyPara(2, "下一段")},
		},
		{
			name: "Latin lines join with one space",
			in:   "The quick brown fox\n  jumps over the\t\nlazy dog, 42\n7 times.",
			want: []rebuiltParagraph{bodyPara(1, "The quick brown fox jumps over the lazy dog, 42 7 times.")},
		},
		{
			name: "hyphenated word break joins without a space",
			in:   "a well-\nknown inter-\nnational fact, not an -\nAside.",
			want: []rebuiltParagraph{bodyPara(1, "a well-known inter-national fact, not an - Aside.")},
		},
		{
			name: "mixed CJK and Latin joins",
			in:   "使用 iPhone\n手机的人\nApple\n公司 12\n日",
			want: []rebuiltParagraph{bodyPara(1, "使用 iPhone手机的人Apple公司 12日")},
		},
		{
			name: "hard-wrapped with title and page break",
			in: "\n第一行标题 \n\n副标题 第二行\n\n继续 \n\n \n\n 这是第一段的第一行文字，\n\n第二行，我们在这里\n\n\n\n\n\n跨过分页继续写下去。 \n\n" +
				"第二段的第一行文字很长，\n\n第二段的第二行也很长。\n\nThe quick brown fox jumps \n\n",
			want: []rebuiltParagraph{
				headingPara("第一行标题副标题 第二行继续"),
				bodyPara(1, "这是第一段的第一行文字，第二行，我们在这里跨过分页继续写下去。"),
				bodyPara(2, "第二段的第一行文字很长，第二段的第二行也很长。The quick brown fox jumps"),
			},
		},
		{
			name: "hard-wrapped Latin",
			in: "Annual report \n\nThis paragraph is wrapped at the\n\nmargin of the page and it goes\n\non to the next line. \n\n" +
				"Then another paragraph is written\n\nand ended some-\n\nwhere. \n",
			want: []rebuiltParagraph{
				headingPara("Annual report"),
				bodyPara(1, "This paragraph is wrapped at the margin of the page and it goes on to the next line."),
				bodyPara(2, "Then another paragraph is written and ended some-where."),
			},
		},
		{
			name: "hard-wrapped without title",
			in:   "第一段只有一行文字。 \n\n第二段的第一行文字内容\n\n第二段的第二行文字内容\n\n第二段的第三行。 \n",
			want: []rebuiltParagraph{bodyPara(1, "第一段只有一行文字。"), bodyPara(2, "第二段的第一行文字内容第二段的第二行文字内容第二段的第三行。")},
		},
		{
			name: "blank-line text with a trailing space is not hard-wrapped",
			in:   "A long first paragraph that goes on and on for a while. \n\nShort one.\n\nAnother paragraph of some middling length here.\n",
			want: []rebuiltParagraph{
				bodyPara(1, "A long first paragraph that goes on and on for a while."),
				bodyPara(2, "Short one."),
				bodyPara(3, "Another paragraph of some middling length here."),
			},
		},
		{
			name: "Markdown headings and sections",
			in: "# Title\n\nIntro text\non two lines.\n\n## Part one ##\nFirst body.\n\nSecond body.\n\n" +
				"Part two\n===\n\nThird body.\n\n#hashtag is text\n\n#\n\n####### seven is text",
			want: []rebuiltParagraph{
				headingPara("Title"),
				inSection("Title", bodyPara(1, "Intro text on two lines.")),
				headingPara("Part one"),
				inSection("Part one", bodyPara(2, "First body.")),
				inSection("Part one", bodyPara(3, "Second body.")),
				headingPara("Part two"),
				inSection("Part two", bodyPara(4, "Third body.")),
				inSection("Part two", bodyPara(5, "#hashtag is text")),
				inSection("Part two", bodyPara(6, "####### seven is text")),
			},
		},
		{
			name: "setext heading with dashes and thematic breaks",
			in:   "第一章\n-----\n正文。\n\n---\n\n* * *\n\n___\n\n正文二。",
			want: []rebuiltParagraph{
				headingPara("第一章"),
				inSection("第一章", bodyPara(1, "正文。")),
				inSection("第一章", bodyPara(2, "正文二。")),
			},
		},
		{
			name: "lists are one paragraph, one item a line",
			in:   "Shopping:\n- eggs\n- flour and\n  sugar\n* milk\n\n1. one\n2) two\n3、三\n\n| a | b |\n|---|---|\n| 1 | 2 |",
			want: []rebuiltParagraph{
				bodyPara(1, "Shopping:\n- eggs\n- flour and sugar\n* milk"),
				bodyPara(2, "1. one\n2) two\n3、三"),
				bodyPara(3, "| a | b |\n|---|---|\n| 1 | 2 |"),
			},
		},
		{
			name: "fenced code keeps lines and blank lines do not split it",
			in:   "Before.\n```go\nfunc main() {\n\n    # not a heading\n}\n```\nAfter.\n\n~~~\nunclosed\n\ncode",
			want: []rebuiltParagraph{
				bodyPara(1, "Before."),
				bodyPara(2, "func main() {\n# not a heading\n}"),
				bodyPara(3, "After."),
				bodyPara(4, "unclosed\ncode"),
			},
		},
		{
			name: "quote marks are removed",
			in:   "> quoted text\n> goes on\n>\n> second quote",
			want: []rebuiltParagraph{bodyPara(1, "quoted text goes on"), bodyPara(2, "second quote")},
		},
		{
			name: "ideographic indents start paragraphs",
			in:   "\u3000\u3000第一段的文字，\n写到第二行\n\u3000\u3000第二段。\n    第三段。\n- 列表\n  续行",
			want: []rebuiltParagraph{bodyPara(1, "第一段的文字，写到第二行"), bodyPara(2, "第二段。"), bodyPara(3, "第三段。\n- 列表续行")},
		},
		{
			name: "a block of sentence lines is one paragraph a line",
			in:   "第一句。\n第二句！\n“第三句？”\n\nOne.\nTwo\nThree.",
			want: []rebuiltParagraph{
				bodyPara(1, "第一句。"), bodyPara(2, "第二句！"), bodyPara(3, "“第三句？”"),
				bodyPara(4, "One. Two Three."),
			},
		},
		{
			name: "Markdown joins every line of a block",
			file: "test.md",
			in:   "\u3000\u3000第一段的文字，\n\u3000\u3000写到第二行。\n第一句。\n第二句！\n- item\n---\n",
			want: []rebuiltParagraph{bodyPara(1, "第一段的文字，写到第二行。第一句。第二句！\n- item")},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			file := tc.file
			if file == "" {
				file = "test.txt"
			}
			doc, err := Parse(file, []byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			checkDocument(t, doc)
			if diff := cmp.Diff(rebuilt(doc), tc.want); diff != "" {
				t.Errorf("paragraphs mismatch (-got +want):\n%s", diff)
			}
		})
	}
}

func TestLooksHardWrapped(t *testing.T) {
	sample, err := os.ReadFile(filepath.Join("sample", SampleName))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"sample", string(sample), true},
		{"too short", "a \n\nb\n", false},
		{"no paragraph ends", "一行文字\n\n二行文字\n\n三行文字\n", false},
		{"every line ends a paragraph", "一行文字 \n\n二行文字 \n\n三行文字 \n", false},
		{"lines not separated by blank lines", "一行文字\n二行文字\n三行文字 \n\n四行文字 \n", false},
		{"uneven widths", "短 \n\n这是一个很长很长很长很长的段落\n\n短\n\n又是一个很长很长很长很长很长很长的段落\n", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := looksHardWrapped(tc.in); got != tc.want {
				t.Errorf("looksHardWrapped = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestJoinSeparator(t *testing.T) {
	tests := []struct{ prev, next, want string }{
		{"长江", "经济带", ""},
		{"习近平 12", "日下午", ""},
		{"近", "8年来", ""},
		{"大开发，", "坚持", ""},
		{"和“公水铁”", "等运输", ""},
		{"over the", "lazy dog", " "},
		{"page 12", "and 13", " "},
		{"well-", "known", ""},
		{"well-", "Known", " "},
		{"12-", "month", " "},
		{"iPhone", "手机", ""},
		{"（注", "）", ""},
		{"한국어", "문장", " "},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s+%s", tc.prev, tc.next), func(t *testing.T) {
			if got := joinSeparator(tc.prev, tc.next); got != tc.want {
				t.Errorf("joinSeparator(%q, %q) = %q, want %q", tc.prev, tc.next, got, tc.want)
			}
		})
	}
}
