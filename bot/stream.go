package bot

import (
	"context"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// typingDelay is how long an answer may take before "typing…" (and, in a
// group, the 👀 reaction) is shown; typingEvery repeats "typing…"
// (Telegram shows it for about 5 s).
const (
	typingDelay = 300 * time.Millisecond
	typingEvery = 4500 * time.Millisecond
)

// maxDraftFailures is how many draft requests in a row may fail (other
// than by a refusal, which ends drafts at once) before an answer falls back
// to streaming by edits.
const maxDraftFailures = 3

// stream shows progress while one answer is being made. No message is
// sent before the engine has text to show (in LLM mode the verified text
// it passes to onPartial; in extractive mode none): until then the chat
// sees "typing…" and, in a group, a 👀 reaction on the question.
//
// Once text comes, a private chat is shown it as an ephemeral draft
// (sendMessageDraft, Bot API 9.3+) that the final answer's sendMessage
// replaces: nothing is left in the chat if the answer never comes. A group
// or topic (or a private chat whose drafts Telegram refuses) gets one
// message, sent with the first text and edited as the text grows; the
// answer is edited into it. Drafts and edits go at most once per
// EditInterval per chat.
//
// partial is safe for concurrent use; stop must be called once, after the
// engine returned.
type stream struct {
	b       *Bot
	ctx     context.Context
	t       target
	lang    string
	drafts  bool // stream through drafts first (a private chat)
	draftID int
	react   int // message to put 👀 on while answering (groups); 0: none

	mu      sync.Mutex
	latest  string
	started bool // the streaming goroutine runs
	stopped bool
	id      int  // streamed message id, 0 if none or unknown
	reacted bool // 👀 was set

	wake   chan struct{}
	halt   chan struct{}
	done   chan struct{} // closed when the streaming goroutine exits
	typing sync.WaitGroup
}

// startStream starts showing progress for an answer to t. private selects
// drafts; react is the question's message id for the 👀 reaction (0:
// none).
func (b *Bot) startStream(ctx context.Context, t target, lang string, private bool, react int) *stream {
	s := &stream{
		b: b, ctx: ctx, t: t, lang: lang, drafts: private, draftID: max(t.replyTo, 1), react: react,
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
	s.poke()
}

// poke wakes the streaming goroutine.
func (s *stream) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *stream) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.latest
}

// stop ends the progress display and returns the streamed message's id (0
// when none was sent or its id is unknown). The 👀 reaction stays until
// [stream.unreact].
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

// unreact removes the 👀 reaction, if one was set, once the answer is
// delivered (or given up); it has reactionTimeout of its own.
func (s *stream) unreact() {
	s.mu.Lock()
	reacted := s.reacted
	s.mu.Unlock()
	if reacted {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(s.ctx), reactionTimeout)
		defer cancel()
		s.b.setReaction(ctx, s.t.chat, s.react, "")
	}
}

// showTyping sends "typing…" after typingDelay (and sets 👀 in a group)
// and then every typingEvery, until streaming takes over or the answer is
// done.
func (s *stream) showTyping() {
	defer s.typing.Done()
	t := time.NewTimer(typingDelay)
	defer t.Stop()
	for first := true; ; first = false {
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
		if first && s.react != 0 && s.b.setReaction(s.ctx, s.t.chat, s.react, reactionWorking) {
			s.mu.Lock()
			s.reacted = true
			s.mu.Unlock()
		}
		t.Reset(typingEvery)
	}
}

// run streams the text: by drafts when the chat takes them, else (or
// once they fail) by one message edited as the text grows.
func (s *stream) run() {
	defer close(s.done)
	if s.drafts && !s.b.draftsRefused.Load() && !s.runDrafts() {
		return
	}
	s.runEdits()
}

