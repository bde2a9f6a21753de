package retrieval

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/citebot/citebot/retrieval/document"
	"github.com/google/go-cmp/cmp"
)

const testAPIKey = "sk-test-SECRET-key-1234567890"

// fakeEmbeddings is an httptest fake of POST /v1/embeddings. It checks the
// method, path, auth header and body, records each request's inputs, and
// answers with fail(n) for the n-th request (1-based) when that returns a
// status, else with vectors derived from each input's length (listed in
// reverse order, so the client must sort by index).
type fakeEmbeddings struct {
	t      *testing.T
	model  string
	dim    int
	mu     sync.Mutex
	inputs [][]string
	calls  atomic.Int32
	fail   func(n int, w http.ResponseWriter) bool
}

func (f *fakeEmbeddings) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(f.calls.Add(1))
	if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" {
		f.t.Errorf("request %s %s, want POST /v1/embeddings", r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+testAPIKey {
		f.t.Errorf("Authorization = %q", got)
	}
	body, _ := io.ReadAll(r.Body)
	var req struct {
		Model string   `json:"model"`
		Input []string `json:"input"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		f.t.Errorf("request body %s: %v", body, err)
		return
	}
	if req.Model != f.model {
		f.t.Errorf("model = %q, want %q", req.Model, f.model)
	}
	f.mu.Lock()
	f.inputs = append(f.inputs, req.Input)
	f.mu.Unlock()
	if f.fail != nil && f.fail(n, w) {
		return
	}
	type item struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	var data []item
	for i := len(req.Input) - 1; i >= 0; i-- {
		v := make([]float32, f.dim)
		v[0] = float32(len([]rune(req.Input[i])))
		v[1] = 2 // not unit length: the client normalises
		data = append(data, item{"embedding", i, v})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"object": "list", "model": f.model, "data": data})
}

func newFakeEmbedder(t *testing.T, fake *fakeEmbeddings, cfg OpenAIEmbedConfig) *OpenAIEmbedder {
	t.Helper()
	fake.t = t
	if fake.model == "" {
		fake.model = "text-embedding-3-small"
	}
	if fake.dim == 0 {
		fake.dim = 4
	}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	cfg.BaseURL = srv.URL + "/v1"
	cfg.APIKey = testAPIKey
	if cfg.Backoff == 0 {
		cfg.Backoff = time.Millisecond
	}
	return NewOpenAIEmbedder(cfg)
}

func apiError(status int, msg string) func(int, http.ResponseWriter) {
	return func(_ int, w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error":{"message":%q,"type":"test"}}`, msg)
	}
}

