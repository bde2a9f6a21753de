package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/citebot/citebot/answer"
)

// metrics are citebot's Prometheus metrics. Safe for concurrent use.
type metrics struct {
	reg          *prometheus.Registry
	questions    *prometheus.CounterVec
	answerSecs   *prometheus.HistogramVec
	retrieveSecs prometheus.Histogram
	modelTokens  prometheus.Counter
	modelErrors  prometheus.Counter
	telegramErrs *prometheus.CounterVec

	indexReady atomic.Bool
	lastPollOK atomic.Int64 // unix nanos of the last good getUpdates or webhook call
	pollFailed atomic.Bool
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		questions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "citebot_questions_total",
			Help: "Questions by answer mode and outcome (answered, not_found, ungrounded, error, rate_limited).",
		}, []string{"mode", "outcome"}),
		answerSecs: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "citebot_answer_seconds",
			Help:    "Time to produce an answer, by mode.",
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
			Help: "Failed Telegram Bot API calls by method and code (HTTP status or error_code; 0: network).",
		}, []string{"method", "code"}),
	}
	m.reg.MustRegister(m.questions, m.answerSecs, m.retrieveSecs, m.modelTokens, m.modelErrors, m.telegramErrs,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

// observeAnswer records one answered (or failed) question.
func (m *metrics) observeAnswer(a answer.Answer, err error, mode answer.Mode, took time.Duration) {
	outcome := "answered"
	switch {
	case err != nil:
		outcome = "error"
	case a.NotFound:
		outcome = "not_found"
	case a.Ungrounded:
		outcome = "ungrounded"
	}
	if a.Mode != "" {
		mode = a.Mode
	}
	m.questions.WithLabelValues(string(mode), outcome).Inc()
	m.answerSecs.WithLabelValues(string(mode)).Observe(took.Seconds())
}

// handler serves /healthz, /readyz and /metrics.
func (m *metrics) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ok, why := m.ready(time.Now())
		w.Header().Set("Content-Type", "application/json")
		if !ok {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		json.NewEncoder(w).Encode(map[string]any{"ready": ok, "reason": why})
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	return mux
}

// pollStale is how old the last healthy Telegram poll may be.
const pollStale = 3 * time.Minute

func (m *metrics) ready(now time.Time) (bool, string) {
	if !m.indexReady.Load() {
		return false, "index not loaded"
	}
	last := m.lastPollOK.Load()
	if last == 0 {
		return false, "no successful Telegram call yet"
	}
	if m.pollFailed.Load() && now.Sub(time.Unix(0, last)) > pollStale {
		return false, "Telegram polling failing"
	}
	return true, "ok"
}

// startAdmin listens on addr and serves the admin endpoints until ctx ends.
// It returns the bound address (useful with port 0).
func startAdmin(ctx context.Context, addr string, m *metrics, log interface{ Info(string, ...any) }) (string, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("admin server: %w", err)
	}
	srv := &http.Server{Handler: m.handler(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(l)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	log.Info("admin server listening", "addr", l.Addr().String())
	return l.Addr().String(), nil
}

// telegramTransport observes Bot API calls for metrics and readiness. It
// never logs URLs (they contain the token).
type telegramTransport struct {
	next http.RoundTripper
	m    *metrics
}

func (t telegramTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	method := req.URL.Path[strings.LastIndex(req.URL.Path, "/")+1:]
	if strings.HasPrefix(req.URL.Path, "/file/") {
		method = "download" // file paths would make one label per file
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		if req.Context().Err() == nil {
			t.m.telegramErrs.WithLabelValues(method, "0").Inc()
			if method == "getUpdates" {
				t.m.pollFailed.Store(true)
			}
		}
		return resp, err
	}
	if resp.StatusCode >= 300 {
		t.m.telegramErrs.WithLabelValues(method, strconv.Itoa(resp.StatusCode)).Inc()
		if method == "getUpdates" {
			t.m.pollFailed.Store(true)
		}
	} else if method == "getUpdates" || method == "setWebhook" || method == "getMe" {
		t.m.lastPollOK.Store(time.Now().UnixNano())
		if method == "getUpdates" {
			t.m.pollFailed.Store(false)
		}
	}
	return resp, nil
}

// instrumentedEngine wraps the engine to record question metrics.
type instrumentedEngine struct {
	*answer.Engine
	m    *metrics
	mode answer.Mode
}

func (e instrumentedEngine) Answer(ctx context.Context, q answer.Question, onPartial func(string)) (answer.Answer, error) {
	t0 := time.Now()
	a, err := e.Engine.Answer(ctx, q, onPartial)
	e.m.observeAnswer(a, err, e.mode, time.Since(t0))
	return a, err
}

// runHealthcheck exits non-zero unless the admin server's /healthz answers
// 200. It needs no shell tools, for the Docker HEALTHCHECK.
func runHealthcheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var timeout time.Duration
	c, err := parse("healthcheck", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.DurationVar(&timeout, "timeout", 3*time.Second, "request timeout")
	})
	if err != nil {
		return err
	}
	addr := c.cfg.AdminAddr
	if addr == "" {
		return errors.New("healthcheck needs the admin server address: set --admin-addr or CITEBOT_ADMIN_ADDR")
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("admin-addr %q: %w", addr, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("unhealthy: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("unhealthy: /healthz answered %s", resp.Status)
	}
	fmt.Fprintln(stdout, "ok")
	return nil
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
