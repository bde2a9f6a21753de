package bot

import (
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
