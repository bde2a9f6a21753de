package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/bot/metrics/metricstest"

	"github.com/citebot/citebot/bot/telegramtest"
)

// TestServeMetrics runs serve against the fake Bot API and checks that
// what the bot reports reaches /metrics and /readyz.
func TestServeMetrics(t *testing.T) {
	const token = "777:SERVE-METRICS-SECRET"
	f := telegramtest.New(t, telegramtest.Options{Token: token})
	f.Respond("setMyCommands", func(telegramtest.Request, int) *telegramtest.Response {
		return &telegramtest.Response{Status: 500, Body: `{"message":"Route not found"}`} // as the emulator answers
	})
	t.Chdir(t.TempDir())
	stop, logs := serveAt(t, f.URL(), map[string]string{"TELEGRAM_BOT_TOKEN": token}, "--admin-addr", "127.0.0.1:0")
	admin := "http://" + adminAddr(t, logs)
	alice := telegramtest.User{ID: 1001, Lang: "zh-hans"}
	f.Push(telegramtest.PrivateMessage(alice, "长江十年禁渔有什么要求？"), telegramtest.PrivateMessage(alice, strings.Repeat("长", 1001)))
	waitText(t, f, 0, alice.ID, "十年禁渔")
	waitText(t, f, 0, alice.ID, "1000")
	f.WaitFor(t, 10*time.Second, "both menus", func([]telegramtest.Request) bool { return len(f.Requests("setMyCommands")) == 2 })

	// The hooks run after the replies are sent: poll until they have.
	want := []metricstest.Counter{
		{Name: "citebot_questions_total", Labels: map[string]string{"mode": "extractive", "outcome": "answered"}, Want: 1},
		{Name: "citebot_questions_total", Labels: map[string]string{"mode": "extractive", "outcome": "too_long"}, Want: 1},
		{Name: "citebot_telegram_api_errors_total", Labels: map[string]string{"method": "setMyCommands", "code": "500"}, Want: 2},
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		wrong := metricstest.WrongCounters(metricstest.Scrape(t, admin), want)
		if wrong == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics:%s", wrong)
		}
	}
	if status, reason := metricstest.Readyz(t, admin); status != http.StatusOK {
		t.Errorf("/readyz = %d %q", status, reason)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve: %v\n%s", err, logs.String())
	}
}
