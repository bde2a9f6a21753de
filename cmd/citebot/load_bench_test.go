package main

import (
	"context"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/bot/telegramtest"
)

const loadToken = "6262:LOAD-BENCH-token"

// BenchmarkLoad serves a burst of 500 questions from 100 chats (70 private,
// 30 groups, 5 questions each) with run() in this process, extractive, by
// long polling against the fake Bot API on loopback, and reports per burst:
// the seconds until every question is answered, the median and p95 time
// from an update's arrival at the fake to its answer's sendMessage, and the
// peak resident set of the test process (bot and fake together, VmHWM).
// Run it with -benchtime=1x for one burst.
func BenchmarkLoad(b *testing.B) {
	f := telegramtest.New(b, telegramtest.Options{Token: loadToken})
	stop := serveTB(b, f.URL(), map[string]string{
		"TELEGRAM_BOT_TOKEN":      loadToken,
		"CITEBOT_DATA_DIR":        b.TempDir(),
		"CITEBOT_RATE_PER_MINUTE": "0",
		"CITEBOT_LOG_LEVEL":       "warn",
		"CITEBOT_RICH_MESSAGES":   "off", // answers counted by sendMessage
	})
	defer stop()
	// Polling starts right after deleteWebhook (a long poll is recorded
	// only when it ends).
	f.WaitFor(b, 30*time.Second, "polling to start", func(rs []telegramtest.Request) bool {
		return slices.ContainsFunc(rs, func(r telegramtest.Request) bool { return r.Method == "deleteWebhook" })
	})
	var lat []time.Duration
	var total time.Duration
	for b.Loop() {
		updates, pushed := loadBurst(), map[int]time.Time{}
		start := time.Now()
		for _, u := range updates {
			pushed[messageID(u)] = time.Now()
			f.Push(u)
		}
		answered := map[int]time.Time{}
		f.WaitFor(b, 2*time.Minute, "every answer", func([]telegramtest.Request) bool {
			for _, m := range f.AllMessages() {
				if _, ok := pushed[m.ReplyTo]; ok && answered[m.ReplyTo].IsZero() {
					answered[m.ReplyTo] = m.Sent
				}
			}
			return len(answered) == len(pushed)
		})
		total += time.Since(start)
		for id, at := range answered {
			lat = append(lat, at.Sub(pushed[id]))
		}
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/500q")
	b.ReportMetric(float64(percentile(lat, 0.50).Microseconds())/1000, "ms-p50")
	b.ReportMetric(float64(percentile(lat, 0.95).Microseconds())/1000, "ms-p95")
	if kb := vmHWM(); kb > 0 {
		b.ReportMetric(float64(kb)/1024, "MB-peak-RSS")
	}
}

// loadBurst is 500 questions from 100 chats, in a fixed order.
func loadBurst() []telegramtest.Update {
	var out []telegramtest.Update
	for k := range 5 {
		for c := range 100 {
			text := faultQuestions[(c+k)%len(faultQuestions)]
			if c < 70 {
				out = append(out, telegramtest.PrivateMessage(telegramtest.User{ID: int64(9_000_000 + c), Lang: "zh-hans"}, text))
				continue
			}
			u := telegramtest.User{ID: int64(9_500_000 + c*10 + k%3)}
			out = append(out, telegramtest.GroupMessage(int64(-1_002_000_000_000-c), u, "/ask "+text))
		}
	}
	return out
}

// percentile returns the p-th percentile (0-1) of d.
func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[int(float64(len(s)-1)*p)]
}

// vmHWM returns the process's peak resident set in kB from
// /proc/self/status, 0 when it is not available (not Linux).
func vmHWM() int {
	return int(procStatus(os.Getpid(), "VmHWM:"))
}

// serveTB runs `citebot serve` in this process against the Bot API at
// apiBase with exactly env, until the returned stop is called; stop fails
// tb when serve returns an error or does not stop within 30 s.
func serveTB(tb testing.TB, apiBase string, env map[string]string) (stop func()) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	logs := &telegramtest.LogBuffer{}
	go func() {
		done <- run(ctx, []string{"serve", "--telegram-api", apiBase}, func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, logs)
	}()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				tb.Errorf("serve: %v\n%s", err, logs.String())
			}
		case <-time.After(30 * time.Second):
			tb.Errorf("serve did not stop")
		}
	}
	tb.Cleanup(stop)
	return stop
}
