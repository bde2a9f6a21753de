// Package library is the live document set `citebot serve` answers from:
// the configured documents (or the bundled sample) plus documents admins
// added from chat, kept under the data directory's documents/ folder so
// they come back after a restart.
//
// The set is held to its [document.Limits]: a configured document or set
// over them stops [Open]; an upload over them is refused by
// [Library.AddDocument] with an error naming the limit and its setting,
// and one that no longer fits (the limits were lowered) is skipped with a
// warning when the set is loaded again. The limits are checked before
// anything is embedded.
//
// Every change (add, remove) loads the documents, builds a new index and
// swaps in a new immutable [Snapshot] atomically, with the next
// generation number. A [Library] implements answer.Retriever over the
// current snapshot and answer.Versioned, so the answer engine binds each
// answer to one snapshot (never mixing two index versions) and recomputes
// its corpus statistics once per generation: a document added a moment ago
// is answerable at once. It also implements the bot's document manager
// (AddDocument, RemoveDocument, CleanName); this is the one place that
// decides which uploaded file names are acceptable.
//
// A Library is safe for concurrent use; changes are serialised.
package library

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/retrieval"
	"github.com/citebot/citebot/retrieval/document"
	"github.com/citebot/citebot/retrieval/extract"
)

// UploadsDir is where documents added from chat are kept, under the data
// directory.
const UploadsDir = "documents"

// BuildFunc builds (or loads from its snapshot, kept in dir) the index of
// docs.
type BuildFunc func(ctx context.Context, dir string, docs []*document.Document) (*retrieval.Index, retrieval.BuildStats, error)

// Options configures a [Library].
type Options struct {
	// Docs are the configured document paths; none means the bundled
	// sample.
	Docs []string
	// DataDir is the data directory; uploads live in its UploadsDir.
	DataDir string
	// Build builds the index of a document set (required).
	Build BuildFunc
	// Limits bound the passages of one document and the memory of the
	// whole set; the zero value has none.
	Limits document.Limits
	// Logger receives document changes and skipped uploads (default:
	// discarded).
	Logger *slog.Logger
	// ObserveSearch, when set, receives the latency of every search.
	ObserveSearch func(time.Duration)
	// Own makes this a chat's own library: no configured documents and
	// no bundled sample, only the documents added to it.
	Own bool
	// Admit, when set, is asked before a document read by AddDocument
	// is indexed, with the documents it joins (a document of the same
	// name, which it replaces, left out); its error refuses the document
	// (a chat's quotas).
	Admit func(doc *document.Document, others []*document.Document) error

	// afterWrite records a document whose file was written (a chat
	// library's catalog); its error removes the file again and fails
	// the add. beforeRemove forgets a document's record before its file
	// is removed. Set by [Shelf]: the record is what makes a file a
	// document, so a crash between the two leaves an orphan file, which
	// [OpenShelf] deletes, never a record without its file.
	afterWrite   func(doc *document.Document, size int64) error
	beforeRemove func(name string) error
}

// Library is the live document set. See the package documentation.
type Library struct {
	opts Options
	log  *slog.Logger

	mu  sync.Mutex // serialises AddDocument and RemoveDocument
	cur atomic.Pointer[Snapshot]
}

