// Package openai adapts any OpenAI-compatible server (OpenAI, Ollama, vLLM,
// llama.cpp server, DeepSeek, Qwen) to citebot: [Chat] is an
// answer.ChatModel over /chat/completions and [Embedder] embeds text over
// /embeddings. Both share one [Config] and one transport: defaults, a retry
// loop with jittered exponential backoff raised to the server's
// Retry-After, and error messages scrubbed of the API key and of URL
// credentials. It is the only package that imports go-openai.
package openai

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/citebot/citebot/config"
	"github.com/citebot/citebot/config/backoff"
	"github.com/citebot/citebot/config/redact"
	goopenai "github.com/sashabaranov/go-openai"
)

// HTTPDoer sends an HTTP request; *http.Client is one. Test fakes and
// instrumented clients plug in here. It must be safe for concurrent use.
type HTTPDoer interface {
	Do(req *http.Request) (*http.Response, error)
}

// Config configures a [Chat] (see [NewChat]) and an [Embedder] (see
// [NewEmbedder]); one value can build both. Every field but Model (for a
// Chat) has a usable zero value; a default that differs between the two is
// written "chat/embed".
type Config struct {
	// BaseURL is the API root, e.g. "http://localhost:11434/v1" (default
	// "https://api.openai.com/v1").
	BaseURL string
	// APIKey is sent as a bearer token; empty sends none. It never appears
	// in an error or in [Config.LogValue].
	APIKey config.Secret
	// Model is the chat model, required by [NewChat].
	Model string
	// EmbedModel is the embedding model (default "text-embedding-3-small").
	EmbedModel string
	// Timeout bounds one attempt, a whole stream included (default
	// 60 s/30 s).
	Timeout time.Duration
	// MaxRetries is how many times a failed request is retried on 429, 5xx
	// and network errors (default 2/3; negative means none). A Chat does
	// not retry once text has been delivered, nor after an attempt timed
	// out; an Embedder does retry attempt timeouts.
	MaxRetries int
	// Backoff is the delay before the first retry, doubled for each further
	// one, with jitter, and raised to the server's Retry-After (default
	// 500 ms). MaxBackoff caps it (default 10 s/30 s).
	Backoff, MaxBackoff time.Duration
	// HTTPClient sends the requests (default a plain *http.Client; the
	// timeout comes from Timeout).
	HTTPClient HTTPDoer

	// Stream asks a Chat for a streamed (server-sent events) completion.
	Stream bool
	// MaxCompletionTokens caps a Chat's completion length (0: the server's
	// default).
	MaxCompletionTokens int

	// Dimensions asks text-embedding-3 models for shorter vectors (0: the
	// model's own).
	Dimensions int
	// BatchSize is the most texts an Embedder sends in one request
	// (default 64).
	BatchSize int
	// Concurrency bounds an Embedder's requests in flight across all calls
	// (default 4).
	Concurrency int
}

// LogValue implements slog.LogValuer: the configuration with the key
// REDACTED and the base URL's credentials and query values too
// ([redact.URL]).
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("base_url", redact.URL(c.BaseURL)),
		slog.Any("api_key", c.APIKey),
		slog.String("model", c.Model),
		slog.String("embed_model", c.EmbedModel),
		slog.Duration("timeout", c.Timeout),
		slog.Int("max_retries", c.MaxRetries),
		slog.Bool("stream", c.Stream),
		slog.Int("batch_size", c.BatchSize),
	)
}

// defaults are the values a constructor fills into a zero Config field,
// and its retry policy for attempt timeouts.
type defaults struct {
	timeout       time.Duration
	maxRetries    int
	maxBackoff    time.Duration
	retryTimeouts bool
}

var (
	chatDefaults  = defaults{timeout: 60 * time.Second, maxRetries: 2, maxBackoff: 10 * time.Second}
	embedDefaults = defaults{timeout: 30 * time.Second, maxRetries: 3, maxBackoff: 30 * time.Second, retryTimeouts: true}
)

func (c Config) withDefaults(d defaults) Config {
	if c.Timeout <= 0 {
		c.Timeout = d.timeout
	}
	switch {
	case c.MaxRetries == 0:
		c.MaxRetries = d.maxRetries
	case c.MaxRetries < 0:
		c.MaxRetries = 0
	}
	if c.Backoff <= 0 {
		c.Backoff = 500 * time.Millisecond
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = d.maxBackoff
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{}
	}
	if c.EmbedModel == "" {
		c.EmbedModel = string(goopenai.SmallEmbedding3)
	}
	return c
}

