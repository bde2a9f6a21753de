package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
)

// ¶ for one reader. In a group a ¶ tap shows the paragraph to the user
// who tapped only, as an ephemeral message (Bot API 10.2 and 10.3,
// sections "Ephemeral Messages and Commands", "EphemeralMessageParameters"
// and "sendMessage"): sendMessage with ephemeral_message_parameters naming
// that user (receiver_user_id) and the tap (callback_query_id). Any bot may
// send one within 15 seconds of the callback query it names; Telegram
// shows it to that user's client alone, and does not guarantee delivery.
// Nothing is posted to the group.
//
// replace_callback_query_message stays unset (False). The documentation
// gives it one effect: the ephemeral message "must be shown in place of
// the original message", here the shared answer, which the reader would
// then no longer see beside the paragraph they opened it for; and it must
// be False for a callback query from an ephemeral message.
//
// When Telegram refuses the parameter (a 400 naming it or ephemeral
// messages, or a 404) or sends the message to the whole group (a server
// older than 10.2 ignores a parameter it does not know: its answer then
// has a message_id and no receiver_user; the message is deleted at once),
// the chat is remembered, and its taps toggle the paragraph inside the
// answer as before ephemeral messages (see [Bot.toggle]). Other failures
// (the 15 seconds gone, a network error, a 429) fall back the same way for
// that tap only.

// ephemeralTimeout bounds the ephemeral send: its answer is of no use
// after the 15 seconds Telegram allows for it.
const ephemeralTimeout = 10 * time.Second

// ephemeralParameters is the Bot API EphemeralMessageParameters.
type ephemeralParameters struct {
	ReceiverUserID  int64  `json:"receiver_user_id"`
	CallbackQueryID string `json:"callback_query_id,omitempty"`
}

// maxRefusedChats bounds the chats remembered as refusing a kind of
// message (rich, ephemeral); the least recently refused are forgotten
// first (and tried again).
const maxRefusedChats = 10000

// refusedChats remembers the chats whose Telegram refused a kind of
// message for good. The zero value is ready; it is safe for concurrent
// use.
type refusedChats struct {
	mu    sync.Mutex
	chats *lru[int64, struct{}]
}

// usable reports whether the kind of message may be tried in chat.
func (r *refusedChats) usable(chat int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.chats == nil {
		return true
	}
	_, refused := r.chats.get(chat)
	return !refused
}

// refuse remembers that chat refused it; first reports whether it was
// not remembered already.
func (r *refusedChats) refuse(chat int64) (first bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.chats == nil {
		r.chats = newLRU[int64, struct{}](maxRefusedChats)
	}
	_, known := r.chats.get(chat)
	r.chats.put(chat, struct{}{})
	return !known
}

// sendEphemeral sends html (cut to one message) to the user who made the
// callback query of u, visible to them alone, as a reply to the message
// they tapped. It reports whether Telegram took it as an ephemeral message;
// false leaves showing the paragraph to the caller. It makes one request,
// not through the retries of [Bot.chatCall]: a retry would come too late.
func (b *Bot) sendEphemeral(ctx context.Context, u Update, html string) bool {
	cq := u.CallbackQuery
	chat := cq.Message.Chat.ID
	if !b.ephemeral.usable(chat) || time.Now().Before(b.gates.openAt(chat)) {
		return false
	}
	t := target{chat: chat, thread: topicThread(u)}
	p := messageParams(t, oneMessage(html), true, nil)
	// ReplyParameters: allow_sending_without_reply is always False for
	// ephemeral messages, so only the message is named.
	p.ReplyParameters = &replyParameters{MessageID: cq.Message.MessageID}
	p.Ephemeral = &ephemeralParameters{ReceiverUserID: cq.From.ID, CallbackQueryID: cq.ID}
	res, err := b.call(ctx, p, ephemeralTimeout)
	switch d, limited := retryAfter(err); {
	case err == nil:
	case limited:
		b.gates.block(chat, d)
		return false
	case ephemeralRefused(err):
		b.log.Info("telegram refuses ephemeral messages in this chat: ¶ taps show the paragraph inside the answer", "chat", chat, "err", err)
		b.ephemeral.refuse(chat)
		return false
	default:
		b.log.Warn("couldn't send a paragraph as an ephemeral message: showing it inside the answer", "chat", chat, "err", err)
		return false
	}
	if id, public := postedToAll(res); public {
		b.log.Warn("the Bot API server ignored ephemeral_message_parameters and posted the paragraph to the chat: deleting it; ¶ taps show the paragraph inside the answer", "chat", chat)
		b.ephemeral.refuse(chat)
		if err := b.deleteMessage(ctx, chat, id); err != nil {
			b.log.Warn("couldn't delete the paragraph posted to the chat", "chat", chat, "err", err)
		}
		return false
	}
	return true
}

// ephemeralRefused reports whether err is Telegram refusing ephemeral
// messages, not this one request: a 400 naming ephemeral messages (or the
// parameter), or a 404.
func ephemeralRefused(err error) bool {
	if methodMissing(err) {
		return true
	}
	te, ok := apiError(err)
	return ok && te.Code == http.StatusBadRequest && strings.Contains(strings.ToLower(te.Message), "ephemeral")
}

// postedToAll reports whether a sendMessage result meant to be ephemeral
// is an ordinary message of the chat (message_id set, neither
// ephemeral_message_id nor receiver_user), and its id. A result without
// a message_id (a lenient server) counts as ephemeral.
func postedToAll(res json.RawMessage) (id int, public bool) {
	var m struct {
		EphemeralID int             `json:"ephemeral_message_id"`
		Receiver    json.RawMessage `json:"receiver_user"`
	}
	id = resultMessageID(res)
	if id == 0 || json.Unmarshal(res, &m) != nil {
		return 0, false
	}
	return id, m.EphemeralID == 0 && len(m.Receiver) == 0
}

// oneMessage returns html cut to fit in one message, ending in " …" when
// cut.
func oneMessage(html string) string {
	if utf16Len(html) <= maxMessageUnits {
		return html
	}
	if parts := splitHTML(html, maxMessageUnits-2); len(parts) > 0 {
		return parts[0] + " …"
	}
	return html
}
