package telegramtest

import (
	"net/http"
	"slices"
	"strconv"
	"time"
)

// Message is a message of the bot as a chat member sees it now: after
// every edit, and gone once deleted.
type Message struct {
	ID   int
	Chat int64
	// Text and Markup (reply_markup JSON, "" for none) are the latest.
	Text, Markup string
	// Edits counts the successful edits.
	Edits int
	// ReplyTo is the message it replies to (reply_parameters.message_id
	// or reply_to_message_id), 0 for none.
	ReplyTo int
	// Sent is when the server accepted it.
	Sent time.Time
	// Deleted is set once it is deleted (see [Server.AllMessages]).
	Deleted bool
	// Rich is set on a rich message (sendRichMessage): Text is its plain
	// text, [Server.RichMessages] has its blocks.
	Rich bool
}

// Messages returns the bot's messages in chat that are not deleted, in
// the order they were sent. Only messages sent, edited and deleted through
// the default answers are tracked, not scripted ones.
func (s *Server) Messages(chat int64) []Message {
	return slices.DeleteFunc(s.AllMessages(), func(m Message) bool { return m.Chat != chat || m.Deleted })
}

// AllMessages returns every message the bot sent, in every chat, deleted
// ones included, in the order they were sent.
func (s *Server) AllMessages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, 0, len(s.messages))
	for _, m := range s.messages {
		out = append(out, *m)
	}
	slices.SortFunc(out, func(a, b Message) int { return a.ID - b.ID })
	return out
}

// sendMessage stores a new message and answers like Telegram; an
// ephemeral one is checked and kept apart (see ephemeral.go).
func (s *Server) sendMessage(r Request) *Response {
	if isEphemeral(r) {
		if resp, handled := s.sendEphemeral(r); handled {
			return resp
		}
	}
	s.mu.Lock()
	s.nextMsgID++
	id := s.nextMsgID
	s.messages[id] = &Message{ID: id, Chat: r.ChatID(), Text: r.Get("text"), Markup: r.Get("reply_markup"),
		ReplyTo: r.ReplyTo(), Sent: time.Now()}
	s.mu.Unlock()
	return OK(map[string]any{
		"message_id": id, "date": time.Now().Unix(), "text": r.Get("text"),
		"chat": map[string]any{"id": r.ChatID(), "type": "private"}, "from": identity(),
	})
}

// onMessage runs f on the live message the request names, under s.mu;
// an unknown or deleted message is Telegram's "message to WHAT not
// found".
func (s *Server) onMessage(r Request, what string, f func(*Message) *Response) *Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, _ := strconv.Atoi(r.Get("message_id"))
	m, ok := s.messages[id]
	if !ok || m.Deleted || m.Chat != r.ChatID() {
		return APIError(http.StatusBadRequest, "Bad Request: message to "+what+" not found", 0)
	}
	return f(m)
}

// editMessageText edits a message like Telegram: an unknown message is
// not found, the same text and markup is "not modified".
func (s *Server) editMessageText(r Request) *Response {
	return s.onMessage(r, "edit", func(m *Message) *Response {
		if m.Text == r.Get("text") && m.Markup == r.Get("reply_markup") {
			return APIError(http.StatusBadRequest, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message", 0)
		}
		m.Text, m.Markup = r.Get("text"), r.Get("reply_markup")
		m.Edits++
		return OK(map[string]any{"message_id": m.ID, "date": 0, "text": m.Text,
			"chat": map[string]any{"id": m.Chat, "type": "private"}, "from": identity()})
	})
}

// deleteMessage deletes a message like Telegram.
func (s *Server) deleteMessage(r Request) *Response {
	return s.onMessage(r, "delete", func(m *Message) *Response {
		m.Deleted = true
		return OK(true)
	})
}

// editMessageReplyMarkup replaces a message's buttons like Telegram: the
// same markup is "not modified".
func (s *Server) editMessageReplyMarkup(r Request) *Response {
	return s.onMessage(r, "edit", func(m *Message) *Response {
		if m.Markup == r.Get("reply_markup") {
			return APIError(http.StatusBadRequest, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message", 0)
		}
		m.Markup = r.Get("reply_markup")
		m.Edits++
		return OK(map[string]any{"message_id": m.ID, "date": 0, "text": m.Text,
			"chat": map[string]any{"id": m.Chat, "type": "private"}, "from": identity()})
	})
}
