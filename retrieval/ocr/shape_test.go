package ocr

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// tsvRow returns one word row of Tesseract's TSV output.
func tsvRow(block, par, line, word, left, top, width, height int, conf float64, text string) string {
	return fmt.Sprintf("5\t1\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%g\t%s\n", block, par, line, word, left, top, width, height, conf, text)
}

// tsvHeader is the first line of Tesseract's TSV output, and the page row.
const tsvHeader = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n" +
	"1\t1\t0\t0\t0\t0\t0\t0\t1654\t2339\t-1\t\n"

// page describes the lines of a page for [pageTSV]: each line is its
// block, its left and right edges and its words; lines are 50 px apart
// and 30 px tall, words spread evenly over the line.
type testLine struct {
	block, left, right int
	words              []string
}

// pageTSV returns the TSV output of a page holding lines; a line whose
// block is negative starts a gap of one extra line before it.
func pageTSV(lines []testLine) string {
	var b strings.Builder
	b.WriteString(tsvHeader)
	top := 100
	for i, l := range lines {
		block := l.block
		if block < 0 {
			block = -block
			top += 50
		}
		step := (l.right - l.left) / len(l.words)
		for j, w := range l.words {
			b.WriteString(tsvRow(block, 1, i+1, j+1, l.left+j*step, top, step, 30, 95, w))
		}
		top += 50
	}
	return b.String()
}

// full is a line of Chinese that fills the column 100..1500.
var full = testLine{1, 100, 1500, []string{"长江", "经济带", "发展"}}

// short returns a line of Chinese that ends at right.
func short(right int) testLine { return testLine{1, 100, right, []string{"发展", "。"}} }

