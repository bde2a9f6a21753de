package openai

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

	"github.com/google/go-cmp/cmp"
	chromem "github.com/philippgille/chromem-go"
)

var _ chromem.EmbeddingFunc = (&Embedder{}).Embed

// fakeEmbeddings is an httptest fake of POST /v1/embeddings. It checks the
// method, path, auth header and body, records each request's inputs, and
// answers with fail(n) for the n-th request (1-based) when that returns
// true, else with vectors derived from each input's length (listed in
// reverse order, so the client must sort by index).
type fakeEmbeddings struct {
	t          testing.TB
	model      string
	dim        int
	dimensions int // the "dimensions" the request must carry (0: absent)
	fail       func(n int, w http.ResponseWriter) bool

	mu       sync.Mutex
	inputs   [][]string
	calls    atomic.Int32
	inFlight atomic.Int32
	maxIn    atomic.Int32
}

func (f *fakeEmbeddings) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(f.calls.Add(1))
	in := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for m := f.maxIn.Load(); in > m && !f.maxIn.CompareAndSwap(m, in); m = f.maxIn.Load() {
	}
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
		Model      string   `json:"model"`
		Input      []string `json:"input"`
		Dimensions int      `json:"dimensions"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		f.t.Errorf("request body %s: %v", body, err)
		return
	}
	if req.Model != f.model || req.Dimensions != f.dimensions {
		f.t.Errorf("model %q dimensions %d, want %q %d", req.Model, req.Dimensions, f.model, f.dimensions)
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

// newTestEmbedder returns an Embedder talking to fake whose backoffs are
// recorded in the returned waits instead of slept.
func newTestEmbedder(t testing.TB, fake *fakeEmbeddings, cfg Config) (*Embedder, *waits) {
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
	e := NewEmbedder(cfg)
	w := &waits{}
	e.t.sleep = w.sleep
	return e, w
}

func apiError(w http.ResponseWriter, status int, msg string) bool {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"message":%q,"type":"test"}}`, msg)
	return true
}

