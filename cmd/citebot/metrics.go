package main

import (
	"context"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot"
)

// metrics are citebot's Prometheus metrics and readiness, fed by the bot's
// hooks ([metrics.botHooks]), the library and the chat model. Safe for
// concurrent use.
type metrics struct {
	reg          *prometheus.Registry
	mode         string // the mode label of questions that got no answer
	questions    *prometheus.CounterVec
	answerSecs   *prometheus.HistogramVec
	retrieveSecs prometheus.Histogram
	modelTokens  prometheus.Counter
	modelErrors  prometheus.Counter
	telegramErrs *prometheus.CounterVec

	indexReady atomic.Bool
	lastPollOK atomic.Int64 // unix nanos of the last good poll (or webhook registration)
	pollFailed atomic.Bool  // the last poll failed
}

// newMetrics registers the metrics; set mode before serving.
func newMetrics() *metrics {
	m := &metrics{
		reg:  prometheus.NewRegistry(),
		mode: string(answer.Extractive),
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
		modelTokens: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "citebot_model_tokens_total",
			Help: "Streamed model output chunks (one token each on most servers).",
		}),
		modelErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "citebot_model_errors_total",
			Help: "Failed chat model requests.",
		}),
		telegramErrs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "citebot_telegram_api_errors_total",
			Help: "Failed Telegram Bot API calls by method and code (HTTP status or error_code; 0: no answer).",
		}, []string{"method", "code"}),
	}
	info := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "citebot_build_info",
		Help: "Always 1; the labels say what citebot was built from.",
	}, []string{"version", "revision", "goversion"})
	info.WithLabelValues(buildInfo()).Set(1)
	m.reg.MustRegister(m.questions, m.answerSecs, m.retrieveSecs, m.modelTokens, m.modelErrors, m.telegramErrs, info,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// botHooks turns what the bot reports into metrics and readiness.
func (m *metrics) botHooks() bot.Hooks {
	return bot.Hooks{
		OnPoll: m.observePoll,
		OnAPIError: func(method string, code int) {
			m.telegramErrs.WithLabelValues(method, strconv.Itoa(code)).Inc()
		},
		OnQuestion: m.observeQuestion,
	}
}

// observeQuestion counts a question and times its delivered answer.
func (m *metrics) observeQuestion(ev bot.QuestionEvent) {
	mode := string(ev.Mode)
	if mode == "" {
		mode = m.mode
	}
	m.questions.WithLabelValues(mode, string(ev.Outcome)).Inc()
	if ev.Outcome.Delivered() {
		m.answerSecs.WithLabelValues(mode).Observe(ev.Latency.Seconds())
	}
}

// observePoll records a poll's result for readiness.
func (m *metrics) observePoll(ok bool) {
	if ok {
		m.lastPollOK.Store(time.Now().UnixNano())
	}
	m.pollFailed.Store(!ok)
}

// pollStale is how long polling may fail before citebot is not ready.
const pollStale = 3 * time.Minute

// ready reports whether citebot serves: the index is loaded, a poll has
// succeeded, and polling has not been failing for pollStale.
func (m *metrics) ready(now time.Time) (bool, string) {
	if !m.indexReady.Load() {
		return false, "index not loaded"
	}
	last := m.lastPollOK.Load()
	if last == 0 {
		return false, "no successful Telegram poll yet"
	}
	if m.pollFailed.Load() && now.Sub(time.Unix(0, last)) > pollStale {
		return false, "Telegram polling failing"
	}
	return true, "ok"
}

// countingModel wraps a chat model to count streamed chunks and failures.
type countingModel struct {
	next   answer.ChatModel
	chunks func()
	failed func()
}

func (m countingModel) Complete(ctx context.Context, msgs []answer.Message, onDelta func(string)) (string, error) {
	text, err := m.next.Complete(ctx, msgs, func(d string) {
		m.chunks()
		if onDelta != nil {
			onDelta(d)
		}
	})
	if err != nil && ctx.Err() == nil {
		m.failed()
	}
	return text, err
}
