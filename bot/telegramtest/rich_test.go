package telegramtest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestRichMethods checks the fake's sendRichMessage and
// sendRichMessageDraft against the documentation: valid requests are
// recorded with their footnotes, malformed ones are answered 400, and
// Refuse makes a method unknown (404).
func TestRichMethods(t *testing.T) {
	para := func(text string) string { return `{"type":"paragraph","text":` + text + `}` }
	blocks := func(bs ...string) string { return `{"blocks":[` + strings.Join(bs, ",") + `]}` }
	ref := para(`{"type":"reference","name":"cite-1","text":{"type":"bold","text":"[1] ¶2"}}`)
	quote := `{"type":"blockquote","blocks":[` + para(`"the quote"`) + `]}`
	linked := para(`["It is so ",{"type":"reference_link","text":"[1]","reference_name":"cite-1"}]`)
	good := blocks(linked, ref, quote)
	long := blocks(para(`"` + strings.Repeat("長", RichMaxChars+1) + `"`))
	many := blocks(strings.Repeat(para(`"x"`)+",", RichMaxBlocks) + para(`"x"`))
	deep := `"x"`
	for range RichMaxDepth + 1 {
		deep = `{"type":"italic","text":` + deep + `}`
	}
	tests := []struct {
		name   string
		method string
		params url.Values
		status int
		desc   string
	}{
		{"rich message", "sendRichMessage", url.Values{"chat_id": {"7"}, "rich_message": {good}, "reply_markup": {"{}"}}, 200, ""},
		{"html", "sendRichMessage", url.Values{"chat_id": {"7"}, "rich_message": {`{"html":"<p>x</p>"}`}}, 200, ""},
		{"expandable quote", "sendRichMessage", url.Values{"chat_id": {"7"}, "rich_message": {blocks(ref, `{"type":"expandable_blockquote","text":"q"}`)}}, 200, ""},
		{"no chat", "sendRichMessage", url.Values{"rich_message": {good}}, 400, "chat_id"},
		{"no rich_message", "sendRichMessage", url.Values{"chat_id": {"7"}}, 400, "rich_message is required"},
		{"html and blocks", "sendRichMessage", url.Values{"chat_id": {"7"}, "rich_message": {`{"html":"x","blocks":[]}`}}, 400, "exactly one"},
		{"neither", "sendRichMessage", url.Values{"chat_id": {"7"}, "rich_message": {`{"is_rtl":true}`}}, 400, "exactly one"},
		{"unknown field", "sendRichMessage", url.Values{"chat_id": {"7"}, "rich_message": {`{"text":"x"}`}}, 400, "can't parse"},
		{"parse_mode is not a parameter", "sendRichMessage", url.Values{"chat_id": {"7"}, "rich_message": {good}, "parse_mode": {"HTML"}}, 400, "unexpected parameter parse_mode"},
		{"link to nothing", "sendRichMessage", url.Values{"chat_id": {"7"}, "rich_message": {blocks(linked)}}, 400, "REFERENCE_NOT_FOUND"},
		{"reference twice", "sendRichMessage", url.Values{"chat_id": {"7"}, "rich_message": {blocks(ref, ref)}}, 400, "REFERENCE_NAME_DUPLICATE"},
		{"link in a reference", "sendRichMessage", url.Values{"chat_id": {"7"}, "rich_message": {blocks(para(`{"type":"reference","name":"a","text":{"type":"reference_link","text":"x","reference_name":"a"}}`))}}, 400, "ENTITY_NESTING_INVALID"},
		{"reference without name", "sendRichMessage", url.Values{"chat_id": {"7"}, "rich_message": {blocks(para(`{"type":"reference","text":"x"}`))}}, 400, "REFERENCE_NAME_INVALID"},
		{"too long", "sendRichMessage", url.Values{"chat_id": {"7"}, "rich_message": {long}}, 400, "TOO_LONG"},
		{"too many blocks", "sendRichMessage", url.Values{"chat_id": {"7"}, "rich_message": {many}}, 400, "blocks"},
		{"too deep", "sendRichMessage", url.Values{"chat_id": {"7"}, "rich_message": {blocks(para(deep))}}, 400, "TOO_DEEP"},
		{"empty", "sendRichMessage", url.Values{"chat_id": {"7"}, "rich_message": {blocks(para(`""`))}}, 400, "EMPTY"},
		{"unknown block", "sendRichMessage", url.Values{"chat_id": {"7"}, "rich_message": {blocks(`{"type":"marquee","text":"x"}`)}}, 400, "marquee"},
		{"blockquote without blocks", "sendRichMessage", url.Values{"chat_id": {"7"}, "rich_message": {blocks(`{"type":"blockquote","text":"x"}`)}}, 400, "blocks"},
		{"draft", "sendRichMessageDraft", url.Values{"chat_id": {"7"}, "draft_id": {"3"}, "rich_message": {good}, "can_stop": {"true"}, "keep_on_stop": {"true"}}, 200, ""},
		{"draft in a group", "sendRichMessageDraft", url.Values{"chat_id": {"-100"}, "draft_id": {"3"}, "rich_message": {good}}, 400, "private chats"},
		{"draft id zero", "sendRichMessageDraft", url.Values{"chat_id": {"7"}, "draft_id": {"0"}, "rich_message": {good}}, 400, "non-zero"},
		{"draft can_stop not a boolean", "sendRichMessageDraft", url.Values{"chat_id": {"7"}, "draft_id": {"3"}, "rich_message": {good}, "can_stop": {"yes"}}, 400, "can_stop"},
		{"draft with reply_markup", "sendRichMessageDraft", url.Values{"chat_id": {"7"}, "draft_id": {"3"}, "rich_message": {good}, "reply_markup": {"{}"}}, 400, "unexpected parameter reply_markup"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkAnswer(t, tt.method, tt.params, tt.status, tt.desc) })
	}

	s := New(t, Options{InProcess: true})
	post(t, s, Token, "sendRichMessage", url.Values{"chat_id": {"7"}, "rich_message": {good}})
	m := s.RichMessages(7)
	if len(m) != 1 || len(s.RichMessages(8)) != 0 || len(m[0].Footnotes) != 1 || m[0].Links[0] != "cite-1" {
		t.Fatalf("rich messages = %+v", m)
	}
	if fn := m[0].Footnotes[0]; fn != (Footnote{Name: "cite-1", Label: "[1] ¶2", Quote: "the quote"}) {
		t.Errorf("footnote = %+v", fn)
	}
	if msgs := s.Messages(7); len(msgs) != 1 || !msgs[0].Rich || !strings.Contains(msgs[0].Text, "the quote") {
		t.Errorf("messages = %+v", msgs)
	}
	post(t, s, Token, "sendRichMessageDraft", url.Values{"chat_id": {"7"}, "draft_id": {"3"}, "rich_message": {good}, "can_stop": {"true"}})
	if d := s.RichDrafts(7); len(d) != 1 || !d[0].CanStop || d[0].KeepStop || d[0].DraftID != 3 {
		t.Errorf("rich drafts = %+v", d)
	}
	for _, method := range []string{"sendRichMessage", "sendRichMessageDraft"} {
		s.Refuse(method)
		if code, _ := post(t, s, Token, method, url.Values{"chat_id": {"7"}, "rich_message": {good}}); code != http.StatusNotFound {
			t.Errorf("refused %s = %d", method, code)
		}
	}
}
