package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot/store"
	"github.com/citebot/citebot/bot/telegramtest"
)

func TestManyChatsAnsweredOnceInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		a := newFakeAnswerer()
		a.answer = func(ctx context.Context, q answer.Question, _ func(string)) (answer.Answer, error) {
			time.Sleep(time.Duration(rand.IntN(5)) * time.Millisecond)
			return answer.Answer{Lang: "en", Text: "A:" + q.Text}, nil
		}
		b, _ := newTestBot(t, f, a, func(c *Config, d *Deps) { c.Workers = 8 })
		const chats, perChat = 100, 3
		var updates []telegramtest.Update
		for k := range perChat {
			for c := range chats {
				u := telegramtest.User{ID: int64(1000 + c)}
				updates = append(updates, telegramtest.PrivateMessage(u, fmt.Sprintf("c%d-q%d", c, k)))
			}
		}
		stop := runBot(t, b)
		f.Push(updates[:150]...) // two batches, to see the offset at work
		f.Push(updates[150:]...)
		f.WaitFor(t, 20*time.Second, "all answers", func(rs []telegramtest.Request) bool {
			n := 0
			for _, r := range rs {
				if r.Method == "sendMessage" {
					n++
				}
			}
			return n >= chats*perChat
		})
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		for c := range chats {
			sent := f.Sent(int64(1000 + c))
			if len(sent) != perChat {
				t.Errorf("chat %d got %d answers, want %d", c, len(sent), perChat)
				continue
			}
			for k, s := range sent {
				if want := fmt.Sprintf("A:c%d-q%d", c, k); s.Get("text") != want {
					t.Errorf("chat %d answer %d = %q, want %q", c, k, s.Get("text"), want)
				}
			}
		}
		if n := len(a.asked()); n != chats*perChat {
			t.Errorf("engine asked %d times, want %d", n, chats*perChat)
		}
	})
}

func TestShutdownDeliversInFlightAndCommitsOffset(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		a := newFakeAnswerer()
		started := make(chan struct{}, 1)
		release := make(chan struct{})
		a.answer = func(ctx context.Context, q answer.Question, _ func(string)) (answer.Answer, error) {
			if q.Text == "slow" {
				started <- struct{}{}
				<-release
			}
			return answer.Answer{Lang: "en", Text: "A:" + q.Text}, nil
		}
		b, _ := newTestBot(t, f, a, func(c *Config, d *Deps) { c.ShutdownTimeout = 5 * time.Second })
		stop := runBot(t, b)
		ids := f.Push(telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "slow"))
		<-started

		stopped := make(chan error, 1)
		go func() { stopped <- stop() }()
		synctest.Wait() // Run is now draining, waiting for the answer
		select {
		case err := <-stopped:
			t.Fatalf("Run returned before the in-flight answer finished: %v", err)
		default:
		}
		close(release)
		if err := <-stopped; err != nil {
			t.Fatalf("Run: %v", err)
		}
		if sent := f.Sent(7); len(sent) != 1 || sent[0].Get("text") != "A:slow" {
			t.Fatalf("in-flight answer not delivered: %v", sent)
		}
		polls := f.Requests("getUpdates")
		last := polls[len(polls)-1]
		if last.Get("offset") != strconv.Itoa(ids[0]+1) || last.Get("timeout") != "0" {
			t.Errorf("last getUpdates offset=%s timeout=%s, want offset=%d timeout=0", last.Get("offset"), last.Get("timeout"), ids[0]+1)
		}

		// A restart answers new updates only.
		b2, _ := newTestBot(t, f, a, nil)
		stop2 := runBot(t, b2)
		f.Push(telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "after restart"))
		f.WaitFor(t, 5*time.Second, "the answer after restart", func([]telegramtest.Request) bool { return len(f.Sent(7)) >= 2 })
		if err := stop2(); err != nil {
			t.Fatal(err)
		}
		if sent := f.Sent(7); len(sent) != 2 || sent[1].Get("text") != "A:after restart" {
			t.Errorf("after restart got %d answers: %v", len(sent), sent)
		}
		slow := 0
		for _, q := range a.asked() {
			if q.Text == "slow" {
				slow++
			}
		}
		if slow != 1 {
			t.Errorf("the in-flight question was answered %d times", slow)
		}
	})
}

