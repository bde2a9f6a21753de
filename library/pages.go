package library

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/citebot/citebot/bot/page"
	"github.com/citebot/citebot/config"
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

// Settings turns the library settings into the memory budget and quotas
// of a [Shelf].
func Settings(c config.Library) (budget int64, q Quotas) {
	const mb = 1 << 20
	return int64(c.LibraryMemoryMB) * mb, Quotas{ChatDocs: c.ChatMaxDocuments, ChatBytes: int64(c.ChatMaxMB) * mb,
		ChatPassages: c.ChatMaxPassages, UserUploadsPerDay: c.UserUploadsPerDay, TotalBytes: int64(c.StoredMaxMB) * mb}
}

// DiskUsage reads the chat libraries' usage off the data directory (no
// store needed, so it works beside a running serve): chats with files,
// their files and bytes. Half-done changes a killed process left are
// counted until the next start removes them.
func DiskUsage(dataDir string) (chats, docs int, bytes int64) {
	dirs, _ := os.ReadDir(filepath.Join(dataDir, ChatsDir))
	for _, d := range dirs {
		files, _ := os.ReadDir(filepath.Join(dataDir, ChatsDir, d.Name(), UploadsDir))
		n := 0
		for _, f := range files {
			if fi, err := f.Info(); err == nil && fi.Mode().IsRegular() && !strings.HasPrefix(f.Name(), ".") {
				n++
				bytes += fi.Size()
			}
		}
		if n > 0 {
			chats, docs = chats+1, docs+n
		}
	}
	return chats, docs, bytes
}

// Usage describes [DiskUsage] against the stored_max_mb quota, for
// `citebot config`.
func Usage(dataDir string, c config.Library) string {
	chats, docs, bytes := DiskUsage(dataDir)
	limit := "no limit"
	if c.StoredMaxMB > 0 {
		limit = fmt.Sprintf("of %d MB", c.StoredMaxMB)
	}
	return fmt.Sprintf("chat libraries: %d chats, %d documents, %.1f MB %s", chats, docs, float64(bytes)/(1<<20), limit)
}
