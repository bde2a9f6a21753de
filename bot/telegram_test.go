package bot

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/citebot/citebot/bot/telegramtest"
)

// TestFloodWaitWithinBudget: 429s are retried for as long as retry_after
// says, however many, within retryBudget; past it the failure is logged.
func TestFloodWaitWithinBudget(t *testing.T) {
	t.Run("many retries", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake(t)
			f.Respond("sendMessage", func(r telegramtest.Request, n int) *telegramtest.Response {
				if n <= 6 {
					return telegramtest.APIError(429, "Too Many Requests: retry after 20", 20)
				}
				return nil
			})
			b, _ := newTestBot(t, f, newFakeAnswerer(), nil)
			start := time.Now()
			handle(t, b, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "q"))
			if n := len(f.Sent(7)); n != 1 {
				t.Fatalf("answer not delivered after 6 flood waits: %s", telegramtest.Summary(f.Requests()))
			}
			if d := time.Since(start); d != 6*20*time.Second {
				t.Errorf("delivered after %v, want 2m0s of retry_after", d)
			}
		})
	})
	t.Run("over budget", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake(t)
			f.Respond("sendMessage", func(telegramtest.Request, int) *telegramtest.Response {
				return telegramtest.APIError(429, "Too Many Requests: retry after 200", 200)
			})
			b, logs := newTestBot(t, f, newFakeAnswerer(), nil)
			start := time.Now()
			handle(t, b, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "q"))
			if d := time.Since(start); d > retryBudget {
				t.Errorf("gave up after %v, past the budget %v", d, retryBudget)
			}
			if n := len(f.Requests("sendMessage")); n != 2 {
				t.Errorf("%d attempts, want 2 (the second wait would pass the budget)", n)
			}
			if !strings.Contains(logs.String(), "giving up") || !strings.Contains(logs.String(), "couldn't send the answer") {
				t.Errorf("the dropped answer was not logged:\n%s", logs.String())
			}
		})
	})
}
