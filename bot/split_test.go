package bot

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/citebot/citebot/answer"
)

// checkHTML returns why s is not a valid Telegram HTML message as this
// package writes them: valid UTF-8, at most 4096 UTF-16 units, only the
// tags b, i, blockquote (expandable) properly nested with no blockquote in
// a blockquote, only the four named entities, no bare < > &, and some
// visible text.
func checkHTML(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("invalid UTF-8")
	}
	if n := utf16Len(s); n > maxMessageUnits {
		return fmt.Errorf("%d UTF-16 units, over %d", n, maxMessageUnits)
	}
	var stack []string
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			j := strings.IndexByte(s[i:], '>')
			if j < 0 {
				return fmt.Errorf("unterminated tag at %d", i)
			}
			tag := s[i : i+j+1]
			switch tag {
			case "<b>", "<i>", "<blockquote>", "<blockquote expandable>":
				name := strings.Fields(strings.Trim(tag, "<>"))[0]
				if name == "blockquote" && slices.Contains(stack, "blockquote") {
					return fmt.Errorf("nested blockquote at %d", i)
				}
				stack = append(stack, name)
			case "</b>", "</i>", "</blockquote>":
				name := strings.Trim(tag, "</>")
				if len(stack) == 0 || stack[len(stack)-1] != name {
					return fmt.Errorf("unbalanced %s at %d (open %v)", tag, i, stack)
				}
				stack = stack[:len(stack)-1]
			default:
				return fmt.Errorf("unknown tag %q", tag)
			}
			i += j + 1
		case '&':
			ok := false
			for _, e := range []string{"&lt;", "&gt;", "&amp;", "&quot;"} {
				if strings.HasPrefix(s[i:], e) {
					i += len(e)
					ok = true
					break
				}
			}
			if !ok {
				return fmt.Errorf("bad entity at %d: %.8q", i, s[i:])
			}
		case '>':
			return fmt.Errorf("bare > at %d", i)
		default:
			i++
		}
	}
	if len(stack) > 0 {
		return fmt.Errorf("unclosed %v", stack)
	}
	if strings.TrimSpace(htmlToPlain(s)) == "" {
		return fmt.Errorf("no visible text")
	}
	return nil
}

func noSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// checkSplit checks that every part is valid and that together they show
// the same text as html (up to white space at the cuts).
func checkSplit(t *testing.T, html string, parts []string) {
	t.Helper()
	for i, p := range parts {
		if err := checkHTML(p); err != nil {
			t.Fatalf("part %d of %d: %v\n%.300q", i+1, len(parts), err, p)
		}
	}
	var got strings.Builder
	for _, p := range parts {
		got.WriteString(htmlToPlain(p))
	}
	if noSpace(got.String()) != noSpace(htmlToPlain(html)) {
		t.Fatalf("the parts do not show the same text as the whole")
	}
}

func TestSplitHTML(t *testing.T) {
	long := func(unit string, n int) string { return strings.Repeat(unit, n) }
	tests := []struct {
		name      string
		html      string
		wantParts int
	}{
		{"short", "hello", 1},
		{"paragraphs", long("A sentence of some words. ", 100) + "\n\n" + long("Another one here. ", 200), 2},
		{"sentences", long("This is a sentence. ", 450), 3},
		{"CJK", long("这是一个句子。", 1300), 3},
		{"emoji", long("😀", 5000), 3},
		{"entities", long("a &amp; b &lt; c &gt; d &quot;e&quot; ", 400), 4},
		{"blockquote", "<b>[1] ¶6</b>\n<blockquote expandable>" + long("Quoted words here. ", 500) + "</blockquote>\n\n<i>note</i>", 3},
		{"no spaces", long("x", 9000), 3},
		{"whitespace only", long(" ", 5000), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts := splitHTML(tt.html, maxMessageUnits)
			if len(parts) != tt.wantParts {
				t.Errorf("got %d parts, want %d", len(parts), tt.wantParts)
			}
			if tt.wantParts > 0 {
				checkSplit(t, tt.html, parts)
			}
		})
	}
}

func TestSplitHTMLReopensBlockquote(t *testing.T) {
	html := "intro\n<blockquote expandable>" + strings.Repeat("Quoted words here. ", 400) + "</blockquote>"
	parts := splitHTML(html, maxMessageUnits)
	if len(parts) < 2 {
		t.Fatalf("got %d parts", len(parts))
	}
	for i, p := range parts[1:] {
		if !strings.HasPrefix(p, "<blockquote expandable>") {
			t.Errorf("part %d does not reopen the blockquote: %.40q", i+2, p)
		}
	}
	checkSplit(t, html, parts)
}

func TestSplitHTMLPrefersParagraphBreak(t *testing.T) {
	first := strings.Repeat("First paragraph words. ", 120) // ~2760 units
	html := first + "\n\n" + strings.Repeat("Second paragraph words. ", 100)
	parts := splitHTML(html, maxMessageUnits)
	if len(parts) != 2 || strings.TrimSpace(parts[0]) != strings.TrimSpace(first) {
		t.Fatalf("did not cut at the paragraph break: %d parts, first ends %q", len(parts), parts[0][len(parts[0])-20:])
	}
}

// TestLongAnswerMessages renders a 10,000-character answer with citations
// and checks the messages.
func TestLongAnswerMessages(t *testing.T) {
	text := strings.Repeat("Rivers & <deltas> carry \"silt\" 🌊 长江流域。 ", 250)[:10000]
	a := answer.Answer{
		Lang: "en", Text: text,
		Citations: []answer.Citation{
			{N: 1, Doc: "a.txt", Paragraph: 6, Quote: strings.Repeat("A long quote. ", 200)},
			{N: 2, Doc: "a.txt", Paragraph: 7, Quote: "short <quote>"},
		},
		Notice: "the model was unavailable",
	}
	html := renderAnswer(a, []answer.DocInfo{{Name: "a.txt"}})
	parts := splitHTML(html, maxMessageUnits)
	if len(parts) < 3 {
		t.Fatalf("got %d parts for %d units", len(parts), utf16Len(html))
	}
	checkSplit(t, html, parts)
}

func FuzzSplitHTML(f *testing.F) {
	for _, s := range []string{
		"a < b > c & d", "😀😀 emoji 👩‍👩‍👧 family", "中文句子。还有一句！", "x", "\"quoted\" &amp;",
		"line\n\nparagraph", "<blockquote>not a tag</blockquote>", "\xff\xfe bad utf8", "🌊" + strings.Repeat("。", 30),
	} {
		f.Add(s, uint8(3))
	}
	f.Fuzz(func(t *testing.T, in string, quotes uint8) {
		if strings.TrimSpace(in) == "" {
			return
		}
		// Repeat the input to over one message.
		text := in
		for utf8.RuneCountInString(text) < 5000 && len(text) < 20000 {
			text += in
		}
		a := answer.Answer{Text: text}
		for i := range int(quotes % 5) {
			a.Citations = append(a.Citations, answer.Citation{N: i + 1, Doc: "d", Paragraph: i, Quote: text[:min(len(text)/(i+2), 1500*(i+1))]})
		}
		html := renderAnswer(a, nil)
		parts := splitHTML(html, maxMessageUnits)
		if len(parts) == 0 {
			t.Fatal("no parts")
		}
		checkSplit(t, html, parts)
	})
}
