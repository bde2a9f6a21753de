package main

import (
	"context"
	"errors"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/answer/plain"
	"github.com/citebot/citebot/bot/page"
	"github.com/citebot/citebot/bot/store"
	"github.com/citebot/citebot/library"
)

// pageLinks returns the link maker of the document page over docs, or nil
// when no public URL is set.
func (c *command) pageLinks(docs page.Library) (*page.Links, error) {
	if c.cfg.PublicURL == "" {
		return nil, nil
	}
	key, err := page.Key(c.cfg.PageKey.Reveal(), c.cfg.DataDir)
	if err != nil {
		return nil, err
	}
	return &page.Links{Base: c.cfg.PublicURL, Key: key, TTL: c.cfg.LinkTTL, Library: docs}, nil
}

// servePage starts the document page server when web_listen is set and
// returns its address.
func (c *command) servePage(ctx context.Context, links *page.Links) (string, error) {
	if c.cfg.WebListen == "" {
		if links != nil {
			c.log.Warn("public_url is set but web_listen is not: this process serves none of the pages it links to")
		}
		return "", nil
	}
	if links == nil {
		return "", errors.New("web_listen needs public_url: the address users reach the page at")
	}
	s := &page.Server{Key: links.Key, Library: links.Library, BotToken: c.cfg.TelegramToken.Reveal(), Logger: c.log}
	return c.serveHTTP(ctx, "document page", c.cfg.WebListen, s.Handler())
}

// withURLs sets the page link of each citation of j, the JSON form of a.
func withURLs(j plain.Answer, a answer.Answer, links *page.Links) plain.Answer {
	for i, u := range links.For(a, 0, page.Browser) {
		j.Citations[i].URL = u
	}
	return j
}

// openShelf opens the chat libraries beside lib, their catalog in the
// bot's store.
func (c *command) openShelf(lib *library.Library, eng *answer.Engine, inbox *store.Store) (*library.Shelf, error) {
	cat, err := library.NewBoltCatalog(inbox.DB())
	if err != nil {
		return nil, err
	}
	budget, quotas := library.Settings(c.cfg.Library)
	return library.OpenShelf(lib, library.ShelfOptions{DataDir: c.cfg.DataDir, Build: c.buildIndex, Limits: c.limits(),
		Catalog: cat, Engine: eng, MemoryBudget: budget, Quotas: quotas, Logger: c.log})
}
