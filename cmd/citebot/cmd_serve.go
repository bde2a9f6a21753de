package main

import (
	"context"
	"io"
	"path/filepath"
	"time"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/bot/metrics"
	"github.com/citebot/citebot/bot/store"
	"github.com/citebot/citebot/library"
	"github.com/citebot/citebot/retrieval/web/fetch"
)

// runServe runs the Telegram bot until ctx is cancelled (SIGINT/SIGTERM).
func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := parse("serve", args, getenv, stderr, nil)
	if err == nil {
		err = c.cfg.ValidateServe()
	}
	if err != nil {
		return err
	}
	version, revision, goVersion := buildInfo()
	m := metrics.New(metrics.Build{Version: version, Revision: revision, GoVersion: goVersion})
	if c.cfg.AdminAddr != "" {
		if _, err := c.serveHTTP(ctx, "admin server", c.cfg.AdminAddr, m.Handler()); err != nil {
			return err
		}
	}
	inbox, err := store.Open(filepath.Join(c.cfg.DataDir, store.FileName), store.Options{})
	if err != nil {
		return err
	}
	defer inbox.Close()
	lib, st, err := library.Open(ctx, library.Options{
		Docs: c.cfg.Docs, DataDir: c.cfg.DataDir, Build: c.buildIndex, Logger: c.log, Limits: c.limits(),
		ObserveSearch: m.ObserveSearch,
	})
	if err != nil {
		return err
	}
	eng := c.engineFor(lib, m)
	shelf, err := c.openShelf(lib, eng, inbox)
	if err != nil {
		return err
	}
	go shelf.KeepFor(ctx, c.cfg.Retention(), time.Hour)
	c.log.Info("memory limit", "mib", shelf.LimitMemory()>>20)
	m.ObserveLibraries(func() metrics.Libraries { return metrics.Libraries(shelf.Stats()) }, c.cfg.Quotas())
	links, err := c.pageLinks(shelf.Pages(ctx))
	if err == nil {
		_, err = c.servePage(ctx, links)
	}
	if err != nil {
		return err
	}
	_, _ = eng.Warm(ctx) // readiness waits until a first question is as fast as the next (it logs how long)
	m.IndexReady()
	c.log.Info("index ready", "documents", st.Documents, "paragraphs", st.Paragraphs, "passages", st.Passages,
		"reused", st.Reused, "took", st.Duration.Round(time.Millisecond))
	m.SetMode(eng.Mode())
	b, err := bot.New(c.cfg.Telegram, bot.Deps{
		Answerer: eng, Documents: lib, Libraries: shelf, Logger: c.log, Hooks: m.Hooks(), Store: inbox,
		Fetch:         fetch.Func(fetch.Options{MaxBytes: c.cfg.MaxUploadBytes, Timeout: c.cfg.FetchTimeout, AllowPrivate: c.cfg.FetchAllowPrivate, Allow: c.cfg.FetchAllowAddrs}),
		CitationLinks: links.ForChat,
		Generation:    func() uint64 { return lib.Current().Generation },
	})
	if err != nil {
		return err
	}
	c.log.Info("citebot serving", "mode", eng.Mode(), "webhook", c.cfg.WebhookURL != "")
	return b.Run(ctx)
}
