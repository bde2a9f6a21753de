package bot

import (
	"context"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// typingDelay is how long an answer may take before "typing…" is shown;
// typingEvery repeats it (Telegram shows it for about 5 s).
const (
	typingDelay = 300 * time.Millisecond
	typingEvery = 4500 * time.Millisecond
)

// stream shows progress while one answer is being made: "typing…" when it
// takes a while and, once the engine streams text (LLM mode), a placeholder
// message edited as the text grows, at most once per EditInterval per chat.
// partial is safe for concurrent use; stop must be called once, after the
// engine returned.
type stream struct {
	b    *Bot
	ctx  context.Context
	t    target
	lang string

	mu      sync.Mutex
	latest  string
	started bool // the placeholder goroutine runs
	stopped bool
	id      int // placeholder message id, 0 if unknown

	wake   chan struct{}
	halt   chan struct{}
	done   chan struct{} // closed when the placeholder goroutine exits
	typing sync.WaitGroup
}

func (b *Bot) startStream(ctx context.Context, t target, lang string) *stream {
	s := &stream{
		b: b, ctx: ctx, t: t, lang: lang,
		wake: make(chan struct{}, 1),
		halt: make(chan struct{}),
		done: make(chan struct{}),
	}
	s.typing.Add(1)
	go s.showTyping()
	return s
}

// partial receives the answer text written so far.
func (s *stream) partial(text string) {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	s.latest = text
	if !s.started {
		s.started = true
		go s.run()
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// stop ends the progress display and returns the placeholder's id (0 when
// none was sent or its id is unknown).
func (s *stream) stop() int {
	s.mu.Lock()
	s.stopped = true
	started := s.started
	s.mu.Unlock()
	close(s.halt)
	if started {
		<-s.done
	}
	s.typing.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.id
}

// showTyping sends "typing…" after typingDelay and then every typingEvery,
// until the placeholder takes over or the answer is done.
func (s *stream) showTyping() {
	defer s.typing.Done()
	t := time.NewTimer(typingDelay)
	defer t.Stop()
	for {
		select {
		case <-s.halt:
			return
		case <-t.C:
		}
		s.mu.Lock()
		started := s.started
		s.mu.Unlock()
		if started {
			return
		}
		s.b.sendTyping(s.ctx, s.t)
		t.Reset(typingEvery)
	}
}

// run sends the placeholder, then edits it with the latest text whenever it
// changed and the chat's edit interval allows, until stop.
func (s *stream) run() {
	defer close(s.done)
	b := s.b
	id, err := b.sendMessage(s.ctx, s.t, escapeHTML(texts[s.lang].placeholder), true, nil)
	s.mu.Lock()
	s.id = id
	s.mu.Unlock()
	if err != nil {
		b.log.Warn("couldn't send the placeholder", "chat", s.t.chat, "err", err)
		return
	}
	if id == 0 {
		return // nothing to edit: the answer will be sent as a new message
	}
	b.gates.markEdit(s.t.chat, b.cfg.EditInterval)
	shown := ""
	for {
		select {
		case <-s.wake:
		case <-s.halt:
			return
		}
		if !b.waitEditSlot(s.halt, s.ctx, s.t.chat) {
			return
		}
		s.mu.Lock()
		text := s.latest
		s.mu.Unlock()
		if text == shown {
			continue
		}
		// Not retried beyond 429s: the next edit, or the answer, supersedes it.
		if err := b.edit(s.ctx, s.t.chat, id, renderPartial(text), true, nil, retryFlood); err != nil {
			b.log.Debug("streaming edit failed", "chat", s.t.chat, "err", err)
		}
		shown = text
	}
}

// waitEditSlot waits until the chat may be edited again and books that
// slot. It returns false when halt is closed or ctx is done first (halt may
// be nil).
func (b *Bot) waitEditSlot(halt <-chan struct{}, ctx context.Context, chat int64) bool {
	for {
		w := b.gates.editWait(chat, b.cfg.EditInterval)
		if w <= 0 {
			return true
		}
		t := time.NewTimer(w)
		select {
		case <-t.C:
		case <-halt:
			t.Stop()
			return false
		case <-ctx.Done():
			t.Stop()
			return false
		}
	}
}

// deliver shows a rendered HTML answer: by editing the placeholder with the
// first part when there is one (sending the rest as new messages), else as
// new messages. The keyboard goes under the last part. It returns the ids
// of the messages holding the answer.
//
// When the placeholder cannot be edited (Telegram refuses for good, or
// the edit still fails when its retry budget is spent), it is deleted and
// the answer sent anew: deleted first, so that it never stays beside the
// answer, whatever the deletion's outcome tells. A cancelled edit (the
// shutdown) is returned as it is: the replay edits the same placeholder.
func (b *Bot) deliver(ctx context.Context, t target, placeholder int, html string, markup *tgbotapi.InlineKeyboardMarkup) ([]int, error) {
	if placeholder == 0 {
		return b.sendHTML(ctx, t, html, markup)
	}
	parts := splitHTML(html, maxMessageUnits)
	if len(parts) == 0 {
		return nil, nil
	}
	var first *tgbotapi.InlineKeyboardMarkup
	if len(parts) == 1 {
		first = markup
	}
	if !b.waitEditSlot(nil, ctx, t.chat) {
		return nil, ctx.Err()
	}
	if err := b.editMessage(ctx, t.chat, placeholder, parts[0], true, first); err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		b.log.Warn("couldn't edit the placeholder, sending the answer anew", "chat", t.chat, "err", err)
		if !isGone(err) {
			if err := b.deleteMessage(ctx, t.chat, placeholder); err != nil {
				if ctx.Err() != nil {
					return nil, err
				}
				b.log.Warn("couldn't delete the placeholder before sending the answer anew", "chat", t.chat, "err", err)
			}
		}
		return b.sendHTML(ctx, t, html, markup)
	}
	ids := []int{placeholder}
	if len(parts) == 1 {
		return ids, nil
	}
	rest, err := b.sendParts(ctx, t, parts[1:], markup)
	return append(ids, rest...), err
}
