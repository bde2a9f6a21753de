package bot

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/citebot/citebot/bot/store"
)

// The inbox: every update goes through [store.Store] (see the package
// documentation, "Delivery").
// How old an unfinished update may be and still be answered on a replay is
// Config.ReplayMaxAge (the setting replay_max_age).
const (
	// keepDone is how many done updates the store keeps, to recognise
	// redeliveries (by update id and content, see [store.Store.Put]); pruneEvery is how many finished updates go by between
	// prunings.
	keepDone   = 10000
	pruneEvery = 1000
)

// incoming is an update as received: its id, its raw JSON and, when it
// decodes, the decoded update.
type incoming struct {
	id  int
	raw json.RawMessage
	u   Update
	ok  bool // u decoded
}

// decodeIncoming decodes one raw update. ok is false for an update that
// does not decode; id is 0 when not even its update_id does.
func decodeIncoming(raw json.RawMessage) (incoming, error) {
	in := incoming{raw: raw}
	err := json.Unmarshal(raw, &in.u)
	if err == nil {
		in.id, in.ok = in.u.UpdateID, true
		return in, nil
	}
	var id struct {
		UpdateID int `json:"update_id"`
	}
	_ = json.Unmarshal(raw, &id)
	in.id = id.UpdateID
	return in, err
}

// accept stores the incoming updates in one transaction, then dispatches
// the ones not stored before: an update id stored before with the same
// content is a redelivery (dropped, logged at debug level); with other
// content it is a new update (Telegram's ids start again, see
// [store.Store.Put]). Updates the bot does not handle (they do not
// decode, or belong to no chat) are stored as done: deliberately dropped.
// On error nothing was stored or dispatched: the caller must neither
// confirm nor acknowledge them.
func (b *Bot) accept(ins []incoming, d *dispatcher) error {
	if len(ins) == 0 {
		return nil
	}
	now := time.Now()
	recs := make([]store.Update, len(ins))
	for i, in := range ins {
		if in.u.Stopped != nil { // at once: it ends an answer running in its chat
			b.stopGeneration(*in.u.Stopped)
		}
		recs[i] = store.Update{ID: in.id, Raw: in.raw, Received: now, State: store.Pending}
		if _, handled := chatKey(in.u); !in.ok || !handled {
			recs[i].State = store.Done
		}
	}
	seqs, err := b.st.Put(recs)
	if err != nil {
		return err
	}
	for i, in := range ins {
		if seqs[i] == 0 {
			b.log.Debug("dropping a redelivered update (stored before with the same content)", "update_id", in.id)
			continue
		}
		if recs[i].State == store.Pending {
			in.u.out = &outbox{st: b.st, seq: seqs[i]}
			b.routeOnce(&in.u)
			d.dispatch(in.u)
		}
	}
	return nil
}

// maxAttempts is how many handlings of an update a crash may cut short
// before the replay gives up on it: an update found unfinished with
// maxAttempts attempts recorded (see [Bot.beginAttempt]) is likely what
// brings the process down, so it gets an apology instead of a third try.
const maxAttempts = 2

// replay dispatches the updates left unfinished by an earlier run, in the
// order they were stored (and so in per-chat order), with the messages
// they had sent. Those stored longer than Config.ReplayMaxAge ago (when it
// is set) are marked expired, and those whose handling crashes cut short
// maxAttempts times are marked poisoned: both get an apology, not an
// answer.
func (b *Bot) replay(d *dispatcher) error {
	pending, err := b.st.Pending()
	if err != nil {
		return err
	}
	expired, poisoned := 0, 0
	for _, p := range pending {
		out := &outbox{st: b.st, seq: p.Seq, prev: p.Sent}
		in, err := decodeIncoming(p.Raw)
		if err != nil {
			b.log.Warn("dropping a stored update that does not decode", "update_id", p.ID, "err", err)
			b.finish(Update{Update: tgbotapi.Update{UpdateID: p.ID}, out: out})
			continue
		}
		u := in.u
		u.UpdateID, u.out = p.ID, out
		switch {
		case p.Attempts >= maxAttempts:
			b.log.Warn("giving up on an update whose handling was cut short by a crash twice: apologising instead of handling it again",
				"update_id", p.ID, "attempts", p.Attempts)
			u.expired, out.poisoned = true, true
			poisoned++
		case b.cfg.ReplayMaxAge > 0 && time.Since(p.Received) > b.cfg.ReplayMaxAge:
			u.expired = true
			expired++
		}
		b.routeOnce(&u)
		d.dispatch(u)
	}
	if len(pending) > 0 {
		b.log.Info("replaying unfinished updates", "count", len(pending), "too_old", expired, "given_up", poisoned)
	}
	return nil
}

// beginAttempt records in the store, before u is handled, that a handling
// of u starts, and returns the function that ends the attempt once the
// handling returns: one that did not finish u (a stop interrupted it, or
// its retries ran out) takes its attempt back, so that only the handlings
// a crash cut short stay counted (see maxAttempts). Updates outside the
// inbox, and poisoned ones (only apologised for), are not counted. When
// the store cannot record the start, u is handled all the same.
func (b *Bot) beginAttempt(u Update) (end func(finished bool)) {
	if u.out == nil || u.out.poisoned {
		return func(bool) {}
	}
	if _, err := b.st.Begin(u.out.seq); err != nil {
		b.log.Warn("couldn't record the start of an update's handling", "update_id", u.UpdateID, "err", err)
		return func(bool) {}
	}
	return func(finished bool) {
		if finished {
			return // Finish marks it done: the count no longer matters
		}
		b.st.EndLater(u.out.seq, func(err error) {
			if err != nil {
				b.log.Warn("couldn't record the end of an interrupted handling: it counts as cut short by a crash",
					"update_id", u.UpdateID, "err", err)
			}
		})
	}
}

