package library

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/retrieval/document"
)

// Every chat's own documents.
//
// A [Shelf] holds the shared [Library] (the operator's documents, always
// loaded) and one library per chat that added documents of its own. A
// chat answers from a view of both (chatView); no other chat ever sees
// its documents, because every lookup goes through the asking chat's
// library.
//
// Where things live: a chat's files and its index snapshot are under
// DataDir/chats/<chat id>/ (documents/ and index-*.snap, written
// atomically); the [Catalog] holds the records that make those files
// documents (uploader, size, passages), each chat's last use and each
// user's uploads of the day. A file counts only once its record is
// written; a record is deleted before its file. A process killed between
// the two leaves an orphan file, which [OpenShelf] deletes; the update
// that added it is replayed by the bot's inbox, so nothing is lost.
//
// Memory: chat libraries are opened on demand (from their files and
// snapshot: nothing is embedded again) and kept in least-recently-used
// order; when their estimated memory passes MemoryBudget the least
// recently used are dropped. An answer running on a dropped library
// finishes on it. The shared library is never dropped.
//
// Quotas (per chat: documents, bytes, passages; per user: uploads a day;
// all chats: bytes) are checked before a file is read, except passages,
// checked once it is read and before it is indexed. A refusal is a
// [*QuotaError] naming the limit.
//
// Changes to one chat are serialised; chats change independently.

// ChatsDir is the folder of the chat libraries under the data directory.
const ChatsDir = "chats"

// Quotas bound what chats may store; a zero field is no limit.
type Quotas struct {
	ChatDocs          int   // documents of one chat
	ChatBytes         int64 // file bytes of one chat
	ChatPassages      int   // passages of one chat
	UserUploadsPerDay int   // files one user adds a day (UTC)
	TotalBytes        int64 // file bytes of all chats
}

