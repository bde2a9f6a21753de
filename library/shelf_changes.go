package library

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/retrieval/document"
)

// Quota names the limit a [QuotaError] hit.
type Quota string

// The quotas, named by their settings.
const (
	QuotaChatDocs     Quota = "chat_max_documents"
	QuotaChatBytes    Quota = "chat_max_mb"
	QuotaChatPassages Quota = "chat_max_passages"
	QuotaUserUploads  Quota = "user_uploads_per_day"
	QuotaTotalBytes   Quota = "stored_max_mb"
)

// QuotaError refuses a document over a quota: which one, its limit and
// what the chat (or user, or all chats) would hold with the document.
type QuotaError struct {
	Which Quota
	Limit int64
	Need  int64
}

func (e *QuotaError) Error() string {
	return fmt.Sprintf("over the %s quota: %d allowed, %d needed", e.Which, e.Limit, e.Need)
}

// Quota returns the quota's setting, its limit and what was needed: the
// bot words its refusal from them.
func (e *QuotaError) Quota() (setting string, limit, need int64) {
	return string(e.Which), e.Limit, e.Need
}

// ErrSharedName refuses a chat document named like a shared one.
var ErrSharedName = errors.New("a shared document has this name; rename the file")

// chatLock returns the mutex serialising chat's changes.
func (s *Shelf) chatLock(chat int64) *sync.Mutex {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.changing[chat]
	if m == nil {
		m = new(sync.Mutex)
		s.changing[chat] = m
	}
	return m
}

// AddOwn reads, indexes and stores a document user sent to chat, within
// the quotas; a document of the same name is replaced (replaced true).
// progress may be nil.
func (s *Shelf) AddOwn(ctx context.Context, chat, user int64, name string, data []byte, progress func(answer.Progress)) (info answer.DocInfo, replaced bool, err error) {
	name, err = CleanName(name)
	if err != nil {
		return answer.DocInfo{}, false, err
	}
	if hasDoc(s.shared.Current().docs(), name) {
		return answer.DocInfo{}, false, fmt.Errorf("%s: %w", name, ErrSharedName)
	}
	lock := s.chatLock(chat)
	lock.Lock()
	defer lock.Unlock()
	old, replaced := s.record0(chat, name)
	if replaced {
		if prev, rerr := os.ReadFile(s.file(chat, name)); rerr == nil {
			if string(prev) == string(data) {
				// The same file again: a replay of an upload whose reply
				// a crash cut short. It is there already; nothing is
				// counted.
				if info, ok := s.ownInfo(ctx, chat, name); ok {
					return info, false, nil
				}
			} else {
				// Once the new file is in place, no copy of the old
				// one's text is left in the extraction cache.
				defer func() {
					if err == nil {
						s.opts.Limits.Extractor.Forget(prev)
					}
				}()
			}
		}
	}
	unreserve, err := s.reserve(chat, name, int64(len(data)))
	if err != nil {
		return answer.DocInfo{}, false, err
	}
	defer unreserve()
	if lim := s.opts.Quotas.UserUploadsPerDay; lim > 0 {
		// The upload is counted now, so that two at once cannot both
		// pass, and given back below when the document is not added.
		day := s.opts.Now().UTC().Format(time.DateOnly)
		ok, cerr := s.opts.Catalog.CountUpload(user, day, lim)
		if cerr != nil {
			return answer.DocInfo{}, false, cerr
		}
		if !ok {
			return answer.DocInfo{}, false, &QuotaError{Which: QuotaUserUploads, Limit: int64(lim), Need: int64(lim) + 1}
		}
		defer func() {
			if err != nil {
				if uerr := s.opts.Catalog.UncountUpload(user, day); uerr != nil {
					s.log.Warn("couldn't give back a failed upload's count", "user_id", user, "err", uerr)
				}
			}
		}()
	}
	e, err := s.acquire(ctx, chat)
	if err != nil {
		return answer.DocInfo{}, false, err
	}
	s.mu.Lock()
	s.uploader[chat] = user
	s.mu.Unlock()
	info, err = e.lib.AddDocument(ctx, name, data, progress)
	s.settle(e)
	if err != nil {
		return answer.DocInfo{}, false, err
	}
	s.log.Info("chat document added", "chat_id", chat, "user_id", user, "name", name, "bytes", len(data),
		"replaced", replaced, "replaced_bytes", old.Bytes)
	return info, replaced, nil
}