// leftoverTimeout bounds the deletion of an update's leftover messages.
const leftoverTimeout = time.Minute

// finish marks u done: its leftover messages from before a restart (an
// earlier answer longer than this one) are deleted first, within
// leftoverTimeout. An update whose document the intake still reads is
// marked done when the reading ends (see [intake.release]).
func (b *Bot) finish(u Update) {
	if !b.intake.release(u.UpdateID, false, false) {
		return
	}
	if chat, ok := chatKey(u); ok && u.out != nil {
		ctx, cancel := context.WithTimeout(context.Background(), leftoverTimeout)
		defer cancel()
		for _, id := range u.out.leftover() {
			if err := b.deleteMessage(ctx, chat, id); err != nil {
				b.log.Debug("couldn't delete a leftover message", "chat", chat, "message_id", id, "err", err)
			}
		}
	}
	if u.out == nil {
		return // not in the inbox
	}
	// Not waited for: the store commits it after the update's message ids
	// (queued earlier), and a crash before the commit only replays it. A
	// failed commit is tried again by the store before it reports an error.
	b.st.FinishLater(u.out.seq, func(err error) {
		if err != nil {
			b.log.Error("couldn't mark an update done: it will be handled again after a restart", "update_id", u.UpdateID, "err", err)
		}
	})
	if b.finished.Add(1)%pruneEvery == 0 {
		b.prune()
	}
}

// prune deletes the oldest done updates beyond keepDone.
func (b *Bot) prune() {
	n, err := b.st.Prune(keepDone)
	if err != nil {
		b.log.Warn("couldn't prune the store", "err", err)
		return
	}
	if n > 0 {
		b.log.Debug("pruned done updates", "count", n)
	}
}

// handleExpired answers an update that waited longer than
// Config.ReplayMaxAge, or that crashes cut short maxAttempts times
// (poisoned): an addressed message (allowed to be answered) gets a short
// "please ask again" or, poisoned, "could not be processed", in the
// placeholder if it had one; anything else is dropped. Like an answer, it
// reports false when that reply was not delivered because ctx (the
// shutdown) cut it short or its retries ran out: the update stays pending
// and the next start apologises again.
func (b *Bot) handleExpired(ctx context.Context, u Update) bool {
	m := u.Message
	if m == nil || b.request(u).kind == reqNone {
		return true
	}
	if !b.isAdmin(m.From.ID) && !b.access.allowed(m.Chat.ID, m.From.ID) {
		return true
	}
	tt := texts[userLang(m.From.LanguageCode, m.Text)]
	text := tt.tooOld
	if u.out != nil && u.out.poisoned {
		text = tt.poisoned
	}
	return b.reply(ctx, replyTarget(u, m), text)
}

// outbox is an update's place in the inbox: its store entry, and the
// messages sent for it. It numbers those messages and records each id in
// the store as soon as Telegram accepted it (queued before the update's
// Finish, so committed no later). On a replay it hands back the ids sent
// before the restart, so that the n-th message is edited rather than sent
// a second time. A nil outbox (an update handled outside the inbox)
// records nothing. It is safe for concurrent use.
type outbox struct {
	st   *store.Store
	seq  uint64 // the update's store entry ([store.Update.Seq])
	prev []int  // ids sent before a restart, by position; 0: none
	// poisoned marks an update replayed after crashes cut its handling
	// short maxAttempts times: it is only apologised for.
	poisoned bool

	mu   sync.Mutex
	next int // position of the next message
}

// claim takes the next position and returns it with the id of the
// message sent there before a restart (0: none).
func (o *outbox) claim() (n, reuse int) {
	if o == nil {
		return 0, 0
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	n = o.next
	o.next++
	if n < len(o.prev) {
		reuse = o.prev[n]
	}
	return n, reuse
}

// record queues id for the store as the message at position n, without
// waiting for the disk (see [store.Store.SetSentLater]); a failure goes to
// onErr, on the store's writer goroutine.
func (o *outbox) record(n, id int, onErr func(error)) {
	if o == nil || id == 0 {
		return
	}
	o.st.SetSentLater(o.seq, n, id, func(err error) {
		if err != nil {
			onErr(err)
		}
	})
}

// leftover returns the messages sent before a restart at positions this
// run did not reach.
func (o *outbox) leftover() []int {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []int
	for i := o.next; i < len(o.prev); i++ {
		if o.prev[i] != 0 {
			out = append(out, o.prev[i])
		}
	}
	return out
}

// deleteMessage deletes message id in chat, retrying 429s and transient
// failures (see [Bot.chatCall]). A message already gone is not an error
// (a retried deletion that had taken effect finds it gone).
func (b *Bot) deleteMessage(ctx context.Context, chat int64, id int) error {
	_, err := b.chatCall(ctx, chat, deleteMessageParams{ChatID: chat, MessageID: id}, retryAll)
	if isGone(err) {
		return nil
	}
	return err
}