// TestShutdownTimeoutLeavesUnfinishedForReplay: an answer still running
// after the shutdown timeout is cancelled and stays pending in the store;
// every stored update is confirmed to Telegram all the same.
func TestShutdownTimeoutLeavesUnfinishedForReplay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		a := newFakeAnswerer()
		started := make(chan struct{}, 1)
		a.answer = func(ctx context.Context, q answer.Question, _ func(string)) (answer.Answer, error) {
			if q.Text == "stuck" {
				started <- struct{}{}
				<-ctx.Done()
				return answer.Answer{}, ctx.Err()
			}
			return answer.Answer{Lang: "en", Text: "A:" + q.Text}, nil
		}
		st := openStore(t, filepath.Join(t.TempDir(), store.FileName))
		b, logs := newTestBot(t, f, a, func(c *Config, d *Deps) { c.ShutdownTimeout, d.Store = 300*time.Millisecond, st })
		stop := runBot(t, b)
		ids := f.Push(telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "stuck"), telegramtest.PrivateMessage(telegramtest.User{ID: 8}, "quick"))
		<-started
		f.WaitFor(t, 5*time.Second, "the quick answer", func([]telegramtest.Request) bool { return len(f.Sent(8)) == 1 })
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		polls := f.Requests("getUpdates")
		if got := polls[len(polls)-1].Get("offset"); got != strconv.Itoa(ids[1]+1) {
			t.Errorf("committed offset %s, want %d (every stored update)", got, ids[1]+1)
		}
		pending, err := st.Pending()
		if err != nil || len(pending) != 1 || pending[0].ID != ids[0] {
			t.Errorf("pending in the store: %+v, %v; want only the stuck update", pending, err)
		}
		if !strings.Contains(logs.String(), "replayed on the next start") {
			t.Errorf("no warning about the replay in the logs")
		}
	})
}

func TestTokenNeverLogged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		a := newFakeAnswerer()
		b, logs := newTestBot(t, f, a, nil)
		f.Close() // the network fails from now on

		stop := runBot(t, b)
		handle(t, b, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "q"))
		time.Sleep(1500 * time.Millisecond) // a few failed polls
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		out := logs.String()
		for _, want := range []string{"getUpdates failed", "couldn't send the answer", "connection refused"} {
			if !strings.Contains(out, want) {
				t.Errorf("logs lack %q", want)
			}
		}
		if strings.Contains(out, testToken) || strings.Contains(out, url.PathEscape(testToken)) {
			t.Fatalf("token in logs:\n%s", out)
		}

		// New's own error (getMe against a dead server) is scrubbed too, and
		// the chain still answers errors.As.
		_, err := New(testConfig(f), Deps{Answerer: a, HTTPClient: f.Client(), Store: openStore(t, filepath.Join(t.TempDir(), store.FileName))})
		if err == nil || strings.Contains(err.Error(), testToken) || !strings.Contains(err.Error(), "REDACTED") {
			t.Fatalf("New error = %v", err)
		}
		var ue *url.Error
		if !errors.As(err, &ue) || strings.Contains(ue.URL, testToken) || strings.Contains(ue.Error(), testToken) {
			t.Errorf("url.Error in the chain: %v", ue)
		}
	})
}

func TestConfigPrintsRedacted(t *testing.T) {
	cfg := Config{TelegramToken: testToken, WebhookSecret: "webhookSECRET", TelegramAPI: "http://x"}
	var text, js telegramtest.LogBuffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("config", "cfg", cfg)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("config", "cfg", cfg)
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), text.String(), js.String()} {
		if strings.Contains(s, testToken) || strings.Contains(s, "webhookSECRET") {
			t.Errorf("secret printed: %s", s)
		}
		if !strings.Contains(s, "http://x") {
			t.Errorf("config not printed: %s", s)
		}
	}
}

func TestSetMyCommandsFailureIsHarmless(t *testing.T) {
	f := newFake(t)
	f.Respond("setMyCommands", func(telegramtest.Request, int) *telegramtest.Response {
		return &telegramtest.Response{Status: 500, Body: "Internal Server Error"}
	})
	f.Respond("deleteWebhook", func(telegramtest.Request, int) *telegramtest.Response {
		return &telegramtest.Response{Status: 500, Body: "Internal Server Error"}
	})
	b, logs := newTestBot(t, f, newFakeAnswerer(), nil)
	stop := runBot(t, b)
	f.Push(telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "q"))
	f.WaitFor(t, 5*time.Second, "the answer and both menus", func([]telegramtest.Request) bool {
		return len(f.Sent(7)) == 1 && len(f.Requests("setMyCommands")) == 2
	})
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "setMyCommands failed") {
		t.Errorf("setMyCommands failure not logged")
	}
	langs := map[string]bool{}
	for _, r := range f.Requests("setMyCommands") {
		langs[r.Get("language_code")] = true
		if !strings.Contains(r.Get("commands"), `"command":"ask"`) {
			t.Errorf("commands = %s", r.Get("commands"))
		}
	}
	if !langs[""] || !langs["zh"] {
		t.Errorf("setMyCommands languages = %v", langs)
	}
}

