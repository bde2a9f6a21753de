package telegramtest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestNewerMethods checks the fake's sendMessageDraft, setMessageReaction
// and answerInlineQuery against the fields the Bot API documents: valid
// requests take effect, malformed ones are answered 400 like Telegram,
// and Refuse makes a method unknown (404).
func TestNewerMethods(t *testing.T) {
	article := `[{"type":"article","id":"a","title":"T","input_message_content":{"message_text":"x","parse_mode":"HTML"}}]`
	tests := []struct {
		name   string
		method string
		params url.Values
		status int
		desc   string // in the error description
	}{
		{"draft", "sendMessageDraft", url.Values{"chat_id": {"7"}, "draft_id": {"5"}, "text": {"hi …"}, "parse_mode": {"HTML"}}, 200, ""},
		{"empty draft shows Thinking", "sendMessageDraft", url.Values{"chat_id": {"7"}, "draft_id": {"5"}, "text": {""}}, 200, ""},
		{"draft in a group", "sendMessageDraft", url.Values{"chat_id": {"-100"}, "draft_id": {"5"}, "text": {"x"}}, 400, "private chats"},
		{"draft id zero", "sendMessageDraft", url.Values{"chat_id": {"7"}, "draft_id": {"0"}, "text": {"x"}}, 400, "non-zero"},
		{"draft too long", "sendMessageDraft", url.Values{"chat_id": {"7"}, "draft_id": {"1"}, "text": {strings.Repeat("長", 4097)}}, 400, "too long"},
		{"draft with reply_markup", "sendMessageDraft", url.Values{"chat_id": {"7"}, "draft_id": {"1"}, "text": {"x"}, "reply_markup": {"{}"}}, 400, "unexpected parameter reply_markup"},
		{"reaction", "setMessageReaction", url.Values{"chat_id": {"-100"}, "message_id": {"9"}, "reaction": {`[{"type":"emoji","emoji":"👀"}]`}}, 200, ""},
		{"reaction removed", "setMessageReaction", url.Values{"chat_id": {"-100"}, "message_id": {"9"}, "reaction": {`[]`}}, 200, ""},
		{"hourglass is not a reaction", "setMessageReaction", url.Values{"chat_id": {"-100"}, "message_id": {"9"}, "reaction": {`[{"type":"emoji","emoji":"⏳"}]`}}, 400, "REACTION_INVALID"},
		{"two reactions", "setMessageReaction", url.Values{"chat_id": {"-100"}, "message_id": {"9"}, "reaction": {`[{"type":"emoji","emoji":"👀"},{"type":"emoji","emoji":"👍"}]`}}, 400, "REACTIONS_TOO_MANY"},
		{"reaction without message", "setMessageReaction", url.Values{"chat_id": {"-100"}, "reaction": {`[]`}}, 400, "message_id"},
		{"inline answer", "answerInlineQuery", url.Values{"inline_query_id": {"q"}, "results": {article}, "cache_time": {"30"}}, 200, ""},
		{"inline answer per user", "answerInlineQuery", url.Values{"inline_query_id": {"q"}, "results": {article}, "cache_time": {"30"}, "is_personal": {"true"}}, 200, ""},
		{"inline is_personal not a boolean", "answerInlineQuery", url.Values{"inline_query_id": {"q"}, "results": {article}, "is_personal": {"yes"}}, 400, "is_personal"},
		{"inline without id", "answerInlineQuery", url.Values{"results": {article}}, 400, "inline_query_id"},
		{"inline article without title", "answerInlineQuery", url.Values{"inline_query_id": {"q"}, "results": {strings.Replace(article, `"T"`, `""`, 1)}}, 400, "TITLE"},
		{"inline duplicate ids", "answerInlineQuery", url.Values{"inline_query_id": {"q"}, "results": {"[" + article[1:len(article)-1] + "," + article[1:]}}, 400, "RESULT_ID_INVALID"},
		{"inline negative cache", "answerInlineQuery", url.Values{"inline_query_id": {"q"}, "results": {article}, "cache_time": {"-1"}}, 400, "cache_time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkAnswer(t, tt.method, tt.params, tt.status, tt.desc) })
	}

	s := New(t, Options{InProcess: true})
	post(t, s, Token, "sendMessageDraft", url.Values{"chat_id": {"7"}, "draft_id": {"5"}, "text": {"a"}, "message_thread_id": {"3"}})
	if d := s.Drafts(7); len(d) != 1 || d[0].Text != "a" || d[0].DraftID != 5 || d[0].Thread != 3 || len(s.Drafts(8)) != 0 {
		t.Errorf("drafts = %+v", d)
	}
	post(t, s, Token, "setMessageReaction", url.Values{"chat_id": {"-100"}, "message_id": {"9"}, "reaction": {`[{"type":"emoji","emoji":"😴"}]`}})
	if got := s.Reaction(-100, 9); got != "😴" {
		t.Errorf("reaction = %q", got)
	}
	post(t, s, Token, "setMessageReaction", url.Values{"chat_id": {"-100"}, "message_id": {"9"}})
	if got := s.Reaction(-100, 9); got != "" {
		t.Errorf("after removing, reaction = %q", got)
	}
	post(t, s, Token, "answerInlineQuery", url.Values{"inline_query_id": {"p"}, "results": {article}, "is_personal": {"true"}})
	post(t, s, Token, "answerInlineQuery", url.Values{"inline_query_id": {"s"}, "results": {article}})
	if a := s.InlineAnswers(); len(a) != 2 || !a[0].IsPersonal || a[1].IsPersonal {
		t.Errorf("inline answers = %+v, want the first personal", a)
	}
	for _, m := range []string{"sendMessageDraft", "setMessageReaction", "answerInlineQuery"} {
		s.Refuse(m)
		if code, body := post(t, s, Token, m, url.Values{"chat_id": {"7"}}); code != http.StatusNotFound || body["description"] != "Not Found" {
			t.Errorf("refused %s = %d %v", m, code, body)
		}
	}
}

// checkAnswer posts method with params to a new fake and checks the
// answer's status and that its description contains desc.
func checkAnswer(t *testing.T, method string, params url.Values, status int, desc string) {
	t.Helper()
	s := New(t, Options{InProcess: true})
	code, body := post(t, s, Token, method, params)
	got, _ := body["description"].(string)
	if code != status || !strings.Contains(got, desc) {
		t.Errorf("%s = %d %q, want %d containing %q", method, code, got, status, desc)
	}
}
