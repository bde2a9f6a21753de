package bot

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot/telegramtest"
)

func inlineQuery(id string, from telegramtest.User, q string) telegramtest.Update {
	return telegramtest.Update{"inline_query": map[string]any{"id": id, "from": from.JSON(), "query": q, "offset": "", "chat_type": "supergroup"}}
}

// rawJSON encodes v without escaping HTML.
func rawJSON(v any) string {
	var sb strings.Builder
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return sb.String()
}

func TestInlineMode(t *testing.T) {
	f := newFake(t)
	a := newFakeAnswerer()
	a.answer = func(_ context.Context, q answer.Question, _ func(string)) (answer.Answer, error) {
		return answer.Answer{Question: q.Text, Lang: "en", Mode: answer.Extractive, Lead: "The document says:", Text: "The document says: x [1] y [2] z [3]",
			Citations: []answer.Citation{
				{N: 2, Doc: "sample.txt", Paragraph: 3, Quote: "第三段"},
				{N: 1, Doc: "sample.txt", Paragraph: 2, Quote: "The second paragraph"},
				{N: 3, Doc: "sample.txt", Paragraph: 1, Quote: "The first"},
			}}, nil
	}
	b, _ := newTestBot(t, f, a, nil)
	handle(t, b, inlineQuery("iq1", telegramtest.User{ID: 7}, "what is it?"))
	ans := f.InlineAnswers()
	if len(ans) != 1 || ans[0].QueryID != "iq1" || ans[0].CacheTime != inlineCacheTime || !ans[0].IsPersonal || len(ans[0].Results) != maxInlineResults {
		t.Fatalf("inline answers = %+v", ans)
	}
	first := rawJSON(ans[0].Results[0])
	for _, want := range []string{`"title":"The document says: The second paragraph"`, `<blockquote expandable>The second paragraph</blockquote>`, `"callback_data":"src:` + docKey("sample.txt") + `:2"`, `"parse_mode":"HTML"`} {
		if !strings.Contains(first, want) {
			t.Errorf("first result lacks %s: %s", want, first)
		}
	}
	second := rawJSON(ans[0].Results[1])
	if !strings.Contains(second, `"title":"¶2"`) || !strings.Contains(second, `<blockquote>The second paragraph</blockquote>`) {
		t.Errorf("second result = %s", second)
	}
	// A ¶ tap under a message sent inline: an alert with the paragraph.
	handle(t, b, telegramtest.Update{"callback_query": map[string]any{"id": "cb", "from": telegramtest.User{ID: 8}.JSON(),
		"inline_message_id": "AAA", "chat_instance": "1", "data": "src:" + docKey("sample.txt") + ":2"}})
	ack, _ := f.Last("answerCallbackQuery")
	if ack.Get("show_alert") != "true" || !strings.Contains(ack.Get("text"), "The second paragraph, with <tags>") {
		t.Errorf("inline ¶ tap answered %v", ack.Params)
	}
	// An empty query gets no results and the hint button; a refused
	// method is logged, not fatal.
	handle(t, b, inlineQuery("iq2", telegramtest.User{ID: 7, Lang: "zh"}, " "))
	if ans := f.InlineAnswers(); len(ans) != 2 || len(ans[1].Results) != 0 || !ans[1].IsPersonal {
		t.Errorf("empty query answers = %+v", ans)
	}
	if r, _ := f.Last("answerInlineQuery"); !strings.Contains(r.Get("button"), "输入关于文档的问题") {
		t.Errorf("empty query button = %q", r.Get("button"))
	}
	f.Refuse("answerInlineQuery")
	handle(t, b, inlineQuery("iq3", telegramtest.User{ID: 7}, "q"))
	if r, _ := f.Last("answerInlineQuery"); r.Status != 404 {
		t.Errorf("refused answerInlineQuery: status %d", r.Status)
	}
}

