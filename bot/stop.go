package bot

import (
	"context"
	"encoding/json"
	"errors"
	"sync"

	"github.com/citebot/citebot/answer"
)

// The stop button (Bot API 10.3): a draft sent with can_stop shows the
// user a button that stops the generation; Telegram then sends the update
// stopped_message_generation (MessageGenerationStopped: chat, draft_id,
// optional message_thread_id). tgbotapi v5 does not know the field, so
// [Update] decodes it from the raw update with [parseStopped].
//
// A stop cancels the answer's context with the cause [answer.ErrStopped]:
// the engine ends the model's request and returns what it verified so
// far, which is delivered with a line saying it was stopped. The stop is
// acted on when the update arrives, not queued behind the chat's running
// answer (which it ends); it is stored as done, as nothing is left to
// replay.

// GenerationStopped is the Bot API MessageGenerationStopped object.
type GenerationStopped struct {
	// Chat is the private chat of the stopped draft.
	Chat int64
	// ThreadID is the message thread of the draft, 0 for none.
	ThreadID int
	// DraftID is the draft_id the bot gave the stopped draft.
	DraftID int
}

// errBadStop is a stopped_message_generation field without the chat or
// the draft it names.
var errBadStop = errors.New("stopped_message_generation without chat.id or draft_id")

// parseStopped returns the stopped_message_generation field of the raw
// update data: nil without error when the update has none, an error when
// it is there but does not name a chat and a non-zero draft.
func parseStopped(data []byte) (*GenerationStopped, error) {
	var u struct {
		Stopped *struct {
			Chat *struct {
				ID int64 `json:"id"`
			} `json:"chat"`
			ThreadID int `json:"message_thread_id"`
			DraftID  int `json:"draft_id"`
		} `json:"stopped_message_generation"`
	}
	if err := json.Unmarshal(data, &u); err != nil {
		return nil, err
	}
	s := u.Stopped
	if s == nil {
		return nil, nil
	}
	if s.Chat == nil || s.Chat.ID == 0 || s.DraftID == 0 {
		return nil, errBadStop
	}
	return &GenerationStopped{Chat: s.Chat.ID, ThreadID: s.ThreadID, DraftID: s.DraftID}, nil
}

// stopKey names a stoppable answer: its chat and its drafts' draft_id.
type stopKey struct {
	chat  int64
	draft int
}

// stoppable returns the context to answer in: in a private chat, one that
// the stop button of the answer's drafts (draft draftID) cancels. done
// ends that and reports whether a stop came; it may be called again.
func (b *Bot) stoppable(ctx context.Context, t target, draftID int, private bool) (actx context.Context, done func() (stopped bool)) {
	if !private {
		return ctx, func() bool { return false }
	}
	actx, cancel := context.WithCancelCause(ctx)
	k := stopKey{t.chat, draftID}
	r := &b.rich
	r.mu.Lock()
	if r.stops == nil {
		r.stops = make(map[stopKey]context.CancelCauseFunc)
	}
	r.stops[k] = cancel
	r.mu.Unlock()
	var once sync.Once
	return actx, func() bool {
		once.Do(func() {
			r.mu.Lock()
			delete(r.stops, k)
			r.mu.Unlock()
		})
		stopped := errors.Is(context.Cause(actx), answer.ErrStopped)
		cancel(nil)
		return stopped
	}
}

// stopGeneration ends the answer whose drafts g stopped, if it is still
// being made.
func (b *Bot) stopGeneration(g GenerationStopped) {
	r := &b.rich
	r.mu.Lock()
	cancel, ok := r.stops[stopKey{g.Chat, g.DraftID}]
	r.mu.Unlock()
	if !ok {
		b.log.Debug("stop for an answer no longer being made", "chat", g.Chat, "draft_id", g.DraftID)
		return
	}
	b.log.Info("answer stopped by the user", "chat", g.Chat, "draft_id", g.DraftID)
	cancel(answer.ErrStopped)
}

// stoppedAnswer is what a stopped answer shows: the engine's verified
// part (a, when err is nil), else the verified text streamed so far, with
// a line saying it was stopped.
func stoppedAnswer(a answer.Answer, err error, streamed, lang string) answer.Answer {
	if err != nil {
		a = answer.Answer{Lang: lang, Text: streamed, Mode: answer.LLM}
	}
	line := texts[langOf(a)].stopped
	if a.Notice != "" {
		line = a.Notice + " " + line
	}
	a.Notice = line
	return a
}
