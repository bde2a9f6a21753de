package web_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/citebot/citebot/retrieval/web"
	"github.com/citebot/citebot/retrieval/web/webtest"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// englishParas is an article long enough for the readability scoring.
var englishParas = []string{
	"The river basin covers a fifth of the country's land, and its economy, which grew fast over the last decade, now accounts for nearly half of the national output.",
	"Officials said that the ecological protection of the river, long neglected, would come first, and that new industries would have to meet stricter rules.",
	"Provinces along the river agreed to share data on water quality, to coordinate their transport networks, and to open more of their markets to one another.",
	"Critics noted that similar plans, announced in earlier years, had been slow to take effect, and asked for clearer targets and regular public reports.",
}

// article returns a page whose body is an article of the English
// paragraphs, with extra HTML after them.
func article(title, extra string) string {
	var b strings.Builder
	b.WriteString(`<html><head><title>` + title + `</title></head><body><nav><a href="/">Home</a> <a href="/x">Menu</a></nav><article>`)
	for _, p := range englishParas {
		b.WriteString("<p>" + p + "</p>\n")
	}
	b.WriteString(extra + `</article><footer>FOOTER</footer></body></html>`)
	return b.String()
}

func TestHTML(t *testing.T) {
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(`<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>长江</title></head><body><article><p>` +
		strings.Repeat("长江经济带高质量发展，生态优先，绿色发展。", 30) + `</p></article></body></html>`)
	if err != nil {
		t.Fatal(err)
	}
	utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(article("Sixteen", ""))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, page string
		want       []string // blocks that must be in the text
		wantNot    []string
	}{
		{"webtest page", string(webtest.Page("River plan", englishParas, "SIDEBAR", "FOOTER")),
			append([]string{"# River plan"}, englishParas...), []string{"SIDEBAR", "FOOTER", webtest.MenuText, webtest.ScriptText, "Webtest News"}},
		{"title, nav and footer", article("Basin report", ""), append([]string{"# Basin report"}, englishParas...), []string{"Home", "Menu", "FOOTER"}},
		{"line breaks and source wraps", article("Breaks", `<p>one<br>two and a
wrapped line, then 长江
经济带<br>发展 and more text here so that it counts as content.</p>`),
			[]string{"one two and a wrapped line, then 长江经济带发展 and more text here so that it counts as content."}, nil},
		{"table rows", article("Table", `<table><tr><th>Year</th><th>Output</th></tr><tr><td>2023</td><td>58.9 trillion, the largest share</td></tr></table>`),
			[]string{"Year | Output", "2023 | 58.9 trillion, the largest share"}, nil},
		{"scripts and styles", article("Scripts", `<script>var SECRET = 1;</script><style>.STYLE{}</style><noscript>NOSCRIPT</noscript>`),
			englishParas, []string{"SECRET", "STYLE", "NOSCRIPT"}},
		{"GB2312 by meta http-equiv", gbk, []string{"# 长江", strings.Repeat("长江经济带高质量发展，生态优先，绿色发展。", 30)}, nil},
		{"UTF-16 by byte order mark", utf16, append([]string{"# Sixteen"}, englishParas...), nil},
		{"UTF-8 byte order mark", "\ufeff" + article("Bom", ""), []string{"# Bom"}, nil},
		{"meta charset utf-8", `<meta charset="utf-8">` + article("Meta", ""), []string{"# Meta"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := web.HTML([]byte(tc.page))
			if err != nil {
				t.Fatal(err)
			}
			blocks := map[string]bool{}
			for _, b := range strings.Split(got, "\n\n") {
				blocks[b] = true
			}
			for _, w := range tc.want {
				if !blocks[w] {
					t.Errorf("no block %q in\n%s", w, got)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(got, w) {
					t.Errorf("the text holds %q:\n%s", w, got)
				}
			}
		})
	}
}

func TestHTMLErrors(t *testing.T) {
	cases := []struct {
		name, page string
		want       error
	}{
		{"no declared charset and not UTF-8", "<html><body><p>caf\xe9 na\xefve</p></body></html>", web.ErrCharset},
		{"unknown charset", `<html><head><meta charset="x-klingon"></head><body><p>text</p></body></html>`, web.ErrCharset},
		{"no text", `<html><head><title>Only a title</title></head><body><nav>menu</nav></body></html>`, web.ErrNoText},
		{"empty", "", web.ErrNoText},
		{"nested too deep", "<p>" + strings.Repeat("<div>", 600) + "x", web.ErrTooLarge},
		{"too many elements", strings.Repeat("<b>", web.MaxElements), web.ErrTooLarge},
		{"too large", strings.Repeat("a", web.MaxPage+1), web.ErrTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := web.HTML([]byte(tc.page))
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %q, %v; want an error wrapping %v", got, err, tc.want)
			}
		})
	}
}

func FuzzHTML(f *testing.F) {
	f.Add([]byte(article("Fuzz", "<table><tr><td>a<td>b</table><pre>x\ny</pre>")))
	f.Add(webtest.Page("标题", []string{"长江经济带", "second paragraph"}, "side", "foot"))
	f.Add([]byte(`<meta charset="gbk"><p>` + "\xb3\xa4\xbd\xad" + `</p>`))
	f.Add([]byte("\xff\xfe<\x00p\x00>\x00"))
	f.Add([]byte("<p>" + strings.Repeat("<div>", 40) + "x"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		text, err := web.HTML(raw)
		if err == nil && text == "" {
			t.Fatal("empty text without an error")
		}
	})
}