func TestShapePage(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines []testLine
		want  string
	}{
		{"full lines continue, a short one ends the paragraph",
			[]testLine{full, full, short(600), full, full},
			"长江经济带发展\n\n长江经济带发展\n\n发展。 \n\n长江经济带发展\n\n长江经济带发展\n\n"},
		{"a line a character short still continues",
			[]testLine{full, {1, 100, 1470, full.words}, full, short(400)},
			"长江经济带发展\n\n长江经济带发展\n\n长江经济带发展\n\n发展。 \n\n"},
		{"first-line indent starts a paragraph",
			[]testLine{full, full, {1, 160, 1500, full.words}, full},
			"长江经济带发展\n\n长江经济带发展 \n\n长江经济带发展\n\n长江经济带发展\n\n"},
		{"a gap starts a paragraph",
			[]testLine{full, full, {-1, 100, 1500, full.words}, full},
			"长江经济带发展\n\n长江经济带发展 \n\n长江经济带发展\n\n长江经济带发展\n\n"},
		{"a short last line of the page ends the paragraph",
			[]testLine{full, full, short(500)},
			"长江经济带发展\n\n长江经济带发展\n\n发展。 \n\n"},
		{"Latin words keep their spaces; a ragged line continues when the next word would not fit",
			[]testLine{
				{1, 100, 1500, []string{"The", "river", "has", "been", "watched"}},
				{1, 100, 1420, []string{"extraordinarily", "by", "the", "same", "families"}},
				{1, 100, 900, []string{"for", "two", "hundred", "years."}},
				{1, 100, 1500, []string{"Their", "notebooks", "are", "kept", "here"}},
				{1, 100, 1300, []string{"in", "the", "village", "hall."}},
			},
			"The river has been watched\n\nextraordinarily by the same families\n\nfor two hundred years. \n\nTheir notebooks are kept here\n\nin the village hall. \n\n"},
		{"Latin beside CJK loses the space, ASCII commas become full-width",
			[]testLine{{1, 100, 1500, []string{"习近平", "12", "日", ",", "GDP", "增长", "5%", ";", "好"}}, short(300)},
			"习近平12日，GDP增长5%；好\n\n发展。 \n\n"},
		{"a title block of one short line ends its paragraph",
			[]testLine{{1, 100, 700, []string{"长江", "座谈会"}}, {-2, 100, 1500, full.words}, {2, 100, 1500, full.words}, {2, 100, 1500, full.words}},
			"长江座谈会 \n\n长江经济带发展\n\n长江经济带发展\n\n长江经济带发展\n\n"},
		{"specks are dropped",
			[]testLine{full, {3, 100, 130, []string{"o"}}, full, full},
			"长江经济带发展\n\n长江经济带发展\n\n长江经济带发展\n\n"},
		{"a page of one line ends its paragraph", []testLine{full}, "长江经济带发展 \n\n"},
		{"no lines", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tsv := pageTSV(tc.lines)
			if strings.Contains(tc.name, "specks") {
				tsv = strings.Replace(tsv, "\t95\to\n", "\t12\to\n", 1)
			}
			if diff := cmp.Diff(tc.want, shapePage(parseTSV(tsv))); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseTSV(t *testing.T) {
	for _, tc := range []struct {
		name, tsv string
		want      []string // the lines' text, with their boxes as "left,top,right,bottom"
	}{
		{"words grouped into lines",
			tsvHeader + "4\t1\t1\t1\t1\t0\t10\t20\t100\t30\t-1\t\n" +
				tsvRow(1, 1, 1, 1, 10, 20, 40, 30, 90, "长江") + tsvRow(1, 1, 1, 2, 60, 22, 50, 30, 91, "经济") +
				tsvRow(1, 1, 2, 1, 10, 70, 40, 30, 90, "river") + tsvRow(1, 1, 2, 2, 60, 70, 40, 28, 90, "bank"),
			[]string{"长江经济 10,20,110,52", "river bank 10,70,100,100"}},
		{"same line number in another block is another line",
			tsvRow(1, 1, 1, 1, 0, 0, 10, 10, 90, "a") + tsvRow(2, 1, 1, 1, 0, 50, 10, 10, 90, "b"),
			[]string{"a 0,0,10,10", "b 0,50,10,60"}},
		{"blank words, bad numbers and short rows are skipped",
			tsvRow(1, 1, 1, 1, 0, 0, 10, 10, 90, " ") + "5\t1\t1\t1\t1\t2\tx\t0\t10\t10\t90\tbad\n" +
				"5\t1\t1\t1\t1\t3\t-5\t0\t10\t10\t90\tneg\n" + "5\t1\t1\t1\t1\t4\t0\t0\t10\t10\tnan?\tconf\n" +
				"5\t1\t1\n" + tsvRow(1, 1, 1, 5, 20, 0, 10, 10, 90, "ok") + tsvRow(1, 1, 1, 6, 40, 0, 10, 10, 90, "\u200b"),
			[]string{"ok 20,0,30,10"}},
		{"CRLF line ends and invalid UTF-8",
			strings.ReplaceAll(tsvRow(1, 1, 1, 1, 0, 0, 10, 10, 90, "a\xffb"), "\n", "\r\n"),
			[]string{"ab 0,0,10,10"}},
		{"empty", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, l := range parseTSV(tc.tsv) {
				got = append(got, fmt.Sprintf("%s %d,%d,%d,%d", l.text(), l.left, l.top, l.right, l.bottom))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestJoin(t *testing.T) {
	for _, tc := range []struct {
		name  string
		words []string
		want  string
	}{
		{"CJK characters", []string{"长江", "经济", "带"}, "长江经济带"},
		{"CJK punctuation", []string{"发展", "，", "“", "一江", "”", "。"}, "发展，“一江”。"},
		{"Latin words", []string{"The", "river", "bank."}, "The river bank."},
		{"digits next to CJK", []string{"近", "8", "年"}, "近8年"},
		{"kana and full-width forms", []string{"カタ", "ＡＢ", "x"}, "カタＡＢx"},
		{"ASCII punctuation beside CJK widened", []string{"他强调", ",", "要", ":", "好", "(", "一", ")"}, "他强调，要：好（一）"},
		{"ASCII punctuation between Latin kept", []string{"Hello,", "world:", "(a)", "12:30"}, "Hello, world: (a) 12:30"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := ocrLine{}
			for _, w := range tc.words {
				l.words = append(l.words, word{text: w})
			}
			if got := l.text(); got != tc.want {
				t.Errorf("text = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestJoinPages(t *testing.T) {
	for _, tc := range []struct {
		name  string
		pages []string
		want  string
	}{
		{"form feed starts each later page", []string{"a\n\nb \n\n", "c\n\nd \n\n"}, "a\n\nb \n\n\fc\n\nd \n\n"},
		{"a paragraph runs on over the break", []string{"a\n\nb\n\n", "c \n\n"}, "a\n\nb\n\n\fc \n\n"},
		{"the last line ends its paragraph", []string{"a \n\n", "b\n\n"}, "a \n\n\fb \n\n"},
		{"empty pages keep their form feeds", []string{"", "a\n\n", "", ""}, "\fa \n\n\f\f"},
		{"no text", []string{"", ""}, "\f"},
		{"no pages", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, joinPages(tc.pages)); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzShape feeds arbitrary text, as Tesseract's TSV output, to the parser
// and the shaping, and checks the shape of what comes out. words, split at
// '|', adds well-formed rows of those words at positions drawn from geom,
// so that the fuzzer reaches the layout rules.
func FuzzShape(f *testing.F) {
	f.Add(pageTSV([]testLine{full, full, short(600), {1, 160, 1500, full.words}}), "", uint64(0))
	f.Add(pageTSV([]testLine{{1, 100, 1500, []string{"The", "river", ","}}, {-1, 100, 400, []string{"x"}}}), "", uint64(0))
	f.Add(tsvRow(1, 1, 1, 1, 16777216, 16777216, 16777216, 16777216, -1, "a\tb"), "长江|经济, |带|( x", uint64(0x123456789abcdef))
	f.Add("5\t1\t1\t1\t1\t1\t0\t0\t0\t0\tNaN\t\x00\n5\t1\t1\t1\t1\t2\t0\t0\t0\t0\t1e309\t\f", "a|\r|\f|。", uint64(42))
	f.Fuzz(func(t *testing.T, tsv, words string, geom uint64) {
		var b strings.Builder
		b.WriteString(tsv)
		for i, w := range strings.Split(words, "|") {
			g := int(geom >> (i % 48))
			b.WriteString(tsvRow(g&3, 1, g>>2&7, i, g>>5&1023, (g>>8&127)*20, g>>3&255, 30, float64(g&127), w))
		}
		tsv = b.String()
		out := joinPages([]string{shapePage(parseTSV(tsv)), shapePage(parseTSV(tsv))})
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 %q", out)
		}
		for _, page := range strings.Split(out, "\f") {
			if page == "" {
				continue
			}
			if !strings.HasSuffix(page, "\n\n") {
				t.Fatalf("page %q does not end in a blank line", page)
			}
			for _, l := range strings.Split(strings.TrimSuffix(page, "\n\n"), "\n\n") {
				text := strings.TrimSuffix(l, " ")
				if text == "" || strings.TrimSpace(text) != text || strings.ContainsAny(text, "\n\r\f") {
					t.Fatalf("line %q of %q is not one trimmed line", l, out)
				}
			}
		}
	})
}
