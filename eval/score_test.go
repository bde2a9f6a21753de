package eval

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"unicode"
)

// slowNormalize is Normalize without the byte pre-check.
func slowNormalize(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

func TestNormalizeMatchesEveryUnicodeSpace(t *testing.T) {
	cases := []string{"", "长江 经济带", "a\tb\nc", "no-spaces", "全角\u3000空格", "nbsp\u00a0x", "nel\u0085x",
		"ogham\u1680x", "em\u2003space", "line\u2028sep", "narrow\u202fnbsp", "math\u205fspace",
		"「引号」。、", "\u3001\u3002", "\xe3\x80", "\xe3", "“长江”——共抓大保护…", "Final Fantasy 战国无双", "a  b\u3000\u3000c "}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if unicode.IsSpace(r) {
			cases = append(cases, "x"+string(r)+"y")
		}
	}
	for _, c := range cases {
		if got, want := Normalize(c), slowNormalize(c); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", c, got, want)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"长江 经济带", "全角\u3000空格", "a\u2003b", "\xe3\x80\x80", "\xc2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Normalize(s), slowNormalize(s); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", s, got, want)
		}
	})
}

// TestByAnswerType: questions group by the answer type they ask for,
// with how often the first quote holds a span of that kind.
func TestByAnswerType(t *testing.T) {
	var m Metrics
	rows := []struct {
		typ   string
		hit   bool
		typed bool
	}{{"place", true, true}, {"place", false, true}, {"place", false, false}, {"time", true, true}, {"", true, false}}
	for i, r := range rows {
		row := Row{ID: fmt.Sprint(i), Question: "q", Answers: []string{"gold"}, Kind: "k"}
		quote := "no"
		if r.hit {
			quote = "the gold answer"
		}
		m.Add(Score(row, nil, &Answered{Quotes: []Quote{{Text: quote}}, AnswerType: r.typ, TypedSpan: r.typed}))
	}
	by := m.ByType()
	if len(by) != 2 {
		t.Fatalf("types %v, want place and time only", by)
	}
	p := by["place"]
	if p.Answerable != 3 || math.Abs(p.Quotes().QuoteHit1-1.0/3) > 1e-9 || math.Abs(p.Quotes().TypedSpan-2.0/3) > 1e-9 {
		t.Errorf("place = %+v %+v", p, p.Quotes())
	}
	var b strings.Builder
	NewReport("s", "hybrid", "extractive", 1, 0, &m, nil).WriteText(&b, m.Kinds())
	if !strings.Contains(b.String(), "place                  3") {
		t.Errorf("report lacks the place line:\n%s", b.String())
	}
}
