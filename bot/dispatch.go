package bot

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"
)

// dispatcher runs updates on a bounded pool: updates of one chat one at a
// time and in order, different chats concurrently. It remembers which
// updates are not finished (queued, running, or interrupted: handle
// reported false), for the offset committed at shutdown. It is safe for
// concurrent use.
type dispatcher struct {
	ctx    context.Context
	sem    *semaphore.Weighted
	handle func(context.Context, Update) bool

	mu       sync.Mutex
	queues   map[int64][]Update // chats with a running goroutine
	pending  map[int]struct{}   // update ids queued, running or interrupted
	seen     *lru[int, struct{}]
	running  int           // chat goroutines
	changed  chan struct{} // closed and replaced on every change
	maxQueue int
}

// maxPendingPerWorker bounds queued updates; polling waits beyond it.
const maxPendingPerWorker = 64

func newDispatcher(ctx context.Context, workers int, handle func(context.Context, Update) bool) *dispatcher {
	return &dispatcher{
		ctx:      ctx,
		sem:      semaphore.NewWeighted(int64(workers)),
		handle:   handle,
		queues:   make(map[int64][]Update),
		pending:  make(map[int]struct{}),
		seen:     newLRU[int, struct{}](4096),
		changed:  make(chan struct{}),
		maxQueue: workers * maxPendingPerWorker,
	}
}

// notify wakes waiters; d.mu must be held.
func (d *dispatcher) notify() {
	close(d.changed)
	d.changed = make(chan struct{})
}

// dispatch queues u behind the earlier updates of its chat. An update seen
// before (a redelivery) or not meant for the bot is dropped.
func (d *dispatcher) dispatch(u Update) {
	key, ok := chatKey(u)
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, dup := d.seen.get(u.UpdateID); dup {
		return
	}
	d.seen.put(u.UpdateID, struct{}{})
	if !ok {
		return
	}
	d.pending[u.UpdateID] = struct{}{}
	q, running := d.queues[key]
	d.queues[key] = append(q, u)
	if !running {
		d.running++
		go d.run(key)
	}
	d.notify()
}

// run handles the queued updates of chat until its queue is empty.
func (d *dispatcher) run(chat int64) {
	for {
		d.mu.Lock()
		q := d.queues[chat]
		if len(q) == 0 {
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

		if err := d.sem.Acquire(d.ctx, 1); err != nil {
			// Shutting down: drop the rest. Their ids stay pending, so
			// the committed offset leaves them to be delivered again.
			d.mu.Lock()
			delete(d.queues, chat)
			d.running--
			d.notify()
			d.mu.Unlock()
			return
		}
		finished := d.handle(d.ctx, u)
		d.sem.Release(1)

		d.mu.Lock()
		if finished {
			delete(d.pending, u.UpdateID)
		}
		d.notify()
		d.mu.Unlock()
	}
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

// pendingCount returns how many updates are queued or running.
func (d *dispatcher) pendingCount() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.pending)
}

// firstPending returns the lowest unfinished update id.
func (d *dispatcher) firstPending() (int, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	first, ok := 0, false
	for id := range d.pending {
		if !ok || id < first {
			first, ok = id, true
		}
	}
	return first, ok
}
