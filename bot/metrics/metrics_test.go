package metrics

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot"
)

// scrape reads the metric families of the admin server at base.
func scrape(t testing.TB, base string) map[string]*dto.MetricFamily {
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
func readyz(t testing.TB, base string) (int, string) {
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
		if status, reason := readyz(t, srv.URL); status != s.status || reason != s.reason {
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
	families := scrape(t, srv.URL)
	if wrong := wrongCounters(families, []counterWant{
		{"citebot_questions_total", map[string]string{"mode": "extractive", "outcome": "answered"}, 1},
		{"citebot_questions_total", map[string]string{"mode": "llm", "outcome": "not_found"}, 1},
		{"citebot_questions_total", map[string]string{"mode": "extractive", "outcome": "rate_limited"}, 1},
		{"citebot_telegram_api_errors_total", map[string]string{"method": "sendMessage", "code": "429"}, 1},
		{"citebot_feedback_total", map[string]string{"vote": "down"}, 2},
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

// counterValue sums the samples of a metric family whose labels include
// want.
func counterValue(families map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	f := families[name]
	if f == nil {
		return 0
	}
	total := 0.0
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		ok := true
		for k, v := range want {
			ok = ok && labels[k] == v
		}
		if ok && m.GetCounter() != nil {
			total += m.GetCounter().GetValue()
		}
	}
	return total
}
