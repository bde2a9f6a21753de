package bot

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/citebot/citebot/bot/store"
	"github.com/citebot/citebot/bot/telegramtest"
)

func webhookBot(t *testing.T, f *telegramtest.Server, st *store.Store) (*Bot, *telegramtest.LogBuffer) {
	t.Helper()
	return newTestBot(t, f, newFakeAnswerer(), func(c *Config, d *Deps) {
		c.WebhookURL, c.WebhookSecret = "https://bot.example.com/telegram", "s3cret"
		if st != nil {
			d.Store = st
		}
	})
}

// deliver posts one update to h the way Telegram does and returns the
// status.
func deliver(h http.Handler, secret string, upd Update) int {
	body := fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":0,"text":%q,"from":{"id":7,"is_bot":false,"first_name":"A"},"chat":{"id":7,"type":"private"}}}`,
		upd.UpdateID, upd.Message.MessageID, upd.Message.Text)
	req := httptest.NewRequest(http.MethodPost, "/telegram", strings.NewReader(body))
	req.Header.Set(secretHeader, secret)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code
}

func TestWebhookBadSecretWarningsThrottled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		b, logs := webhookBot(t, f, nil)
		d := newDispatcher(t.Context(), 1, b)
		h := b.webhookHandler(d)
		u := decodeUpdate(t, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "q"))
		for range 5 {
			if code := deliver(h, "wrong", u); code != http.StatusForbidden {
				t.Fatalf("bad secret: %d", code)
			}
		}
		if n := strings.Count(logs.String(), "right secret"); n != 1 {
			t.Errorf("%d warnings for 5 bad requests in a burst, want 1", n)
		}
		time.Sleep(time.Minute)
		deliver(h, "wrong", u)
		if n := strings.Count(logs.String(), "right secret"); n != 2 || !strings.Contains(logs.String(), "suppressed=4") {
			t.Errorf("after a minute: %d warnings, want 2 with suppressed=4:\n%s", n, logs.String())
		}
	})
}

// TestWebhookAcknowledgesOnlyStoredUpdates: 200 only once the update is
// stored; a store failure or a full queue answers 503 so that Telegram
// delivers it again; a redelivery is acknowledged but not answered twice.
func TestWebhookAcknowledgesOnlyStoredUpdates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		st := openStore(t, filepath.Join(t.TempDir(), store.FileName))
		b, _ := webhookBot(t, f, st)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		d := newDispatcher(ctx, 1, b)
		h := b.webhookHandler(d)
		u := decodeUpdate(t, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "q"))
		for range 2 {
			if code := deliver(h, "s3cret", u); code != http.StatusOK {
				t.Fatalf("good update: %d", code)
			}
			if _, err := st.Get(u.UpdateID); err != nil {
				t.Fatalf("acknowledged but not stored: %v", err)
			}
		}
		d.wait(10 * time.Second)
		if n := len(f.Sent(7)); n != 1 {
			t.Errorf("a redelivered update was answered %d times", n)
		}

		d.maxQueue = 0 // full
		u2 := decodeUpdate(t, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "q2"))
		if code := deliver(h, "s3cret", u2); code != http.StatusServiceUnavailable {
			t.Errorf("full queue: %d, want 503", code)
		}
		d.maxQueue = 10
		st.Close()
		if code := deliver(h, "s3cret", u2); code != http.StatusServiceUnavailable {
			t.Errorf("store failing: %d, want 503", code)
		}
	})
}
