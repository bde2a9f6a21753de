package main

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/library"
)

// runServe runs the Telegram bot until ctx is cancelled (SIGINT/SIGTERM).
func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := parse("serve", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	if err := c.cfg.ValidateServe(); err != nil {
		return err
	}
	m := newMetrics()
	if c.cfg.AdminAddr != "" {
		if _, err := startAdmin(ctx, c.cfg.AdminAddr, m, c.log); err != nil {
			return err
		}
	}
	lib, st, err := library.Open(ctx, library.Options{
		Docs: c.cfg.Docs, DataDir: c.cfg.DataDir, Build: c.buildIndex, Logger: c.log,
		ObserveSearch: func(d time.Duration) { m.retrieveSecs.Observe(d.Seconds()) },
	})
	if err != nil {
		return err
	}
	m.indexReady.Store(true)
	c.log.Info("index ready", "documents", st.Documents, "paragraphs", st.Paragraphs, "passages", st.Passages,
		"reused", st.Reused, "took", st.Duration.Round(time.Millisecond))
	eng := instrumentedEngine{Engine: c.engineFor(lib, m), m: m, mode: answer.Mode(modeName(c.cfg.Model))}
	b, err := bot.New(bot.Config{
		Token:            bot.Token(c.cfg.TelegramToken.Reveal()),
		APIBase:          c.cfg.TelegramAPI,
		HTTPClient:       &http.Client{Transport: telegramTransport{next: botTransport(c.cfg.Workers), m: m}},
		Workers:          c.cfg.Workers,
		EditInterval:     c.cfg.EditInterval,
		MemoryTurns:      memoryTurns(c.cfg.MemoryTurns),
		MemoryTTL:        c.cfg.MemoryTTL,
		AllowedChats:     c.cfg.AllowedChats,
		AllowedUsers:     c.cfg.AllowedUsers,
		RateLimit:        rateLimit(c.cfg.RatePerMinute, c.cfg.RateBurst),
		MaxQuestionRunes: c.cfg.MaxQuestionRunes,
		KeywordPrefix:    c.cfg.KeywordPrefix,
		ShutdownTimeout:  c.cfg.ShutdownTimeout,
		WebhookURL:       c.cfg.WebhookURL,
		WebhookListen:    c.cfg.WebhookListen,
		WebhookSecret:    c.cfg.WebhookSecret.Reveal(),
		Admins:           c.cfg.Admins,
		MaxUploadBytes:   c.cfg.MaxUploadBytes,
		Library:          lib,
		OnRateLimited:    m.questions.WithLabelValues(modeName(c.cfg.Model), "rate_limited").Inc,
		Logger:           c.log,
	}, eng)
	if err != nil {
		return err
	}
	c.log.Info("citebot serving", "mode", modeName(c.cfg.Model), "webhook", c.cfg.WebhookURL != "")
	return b.Run(ctx)
}

func modeName(model string) string {
	if model == "" {
		return "extractive"
	}
	return "llm"
}

// rateLimit maps the configuration (0: unlimited) onto the bot's (negative:
// unlimited).
func rateLimit(perMinute float64, burst int) bot.RateLimit {
	if perMinute <= 0 {
		return bot.RateLimit{PerMinute: -1}
	}
	return bot.RateLimit{PerMinute: perMinute, Burst: burst}
}

// memoryTurns maps the configuration (0: no memory) onto the bot's
// (negative: no memory).
func memoryTurns(n int) int {
	if n <= 0 {
		return -1
	}
	return n
}

// botTransport is the default transport with enough idle connections for
// every worker to keep its own.
func botTransport(workers int) http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = workers + 2
	return t
}
