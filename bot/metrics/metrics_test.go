package metrics

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/citebot/citebot/bot/metrics/metricstest"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot"
)

func TestAdminServer(t *testing.T) {
	m := New(Build{Version: "v1.2.3", Revision: "abc", GoVersion: runtime.Version()})
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	hooks := m.Hooks()

	resp, err := http.Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "ok\n" {
		t.Errorf("/healthz = %d %q", resp.StatusCode, body)
	}

	// Readiness follows the index and the polls.
	steps := []struct {
		name   string
		do     func()
		status int
		reason string
	}{
		{"at start", func() {}, 503, "index not loaded"},
		{"index loaded", func() { m.IndexReady() }, 503, "no successful Telegram poll yet"},
		{"a failed poll", func() { hooks.OnPoll(false) }, 503, "no successful Telegram poll yet"},
		{"a good poll", func() { hooks.OnPoll(true) }, 200, "ok"},
		{"a failed poll after a good one", func() { hooks.OnPoll(false) }, 200, "ok"},
	}
	for _, s := range steps {
		s.do()
		if status, reason := metricstest.Readyz(t, srv.URL); status != s.status || reason != s.reason {
			t.Errorf("%s: /readyz = %d %q, want %d %q", s.name, status, reason, s.status, s.reason)
		}
	}
	if ok, why := m.Ready(time.Now().Add(PollStale + time.Second)); ok || why != "Telegram polling failing" {
		t.Errorf("polling failing for longer than %v: ready = %v %q", PollStale, ok, why)
	}

	hooks.OnQuestion(bot.QuestionEvent{Outcome: bot.OutcomeAnswered, Mode: answer.Extractive, Latency: time.Second})
	hooks.OnQuestion(bot.QuestionEvent{Outcome: bot.OutcomeNotFound, Mode: answer.LLM, Latency: time.Second})
	hooks.OnQuestion(bot.QuestionEvent{Outcome: bot.OutcomeRateLimited})
	hooks.OnAPIError("sendMessage", 429)
	hooks.OnFeedback("down")
	hooks.OnFeedback("down")
	families := metricstest.Scrape(t, srv.URL)
	if wrong := metricstest.WrongCounters(families, []metricstest.Counter{
		{Name: "citebot_questions_total", Labels: map[string]string{"mode": "extractive", "outcome": "answered"}, Want: 1},
		{Name: "citebot_questions_total", Labels: map[string]string{"mode": "llm", "outcome": "not_found"}, Want: 1},
		{Name: "citebot_questions_total", Labels: map[string]string{"mode": "extractive", "outcome": "rate_limited"}, Want: 1},
		{Name: "citebot_telegram_api_errors_total", Labels: map[string]string{"method": "sendMessage", "code": "429"}, Want: 1},
		{Name: "citebot_feedback_total", Labels: map[string]string{"vote": "down"}, Want: 2},
	}); wrong != "" {
		t.Errorf("metrics:%s", wrong)
	}
	if h := families["citebot_answer_seconds"]; h == nil || len(h.GetMetric()) != 2 {
		t.Errorf("citebot_answer_seconds should time the two delivered answers: %v", h)
	}
	info := families["citebot_build_info"]
	if info == nil || len(info.GetMetric()) != 1 || info.GetMetric()[0].GetGauge().GetValue() != 1 {
		t.Fatalf("citebot_build_info = %v", info)
	}
	labels := map[string]string{}
	for _, l := range info.GetMetric()[0].GetLabel() {
		labels[l.GetName()] = l.GetValue()
	}
	if labels["goversion"] != runtime.Version() || labels["version"] != "v1.2.3" || labels["revision"] != "abc" {
		t.Errorf("citebot_build_info labels = %v", labels)
	}
	for _, name := range []string{"go_goroutines", "process_start_time_seconds"} {
		if families[name] == nil {
			t.Errorf("/metrics lacks %s", name)
		}
	}
}

// usageModel is a chat model that reports usage like openai.Chat.
type usageModel struct{ report func(prompt, completion int) }

func (u *usageModel) ReportUsage(f func(prompt, completion int)) { u.report = f }

func (u *usageModel) Complete(ctx context.Context, msgs []answer.Message, onDelta func(string)) (string, error) {
	for _, d := range []string{"an", "swer", " [1]"} {
		onDelta(d)
	}
	u.report(30, 5)
	return "answer [1]", nil
}

// TestModelTokensAreReportedUsage: citebot_model_tokens_total counts the
// tokens the model server reports, not the streamed chunks.
func TestModelTokensAreReportedUsage(t *testing.T) {
	m := New(Build{Version: "v1", GoVersion: runtime.Version()})
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	model := m.CountModel(&usageModel{})
	for range 2 {
		if _, err := model.Complete(context.Background(), nil, func(string) {}); err != nil {
			t.Fatal(err)
		}
	}
	fam := metricstest.Scrape(t, srv.URL)
	for kind, want := range map[string]float64{"prompt": 60, "completion": 10} {
		if got := metricstest.CounterValue(fam, "citebot_model_tokens_total", map[string]string{"kind": kind}); got != want {
			t.Errorf("%s tokens = %v, want %v", kind, got, want)
		}
	}
}
