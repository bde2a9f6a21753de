package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/citebot/citebot/answer"
)

// chatRequest is a decoded /v1/chat/completions request body.
type chatRequest struct {
	Model    string `json:"model"`
	Stream   bool   `json:"stream"`
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
	// fields holds every top-level field, to check "temperature".
	fields map[string]json.RawMessage
	auth   string
}

// reply is one scripted response.
type reply struct {
	status     int    // HTTP status; 0 means 200
	retryAfter string // Retry-After header
	body       string // raw body: the error for a status, else replaces the completion
	text       string
	chunks     []string      // streamed pieces (default: text in pieces of 3 runes)
	cut        bool          // abort the connection after the chunks
	delay      time.Duration // before answering
}

// fakeChat is an httptest fake of an OpenAI-compatible chat completions
// endpoint. It checks the method, path and body, records every request and
// answers from a script.
type fakeChat struct {
	t      testing.TB
	srv    *httptest.Server
	script func(n int) reply

	mu   sync.Mutex
	reqs []chatRequest
}

func newFakeChat(t testing.TB, script func(n int) reply) *fakeChat {
	t.Helper()
	f := &fakeChat{t: t, script: script}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeChat) requests() []chatRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]chatRequest(nil), f.reqs...)
}

func (f *fakeChat) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		f.t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		f.t.Errorf("Content-Type %q", ct)
	}
	body, _ := io.ReadAll(r.Body)
	var req chatRequest
	if err := json.Unmarshal(body, &req); err != nil {
		f.t.Errorf("decode body %q: %v", body, err)
	}
	if err := json.Unmarshal(body, &req.fields); err != nil {
		f.t.Errorf("decode body fields: %v", err)
	}
	req.auth = r.Header.Get("Authorization")
	f.mu.Lock()
	n := len(f.reqs)
	f.reqs = append(f.reqs, req)
	f.mu.Unlock()

	rp := f.script(n)
	if rp.delay > 0 {
		select {
		case <-time.After(rp.delay):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case rp.status >= 400:
		if rp.retryAfter != "" {
			w.Header().Set("Retry-After", rp.retryAfter)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rp.status)
		if rp.body == "" {
			rp.body = fmt.Sprintf(`{"error":{"message":"scripted failure %d","type":"server_error"}}`, rp.status)
		}
		io.WriteString(w, rp.body)
	case rp.body != "":
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, rp.body)
	case !req.Stream:
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"id": "chatcmpl-1", "object": "chat.completion", "model": req.Model,
			"choices": []any{map[string]any{
				"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": rp.text},
			}},
			"usage": map[string]any{"prompt_tokens": 40, "completion_tokens": 7, "total_tokens": 47},
		})
	default:
		f.stream(w, req, rp)
	}
}