// TestInlineAnswersArePersonal: Telegram caches an inline answer for the
// user who asked only, so that a user outside the allowlist does not get
// an allowed user's answer for the same query, nor an allowed user the
// empty answer given to a refused one.
func TestInlineAnswersArePersonal(t *testing.T) {
	f := newFake(t)
	b, _ := newTestBot(t, f, newFakeAnswerer(), func(c *Config, _ *Deps) { c.AllowedUsers = []int64{7} })
	handle(t, b, inlineQuery("allowed", telegramtest.User{ID: 7}, "what is it?"))
	handle(t, b, inlineQuery("refused", telegramtest.User{ID: 9}, "what is it?"))
	ans := f.InlineAnswers()
	if len(ans) != 2 || len(ans[0].Results) == 0 || len(ans[1].Results) != 0 {
		t.Fatalf("inline answers = %+v, want results for the allowed user only", ans)
	}
	for _, a := range ans {
		if !a.IsPersonal {
			t.Errorf("answer to %s is cached for every user (no is_personal)", a.QueryID)
		}
	}
}

// TestInlineParagraphAlertLength: a ¶ tap under an inline message shows
// the paragraph whole when it fits an alert (200 characters), and cut
// with "…" to exactly 200 when it does not.
func TestInlineParagraphAlertLength(t *testing.T) {
	label := paragraphLabel("sample.txt", 0, 2, false) + "\n"
	for _, tt := range []struct {
		name  string
		runes int // of the whole alert, label included
		cut   bool
	}{
		{"one below the limit", 199, false},
		{"at the limit", 200, false},
		{"one over the limit", 201, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			a := newFakeAnswerer()
			a.paras["sample.txt"][2] = strings.Repeat("段", tt.runes-len([]rune(label)))
			b, _ := newTestBot(t, f, a, nil)
			handle(t, b, telegramtest.Update{"callback_query": map[string]any{"id": "cb", "from": telegramtest.User{ID: 8}.JSON(),
				"inline_message_id": "AAA", "chat_instance": "1", "data": "src:" + docKey("sample.txt") + ":2"}})
			ack, _ := f.Last("answerCallbackQuery")
			got := []rune(ack.Get("text"))
			want := label + a.paras["sample.txt"][2]
			if tt.cut {
				want = string([]rune(want)[:199]) + "…"
			}
			if string(got) != want || len(got) > 200 {
				t.Errorf("alert = %d runes ending %q, want %d ending %q", len(got), string(got[len(got)-3:]), len([]rune(want)), want[len(want)-6:])
			}
		})
	}
}

// TestInlineResultsHaveNoHideURL: Bot API 8.2 removed hide_url from
// InlineQueryResultArticle; no result the bot gives (inline mode, guest
// mode) carries it, and the fake refuses an article that does.
func TestInlineResultsHaveNoHideURL(t *testing.T) {
	f := newFake(t)
	b, _ := newTestBot(t, f, newFakeAnswerer(), nil)
	handle(t, b, inlineQuery("iq", telegramtest.User{ID: 7}, "what is it?"))
	guest := telegramtest.GuestMessage(-300, "group", telegramtest.User{ID: 7}, "@CiteBot what is it?", "gq")
	f.Push(guest)
	handle(t, b, guest)
	var results []map[string]any
	for _, a := range f.InlineAnswers() {
		results = append(results, a.Results...)
	}
	for _, a := range f.GuestAnswers() {
		results = append(results, a.Result)
	}
	if len(results) < 2 {
		t.Fatalf("%d results given, want inline and guest ones (requests:%s)", len(results), telegramtest.Summary(f.Requests()))
	}
	for _, r := range results {
		if _, ok := r["hide_url"]; ok {
			t.Errorf("result %v carries hide_url", r["id"])
		}
	}
	with := `[{"type":"article","id":"a","title":"t","hide_url":true,"input_message_content":{"message_text":"x"}}]`
	resp, _ := f.Client().PostForm(f.URL()+"/bot"+testToken+"/answerInlineQuery", map[string][]string{"inline_query_id": {"iq2"}, "results": {with}})
	if resp == nil || resp.StatusCode != 400 {
		t.Errorf("the fake accepts an article with hide_url: %v", resp)
	}
	if resp != nil {
		resp.Body.Close()
	}
}
