package retrieval

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
	"time"

	"github.com/sashabaranov/go-openai"
	"golang.org/x/sync/errgroup"
)

// OpenAIEmbedConfig configures an [OpenAIEmbedder]. Every field but APIKey
// (for servers that need one) has a usable zero value.
type OpenAIEmbedConfig struct {
	// BaseURL is the API root of any OpenAI-compatible server, e.g.
	// "http://localhost:11434/v1" (default "https://api.openai.com/v1").
	BaseURL string
	// Model is the embedding model (default "text-embedding-3-small").
	Model string
	// APIKey is sent as a bearer token; empty sends none. It never appears
	// in an error or a log line.
	APIKey string
	// Dimensions asks text-embedding-3 models for shorter vectors (0: the
	// model's own).
	Dimensions int
	// BatchSize is the most texts sent in one request (default 64).
	BatchSize int
	// Concurrency bounds the requests in flight across all calls
	// (default 4).
	Concurrency int
	// Timeout bounds one attempt (default 30 s).
	Timeout time.Duration
	// MaxRetries is how many times a request is retried on 429, 5xx,
	// network errors and attempt timeouts (default 3; negative means none).
	MaxRetries int
	// Backoff is the delay before the first retry, doubled for each further
	// one, with jitter, and raised to the server's Retry-After (default
	// 500 ms). MaxBackoff caps it (default 30 s).
	Backoff, MaxBackoff time.Duration
	// HTTPClient sends the requests (default a plain *http.Client; the
	// timeout comes from Timeout).
	HTTPClient openai.HTTPDoer
}

// LogValue implements slog.LogValuer: the configuration without the key.
func (c OpenAIEmbedConfig) LogValue() slog.Value {
	key := ""
	if c.APIKey != "" {
		key = "REDACTED"
	}
	return slog.GroupValue(
		slog.String("base_url", c.BaseURL),
		slog.String("model", c.Model),
		slog.String("api_key", key),
		slog.Int("batch_size", c.BatchSize),
		slog.Duration("timeout", c.Timeout),
		slog.Int("max_retries", c.MaxRetries),
	)
}

// OpenAIEmbedder embeds text with an OpenAI-compatible /embeddings endpoint
// through go-openai: batched, bounded in concurrency, retried with
// exponential backoff, every vector L2-normalised. Use [OpenAIEmbedder.Embed]
// as a chromem.EmbeddingFunc and [OpenAIEmbedder.EmbedBatch] for builds. It
// is safe for concurrent use.
type OpenAIEmbedder struct {
	cfg    OpenAIEmbedConfig
	client *openai.Client
	sem    chan struct{}
}

