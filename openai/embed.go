package openai

import (
	"context"
	"fmt"
	"strings"

	"github.com/citebot/citebot/retrieval"
	goopenai "github.com/sashabaranov/go-openai"
	"golang.org/x/sync/errgroup"
)

// Embedder embeds text with an OpenAI-compatible /embeddings endpoint:
// batched, bounded in concurrency, retried with backoff, every vector
// L2-normalised. Its [Embedder.Embed] method value is a
// chromem.EmbeddingFunc; use [Embedder.EmbedBatch] for index builds. It is
// safe for concurrent use.
type Embedder struct {
	t   *transport
	sem chan struct{} // one slot per request in flight, across all calls
}

// NewEmbedder returns an embedder for cfg.EmbedModel, filling in the
// defaults listed on [Config]. It makes no request.
func NewEmbedder(cfg Config) *Embedder {
	t := newTransport(cfg, embedDefaults)
	if t.cfg.BatchSize <= 0 {
		t.cfg.BatchSize = 64
	}
	if t.cfg.Concurrency <= 0 {
		t.cfg.Concurrency = 4
	}
	return &Embedder{t: t, sem: make(chan struct{}, t.cfg.Concurrency)}
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
	// Retryable reports a transient failure (429, 5xx, network error,
	// attempt timeout) whose retries ran out.
	Retryable bool
	// Attempts is the number of requests made.
	Attempts int
	msg      string
	err      error
}

func (e *EmbedError) Error() string { return e.msg }

// Unwrap returns the context error that ended the request, if any.
func (e *EmbedError) Unwrap() error { return e.err }

// Embed returns the normalised embedding of text. Its method value is a
// chromem.EmbeddingFunc.
func (e *Embedder) Embed(ctx context.Context, text string) ([]float32, error) {
	vecs, err := e.EmbedBatch(ctx, []string{text})
	if err != nil {
		return nil, err
	}
	return vecs[0], nil
}

// EmbedBatch returns the normalised embeddings of texts, in order. It sends
// BatchSize texts per request, up to Concurrency requests at a time, and
// stops at the first failure, which is an *[EmbedError] unless a text is
// empty.
func (e *Embedder) EmbedBatch(ctx context.Context, texts []string) ([][]float32, error) {
	for i, t := range texts {
		if strings.TrimSpace(t) == "" {
			return nil, fmt.Errorf("embed: text %d is empty", i+1)
		}
	}
	out := make([][]float32, len(texts))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(e.t.cfg.Concurrency)
	for lo := 0; lo < len(texts); lo += e.t.cfg.BatchSize {
		hi := min(lo+e.t.cfg.BatchSize, len(texts))
		g.Go(func() error { return e.embedBatch(gctx, texts[lo:hi], out[lo:hi]) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

// embedBatch embeds one request's worth of texts into out, holding a
// semaphore slot through its attempts and backoffs.
func (e *Embedder) embedBatch(ctx context.Context, texts []string, out [][]float32) error {
	select {
	case e.sem <- struct{}{}:
	case <-ctx.Done():
		return &EmbedError{msg: e.subject(len(texts)) + ": " + ctx.Err().Error(), err: ctx.Err()}
	}
	defer func() { <-e.sem }()
	f := e.t.retry(ctx, func(ctx context.Context) (bool, error) {
		return false, e.embedOnce(ctx, texts, out)
	})
	if f == nil {
		return nil
	}
	return &EmbedError{
		StatusCode: f.status,
		Retryable:  f.retryable,
		Attempts:   f.attempts,
		msg:        f.message(e.subject(len(texts))),
		err:        f.ctxErr,
	}
}

func (e *Embedder) subject(n int) string {
	return fmt.Sprintf("embed %d texts with %s", n, e.t.cfg.EmbedModel)
}

// embedOnce makes one request and fills out with the normalised vectors,
// checking that the response has one vector of one dimension per text.
func (e *Embedder) embedOnce(ctx context.Context, texts []string, out [][]float32) error {
	resp, err := e.t.client.CreateEmbeddings(ctx, goopenai.EmbeddingRequestStrings{
		Input:      texts,
		Model:      goopenai.EmbeddingModel(e.t.cfg.EmbedModel),
		Dimensions: e.t.cfg.Dimensions,
	})
	if err != nil {
		return err
	}
	if len(resp.Data) != len(texts) {
		return fmt.Errorf("%w: %d embeddings for %d texts", errBadResponse, len(resp.Data), len(texts))
	}
	vecs := make([][]float32, len(texts))
	dim := len(resp.Data[0].Embedding)
	for _, d := range resp.Data {
		switch {
		case d.Index < 0 || d.Index >= len(texts):
			return fmt.Errorf("%w: index %d out of range", errBadResponse, d.Index)
		case vecs[d.Index] != nil:
			return fmt.Errorf("%w: index %d twice", errBadResponse, d.Index)
		case len(d.Embedding) == 0 || len(d.Embedding) != dim:
			return fmt.Errorf("%w: embedding %d has %d dimensions, want %d", errBadResponse, d.Index, len(d.Embedding), dim)
		case !retrieval.Normalize(d.Embedding):
			return fmt.Errorf("%w: embedding %d is zero or not finite", errBadResponse, d.Index)
		}
		vecs[d.Index] = d.Embedding
	}
	copy(out, vecs)
	return nil
}