// ownInfo describes chat's own document name.
func (s *Shelf) ownInfo(ctx context.Context, chat int64, name string) (answer.DocInfo, bool) {
	e, err := s.acquire(ctx, chat)
	if err != nil {
		return answer.DocInfo{}, false
	}
	for _, d := range e.lib.Current().Documents() {
		if d.Name == name {
			return d, true
		}
	}
	return answer.DocInfo{}, false
}

// record0 returns chat's record of name.
func (s *Shelf) record0(chat int64, name string) (DocRecord, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.docs[chat][name]
	return r, ok
}

// reserve checks the quotas a file of size bytes named name would pass
// in chat, replacing a document of that name: documents and bytes of the
// chat, bytes of all chats. Documents of other chats are added at the
// same time, so the bytes are counted towards the total until unreserve
// is called (once the add ended: its record counts them then), and two
// adds cannot both pass the last bytes left.
func (s *Shelf) reserve(chat int64, name string, size int64) (unreserve func(), err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkSizeLocked(chat, name, size); err != nil {
		return nil, err
	}
	s.adding += size
	return func() {
		s.mu.Lock()
		s.adding -= size
		s.mu.Unlock()
	}, nil
}

// checkSizeLocked is reserve's check; s.mu is held.
func (s *Shelf) checkSizeLocked(chat int64, name string, size int64) error {
	q := s.opts.Quotas
	recs := s.docs[chat]
	docs, bytes := int64(len(recs)), size
	for n, r := range recs {
		if n == name {
			docs--
			continue
		}
		bytes += r.Bytes
	}
	total := s.total + s.adding + size - recs[name].Bytes
	switch {
	case q.ChatDocs > 0 && docs+1 > int64(q.ChatDocs):
		return &QuotaError{Which: QuotaChatDocs, Limit: int64(q.ChatDocs), Need: docs + 1}
	case q.ChatBytes > 0 && bytes > q.ChatBytes:
		return &QuotaError{Which: QuotaChatBytes, Limit: q.ChatBytes, Need: bytes}
	case q.TotalBytes > 0 && total > q.TotalBytes:
		return &QuotaError{Which: QuotaTotalBytes, Limit: q.TotalBytes, Need: total}
	}
	return nil
}

// admit checks the passages quota of chat with d read (Options.Admit).
func (s *Shelf) admit(chat int64, d *document.Document) error {
	lim := s.opts.Quotas.ChatPassages
	if lim <= 0 {
		return nil
	}
	need, _ := s.opts.Limits.Estimate(d)
	for _, r := range s.Records(chat) {
		if r.Name != d.Name {
			need += r.Passages
		}
	}
	if need > lim {
		return &QuotaError{Which: QuotaChatPassages, Limit: int64(lim), Need: int64(need)}
	}
	return nil
}

// afterWrite records chat's document d, whose file of size bytes was
// written (Options.afterWrite).
func (s *Shelf) afterWrite(chat int64, d *document.Document, size int64) error {
	passages, _ := s.opts.Limits.Estimate(d)
	s.mu.Lock()
	r := DocRecord{Chat: chat, Name: d.Name, Uploader: s.uploader[chat], Bytes: size, Passages: passages, Added: s.opts.Now().UTC()}
	s.mu.Unlock()
	if err := s.opts.Catalog.Put(r); err != nil {
		return fmt.Errorf("record the document: %w", err)
	}
	s.mu.Lock()
	s.record(r)
	s.mu.Unlock()
	return nil
}

// beforeRemove forgets chat's record of name (Options.beforeRemove) and
// the text extracted from its file.
func (s *Shelf) beforeRemove(chat int64, name string) error {
	if err := s.opts.Catalog.Delete(chat, name); err != nil {
		return fmt.Errorf("forget the document: %w", err)
	}
	s.forgetText(chat, name)
	s.mu.Lock()
	s.unrecord(chat, name)
	s.mu.Unlock()
	return nil
}

// RemoveOwn removes chat's own document name.
func (s *Shelf) RemoveOwn(ctx context.Context, chat int64, name string) error {
	lock := s.chatLock(chat)
	lock.Lock()
	defer lock.Unlock()
	if _, ok := s.record0(chat, name); !ok {
		return fmt.Errorf("%s: this chat has no document of this name (see /docs)", name)
	}
	e, err := s.acquire(ctx, chat)
	if err != nil {
		return err
	}
	if err := e.lib.RemoveDocument(ctx, name); err != nil {
		return err
	}
	s.settle(e)
	s.mu.Lock()
	if len(s.docs[chat]) == 0 {
		if cur := s.loaded[chat]; cur != nil {
			s.drop(cur)
		}
		s.removeDir(chat)
	}
	s.mu.Unlock()
	s.log.Info("chat document removed", "chat_id", chat, "name", name)
	return nil
}

