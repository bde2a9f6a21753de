package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/answer"
)

func TestManyChatsAnsweredOnceInOrder(t *testing.T) {
	f := newFakeAPI(t)
	a := newFakeAnswerer()
	a.answer = func(ctx context.Context, q answer.Question, _ func(string)) (answer.Answer, error) {
		time.Sleep(time.Duration(rand.IntN(5)) * time.Millisecond)
		return answer.Answer{Lang: "en", Text: "A:" + q.Text}, nil
	}
	b, _ := newTestBot(t, f, a, func(c *Config) { c.Workers = 8 })
	const chats, perChat = 100, 3
	var updates []map[string]any
	for k := range perChat {
		for c := range chats {
			u := user{ID: int64(1000 + c)}
			updates = append(updates, privateMsg(u, fmt.Sprintf("c%d-q%d", c, k)))
		}
	}
	stop := runBot(t, b)
	f.push(updates[:150]...) // two batches, to see the offset at work
	f.push(updates[150:]...)
	f.waitFor(t, 20*time.Second, "all answers", func(rs []fakeRequest) bool {
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
		sent := f.sent(int64(1000 + c))
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
}

func TestShutdownDeliversInFlightAndCommitsOffset(t *testing.T) {
	f := newFakeAPI(t)
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
	b, _ := newTestBot(t, f, a, func(c *Config) { c.ShutdownTimeout = 5 * time.Second })
	stop := runBot(t, b)
	ids := f.push(privateMsg(user{ID: 7}, "slow"))
	<-started

	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	time.Sleep(300 * time.Millisecond) // Run is now draining
	select {
	case err := <-stopped:
		t.Fatalf("Run returned before the in-flight answer finished: %v", err)
	default:
	}
	close(release)
	if err := <-stopped; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if sent := f.sent(7); len(sent) != 1 || sent[0].Get("text") != "A:slow" {
		t.Fatalf("in-flight answer not delivered: %v", sent)
	}
	polls := f.requests("getUpdates")
	last := polls[len(polls)-1]
	if last.Get("offset") != strconv.Itoa(ids[0]+1) || last.Get("timeout") != "0" {
		t.Errorf("last getUpdates offset=%s timeout=%s, want offset=%d timeout=0", last.Get("offset"), last.Get("timeout"), ids[0]+1)
	}

	// A restart answers new updates only.
	b2, _ := newTestBot(t, f, a, nil)
	stop2 := runBot(t, b2)
	f.push(privateMsg(user{ID: 7}, "after restart"))
	f.waitFor(t, 5*time.Second, "the answer after restart", func([]fakeRequest) bool { return len(f.sent(7)) >= 2 })
	if err := stop2(); err != nil {
		t.Fatal(err)
	}
	if sent := f.sent(7); len(sent) != 2 || sent[1].Get("text") != "A:after restart" {
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
}

func TestShutdownTimeoutLeavesUnfinishedForRedelivery(t *testing.T) {
	f := newFakeAPI(t)
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
	b, logs := newTestBot(t, f, a, func(c *Config) { c.ShutdownTimeout = 300 * time.Millisecond })
	stop := runBot(t, b)
	ids := f.push(privateMsg(user{ID: 7}, "stuck"), privateMsg(user{ID: 8}, "quick"))
	<-started
	f.waitFor(t, 5*time.Second, "the quick answer", func([]fakeRequest) bool { return len(f.sent(8)) == 1 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	polls := f.requests("getUpdates")
	if got := polls[len(polls)-1].Get("offset"); got != strconv.Itoa(ids[0]) {
		t.Errorf("committed offset %s, want %d (the unfinished update)", got, ids[0])
	}
	if !strings.Contains(logs.String(), "delivered again") {
		t.Errorf("no warning about redelivery in the logs")
	}
}

func TestTokenNeverLogged(t *testing.T) {
	f := newFakeAPI(t)
	a := newFakeAnswerer()
	b, logs := newTestBot(t, f, a, func(c *Config) { c.PollTimeout = time.Second })
	f.srv.Close() // the network fails from now on

	stop := runBot(t, b)
	b.HandleUpdate(context.Background(), decodeUpdate(t, privateMsg(user{ID: 7}, "q")))
	time.Sleep(1500 * time.Millisecond)
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
	_, err := New(Config{Token: testToken, APIBase: f.URL()}, a)
	if err == nil || strings.Contains(err.Error(), testToken) || !strings.Contains(err.Error(), "REDACTED") {
		t.Fatalf("New error = %v", err)
	}
	var ue *url.Error
	if !errors.As(err, &ue) || strings.Contains(ue.URL, testToken) || strings.Contains(ue.Error(), testToken) {
		t.Errorf("url.Error in the chain: %v", ue)
	}
}

func TestConfigPrintsRedacted(t *testing.T) {
	cfg := Config{Token: testToken, WebhookSecret: "webhookSECRET", APIBase: "http://x"}
	var text, js syncBuffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("config", "cfg", cfg)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("config", "cfg", cfg)
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%s", cfg), text.String(), js.String()} {
		if strings.Contains(s, testToken) || strings.Contains(s, "webhookSECRET") {
			t.Errorf("secret printed: %s", s)
		}
		if !strings.Contains(s, "http://x") {
			t.Errorf("config not printed: %s", s)
		}
	}
}

func TestRedactHandler(t *testing.T) {
	var buf syncBuffer
	s := newScrubber(testToken)
	log := slog.New(redactHandler{inner: slog.NewTextHandler(&buf, nil), s: s}).With("base", "http://x/bot"+testToken)
	err := fmt.Errorf("wrapped: %w", &url.Error{Op: "Post", URL: "http://x/bot" + testToken + "/getMe", Err: errors.New("refused")})
	log.Info("msg "+testToken, "err", err, "s", testToken, slog.Group("g", "q", url.QueryEscape(testToken)), "any", []string{testToken})
	if strings.Contains(buf.String(), testToken) || strings.Contains(buf.String(), url.QueryEscape(testToken)) {
		t.Errorf("token logged: %s", buf.String())
	}
	if strings.Count(buf.String(), "REDACTED") != 6 {
		t.Errorf("want 6 REDACTED: %s", buf.String())
	}
	scrubbed := s.Error(err)
	var ue *url.Error
	if !errors.As(scrubbed, &ue) || strings.Contains(scrubbed.Error(), testToken) || strings.Contains(ue.URL, testToken) {
		t.Errorf("scrubbed = %v", scrubbed)
	}
}

func TestSetMyCommandsFailureIsHarmless(t *testing.T) {
	f := newFakeAPI(t)
	f.script("setMyCommands", func(fakeRequest, int) *fakeResponse { return &fakeResponse{500, "Internal Server Error"} })
	f.script("deleteWebhook", func(fakeRequest, int) *fakeResponse { return &fakeResponse{500, "Internal Server Error"} })
	b, logs := newTestBot(t, f, newFakeAnswerer(), nil)
	stop := runBot(t, b)
	f.push(privateMsg(user{ID: 7}, "q"))
	f.waitFor(t, 5*time.Second, "the answer and both menus", func([]fakeRequest) bool {
		return len(f.sent(7)) == 1 && len(f.requests("setMyCommands")) == 2
	})
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "setMyCommands failed") {
		t.Errorf("setMyCommands failure not logged")
	}
	langs := map[string]bool{}
	for _, r := range f.requests("setMyCommands") {
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
	f := newFakeAPI(t)
	f.instantPolls = true
	b, _ := newTestBot(t, f, newFakeAnswerer(), nil)
	stop := runBot(t, b)
	time.Sleep(time.Second)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests("getUpdates")); n > 8 {
		t.Errorf("%d polls in 1s against an emulator that returns at once", n)
	}

	f2 := newFakeAPI(t)
	f2.script("getUpdates", func(r fakeRequest, n int) *fakeResponse {
		if n <= 2 {
			return apiErrorResponse(429, "Too Many Requests: retry after 1", 1)
		}
		return nil
	})
	b2, _ := newTestBot(t, f2, newFakeAnswerer(), nil)
	stop2 := runBot(t, b2)
	f2.push(privateMsg(user{ID: 7}, "q"))
	f2.waitFor(t, 10*time.Second, "the answer", func([]fakeRequest) bool { return len(f2.sent(7)) == 1 })
	if err := stop2(); err != nil {
		t.Fatal(err)
	}
	polls := f2.requests("getUpdates")
	if gap := polls[1].Time.Sub(polls[0].Time); gap < 900*time.Millisecond {
		t.Errorf("retried after %v, want retry_after 1s", gap)
	}
}

func TestUndecodableUpdateSkipped(t *testing.T) {
	f := newFakeAPI(t)
	b, logs := newTestBot(t, f, newFakeAnswerer(), nil)
	stop := runBot(t, b)
	f.push(map[string]any{"message": map[string]any{"message_id": "not a number", "chat": 5}}, privateMsg(user{ID: 7}, "q"))
	f.waitFor(t, 5*time.Second, "the answer", func([]fakeRequest) bool { return len(f.sent(7)) == 1 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "does not decode") {
		t.Errorf("undecodable update not logged")
	}
}

func TestWebhook(t *testing.T) {
	f := newFakeAPI(t)
	a := newFakeAnswerer()
	release := make(chan struct{})
	a.answer = func(ctx context.Context, q answer.Question, _ func(string)) (answer.Answer, error) {
		<-release
		return answer.Answer{Lang: "en", Text: "A:" + q.Text}, nil
	}
	b, _ := newTestBot(t, f, a, func(c *Config) {
		c.WebhookURL = "https://bot.example.com/telegram"
		c.WebhookListen = "127.0.0.1:0"
		c.WebhookSecret = "s3cret_Token-1"
	})
	stop := runBot(t, b)
	f.waitFor(t, 5*time.Second, "setWebhook", func(rs []fakeRequest) bool {
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
	sw := f.requests("setWebhook")[0]
	if sw.Get("url") != "https://bot.example.com/telegram" || sw.Get("secret_token") != "s3cret_Token-1" {
		t.Errorf("setWebhook params = %v", sw.Params)
	}

	post := func(secret string, upd map[string]any) int {
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
	if code := post("", privateMsg(user{ID: 7}, "no secret")); code != http.StatusForbidden {
		t.Errorf("missing secret: %d, want 403", code)
	}
	if code := post("wrong", privateMsg(user{ID: 7}, "wrong secret")); code != http.StatusForbidden {
		t.Errorf("wrong secret: %d, want 403", code)
	}
	start := time.Now()
	if code := post("s3cret_Token-1", privateMsg(user{ID: 7}, "good")); code != http.StatusOK {
		t.Errorf("good secret: %d, want 200", code)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("webhook answered after %v: not asynchronous", d)
	}
	close(release)
	f.waitFor(t, 5*time.Second, "the answer", func([]fakeRequest) bool { return len(f.sent(7)) == 1 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if got := f.sent(7)[0].Get("text"); got != "A:good" {
		t.Errorf("answered %q", got)
	}
	if n := len(f.requests("getUpdates")); n != 0 {
		t.Errorf("%d getUpdates in webhook mode", n)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	a := newFakeAnswerer()
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no token", Config{}},
		{"token with slash", Config{Token: "12/34"}},
		{"bad base", Config{Token: "1:a", APIBase: "ftp://x"}},
		{"bad webhook secret", Config{Token: "1:a", WebhookURL: "https://x/y", WebhookSecret: "spaces are bad"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.cfg, a); err == nil {
				t.Error("New accepted it")
			}
		})
	}
	if _, err := New(Config{Token: "1:a"}, nil); err == nil {
		t.Error("New accepted a nil Answerer")
	}
}

func TestConfigDefaults(t *testing.T) {
	cfg := Config{Token: "1:a", HTTPClient: &http.Client{Timeout: 20 * time.Second}, WebhookURL: "https://x/y"}.withDefaults()
	if cfg.APIBase != "https://api.telegram.org" || cfg.Workers != 16 || cfg.EditInterval != 1500*time.Millisecond ||
		cfg.MemoryTurns != 3 || cfg.MemoryTTL != 15*time.Minute || cfg.RateLimit != (RateLimit{10, 5}) ||
		cfg.MaxQuestionRunes != 1000 || cfg.ShutdownTimeout != 15*time.Second || cfg.WebhookListen != ":8443" || cfg.Logger == nil {
		t.Errorf("defaults = %+v", cfg)
	}
	if cfg.PollTimeout != 15*time.Second {
		t.Errorf("PollTimeout = %v, want it shortened to fit the client's 20s timeout", cfg.PollTimeout)
	}
}
