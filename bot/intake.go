package bot

import (
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/config/backoff"
)

const (
	// maxQueuedUploads bounds the documents of one chat waiting while
	// another of its documents is being read; an upload beyond it is
	// refused politely.
	maxQueuedUploads = 4
	// maxHeldUploads bounds the documents being read or waiting in all
	// chats together: each holds its bytes in memory until it is read.
	maxHeldUploads = 16
	// maxReaders is how many documents are read at once, in all chats
	// together: reading (a PDF's text, OCR, embedding) is CPU work.
	maxReaders = 2
	// statusDelay is how long a document may take to read before its
	// status message is sent; statusEvery is the least time between two
	// edits of that message (Telegram tolerates about one edit of a
	// message per 3 s).
	statusDelay = 3 * time.Second
	statusEvery = 3 * time.Second
)

// intake reads the documents sent to the bot. Reading (OCR of a scan)
// can take minutes, so it runs off the chat's update queue: the chat can
// ask /docs, which lists the document as being read, and send more
// files, which are queued.
//
// Each chat has a lane: its documents are read one at a time, in the
// order they came, with at most maxQueuedUploads waiting. Lanes of
// different chats run side by side, maxReaders documents at a time, so
// that one chat's long scan does not hold up another chat's text file
// (a document waiting for a reader is shown as queued); maxHeldUploads
// bounds the documents held in all lanes. A question waits a while for
// the documents its chat sent before it (see [Bot.awaitReading]).
//
// An update whose document the intake reads is held: it is marked done
// only when the document is added or refused (see [intake.release]), so
// that a document cut short by a stop is read again after the restart,
// like any unfinished update. Its zero value is ready to use; it is safe
// for concurrent use.
type intake struct {
	mu      sync.Mutex
	lanes   map[int64][]*readJob // by chat: the job being read (or waiting for a reader) first
	held    int                  // jobs in all lanes
	idle    chan struct{}        // closed when the last lane ends; nil: no lane
	holds   map[int]*hold        // by update id
	readers chan struct{}        // a semaphore of maxReaders
}

// hold is the finishing state of an update whose document the intake reads.
type hold struct {
	ended      bool // the job ended
	added      bool // and the update is finished (not interrupted)
	dispatched bool // the dispatcher asked to finish it
}

// submitResult says what became of a submitted job.
type submitResult int

const (
	jobStarted submitResult = iota // its chat's lane was idle: read as soon as a reader is free
	jobQueued                      // waits for its chat's documents sent before it
	jobRefused                     // the chat's queue, or the intake, is full
)

// submit starts j's chat's lane with j, or queues j in it. A queued job
// waits until j.ready is closed before it starts, so that its "queued"
// notice is sent first.
func (in *intake) submit(j *readJob) submitResult {
	in.mu.Lock()
	defer in.mu.Unlock()
	chat := j.t.chat
	lane := in.lanes[chat]
	if len(lane) > maxQueuedUploads || in.held >= maxHeldUploads {
		return jobRefused
	}
	if in.lanes == nil {
		in.lanes = make(map[int64][]*readJob)
		in.readers = make(chan struct{}, maxReaders)
	}
	in.lanes[chat] = append(lane, j)
	in.held++
	in.holdLocked(j)
	if len(lane) > 0 {
		return jobQueued
	}
	if in.idle == nil {
		in.idle = make(chan struct{})
	}
	go in.work(chat, j)
	return jobStarted
}

// holdLocked holds j's update when it belongs to the durable inbox.
func (in *intake) holdLocked(j *readJob) {
	if j.t.out == nil {
		return
	}
	if in.holds == nil {
		in.holds = make(map[int]*hold)
	}
	in.holds[j.u.UpdateID] = &hold{}
}

// work reads the jobs of chat's lane, first and then those queued after
// it, in order, until the lane is empty. Each job takes a reader first.
func (in *intake) work(chat int64, first *readJob) {
	for j := first; j != nil; j = in.next(chat) {
		got := in.reader(j)
		j.runSafely()
		if got {
			<-in.readers
		}
		close(j.done)
	}
}

