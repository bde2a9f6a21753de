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
	if len(ans) != 1 || ans[0].QueryID != "iq1" || ans[0].CacheTime != inlineCacheTime || len(ans[0].Results) != maxInlineResults {
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
	if ans := f.InlineAnswers(); len(ans) != 2 || len(ans[1].Results) != 0 {
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