// NewOpenAIEmbedder returns an embedder for cfg, filling in defaults. It
// makes no request.
func NewOpenAIEmbedder(cfg OpenAIEmbedConfig) *OpenAIEmbedder {
	if cfg.Model == "" {
		cfg.Model = string(openai.SmallEmbedding3)
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 64
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 4
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = 3
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 500 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 30 * time.Second
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	if cfg.BaseURL != "" {
		oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	}
	oc.HTTPClient = responseInfoDoer{next: cfg.HTTPClient}
	return &OpenAIEmbedder{
		cfg:    cfg,
		client: openai.NewClientWithConfig(oc),
		sem:    make(chan struct{}, cfg.Concurrency),
	}
}

// EmbedError is the error of a failed embedding request. Its message is
// scrubbed of the API key and of URL credentials and queries; it unwraps
// only to context.Canceled or context.DeadlineExceeded, when one of those
// ended the request.
type EmbedError struct {
	// StatusCode is the HTTP status of the last response, 0 when none
	// arrived (network error, timeout); 200 when the response was
	// unusable (undecodable or inconsistent).
	StatusCode int
	// Attempts is the number of requests made.
	Attempts int
	msg      string
	ctxErr   error
}

func (e *EmbedError) Error() string { return e.msg }

// Unwrap returns the context error that ended the request, if any.
func (e *EmbedError) Unwrap() error { return e.ctxErr }

// Embed returns the normalised embedding of text. Its method value is a
// chromem.EmbeddingFunc.
func (e *OpenAIEmbedder) Embed(ctx context.Context, text string) ([]float32, error) {
	vecs, err := e.EmbedBatch(ctx, []string{text})
	if err != nil {
		return nil, err
	}
	return vecs[0], nil
}

// EmbedBatch returns the normalised embeddings of texts, in order. It sends
// BatchSize texts per request, up to Concurrency requests at a time, and
// stops at the first failure.
func (e *OpenAIEmbedder) EmbedBatch(ctx context.Context, texts []string) ([][]float32, error) {
	for i, t := range texts {
		if strings.TrimSpace(t) == "" {
			return nil, fmt.Errorf("embed: text %d is empty", i+1)
		}
	}
	out := make([][]float32, len(texts))
	if len(texts) == 0 {
		return out, nil
	}
	if len(texts) <= e.cfg.BatchSize {
		vecs, err := e.embedWithRetry(ctx, texts)
		if err != nil {
			return nil, err
		}
		copy(out, vecs)
		return out, nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(e.cfg.Concurrency)
	for lo := 0; lo < len(texts); lo += e.cfg.BatchSize {
		hi := min(lo+e.cfg.BatchSize, len(texts))
		g.Go(func() error {
			vecs, err := e.embedWithRetry(gctx, texts[lo:hi])
			if err != nil {
				return err
			}
			copy(out[lo:hi], vecs)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

// embedWithRetry sends one batch, retrying transient failures.
func (e *OpenAIEmbedder) embedWithRetry(ctx context.Context, texts []string) ([][]float32, error) {
	for attempt := 1; ; attempt++ {
		vecs, info, err := e.embedOnce(ctx, texts)
		if err == nil {
			return vecs, nil
		}
		ee := e.describe(err, info, attempt, len(texts))
		if ctx.Err() != nil {
			ee.ctxErr = ctx.Err()
			return nil, ee
		}
		if !retryable(err, info) || attempt > e.cfg.MaxRetries {
			return nil, ee
		}
		wait := e.backoff(attempt, info.retryAfter)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			ee.ctxErr = ctx.Err()
			ee.msg += " (canceled while waiting to retry)"
			return nil, ee
		case <-t.C:
		}
	}
}

// errBadResponse marks a response that arrived but is unusable.
var errBadResponse = errors.New("bad embeddings response")

// embedOnce makes one request under the semaphore and the attempt timeout.
func (e *OpenAIEmbedder) embedOnce(ctx context.Context, texts []string) ([][]float32, *responseInfo, error) {
	info := &responseInfo{}
	select {
	case e.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, info, ctx.Err()
	}
	defer func() { <-e.sem }()
	actx, cancel := context.WithTimeout(context.WithValue(ctx, responseInfoKey{}, info), e.cfg.Timeout)
	defer cancel()
	resp, err := e.client.CreateEmbeddings(actx, openai.EmbeddingRequestStrings{
		Input:      texts,
		Model:      openai.EmbeddingModel(e.cfg.Model),
		Dimensions: e.cfg.Dimensions,
	})
	if err != nil {
		return nil, info, err
	}
	if len(resp.Data) != len(texts) {
		return nil, info, fmt.Errorf("%w: %d embeddings for %d texts", errBadResponse, len(resp.Data), len(texts))
	}
	vecs := make([][]float32, len(texts))
	dim := len(resp.Data[0].Embedding)
	for _, d := range resp.Data {
		switch {
		case d.Index < 0 || d.Index >= len(texts):
			return nil, info, fmt.Errorf("%w: index %d out of range", errBadResponse, d.Index)
		case vecs[d.Index] != nil:
			return nil, info, fmt.Errorf("%w: index %d twice", errBadResponse, d.Index)
		case len(d.Embedding) == 0 || len(d.Embedding) != dim:
			return nil, info, fmt.Errorf("%w: embedding %d has %d dimensions, want %d", errBadResponse, d.Index, len(d.Embedding), dim)
		}
		v := d.Embedding
		if !normalizeInPlace(v) {
			return nil, info, fmt.Errorf("%w: embedding %d is zero or not finite", errBadResponse, d.Index)
		}
		vecs[d.Index] = v
	}
	return vecs, info, nil
}

// retryable reports whether a failed attempt is worth repeating: 429 and
// 5xx responses, network errors and attempt timeouts. Client errors and
// undecodable or inconsistent responses are not.
func retryable(err error, info *responseInfo) bool {
	if info.status != 0 {
		return info.status == http.StatusTooManyRequests || info.status >= 500
	}
	if errors.Is(err, errBadResponse) || errors.Is(err, context.Canceled) {
		return false
	}
	if _, ok := errors.AsType[*url.Error](err); ok {
		return true // connection refused, reset, attempt timeout
	}
	return errors.Is(err, context.DeadlineExceeded)
}

// describe turns a failed attempt into a scrubbed EmbedError.
func (e *OpenAIEmbedder) describe(err error, info *responseInfo, attempt, n int) *EmbedError {
	ee := &EmbedError{StatusCode: info.status, Attempts: attempt}
	var detail string
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	var urlErr *url.Error
	switch {
	case errors.Is(err, errBadResponse):
		detail = err.Error()
	case errors.As(err, &apiErr):
		detail = fmt.Sprintf("status %d: %s", apiErr.HTTPStatusCode, apiErr.Message)
	case errors.As(err, &reqErr):
		if reqErr.HTTPStatusCode != 0 {
			detail = fmt.Sprintf("status %d: %s", reqErr.HTTPStatusCode, truncate(string(reqErr.Body), 200))
		} else {
			detail = fmt.Sprintf("undecodable response: %v", reqErr.Err)
		}
	case errors.As(err, &urlErr):
		detail = fmt.Sprintf("%s %s: %v", urlErr.Op, redactURL(urlErr.URL), urlErr.Err)
	case info.status == http.StatusOK:
		detail = fmt.Sprintf("undecodable response: %v", err)
	default:
		detail = err.Error()
	}
	tries := ""
	if attempt > 1 {
		tries = fmt.Sprintf(" after %d attempts", attempt)
	}
	ee.msg = e.scrub(fmt.Sprintf("embed %d texts with %s%s: %s", n, e.cfg.Model, tries, detail))
	return ee
}

// scrub removes the API key from s.
func (e *OpenAIEmbedder) scrub(s string) string {
	if e.cfg.APIKey != "" {
		s = strings.ReplaceAll(s, e.cfg.APIKey, "REDACTED")
	}
	return s
}

// redactURL drops credentials, query and fragment from a URL string.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(url)"
	}
	u.User = nil
	u.RawQuery, u.Fragment = "", ""
	return u.String()
}

func truncate(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

func (e *OpenAIEmbedder) backoff(attempt int, retryAfter time.Duration) time.Duration {
	d := e.cfg.Backoff << (attempt - 1)
	d += time.Duration(rand.Int64N(int64(d)/4 + 1))
	d = max(d, retryAfter)
	return min(d, e.cfg.MaxBackoff)
}

// responseInfo carries what go-openai does not expose from a response: the
// status and the Retry-After header. responseInfoDoer fills it in.
type responseInfo struct {
	status     int
	retryAfter time.Duration
}

type responseInfoKey struct{}

// responseInfoDoer records each response's status and Retry-After in the
// *responseInfo found in the request's context.
type responseInfoDoer struct{ next openai.HTTPDoer }

func (d responseInfoDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.next.Do(req)
	if info, ok := req.Context().Value(responseInfoKey{}).(*responseInfo); ok && resp != nil {
		info.status = resp.StatusCode
		info.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return resp, err
}

// parseRetryAfter reads a Retry-After header: seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(s, 0)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}
