package bot

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot/store"
	"github.com/citebot/citebot/bot/telegramtest"
)

func TestUseDocuments(t *testing.T) {
	f := newFake(t)
	a := newFakeAnswerer()
	a.setDocs([]answer.DocInfo{{Name: "sample.txt", Paragraphs: 3}, {Name: "Other Doc.md", Paragraphs: 2}, {Name: "third.txt", Paragraphs: 1}})
	b, _ := newTestBot(t, f, a, func(c *Config, _ *Deps) { c.Admins = []int64{1} })
	const group = -100
	admin, member, groupAdmin := telegramtest.User{ID: 1}, telegramtest.User{ID: 7, Lang: "zh-hans"}, telegramtest.User{ID: 8}
	f.Respond("getChatMember", func(r telegramtest.Request, _ int) *telegramtest.Response {
		status := "member"
		if r.Get("user_id") == "8" {
			status = "administrator"
		}
		return telegramtest.OK(map[string]any{"status": status, "user": map[string]any{"id": 8, "is_bot": false, "first_name": "A"}})
	})
	last := func(chat int64) string {
		msgs := f.Messages(chat)
		return msgs[len(msgs)-1].Text
	}
	askedDocs := func() []string {
		qs := a.asked()
		return qs[len(qs)-1].Docs
	}

	handle(t, b, telegramtest.GroupMessage(group, member, "/use sample.txt"))
	if got := last(group); !strings.Contains(got, "只有群管理员") {
		t.Errorf("a member's /use got %q", got)
	}
	handle(t, b, telegramtest.GroupMessage(group, groupAdmin, "/use other doc.md, THIRD.txt"))
	if got := last(group); !strings.Contains(got, "answers from: Other Doc.md, third.txt") {
		t.Errorf("a group admin's /use got %q", got)
	}
	handle(t, b, telegramtest.GroupMessage(group, member, "@CiteBot 问题"))
	if got := askedDocs(); !slices.Equal(got, []string{"Other Doc.md", "third.txt"}) {
		t.Errorf("the group's question was scoped to %q", got)
	}
	handle(t, b, telegramtest.GroupMessage(group, member, "/docs"))
	if got := last(group); !strings.Contains(got, "2. Other Doc.md — 2 段 ✓") || strings.Contains(got, "sample.txt — 3 段 ✓") || !strings.Contains(got, "打勾") {
		t.Errorf("/docs = %q", got)
	}
	handle(t, b, telegramtest.GroupMessage(group, admin, "/use nope.txt"))
	if got := last(group); !strings.Contains(got, "no document called nope.txt") {
		t.Errorf("/use of an unknown name got %q", got)
	}
	// Another chat is not scoped; the group goes back to all with /use all.
	handle(t, b, telegramtest.PrivateMessage(member, "问题"))
	if got := askedDocs(); got != nil {
		t.Errorf("a private chat's question was scoped to %q", got)
	}
	handle(t, b, telegramtest.PrivateMessage(member, "/use sample.txt"))
	handle(t, b, telegramtest.PrivateMessage(member, "问题"))
	if got := askedDocs(); !slices.Equal(got, []string{"sample.txt"}) {
		t.Errorf("the private chat's question was scoped to %q", got)
	}
	handle(t, b, telegramtest.GroupMessage(group, admin, "/use all"))
	handle(t, b, telegramtest.GroupMessage(group, member, "@CiteBot 问题"))
	if got := askedDocs(); got != nil {
		t.Errorf("after /use all the question was scoped to %q", got)
	}
	// A removed document drops out of the scope.
	a.setDocs([]answer.DocInfo{{Name: "Other Doc.md", Paragraphs: 2}})
	handle(t, b, telegramtest.PrivateMessage(member, "问题"))
	if got := askedDocs(); got != nil {
		t.Errorf("with its only document gone the chat was scoped to %q, want all", got)
	}
}