func unitLength(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

func TestEmbedBatching(t *testing.T) {
	fake := &fakeEmbeddings{}
	e, _ := newTestEmbedder(t, fake, Config{BatchSize: 4, Concurrency: 1})
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
	if diff := cmp.Diff(fake.inputs, wantInputs); diff != "" {
		t.Errorf("batches mismatch (-got +want):\n%s", diff)
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

func TestEmbedConcurrencyBound(t *testing.T) {
	fake := &fakeEmbeddings{fail: func(int, http.ResponseWriter) bool {
		time.Sleep(5 * time.Millisecond) // let requests overlap
		return false
	}}
	e, _ := newTestEmbedder(t, fake, Config{BatchSize: 1, Concurrency: 2})
	texts := strings.Split("一二三四五六七八", "")
	var wg sync.WaitGroup
	for range 3 { // the bound holds across calls
		wg.Go(func() {
			if _, err := e.EmbedBatch(context.Background(), texts); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := fake.maxIn.Load(); got > 2 {
		t.Errorf("%d requests in flight, want at most 2", got)
	}
	if got := fake.calls.Load(); got != 24 {
		t.Errorf("%d requests, want 24", got)
	}
}

func TestEmbedSingle(t *testing.T) {
	fake := &fakeEmbeddings{model: "bge-m3", dim: 8, dimensions: 8}
	e, _ := newTestEmbedder(t, fake, Config{EmbedModel: "bge-m3", Dimensions: 8})
	v, err := e.Embed(context.Background(), "长江")
	if err != nil {
		t.Fatal(err)
	}
	if len(v) != 8 || math.Abs(unitLength(v)-1) > 1e-5 {
		t.Errorf("vector %v", v)
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

func TestEmbedErrors(t *testing.T) {
	raw := func(status int, body string) func(int, http.ResponseWriter) bool {
		return func(_ int, w http.ResponseWriter) bool {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			io.WriteString(w, body)
			return true
		}
	}
	tests := []struct {
		name       string
		fail       func(n int, w http.ResponseWriter) bool
		maxRetries int
		wantErr    string // substring; "" means success
		wantCalls  int32
		wantStatus int
		wantWait   time.Duration // the first backoff, when not 0
	}{
		{name: "429 with Retry-After seconds then success", fail: func(n int, w http.ResponseWriter) bool {
			if n == 1 {
				w.Header().Set("Retry-After", "3")
				return apiError(w, http.StatusTooManyRequests, "slow down")
			}
			return false
		}, wantCalls: 2, wantWait: 3 * time.Second},
		{name: "429 with Retry-After date then success", fail: func(n int, w http.ResponseWriter) bool {
			if n == 1 {
				w.Header().Set("Retry-After", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
				return apiError(w, http.StatusTooManyRequests, "slow down")
			}
			return false
		}, wantCalls: 2, wantWait: 30 * time.Second}, // capped by the default MaxBackoff
		{name: "persistent 500", fail: func(_ int, w http.ResponseWriter) bool { return apiError(w, 500, "boom") },
			maxRetries: 2, wantErr: "embed 2 texts with text-embedding-3-small after 3 attempts: status 500: boom", wantCalls: 3, wantStatus: 500},
		{name: "400 is not retried", fail: func(_ int, w http.ResponseWriter) bool { return apiError(w, 400, "bad input") },
			wantErr: "status 400: bad input", wantCalls: 1, wantStatus: 400},
		{name: "401 echoing the key is scrubbed", fail: func(_ int, w http.ResponseWriter) bool {
			return apiError(w, 401, "Incorrect API key provided: "+testAPIKey)
		}, wantErr: "Incorrect API key provided: REDACTED", wantCalls: 1, wantStatus: 401},
		{name: "malformed JSON", fail: raw(200, `{"data": [`),
			wantErr: "undecodable response", wantCalls: 1, wantStatus: 200},
		{name: "HTML error page", fail: raw(http.StatusBadGateway, "<html>502 Bad Gateway</html>"),
			maxRetries: 1, wantErr: "status 502: <html>502 Bad Gateway</html>", wantCalls: 2, wantStatus: 502},
		{name: "wrong number of embeddings", fail: raw(200, `{"data":[{"index":0,"embedding":[1,0]}]}`),
			wantErr: "1 embeddings for 2 texts", wantCalls: 1, wantStatus: 200},
		{name: "index twice", fail: raw(200, `{"data":[{"index":0,"embedding":[1,0]},{"index":0,"embedding":[0,1]}]}`),
			wantErr: "index 0 twice", wantCalls: 1, wantStatus: 200},
		{name: "index out of range", fail: raw(200, `{"data":[{"index":0,"embedding":[1,0]},{"index":5,"embedding":[0,1]}]}`),
			wantErr: "index 5 out of range", wantCalls: 1, wantStatus: 200},
		{name: "dimensions disagree", fail: raw(200, `{"data":[{"index":0,"embedding":[1,0]},{"index":1,"embedding":[0,1,2]}]}`),
			wantErr: "embedding 1 has 3 dimensions, want 2", wantCalls: 1, wantStatus: 200},
		{name: "zero vector", fail: raw(200, `{"data":[{"index":0,"embedding":[1,0]},{"index":1,"embedding":[0,0]}]}`),
			wantErr: "embedding 1 is zero or not finite", wantCalls: 1, wantStatus: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeEmbeddings{fail: tt.fail}
			e, w := newTestEmbedder(t, fake, Config{MaxRetries: tt.maxRetries})
			_, err := e.EmbedBatch(context.Background(), []string{"长江", "黄河"})
			if got := fake.calls.Load(); got != tt.wantCalls {
				t.Errorf("%d requests, want %d", got, tt.wantCalls)
			}
			if ws := w.all(); tt.wantWait != 0 && (len(ws) == 0 || ws[0] != tt.wantWait) {
				t.Errorf("backoffs %v, want the first %v", ws, tt.wantWait)
			}
			checkEmbedError(t, err, tt.wantErr, tt.wantStatus)
		})
	}
}

func checkEmbedError(t *testing.T, err error, want string, status int) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want %q", want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not contain %q", err, want)
	}
	if strings.Contains(err.Error(), testAPIKey) {
		t.Errorf("error contains the API key: %q", err)
	}
	var ee *EmbedError
	if !errors.As(err, &ee) {
		t.Fatalf("error %T is not an *EmbedError", err)
	}
	if ee.StatusCode != status {
		t.Errorf("StatusCode = %d, want %d", ee.StatusCode, status)
	}
}

// TestEmbedURLErrorScrubbed: a connection error names the URL; its query
// (where some servers take the key) and credentials must not leak.
func TestEmbedURLErrorScrubbed(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // connection refused from now on
	e := NewEmbedder(Config{
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
	if !errors.As(err, &ee) || ee.StatusCode != 0 || !ee.Retryable {
		t.Errorf("want a retryable *EmbedError without status, got %#v", err)
	}
}

func TestEmbedTimeoutAndCancel(t *testing.T) {
	release := make(chan struct{})
	fake := &fakeEmbeddings{fail: func(int, http.ResponseWriter) bool {
		<-release
		return false
	}}
	e, _ := newTestEmbedder(t, fake, Config{Timeout: 20 * time.Millisecond, MaxRetries: 1})
	defer close(release) // before the server closes: Cleanup runs later
	start := time.Now()
	_, err := e.Embed(context.Background(), "长江")
	if err == nil || !strings.Contains(err.Error(), "after 2 attempts") || !errors.Is(err, context.DeadlineExceeded) {
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

// TestEmbedWithChromem runs Embed as the EmbeddingFunc of a chromem-go
// collection, which trusts it to return unit vectors.
func TestEmbedWithChromem(t *testing.T) {
	fake := &fakeEmbeddings{dim: 4}
	e, _ := newTestEmbedder(t, fake, Config{})
	ctx := context.Background()
	col, err := chromem.NewDB().CreateCollection("t", nil, e.Embed)
	if err != nil {
		t.Fatal(err)
	}
	docs := []chromem.Document{{ID: "a", Content: "长"}, {ID: "b", Content: "长江黄河长城"}}
	if err := col.AddDocuments(ctx, docs, 1); err != nil {
		t.Fatal(err)
	}
	res, err := col.Query(ctx, "长江黄河长城", 1, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].ID != "b" || math.Abs(float64(res[0].Similarity)-1) > 1e-5 {
		t.Errorf("query result %+v, want b with similarity 1", res)
	}
}
