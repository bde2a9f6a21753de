package bot

import (
	"github.com/citebot/citebot/bot/telegramtest"

	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"
)

// firstReply returns a function that measures the time from a raw update
// to the first message the fake server receives for it (in extractive
// mode: the answer itself), with the update decoded and handled directly.
func firstReply(tb testing.TB) func() time.Duration {
	f := telegramtest.New(tb, telegramtest.Options{}) // over loopback HTTP, as in production
	b, _ := newTestBot(tb, f, newFakeAnswerer(), func(c *Config, d *Deps) { c.RatePerMinute = 0 })
	ctx := context.Background()
	i := 0
	return func() time.Duration {
		i++
		raw, _ := json.Marshal(telegramtest.PrivateMessage(telegramtest.User{ID: int64(i%50 + 1)}, "What is the second paragraph about?"))
		start := time.Now()
		var u Update
		if err := json.Unmarshal(raw, &u); err != nil {
			tb.Fatal(err)
		}
		b.HandleUpdate(ctx, u)
		r, ok := f.Last("sendMessage")
		if !ok {
			tb.Fatal("no reply")
		}
		return r.Time.Sub(start)
	}
}

func percentile(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[int(float64(len(s)-1)*p)]
}

// BenchmarkFirstReply reports the median and p95 time from an update to
// the first visible reply with a fake Answerer (extractive mode); the
// target is a median under 50 ms. Speed is checked here, not in a timed
// unit test, because the machines are shared and noisy.
func BenchmarkFirstReply(b *testing.B) {
	measure := firstReply(b)
	var lat []time.Duration
	for b.Loop() {
		lat = append(lat, measure())
	}
	b.ReportMetric(float64(percentile(lat, 0.5).Microseconds())/1000, "ms-p50")
	b.ReportMetric(float64(percentile(lat, 0.95).Microseconds())/1000, "ms-p95")
}

// BenchmarkFirstReplyPolling measures the whole path: an update appears on
// the (long-polling) fake server, Run fetches it, queues it, answers it.
func BenchmarkFirstReplyPolling(b *testing.B) {
	f := telegramtest.New(b, telegramtest.Options{}) // over loopback HTTP, as in production
	bot, _ := newTestBot(b, f, newFakeAnswerer(), func(c *Config, d *Deps) { c.RatePerMinute = 0 })
	stop := runBot(b, bot)
	defer stop()
	var lat []time.Duration
	i := 0
	for b.Loop() {
		i++
		chat := int64(i%50 + 1)
		before := len(f.Sent(chat))
		start := time.Now()
		f.Push(telegramtest.PrivateMessage(telegramtest.User{ID: chat}, "What is the second paragraph about?"))
		f.WaitFor(b, 5*time.Second, "the reply", func([]telegramtest.Request) bool { return len(f.Sent(chat)) > before })
		lat = append(lat, f.Sent(chat)[before].Time.Sub(start))
	}
	b.ReportMetric(float64(percentile(lat, 0.5).Microseconds())/1000, "ms-p50")
	b.ReportMetric(float64(percentile(lat, 0.95).Microseconds())/1000, "ms-p95")
}