// ShelfOptions configures a [Shelf].
type ShelfOptions struct {
	// DataDir is the data directory; chat libraries live in ChatsDir.
	DataDir string
	// Build builds (or loads from its snapshot) a library's index.
	Build BuildFunc
	// Limits bound each document read (the shared library's limits).
	Limits document.Limits
	// Catalog is the store of record of the chats' documents (required).
	Catalog Catalog
	// Engine answers from the shared library; a chat's engine is
	// Engine.For its view (required).
	Engine *answer.Engine
	// MemoryBudget bounds the estimated memory of the loaded chat
	// libraries; 0: no bound.
	MemoryBudget int64
	// Quotas bound what chats store.
	Quotas Quotas
	// Logger receives changes and evictions (default: discarded).
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Shelf is the shared library and every chat's own. It is safe for
// concurrent use. See the comment at the top of this file.
type Shelf struct {
	shared *Library
	opts   ShelfOptions
	log    *slog.Logger

	mu       sync.Mutex
	docs     map[int64]map[string]DocRecord // every chat's records
	total    int64                          // bytes of all records
	adding   int64                          // bytes of the documents being added (see reserve)
	loaded   map[int64]*chatEntry
	lru      *list.List // of *chatEntry, most recent first
	used     int64      // estimated bytes of the loaded libraries
	touched  map[int64]time.Time
	evicted  uint64
	loads    uint64
	changing map[int64]*sync.Mutex // per chat: serialises its changes
	uploader map[int64]int64       // per chat: who adds the document being added
}

// chatEntry is one loaded (or loading) chat library.
type chatEntry struct {
	chat  int64
	ready chan struct{} // closed when lib and eng (or err) are set
	lib   *Library
	eng   *answer.Engine
	err   error
	bytes int64
	elem  *list.Element
}

// OpenShelf opens the chat libraries over shared: it reads the catalog,
// deletes what a killed process left half done (files without records,
// records without files, folders of chats without documents) and loads
// no chat library yet.
func OpenShelf(shared *Library, opts ShelfOptions) (*Shelf, error) {
	if opts.Catalog == nil || opts.Engine == nil || opts.Build == nil {
		return nil, errors.New("library: ShelfOptions needs Catalog, Engine and Build")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Shelf{shared: shared, opts: opts, log: log, docs: make(map[int64]map[string]DocRecord),
		loaded: make(map[int64]*chatEntry), lru: list.New(), touched: make(map[int64]time.Time),
		changing: make(map[int64]*sync.Mutex), uploader: make(map[int64]int64)}
	recs, err := opts.Catalog.All()
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		if _, err := os.Stat(s.file(r.Chat, r.Name)); err != nil {
			log.Warn("forgetting a chat document whose file is gone", "chat_id", r.Chat, "name", r.Name)
			if err := opts.Catalog.Delete(r.Chat, r.Name); err != nil {
				return nil, err
			}
			continue
		}
		s.record(r)
	}
	s.removeOrphans()
	return s, nil
}

// record adds r to the in-memory records; s.mu held or not yet shared.
func (s *Shelf) record(r DocRecord) {
	m := s.docs[r.Chat]
	if m == nil {
		m = make(map[string]DocRecord)
		s.docs[r.Chat] = m
	}
	s.total += r.Bytes - m[r.Name].Bytes
	m[r.Name] = r
}

// unrecord removes chat's record of name from memory; s.mu held.
func (s *Shelf) unrecord(chat int64, name string) {
	if m := s.docs[chat]; m != nil {
		s.total -= m[name].Bytes
		delete(m, name)
		if len(m) == 0 {
			delete(s.docs, chat)
		}
	}
}

func (s *Shelf) chatDir(chat int64) string {
	return filepath.Join(s.opts.DataDir, ChatsDir, strconv.FormatInt(chat, 10))
}

func (s *Shelf) file(chat int64, name string) string {
	return filepath.Join(s.chatDir(chat), UploadsDir, name)
}

// removeOrphans deletes the files of the chats' folders that no record
// names, and the folders of chats without records.
func (s *Shelf) removeOrphans() {
	root := filepath.Join(s.opts.DataDir, ChatsDir)
	dirs, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, d := range dirs {
		chat, err := strconv.ParseInt(d.Name(), 10, 64)
		if err != nil || !d.IsDir() {
			continue
		}
		recs := s.docs[chat]
		if len(recs) == 0 {
			if err := os.RemoveAll(filepath.Join(root, d.Name())); err == nil {
				s.log.Info("removed the folder of a chat without documents", "chat_id", chat)
			}
			continue
		}
		files, _ := os.ReadDir(filepath.Join(root, d.Name(), UploadsDir))
		for _, f := range files {
			if _, ok := recs[f.Name()]; !ok {
				if os.Remove(s.file(chat, f.Name())) == nil {
					s.log.Info("removed a chat file no record names", "chat_id", chat, "file", f.Name())
				}
			}
		}
		// Half-written snapshots: the store's lock says no other
		// process is writing them, whatever their age.
		tmps, _ := filepath.Glob(filepath.Join(root, d.Name(), ".index-*.tmp"))
		for _, t := range tmps {
			if os.Remove(t) == nil {
				s.log.Info("removed a half-written chat index snapshot", "chat_id", chat, "file", filepath.Base(t))
			}
		}
	}
}

// memoryHeadroom is what LimitMemory allows beyond the documents: the
// process, connections and answers in flight.
const memoryHeadroom = 64 << 20

// LimitMemory sets the Go runtime's soft memory limit to the shelf's
// memory budget plus the shared documents' estimate plus memoryHeadroom,
// unless a limit is set already (GOMEMLIMIT), and returns the limit in
// effect (math.MaxInt64: none, the shelf having no budget). Without it
// the collector lets the heap grow to twice what is live: the estimate is
// conservative (about 1.5 times the live heap measured), but not by two.
func (s *Shelf) LimitMemory() int64 {
	cur := debug.SetMemoryLimit(-1)
	if cur != math.MaxInt64 || s.opts.MemoryBudget <= 0 {
		return cur
	}
	limit := s.opts.MemoryBudget + s.shared.Current().Bytes + memoryHeadroom
	debug.SetMemoryLimit(limit)
	return limit
}

// Shared returns the shared library.
func (s *Shelf) Shared() *Library { return s.shared }

// HasOwn reports whether chat has documents of its own.
func (s *Shelf) HasOwn(chat int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.docs[chat]) > 0
}

// CleanName returns the name a file is added under, or why not (see
// [CleanName]).
func (s *Shelf) CleanName(name string) (string, error) { return CleanName(name) }

// Owner reports whether name is one of chat's own documents and who added
// it.
func (s *Shelf) Owner(chat int64, name string) (uploader int64, own bool) {
	r, ok := s.record0(chat, name)
	return r.Uploader, ok
}

