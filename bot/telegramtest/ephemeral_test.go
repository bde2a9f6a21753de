package telegramtest

import (
	"net/url"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// TestEphemeralMessages checks sendMessage with ephemeral_message_parameters
// against the Bot API's "Ephemeral Messages and Commands" and
// "EphemeralMessageParameters": only in a group or supergroup; only the
// documented fields; receiver_user_id required, and the user who sent the
// callback query named, from the same chat, within 15 seconds;
// replace_callback_query_message False for a query from an ephemeral
// message; without a query only a chat administrator may send one.
func TestEphemeralMessages(t *testing.T) {
	params := func(p string) url.Values {
		return url.Values{"chat_id": {"-100"}, "text": {"¶2 …"}, "ephemeral_message_parameters": {p}}
	}
	tests := []struct {
		name   string
		params url.Values
		late   bool
		status int
		desc   string
	}{
		{"to the tapping user", params(`{"receiver_user_id":8,"callback_query_id":"cb"}`), false, 200, ""},
		{"shown in place of the message", params(`{"receiver_user_id":8,"callback_query_id":"cb","replace_callback_query_message":true}`), false, 200, ""},
		{"in a private chat", url.Values{"chat_id": {"8"}, "text": {"x"}, "ephemeral_message_parameters": {`{"receiver_user_id":8,"callback_query_id":"private"}`}}, false, 400, "group and supergroup"},
		{"undocumented field", params(`{"receiver_user_id":8,"callback_query_id":"cb","receiver_chat_id":1}`), false, 400, "unexpected field receiver_chat_id"},
		{"not an object", params(`8`), false, 400, "can't parse"},
		{"no receiver", params(`{"callback_query_id":"cb"}`), false, 400, "receiver_user_id is required"},
		{"another receiver", params(`{"receiver_user_id":9,"callback_query_id":"cb"}`), false, 400, "the user who sent the callback query"},
		{"the bot as receiver", params(`{"receiver_user_id":4242,"callback_query_id":"cb"}`), false, 400, "bots"},
		{"unknown query", params(`{"receiver_user_id":8,"callback_query_id":"nope"}`), false, 400, "query ID is invalid"},
		{"query of another chat", params(`{"receiver_user_id":8,"callback_query_id":"elsewhere"}`), false, 400, "another chat"},
		{"after 15 seconds", params(`{"receiver_user_id":8,"callback_query_id":"cb"}`), true, 400, "too old"},
		{"replacing an ephemeral message", params(`{"receiver_user_id":8,"callback_query_id":"from-ephemeral","replace_callback_query_message":true}`), false, 400, "must be False"},
		{"without a query, not admin", params(`{"receiver_user_id":8}`), false, 400, "not enough rights"},
		{"without a query, admin", url.Values{"chat_id": {"-200"}, "text": {"x"}, "ephemeral_message_parameters": {`{"receiver_user_id":8}`}}, false, 200, ""},
		{"empty text", url.Values{"chat_id": {"-100"}, "ephemeral_message_parameters": {`{"receiver_user_id":8,"callback_query_id":"cb"}`}}, false, 400, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := New(t, Options{InProcess: true})
				eph := BotMessage(5, -100, "supergroup")
				eph["message_id"], eph["ephemeral_message_id"] = 0, 3
				s.Push(Callback("cb", "d", User{ID: 8}, BotMessage(5, -100, "supergroup")),
					Callback("private", "d", User{ID: 8}, BotMessage(6, 8, "private")),
					Callback("elsewhere", "d", User{ID: 8}, BotMessage(7, -300, "supergroup")),
					Callback("from-ephemeral", "d", User{ID: 8}, eph))
				s.MakeAdmin(-200)
				if tt.late {
					time.Sleep(ephemeralWindow + time.Second)
				}
				code, body := post(t, s, Token, "sendMessage", tt.params)
				desc, _ := body["description"].(string)
				if code != tt.status || !strings.Contains(desc, tt.desc) {
					t.Fatalf("sendMessage = %d %q, want %d containing %q", code, desc, tt.status, tt.desc)
				}
				chat := tt.params.Get("chat_id")
				if code != 200 {
					if n := len(s.Ephemerals(-100)) + len(s.AllMessages()); n != 0 {
						t.Errorf("a refused ephemeral message left %d messages", n)
					}
					return
				}
				res, _ := body["result"].(map[string]any)
				if res["message_id"] != 0.0 || res["ephemeral_message_id"] == nil || res["receiver_user"] == nil {
					t.Errorf("result = %v, want an ephemeral Message", res)
				}
				if n := len(s.AllMessages()); n != 0 || len(s.Sent(-100)) != 0 {
					t.Errorf("the chat sees %d messages, want none", n)
				}
				if chat == "-100" && len(s.Ephemerals(-100)) != 1 {
					t.Errorf("ephemerals = %+v", s.Ephemerals(-100))
				}
			})
		})
	}
}

