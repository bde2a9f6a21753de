package answer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// OpenAIConfig configures an [OpenAIModel]. The zero value of every field
// but Model is usable.
type OpenAIConfig struct {
	// BaseURL is the API root of any OpenAI-compatible server, e.g.
	// "http://localhost:11434/v1" (default "https://api.openai.com/v1").
	BaseURL string
	// Model is the model name sent with every request.
	Model string
	// APIKey is sent as a bearer token; empty sends none. It never appears
	// in an error or a log line.
	APIKey string
	// Timeout bounds one attempt, a whole stream included (default 60 s).
	Timeout time.Duration
	// MaxRetries is how many times a failed request is retried on 429, 5xx
	// and network errors, and only while no text has been delivered
	// (default 2; negative means none).
	MaxRetries int
	// HTTPClient sends the requests (default a plain *http.Client; the
	// timeout comes from Timeout).
	HTTPClient openai.HTTPDoer
	// Stream asks for a streamed (server-sent events) completion.
	Stream bool
	// Backoff is the delay before the first retry, doubled for each further
	// one, with jitter, and raised to a server's Retry-After (default
	// 500 ms). MaxBackoff caps it (default 10 s).
	Backoff    time.Duration
	MaxBackoff time.Duration
	// MaxTokens caps the completion length (0: the server's default).
	MaxTokens int
}

// LogValue implements slog.LogValuer: the configuration without the key.
func (c OpenAIConfig) LogValue() slog.Value {
	key := ""
	if c.APIKey != "" {
		key = "REDACTED"
	}
	return slog.GroupValue(
		slog.String("base_url", c.BaseURL),
		slog.String("model", c.Model),
		slog.String("api_key", key),
		slog.Duration("timeout", c.Timeout),
		slog.Int("max_retries", c.MaxRetries),
		slog.Bool("stream", c.Stream),
	)
}

// OpenAIModel is a [ChatModel] backed by an OpenAI-compatible
// /chat/completions endpoint through go-openai. Requests are sent with
// temperature 0. It is safe for concurrent use.
type OpenAIModel struct {
	cfg    OpenAIConfig
	client *openai.Client
}

// NewOpenAIModel returns a model client for cfg, filling in defaults.
func NewOpenAIModel(cfg OpenAIConfig) *OpenAIModel {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 60 * time.Second
	}
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = 2
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 500 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 10 * time.Second
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	if cfg.BaseURL != "" {
		oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	}
	oc.HTTPClient = temperatureDoer{next: cfg.HTTPClient}
	return &OpenAIModel{cfg: cfg, client: openai.NewClientWithConfig(oc)}
}

// Complete implements [ChatModel]. It retries 429, 5xx and network errors
// with backoff while no text has been passed to onDelta; after that an error
// returns the text received so far with a *[ModelError].
func (m *OpenAIModel) Complete(ctx context.Context, msgs []Message, onDelta func(string)) (string, error) {
	req := openai.ChatCompletionRequest{
		Model:     m.cfg.Model,
		MaxTokens: m.cfg.MaxTokens,
		// Temperature 0 is dropped by go-openai's omitempty; temperatureDoer
		// puts it back into the body.
		Temperature: 0,
	}
	for _, msg := range msgs {
		req.Messages = append(req.Messages, openai.ChatCompletionMessage{Role: string(msg.Role), Content: msg.Content})
	}
	for attempt := 1; ; attempt++ {
		info := &responseInfo{}
		text, delivered, err := m.attempt(context.WithValue(ctx, responseInfoKey{}, info), req, onDelta)
		if err == nil {
			return text, nil
		}
		merr := m.wrap(ctx, err, info, attempt)
		if delivered || !merr.Retryable || attempt > m.cfg.MaxRetries || ctx.Err() != nil {
			return text, merr
		}
		wait := m.backoff(attempt, info.retryAfter)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return "", m.wrap(ctx, ctx.Err(), info, attempt)
		case <-t.C:
		}
	}
}

