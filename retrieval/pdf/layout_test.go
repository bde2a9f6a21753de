package pdf

import (
	"strings"
	"testing"

	"github.com/citebot/citebot/retrieval/text"
)

func TestLayoutText(t *testing.T) {
	// line returns a line of 12-point text at baseline y from x0 to x1,
	// its runes all of the same width.
	line := func(s string, y, x0, x1 float64) textLine {
		runes := []rune(s)
		word := 1
		if !text.IsWide(runes[0]) {
			word = len(strings.Fields(s)[0])
		}
		wordEnd := x0 + (x1-x0)*float64(word)/float64(len(runes))
		return textLine{text: s, x0: x0, x1: x1, y: y, size: 12, wordEnd: wordEnd}
	}
	tests := []struct {
		name  string
		pages [][]textLine
		want  string
	}{
		{"first-line indents", [][]textLine{{
			line("One two three", 700, 96, 500), line("four.", 686, 72, 100),
			line("Five six seven", 672, 96, 500), line("eight nine ten", 658, 72, 500), line("eleven.", 644, 72, 300),
		}}, "One two three\n\nfour. \n\nFive six seven\n\neight nine ten\n\neleven. \n\n"},
		{"a short line ends a paragraph; page numbers dropped", [][]textLine{
			{line("1", 780, 290, 296), line("Alpha beta gamma", 700, 72, 500), line("delta.", 686, 72, 110), line("Epsilon zeta eta", 672, 72, 500), line("- 1 -", 40, 290, 310)},
			{line("theta iota kappa", 700, 72, 500), line("lambda.", 686, 72, 120), line("Page 2 of 2", 40, 280, 330)},
		}, "Alpha beta gamma\n\ndelta. \n\nEpsilon zeta eta\n\n\ftheta iota kappa\n\nlambda. \n\n"},
		{"a larger gap ends a paragraph", [][]textLine{{
			line("Alpha beta gamma", 700, 72, 500), line("delta epsilon zeta", 686, 72, 500),
			line("Eta theta iota", 664, 72, 500), line("kappa lambda mu", 650, 72, 500),
		}}, "Alpha beta gamma\n\ndelta epsilon zeta \n\nEta theta iota\n\nkappa lambda mu \n\n"},
		{"CJK: a line one character short is not the end", [][]textLine{{
			line("一二三四五六七八九十", 700, 72, 192), line("一二三四五六七八九", 686, 72, 180),
			line("十一二。", 672, 72, 120), line("一二三四五六七八九十", 658, 72, 192), line("一。", 644, 72, 96),
		}}, "一二三四五六七八九十\n\n一二三四五六七八九\n\n十一二。 \n\n一二三四五六七八九十\n\n一。 \n\n"},
		{"running heads and feet dropped", [][]textLine{
			{line("Annual Report", 780, 72, 160), line("Alpha beta gamma", 700, 72, 500), line("delta epsilon zeta", 686, 72, 500), line("Draft 1", 30, 72, 110)},
			{line("Annual Report", 780, 72, 160), line("eta theta.", 700, 72, 130), line("Iota kappa lambda", 686, 72, 500), line("Draft 2", 30, 72, 110)},
			{line("Annual Report", 780, 72, 160), line("mu nu xi", 700, 72, 500), line("omicron.", 686, 72, 120), line("Draft 3", 30, 72, 110)},
		}, "Alpha beta gamma\n\ndelta epsilon zeta\n\n\feta theta. \n\nIota kappa lambda\n\n\fmu nu xi\n\nomicron. \n\n"},
		{"page breaks marked, empty pages too", [][]textLine{
			nil, {line("Alpha beta gamma", 700, 72, 500)}, nil, nil, {line("delta epsilon.", 700, 72, 200)},
		}, "\fAlpha beta gamma\n\n\f\f\fdelta epsilon. \n\n"},
		{"a justified block narrower than the column", [][]textLine{{
			line("Aaa bbb ccc", 700, 72, 500), line("ddd.", 686, 72, 120),
			line("Eee fff ggg", 672, 100, 400), line("hhh iii jjj", 658, 100, 400), line("kkk.", 644, 100, 200),
			line("Lll mmm nnn", 630, 72, 500), line("ooo.", 616, 72, 110),
		}}, "Aaa bbb ccc\n\nddd. \n\nEee fff ggg\n\nhhh iii jjj\n\nkkk. \n\nLll mmm nnn\n\nooo. \n\n"},
		{"no lines", [][]textLine{nil, nil}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for i := range tc.pages {
				for j := range tc.pages[i] {
					tc.pages[i][j].page = i
				}
			}
			if got := layoutText(tc.pages); got != tc.want {
				t.Errorf("layoutText =\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}
