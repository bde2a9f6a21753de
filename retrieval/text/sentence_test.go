package text

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// spanTexts returns the text of each span.
func spanTexts(text string, spans []Span) []string {
	out := make([]string, 0, len(spans))
	for _, s := range spans {
		out = append(out, text[s.Start:s.End])
	}
	return out
}

// checkSpans fails tb unless spans are in bounds, ordered, non-overlapping,
// non-empty and trimmed, and together hold every non-space rune of text.
func checkSpans(tb testing.TB, text string, spans []Span) {
	tb.Helper()
	prev := 0
	for i, s := range spans {
		if s.Start < prev || s.End <= s.Start || s.End > len(text) {
			tb.Fatalf("span %d [%d,%d) out of order or bounds (previous end %d, len %d)", i, s.Start, s.End, prev, len(text))
		}
		part := text[s.Start:s.End]
		if strings.TrimSpace(part) != part || part == "" {
			tb.Errorf("span %d %q is empty or not trimmed", i, part)
		}
		if gap := text[prev:s.Start]; strings.TrimSpace(gap) != "" {
			tb.Errorf("text %q between spans %d and %d is not covered", gap, i-1, i)
		}
		prev = s.End
	}
	if rest := text[prev:]; strings.TrimSpace(rest) != "" {
		tb.Errorf("text %q after the last span is not covered", rest)
	}
}

// sentenceCase is a text and the sentences Sentences must cut it into.
type sentenceCase struct {
	name string
	in   string
	want []string
}

// checkSentenceCases runs Sentences on each case and checks its spans.
func checkSentenceCases(t *testing.T, tests []sentenceCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spans := Sentences(tc.in)
			checkSpans(t, tc.in, spans)
			if diff := cmp.Diff(spanTexts(tc.in, spans), tc.want); diff != "" {
				t.Errorf("Sentences(%q) mismatch (-got +want):\n%s", tc.in, diff)
			}
		})
	}
}

func TestSentences(t *testing.T) {
	tests := []sentenceCase{
		{"empty", "", []string{}},
		{"space only", " \n\t\u3000", []string{}},
		{"chinese", "他强调，要完整。坚持共抓大保护！真的吗？是；", []string{"他强调，要完整。", "坚持共抓大保护！", "真的吗？", "是；"}},
		{"no terminator", "没有句号的文字", []string{"没有句号的文字"}},
		{"closing quotes stay", "他说：“我们走。”然后走了。「好！」『是？』（完。）", []string{"他说：“我们走。”", "然后走了。", "「好！」", "『是？』", "（完。）"}},
		{"ellipsis and runs", "等等……还有吗？！有。。。好", []string{"等等……", "还有吗？！", "有。。。", "好"}},
		{"english", "It rained. Then it stopped! Did it? Yes.", []string{"It rained.", "Then it stopped!", "Did it?", "Yes."}},
		{"decimals and lowercase", "Pi is 3.14 and e.g. this one. Next", []string{"Pi is 3.14 and e.g. this one.", "Next"}},
		{"titles and initials", "Mr. Smith met Dr. Li and J. K. Rowling in the U.S. Army. Done.", []string{"Mr. Smith met Dr. Li and J. K. Rowling in the U.S. Army.", "Done."}},
		{"sentence end after a number", "It grew in 2023. The end.", []string{"It grew in 2023.", "The end."}},
		{"dotted word at the end", "See example.com. Then go.", []string{"See example.com.", "Then go."}},
		{"quote after period", `He said "go." She left. 'Yes.' Ok`, []string{`He said "go."`, "She left.", "'Yes.'", "Ok"}},
		{"straight quote opening next sentence", `结束。"下一句"`, []string{"结束。", `"下一句"`}},
		{"english ellipsis", "Wait... what? Wait... Then. Hmm… no", []string{"Wait... what?", "Wait...", "Then.", "Hmm… no"}},
		{"newlines", "line one\nline two\r\n\nline three", []string{"line one", "line two", "line three"}},
		{"mixed", "使用 iPhone. 然后呢?好!ok", []string{"使用 iPhone.", "然后呢?", "好!ok"}},
		{"exclamation inside token", "Yahoo!Inc is here", []string{"Yahoo!Inc is here"}},
		{"period before CJK", "版本v1.0发布.下一句", []string{"版本v1.0发布.", "下一句"}},
		{"closers with straight quotes", `好。”") 下。"”x`, []string{`好。”")`, "下。", `"”x`}},
	}
	checkSentenceCases(t, tests)
}