// runSafely runs j, logging a panic (AddDocument's own are handled
// apart) instead of taking the process down.
func (j *readJob) runSafely() {
	defer func() {
		if r := recover(); r != nil {
			j.log.Error("panic while reading a document", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	j.run()
}

// reader waits for a free reader for j, once j may start, telling j's
// chat that it is queued when it has to wait (unless it was told so
// already); false: j's context ended first (j then ends as interrupted).
func (in *intake) reader(j *readJob) bool {
	<-j.ready
	select {
	case in.readers <- struct{}{}:
	default:
		if j.msg == 0 && !j.noStatus {
			j.sendQueuedNotice()
		}
		select {
		case in.readers <- struct{}{}:
		case <-j.ctx.Done():
			return false
		}
	}
	j.reading.Store(true)
	return true
}

// next drops the job read last from chat's lane and returns the next
// one, or nil when the lane is empty (the intake is idle once every
// lane is).
func (in *intake) next(chat int64) *readJob {
	in.mu.Lock()
	defer in.mu.Unlock()
	lane := in.lanes[chat]
	lane[0] = nil
	lane = lane[1:]
	in.held--
	if len(lane) > 0 {
		in.lanes[chat] = lane
		return lane[0]
	}
	delete(in.lanes, chat)
	if len(in.lanes) == 0 {
		close(in.idle)
		in.idle = nil
	}
	return nil
}

// wait waits up to timeout for every submitted job to end and reports
// whether they did.
func (in *intake) wait(timeout time.Duration) bool {
	in.mu.Lock()
	idle := in.idle
	in.mu.Unlock()
	if idle == nil {
		return true
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-idle:
		return true
	case <-t.C:
		return false
	}
}

// pending returns the jobs of chat's lane: its documents being read or
// waiting.
func (in *intake) pending(chat int64) []*readJob {
	in.mu.Lock()
	defer in.mu.Unlock()
	return slices.Clone(in.lanes[chat])
}

// release reports whether the update of id may be marked done now. The
// dispatcher (byJob false) asks when its handler returned; the job asks
// when it ended, added telling whether the update is finished. Whichever
// asks second gets the answer; an update the intake does not hold is
// released at once.
func (in *intake) release(id int, byJob, added bool) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	h, ok := in.holds[id]
	switch {
	case !ok:
		return !byJob
	case byJob && h.dispatched, !byJob && h.ended:
		delete(in.holds, id)
		return h.added || (byJob && added)
	case byJob:
		h.ended, h.added = true, added
	default:
		h.dispatched = true
	}
	return false
}

// reading returns the documents being read and waiting that chat may
// see, in order: those sent in it and, when admin (a bot admin asks),
// those sent to the shared documents anywhere. A document already added
// (its reply not yet sent) is left out.
func (in *intake) reading(chat int64, admin bool) []uploadStatus {
	in.mu.Lock()
	var jobs []*readJob
	for c, lane := range in.lanes {
		for _, j := range lane {
			if c == chat || admin && !j.own {
				jobs = append(jobs, j)
			}
		}
	}
	in.mu.Unlock()
	slices.SortStableFunc(jobs, func(a, b *readJob) int { return a.start.Compare(b.start) })
	var out []uploadStatus
	for _, j := range jobs {
		if j.read.Load() {
			continue
		}
		s := uploadStatus{Name: j.name, Queued: !j.reading.Load()}
		if !s.Queued {
			s.Progress, _, _ = j.progress()
		}
		out = append(out, s)
	}
	return out
}

// readWait is how long a question waits for the documents its chat sent
// before it to be read.
const readWait = 10 * time.Second

// awaitReading waits up to readWait for the documents chat sent before
// now to be read and their results shown, so that a question sent right
// after a file is answered from it. It returns the names of those still
// being read or waiting when the time is up (or ctx ended).
func (b *Bot) awaitReading(ctx context.Context, chat int64) (still []string) {
	jobs := b.intake.pending(chat)
	if len(jobs) == 0 {
		return nil
	}
	t := time.NewTimer(readWait)
	defer t.Stop()
	for i, j := range jobs {
		select {
		case <-j.done:
			continue
		case <-t.C:
		case <-ctx.Done():
		}
		for _, j := range jobs[i:] {
			if !j.read.Load() {
				still = append(still, j.name)
			}
		}
		return still
	}
	return nil
}

// uploadStatus is a document the intake reads or holds in its queue.
type uploadStatus struct {
	Name     string
	Queued   bool
	Progress answer.Progress
}

// readJob is one document to read: the upload it came from, its bytes and
// what its chat has been shown.
type readJob struct {
	upload
	u     Update // the update that brought the document
	data  []byte
	start time.Time
	// ready is closed once the job may start (its "queued" notice, if
	// any, is sent); done once it ended and its result was shown.
	ready, done chan struct{}
	// reading: it has a reader; read: the library has it (or refused it).
	reading, read atomic.Bool

	mu         sync.Mutex
	p          answer.Progress
	stageStart time.Time // first report of p.Stage
	stageDone  int       // p.Done at stageStart

	// Used by the job's goroutines one at a time (the queue notice, then
	// the status display, then the result).
	msg      int       // the status message, 0: none
	shown    string    // its text
	lastEdit time.Time // when it was last sent or edited
	noStatus bool      // the status message can't be shown

	// addFn reads the document into its library (see [Bot.addTo]); own:
	// the chat's own library.
	addFn func(ctx context.Context, name string, data []byte, progress func(answer.Progress)) (answer.DocInfo, bool, error)
	own   bool
}

// report records p; it is the progress function given to AddDocument.
func (j *readJob) report(p answer.Progress) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.stageStart.IsZero() || p.Stage != j.p.Stage || p.Done < j.stageDone {
		j.stageStart, j.stageDone = time.Now(), p.Done
	}
	j.p = p
}

// progress returns the latest report and the pace of its stage so far:
// done units in elapsed time.
func (j *readJob) progress() (p answer.Progress, done int, elapsed time.Duration) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.p, j.p.Done - j.stageDone, time.Since(j.stageStart)
}

// run reads the document and shows the result: in the status message
// when there is one, else as a reply. A panic in AddDocument is an error
// for this document only.
func (j *readJob) run() {
	<-j.ready
	if j.ctx.Err() != nil {
		j.interrupted(j.ctx.Err())
		return
	}
	typing := j.b.startStream(j.ctx, j.t, j.lang, false, 0)
	stopTyping := sync.OnceFunc(func() { typing.stop() })
	halt, shown := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(shown)
		j.showStatus(halt, stopTyping)
	}()
	info, replaced, err := j.add()
	j.read.Store(true)
	close(halt)
	<-shown
	stopTyping()
	switch {
	case err != nil && j.ctx.Err() != nil:
		j.interrupted(err)
	case err != nil:
		j.log.Warn("couldn't add a document", "bytes", len(j.data), "err", err)
		j.ended(j.say(addError(j.lang, j.name, err)))
	default:
		if info.Name == "" {
			info.Name = j.name
		}
		j.log.Info("document added", "name", info.Name, "paragraphs", info.Paragraphs, "ocr", info.OCR, "bytes", len(j.data),
			"took_ms", time.Since(j.start).Milliseconds())
		j.ended(j.say(addedText(j.lang, info, replaced, j.own, j.u.Message != nil && j.u.Message.Chat.Type == "private")))
	}
}

// add calls AddDocument, turning a panic into an error.
func (j *readJob) add() (info answer.DocInfo, replaced bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			j.log.Error("panic while adding a document", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("%s: internal error while reading the document", j.name)
		}
	}()
	return j.addFn(j.ctx, j.name, j.data, j.report)
}

// ended marks the job's update done, once the dispatcher is done with it
// too, when finished.
func (j *readJob) ended(finished bool) {
	if j.t.out != nil && j.b.intake.release(j.u.UpdateID, true, finished) {
		j.b.finish(j.u)
	}
}

// interrupted tells the chat that a stop cut the reading short; the
// update stays unfinished, to be read again after the restart, and the
// handling is not counted as one a crash cut short (see
// [Bot.beginAttempt]).
func (j *readJob) interrupted(err error) {
	j.log.Warn("reading a document interrupted by shutdown", "err", err)
	if out := j.t.out; out != nil && !out.poisoned {
		j.b.st.EndLater(out.seq, func(err error) {
			if err != nil {
				j.log.Warn("couldn't record the end of an interrupted reading: it counts as cut short by a crash", "err", err)
			}
		})
	}
	if j.msg != 0 {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(j.ctx), finishTimeout)
		defer cancel()
		text := fmt.Sprintf(uploadTexts[j.lang].interrupted, j.name)
		if err := j.b.edit(ctx, j.t.chat, j.msg, escapeHTML(text), true, nil, retryFlood); err != nil {
			j.log.Debug("couldn't mark the status message interrupted", "err", err)
		}
	}
	j.ended(false)
}

// say shows the outcome: edited into the status message (no sooner than
// statusEvery after its last edit), else, or when that fails, as a new
// reply. It reports whether the job's update is finished.
func (j *readJob) say(text string) bool {
	if j.msg != 0 {
		if d := time.Until(j.lastEdit.Add(statusEvery)); d > 0 {
			if err := backoff.Sleep(j.ctx, d); err != nil {
				return false
			}
		}
		err := j.b.editMessage(j.ctx, j.t.chat, j.msg, escapeHTML(text), true, nil)
		if err == nil {
			return true
		}
		if j.ctx.Err() != nil {
			return false
		}
		j.log.Warn("couldn't edit the status message into the result, sending it anew", "err", err)
	}
	return j.b.reply(j.ctx, j.t, text)
}

// notifyQueued sends the "queued" notice and lets the job start.
func (j *readJob) notifyQueued() {
	defer close(j.ready)
	j.sendQueuedNotice()
}

// sendQueuedNotice sends the "queued" notice, which becomes the status
// message.
func (j *readJob) sendQueuedNotice() {
	text := fmt.Sprintf(uploadTexts[j.lang].queued, j.name)
	id, err := j.b.sendMessage(j.ctx, j.t, escapeHTML(text), true, nil)
	if err != nil {
		j.log.Warn("couldn't tell that a document is queued", "err", err)
	}
	j.msg, j.shown, j.lastEdit, j.noStatus = id, text, time.Now(), id == 0
}

// showStatus sends the status message once reading took statusDelay (at
// once when the queue notice is there), then edits it at most every
// statusEvery whenever its text changed, until halt is closed. stopTyping
// stops the "typing…" display; it is called when the message is sent.
func (j *readJob) showStatus(halt <-chan struct{}, stopTyping func()) {
	wait := statusDelay
	if j.msg != 0 {
		wait = time.Until(j.lastEdit.Add(statusEvery))
		stopTyping()
	}
	for !j.noStatus {
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-halt:
				t.Stop()
				return
			case <-j.ctx.Done():
				t.Stop()
				return
			}
		}
		wait = statusEvery
		text := statusText(j.lang, j.name, j)
		if text == j.shown {
			continue
		}
		if j.msg == 0 {
			stopTyping()
			id, err := j.b.sendMessage(j.ctx, j.t, escapeHTML(text), true, nil)
			j.msg, j.noStatus = id, id == 0
			if err != nil {
				j.log.Warn("couldn't send the status message", "err", err)
			}
		} else if err := j.b.editUncut(j.ctx, j.t.chat, j.msg, escapeHTML(text)); err != nil {
			j.log.Debug("status edit failed", "err", err)
		}
		j.shown, j.lastEdit = text, time.Now()
	}
}

// newReadJob makes the job of reading data, downloaded for up.
func newReadJob(up upload, u Update, data []byte, start time.Time) *readJob {
	return &readJob{upload: up, u: u, data: data, start: start, ready: make(chan struct{}), done: make(chan struct{})}
}