func TestPollingBacksOffAndPausesOnEmpty(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := telegramtest.New(t, telegramtest.Options{InProcess: true, InstantPolls: true})
		b, _ := newTestBot(t, f, newFakeAnswerer(), nil)
		stop := runBot(t, b)
		time.Sleep(time.Second)
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		if n := len(f.Requests("getUpdates")); n > 8 {
			t.Errorf("%d polls in 1s against an emulator that returns at once", n)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		f.Respond("getUpdates", func(r telegramtest.Request, n int) *telegramtest.Response {
			if n <= 2 {
				return telegramtest.APIError(429, "Too Many Requests: retry after 1", 1)
			}
			return nil
		})
		b, _ := newTestBot(t, f, newFakeAnswerer(), nil)
		stop := runBot(t, b)
		f.Push(telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "q"))
		f.WaitFor(t, 10*time.Second, "the answer", func([]telegramtest.Request) bool { return len(f.Sent(7)) == 1 })
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		polls := f.Requests("getUpdates")
		for i, gap := range []time.Duration{polls[1].Time.Sub(polls[0].Time), polls[2].Time.Sub(polls[1].Time)} {
			if gap != time.Second {
				t.Errorf("retry %d after %v, want retry_after 1s", i+1, gap)
			}
		}
	})
}

func TestUndecodableUpdateSkipped(t *testing.T) {
	f := newFake(t)
	b, logs := newTestBot(t, f, newFakeAnswerer(), nil)
	stop := runBot(t, b)
	f.Push(telegramtest.Update{"message": map[string]any{"message_id": "not a number", "chat": 5}}, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "q"))
	f.WaitFor(t, 5*time.Second, "the answer", func([]telegramtest.Request) bool { return len(f.Sent(7)) == 1 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "does not decode") {
		t.Errorf("undecodable update not logged")
	}
}

func TestWebhook(t *testing.T) {
	f := newFake(t)
	a := newFakeAnswerer()
	release := make(chan struct{})
	a.answer = func(ctx context.Context, q answer.Question, _ func(string)) (answer.Answer, error) {
		<-release
		return answer.Answer{Lang: "en", Text: "A:" + q.Text}, nil
	}
	b, _ := newTestBot(t, f, a, func(c *Config, d *Deps) {
		c.WebhookURL = "https://bot.example.com/telegram"
		c.WebhookListen = "127.0.0.1:0"
		c.WebhookSecret = "s3cret_Token-1"
	})
	stop := runBot(t, b)
	f.WaitFor(t, 5*time.Second, "setWebhook", func(rs []telegramtest.Request) bool {
		for _, r := range rs {
			if r.Method == "setWebhook" {
				return true
			}
		}
		return false
	})
	addr := b.WebhookAddr()
	for addr == nil {
		time.Sleep(10 * time.Millisecond)
		addr = b.WebhookAddr()
	}
	sw := f.Requests("setWebhook")[0]
	if sw.Get("url") != "https://bot.example.com/telegram" || sw.Get("secret_token") != "s3cret_Token-1" {
		t.Errorf("setWebhook params = %v", sw.Params)
	}

	post := func(secret string, upd telegramtest.Update) int {
		t.Helper()
		u := decodeUpdate(t, upd)
		body := fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":0,"text":%q,"from":{"id":7,"is_bot":false,"first_name":"A"},"chat":{"id":7,"type":"private"}}}`,
			u.UpdateID, u.Message.MessageID, u.Message.Text)
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr.String()+"/telegram", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if secret != "" {
			req.Header.Set(secretHeader, secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("", telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "no secret")); code != http.StatusForbidden {
		t.Errorf("missing secret: %d, want 403", code)
	}
	if code := post("wrong", telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "wrong secret")); code != http.StatusForbidden {
		t.Errorf("wrong secret: %d, want 403", code)
	}
	start := time.Now()
	if code := post("s3cret_Token-1", telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "good")); code != http.StatusOK {
		t.Errorf("good secret: %d, want 200", code)
	}
	// The answer is blocked until release: a handler that waited for it
	// would never answer; the bound only spares the test a hang.
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("webhook answered after %v: not asynchronous", d)
	}
	close(release)
	f.WaitFor(t, 5*time.Second, "the answer", func([]telegramtest.Request) bool { return len(f.Sent(7)) == 1 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if got := f.Sent(7)[0].Get("text"); got != "A:good" {
		t.Errorf("answered %q", got)
	}
	if n := len(f.Requests("getUpdates")); n != 0 {
		t.Errorf("%d getUpdates in webhook mode", n)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	f := newFake(t)
	tests := []struct {
		name string
		edit func(*Config, *Deps)
	}{
		{"no token", func(c *Config, _ *Deps) { c.TelegramToken = "" }},
		{"token with slash", func(c *Config, _ *Deps) { c.TelegramToken = "12/34" }},
		{"no API base", func(c *Config, _ *Deps) { c.TelegramAPI = "" }},
		{"bad API base", func(c *Config, _ *Deps) { c.TelegramAPI = "ftp://x" }},
		{"no workers", func(c *Config, _ *Deps) { c.Workers = 0 }},
		{"negative memory turns", func(c *Config, _ *Deps) { c.MemoryTurns = -1 }},
		{"memory without TTL", func(c *Config, _ *Deps) { c.MemoryTTL = 0 }},
		{"negative rate", func(c *Config, _ *Deps) { c.RatePerMinute = -1 }},
		{"rate without burst", func(c *Config, _ *Deps) { c.RatePerMinute, c.RateBurst = 6, 0 }},
		{"negative question length", func(c *Config, _ *Deps) { c.MaxQuestionRunes = -1 }},
		{"documents without upload limit", func(c *Config, d *Deps) { c.MaxUploadBytes, d.Documents = 0, &fakeLibrary{} }},
		{"bad webhook URL", func(c *Config, _ *Deps) { c.WebhookURL = "bot.example.com" }},
		{"webhook without listen address", func(c *Config, _ *Deps) { c.WebhookURL, c.WebhookListen = "https://x/y", "" }},
		{"bad webhook secret", func(c *Config, _ *Deps) { c.WebhookURL, c.WebhookSecret = "https://x/y", "spaces are bad" }},
		{"no Answerer", func(_ *Config, d *Deps) { d.Answerer = nil }},
		{"no Store", func(_ *Config, d *Deps) { d.Store = nil }},
	}
	st := openStore(t, filepath.Join(t.TempDir(), store.FileName))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, deps := testConfig(f), Deps{Answerer: newFakeAnswerer(), HTTPClient: f.Client(), Store: st}
			tt.edit(&cfg, &deps)
			if _, err := New(cfg, deps); err == nil {
				t.Error("New accepted it")
			}
		})
	}
	if n := len(f.Requests("getMe")); n != 0 {
		t.Errorf("New asked getMe %d times for settings it rejects", n)
	}
}