// transport is the part a Chat and an Embedder share: the go-openai client
// behind the capturing doer, the retry loop and the error description. It
// is safe for concurrent use.
type transport struct {
	cfg           Config
	client        *goopenai.Client
	scrub         redact.Scrubber // of the secrets of cfg (secretsOf)
	retryTimeouts bool
	// sleep waits d or until ctx is done; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
}

func newTransport(cfg Config, d defaults) *transport {
	cfg = cfg.withDefaults(d)
	oc := goopenai.DefaultConfig(cfg.APIKey.Reveal())
	if cfg.BaseURL != "" {
		oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	}
	oc.HTTPClient = captureDoer{next: cfg.HTTPClient}
	return &transport{
		cfg:           cfg,
		client:        goopenai.NewClientWithConfig(oc),
		scrub:         redact.New(secretsOf(cfg)...),
		retryTimeouts: d.retryTimeouts,
		sleep:         backoff.Sleep,
	}
}

// failure describes a failed request: the last attempt's outcome and how
// many attempts were made. detail is already scrubbed.
type failure struct {
	status    int
	retryable bool
	attempts  int
	detail    string
	ctxErr    error
}

// message returns "subject[ after N attempts]: detail".
func (f *failure) message(subject string) string {
	if f.attempts > 1 {
		subject += fmt.Sprintf(" after %d attempts", f.attempts)
	}
	return subject + ": " + f.detail
}

// retry runs op, each attempt under Timeout, until it succeeds or fails
// for good: a failure that is not retryable, MaxRetries retries spent, ctx
// done, or op reporting that it already delivered output (sent), which
// must not be repeated. It waits a jittered, growing backoff, raised to the
// server's Retry-After, between attempts. It returns nil on success.
func (t *transport) retry(ctx context.Context, op func(ctx context.Context) (sent bool, err error)) *failure {
	for attempt := 1; ; attempt++ {
		info := &responseInfo{}
		actx, cancel := context.WithTimeout(context.WithValue(ctx, responseInfoKey{}, info), t.cfg.Timeout)
		sent, err := op(actx)
		timedOut := errors.Is(actx.Err(), context.DeadlineExceeded)
		cancel()
		if err == nil {
			return nil
		}
		f := t.classify(err, info, ctx.Err(), timedOut)
		f.attempts = attempt
		if sent || !f.retryable || attempt > t.cfg.MaxRetries || ctx.Err() != nil {
			return f
		}
		if err := t.sleep(ctx, t.backoff(attempt, info.retryAfter)); err != nil {
			f.ctxErr = err
			f.detail += " (" + err.Error() + " while waiting to retry)"
			return f
		}
	}
}

// backoff returns the wait before retry number attempt: Backoff doubled
// per earlier retry plus up to 25% jitter, raised to retryAfter, capped at
// MaxBackoff.
func (t *transport) backoff(attempt int, retryAfter time.Duration) time.Duration {
	d := backoff.Policy{First: t.cfg.Backoff, Max: t.cfg.MaxBackoff, More: 0.25}.Wait(attempt)
	return min(max(d, retryAfter), t.cfg.MaxBackoff)
}

var (
	// errBadResponse marks a response that arrived but is unusable.
	errBadResponse = errors.New("bad response")
	// errStreamCut marks a stream that failed after it began.
	errStreamCut = errors.New("stream cut")
)

