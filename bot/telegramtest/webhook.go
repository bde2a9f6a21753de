package telegramtest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// Webhook delivery timing: Telegram waits longer and backs off further;
// a test wants it quick.
const (
	webhookTimeout = 10 * time.Second
	minRedelivery  = 50 * time.Millisecond
	maxRedelivery  = time.Second
	// defaultMaxConnections is setWebhook's max_connections default.
	defaultMaxConnections = 40
)

// webhookSettings are what setWebhook set besides the URL.
type webhookSettings struct {
	secret   string
	maxConns int
}

// setWebhook answers setWebhook and deleteWebhook (no url): it records
// the webhook, its secret_token and max_connections, and drops the
// pending updates when drop_pending_updates is true.
func (s *Server) setWebhook(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhookURL = r.Get("url")
	s.webhook = webhookSettings{secret: r.Get("secret_token"), maxConns: defaultMaxConnections}
	if n, err := strconv.Atoi(r.Get("max_connections")); err == nil && n > 0 {
		s.webhook.maxConns = n
	}
	if r.Get("drop_pending_updates") == "true" {
		s.updates, s.updateIDs, s.updateChats = nil, nil, nil
	}
	s.notify()
}

// delivery sends the unconfirmed updates to the webhook like Telegram: a
// POST of the update's JSON with the secret token in
// X-Telegram-Bot-Api-Secret-Token, at most max_connections at a time and
// one at a time per chat, in order. A 2xx answer confirms the update;
// anything else, or no answer, makes it try again after a pause that
// grows from minRedelivery to maxRedelivery.
type delivery struct {
	s      *Server
	client *http.Client
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
}

// webhookJob is one delivery attempt.
type webhookJob struct {
	id          int
	raw         []byte
	url, secret string
}

func newDelivery(s *Server) *delivery {
	ctx, cancel := context.WithCancel(context.Background())
	d := &delivery{s: s, client: &http.Client{Timeout: webhookTimeout}, ctx: ctx, cancel: cancel, done: make(chan struct{})}
	go d.loop()
	return d
}

// stop ends the deliveries, those in flight included, and waits for them.
func (d *delivery) stop() {
	d.cancel()
	<-d.done
}

func (d *delivery) loop() {
	defer close(d.done)
	var wg sync.WaitGroup
	defer wg.Wait()
	type result struct {
		id int
		ok bool
	}
	results := make(chan result)
	inflight := map[int]bool{}
	failures := map[int]int{}
	retryAt := map[int]time.Time{}
	for {
		due, wake, changed := d.next(inflight, retryAt)
		for _, j := range due {
			inflight[j.id] = true
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok := d.post(j)
				select {
				case results <- result{j.id, ok}:
				case <-d.ctx.Done():
				}
			}()
		}
		timer := time.NewTimer(time.Hour)
		if !wake.IsZero() {
			timer.Reset(time.Until(wake))
		}
		select {
		case <-d.ctx.Done():
			timer.Stop()
			return
		case r := <-results:
			delete(inflight, r.id)
			if r.ok {
				d.s.confirmID(r.id)
				delete(failures, r.id)
				delete(retryAt, r.id)
			} else {
				failures[r.id]++
				retryAt[r.id] = time.Now().Add(redelivery(failures[r.id]))
			}
		case <-changed:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// redelivery is the pause after n failed deliveries of an update.
func redelivery(n int) time.Duration {
	if n > 5 {
		return maxRedelivery
	}
	return min(minRedelivery<<(n-1), maxRedelivery)
}

// next returns the updates to deliver now, when the next one waiting for
// a redelivery is due (zero: none), and the channel that signals a change.
func (d *delivery) next(inflight map[int]bool, retryAt map[int]time.Time) (due []webhookJob, wake time.Time, changed chan struct{}) {
	s := d.s
	s.mu.Lock()
	defer s.mu.Unlock()
	changed = s.changed
	if s.webhookURL == "" || s.closed {
		return nil, time.Time{}, changed
	}
	now, busy, n := time.Now(), map[int64]bool{}, len(inflight)
	for i, id := range s.updateIDs {
		if chat := s.updateChats[i]; chat != 0 {
			if busy[chat] {
				continue // an earlier update of the chat goes first
			}
			busy[chat] = true
		}
		if inflight[id] {
			continue
		}
		if t, ok := retryAt[id]; ok && t.After(now) {
			if wake.IsZero() || t.Before(wake) {
				wake = t
			}
			continue
		}
		if n >= s.webhook.maxConns {
			break
		}
		due = append(due, webhookJob{id: id, raw: s.updates[i], url: s.webhookURL, secret: s.webhook.secret})
		n++
	}
	return due, wake, changed
}

// post delivers one update and reports whether the webhook took it (2xx).
// It is recorded as a request of method "webhook" with param update_id.
func (d *delivery) post(j webhookJob) bool {
	req, err := http.NewRequestWithContext(d.ctx, http.MethodPost, j.url, bytes.NewReader(j.raw))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	if j.secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", j.secret)
	}
	status := 0
	if resp, err := d.client.Do(req); err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		status = resp.StatusCode
	}
	if d.ctx.Err() == nil {
		d.s.record(Request{Method: "webhook", Params: url.Values{"update_id": {strconv.Itoa(j.id)}}, Time: time.Now(), Status: status})
	}
	return status >= 200 && status < 300
}

// confirmID forgets update id, delivered.
func (s *Server) confirmID(id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, x := range s.updateIDs {
		if x == id {
			s.updates = append(s.updates[:i:i], s.updates[i+1:]...)
			s.updateIDs = append(s.updateIDs[:i:i], s.updateIDs[i+1:]...)
			s.updateChats = append(s.updateChats[:i:i], s.updateChats[i+1:]...)
			break
		}
	}
	s.notify()
}

// updateChat returns the chat an update belongs to (for a callback
// without a message, its sender), 0 when none.
func updateChat(u Update) int64 {
	pick := func(m any, keys ...string) any {
		for _, k := range keys {
			mm, ok := m.(map[string]any)
			if !ok {
				return nil
			}
			m = mm[k]
		}
		return m
	}
	for _, path := range [][]string{{"message", "chat", "id"}, {"guest_message", "chat", "id"}, {"callback_query", "message", "chat", "id"}, {"callback_query", "from", "id"}} {
		if n := number(pick(map[string]any(u), path...)); n != 0 {
			return n
		}
	}
	return 0
}
