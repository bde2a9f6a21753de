package plain

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/retrieval/document"
)

func TestStreamedAnswerPrintedOnce(t *testing.T) {
	var out bytes.Buffer
	onPartial, printed := Streamer(&out)
	onPartial("长江")
	onPartial("长江禁渔")
	onPartial("完全不同") // a revision: not printed while streaming
	a := answer.Answer{Text: "长江禁渔", Citations: []answer.Citation{{N: 1, Paragraph: 5, Quote: "坚定推进"}}}
	Write(&out, a, false, printed())
	if got := out.String(); strings.Count(got, "长江禁渔") != 1 || !strings.Contains(got, "[1] ¶5") {
		t.Fatalf("output:\n%s", got)
	}
	out.Reset()
	a.Text = "改过的答案"
	Write(&out, a, false, "长江禁渔")
	if !strings.Contains(out.String(), "改过的答案") {
		t.Fatalf("a revised final text was not printed:\n%s", out.String())
	}
}

func TestJSONCountsCharacters(t *testing.T) {
	doc, err := document.Parse("d.txt", []byte("长江禁渔。The ban holds.\n\n第二段。"))
	if err != nil {
		t.Fatal(err)
	}
	quote := "The ban holds."
	start := strings.Index(doc.Text, quote)
	a := answer.Answer{Citations: []answer.Citation{{N: 1, Doc: "d.txt", Paragraph: 1, Quote: quote, Start: start, End: start + len(quote)}}}
	b, err := json.Marshal(JSON(a, []*document.Document{doc}))
	if err != nil {
		t.Fatal(err)
	}
	var got Answer
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	c := got.Citations[0]
	if r := []rune(doc.Text); string(r[c.Start:c.End]) != quote {
		t.Fatalf("runes [%d:%d] = %q, want %q", c.Start, c.End, string(r[c.Start:c.End]), quote)
	}
}

func TestJSONListsUnsupported(t *testing.T) {
	for _, tt := range []struct {
		a    answer.Answer
		want string
	}{
		{answer.Answer{Text: "x", Unsupported: []answer.Unsupported{{Text: "此外，政府将发放补贴。"}}}, `"unsupported":[{"text":"此外，政府将发放补贴。"}]`},
		{answer.Answer{Text: "x"}, `"unsupported":[]`},
	} {
		b, err := json.Marshal(JSON(tt.a, nil))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), tt.want) {
			t.Errorf("JSON %s lacks %s", b, tt.want)
		}
	}
}

func TestCitationPages(t *testing.T) {
	a := answer.Answer{
		Text: "x",
		Citations: []answer.Citation{
			{N: 1, Doc: "r.pdf", Paragraph: 12, Page: 3, Quote: "q"},
			{N: 2, Doc: "t.txt", Paragraph: 4, Quote: "q"},
		},
	}
	tests := []struct {
		name string
		got  func() string
		want []string
	}{
		{"JSON", func() string {
			b, err := json.Marshal(JSON(a, nil))
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}, []string{`"paragraph":12,"page":3,"quote"`, `"paragraph":4,"quote"`}},
		{"text", func() string {
			var out bytes.Buffer
			Write(&out, a, false, "")
			return out.String()
		}, []string{"[1] p. 3 ¶12\n", "[2] ¶4\n"}},
		{"related", func() string {
			var out bytes.Buffer
			Write(&out, answer.Answer{Text: "x", NotFound: true, Related: []answer.Passage{{Paragraph: 2, Page: 5}, {Paragraph: 7}}}, false, "")
			return out.String()
		}, []string{"related: p. 5 ¶2, ¶7\n"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.got()
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("output %q lacks %q", got, w)
				}
			}
		})
	}
}