func TestResolveNames(t *testing.T) {
	docs := []answer.DocInfo{{Name: "a.txt"}, {Name: "Other Doc.md"}, {Name: "Other"}, {Name: "长江.txt"}}
	tests := []struct {
		args           string
		names, unknown []string
	}{
		{"a.txt", []string{"a.txt"}, nil},
		{"A.TXT other doc.md", []string{"a.txt", "Other Doc.md"}, nil},
		{"other, a.txt", []string{"Other", "a.txt"}, nil},
		{"长江.txt，a.txt、a.txt", []string{"长江.txt", "a.txt"}, nil},
		{"b.txt a.txt", []string{"a.txt"}, []string{"b.txt"}},
		{"  ", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			names, unknown := resolveNames(docs, tt.args)
			if !slices.Equal(names, tt.names) || !slices.Equal(unknown, tt.unknown) {
				t.Errorf("resolveNames(%q) = %q, %q; want %q, %q", tt.args, names, unknown, tt.names, tt.unknown)
			}
		})
	}
}

func FuzzResolveNames(f *testing.F) {
	docs := []answer.DocInfo{{Name: "a.txt"}, {Name: "Other Doc.md"}}
	for _, s := range []string{"a.txt", "other doc.md, a.txt", "，、,", "x y z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, args string) {
		names, _ := resolveNames(docs, args)
		for _, n := range names {
			if docIndex(docs, n) < 0 {
				t.Errorf("resolveNames(%q) gave %q, not a document", args, n)
			}
		}
	})
}

// TestSettingsReadRacesWrite: a /use written while a question reads the
// chat's settings from the store (a cache miss) wins: the read does not
// put the old settings back in the cache.
func TestSettingsReadRacesWrite(t *testing.T) {
	f := newFake(t)
	b, _ := newTestBot(t, f, newFakeAnswerer(), nil)
	const chat = -100
	if err := b.setSettings(chat, store.ChatSettings{Docs: []string{"old.txt"}}); err != nil {
		t.Fatal(err)
	}
	b.chats.mu.Lock()
	b.chats.cache.remove(chat) // as if evicted: the next read goes to the store
	b.chats.mu.Unlock()

	var once sync.Once
	b.chats.afterRead = func() {
		// The write comes between the read and the cache fill, from
		// another goroutine as in the bot.
		once.Do(func() {
			done := make(chan error)
			go func() { done <- b.setSettings(chat, store.ChatSettings{Docs: []string{"new.txt"}}) }()
			if err := <-done; err != nil {
				t.Error(err)
			}
		})
	}
	if got := b.settings(chat).Docs; !slices.Equal(got, []string{"old.txt"}) {
		t.Errorf("the racing read got %q, want what the store held", got)
	}
	if got := b.settings(chat).Docs; !slices.Equal(got, []string{"new.txt"}) {
		t.Errorf("after the write the chat's documents are %q, want new.txt", got)
	}
	stored, err := b.st.ChatSettings(chat)
	if err != nil || !slices.Equal(stored.Docs, []string{"new.txt"}) {
		t.Errorf("stored %q, %v", stored.Docs, err)
	}
}

// TestNotFoundNamesTheUseScope: when a chat restricted by /use gets "the
// documents do not say", the reply says which documents were searched
// and how to search them all.
func TestNotFoundNamesTheUseScope(t *testing.T) {
	f := newFake(t)
	a := newFakeAnswerer()
	a.setDocs([]answer.DocInfo{{Name: "sample.txt", Paragraphs: 3}, {Name: "other.txt", Paragraphs: 2}})
	a.answer = func(ctx context.Context, q answer.Question, _ func(string)) (answer.Answer, error) {
		return answer.Answer{Question: q.Text, Lang: "en", Mode: answer.Extractive, Text: "The document does not say.", NotFound: true}, nil
	}
	b, _ := newTestBot(t, f, a, nil)
	alice := telegramtest.User{ID: 7}
	handle(t, b, telegramtest.PrivateMessage(alice, "where?"))
	if got := lastText(f, alice.ID); strings.Contains(got, "/use") {
		t.Errorf("an unrestricted chat's reply mentions /use: %q", got)
	}
	handle(t, b, telegramtest.PrivateMessage(alice, "/use sample.txt"))
	handle(t, b, telegramtest.PrivateMessage(alice, "where?"))
	if got := lastText(f, alice.ID); !strings.Contains(got, "Searched only in sample.txt, as /use set for this chat; /use all searches every document.") {
		t.Errorf("reply %q", got)
	}
}