// settle accounts for e's library after a change. When e was evicted
// while the change ran, a library of the chat loaded meanwhile may have
// read the files before the change: it is dropped, to be loaded again.
func (s *Shelf) settle(e *chatEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch cur := s.loaded[e.chat]; {
	case cur == e:
		s.resize(e)
	case cur != nil:
		s.drop(cur)
	}
}

// Forget deletes all of chat's own documents, their files and index, and
// reports how many there were.
func (s *Shelf) Forget(chat int64) (int, error) {
	lock := s.chatLock(chat)
	lock.Lock()
	defer lock.Unlock()
	recs := s.Records(chat)
	for _, r := range recs {
		if err := s.beforeRemove(chat, r.Name); err != nil {
			return 0, err
		}
	}
	s.mu.Lock()
	if e := s.loaded[chat]; e != nil {
		s.drop(e)
	}
	s.removeDir(chat)
	s.mu.Unlock()
	if len(recs) > 0 {
		s.log.Info("chat documents forgotten", "chat_id", chat, "documents", len(recs))
	}
	return len(recs), nil
}

// removeDir deletes chat's folder: its files and snapshots.
func (s *Shelf) removeDir(chat int64) {
	if err := os.RemoveAll(s.chatDir(chat)); err != nil {
		s.log.Warn("couldn't remove a chat's folder", "chat_id", chat, "err", err)
	}
}

// Expire forgets the documents of chats not used for idle (by their last
// use, or their newest document when never used since) and reports how
// many chats it cleared.
func (s *Shelf) Expire(idle time.Duration) (int, error) {
	last, err := s.opts.Catalog.LastUsed()
	if err != nil {
		return 0, err
	}
	now := s.opts.Now()
	s.mu.Lock()
	var stale []int64
	for chat, recs := range s.docs {
		t := last[chat]
		for _, r := range recs {
			if r.Added.After(t) {
				t = r.Added
			}
		}
		if now.Sub(t) > idle {
			stale = append(stale, chat)
		}
	}
	s.mu.Unlock()
	slices.Sort(stale)
	for _, chat := range stale {
		if _, err := s.Forget(chat); err != nil {
			return 0, err
		}
		s.log.Info("chat documents expired", "chat_id", chat, "idle_for", idle)
	}
	return len(stale), nil
}

// Document returns document name as chat sees it (its own, else a shared
// one), for the document page.
func (s *Shelf) Document(ctx context.Context, chat int64, name string) (*document.Document, bool) {
	if _, ok := s.record0(chat, name); ok {
		if e, err := s.acquire(ctx, chat); err == nil {
			if d, ok := find(e.lib.Current().docs(), name); ok {
				return d, true
			}
		}
		return nil, false
	}
	return find(s.shared.Current().docs(), name)
}

func find(docs []*document.Document, name string) (*document.Document, bool) {
	i := slices.IndexFunc(docs, func(d *document.Document) bool { return d.Name == name })
	if i < 0 {
		return nil, false
	}
	return docs[i], true
}

// forgetText deletes the extraction cache's copy of the text of chat's
// file name.
func (s *Shelf) forgetText(chat int64, name string) {
	if raw, err := os.ReadFile(s.file(chat, name)); err == nil {
		s.opts.Limits.Extractor.Forget(raw)
	}
}

// Stats are a shelf's figures, for metrics and `citebot config`.
type Stats struct {
	Chats       int    // chats with documents of their own
	Documents   int    // their documents
	StoredBytes int64  // their files' bytes
	Loaded      int    // chat libraries in memory
	LoadedBytes int64  // their estimated memory
	Loads       uint64 // chat libraries opened since start
	Evictions   uint64 // chat libraries dropped for memory since start
}

// Stats returns the shelf's figures now.
func (s *Shelf) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{Chats: len(s.docs), StoredBytes: s.total, Loaded: len(s.loaded), LoadedBytes: s.used,
		Loads: s.loads, Evictions: s.evicted}
	for _, m := range s.docs {
		st.Documents += len(m)
	}
	return st
}

// IsQuota reports whether err is a quota refusal, and which.
func IsQuota(err error) (*QuotaError, bool) {
	var q *QuotaError
	ok := errors.As(err, &q)
	return q, ok
}

// KeepFor runs [Shelf.Expire] with idle every interval until ctx ends;
// idle 0 keeps documents forever (it returns at once).
func (s *Shelf) KeepFor(ctx context.Context, idle, interval time.Duration) {
	if idle <= 0 {
		return
	}
	for {
		if _, err := s.Expire(idle); err != nil {
			s.log.Warn("couldn't expire idle chats' documents", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}