// classify describes one failed attempt. parentErr is the caller's
// context error; timedOut reports that the attempt's own timeout expired.
func (t *transport) classify(err error, info *responseInfo, parentErr error, timedOut bool) *failure {
	f := &failure{status: info.status}
	var apiErr *goopenai.APIError
	var reqErr *goopenai.RequestError
	var urlErr *url.Error
	switch {
	case parentErr != nil:
		f.detail, f.ctxErr = "request ended: "+parentErr.Error(), parentErr
	case timedOut:
		f.detail, f.ctxErr = fmt.Sprintf("attempt timed out after %s", t.cfg.Timeout), context.DeadlineExceeded
		f.retryable = t.retryTimeouts
	case errors.Is(err, errBadResponse):
		f.detail = err.Error()
	case errors.As(err, &apiErr):
		f.detail = fmt.Sprintf("status %d: %s", apiErr.HTTPStatusCode, apiErr.Message)
		f.status = cmp.Or(f.status, apiErr.HTTPStatusCode)
	case errors.As(err, &reqErr) && reqErr.HTTPStatusCode != 0:
		f.detail = fmt.Sprintf("status %d: %s", reqErr.HTTPStatusCode, truncate(string(reqErr.Body), 200))
		f.status = cmp.Or(f.status, reqErr.HTTPStatusCode)
	case errors.As(err, &urlErr):
		f.detail = fmt.Sprintf("%s %s: %v", urlErr.Op, redact.URL(urlErr.URL), urlErr.Err)
		f.retryable = transient(urlErr.Err)
	case errors.Is(err, errStreamCut):
		f.detail = err.Error()
		f.retryable = transient(err)
	case info.status == http.StatusOK:
		f.detail = fmt.Sprintf("undecodable response: %v", err)
	default:
		f.detail = err.Error()
		f.retryable = transient(err)
	}
	if f.status >= 400 {
		f.retryable = f.status == http.StatusTooManyRequests || f.status >= 500
	}
	f.detail = t.scrub.String(f.detail)
	return f
}

// transient reports a network failure worth another attempt: a refused,
// reset or cut connection. (*url.Error is itself a net.Error, so pass what
// it wraps.)
func transient(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// secretsOf lists the strings no error may show: the API key and the
// credentials and query values of the base URL.
func secretsOf(cfg Config) []string {
	var out []string
	if cfg.APIKey != "" {
		out = append(out, cfg.APIKey.Reveal())
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return out
	}
	if u.User != nil {
		if p, ok := u.User.Password(); ok {
			out = append(out, p)
		} else {
			out = append(out, u.User.Username())
		}
	}
	for _, vs := range u.Query() {
		out = append(out, vs...)
	}
	// Short values (flags like "v=1") are no secrets and would blank out
	// innocent text.
	kept := out[:0]
	for _, s := range out {
		if s == cfg.APIKey.Reveal() || len(s) >= 6 {
			kept = append(kept, s)
		}
	}
	return kept
}

// truncate shortens s to at most n bytes, on a rune boundary.
func truncate(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "..."
}

// responseInfo carries what go-openai does not expose from a failed
// response: its status and Retry-After header. captureDoer fills in the one
// found in the request's context.
type responseInfo struct {
	status     int
	retryAfter time.Duration
}

type responseInfoKey struct{}

// captureDoer wraps the HTTP client: it records each response's status and
// Retry-After in the request context's *responseInfo, and adds
// "temperature":0 to chat completion bodies that lack a temperature
// (go-openai's omitempty drops a zero float, so the server's default would
// apply).
type captureDoer struct{ next HTTPDoer }

func (d captureDoer) Do(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/chat/completions") && req.Body != nil {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("read request body: %w", err)
		}
		body = withZeroTemperature(body)
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		req.ContentLength = int64(len(body))
	}
	resp, err := d.next.Do(req)
	if info, ok := req.Context().Value(responseInfoKey{}).(*responseInfo); ok && resp != nil {
		info.status = resp.StatusCode
		info.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return resp, err
}

// withZeroTemperature returns body with "temperature":0 added when body is
// a JSON object without a temperature; any other body is returned
// unchanged.
func withZeroTemperature(body []byte) []byte {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return body
	}
	if _, ok := fields["temperature"]; ok {
		return body
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	rest := bytes.TrimLeft(trimmed[1:], " \t\r\n")
	out := []byte(`{"temperature":0`)
	if len(rest) > 0 && rest[0] != '}' {
		out = append(out, ',')
	}
	return append(out, rest...)
}

// maxRetryAfter bounds a parsed Retry-After so that it cannot overflow a
// time.Duration; MaxBackoff caps the actual wait far below it.
const maxRetryAfter = time.Duration(math.MaxInt64)

// parseRetryAfter reads a Retry-After header, in delay-seconds or as an
// HTTP date relative to now. It returns 0 for an empty, negative, past or
// unreadable value, and never a negative duration.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		switch {
		case s <= 0:
			return 0
		case s > int64(maxRetryAfter/time.Second):
			return maxRetryAfter
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}
