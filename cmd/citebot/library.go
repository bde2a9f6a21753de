package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/retrieval"
)

// uploadsDir is where documents added from chat are kept, under the data
// directory.
const uploadsDir = "documents"

// library is the document set `citebot serve` answers from: the configured
// documents (or the bundled sample) plus documents admins added from chat,
// which are kept in DATA_DIR/documents and come back after a restart.
//
// It implements answer.Retriever over the current index and the bot's
// document manager; adding or removing a document rebuilds the index and
// swaps it in atomically, so searches never see a half-built index. Safe for
// concurrent use; changes are serialised.
type library struct {
	c       *command
	observe func(time.Duration)

	mu  sync.Mutex // serialises AddDocument and RemoveDocument
	cur atomic.Pointer[retrieval.Index]
}

// openLibrary loads the configured and uploaded documents and builds their
// index.
func (c *command) openLibrary(ctx context.Context, observe func(time.Duration)) (*library, retrieval.BuildStats, error) {
	l := &library{c: c, observe: observe}
	ix, st, err := l.build(ctx, nil, "")
	if err != nil {
		return nil, st, err
	}
	l.cur.Store(ix)
	return l, st, nil
}

func (l *library) dir() string { return filepath.Join(l.c.cfg.DataDir, uploadsDir) }

// build loads the documents with extra added and skip left out, and builds
// their index.
func (l *library) build(ctx context.Context, extra *retrieval.Document, skip string) (*retrieval.Index, retrieval.BuildStats, error) {
	docs, err := retrieval.LoadDocuments(l.c.cfg.Docs)
	if err != nil {
		return nil, retrieval.BuildStats{}, err
	}
	names, err := l.uploaded()
	if err != nil {
		return nil, retrieval.BuildStats{}, err
	}
	for _, name := range names {
		if name == skip || (extra != nil && name == extra.Name) || hasDoc(docs, name) {
			continue
		}
		d, err := retrieval.LoadDocuments([]string{filepath.Join(l.dir(), name)})
		if err != nil {
			// One bad upload must not take the bot down: log and go on.
			l.c.log.Warn("skipping uploaded document", "name", name, "err", err)
			continue
		}
		docs = append(docs, d...)
	}
	if extra != nil {
		docs = append(docs, extra)
	}
	return l.c.buildIndex(ctx, docs)
}

func hasDoc(docs []*retrieval.Document, name string) bool {
	return slices.ContainsFunc(docs, func(d *retrieval.Document) bool { return d.Name == name })
}

// uploaded lists the documents added from chat.
func (l *library) uploaded() ([]string, error) {
	entries, err := os.ReadDir(l.dir())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read uploaded documents: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// cleanName reduces an uploaded file name to a safe base name.
func cleanName(name string) (string, error) {
	name = filepath.Base(strings.ReplaceAll(strings.TrimSpace(name), "\\", "/"))
	if name == "." || name == "/" || name == "" || strings.HasPrefix(name, ".") {
		return "", errors.New("the document needs a file name such as notes.txt")
	}
	if !retrieval.IsDocumentFile(name) {
		return "", fmt.Errorf("%s: %w", name, retrieval.ErrUnsupportedFileType)
	}
	return name, nil
}

// AddDocument validates, indexes and persists a document sent from chat. A
// document of the same name added earlier is replaced; a configured
// document's name is refused.
func (l *library) AddDocument(ctx context.Context, name string, data []byte) (answer.DocInfo, error) {
	name, err := cleanName(name)
	if err != nil {
		return answer.DocInfo{}, err
	}
	doc, err := retrieval.ParseDocument(name, data)
	if err != nil {
		return answer.DocInfo{}, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, d := range l.cur.Load().Documents() {
		if d.Name == name && !l.isUpload(name) {
			return answer.DocInfo{}, fmt.Errorf("%s: a configured document has this name; rename the file", name)
		}
	}
	ix, _, err := l.build(ctx, doc, "")
	if err != nil {
		return answer.DocInfo{}, err
	}
	if err := writeAtomic(filepath.Join(l.dir(), name), data); err != nil {
		return answer.DocInfo{}, err
	}
	l.cur.Store(ix)
	l.c.log.Info("document added", "name", name, "paragraphs", doc.BodyParagraphs())
	return answer.DocInfo{Name: name, Paragraphs: doc.BodyParagraphs()}, nil
}

func (l *library) isUpload(name string) bool {
	_, err := os.Stat(filepath.Join(l.dir(), name))
	return err == nil
}

// RemoveDocument removes a document added from chat.
func (l *library) RemoveDocument(ctx context.Context, name string) error {
	name = strings.TrimSpace(name)
	l.mu.Lock()
	defer l.mu.Unlock()
	if name == "" || strings.ContainsAny(name, `/\`) || !l.isUpload(name) {
		return fmt.Errorf("%s: no document added from chat has this name (see /docs)", name)
	}
	ix, _, err := l.build(ctx, nil, name)
	if err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(l.dir(), name)); err != nil {
		return fmt.Errorf("remove %s: %w", name, err)
	}
	l.cur.Store(ix)
	l.c.log.Info("document removed", "name", name)
	return nil
}

// writeAtomic writes data to path through a temporary file and a rename.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("save document: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".upload-*")
	if err != nil {
		return fmt.Errorf("save document: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("save document: %w", err)
	}
	return nil
}

// Retrieve implements answer.Retriever over the current index.
func (l *library) Retrieve(ctx context.Context, query string, k int) ([]answer.Passage, error) {
	return indexRetriever{ix: l.cur.Load(), observe: l.observe}.Retrieve(ctx, query, k)
}

// Paragraph implements answer.Retriever.
func (l *library) Paragraph(doc string, n int) (answer.Passage, bool) {
	return indexRetriever{ix: l.cur.Load()}.Paragraph(doc, n)
}

// Documents implements answer.Retriever.
func (l *library) Documents() []answer.DocInfo {
	return indexRetriever{ix: l.cur.Load()}.Documents()
}
