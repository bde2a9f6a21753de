// Package metrics is the operational face of a serving citebot: its
// Prometheus metrics, its readiness and the admin endpoints that show them
// (/healthz, /readyz, /metrics).
//
// A [Metrics] is fed by the bot's hooks ([Metrics.Hooks]), by the library
// (index loaded, retrieval time) and by the chat model
// ([Metrics.CountModel]); cmd/citebot only wires these together. Safe for
// concurrent use.
package metrics

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot"
)

// Metrics are citebot's Prometheus metrics and readiness.
type Metrics struct {
	reg          *prometheus.Registry
	mode         atomic.Value // string: the mode label of questions that got no answer
	questions    *prometheus.CounterVec
	answerSecs   *prometheus.HistogramVec
	retrieveSecs prometheus.Histogram
	modelTokens  *prometheus.CounterVec
	modelErrors  prometheus.Counter
	telegramErrs *prometheus.CounterVec
	feedback     *prometheus.CounterVec

	indexReady atomic.Bool
	lastPollOK atomic.Int64 // unix nanos of the last good poll (or webhook registration)
	pollFailed atomic.Bool  // the last poll failed
}

// Build is what citebot was built from, for the citebot_build_info metric.
type Build struct{ Version, Revision, GoVersion string }

// New registers the metrics.
func New(build Build) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		questions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "citebot_questions_total",
			Help: "Questions by answer mode and outcome (answered, not_found, ungrounded, error, rate_limited, too_long, refused, interrupted).",
		}, []string{"mode", "outcome"}),
		answerSecs: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "citebot_answer_seconds",
			Help:    "Time from a question to its delivered answer, by mode.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"mode"}),
		retrieveSecs: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "citebot_retrieval_seconds",
			Help:    "Time of one hybrid retrieval.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}),
		modelTokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "citebot_model_tokens_total",
			Help: "Tokens of chat model requests as the model server reports them, by kind (prompt, completion); servers that report no usage add nothing.",
		}, []string{"kind"}),
		modelErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "citebot_model_errors_total",
			Help: "Failed chat model requests.",
		}),
		telegramErrs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "citebot_telegram_api_errors_total",
			Help: "Failed Telegram Bot API calls by method and code (HTTP status or error_code; 0: no answer).",
		}, []string{"method", "code"}),
		feedback: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "citebot_feedback_total",
			Help: "Votes given under answers (a changed vote counts again), by vote (up, down).",
		}, []string{"vote"}),
	}
	m.mode.Store(string(answer.Extractive))
	info := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "citebot_build_info",
		Help: "Always 1; the labels say what citebot was built from.",
	}, []string{"version", "revision", "goversion"})
	info.WithLabelValues(build.Version, build.Revision, build.GoVersion).Set(1)
	m.reg.MustRegister(m.questions, m.answerSecs, m.retrieveSecs, m.modelTokens, m.modelErrors, m.telegramErrs, m.feedback, info,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// SetMode sets the mode label of questions that ended before an answer
// said its mode (rate limited, too long, ...).
func (m *Metrics) SetMode(mode answer.Mode) { m.mode.Store(string(mode)) }

// IndexReady records that the index is loaded.
func (m *Metrics) IndexReady() { m.indexReady.Store(true) }

// ObserveSearch records the time of one retrieval.
func (m *Metrics) ObserveSearch(d time.Duration) { m.retrieveSecs.Observe(d.Seconds()) }

// Hooks turns what the bot reports into metrics and readiness.
func (m *Metrics) Hooks() bot.Hooks {
	return bot.Hooks{
		OnPoll: m.observePoll,
		OnAPIError: func(method string, code int) {
			m.telegramErrs.WithLabelValues(method, strconv.Itoa(code)).Inc()
		},
		OnQuestion: m.observeQuestion,
		OnFeedback: func(vote string) { m.feedback.WithLabelValues(vote).Inc() },
	}
}

// observeQuestion counts a question and times its delivered answer.
func (m *Metrics) observeQuestion(ev bot.QuestionEvent) {
	mode := string(ev.Mode)
	if mode == "" {
		mode = m.mode.Load().(string)
	}
	m.questions.WithLabelValues(mode, string(ev.Outcome)).Inc()
	if ev.Outcome.Delivered() {
		m.answerSecs.WithLabelValues(mode).Observe(ev.Latency.Seconds())
	}
}

// observePoll records a poll's result for readiness.
func (m *Metrics) observePoll(ok bool) {
	if ok {
		m.lastPollOK.Store(time.Now().UnixNano())
	}
	m.pollFailed.Store(!ok)
}

// PollStale is how long polling may fail before citebot is not ready.
const PollStale = 3 * time.Minute

// Ready reports whether citebot serves: the index is loaded, a poll has
// succeeded, and polling has not been failing for PollStale.
func (m *Metrics) Ready(now time.Time) (bool, string) {
	if !m.indexReady.Load() {
		return false, "index not loaded"
	}
	last := m.lastPollOK.Load()
	if last == 0 {
		return false, "no successful Telegram poll yet"
	}
	if m.pollFailed.Load() && now.Sub(time.Unix(0, last)) > PollStale {
		return false, "Telegram polling failing"
	}
	return true, "ok"
}

// usageReporter is a chat model that reports the tokens of its requests
// (openai.Chat).
type usageReporter interface {
	ReportUsage(func(prompt, completion int))
}

// CountModel wraps a chat model to count its failures and, when it
// reports usage (a ReportUsage method, as openai.Chat has), its tokens.
func (m *Metrics) CountModel(next answer.ChatModel) answer.ChatModel {
	if r, ok := next.(usageReporter); ok {
		r.ReportUsage(func(prompt, completion int) {
			m.modelTokens.WithLabelValues("prompt").Add(float64(prompt))
			m.modelTokens.WithLabelValues("completion").Add(float64(completion))
		})
	}
	return countingModel{next: next, m: m}
}

type countingModel struct {
	next answer.ChatModel
	m    *Metrics
}

func (c countingModel) Complete(ctx context.Context, msgs []answer.Message, onDelta func(string)) (string, error) {
	text, err := c.next.Complete(ctx, msgs, onDelta)
	if err != nil && ctx.Err() == nil {
		c.m.modelErrors.Inc()
	}
	return text, err
}

// Handler serves /healthz (the process is up), /readyz (it serves: see
// [Metrics.Ready]) and /metrics.
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ok, why := m.Ready(time.Now())
		w.Header().Set("Content-Type", "application/json")
		if !ok {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		json.NewEncoder(w).Encode(map[string]any{"ready": ok, "reason": why})
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	return mux
}
