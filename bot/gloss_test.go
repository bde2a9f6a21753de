package bot

import (
	"strings"
	"testing"

	"github.com/citebot/citebot/answer"
)

// TestRenderGloss: a cross-lingual answer's gloss line is shown, escaped,
// after the quotes.
func TestRenderGloss(t *testing.T) {
	a := answer.Answer{Lang: "en", Lead: "The document says:", Text: "x", Gloss: "禁渔 ban <on> fishing",
		Citations: []answer.Citation{{N: 1, Doc: "a.txt", Paragraph: 1, Quote: "长江十年禁渔"}}}
	got := renderAnswer(a, []answer.DocInfo{{Name: "a.txt", Paragraphs: 3}})
	if !strings.HasSuffix(got, "</blockquote>\n\n📖 禁渔 ban &lt;on&gt; fishing") {
		t.Errorf("rendered %q, want the escaped gloss line last", got)
	}
	a.Gloss = ""
	if got := renderAnswer(a, nil); strings.Contains(got, "📖") {
		t.Errorf("rendered %q, want no gloss line", got)
	}
}
