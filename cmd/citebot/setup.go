package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/answer/plain"
	"github.com/citebot/citebot/bot/metrics"
	"github.com/citebot/citebot/cmd/citebot/internal/progress"
	"github.com/citebot/citebot/config"
	"github.com/citebot/citebot/library"
	"github.com/citebot/citebot/openai"
	"github.com/citebot/citebot/retrieval"
	"github.com/citebot/citebot/retrieval/document"
	"github.com/citebot/citebot/retrieval/extract"
)

// command is what every subcommand shares: parsed configuration, a logger
// and its remaining arguments.
type command struct {
	cfg    config.Config
	log    *slog.Logger
	args   []string
	stderr io.Writer
}

// parse builds the configuration of the subcommand name run with args
// (see [config.Load]); extra defines the subcommand's own flags.
func parse(name string, args []string, getenv func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (*command, error) {
	cmd := commandNamed(name)
	cmd.Flags = extra
	cfg, pos, err := config.Load(cmd, args, getenv, stderr)
	if err != nil {
		return nil, err
	}
	return &command{cfg: cfg, log: cfg.Logger(stderr), args: pos, stderr: stderr}, nil
}

// openIndex loads the configured documents and builds or loads their index.
func (c *command) openIndex(ctx context.Context) (*retrieval.Index, retrieval.BuildStats, error) {
	docs, err := progress.Load(ctx, c.limits(), c.cfg.Docs, c.stderr)
	if err != nil {
		return nil, retrieval.BuildStats{}, err
	}
	return c.buildIndex(ctx, c.cfg.DataDir, docs)
}

// limits returns the document limits of the configuration; the vector
// size of a remote embedder is left to document.AssumedVectorDims.
func (c *command) limits() document.Limits {
	l := document.Limits{
		MaxPassages:     c.cfg.MaxPassagesPerDocument,
		MemoryBudget:    int64(c.cfg.MemoryBudgetMB) << 20,
		MaxPassageRunes: c.cfg.MaxPassageRunes,
		Extractor:       extract.New(c.cfg.DataDir, c.cfg.OCRLanguageList()),
	}
	if c.cfg.Embedder != "openai" {
		l.VectorDims = c.cfg.EmbedDim
	}
	return l
}

// buildIndex builds or loads the index of docs with the configured embedder.
func (c *command) buildIndex(ctx context.Context, dir string, docs []*document.Document) (*retrieval.Index, retrieval.BuildStats, error) {
	opts := retrieval.Options{
		DataDir:         dir,
		MaxPassageRunes: c.cfg.MaxPassageRunes,
		VectorWeight:    c.cfg.VectorWeight,
		Logger:          c.log,
		Progress:        plain.ProgressBar(c.stderr),
	}
	if c.cfg.Embedder == "openai" {
		e := openai.NewEmbedder(c.openAIConfig())
		opts.Embedder, opts.BatchEmbedder = e.Embed, e.EmbedBatch
		// The server is part of the key: the same model name on another
		// server must not reuse these vectors.
		opts.EmbedderID = "openai:" + c.cfg.OpenAIBaseURL + "|" + c.cfg.EmbedModel
	} else {
		opts.Embedder = retrieval.LocalEmbedder(c.cfg.EmbedDim)
		opts.EmbedderID = retrieval.LocalEmbedderID(c.cfg.EmbedDim)
	}
	return retrieval.Build(ctx, docs, opts)
}

// engine builds the answer engine on top of an index: extractive unless a
// chat model is configured.
func (c *command) engine(ix *retrieval.Index) *answer.Engine {
	return c.engineFor(library.NewRetriever(ix), nil)
}

// openAIConfig is the OpenAI-compatible server's configuration, shared by
// the chat model and the embedder.
func (c *command) openAIConfig() openai.Config {
	return openai.Config{
		BaseURL:    c.cfg.OpenAIBaseURL,
		APIKey:     c.cfg.OpenAIAPIKey,
		Model:      c.cfg.Model,
		EmbedModel: c.cfg.EmbedModel,
		BatchSize:  c.cfg.EmbedBatchSize,
		Timeout:    c.cfg.ModelTimeout,
		Stream:     true,

		MaxCompletionTokens: c.cfg.MaxCompletionTokens,
	}
}

// engineFor builds the answer engine on r; m, when not nil, records model
// metrics.
func (c *command) engineFor(r answer.Retriever, m *metrics.Metrics) *answer.Engine {
	var model answer.ChatModel
	if c.cfg.Model != "" {
		model = openai.NewChat(c.openAIConfig())
	}
	if m != nil && model != nil {
		model = m.CountModel(model)
	}
	return answer.New(r, model, answer.Options{TopK: c.cfg.TopK, Logger: c.log,
		ContextWindow: c.cfg.ContextWindow, MaxCompletionTokens: c.cfg.MaxCompletionTokens})
}

// serveHTTP listens on addr and serves h until ctx ends, logging what it
// serves; it returns the bound address (useful with port 0).
func (c *command) serveHTTP(ctx context.Context, what, addr string, h http.Handler) (string, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute, MaxHeaderBytes: 16 << 10}
	go srv.Serve(l)
	context.AfterFunc(ctx, func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	})
	c.log.Info(what+" listening", "addr", l.Addr().String())
	return l.Addr().String(), nil
}

// printJSON writes v as one line of JSON, leaving <, > and & as they are.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