func (f *fakeChat) stream(w http.ResponseWriter, req chatRequest, rp reply) {
	w.Header().Set("Content-Type", "text/event-stream")
	flusher := w.(http.Flusher)
	chunks := rp.chunks
	if chunks == nil {
		chunks = splitRunes(rp.text, 3)
	}
	for _, c := range chunks {
		out, _ := json.Marshal(map[string]any{
			"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "delta": map[string]any{"content": c}}},
		})
		fmt.Fprintf(w, "data: %s\n\n", out)
		flusher.Flush()
	}
	if rp.cut {
		panic(http.ErrAbortHandler)
	}
	fmt.Fprint(w, `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`+"\n\n")
	if bytes.Contains(req.fields["stream_options"], []byte(`"include_usage":true`)) {
		// As OpenAI sends it: a last chunk with no choices and the usage.
		fmt.Fprint(w, `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":40,"completion_tokens":7,"total_tokens":47}}`+"\n\n")
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
}

func splitRunes(s string, n int) []string {
	var out []string
	for s != "" {
		i, k := 0, 0
		for i < len(s) && k < n {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
			k++
		}
		out = append(out, s[:i])
		s = s[i:]
	}
	return out
}

// newTestChat returns a Chat talking to f whose backoffs are recorded in
// the returned waits instead of slept.
func newTestChat(f *fakeChat, cfg Config) (*Chat, *waits) {
	cfg.BaseURL = f.srv.URL + "/v1"
	if cfg.Model == "" {
		cfg.Model = "test-model"
	}
	c := NewChat(cfg)
	w := &waits{}
	c.t.sleep = w.sleep
	return c, w
}

var testMsgs = []answer.Message{{Role: answer.System, Content: "rules"}, {Role: answer.User, Content: "question"}}

func TestChatComplete(t *testing.T) {
	for _, stream := range []bool{true, false} {
		t.Run(fmt.Sprintf("stream=%v", stream), func(t *testing.T) {
			f := newFakeChat(t, func(n int) reply { return reply{text: "你好，world「引文」[1]"} })
			c, _ := newTestChat(f, Config{APIKey: testAPIKey, Stream: stream, MaxCompletionTokens: 300})
			var deltas []string
			text, err := c.Complete(context.Background(), testMsgs, func(d string) { deltas = append(deltas, d) })
			if err != nil {
				t.Fatal(err)
			}
			if text != "你好，world「引文」[1]" || strings.Join(deltas, "") != text {
				t.Errorf("text %q deltas %q", text, deltas)
			}
			if stream && len(deltas) < 2 {
				t.Errorf("stream delivered %d deltas", len(deltas))
			}
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			req := reqs[0]
			if got := string(req.fields["temperature"]); got != "0" {
				t.Errorf(`"temperature" = %q, want 0`, got)
			}
			if got := string(req.fields["max_completion_tokens"]); got != "300" {
				t.Errorf(`"max_completion_tokens" = %q`, got)
			}
			if _, ok := req.fields["max_tokens"]; ok {
				t.Error(`deprecated "max_tokens" sent`)
			}
			var got []answer.Message
			for _, m := range req.Messages {
				got = append(got, answer.Message{Role: answer.Role(m.Role), Content: m.Content})
			}
			if diff := cmp.Diff(got, testMsgs); diff != "" {
				t.Errorf("messages mismatch (-got +want):\n%s", diff)
			}
			if req.Model != "test-model" || req.Stream != stream || req.auth != "Bearer "+testAPIKey {
				t.Errorf("model %q stream %v auth %q", req.Model, req.Stream, req.auth)
			}
		})
	}
}

// TestChatReportsUsage: the token counts the server reports reach the
// usage callback, streamed (asked for with stream_options) or not; without
// a callback no stream_options are sent.
func TestChatReportsUsage(t *testing.T) {
	for _, stream := range []bool{true, false} {
		t.Run(fmt.Sprintf("stream=%v", stream), func(t *testing.T) {
			f := newFakeChat(t, func(n int) reply { return reply{text: "answer [1]"} })
			c, _ := newTestChat(f, Config{Stream: stream})
			if _, err := c.Complete(context.Background(), testMsgs, nil); err != nil {
				t.Fatal(err)
			}
			if _, ok := f.requests()[0].fields["stream_options"]; ok {
				t.Error("stream_options sent without a usage callback")
			}
			var prompt, completion int
			c.ReportUsage(func(p, c int) { prompt, completion = prompt+p, completion+c })
			if _, err := c.Complete(context.Background(), testMsgs, nil); err != nil {
				t.Fatal(err)
			}
			if prompt != 40 || completion != 7 {
				t.Errorf("usage %d+%d, want 40+7", prompt, completion)
			}
		})
	}
}

func TestChatNoKeyNoAuthorization(t *testing.T) {
	f := newFakeChat(t, func(n int) reply { return reply{text: "ok"} })
	c, _ := newTestChat(f, Config{})
	if _, err := c.Complete(context.Background(), testMsgs, nil); err != nil {
		t.Fatal(err)
	}
	if auth := f.requests()[0].auth; auth != "" {
		t.Errorf("Authorization %q sent without a key", auth)
	}
}

// chatFailure is what a failing test case expects of the *answer.ModelError.
type chatFailure struct {
	status    int
	retryable bool
	msg       string // substring of Error()
}

func TestChatRetries(t *testing.T) {
	okAfter := func(k int, fail reply) func(int) reply {
		return func(n int) reply {
			if n < k {
				return fail
			}
			return reply{text: "ok"}
		}
	}
	inAnHour := func(int) reply {
		return reply{status: 429, retryAfter: time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)}
	}
	tests := []struct {
		name      string
		cfg       Config
		script    func(n int) reply
		wantText  string
		wantReqs  int
		wantWaits [2]time.Duration // bounds of every backoff; zero: not checked
		wantErr   *chatFailure
	}{
		{"429 with Retry-After seconds", Config{}, okAfter(1, reply{status: 429, retryAfter: "2"}),
			"ok", 2, [2]time.Duration{2 * time.Second, 2 * time.Second}, nil},
		{"429 with Retry-After capped", Config{MaxBackoff: 20 * time.Millisecond}, okAfter(1, reply{status: 429, retryAfter: "3600"}),
			"ok", 2, [2]time.Duration{20 * time.Millisecond, 20 * time.Millisecond}, nil},
		{"429 with Retry-After date", Config{MaxBackoff: 2 * time.Hour}, func(n int) reply {
			if n == 0 {
				return inAnHour(n)
			}
			return reply{text: "ok"}
		}, "ok", 2, [2]time.Duration{58 * time.Minute, time.Hour}, nil},
		{"503 HTML twice then success", Config{}, okAfter(2, reply{status: 503, body: "<html>bad gateway</html>"}),
			"ok", 3, [2]time.Duration{}, nil},
		{"stream fails before text then succeeds", Config{Stream: true}, okAfter(1, reply{status: 502}),
			"ok", 2, [2]time.Duration{}, nil},
		{"persistent 500", Config{}, func(int) reply { return reply{status: 500} },
			"", 3, [2]time.Duration{}, &chatFailure{500, true, "test-model after 3 attempts: status 500: scripted failure 500"}},
		{"no retries", Config{MaxRetries: -1}, func(int) reply { return reply{status: 500} },
			"", 1, [2]time.Duration{}, &chatFailure{500, true, "status 500"}},
		{"400 is not retried", Config{}, func(int) reply { return reply{status: 400} },
			"", 1, [2]time.Duration{}, &chatFailure{400, false, "status 400"}},
		{"401 is not retried", Config{}, func(int) reply { return reply{status: 401} },
			"", 1, [2]time.Duration{}, &chatFailure{401, false, "status 401"}},
		{"cut stream is not retried", Config{Stream: true}, func(int) reply { return reply{chunks: []string{"part", "ial"}, cut: true} },
			"partial", 1, [2]time.Duration{}, &chatFailure{200, true, "test-model: stream cut after 7 bytes"}},
		{"malformed JSON", Config{}, func(int) reply { return reply{body: `{"choices": [`} },
			"", 1, [2]time.Duration{}, &chatFailure{200, false, "undecodable response"}},
		{"no choices", Config{}, func(int) reply { return reply{body: `{"id":"x","choices":[]}`} },
			"", 1, [2]time.Duration{}, &chatFailure{200, false, "no choices"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeChat(t, tt.script)
			c, w := newTestChat(f, tt.cfg)
			text, err := c.Complete(context.Background(), testMsgs, func(string) {})
			if text != tt.wantText {
				t.Errorf("text %q, want %q", text, tt.wantText)
			}
			if got := len(f.requests()); got != tt.wantReqs {
				t.Errorf("%d requests, want %d", got, tt.wantReqs)
			}
			ws := w.all()
			if len(ws) != tt.wantReqs-1 {
				t.Errorf("%d backoffs for %d requests", len(ws), tt.wantReqs)
			}
			for _, d := range ws {
				if lo, hi := tt.wantWaits[0], tt.wantWaits[1]; hi != 0 && (d < lo || d > hi) {
					t.Errorf("backoff %v, want in [%v, %v]", d, lo, hi)
				}
			}
			checkChatError(t, err, tt.wantErr, tt.wantReqs)
		})
	}
}