// runDrafts shows the latest text as a draft whenever it changed and the
// chat's edit interval allows, until stop. It returns true when the
// answer should fall back to edits: Telegram does not have the method
// (then drafts are off for the bot, see [methodMissing]), refused this
// draft for good (a 403 from a user who blocked the bot, a 400 for this
// chat: this answer only), or maxDraftFailures drafts failed in a row.
func (s *stream) runDrafts() (fallBack bool) {
	b := s.b
	shown, failures := "", 0
	for {
		select {
		case <-s.wake:
		case <-s.halt:
			return false
		}
		if !b.waitEditSlot(s.halt, s.ctx, s.t.chat) {
			return false
		}
		text := s.text()
		if text == shown {
			continue
		}
		err := b.sendAnswerDraft(s.ctx, s.t, s.draftID, text)
		switch {
		case err == nil:
			shown, failures = text, 0
			continue
		case s.ctx.Err() != nil:
			return false
		case methodMissing(err):
			if !b.draftsRefused.Swap(true) {
				b.log.Info("telegram refused sendMessageDraft: private chats stream by edits from now on", "err", err)
			}
		case permanent(err):
			b.log.Info("telegram refused a draft: this answer streams by edits", "chat", s.t.chat, "err", err)
		default:
			failures++
			b.log.Debug("draft failed", "chat", s.t.chat, "err", err)
			if failures < maxDraftFailures {
				s.poke()
				continue
			}
			b.log.Warn("drafts keep failing: this answer streams by edits", "chat", s.t.chat, "err", err)
		}
		s.poke()
		return true
	}
}

// runEdits sends the first text as a message, then edits it with the
// latest text whenever it changed and the chat's edit interval allows,
// until stop.
func (s *stream) runEdits() {
	b := s.b
	id, shown := 0, ""
	for {
		select {
		case <-s.wake:
		case <-s.halt:
			return
		}
		if !b.waitEditSlot(s.halt, s.ctx, s.t.chat) {
			return
		}
		text := s.text()
		if text == shown {
			continue
		}
		if id == 0 {
			var err error
			// On a replay this edits the message sent before the restart;
			// when that edit fails, id is still that message, for the answer
			// to be edited into.
			id, err = b.sendMessage(s.ctx, s.t, renderPartial(text), true, nil)
			s.mu.Lock()
			s.id = id
			s.mu.Unlock()
			if err != nil {
				b.log.Warn("couldn't send the streamed answer's first text", "chat", s.t.chat, "err", err)
				return
			}
			if id == 0 {
				return // nothing to edit: the answer will be sent as a new message
			}
			b.gates.markEdit(s.t.chat, b.cfg.EditInterval)
			shown = text
			continue
		}
		// Not retried beyond 429s: the next edit, or the answer, supersedes it.
		if err := b.editUncut(s.ctx, s.t.chat, id, renderPartial(text)); err != nil {
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

// sendDraft shows html as the draft draftID in t's private chat
// (sendMessageDraft), with the stop button (see [newDraftParams]). 429s are
// retried (see [Bot.chatCall]); anything else is returned: the next draft
// supersedes this one.
func (b *Bot) sendDraft(ctx context.Context, t target, draftID int, html string) error {
	p := sendMessageDraftParams{draftParams: newDraftParams(t, draftID), Text: html, ParseMode: "HTML"}
	return b.sendDraftCall(ctx, t, p)
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
	return b.deliverParts(ctx, t, placeholder, splitMessages(html), markup)
}

// deliverParts is [Bot.deliver] of an HTML text already split into parts
// that each fit in a message (see splitMessages).
func (b *Bot) deliverParts(ctx context.Context, t target, placeholder int, parts []string, markup *tgbotapi.InlineKeyboardMarkup) ([]int, error) {
	if placeholder == 0 {
		return b.sendParts(ctx, t, parts, markup)
	}
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
		return b.sendParts(ctx, t, parts, markup)
	}
	ids := []int{placeholder}
	if len(parts) == 1 {
		return ids, nil
	}
	rest, err := b.sendParts(ctx, t, parts[1:], markup)
	return append(ids, rest...), err
}