// TestEphemeralSupport: RefuseEphemeral answers 400 naming the parameter;
// IgnoreEphemeral posts the message to the whole chat, as a server that
// predates the parameter does.
func TestEphemeralSupport(t *testing.T) {
	p := url.Values{"chat_id": {"-100"}, "text": {"x"}, "ephemeral_message_parameters": {`{"receiver_user_id":8,"callback_query_id":"cb"}`}}
	s := New(t, Options{InProcess: true})
	s.Push(Callback("cb", "d", User{ID: 8}, BotMessage(5, -100, "supergroup")))
	s.RefuseEphemeral()
	if code, body := post(t, s, Token, "sendMessage", p); code != 400 || !strings.Contains(body["description"].(string), "ephemeral") {
		t.Errorf("refused: %d %v", code, body)
	}
	s.IgnoreEphemeral()
	if code, _ := post(t, s, Token, "sendMessage", p); code != 200 || len(s.Messages(-100)) != 1 || len(s.Ephemerals(-100)) != 0 {
		t.Errorf("ignored: %d, messages %+v", code, s.Messages(-100))
	}
}

// TestAnswerGuestQuery checks answerGuestQuery against the Bot API's
// "answerGuestQuery": a query the server delivered (see [GuestMessage]),
// answered once, with one result checked like an inline query's (no
// hide_url, which 8.2 removed), and nothing undocumented.
func TestAnswerGuestQuery(t *testing.T) {
	article := `{"type":"article","id":"a","title":"T","input_message_content":{"message_text":"x","parse_mode":"HTML"}}`
	s := New(t, Options{InProcess: true})
	s.Push(GuestMessage(-300, "supergroup", User{ID: 9}, "@CiteBot q", "gq"))
	tests := []struct {
		name   string
		params url.Values
		status int
		desc   string
	}{
		{"unknown query", url.Values{"guest_query_id": {"nope"}, "result": {article}}, 400, "query ID is invalid"},
		{"no result", url.Values{"guest_query_id": {"gq"}}, 400, "can't parse"},
		{"hide_url", url.Values{"guest_query_id": {"gq"}, "result": {strings.Replace(article, `"id"`, `"hide_url":true,"id"`, 1)}}, 400, "hide_url"},
		{"undocumented parameter", url.Values{"guest_query_id": {"gq"}, "result": {article}, "cache_time": {"1"}}, 400, "unexpected parameter"},
		{"answered", url.Values{"guest_query_id": {"gq"}, "result": {article}}, 200, ""},
		{"answered twice", url.Values{"guest_query_id": {"gq"}, "result": {article}}, 400, "query ID is invalid"},
	}
	for _, tt := range tests {
		code, body := post(t, s, Token, "answerGuestQuery", tt.params)
		desc, _ := body["description"].(string)
		if code != tt.status || !strings.Contains(desc, tt.desc) {
			t.Errorf("%s: %d %q, want %d containing %q", tt.name, code, desc, tt.status, tt.desc)
		}
	}
	if a := s.GuestAnswers(); len(a) != 1 || a[0].Chat != -300 || a[0].QueryID != "gq" || a[0].InlineMessageID == "" {
		t.Errorf("guest answers = %+v", a)
	}
}