func TestOpenAIEmbedBatching(t *testing.T) {
	fake := &fakeEmbeddings{}
	e := newFakeEmbedder(t, fake, OpenAIEmbedConfig{BatchSize: 4, Concurrency: 1})
	var texts []string
	for i := range 10 {
		texts = append(texts, strings.Repeat("长", i+1))
	}
	vecs, err := e.EmbedBatch(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	if got := fake.calls.Load(); got != 3 {
		t.Errorf("%d requests for 10 texts in batches of 4, want 3", got)
	}
	wantInputs := [][]string{texts[0:4], texts[4:8], texts[8:10]}
	if diff := cmp.Diff(wantInputs, fake.inputs); diff != "" {
		t.Errorf("batches mismatch (-want +got):\n%s", diff)
	}
	for i, v := range vecs {
		if math.Abs(unitLength(v)-1) > 1e-5 {
			t.Errorf("vector %d not normalised: %v", i, v)
		}
		// v[0]/v[1] = len/2 survives normalisation and shows the order.
		if got := v[0] / v[1] * 2; math.Abs(float64(got)-float64(i+1)) > 1e-3 {
			t.Errorf("vector %d belongs to text of length %.1f", i, got)
		}
	}
}

func TestOpenAIEmbedSingle(t *testing.T) {
	fake := &fakeEmbeddings{model: "bge-m3", dim: 8}
	e := newFakeEmbedder(t, fake, OpenAIEmbedConfig{Model: "bge-m3"})
	v, err := e.Embed(context.Background(), "长江")
	if err != nil {
		t.Fatal(err)
	}
	if len(v) != 8 {
		t.Errorf("len = %d", len(v))
	}
	if _, err := e.Embed(context.Background(), "  "); err == nil {
		t.Error("empty text: no error")
	}
	if vecs, err := e.EmbedBatch(context.Background(), nil); err != nil || len(vecs) != 0 {
		t.Errorf("no texts: %v, %v", vecs, err)
	}
	if got := fake.calls.Load(); got != 1 {
		t.Errorf("%d requests, want 1", got)
	}
}

func TestOpenAIEmbedErrors(t *testing.T) {
	tests := []struct {
		name       string
		fail       func(n int, w http.ResponseWriter) bool
		maxRetries int
		wantErr    string // substring; "" means success
		wantCalls  int32
		wantStatus int
	}{
		{
			name: "429 then success",
			fail: func(n int, w http.ResponseWriter) bool {
				if n == 1 {
					w.Header().Set("Retry-After", "0")
					apiError(http.StatusTooManyRequests, "slow down")(n, w)
					return true
				}
				return false
			},
			wantCalls: 2,
		},
		{
			name:       "persistent 500",
			fail:       func(n int, w http.ResponseWriter) bool { apiError(500, "boom")(n, w); return true },
			maxRetries: 2,
			wantErr:    "after 3 attempts: status 500: boom",
			wantCalls:  3,
			wantStatus: 500,
		},
		{
			name:       "400 is not retried",
			fail:       func(n int, w http.ResponseWriter) bool { apiError(400, "bad input")(n, w); return true },
			wantErr:    "status 400: bad input",
			wantCalls:  1,
			wantStatus: 400,
		},
		{
			name: "401 echoing the key is scrubbed",
			fail: func(n int, w http.ResponseWriter) bool {
				apiError(401, "Incorrect API key provided: "+testAPIKey)(n, w)
				return true
			},
			wantErr:    "Incorrect API key provided: REDACTED",
			wantCalls:  1,
			wantStatus: 401,
		},
		{
			name: "malformed JSON",
			fail: func(n int, w http.ResponseWriter) bool {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"data": [`)
				return true
			},
			wantErr:    "undecodable response",
			wantCalls:  1,
			wantStatus: 200,
		},
		{
			name: "HTML error page",
			fail: func(n int, w http.ResponseWriter) bool {
				w.WriteHeader(http.StatusBadGateway)
				io.WriteString(w, "<html>502 Bad Gateway</html>")
				return true
			},
			maxRetries: 1,
			wantErr:    "status 502: <html>502 Bad Gateway</html>",
			wantCalls:  2,
			wantStatus: 502,
		},
		{
			name: "wrong number of embeddings",
			fail: func(n int, w http.ResponseWriter) bool {
				io.WriteString(w, `{"data":[{"index":0,"embedding":[1,0]}]}`)
				return true
			},
			wantErr:    "1 embeddings for 2 texts",
			wantCalls:  1,
			wantStatus: 200,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeEmbeddings{fail: tt.fail}
			e := newFakeEmbedder(t, fake, OpenAIEmbedConfig{MaxRetries: tt.maxRetries})
			_, err := e.EmbedBatch(context.Background(), []string{"长江", "黄河"})
			if got := fake.calls.Load(); got != tt.wantCalls {
				t.Errorf("%d requests, want %d", got, tt.wantCalls)
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), testAPIKey) {
				t.Errorf("error contains the API key: %q", err)
			}
			var ee *EmbedError
			if !errors.As(err, &ee) {
				t.Fatalf("error %T is not an *EmbedError", err)
			}
			if ee.StatusCode != tt.wantStatus {
				t.Errorf("StatusCode = %d, want %d", ee.StatusCode, tt.wantStatus)
			}
		})
	}
}

// TestOpenAIEmbedURLErrorScrubbed: a connection error names the URL; its
// query (where some servers take the key) and credentials must not leak.
func TestOpenAIEmbedURLErrorScrubbed(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // connection refused from now on
	e := NewOpenAIEmbedder(OpenAIEmbedConfig{
		BaseURL:    strings.Replace(base, "http://", "http://user:"+testAPIKey+"@", 1) + "/v1",
		APIKey:     testAPIKey,
		MaxRetries: 1,
		Backoff:    time.Millisecond,
	})
	_, err := e.Embed(context.Background(), "长江")
	if err == nil {
		t.Fatal("no error from a closed server")
	}
	if strings.Contains(err.Error(), testAPIKey) || strings.Contains(err.Error(), "user:") {
		t.Errorf("error leaks credentials: %q", err)
	}
	if !strings.Contains(err.Error(), "after 2 attempts") {
		t.Errorf("error %q: want the network error retried once", err)
	}
	var ee *EmbedError
	if !errors.As(err, &ee) || ee.StatusCode != 0 {
		t.Errorf("want *EmbedError without status, got %#v", err)
	}
}

func TestOpenAIEmbedTimeoutAndCancel(t *testing.T) {
	release := make(chan struct{})
	fake := &fakeEmbeddings{fail: func(n int, w http.ResponseWriter) bool {
		<-release
		return false
	}}
	e := newFakeEmbedder(t, fake, OpenAIEmbedConfig{Timeout: 20 * time.Millisecond, MaxRetries: 1})
	defer close(release)
	start := time.Now()
	_, err := e.Embed(context.Background(), "长江")
	if err == nil || !strings.Contains(err.Error(), "after 2 attempts") {
		t.Errorf("attempt timeouts: err = %v, want a retried timeout", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = e.Embed(ctx, "长江")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: err = %v, want context.Canceled", err)
	}
}

func TestOpenAIEmbedRetryAfter(t *testing.T) {
	tests := []struct {
		header string
		want   time.Duration
	}{
		{"", 0},
		{"3", 3 * time.Second},
		{"-1", 0},
		{"soon", 0},
		{"Wed, 21 Oct 2015 07:28:10 GMT", 10 * time.Second},
	}
	now := time.Date(2015, 10, 21, 7, 28, 0, 0, time.UTC)
	for _, tt := range tests {
		if got := parseRetryAfter(tt.header, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
	e := NewOpenAIEmbedder(OpenAIEmbedConfig{Backoff: 100 * time.Millisecond, MaxBackoff: time.Second})
	if d := e.backoff(1, 700*time.Millisecond); d != 700*time.Millisecond {
		t.Errorf("Retry-After not honoured: %v", d)
	}
	if d := e.backoff(10, 0); d != time.Second {
		t.Errorf("backoff not capped: %v", d)
	}
}

func TestOpenAIEmbedConfigLogValue(t *testing.T) {
	cfg := OpenAIEmbedConfig{APIKey: testAPIKey, Model: "m"}
	if s := cfg.LogValue().String(); strings.Contains(s, testAPIKey) || !strings.Contains(s, "REDACTED") {
		t.Errorf("LogValue = %s", s)
	}
}

// TestOpenAIEmbedderInBuild indexes through the fake with EmbedBatch.
func TestOpenAIEmbedderInBuild(t *testing.T) {
	fake := &fakeEmbeddings{dim: 8}
	e := newFakeEmbedder(t, fake, OpenAIEmbedConfig{BatchSize: 16})
	ix, stats, err := Build(context.Background(), []*document.Document{document.Sample()}, Options{
		Embedder: e.Embed, BatchEmbedder: e.EmbedBatch, EmbedderID: "openai:fake",
	})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Embedded != stats.Passages {
		t.Errorf("embedded %d of %d", stats.Embedded, stats.Passages)
	}
	// One request for the first passage, then batches of 16.
	if want := int32(1 + (stats.Passages-1+15)/16); fake.calls.Load() != want {
		t.Errorf("%d requests, want %d", fake.calls.Load(), want)
	}
	if _, err := ix.Search(context.Background(), "座谈会", 3); err != nil {
		t.Fatal(err)
	}
}
