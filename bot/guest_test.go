package bot

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot/telegramtest"
)

// guestAsk pushes a guest message to the server (so that it knows the
// query) and hands it to the bot.
func guestAsk(t *testing.T, b *Bot, f *telegramtest.Server, chat int64, user telegramtest.User, text, queryID string) {
	t.Helper()
	u := telegramtest.GuestMessage(chat, "supergroup", user, text, queryID)
	f.Push(u)
	handle(t, b, u)
}

// TestGuestAnsweredFromSharedDocuments: a mention in a chat the bot has not
// joined is answered once, through answerGuestQuery, from the shared
// documents only: the chat whose id the guest chat shares has a document
// of its own, which is neither asked nor shown. Nothing is sent to the
// chat, and the result carries the answer's ¶ buttons and no hide_url.
func TestGuestAnsweredFromSharedDocuments(t *testing.T) {
	b, f, shelf := chatDocsBot(t, nil)
	const guestChat = -300
	if _, _, err := shelf.AddOwn(context.Background(), guestChat, 9, "secret.txt", []byte("x"), nil); err != nil {
		t.Fatal(err)
	}
	own := shelf.chats[guestChat]
	own.answer = func(_ context.Context, q answer.Question, _ func(string)) (answer.Answer, error) {
		return answer.Answer{Question: q.Text, Lang: "en", Mode: answer.Extractive, Text: "SECRET [1]",
			Citations: []answer.Citation{{N: 1, Doc: "secret.txt", Paragraph: 1, Quote: "SECRET"}}}, nil
	}

	guestAsk(t, b, f, guestChat, telegramtest.User{ID: 9}, "@CiteBot what is it about?", "gq1")

	got := f.GuestAnswers()
	if len(got) != 1 || got[0].QueryID != "gq1" || got[0].Chat != guestChat {
		t.Fatalf("guest answers = %+v", got)
	}
	res := rawJSON(got[0].Result)
	for _, want := range []string{"Answer to: what is it about?", `"callback_data":"src:` + docKey("sample.txt") + `:2"`, `"parse_mode":"HTML"`} {
		if !strings.Contains(res, want) {
			t.Errorf("the guest answer lacks %s: %s", want, res)
		}
	}
	if strings.Contains(res, "SECRET") || strings.Contains(res, "secret.txt") || strings.Contains(res, "hide_url") {
		t.Errorf("the guest answer shows the chat's own document or hide_url: %s", res)
	}
	if n := len(own.asked()); n != 0 {
		t.Errorf("the chat's own library was asked %d times", n)
	}
	if qs := shelf.shared.asked(); len(qs) != 1 || qs[0].Text != "what is it about?" || qs[0].Docs != nil || qs[0].History != nil {
		t.Errorf("the shared documents were asked %+v, want the question alone", qs)
	}
	if n := len(f.Requests("sendMessage")); n != 0 {
		t.Errorf("%d messages sent, want none: the bot is not in the chat", n)
	}
}

// TestGuestLimits: guest messages pass the allowlist and the question rate
// limit like messages in other chats; the refusal is the guest answer (the
// allowlist's once per chat, the wait once per window), and a bare mention
// gets the greeting.
func TestGuestLimits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		b, _ := newTestBot(t, f, newFakeAnswerer(), func(c *Config, _ *Deps) {
			c.AllowedChats, c.RatePerMinute, c.RateBurst = []int64{-301}, 1, 1
		})
		answers := func() []string {
			var out []string
			for _, a := range f.GuestAnswers() {
				out = append(out, rawJSON(a.Result))
			}
			return out
		}
		user := telegramtest.User{ID: 9}
		guestAsk(t, b, f, -302, user, "@CiteBot q", "out1")
		guestAsk(t, b, f, -302, user, "@CiteBot q", "out2")
		if got := answers(); len(got) != 1 || !strings.Contains(got[0], texts["en"].refused) {
			t.Fatalf("a chat off the allowlist got %q, want the refusal once", got)
		}
		guestAsk(t, b, f, -301, user, "@CiteBot", "greet")
		guestAsk(t, b, f, -301, user, "@CiteBot first", "q1")
		guestAsk(t, b, f, -301, user, "@CiteBot second", "q2")
		guestAsk(t, b, f, -301, user, "@CiteBot third", "q3")
		got := answers()[1:]
		if len(got) != 3 || !strings.Contains(got[0], "Ask me anything") || !strings.Contains(got[1], "Answer to: first") ||
			!strings.Contains(got[2], "Please wait") {
			t.Errorf("guest answers = %q: want the greeting, an answer, then one wait", got)
		}
	})
}
