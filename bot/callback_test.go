package bot

import (
	"strings"
	"testing"
	"testing/synctest"

	"github.com/citebot/citebot/bot/telegramtest"
)

// TestCallbacksRateLimited: source buttons are limited per user like
// questions; the refused press is answered with the wait, not ignored.
func TestCallbacksRateLimited(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		b, _ := newTestBot(t, f, newFakeAnswerer(), func(c *Config, _ *Deps) { c.RatePerMinute, c.RateBurst = 1, 1 })
		press := func(id string, user int64) {
			handle(t, b, telegramtest.Callback(id, "src:"+docKey("sample.txt")+":2", telegramtest.User{ID: user},
				telegramtest.BotMessage(5, -100, "supergroup")))
		}
		press("a", 7)
		press("b", 7)
		press("c", 8)
		if n := len(f.Sent(-100)); n != 2 {
			t.Errorf("%d paragraphs sent, want 2 (user 7 limited after one, user 8 not)", n)
		}
		acks := f.Requests("answerCallbackQuery")
		if len(acks) != 3 || !strings.Contains(acks[1].Get("text"), "Please wait") || acks[2].Get("text") != "" {
			t.Errorf("callback answers = %q", textsOf(acks))
		}
	})
}
