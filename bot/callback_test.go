package bot

import (
	"fmt"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/citebot/citebot/bot/telegramtest"
)

// TestCallbacksRateLimited: buttons are limited per user like questions
// (callbackRate times as many); the refused press is answered with the
// wait, not ignored.
func TestCallbacksRateLimited(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		b, _ := newTestBot(t, f, newFakeAnswerer(), func(c *Config, _ *Deps) { c.RatePerMinute, c.RateBurst = 1, 1 })
		press := func(id string, user int64) {
			handle(t, b, telegramtest.Callback(id, "src:"+docKey("sample.txt")+":2", telegramtest.User{ID: user},
				telegramtest.BotMessage(5, -100, "supergroup")))
		}
		for range callbackRate {
			press("a", 7)
		}
		press("b", 7)
		press("c", 8)
		if n := len(f.Sent(-100)); n != callbackRate+1 {
			t.Errorf("%d paragraphs sent, want %d (user 7 limited after %d, user 8 not)", n, callbackRate+1, callbackRate)
		}
		acks := f.Requests("answerCallbackQuery")[callbackRate-1:]
		if len(acks) != 3 || !strings.Contains(acks[1].Get("text"), "Please wait") || acks[2].Get("text") != "" {
			t.Errorf("callback answers = %q", textsOf(acks))
		}
	})
}

// inlineCallback is a ¶ press under a message sent in inline mode: it has
// an inline_message_id and no message.
func inlineCallback(id string, from telegramtest.User, data string) telegramtest.Update {
	return telegramtest.Update{"callback_query": map[string]any{"id": id, "from": from.JSON(),
		"inline_message_id": "AAA", "chat_instance": "1", "data": data}}
}

// TestInlineCallbackAllowlist: a ¶ press under an inline message passes
// the allowlist like any other: a user outside it gets the refusal, not
// the paragraph; a listed user and an admin get the paragraph.
func TestInlineCallbackAllowlist(t *testing.T) {
	for _, tt := range []struct {
		name  string
		user  int64
		shown bool
	}{
		{"user outside the allowlist", 9, false},
		{"user on the allowlist", 7, true},
		{"admin", 1, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			b, _ := newTestBot(t, f, newFakeAnswerer(), func(c *Config, _ *Deps) {
				c.AllowedUsers, c.Admins = []int64{7}, []int64{1}
			})
			handle(t, b, inlineCallback("cb", telegramtest.User{ID: tt.user}, "src:"+docKey("sample.txt")+":2"))
			acks := f.Requests("answerCallbackQuery")
			if len(acks) != 1 {
				t.Fatalf("%d callback answers, want 1", len(acks))
			}
			text := acks[0].Get("text")
			if shown := strings.Contains(text, "second paragraph"); shown != tt.shown {
				t.Errorf("paragraph shown: %v, want %v (answer %q)", shown, tt.shown, text)
			}
			if !tt.shown && !strings.Contains(text, texts["en"].refused) {
				t.Errorf("refused press answered %q, want the refusal", text)
			}
		})
	}
}

// TestInlineCallbacksRateLimited: ¶ presses under inline messages count
// against the user's button rate limit too.
func TestInlineCallbacksRateLimited(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		b, _ := newTestBot(t, f, newFakeAnswerer(), func(c *Config, _ *Deps) { c.RatePerMinute, c.RateBurst = 1, 1 })
		for i := range callbackRate + 1 {
			handle(t, b, inlineCallback(fmt.Sprint("cb", i), telegramtest.User{ID: 7}, "src:"+docKey("sample.txt")+":2"))
		}
		acks := textsOf(f.Requests("answerCallbackQuery"))
		if len(acks) != callbackRate+1 || strings.Contains(acks[callbackRate], "second paragraph") || !strings.Contains(acks[callbackRate], "Please wait") {
			t.Errorf("callback answers = %q: want %d paragraphs, then a wait", acks, callbackRate)
		}
	})
}