// Records lists chat's own documents' records.
func (s *Shelf) Records(chat int64) []DocRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]DocRecord, 0, len(s.docs[chat]))
	for _, r := range s.docs[chat] {
		out = append(out, r)
	}
	return out
}

// Answerer returns the engine that answers chat: the shared engine when
// the chat has no documents of its own, else one over both, loading the
// chat's library first when it is not loaded.
func (s *Shelf) Answerer(ctx context.Context, chat int64) (answer.Answerer, error) {
	if !s.HasOwn(chat) {
		return s.opts.Engine, nil
	}
	s.touch(chat)
	e, err := s.acquire(ctx, chat)
	if err != nil {
		return nil, err
	}
	return e.eng, nil
}

// touchEvery is how often a chat's last use is written to the catalog at
// most: retention counts days.
const touchEvery = time.Hour

// touch records that chat was used, for retention.
func (s *Shelf) touch(chat int64) {
	now := s.opts.Now()
	s.mu.Lock()
	last, ok := s.touched[chat]
	if ok && now.Sub(last) < touchEvery {
		s.mu.Unlock()
		return
	}
	s.touched[chat] = now
	s.mu.Unlock()
	if err := s.opts.Catalog.Touch(chat, now); err != nil {
		s.log.Warn("couldn't record a chat's last use", "chat_id", chat, "err", err)
	}
}

// acquire returns chat's loaded library, loading it when needed (one
// load at a time per chat; others wait for it), and marks it most
// recently used.
func (s *Shelf) acquire(ctx context.Context, chat int64) (*chatEntry, error) {
	s.mu.Lock()
	e := s.loaded[chat]
	if e != nil {
		s.lru.MoveToFront(e.elem)
		s.mu.Unlock()
	} else {
		e = &chatEntry{chat: chat, ready: make(chan struct{})}
		e.elem = s.lru.PushFront(e)
		s.loaded[chat] = e
		s.loads++
		s.mu.Unlock()
		s.load(ctx, e)
	}
	select {
	case <-e.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return e, e.err
}

// load opens e's library from its files and snapshot.
func (s *Shelf) load(ctx context.Context, e *chatEntry) {
	defer close(e.ready)
	t0 := time.Now()
	lib, _, err := Open(ctx, s.chatOptions(e.chat))
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		e.err = fmt.Errorf("open the chat's documents: %w", err)
		s.drop(e)
		return
	}
	e.lib = lib
	e.eng = s.opts.Engine.For(chatView{shared: s.shared, own: lib})
	if s.loaded[e.chat] == e { // not dropped by a change meanwhile
		s.resize(e)
	}
	s.log.Debug("chat library loaded", "chat_id", e.chat, "bytes", e.bytes, "took", time.Since(t0))
}

// chatOptions are the options of chat's library.
func (s *Shelf) chatOptions(chat int64) Options {
	return Options{
		DataDir: s.chatDir(chat), Build: s.opts.Build, Limits: s.opts.Limits, Logger: s.log, Own: true,
		afterWrite:   func(d *document.Document, size int64) error { return s.afterWrite(chat, d, size) },
		beforeRemove: func(name string) error { return s.beforeRemove(chat, name) },
		Admit:        func(d *document.Document, _ []*document.Document) error { return s.admit(chat, d) },
	}
}

// resize sets e's memory from its library and evicts the least recently
// used others while over the budget; s.mu held.
func (s *Shelf) resize(e *chatEntry) {
	if e.lib == nil {
		return
	}
	s.used -= e.bytes
	e.bytes = e.lib.Current().Bytes
	s.used += e.bytes
	for b := s.lru.Back(); b != nil && s.opts.MemoryBudget > 0 && s.used > s.opts.MemoryBudget; {
		prev := b.Prev()
		if old := b.Value.(*chatEntry); old != e && old.lib != nil {
			s.drop(old)
			s.evicted++
			s.log.Debug("chat library evicted", "chat_id", old.chat, "bytes", old.bytes)
		}
		b = prev
	}
}

// drop forgets a loaded entry; s.mu held.
func (s *Shelf) drop(e *chatEntry) {
	if s.loaded[e.chat] == e {
		delete(s.loaded, e.chat)
		s.lru.Remove(e.elem)
		s.used -= e.bytes
	}
}