// TestConfigIsPlain checks that Config holds only plain settings: no
// loggers, clients, callbacks or interfaces (those are Deps).
func TestConfigIsPlain(t *testing.T) {
	plain := map[reflect.Kind]bool{reflect.String: true, reflect.Int: true, reflect.Int64: true, reflect.Float64: true, reflect.Bool: true}
	for f := range reflect.TypeFor[Config]().Fields() {
		typ := f.Type
		if typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		if !plain[typ.Kind()] {
			t.Errorf("Config.%s is a %s, not a plain setting", f.Name, f.Type)
		}
	}
}

// TestZeroMeansOff checks the one "off" sentinel shared with package
// config: 0 turns memory off and makes rate and question length unlimited.
func TestZeroMeansOff(t *testing.T) {
	f := newFake(t)
	a := newFakeAnswerer()
	b, _ := newTestBot(t, f, a, func(c *Config, _ *Deps) {
		c.MemoryTurns, c.RatePerMinute, c.RateBurst, c.MaxQuestionRunes = 0, 0, 0, 0
	})
	long := strings.Repeat("长", 1500) // over config's default of 1000, in one message
	for range 20 {
		handle(t, b, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, long))
	}
	asked := a.asked()
	if len(asked) != 20 || len(f.Sent(7)) != 20 {
		t.Fatalf("asked %d times, %d replies; want 20 answers", len(asked), len(f.Sent(7)))
	}
	for _, q := range asked {
		if len(q.History) != 0 {
			t.Fatalf("a question carried %d turns with memory off", len(q.History))
		}
	}
}

// TestPollTimeoutFitsTheClient checks that the long poll is shortened to
// fit inside the HTTP client's own timeout.
func TestPollTimeoutFitsTheClient(t *testing.T) {
	f := newFake(t)
	client := *f.Client()
	client.Timeout = 20 * time.Second
	b, _ := newTestBot(t, f, newFakeAnswerer(), func(_ *Config, d *Deps) { d.HTTPClient = &client })
	stop := runBot(t, b)
	f.Push(telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "q")) // ends the long poll
	f.WaitFor(t, 5*time.Second, "the answer", func([]telegramtest.Request) bool { return len(f.Sent(7)) == 1 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if got := f.Requests("getUpdates")[0].Get("timeout"); got != "15" {
		t.Errorf("getUpdates timeout = %s, want 15 (the client's 20s less a margin)", got)
	}
}
