package bot

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot/telegramtest"
)

var testSelf = identity{ID: 4242, UserName: "CiteBot"}

func TestRoute(t *testing.T) {
	alice := telegramtest.User{ID: 7}
	otherBot := telegramtest.User{ID: 99, Bot: true}
	const group = -100123
	botMsg := map[string]any{"message_id": 50, "from": map[string]any{"id": testSelf.ID, "is_bot": true, "first_name": "Cite"}, "chat": map[string]any{"id": group, "type": "supergroup"}, "text": "an answer"}
	aliceMsg := map[string]any{"message_id": 51, "from": alice.JSON(), "chat": map[string]any{"id": group, "type": "supergroup"}, "text": "What is the Yangtze?"}

	tests := []struct {
		name    string
		upd     telegramtest.Update
		keyword string
		want    request
	}{
		{"private question", telegramtest.PrivateMessage(alice, "What is it?"), "", request{reqQuestion, "What is it?"}},
		{"private keeps everything", telegramtest.PrivateMessage(alice, "  hello  "), "", request{reqQuestion, "hello"}},
		{"private mention stripped", telegramtest.PrivateMessage(alice, "@CiteBot what?"), "", request{reqQuestion, "what?"}},
		{"group chatter ignored", telegramtest.GroupMessage(group, alice, "what is it?"), "", request{}},
		{"group mention", telegramtest.GroupMessage(group, alice, "@CiteBot what is it?"), "", request{reqQuestion, "what is it?"}},
		{"group mention case-insensitive, with comma", telegramtest.GroupMessage(group, alice, "@citebot, 长江有多长？"), "", request{reqQuestion, "长江有多长？"}},
		{"group mention at the end", telegramtest.GroupMessage(group, alice, "how long is it @CiteBot"), "", request{reqQuestion, "how long is it"}},
		{"group mention of a longer name ignored", telegramtest.GroupMessage(group, alice, "@CiteBot2 what?"), "", request{}},
		{"group mention entity", telegramtest.GroupMessage(group, alice, "@CiteBot why?").With("entities", []any{map[string]any{"type": "mention", "offset": 0, "length": 8}}), "", request{reqQuestion, "why?"}},
		{"group text_mention", telegramtest.GroupMessage(group, alice, "Cite 😀 why?").With("entities", []any{map[string]any{"type": "text_mention", "offset": 0, "length": 4, "user": map[string]any{"id": testSelf.ID, "is_bot": true, "first_name": "Cite"}}}), "", request{reqQuestion, "😀 why?"}},
		{"group text_mention of someone else", telegramtest.GroupMessage(group, alice, "Bob why?").With("entities", []any{map[string]any{"type": "text_mention", "offset": 0, "length": 3, "user": map[string]any{"id": 5, "first_name": "Bob"}}}), "", request{}},
		{"group reply to the bot", telegramtest.GroupMessage(group, alice, "and then?").With("reply_to_message", botMsg), "", request{reqQuestion, "and then?"}},
		{"group reply to someone else", telegramtest.GroupMessage(group, alice, "and then?").With("reply_to_message", aliceMsg), "", request{}},
		{"topic implicit reply to bot's topic start ignored", telegramtest.GroupMessage(group, alice, "and then?").With("reply_to_message", botMsg, "message_thread_id", 50, "is_topic_message", true), "", request{}},
		{"topic explicit reply to bot", telegramtest.GroupMessage(group, alice, "and then?").With("reply_to_message", botMsg, "message_thread_id", 7, "is_topic_message", true), "", request{reqQuestion, "and then?"}},
		{"/ask", telegramtest.GroupMessage(group, alice, "/ask What is it?"), "", request{reqQuestion, "What is it?"}},
		{"/ask@bot", telegramtest.GroupMessage(group, alice, "/ask@CiteBot What is it?"), "", request{reqQuestion, "What is it?"}},
		{"/ask@BOT case", telegramtest.GroupMessage(group, alice, "/ask@citebot What?"), "", request{reqQuestion, "What?"}},
		{"/ask@otherbot ignored", telegramtest.GroupMessage(group, alice, "/ask@OtherBot What is it?"), "", request{}},
		{"/ask empty", telegramtest.GroupMessage(group, alice, "/ask"), "", request{kind: reqEmpty}},
		{"/ask replying to a question", telegramtest.GroupMessage(group, alice, "/ask").With("reply_to_message", aliceMsg), "", request{reqQuestion, "What is the Yangtze?"}},
		{"/ask multiline", telegramtest.PrivateMessage(alice, "/ask\nline one\nline two"), "", request{reqQuestion, "line one\nline two"}},
		{"/help in group", telegramtest.GroupMessage(group, alice, "/help"), "", request{kind: reqHelp}},
		{"/start@bot", telegramtest.GroupMessage(group, alice, "/start@CiteBot"), "", request{kind: reqStart}},
		{"/about", telegramtest.PrivateMessage(alice, "/about"), "", request{kind: reqAbout}},
		{"/source args", telegramtest.PrivateMessage(alice, "/source doc 6"), "", request{reqSource, "doc 6"}},
		{"/docs", telegramtest.GroupMessage(group, alice, "/docs"), "", request{kind: reqDocs}},
		{"/remove NAME", telegramtest.PrivateMessage(alice, "/remove My Notes.md"), "", request{reqRemove, "My Notes.md"}},
		{"document in private", telegramtest.DocumentMessage(alice, "F", "a.txt", 3), "", request{kind: reqDocument}},
		{"document with a caption in private: not a question", telegramtest.DocumentMessage(alice, "F", "a.txt", 3).With("caption", "what?"), "", request{kind: reqDocument}},
		{"document in a group ignored", telegramtest.DocumentMessage(alice, "F", "a.txt", 3).With("chat", map[string]any{"id": group, "type": "supergroup"}), "", request{}},
		{"document in a group, caption mentions the bot", telegramtest.DocumentMessage(alice, "F", "a.txt", 3).With("chat", map[string]any{"id": group, "type": "supergroup"}, "caption", "for @CiteBot"), "", request{kind: reqDocument}},
		{"document in a group, replying to the bot", telegramtest.DocumentMessage(alice, "F", "a.txt", 3).With("chat", map[string]any{"id": group, "type": "supergroup"}, "reply_to_message", botMsg), "", request{kind: reqDocument}},
		{"document from another bot ignored", telegramtest.DocumentMessage(otherBot, "F", "a.txt", 3), "", request{}},
		{"unknown command private", telegramtest.PrivateMessage(alice, "/weather"), "", request{kind: reqUnknownCommand}},
		{"unknown command group ignored", telegramtest.GroupMessage(group, alice, "/weather"), "", request{}},
		{"slash text is a question", telegramtest.PrivateMessage(alice, "/ what?"), "", request{reqQuestion, "/ what?"}},
		{"other bot ignored", telegramtest.GroupMessage(group, otherBot, "@CiteBot what?"), "", request{}},
		{"other bot ignored in private", telegramtest.PrivateMessage(otherBot, "what?"), "", request{}},
		{"keyword prefix", telegramtest.GroupMessage(group, alice, "Cite: what is it?"), "cite:", request{reqQuestion, "what is it?"}},
		{"keyword prefix case", telegramtest.GroupMessage(group, alice, "  CITE: what?"), "cite:", request{reqQuestion, "what?"}},
		{"keyword prefix elsewhere ignored", telegramtest.GroupMessage(group, alice, "what cite: is it?"), "cite:", request{}},
		{"keyword prefix stripped in private", telegramtest.PrivateMessage(alice, "cite: what?"), "cite:", request{reqQuestion, "what?"}},
		{"mention only", telegramtest.GroupMessage(group, alice, "@CiteBot"), "", request{kind: reqGreet}},
		{"new", telegramtest.GroupMessage(group, alice, "/new@CiteBot"), "", request{kind: reqNew}},
		{"empty text", telegramtest.GroupMessage(group, alice, ""), "", request{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := route(decodeUpdate(t, tt.upd), testSelf, tt.keyword)
			if got != tt.want {
				t.Errorf("route = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestTopicThread(t *testing.T) {
	alice := telegramtest.User{ID: 7}
	tests := []struct {
		name string
		upd  telegramtest.Update
		want int
	}{
		{"topic", telegramtest.GroupMessage(-1, alice, "q").With("message_thread_id", 5, "is_topic_message", true), 5},
		{"general", telegramtest.GroupMessage(-1, alice, "q").With("message_thread_id", 1, "is_topic_message", true), 0},
		{"reply thread in a non-forum group", telegramtest.GroupMessage(-1, alice, "q").With("message_thread_id", 9), 0},
		{"no thread", telegramtest.GroupMessage(-1, alice, "q"), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := topicThread(decodeUpdate(t, tt.upd)); got != tt.want {
				t.Errorf("thread = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestParseSourceArgs(t *testing.T) {
	one := []answer.DocInfo{{Name: "sample.txt"}}
	two := []answer.DocInfo{{Name: "Yangtze notes.md"}, {Name: "yellow.txt"}}
	tests := []struct {
		name    string
		args    string
		docs    []answer.DocInfo
		doc     string
		n       int
		problem srcProblem
	}{
		{"number", "6", one, "sample.txt", 6, srcOK},
		{"pilcrow", "¶6", one, "sample.txt", 6, srcOK},
		{"empty", "", one, "", 0, srcUsage},
		{"not a number", "six", one, "", 0, srcUsage},
		{"negative", "-1", one, "", 0, srcUsage},
		{"which doc", "6", two, "", 0, srcWhichDoc},
		{"doc name with space", "yangtze notes.md 3", two, "Yangtze notes.md", 3, srcOK},
		{"doc index", "2 3", two, "yellow.txt", 3, srcOK},
		{"doc prefix", "yel 3", two, "yellow.txt", 3, srcOK},
		{"ambiguous prefix", "y 3", two, "", 0, srcWhichDoc},
		{"unknown doc", "zzz 3", two, "", 0, srcWhichDoc},
		{"no documents", "3", nil, "", 0, srcNoDocuments},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, n, problem := parseSourceArgs(tt.args, tt.docs)
			if doc != tt.doc || n != tt.n || problem != tt.problem {
				t.Errorf("parseSourceArgs(%q) = %q, %d, %d; want %q, %d, %d", tt.args, doc, n, problem, tt.doc, tt.n, tt.problem)
			}
		})
	}
}

// FuzzRoute feeds arbitrary text and entities through update decoding,
// routing, source-argument and callback-data parsing: nothing may panic,
// and a question is never empty nor longer than the text.
func FuzzRoute(f *testing.F) {
	f.Add("@CiteBot what?", "supergroup", int64(0), 8, "mention", "src:0:6", "cite")
	f.Add("/ask@CiteBot 长江 😀", "group", int64(4242), 3, "text_mention", "src:1:2:3", "")
	f.Add("/source doc ¶6", "private", int64(0), 100, "bot_command", "src::", "?")
	f.Add("😀@citebot\xff", "supergroup", int64(4242), 1, "text_mention", "src:-1:5", "😀")
	f.Fuzz(func(t *testing.T, text, chatType string, entityUser int64, length int, entityType, data, keyword string) {
		msg := map[string]any{
			"message_id": 1, "date": 0, "text": text,
			"from":     map[string]any{"id": 7, "is_bot": false, "first_name": "A"},
			"chat":     map[string]any{"id": -5, "type": chatType},
			"entities": []any{map[string]any{"type": entityType, "offset": length % 7, "length": length, "user": map[string]any{"id": entityUser, "first_name": "x"}}},
		}
		raw, err := json.Marshal(map[string]any{"update_id": 1, "message": msg})
		if err != nil {
			return
		}
		var u Update
		if err := json.Unmarshal(raw, &u); err != nil {
			return
		}
		r := route(u, testSelf, keyword)
		if r.kind == reqQuestion && (r.text == "" || len(r.text) > len(u.Message.Text)+1) {
			t.Fatalf("question %q from %q", r.text, u.Message.Text)
		}
		parseSourceArgs(text, []answer.DocInfo{{Name: "a"}, {Name: keyword}})
		if ref, n, ok := parseSourceData(data); ok {
			if n < 0 || len(sourceData(keyword, n)) > 64 {
				t.Fatalf("parseSourceData(%q) = %q, %d", data, ref, n)
			}
			resolveDoc([]answer.DocInfo{{Name: "a"}, {Name: keyword}}, ref)
		}
		findDocument([]answer.DocInfo{{Name: "a"}, {Name: keyword}}, text)
	})
}

// TestRoutedOnce: the verdict routeOnce keeps is the one the turn and the
// handler act on; route is not run again.
func TestRoutedOnce(t *testing.T) {
	f := newFake(t)
	a := newFakeAnswerer()
	b, _ := newTestBot(t, f, a, nil)
	u := decodeUpdate(t, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "a question"))
	b.routeOnce(&u)
	if u.routed == nil || u.routed.kind != reqQuestion {
		t.Fatalf("routeOnce kept %+v", u.routed)
	}
	u.routed = &request{} // as if route had said "not for the bot"
	b.HandleUpdate(context.Background(), u)
	if n := len(a.asked()); n != 0 || len(f.Sent(7)) != 0 {
		t.Errorf("the handler routed again: %d questions asked", n)
	}
}
