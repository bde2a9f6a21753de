package library

import (
	"context"

	"github.com/citebot/citebot/bot/page"
	"github.com/citebot/citebot/retrieval/document"
)

// The document page (package bot/page) reads documents through its
// one-method Library. A [Shelf] is one that sees as the asking chat sees;
// a [Snapshot] one over a fixed set, the same for every chat (citebot ask).

// PageDocument is d as the document page shows it.
func PageDocument(d *document.Document) page.Document {
	ps := make([]page.Paragraph, len(d.Paragraphs))
	for i, p := range d.Paragraphs {
		ps[i] = page.Paragraph{N: p.N, Heading: p.Heading, Start: p.Start, End: p.End, Page: p.Page}
	}
	return page.Document{Name: d.Name, Text: d.Text, Paragraphs: ps, OCR: d.OCR}
}

// Pages is the shelf as the document page's Library: a chat's link opens
// only what that chat sees.
func (s *Shelf) Pages(ctx context.Context) page.Library { return shelfPages{s, ctx} }

type shelfPages struct {
	s   *Shelf
	ctx context.Context
}

func (p shelfPages) Document(chat int64, name string) (page.Document, bool) {
	d, ok := p.s.Document(p.ctx, chat, name)
	if !ok {
		return page.Document{}, false
	}
	return PageDocument(d), true
}

// Document implements page.Library over the snapshot, for every chat.
func (s *Snapshot) Document(_ int64, name string) (page.Document, bool) {
	d, ok := find(s.docs(), name)
	if !ok {
		return page.Document{}, false
	}
	return PageDocument(d), true
}
