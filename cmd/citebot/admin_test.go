package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/citebot/citebot/bot/telegramtest"
)

// scrape reads the metric families of the admin server at base.
func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return families
}

// counterWant is the expected value of a counter with labels.
type counterWant struct {
	name   string
	labels map[string]string
	want   float64
}

// wrongCounters describes the counters in families that differ from want,
// one per line; "" when all match.
func wrongCounters(families map[string]*dto.MetricFamily, want []counterWant) string {
	var wrong strings.Builder
	for _, c := range want {
		if got := counterValue(families, c.name, c.labels); got != c.want {
			fmt.Fprintf(&wrong, "\n%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	return wrong.String()
}

// readyz returns /readyz's status code and reason.
func readyz(t *testing.T, base string) (int, string) {
	t.Helper()
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Reason string }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body.Reason
}

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
	want := []counterWant{
		{"citebot_questions_total", map[string]string{"mode": "extractive", "outcome": "answered"}, 1},
		{"citebot_questions_total", map[string]string{"mode": "extractive", "outcome": "too_long"}, 1},
		{"citebot_telegram_api_errors_total", map[string]string{"method": "setMyCommands", "code": "500"}, 2},
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		wrong := wrongCounters(scrape(t, admin), want)
		if wrong == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics:%s", wrong)
		}
	}
	if status, reason := readyz(t, admin); status != http.StatusOK {
		t.Errorf("/readyz = %d %q", status, reason)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve: %v\n%s", err, logs.String())
	}
}