func TestClauses(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", []string{}},
		{"chinese", "他强调，要完整、准确：全面；贯彻", []string{"他强调，", "要完整、", "准确：", "全面；", "贯彻"}},
		{"english", "First, second: third; fourth", []string{"First,", "second:", "third;", "fourth"}},
		{"numbers stay whole", "It cost 1,000 yuan at 12:30, then", []string{"It cost 1,000 yuan at 12:30,", "then"}},
		{"ascii comma before CJK", "你好,世界", []string{"你好,", "世界"}},
		{"sentences split too", "一，二。三，四", []string{"一，", "二。", "三，", "四"}},
		{"closing quote after comma", "他说“好，”然后", []string{"他说“好，”", "然后"}},
		{"url colon", "see http://example.com, ok", []string{"see http://example.com,", "ok"}},
		{"trailing mark", "，，", []string{"，", "，"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spans := Clauses(tc.in)
			checkSpans(t, tc.in, spans)
			if diff := cmp.Diff(spanTexts(tc.in, spans), tc.want); diff != "" {
				t.Errorf("Clauses(%q) mismatch (-got +want):\n%s", tc.in, diff)
			}
		})
	}
}

func TestSentencesLinearTime(t *testing.T) {
	// Runs of closers, dots and letters must not make the splitter slow.
	for _, text := range []string{
		"。" + strings.Repeat(`"`, 1<<16) + "x",
		"。" + strings.Repeat(`"”`, 1<<16) + " ",
		strings.Repeat("a.", 1<<16) + " B",
		strings.Repeat("A. ", 1<<16),
		strings.Repeat("，", 1<<16),
		strings.Repeat(".", 1<<16) + "x",
		strings.Repeat("!?…", 1<<16) + "x",
		"wait" + strings.Repeat("…", 1<<16) + " no",
	} {
		start := time.Now()
		checkSpans(t, text, Sentences(text))
		checkSpans(t, text, Clauses(text))
		// Linear: well under a second; quadratic: minutes. The bound leaves
		// a loaded machine under the race detector ample room.
		if d := time.Since(start); d > 15*time.Second {
			t.Errorf("splitting %.20q... took %v", text, d)
		}
	}
}