// Open loads the configured and uploaded documents and builds their index:
// generation 1.
func Open(ctx context.Context, opts Options) (*Library, retrieval.BuildStats, error) {
	if opts.Build == nil {
		return nil, retrieval.BuildStats{}, errors.New("library: Options.Build is required")
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l := &Library{opts: opts, log: log}
	l.removeStaleTemps(time.Now())
	ix, st, used, err := l.build(ctx, nil, "")
	if err != nil {
		return nil, st, err
	}
	l.cur.Store(l.snapshot(ix, 1, used))
	return l, st, nil
}

// tempPattern is the name pattern of the temporary files writeAtomic
// creates (it must match the pattern given to os.CreateTemp there).
const tempPattern = ".upload-*"

// staleTempAge is how long a temporary upload file must have gone
// unwritten before [Open] deletes it: a writer still busy with it (another
// process starting on the same data directory is refused later, by the
// store's lock) touched it more recently.
const staleTempAge = time.Minute

// removeStaleTemps deletes the temporary upload files (tempPattern) left
// in the uploads directory by a process killed while it wrote one and not
// written to since staleTempAge before now. Failures are logged, not
// returned: a leftover file is never loaded as a document.
func (l *Library) removeStaleTemps(now time.Time) {
	temps, err := filepath.Glob(filepath.Join(l.dir(), tempPattern))
	if err != nil {
		return // only for a malformed pattern
	}
	for _, p := range temps {
		fi, err := os.Lstat(p)
		if err != nil || !fi.Mode().IsRegular() || now.Sub(fi.ModTime()) < staleTempAge {
			continue
		}
		if err := os.Remove(p); err != nil {
			l.log.Warn("couldn't remove a stale temporary upload", "file", filepath.Base(p), "err", err)
			continue
		}
		l.log.Info("removed a stale temporary upload", "file", filepath.Base(p))
	}
}

func (l *Library) snapshot(ix *retrieval.Index, gen uint64, bytes int64) *Snapshot {
	return &Snapshot{Index: ix, Generation: gen, Bytes: bytes, observe: l.opts.ObserveSearch}
}

// Current returns the current snapshot.
func (l *Library) Current() *Snapshot { return l.cur.Load() }

// Snapshot implements answer.Versioned.
func (l *Library) Snapshot() (answer.Retriever, uint64) {
	s := l.cur.Load()
	return s, s.Generation
}

// Retrieve implements answer.Retriever over the current snapshot.
func (l *Library) Retrieve(ctx context.Context, query string, k int) ([]answer.Passage, error) {
	return l.cur.Load().Retrieve(ctx, query, k)
}

// Paragraph implements answer.Retriever over the current snapshot.
func (l *Library) Paragraph(doc string, n int) (answer.Passage, bool) {
	return l.cur.Load().Paragraph(doc, n)
}

// Documents implements answer.Retriever over the current snapshot.
func (l *Library) Documents() []answer.DocInfo { return l.cur.Load().Documents() }

func (l *Library) dir() string { return filepath.Join(l.opts.DataDir, UploadsDir) }

// build loads the documents with extra added and skip left out, checks
// them against the limits and builds their index; used is their
// estimated memory.
func (l *Library) build(ctx context.Context, extra *document.Document, skip string) (ix *retrieval.Index, st retrieval.BuildStats, used int64, err error) {
	docs, used, err := l.load(extra, skip)
	if err != nil {
		return nil, st, 0, err
	}
	if l.opts.Own && len(docs) == 0 {
		return nil, st, 0, nil // a chat library with nothing in it yet
	}
	ix, st, err = l.opts.Build(ctx, l.opts.DataDir, docs)
	return ix, st, used, err
}

// load loads the configured documents, the uploaded ones but skip and
// extra's name, and extra, within the limits: configured documents or
// extra over them are an error, uploads over them are skipped.
func (l *Library) load(extra *document.Document, skip string) ([]*document.Document, int64, error) {
	limits := l.opts.Limits
	var docs []*document.Document
	var err error
	if !l.opts.Own {
		docs, err = limits.Load(l.opts.Docs)
	}
	if err != nil {
		return nil, 0, err
	}
	budget := document.Budget{Limits: limits}
	for _, d := range docs {
		if err := budget.Add(d); err != nil {
			return nil, 0, err // not reached: Load checked them
		}
	}
	names, err := l.uploaded()
	if err != nil {
		return nil, 0, err
	}
	for _, name := range names {
		if name == skip || (extra != nil && name == extra.Name) || hasDoc(docs, name) {
			continue
		}
		d, err := limits.Load([]string{filepath.Join(l.dir(), name)})
		if err == nil {
			err = budget.Add(d[0])
		}
		if err != nil {
			// One bad upload must not take the bot down: log and go on.
			l.log.Warn("skipping uploaded document", "name", name, "err", err)
			continue
		}
		docs = append(docs, d[0])
	}
	if extra != nil {
		if err := budget.Add(extra); err != nil {
			return nil, 0, err
		}
		if l.opts.Admit != nil {
			if err := l.opts.Admit(extra, docs); err != nil {
				return nil, 0, err
			}
		}
		docs = append(docs, extra)
	}
	l.log.Debug("documents loaded", "count", len(docs), "estimated_bytes", budget.Used())
	return docs, budget.Used(), nil
}

func hasDoc(docs []*document.Document, name string) bool {
	_, ok := find(docs, name)
	return ok
}

// uploaded lists the documents added from chat.
func (l *Library) uploaded() ([]string, error) {
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

// CleanName returns the name a file sent from chat is added under: its base
// name (no directory, whichever separator), trimmed. It refuses a name that
// is empty, hidden, too long, holds control characters, bidirectional
// text controls (U+202E and the like, which can show "evil\u202Etxt.exe"
// as "evilexe.txt") or invalid UTF-8, or lacks a supported document
// extension ([document.ErrUnsupportedFileType]).
func (l *Library) CleanName(name string) (string, error) { return CleanName(name) }

// CleanName is [Library.CleanName] without a library.
func CleanName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = strings.TrimSpace(name[i+1:])
	}
	if name == "" || strings.HasPrefix(name, ".") {
		return "", errors.New("the document needs a file name such as notes.txt")
	}
	if len(name) > 255 || !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "", errors.New("the file name is too long or holds control characters; rename the file")
	}
	if i := strings.IndexFunc(name, isBidiControl); i >= 0 {
		r, _ := utf8.DecodeRuneInString(name[i:])
		return "", fmt.Errorf("the file name holds an invisible text direction character (U+%04X) that can disguise it; rename the file", r)
	}
	if !document.IsSupportedFile(name) {
		return "", fmt.Errorf("%s: %w", name, document.ErrUnsupportedFileType)
	}
	return name, nil
}

