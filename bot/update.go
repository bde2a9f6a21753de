package bot

import (
	"encoding/json"
	"fmt"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Update is one incoming Telegram update: tgbotapi's decoding plus the
// fields that tgbotapi v5.5.1 predates: forum topics and guest mode.
type Update struct {
	tgbotapi.Update
	// ThreadID and IsTopic are message_thread_id and is_topic_message of
	// the update's Message, or of CallbackQuery.Message for a callback.
	ThreadID int
	IsTopic  bool
	// Guest is the update's guest_message (Bot API 10.0, "Update"): a
	// message that mentions the bot in a chat it is not a member of.
	// GuestQueryID is its Message.guest_query_id, the one way to answer
	// it (answerGuestQuery, see guest.go). Guest is set only together
	// with a non-empty GuestQueryID.
	Guest        *tgbotapi.Message
	GuestQueryID string
	// Stopped is stopped_message_generation (see [parseStopped]); nil
	// when the update has none or it is malformed.
	Stopped *GenerationStopped

	// out records the messages sent for the update (nil outside the
	// inbox); expired marks a replayed update too old to answer.
	out     *outbox
	expired bool
	// routed is route's verdict on Message, made once when the update
	// enters the bot (see [Bot.routeOnce]); nil: not made yet.
	routed *request
}

type topicFields struct {
	ThreadID int  `json:"message_thread_id"`
	IsTopic  bool `json:"is_topic_message"`
}

// UnmarshalJSON decodes a Bot API update. A guest_message that does not
// decode as a Message is an error, like any field tgbotapi cannot decode;
// one without a guest_query_id cannot be answered and is left out.
func (u *Update) UnmarshalJSON(data []byte) error {
	if err := json.Unmarshal(data, &u.Update); err != nil {
		return err
	}
	var extra struct {
		Message       *topicFields `json:"message"`
		CallbackQuery *struct {
			Message *topicFields `json:"message"`
		} `json:"callback_query"`
	}
	// The fields are optional: an odd shape there is no reason to drop the
	// update tgbotapi already decoded.
	_ = json.Unmarshal(data, &extra)
	if err := u.decodeGuest(data); err != nil {
		return err
	}
	var t *topicFields
	switch {
	case extra.Message != nil:
		t = extra.Message
	case extra.CallbackQuery != nil:
		t = extra.CallbackQuery.Message
	}
	if t != nil {
		u.ThreadID, u.IsTopic = t.ThreadID, t.IsTopic
	}
	u.Stopped, _ = parseStopped(data) // a malformed stop names no answer to end
	return nil
}

// decodeGuest decodes the guest-mode fields of a Bot API 10.0 update:
// Update.guest_message and its Message.guest_query_id.
func (u *Update) decodeGuest(data []byte) error {
	var g struct {
		Message json.RawMessage `json:"guest_message"`
	}
	if json.Unmarshal(data, &g) != nil || len(g.Message) == 0 || string(g.Message) == "null" {
		return nil
	}
	var m struct {
		tgbotapi.Message
		QueryID string `json:"guest_query_id"`
	}
	if err := json.Unmarshal(g.Message, &m); err != nil {
		return fmt.Errorf("guest_message: %w", err)
	}
	if m.QueryID != "" && m.Chat != nil {
		u.Guest, u.GuestQueryID = &m.Message, m.QueryID
	}
	return nil
}

// target is where a reply goes.
type target struct {
	chat int64
	// thread is the forum topic; 0 means none (also for General).
	thread int
	// replyTo is the message replied to; 0 means none.
	replyTo int
	// out records the messages sent for the update being answered.
	out *outbox
}

// replyTarget returns the target for a reply to m in update u.
func replyTarget(u Update, m *tgbotapi.Message) target {
	return target{chat: m.Chat.ID, thread: topicThread(u), replyTo: m.MessageID, out: u.out}
}

// topicThread returns the thread id to send into: the forum topic of a topic
// message, else 0. General (thread 1) must be omitted: Telegram answers
// "thread not found".
func topicThread(u Update) int {
	if u.IsTopic && u.ThreadID > 1 {
		return u.ThreadID
	}
	return 0
}

// chatKey returns the queue key of an update: its chat (a guest
// message's too), or for an inline query or a callback without a message
// its sender. ok is false for
// updates the bot does not handle (a chosen inline result among them).
func chatKey(u Update) (key int64, ok bool) {
	switch {
	case u.Message != nil && u.Message.Chat != nil:
		return u.Message.Chat.ID, true
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil && u.CallbackQuery.Message.Chat != nil:
		return u.CallbackQuery.Message.Chat.ID, true
	case u.CallbackQuery != nil && u.CallbackQuery.From != nil:
		return u.CallbackQuery.From.ID, true
	case u.InlineQuery != nil && u.InlineQuery.From != nil:
		return u.InlineQuery.From.ID, true
	case u.Guest != nil:
		return u.Guest.Chat.ID, true
	}
	return 0, false
}

// routeOnce makes route's verdict on u's message and keeps it in u, so
// that the turn, the handler and an apology read the same one.
func (b *Bot) routeOnce(u *Update) {
	if u.Message != nil && u.routed == nil {
		r := route(*u, b.self, b.cfg.KeywordPrefix)
		u.routed = &r
	}
}

// request is route's verdict on u's message: the one routeOnce kept, else
// made now.
func (b *Bot) request(u Update) request {
	if u.routed != nil {
		return *u.routed
	}
	return route(u, b.self, b.cfg.KeywordPrefix)
}
