package bot

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot/telegramtest"
)

// TestUserWaitDoesNotHoldAWorker: one user's slow questions in several
// groups wait for each other outside the worker pool, so another user's
// question still finds a free worker.
func TestUserWaitDoesNotHoldAWorker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		a := newFakeAnswerer()
		release := make(chan struct{})
		a.answer = func(ctx context.Context, q answer.Question, _ func(string)) (answer.Answer, error) {
			if strings.HasPrefix(q.Text, "slow") {
				<-release
			}
			return answer.Answer{Lang: "en", Text: "A:" + q.Text}, nil
		}
		b, _ := newTestBot(t, f, a, func(c *Config, _ *Deps) { c.Workers = 2 })
		stop := runBot(t, b)
		busy := telegramtest.User{ID: 7}
		f.Push(telegramtest.GroupMessage(-1, busy, "@CiteBot slow 1"), telegramtest.GroupMessage(-2, busy, "@CiteBot slow 2"),
			telegramtest.GroupMessage(-3, busy, "@CiteBot slow 3"))
		synctest.Wait()
		f.Push(telegramtest.PrivateMessage(telegramtest.User{ID: 8}, "quick"))
		synctest.Wait()
		if n := len(f.Sent(8)); n != 1 {
			t.Errorf("another user's question waited behind one user's slow answers (%d answers)", n)
		}
		close(release)
		f.WaitFor(t, 10*time.Second, "the slow answers", func([]telegramtest.Request) bool {
			return len(f.Sent(-1))+len(f.Sent(-2))+len(f.Sent(-3)) == 3
		})
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	})
}
