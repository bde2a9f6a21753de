package openai

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const testAPIKey = "sk-test-SECRET-key-1234567890"

// waits records the backoffs a transport asks for instead of sleeping, so
// that retry tests are fast and can check each wait exactly.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.d = append(w.d, d)
	return ctx.Err()
}

func (w *waits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

// doerFunc turns a function into an HTTPDoer.
type doerFunc func(*http.Request) (*http.Response, error)

func (f doerFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2015, 10, 21, 7, 28, 0, 0, time.UTC)
	tests := []struct {
		name, header string
		want         time.Duration
	}{
		{"empty", "", 0},
		{"seconds", "3", 3 * time.Second},
		{"seconds with spaces", " 120 ", 2 * time.Minute},
		{"zero", "0", 0},
		{"negative", "-1", 0},
		{"word", "soon", 0},
		{"fraction", "1.5", 0},
		{"huge", "99999999999999999999999", maxRetryAfter},
		{"IMF-fixdate", "Wed, 21 Oct 2015 07:28:10 GMT", 10 * time.Second},
		{"RFC 850 date", "Wednesday, 21-Oct-15 07:29:00 GMT", time.Minute},
		{"asctime date", "Wed Oct 21 07:28:05 2015", 5 * time.Second},
		{"past date", "Wed, 21 Oct 2015 07:27:00 GMT", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseRetryAfter(tt.header, now); got != tt.want {
				t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.header, got, tt.want)
			}
		})
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"", "0", "3", "-1", "+7", "1.5", "soon", "99999999999999999999",
		"9223372036", "Wed, 21 Oct 2015 07:28:10 GMT", "Wednesday, 21-Oct-15 07:29:00 GMT",
		"Wed Oct 21 07:28:05 2015", "Fri, 31 Dec 9999 23:59:59 GMT"} {
		f.Add(s)
	}
	now := time.Date(2015, 10, 21, 7, 28, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		got := parseRetryAfter(v, now)
		if got < 0 {
			t.Fatalf("parseRetryAfter(%q) = %v, negative", v, got)
		}
		if got != parseRetryAfter(v, now) {
			t.Fatalf("parseRetryAfter(%q) is not deterministic", v)
		}
		s := strings.TrimSpace(v)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 && n < 1<<32 {
			if want := time.Duration(n) * time.Second; got != want {
				t.Fatalf("parseRetryAfter(%q) = %v, want %v", v, got, want)
			}
		}
		if d, err := http.ParseTime(s); err == nil {
			if want := max(d.Sub(now), 0); got != want {
				t.Fatalf("parseRetryAfter(%q) = %v, want %v", v, got, want)
			}
		}
	})
}

func TestBackoff(t *testing.T) {
	tr := newTransport(Config{Backoff: 100 * time.Millisecond, MaxBackoff: time.Second}, chatDefaults)
	tests := []struct {
		name       string
		attempt    int
		retryAfter time.Duration
		lo, hi     time.Duration
	}{
		{"first", 1, 0, 100 * time.Millisecond, 125 * time.Millisecond},
		{"doubled", 3, 0, 400 * time.Millisecond, 500 * time.Millisecond},
		{"raised to Retry-After", 1, 700 * time.Millisecond, 700 * time.Millisecond, 700 * time.Millisecond},
		{"Retry-After capped", 1, time.Hour, time.Second, time.Second},
		{"capped", 10, 0, time.Second, time.Second},
		{"many attempts do not overflow", 200, 0, time.Second, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 20 {
				if d := tr.backoff(tt.attempt, tt.retryAfter); d < tt.lo || d > tt.hi {
					t.Fatalf("backoff(%d, %v) = %v, want in [%v, %v]", tt.attempt, tt.retryAfter, d, tt.lo, tt.hi)
				}
			}
		})
	}
}

func TestWithZeroTemperature(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty object", `{}`, `{"temperature":0}`},
		{"one field", `{"model":"m"}`, `{"temperature":0,"model":"m"}`},
		{"leading space", ` { "model":"m"}`, `{"temperature":0,"model":"m"}`},
		{"temperature kept", `{"temperature":0.7,"model":"m"}`, `{"temperature":0.7,"model":"m"}`},
		{"array", `[1]`, `[1]`},
		{"not JSON", `not json`, `not json`},
		{"no body", ``, ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(withZeroTemperature([]byte(tt.in))); got != tt.want {
				t.Errorf("withZeroTemperature(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCaptureDoer(t *testing.T) {
	var gotPath string
	d := captureDoer{next: doerFunc(func(r *http.Request) (*http.Response, error) {
		gotPath = r.URL.Path
		h := http.Header{}
		h.Set("Retry-After", "7")
		return &http.Response{StatusCode: 429, Body: http.NoBody, Header: h}, nil
	})}
	info := &responseInfo{}
	ctx := context.WithValue(context.Background(), responseInfoKey{}, info)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://x/v1/models", nil)
	if _, err := d.Do(req); err != nil || gotPath != "/v1/models" {
		t.Errorf("got %q, %v", gotPath, err)
	}
	if info.status != 429 || info.retryAfter != 7*time.Second {
		t.Errorf("captured %+v, want status 429 and 7s", *info)
	}
}

func TestScrub(t *testing.T) {
	tests := []struct {
		name, baseURL, text, want string
	}{
		{"API key", "", "bad key " + testAPIKey, "bad key REDACTED"},
		{"userinfo password", "http://bob:hunter2-pw@h/v1", "Post http://bob:hunter2-pw@h", "Post http://bob:REDACTED@h"},
		{"userinfo token", "http://tok-abcdef@h/v1", "user tok-abcdef", "user REDACTED"},
		{"query token", "http://h/v1?api-key=qtoken-123", "api-key=qtoken-123", "api-key=REDACTED"},
		{"short query value kept", "http://h/v1?v=1", "v=1 and 1", "v=1 and 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTransport(Config{BaseURL: tt.baseURL, APIKey: testAPIKey}, chatDefaults)
			if got := tr.scrub.String(tt.text); got != tt.want {
				t.Errorf("scrub(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestConfigLogValue(t *testing.T) {
	cfg := Config{APIKey: testAPIKey, BaseURL: "http://user:" + testAPIKey + "@h/v1?key=" + testAPIKey, Model: "m"}
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("model", "cfg", cfg)
	if strings.Contains(b.String(), testAPIKey) || !strings.Contains(b.String(), "cfg.api_key=REDACTED") {
		t.Errorf("log line: %s", b.String())
	}
	if !strings.Contains(b.String(), "cfg.base_url=\"http://REDACTED@h/v1?key=REDACTED\"") {
		t.Errorf("log line lacks the scrubbed base URL: %s", b.String())
	}
	if s := (Config{}).LogValue().String(); strings.Contains(s, "REDACTED") {
		t.Errorf("no key, yet LogValue = %s", s)
	}
}

func TestDefaults(t *testing.T) {
	chat := newTransport(Config{}, chatDefaults)
	embed := newTransport(Config{MaxRetries: -1}, embedDefaults)
	if c := chat.cfg; c.Timeout != 60*time.Second || c.MaxRetries != 2 || c.Backoff != 500*time.Millisecond ||
		c.MaxBackoff != 10*time.Second || c.HTTPClient == nil || chat.retryTimeouts {
		t.Errorf("chat defaults %+v", c)
	}
	if c := embed.cfg; c.Timeout != 30*time.Second || c.MaxRetries != 0 || c.MaxBackoff != 30*time.Second ||
		c.EmbedModel != "text-embedding-3-small" || !embed.retryTimeouts {
		t.Errorf("embed defaults %+v", c)
	}
}
