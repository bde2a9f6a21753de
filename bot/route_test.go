package bot

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/citebot/citebot/answer"
)

var testSelf = identity{ID: 4242, UserName: "CiteBot"}

func TestRoute(t *testing.T) {
	alice := user{ID: 7}
	otherBot := user{ID: 99, Bot: true}
	const group = -100123
	botMsg := map[string]any{"message_id": 50, "from": map[string]any{"id": testSelf.ID, "is_bot": true, "first_name": "Cite"}, "chat": map[string]any{"id": group, "type": "supergroup"}, "text": "an answer"}
	aliceMsg := map[string]any{"message_id": 51, "from": userJSON(alice), "chat": map[string]any{"id": group, "type": "supergroup"}, "text": "What is the Yangtze?"}

	tests := []struct {
		name    string
		upd     map[string]any
		keyword string
		want    request
	}{
		{"private question", privateMsg(alice, "What is it?"), "", request{reqQuestion, "What is it?"}},
		{"private keeps everything", privateMsg(alice, "  hello  "), "", request{reqQuestion, "hello"}},
		{"private mention stripped", privateMsg(alice, "@CiteBot what?"), "", request{reqQuestion, "what?"}},
		{"group chatter ignored", groupMsg(group, alice, "what is it?"), "", request{}},
		{"group mention", groupMsg(group, alice, "@CiteBot what is it?"), "", request{reqQuestion, "what is it?"}},
		{"group mention case-insensitive, with comma", groupMsg(group, alice, "@citebot, 长江有多长？"), "", request{reqQuestion, "长江有多长？"}},
		{"group mention at the end", groupMsg(group, alice, "how long is it @CiteBot"), "", request{reqQuestion, "how long is it"}},
		{"group mention of a longer name ignored", groupMsg(group, alice, "@CiteBot2 what?"), "", request{}},
		{"group mention entity", with(groupMsg(group, alice, "@CiteBot why?"), "entities", []any{map[string]any{"type": "mention", "offset": 0, "length": 8}}), "", request{reqQuestion, "why?"}},
		{"group text_mention", with(groupMsg(group, alice, "Cite 😀 why?"), "entities", []any{map[string]any{"type": "text_mention", "offset": 0, "length": 4, "user": map[string]any{"id": testSelf.ID, "is_bot": true, "first_name": "Cite"}}}), "", request{reqQuestion, "😀 why?"}},
		{"group text_mention of someone else", with(groupMsg(group, alice, "Bob why?"), "entities", []any{map[string]any{"type": "text_mention", "offset": 0, "length": 3, "user": map[string]any{"id": 5, "first_name": "Bob"}}}), "", request{}},
		{"group reply to the bot", with(groupMsg(group, alice, "and then?"), "reply_to_message", botMsg), "", request{reqQuestion, "and then?"}},
		{"group reply to someone else", with(groupMsg(group, alice, "and then?"), "reply_to_message", aliceMsg), "", request{}},
		{"topic implicit reply to bot's topic start ignored", with(groupMsg(group, alice, "and then?"), "reply_to_message", botMsg, "message_thread_id", 50, "is_topic_message", true), "", request{}},
		{"topic explicit reply to bot", with(groupMsg(group, alice, "and then?"), "reply_to_message", botMsg, "message_thread_id", 7, "is_topic_message", true), "", request{reqQuestion, "and then?"}},
		{"/ask", groupMsg(group, alice, "/ask What is it?"), "", request{reqQuestion, "What is it?"}},
		{"/ask@bot", groupMsg(group, alice, "/ask@CiteBot What is it?"), "", request{reqQuestion, "What is it?"}},
		{"/ask@BOT case", groupMsg(group, alice, "/ask@citebot What?"), "", request{reqQuestion, "What?"}},
		{"/ask@otherbot ignored", groupMsg(group, alice, "/ask@OtherBot What is it?"), "", request{}},
		{"/ask empty", groupMsg(group, alice, "/ask"), "", request{kind: reqEmpty}},
		{"/ask replying to a question", with(groupMsg(group, alice, "/ask"), "reply_to_message", aliceMsg), "", request{reqQuestion, "What is the Yangtze?"}},
		{"/ask multiline", privateMsg(alice, "/ask\nline one\nline two"), "", request{reqQuestion, "line one\nline two"}},
		{"/help in group", groupMsg(group, alice, "/help"), "", request{kind: reqHelp}},
		{"/start@bot", groupMsg(group, alice, "/start@CiteBot"), "", request{kind: reqStart}},
		{"/about", privateMsg(alice, "/about"), "", request{kind: reqAbout}},
		{"/source args", privateMsg(alice, "/source doc 6"), "", request{reqSource, "doc 6"}},
		{"/docs", groupMsg(group, alice, "/docs"), "", request{kind: reqDocs}},
		{"/remove NAME", privateMsg(alice, "/remove My Notes.md"), "", request{reqRemove, "My Notes.md"}},
		{"document in private", docMsg(alice, "F", "a.txt", 3), "", request{kind: reqDocument}},
		{"document with a caption in private: not a question", with(docMsg(alice, "F", "a.txt", 3), "caption", "what?"), "", request{kind: reqDocument}},
		{"document in a group ignored", with(docMsg(alice, "F", "a.txt", 3), "chat", map[string]any{"id": group, "type": "supergroup"}), "", request{}},
		{"document in a group, caption mentions the bot", with(docMsg(alice, "F", "a.txt", 3), "chat", map[string]any{"id": group, "type": "supergroup"}, "caption", "for @CiteBot"), "", request{kind: reqDocument}},
		{"document in a group, replying to the bot", with(docMsg(alice, "F", "a.txt", 3), "chat", map[string]any{"id": group, "type": "supergroup"}, "reply_to_message", botMsg), "", request{kind: reqDocument}},
		{"document from another bot ignored", docMsg(otherBot, "F", "a.txt", 3), "", request{}},
		{"unknown command private", privateMsg(alice, "/weather"), "", request{kind: reqUnknownCommand}},
		{"unknown command group ignored", groupMsg(group, alice, "/weather"), "", request{}},
		{"slash text is a question", privateMsg(alice, "/ what?"), "", request{reqQuestion, "/ what?"}},
		{"other bot ignored", groupMsg(group, otherBot, "@CiteBot what?"), "", request{}},
		{"other bot ignored in private", privateMsg(otherBot, "what?"), "", request{}},
		{"keyword prefix", groupMsg(group, alice, "Cite: what is it?"), "cite:", request{reqQuestion, "what is it?"}},
		{"keyword prefix case", groupMsg(group, alice, "  CITE: what?"), "cite:", request{reqQuestion, "what?"}},
		{"keyword prefix elsewhere ignored", groupMsg(group, alice, "what cite: is it?"), "cite:", request{}},
		{"keyword prefix stripped in private", privateMsg(alice, "cite: what?"), "cite:", request{reqQuestion, "what?"}},
		{"mention only", groupMsg(group, alice, "@CiteBot"), "", request{kind: reqEmpty}},
		{"empty text", groupMsg(group, alice, ""), "", request{}},
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
	alice := user{ID: 7}
	tests := []struct {
		name string
		upd  map[string]any
		want int
	}{
		{"topic", with(groupMsg(-1, alice, "q"), "message_thread_id", 5, "is_topic_message", true), 5},
		{"general", with(groupMsg(-1, alice, "q"), "message_thread_id", 1, "is_topic_message", true), 0},
		{"reply thread in a non-forum group", with(groupMsg(-1, alice, "q"), "message_thread_id", 9), 0},
		{"no thread", groupMsg(-1, alice, "q"), 0},
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
		if name, ok := uploadName(text); ok && (name == "" || strings.ContainsAny(name, `/\`) || !utf8.ValidString(name)) {
			t.Fatalf("uploadName(%q) = %q", text, name)
		}
		findDocument([]answer.DocInfo{{Name: "a"}, {Name: keyword}}, text)
	})
}
