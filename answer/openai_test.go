package answer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func testModel(f *fakeLLM, cfg OpenAIConfig) *OpenAIModel {
	cfg.BaseURL = f.srv.URL + "/v1"
	if cfg.Model == "" {
		cfg.Model = "test-model"
	}
	if cfg.Backoff == 0 {
		cfg.Backoff = time.Millisecond
	}
	return NewOpenAIModel(cfg)
}

var testMsgs = []Message{{Role: System, Content: "rules"}, {Role: User, Content: "question"}}

func TestOpenAIModelComplete(t *testing.T) {
	for _, stream := range []bool{true, false} {
		t.Run(fmt.Sprintf("stream=%v", stream), func(t *testing.T) {
			f := newFakeLLM(t, func(n int, req chatRequest) reply { return reply{text: "你好，world「引文」[1]"} })
			m := testModel(f, OpenAIConfig{APIKey: testAPIKey, Stream: stream, MaxTokens: 300})
			var deltas []string
			text, err := m.Complete(context.Background(), testMsgs, func(d string) { deltas = append(deltas, d) })
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
			if got := string(req.fields["max_tokens"]); got != "300" {
				t.Errorf(`"max_tokens" = %q`, got)
			}
			var got []Message
			for _, m := range req.Messages {
				got = append(got, Message{Role: Role(m.Role), Content: m.Content})
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

func TestOpenAIModelNoKeyNoAuthorization(t *testing.T) {
	f := newFakeLLM(t, func(n int, req chatRequest) reply { return reply{text: "ok"} })
	if _, err := testModel(f, OpenAIConfig{}).Complete(context.Background(), testMsgs, nil); err != nil {
		t.Fatal(err)
	}
	if auth := f.requests()[0].auth; auth != "" {
		t.Errorf("Authorization %q sent without a key", auth)
	}
}

func TestOpenAIModelRetries(t *testing.T) {
	tests := []struct {
		name       string
		cfg        OpenAIConfig
		script     func(n int) reply
		wantErr    bool
		wantStatus int
		wantReqs   int
		wantText   string
	}{
		{"429 then success", OpenAIConfig{}, func(n int) reply {
			if n == 0 {
				return reply{status: 429, retryAfter: "0"}
			}
			return reply{text: "ok"}
		}, false, 0, 2, "ok"},
		{"503 twice then success", OpenAIConfig{}, func(n int) reply {
			if n < 2 {
				return reply{status: 503, body: "<html>bad gateway</html>"}
			}
			return reply{text: "ok"}
		}, false, 0, 3, "ok"},
		{"persistent 500", OpenAIConfig{}, func(n int) reply { return reply{status: 500} }, true, 500, 3, ""},
		{"no retries", OpenAIConfig{MaxRetries: -1}, func(n int) reply { return reply{status: 500} }, true, 500, 1, ""},
		{"400 is not retried", OpenAIConfig{}, func(n int) reply { return reply{status: 400} }, true, 400, 1, ""},
		{"401 is not retried", OpenAIConfig{}, func(n int) reply { return reply{status: 401} }, true, 401, 1, ""},
		{"retry-after capped", OpenAIConfig{MaxBackoff: 20 * time.Millisecond}, func(n int) reply {
			if n == 0 {
				return reply{status: 429, retryAfter: "3600"}
			}
			return reply{text: "ok"}
		}, false, 0, 2, "ok"},
		{"cut stream is not retried", OpenAIConfig{Stream: true}, func(n int) reply {
			return reply{chunks: []string{"part", "ial"}, cut: true}
		}, true, 0, 1, "partial"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeLLM(t, func(n int, req chatRequest) reply { return tt.script(n) })
			start := time.Now()
			text, err := testModel(f, tt.cfg).Complete(context.Background(), testMsgs, nil)
			if time.Since(start) > 2*time.Second {
				t.Errorf("took %s", time.Since(start))
			}
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if text != tt.wantText {
				t.Errorf("text %q, want %q", text, tt.wantText)
			}
			if got := len(f.requests()); got != tt.wantReqs {
				t.Errorf("%d requests, want %d", got, tt.wantReqs)
			}
			if err != nil {
				var me *ModelError
				if !errors.As(err, &me) {
					t.Fatalf("error %T is not a *ModelError", err)
				}
				if me.StatusCode != tt.wantStatus || me.Attempts != tt.wantReqs {
					t.Errorf("ModelError %+v, want status %d after %d attempts", me, tt.wantStatus, tt.wantReqs)
				}
			}
		})
	}
}

func TestOpenAIModelTimeout(t *testing.T) {
	f := newFakeLLM(t, func(n int, req chatRequest) reply { return reply{text: "late", delay: 3 * time.Second} })
	m := testModel(f, OpenAIConfig{Timeout: 100 * time.Millisecond})
	start := time.Now()
	_, err := m.Complete(context.Background(), testMsgs, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want a deadline error", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("timeout took %s", time.Since(start))
	}
	if got := len(f.requests()); got != 1 {
		t.Errorf("%d requests: a timed-out attempt is not retried", got)
	}
}

func TestOpenAIModelCancelDuringBackoff(t *testing.T) {
	f := newFakeLLM(t, func(n int, req chatRequest) reply { return reply{status: 503, retryAfter: "30"} })
	m := testModel(f, OpenAIConfig{Backoff: time.Minute, MaxBackoff: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := m.Complete(ctx, testMsgs, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the context's deadline", err)
	}
}

func TestOpenAIModelScrubsKey(t *testing.T) {
	f := newFakeLLM(t, func(n int, req chatRequest) reply {
		return reply{status: 401, body: `{"error":{"message":"Incorrect API key provided: ` + testAPIKey + `","type":"invalid_request_error"}}`}
	})
	m := testModel(f, OpenAIConfig{APIKey: testAPIKey})
	_, err := m.Complete(context.Background(), testMsgs, nil)
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), testAPIKey) {
		t.Errorf("error shows the key: %v", err)
	}
	if !strings.Contains(err.Error(), "REDACTED") {
		t.Errorf("error %q", err)
	}
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("model", "cfg", m.cfg, "err", err)
	if strings.Contains(b.String(), testAPIKey) || !strings.Contains(b.String(), "api_key=REDACTED") {
		t.Errorf("log line: %s", b.String())
	}
}

func TestOpenAIModelNetworkError(t *testing.T) {
	f := newFakeLLM(t, func(n int, req chatRequest) reply { return reply{text: "ok"} })
	url := f.srv.URL
	f.srv.Close()
	m := NewOpenAIModel(OpenAIConfig{BaseURL: url + "/v1?key=" + testAPIKey, Model: "m", APIKey: testAPIKey, Backoff: time.Millisecond})
	_, err := m.Complete(context.Background(), testMsgs, nil)
	var me *ModelError
	if !errors.As(err, &me) || !me.Retryable || me.Attempts != 3 {
		t.Fatalf("err = %#v", err)
	}
	if strings.Contains(err.Error(), testAPIKey) {
		t.Errorf("error shows the key: %v", err)
	}
}

func TestWithZeroTemperature(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{}`, `{"temperature":0}`},
		{`{"model":"m"}`, `{"temperature":0,"model":"m"}`},
		{` { "model":"m"}`, `{"temperature":0,"model":"m"}`},
		{`{"temperature":0.7,"model":"m"}`, `{"temperature":0.7,"model":"m"}`},
		{`[1]`, `[1]`},
		{`not json`, `not json`},
		{``, ``},
	}
	for _, tt := range tests {
		if got := string(withZeroTemperature([]byte(tt.in))); got != tt.want {
			t.Errorf("withZeroTemperature(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTemperatureDoerLeavesOtherRequests(t *testing.T) {
	var got string
	d := temperatureDoer{next: doerFunc(func(r *http.Request) (*http.Response, error) {
		got = r.URL.Path
		return &http.Response{StatusCode: 200, Body: http.NoBody, Header: http.Header{}}, nil
	})}
	req, _ := http.NewRequest(http.MethodGet, "http://x/v1/models", nil)
	if _, err := d.Do(req); err != nil || got != "/v1/models" {
		t.Errorf("got %q, %v", got, err)
	}
}

type doerFunc func(*http.Request) (*http.Response, error)

func (f doerFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }
