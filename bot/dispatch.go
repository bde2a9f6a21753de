package bot

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"
)

// handler is what a dispatcher runs for each update; *Bot is the one.
type handler interface {
	// turn waits, without a worker, until u may be handled (a question
	// waits for the answers to its sender in other chats) and returns
	// the function that ends the turn.
	turn(ctx context.Context, u Update) (release func(), err error)
	// handle handles u on a worker and reports whether it is finished
	// (false: interrupted, to be replayed).
	handle(ctx context.Context, u Update) bool
	// finish records that u is finished.
	finish(u Update)
}

// dispatcher runs updates on a bounded pool: updates of one chat one at a
// time and in order, different chats concurrently. Waiting for a turn
// (see [handler]) happens before a worker is taken, so a worker is never
// held by an update that cannot run yet. It counts the updates not
// finished (queued, running, or interrupted) for backpressure. It is safe
// for concurrent use.
type dispatcher struct {
	ctx context.Context
	sem *semaphore.Weighted
	h   handler

	mu       sync.Mutex
	queues   map[int64][]Update // chats with a running goroutine
	pending  map[int]struct{}   // update ids queued, running or interrupted
	running  int                // chat goroutines
	changed  chan struct{}      // closed and replaced on every change
	maxQueue int
}

// maxPendingPerWorker bounds queued updates; polling waits beyond it and
// the webhook answers 503.
const maxPendingPerWorker = 64

func newDispatcher(ctx context.Context, workers int, h handler) *dispatcher {
	return &dispatcher{
		ctx:      ctx,
		sem:      semaphore.NewWeighted(int64(workers)),
		h:        h,
		queues:   make(map[int64][]Update),
		pending:  make(map[int]struct{}),
		changed:  make(chan struct{}),
		maxQueue: workers * maxPendingPerWorker,
	}
}

// notify wakes waiters; d.mu must be held.
func (d *dispatcher) notify() {
	close(d.changed)
	d.changed = make(chan struct{})
}

// dispatch queues u behind the earlier updates of its chat. An update not
// meant for the bot (no chat) is finished at once. The caller dispatches
// each update once (the store tells new updates from redeliveries).
func (d *dispatcher) dispatch(u Update) {
	key, ok := chatKey(u)
	if !ok {
		d.h.finish(u)
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.pending[u.UpdateID] = struct{}{}
	q, running := d.queues[key]
	d.queues[key] = append(q, u)
	if !running {
		d.running++
		go d.run(key)
	}
	d.notify()
}

// run handles the queued updates of chat until its queue is empty or the
// dispatcher's context ends; updates left then stay pending (in the
// store, for the next start).
func (d *dispatcher) run(chat int64) {
	for {
		d.mu.Lock()
		q := d.queues[chat]
		if len(q) == 0 || d.ctx.Err() != nil {
			// Under the same lock as the check, so that dispatch never
			// appends to a queue nobody runs.
			delete(d.queues, chat)
			d.running--
			d.notify()
			d.mu.Unlock()
			return
		}
		u := q[0]
		q[0] = Update{}
		d.queues[chat] = q[1:]
		d.mu.Unlock()

		d.runOne(u)
	}
}

// runOne waits for u's turn, then handles it on a worker. When the
// context ends first, u stays pending.
func (d *dispatcher) runOne(u Update) {
	release, err := d.h.turn(d.ctx, u)
	if err != nil {
		return
	}
	defer release()
	if err := d.sem.Acquire(d.ctx, 1); err != nil {
		return
	}
	finished := d.h.handle(d.ctx, u)
	d.sem.Release(1)
	if finished {
		d.h.finish(u)
	}
	d.mu.Lock()
	if finished {
		delete(d.pending, u.UpdateID)
	}
	d.notify()
	d.mu.Unlock()
}

// full reports whether maxQueue updates are pending.
func (d *dispatcher) full() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.pending) >= d.maxQueue
}

// room waits until fewer than maxQueue updates are pending or ctx is done.
func (d *dispatcher) room(ctx context.Context) error {
	for {
		d.mu.Lock()
		n, ch := len(d.pending), d.changed
		d.mu.Unlock()
		if n < d.maxQueue {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// wait waits up to timeout for every chat goroutine to finish and reports
// whether they did.
func (d *dispatcher) wait(timeout time.Duration) bool {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		d.mu.Lock()
		n, ch := d.running, d.changed
		d.mu.Unlock()
		if n == 0 {
			return true
		}
		select {
		case <-ch:
		case <-t.C:
			return false
		}
	}
}

// pendingCount returns how many updates are queued, running or
// interrupted.
func (d *dispatcher) pendingCount() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.pending)
}
