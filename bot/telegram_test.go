package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

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

// TestFailureClassification pins which failed requests are tried again
// (transient) and which are Telegram's final word (permanent).
func TestFailureClassification(t *testing.T) {
	apiErr := func(status, code int, msg string, retryAfter int) error {
		return &callError{method: "sendMessage", status: status,
			err: &tgbotapi.Error{Code: code, Message: msg, ResponseParameters: tgbotapi.ResponseParameters{RetryAfter: retryAfter}}}
	}
	other := func(status int, err error) error { return &callError{method: "sendMessage", status: status, err: err} }
	for _, tt := range []struct {
		name                 string
		err                  error
		transient, permanent bool
	}{
		{"500 Bot API error", apiErr(500, 500, "Internal Server Error", 0), true, false},
		{"502 HTML page", other(502, errors.New("invalid character '<' looking for beginning of value")), true, false},
		{"200 cut short", other(200, io.ErrUnexpectedEOF), true, false},
		{"connection reset", other(0, io.ErrUnexpectedEOF), true, false},
		{"timeout", other(0, context.DeadlineExceeded), true, false},
		{"408 page", other(408, errors.New("not JSON")), true, false},
		{"400 Bot API error", apiErr(400, 400, "Bad Request: chat not found", 0), false, true},
		{"403 with HTTP 200", apiErr(200, 403, "Forbidden: bot was blocked by the user", 0), false, true},
		{"404 page", other(404, errors.New("not JSON")), false, true},
		{"429", apiErr(429, 429, "Too Many Requests: retry after 3", 3), false, false},
		{"cancelled", fmt.Errorf("sendMessage: %w", context.Canceled), true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := transient(tt.err); got != tt.transient {
				t.Errorf("transient = %v, want %v", got, tt.transient)
			}
			if got := permanent(tt.err); got != tt.permanent {
				t.Errorf("permanent = %v, want %v", got, tt.permanent)
			}
		})
	}
	if permanent(nil) {
		t.Error("permanent(nil) = true")
	}
	// Only a 404 says the method itself is missing (see runDrafts).
	for _, tt := range []struct {
		name    string
		err     error
		missing bool
	}{
		{"404 Bot API error", apiErr(404, 404, "Not Found", 0), true},
		{"404 page", other(404, errors.New("not JSON")), true},
		{"400 chat not found", apiErr(400, 400, "Bad Request: chat not found", 0), false},
		{"403 blocked", apiErr(403, 403, "Forbidden: bot was blocked by the user", 0), false},
		{"500", apiErr(500, 500, "Internal Server Error", 0), false},
		{"no answer", other(0, io.ErrUnexpectedEOF), false},
	} {
		if got := methodMissing(tt.err); got != tt.missing {
			t.Errorf("%s: methodMissing = %v, want %v", tt.name, got, tt.missing)
		}
	}
}