func checkChatError(t *testing.T, err error, want *chatFailure, attempts int) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("error: %v", err)
		}
		return
	}
	var me *answer.ModelError
	if !errors.As(err, &me) {
		t.Fatalf("error %T (%v) is not an *answer.ModelError", err, err)
	}
	if me.StatusCode != want.status || me.Retryable != want.retryable || me.Attempts != attempts {
		t.Errorf("ModelError %+v, want status %d retryable %v after %d attempts", me, want.status, want.retryable, attempts)
	}
	if !strings.Contains(err.Error(), want.msg) || !strings.HasPrefix(err.Error(), "chat model: ") {
		t.Errorf("error %q, want it to contain %q", err, want.msg)
	}
}

func TestChatTimeout(t *testing.T) {
	f := newFakeChat(t, func(int) reply { return reply{text: "late", delay: 3 * time.Second} })
	c, _ := newTestChat(f, Config{Timeout: 100 * time.Millisecond})
	start := time.Now()
	_, err := c.Complete(context.Background(), testMsgs, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("timeout took %s", d)
	}
	if got := len(f.requests()); got != 1 {
		t.Errorf("%d requests: a timed-out attempt is not retried", got)
	}
}

func TestChatCancelDuringBackoff(t *testing.T) {
	f := newFakeChat(t, func(int) reply { return reply{status: 503, retryAfter: "30"} })
	c := NewChat(Config{BaseURL: f.srv.URL + "/v1", Model: "m", Backoff: time.Minute, MaxBackoff: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Complete(ctx, testMsgs, nil)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "while waiting to retry") {
		t.Errorf("err = %v, want the context's deadline while waiting", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("cancel took %s", d)
	}
}

func TestChatCanceled(t *testing.T) {
	f := newFakeChat(t, func(int) reply { return reply{text: "ok"} })
	c, _ := newTestChat(f, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Complete(ctx, testMsgs, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestChatScrubsKey(t *testing.T) {
	f := newFakeChat(t, func(int) reply {
		return reply{status: 401, body: `{"error":{"message":"Incorrect API key provided: ` + testAPIKey + `","type":"invalid_request_error"}}`}
	})
	c, _ := newTestChat(f, Config{APIKey: testAPIKey})
	_, err := c.Complete(context.Background(), testMsgs, nil)
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), testAPIKey) || !strings.Contains(err.Error(), "REDACTED") {
		t.Errorf("error %q", err)
	}
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("model", "cfg", c.t.cfg, "err", err)
	if strings.Contains(b.String(), testAPIKey) || !strings.Contains(b.String(), "api_key=REDACTED") {
		t.Errorf("log line: %s", b.String())
	}
}

// TestChatNetworkErrorScrubbed: a connection error names the URL; the key
// in its credentials or query must not leak, and the error is retried.
func TestChatNetworkErrorScrubbed(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // connection refused from now on
	tests := []struct{ name, baseURL string }{
		{"userinfo", strings.Replace(base, "http://", "http://user:"+testAPIKey+"@", 1) + "/v1"},
		{"query", base + "/v1?key=" + testAPIKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewChat(Config{BaseURL: tt.baseURL, Model: "m", APIKey: testAPIKey, Backoff: time.Millisecond})
			_, err := c.Complete(context.Background(), testMsgs, nil)
			var me *answer.ModelError
			if !errors.As(err, &me) || !me.Retryable || me.Attempts != 3 || me.StatusCode != 0 {
				t.Fatalf("err = %#v", err)
			}
			if strings.Contains(err.Error(), testAPIKey) || strings.Contains(err.Error(), "user:") {
				t.Errorf("error leaks credentials: %v", err)
			}
		})
	}
}

func TestChatConcurrent(t *testing.T) {
	f := newFakeChat(t, func(int) reply { return reply{text: "ok"} })
	c, _ := newTestChat(f, Config{Stream: true})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if text, err := c.Complete(context.Background(), testMsgs, nil); err != nil || text != "ok" {
				t.Errorf("Complete = %q, %v", text, err)
			}
		})
	}
	wg.Wait()
}
