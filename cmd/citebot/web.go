package main

import (
	"context"
	"errors"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/answer/plain"
	"github.com/citebot/citebot/bot/page"
	"github.com/citebot/citebot/retrieval/document"
)

// pageLinks returns the link maker of the document page over docs, or nil
// when no public URL is set.
func (c *command) pageLinks(docs func() []*document.Document) (*page.Links, error) {
	if c.cfg.PublicURL == "" {
		return nil, nil
	}
	key, err := page.Key(c.cfg.PageKey.Reveal(), c.cfg.DataDir)
	if err != nil {
		return nil, err
	}
	return &page.Links{Base: c.cfg.PublicURL, Key: key, TTL: c.cfg.LinkTTL, Library: pageDocs(docs)}, nil
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

// pageDocs adapts a document set to page.Library.
type pageDocs func() []*document.Document

func (f pageDocs) Document(name string) (page.Document, bool) {
	for _, d := range f() {
		if d.Name == name {
			ps := make([]page.Paragraph, len(d.Paragraphs))
			for i, p := range d.Paragraphs {
				ps[i] = page.Paragraph{N: p.N, Heading: p.Heading, Start: p.Start, End: p.End, Page: p.Page}
			}
			return page.Document{Name: d.Name, Text: d.Text, Paragraphs: ps, OCR: d.OCR}, true
		}
	}
	return page.Document{}, false
}