// TestSentencesEnglishAbbreviations holds the English splitter to the
// cases that cut quotes mid-sentence: era and country abbreviations,
// titles, street and number abbreviations, e.g./i.e., decimals, initials
// and quotations.
func TestSentencesEnglishAbbreviations(t *testing.T) {
	tests := []sentenceCase{
		{"A.D. mid-sentence", "The castle was built in 1066 A.D. and it stood for centuries. Then it fell.",
			[]string{"The castle was built in 1066 A.D. and it stood for centuries.", "Then it fell."}},
		{"A.D. before a number", "It was founded in A.D. 43 by the Romans. The city grew.", []string{"It was founded in A.D. 43 by the Romans.", "The city grew."}},
		{"A.D. before a name", "In 1066 A.D. William invaded. He won.", []string{"In 1066 A.D. William invaded.", "He won."}},
		{"B.C. ends a sentence", "It was built in 2010 B.C. The end.", []string{"It was built in 2010 B.C.", "The end."}},
		{"U.S. ends a sentence", "He moved to the U.S. The next year he left.", []string{"He moved to the U.S.", "The next year he left."}},
		{"U.S. mid-sentence", "He lived in the U.S. in 1990. Later he moved.", []string{"He lived in the U.S. in 1990.", "Later he moved."}},
		{"U.S. Army", "He joined the U.S. Army in 1941. He served.", []string{"He joined the U.S. Army in 1941.", "He served."}},
		{"U.S.S.R.", "The U.S.S.R. collapsed in 1991. Russia emerged.", []string{"The U.S.S.R. collapsed in 1991.", "Russia emerged."}},
		{"titles", "Mr. Smith and Dr. Jones met Gen. Lee and Prof. Wu. It rained.", []string{"Mr. Smith and Dr. Jones met Gen. Lee and Prof. Wu.", "It rained."}},
		{"No. and St.", "They met at No. 5 St. James St. on Monday. It rained.", []string{"They met at No. 5 St. James St. on Monday.", "It rained."}},
		{"St. as a saint", "He studied at St. Andrews. It was fine.", []string{"He studied at St. Andrews.", "It was fine."}},
		{"e.g. and i.e.", "Use e.g. apples, i.e. fruit. Then stop.", []string{"Use e.g. apples, i.e. fruit.", "Then stop."}},
		{"decimals and money", "The value rose to 3.5 percent, or $4.50 each. It fell.", []string{"The value rose to 3.5 percent, or $4.50 each.", "It fell."}},
		{"initials", "The author J. R. R. Tolkien wrote it. He died in 1973.", []string{"The author J. R. R. Tolkien wrote it.", "He died in 1973."}},
		{"p.m.", "It was 5 p.m. when they left. The sun set.", []string{"It was 5 p.m. when they left.", "The sun set."}},
		{"ca.", "Ca. 1000 people came. Others left.", []string{"Ca. 1000 people came.", "Others left."}},
		{"Fig.", "See Fig. 3 for details. It shows.", []string{"See Fig. 3 for details.", "It shows."}},
		{"quoted statement", `He said, "We will win." Then he left.`, []string{`He said, "We will win."`, "Then he left."}},
		{"quoted question then lowercase", `"Is it over?" she asked. "Yes."`, []string{`"Is it over?" she asked.`, `"Yes."`}},
		{"curly quotes", "She wrote “It is done.” Nobody replied.", []string{"She wrote “It is done.”", "Nobody replied."}},
		{"brackets with colons", "The Normans (Norman: Nourmands; Latin: Normanni) were people. They came.",
			[]string{"The Normans (Norman: Nourmands; Latin: Normanni) were people.", "They came."}},
	}
	checkSentenceCases(t, tests)
}

// fuzzSeeds are the seed inputs of the splitter fuzz tests.
var fuzzSeeds = []string{
	"", "。", "……", "他说：“我们走。”然后走了。", "Mr. Smith. e.g. this 3.14!", "a\nb\r\nc",
	"\u3000\u3000第一段。\n", "\"'\"'.", "，,:;：、", "x.\xff. y", "…“", "U.S. A. b.",
	"In 1066 A.D. The end? she said. Ca. 5", "U.S.\nThe", `"Why?" he`,
}

func FuzzSentences(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkSpans(t, text, Sentences(text))
	})
}

func FuzzClauses(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		spans := Clauses(text)
		checkSpans(t, text, spans)
		// Every clause lies within one sentence.
		sentences := Sentences(text)
		j := 0
		for _, c := range spans {
			for j < len(sentences) && sentences[j].End < c.End {
				j++
			}
			if j == len(sentences) || c.Start < sentences[j].Start {
				t.Fatalf("clause %q crosses a sentence boundary", text[c.Start:c.End])
			}
		}
	})
}

func TestWideRune(t *testing.T) {
	for _, r := range "长江。，“”！？（）ア한" {
		want := r != '“' && r != '”'
		if got := isWideForSentence(r); got != want {
			t.Errorf("isWideForSentence(%q) = %v, want %v", r, got, want)
		}
	}
	for _, r := range "a1.," {
		if isWideForSentence(r) {
			t.Errorf("isWideForSentence(%q) = true", r)
		}
	}
}
