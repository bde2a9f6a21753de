package plain

import (
	"bytes"
	"strings"
	"testing"

	"github.com/citebot/citebot/answer"
)

// TestWriteGloss: the gloss line of a cross-lingual answer follows the
// quotes; an answer without one prints no gloss line.
func TestWriteGloss(t *testing.T) {
	a := answer.Answer{Lang: "en", Lead: "The document says:", Text: "The document says:\n「长江十年禁渔」[1]",
		Citations: []answer.Citation{{N: 1, Paragraph: 1, Quote: "长江十年禁渔"}}, Gloss: "禁渔 ban on fishing · 长江 Yangtze River"}
	var b bytes.Buffer
	Write(&b, a, false, "")
	if !strings.HasSuffix(b.String(), "“长江十年禁渔”\ngloss: 禁渔 ban on fishing · 长江 Yangtze River\n") {
		t.Errorf("output %q, want the gloss line after the quote", b.String())
	}
	if j := JSON(a, nil); j.Gloss != a.Gloss {
		t.Errorf("JSON gloss %q, want %q", j.Gloss, a.Gloss)
	}
	a.Gloss = ""
	b.Reset()
	Write(&b, a, false, "")
	if strings.Contains(b.String(), "gloss") {
		t.Errorf("output %q has a gloss line", b.String())
	}
}