// isBidiControl reports whether r is a bidirectional text control: the
// marks U+061C, U+200E and U+200F, the embeddings and overrides
// U+202A-U+202E and the isolates U+2066-U+2069.
func isBidiControl(r rune) bool { return unicode.Is(unicode.Bidi_Control, r) }

// AddDocument validates, indexes and persists a document sent from chat. A
// document of the same name added earlier is replaced; a configured
// document's name is refused, and so is a document over the limits, alone
// or with the others (a [*document.LimitError] naming the limit's
// setting), before it is embedded. The file is read with
// [document.Limits.ParseFile] within ctx, which reports to progress (it
// may be nil) as the reading goes on (OCR pages); the reading is not
// serialised with other changes, only the indexing is.
func (l *Library) AddDocument(ctx context.Context, name string, data []byte, progress func(answer.Progress)) (answer.DocInfo, error) {
	name, err := CleanName(name)
	if err != nil {
		return answer.DocInfo{}, err
	}
	var report extract.ProgressFunc
	if progress != nil {
		report = func(p extract.Progress) { progress(answer.Progress{Stage: p.Stage, Done: p.Done, Total: p.Total}) }
	}
	doc, err := l.opts.Limits.ParseFile(ctx, name, data, report)
	if err != nil {
		return answer.DocInfo{}, marked(err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	cur := l.cur.Load()
	if hasDoc(cur.docs(), name) && !l.isUpload(name) {
		return answer.DocInfo{}, fmt.Errorf("%s: a configured document has this name; rename the file", name)
	}
	ix, _, used, err := l.build(ctx, doc, "")
	if err != nil {
		return answer.DocInfo{}, err
	}
	if err := writeAtomic(filepath.Join(l.dir(), name), data); err != nil {
		return answer.DocInfo{}, err
	}
	if l.opts.afterWrite != nil {
		if err := l.opts.afterWrite(doc, int64(len(data))); err != nil {
			os.Remove(filepath.Join(l.dir(), name))
			return answer.DocInfo{}, err
		}
	}
	l.cur.Store(l.snapshot(ix, cur.Generation+1, used))
	l.log.Info("document added", "name", name, "paragraphs", doc.BodyParagraphs())
	return docInfo(doc), nil
}

func (l *Library) isUpload(name string) bool {
	_, err := os.Stat(filepath.Join(l.dir(), name))
	return err == nil
}

// RemoveDocument removes a document added from chat.
func (l *Library) RemoveDocument(ctx context.Context, name string) error {
	name = strings.TrimSpace(name)
	l.mu.Lock()
	defer l.mu.Unlock()
	if name == "" || strings.ContainsAny(name, `/\`) || !l.isUpload(name) {
		return fmt.Errorf("%s: no document added from chat has this name (see /docs)", name)
	}
	ix, _, used, err := l.build(ctx, nil, name)
	if err != nil {
		return err
	}
	if l.opts.beforeRemove != nil {
		if err := l.opts.beforeRemove(name); err != nil {
			return err
		}
	}
	if err := os.Remove(filepath.Join(l.dir(), name)); err != nil {
		return fmt.Errorf("remove %s: %w", name, err)
	}
	l.cur.Store(l.snapshot(ix, l.cur.Load().Generation+1, used))
	l.log.Info("document removed", "name", name)
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

// marked returns err, marked with the answer domain's sentinel when it
// has one (an empty document), so that the bot can word it for users
// without knowing the document package.
func marked(err error) error {
	if errors.Is(err, document.ErrEmptyDocument) {
		return &markedError{err: err, mark: answer.ErrEmptyDocument}
	}
	return err
}

// markedError is err, also matching mark with errors.Is.
type markedError struct{ err, mark error }

func (e *markedError) Error() string   { return e.err.Error() }
func (e *markedError) Unwrap() []error { return []error{e.err, e.mark} }
