package bot

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/citebot/citebot/answer"
)

func TestRenderAnswer(t *testing.T) {
	one := []answer.DocInfo{{Name: "a.txt"}}
	two := []answer.DocInfo{{Name: "a.txt"}, {Name: "b.md"}}
	tests := []struct {
		name string
		a    answer.Answer
		docs []answer.DocInfo
		want string
	}{
		{
			"citations escaped and sorted",
			answer.Answer{Lang: "en", Text: `x < y & "z" [2][1]`, Citations: []answer.Citation{
				{N: 2, Doc: "a.txt", Paragraph: 7, Quote: "b > a"},
				{N: 1, Doc: "a.txt", Paragraph: 6, Quote: "a & b"},
			}},
			one,
			"x &lt; y &amp; &quot;z&quot; [2][1]\n\n<b>[1] ¶6</b>\n<blockquote expandable>a &amp; b</blockquote>" +
				"\n\n<b>[2] ¶7</b>\n<blockquote expandable>b &gt; a</blockquote>",
		},
		{
			"document names when several",
			answer.Answer{Lang: "zh", Text: "长江[1]", Citations: []answer.Citation{{N: 1, Doc: "b.md", Paragraph: 3, Quote: "长江"}}},
			two,
			"长江[1]\n\n<b>[1] ¶3 · b.md</b>\n<blockquote expandable>长江</blockquote>",
		},
		{
			"not found with related",
			answer.Answer{Lang: "en", NotFound: true, Text: "The document does not say.", Related: []answer.Passage{{Doc: "a.txt", Paragraph: 3}, {Doc: "a.txt", Paragraph: 9}}},
			one,
			"The document does not say.\n\nRelated paragraphs: ¶3, ¶9",
		},
		{
			"not found in Chinese",
			answer.Answer{Lang: "zh", NotFound: true, Text: "文档中没有提到。", Related: []answer.Passage{{Doc: "a.txt", Paragraph: 3}}},
			one,
			"文档中没有提到。\n\n相关段落：¶3",
		},
		{
			"pages of a paged document",
			answer.Answer{Lang: "en", Text: "x [1][2]", Citations: []answer.Citation{
				{N: 1, Doc: "r.pdf", Paragraph: 12, Page: 3, Quote: "q1"},
				{N: 2, Doc: "r.pdf", Paragraph: 0, Page: 1, Quote: "Title"},
			}},
			two,
			"x [1][2]\n\n<b>[1] p. 3 ¶12 · r.pdf</b>\n<blockquote expandable>q1</blockquote>" +
				"\n\n<b>[2] p. 1 ¶0 · r.pdf</b>\n<blockquote expandable>Title</blockquote>",
		},
		{
			"related paragraphs with pages",
			answer.Answer{Lang: "en", NotFound: true, Text: "The document does not say.", Related: []answer.Passage{{Doc: "r.pdf", Paragraph: 3, Page: 2}, {Doc: "r.pdf", Paragraph: 9, Page: 4}}},
			one,
			"The document does not say.\n\nRelated paragraphs: p. 2 ¶3, p. 4 ¶9",
		},
		{
			"ungrounded with notice",
			answer.Answer{Lang: "en", Ungrounded: true, Text: "Probably so.", Notice: "The model was <slow>."},
			one,
			"Probably so.\n\n⚠️ This answer could not be verified against the document: treat it with caution.\n\n<i>The model was &lt;slow&gt;.</i>",
		},
		{
			"empty text",
			answer.Answer{Lang: "en"},
			one,
			"(no answer)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := renderAnswer(tt.a, tt.docs)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("renderAnswer mismatch (-want +got):\n%s", diff)
			}
			if err := checkHTML(got); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestSourceKeyboard(t *testing.T) {
	docs := []answer.DocInfo{{Name: "a.txt"}, {Name: "a very long document name that goes on and on.md"}}
	a := answer.Answer{Citations: []answer.Citation{
		{N: 1, Doc: "a very long document name that goes on and on.md", Paragraph: 123456},
		{N: 2, Doc: "a.txt", Paragraph: 6},
		{N: 3, Doc: "a.txt", Paragraph: 6},
		{N: 4, Doc: "unknown.txt", Paragraph: 1},
	}}
	kb := sourceKeyboard(a, docs)
	if kb == nil || len(kb.InlineKeyboard) != 1 {
		t.Fatalf("keyboard = %+v", kb)
	}
	var got []string
	for _, b := range kb.InlineKeyboard[0] {
		if len(*b.CallbackData) > 64 {
			t.Errorf("callback data %q over 64 bytes", *b.CallbackData)
		}
		got = append(got, b.Text+"|"+*b.CallbackData)
	}
	want := []string{
		"¶123456 · a very long document n|src:" + docKey(docs[1].Name) + ":123456",
		"¶6 · a.txt|src:" + docKey("a.txt") + ":6",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("buttons mismatch (-want +got):\n%s", diff)
	}
	if sourceKeyboard(answer.Answer{Text: "none"}, docs) != nil {
		t.Error("keyboard without citations")
	}
	nf := sourceKeyboard(answer.Answer{NotFound: true, Related: []answer.Passage{{Doc: "a.txt", Paragraph: 2}}}, docs)
	if nf == nil || *nf.InlineKeyboard[0][0].CallbackData != "src:"+docKey("a.txt")+":2" {
		t.Errorf("not-found keyboard = %+v", nf)
	}
}

func TestParagraphLabels(t *testing.T) {
	docs := []answer.DocInfo{{Name: "r.pdf", Pages: 4}}
	a := answer.Answer{Citations: []answer.Citation{{N: 1, Doc: "r.pdf", Paragraph: 5, Page: 2}, {N: 2, Doc: "r.pdf", Paragraph: 0, Page: 1}}}
	tests := []struct {
		name string
		got  func() string
		want string
	}{
		{"button", func() string { return sourceKeyboard(a, docs).InlineKeyboard[0][0].Text }, "p. 2 ¶5"},
		{"heading button", func() string { return sourceKeyboard(a, docs).InlineKeyboard[0][1].Text }, "p. 1 ¶0"},
		{"linked button", func() string {
			return linkedKeyboard(a, docs, []string{"https://example.org/p/x"}, false).InlineKeyboard[0][0].Text
		}, "p. 2 ¶5 ↗"},
		{"paragraph", func() string {
			return renderParagraph(answer.Passage{Doc: "r.pdf", Paragraph: 5, Page: 2, Text: "Text."}, false)
		}, "<b>p. 2 ¶5</b>\n<blockquote>Text.</blockquote>"},
		{"unpaged paragraph", func() string {
			return renderParagraph(answer.Passage{Doc: "a.txt", Paragraph: 5, Text: "Text."}, true)
		}, "<b>¶5 · a.txt</b>\n<blockquote>Text.</blockquote>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.got(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRenderPartial(t *testing.T) {
	if got := renderPartial("a < b"); got != "a &lt; b …" {
		t.Errorf("renderPartial = %q", got)
	}
	long := renderPartial(strings.Repeat("Long text. ", 1000))
	if err := checkHTML(long); err != nil || !strings.HasSuffix(long, " …") {
		t.Errorf("long partial: %v", err)
	}
}

func TestResultMessageID(t *testing.T) {
	tests := map[string]int{
		`{"message_id":12}`:   12,
		`{"message_id":"12"}`: 12,
		`null`:                0,
		``:                    0,
		`true`:                0,
		`{"message_id":"x"}`:  0,
		`{"message_id":-3}`:   0,
	}
	for raw, want := range tests {
		if got := resultMessageID([]byte(raw)); got != want {
			t.Errorf("resultMessageID(%s) = %d, want %d", raw, got, want)
		}
	}
}

func TestRenderExtractiveShowsEachQuoteOnce(t *testing.T) {
	q := "坚定推进长江“十年禁渔”，巩固好已经取得的成果。"
	a := answer.Answer{
		Mode: answer.Extractive, Lang: "zh",
		Text:      "文档中的相关原文：\n「" + q + "」[1]",
		Lead:      "文档中的相关原文：",
		Citations: []answer.Citation{{N: 1, Doc: "d.txt", Paragraph: 5, Quote: q}},
	}
	got := renderAnswer(a, []answer.DocInfo{{Name: "d.txt", Paragraphs: 13}})
	if n := strings.Count(got, "十年禁渔"); n != 1 {
		t.Fatalf("quote shown %d times:\n%s", n, got)
	}
	if !strings.HasPrefix(got, "文档中的相关原文：") || !strings.Contains(got, "<blockquote expandable>") {
		t.Fatalf("render:\n%s", got)
	}
}