// attempt makes one request. delivered reports whether any text reached
// onDelta.
func (m *OpenAIModel) attempt(ctx context.Context, req openai.ChatCompletionRequest, onDelta func(string)) (text string, delivered bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()
	if !m.cfg.Stream {
		resp, err := m.client.CreateChatCompletion(ctx, req)
		if err != nil {
			return "", false, err
		}
		if len(resp.Choices) == 0 {
			return "", false, nil
		}
		text = resp.Choices[0].Message.Content
		if onDelta != nil && text != "" {
			onDelta(text)
		}
		return text, text != "", nil
	}
	stream, err := m.client.CreateChatCompletionStream(ctx, req)
	if err != nil {
		return "", false, err
	}
	defer stream.Close()
	var b strings.Builder
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return b.String(), b.Len() > 0, nil
		}
		if err != nil {
			return b.String(), b.Len() > 0, err
		}
		if len(resp.Choices) == 0 {
			continue
		}
		if d := resp.Choices[0].Delta.Content; d != "" {
			b.WriteString(d)
			if onDelta != nil {
				onDelta(d)
			}
		}
	}
}

// wrap turns an error from go-openai or the transport into a *ModelError
// with a scrubbed message.
func (m *OpenAIModel) wrap(ctx context.Context, err error, info *responseInfo, attempt int) *ModelError {
	e := &ModelError{Attempts: attempt}
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	switch {
	case errors.As(err, &apiErr):
		e.StatusCode = apiErr.HTTPStatusCode
		e.Message = fmt.Sprintf("status %d: %s", apiErr.HTTPStatusCode, apiErr.Message)
	case errors.As(err, &reqErr):
		e.StatusCode = reqErr.HTTPStatusCode
		e.Message = fmt.Sprintf("status %d", reqErr.HTTPStatusCode)
	case errors.Is(err, context.Canceled):
		e.Message, e.Err = "request canceled", context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		e.Message, e.Err = "request timed out", context.DeadlineExceeded
		if ctx.Err() == nil {
			e.Message = fmt.Sprintf("request timed out after %s", m.cfg.Timeout)
		}
	default:
		var netErr net.Error
		e.Message = err.Error()
		e.Retryable = errors.As(err, &netErr) || errors.Is(err, io.ErrUnexpectedEOF)
	}
	if e.StatusCode == 0 && info.status >= 400 && e.Err == nil {
		e.StatusCode = info.status
	}
	if e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500 {
		e.Retryable = true
	} else if e.StatusCode >= 400 {
		e.Retryable = false
	}
	e.Message = m.scrub(e.Message)
	return e
}

// scrub removes the API key and URL credentials from s.
func (m *OpenAIModel) scrub(s string) string {
	if m.cfg.APIKey != "" {
		s = strings.ReplaceAll(s, m.cfg.APIKey, "REDACTED")
	}
	return s
}

func (m *OpenAIModel) backoff(attempt int, retryAfter time.Duration) time.Duration {
	d := m.cfg.Backoff << (attempt - 1)
	d += time.Duration(rand.Int64N(int64(d)/4 + 1))
	d = max(d, retryAfter)
	return min(d, m.cfg.MaxBackoff)
}

// responseInfo carries what go-openai does not expose from a response: the
// status and the Retry-After header. temperatureDoer fills it in.
type responseInfo struct {
	status     int
	retryAfter time.Duration
}

type responseInfoKey struct{}

// temperatureDoer wraps the HTTP client: it adds "temperature":0 to chat
// completion request bodies that lack a temperature (go-openai omits a zero
// float) and records the response status and Retry-After header.
type temperatureDoer struct{ next openai.HTTPDoer }

func (d temperatureDoer) Do(req *http.Request) (*http.Response, error) {
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
		info.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"))
	}
	return resp, err
}

// withZeroTemperature returns body with "temperature":0 added when body is a
// JSON object without a temperature; any other body is returned unchanged.
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

// parseRetryAfter reads a Retry-After header in seconds (dates are ignored).
func parseRetryAfter(v string) time.Duration {
	secs, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || secs < 0 {
		return 0
	}
	return time.Duration(secs) * time.Second
}
