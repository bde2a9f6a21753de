package telegramtest

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Ephemeral messages, checked as the Bot API documents them (sections
// "Ephemeral Messages and Commands", "EphemeralMessageParameters" and
// "sendMessage"; introduced in 10.2, given their parameter object in
// 10.3): sendMessage with ephemeral_message_parameters sends a message
// that only receiver_user_id sees, in a group or supergroup. Any bot may
// send one within 15 seconds of a callback query it names by
// callback_query_id, to the user who sent that query; without one, only
// a chat administrator may (see [Server.MakeAdmin]).
// replace_callback_query_message must be False for a callback query from
// an ephemeral message. An ephemeral message is recorded apart from the
// chat's messages ([Server.Ephemerals]; [Server.Messages] and
// [Server.Sent] do not show it), and answered as a Message whose
// message_id is 0, with ephemeral_message_id and receiver_user.

// ephemeralWindow is how long after a callback query an ephemeral
// message may answer it ("Reply Targets and Conditions").
const ephemeralWindow = 15 * time.Second

// Ephemeral is one ephemeral message the server accepted.
type Ephemeral struct {
	// ID is its ephemeral_message_id.
	ID       int
	Chat     int64
	Receiver int64
	// CallbackQueryID is the callback query it answers ("" for none).
	CallbackQueryID string
	// Replace is replace_callback_query_message.
	Replace bool
	Thread  int
	ReplyTo int
	Text    string
	Sent    time.Time
}

// ephemeralSupport is how the server treats ephemeral_message_parameters.
type ephemeralSupport int

const (
	ephemeralAccepted ephemeralSupport = iota
	ephemeralRefused                   // 400 naming the parameter
	ephemeralIgnored                   // an older server: sent to the whole chat
)

// seenCallback is a callback query pushed to the server.
type seenCallback struct {
	from, chat int64
	// fromEphemeral: the query came from a button under an ephemeral
	// message.
	fromEphemeral bool
	at            time.Time
}

// laterAPI is the server's state for Bot API 10.x: what it learnt from
// the updates pushed (chat types, callback queries, guest queries) and
// what it accepted. It is guarded by Server.mu.
type laterAPI struct {
	chatTypes    map[int64]string
	callbacks    map[string]seenCallback
	admins       map[int64]bool
	ephemeral    []Ephemeral
	support      ephemeralSupport
	guestQueries map[string]int64 // guest_query_id: chat, until answered
	guestAnswers []GuestAnswer
}

// note learns from an update being pushed at now; s.mu must be held.
func (l *laterAPI) note(u Update, now time.Time) {
	if l.chatTypes == nil {
		l.chatTypes, l.callbacks, l.admins, l.guestQueries = map[int64]string{}, map[string]seenCallback{}, map[int64]bool{}, map[string]int64{}
	}
	noteChat := func(m map[string]any) {
		if c, ok := m["chat"].(map[string]any); ok {
			if typ, ok := c["type"].(string); ok {
				l.chatTypes[number(c["id"])] = typ
			}
		}
	}
	for _, k := range []string{"message", "guest_message"} {
		if m, ok := u[k].(map[string]any); ok {
			noteChat(m)
		}
	}
	if g, ok := u["guest_message"].(map[string]any); ok {
		if id, ok := g["guest_query_id"].(string); ok && id != "" {
			c, _ := g["chat"].(map[string]any)
			l.guestQueries[id] = number(c["id"])
		}
	}
	cq, ok := u["callback_query"].(map[string]any)
	if !ok {
		return
	}
	id, _ := cq["id"].(string)
	from, _ := cq["from"].(map[string]any)
	seen := seenCallback{from: number(from["id"]), at: now}
	if m, ok := cq["message"].(map[string]any); ok {
		noteChat(m)
		c, _ := m["chat"].(map[string]any)
		seen.chat = number(c["id"])
		_, seen.fromEphemeral = m["ephemeral_message_id"]
	}
	l.callbacks[id] = seen
}

// chatType returns chat's type as the pushed updates gave it; a chat
// never seen is taken by its id's sign, as Telegram numbers chats:
// negative for groups, positive for users.
func (l *laterAPI) chatType(chat int64) string {
	if typ, ok := l.chatTypes[chat]; ok {
		return typ
	}
	if chat < 0 {
		return "supergroup"
	}
	return "private"
}

// number reads a JSON-ready number (int, int64, float64 or json.Number).
func number(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int:
		return int64(n)
	case float64:
		return int64(n)
	case json.Number:
		i, _ := n.Int64()
		return i
	}
	return 0
}

// MakeAdmin makes the bot an administrator of chat: it may then send
// ephemeral messages there without a callback query.
func (s *Server) MakeAdmin(chat int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.later.note(Update{}, time.Now())
	s.later.admins[chat] = true
}

// RefuseEphemeral makes sendMessage refuse ephemeral_message_parameters
// with a 400 naming it, as a server that does not take them would.
func (s *Server) RefuseEphemeral() { s.setEphemeralSupport(ephemeralRefused) }

// IgnoreEphemeral makes sendMessage ignore ephemeral_message_parameters,
// as a Bot API server older than 10.2 ignores a parameter it does not
// know: the message goes to the whole chat (see [Server.Messages]).
func (s *Server) IgnoreEphemeral() { s.setEphemeralSupport(ephemeralIgnored) }

func (s *Server) setEphemeralSupport(v ephemeralSupport) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.later.support = v
}

// Ephemerals returns the ephemeral messages accepted in chat, in order.
func (s *Server) Ephemerals(chat int64) []Ephemeral {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.DeleteFunc(slices.Clone(s.later.ephemeral), func(e Ephemeral) bool { return e.Chat != chat })
}

// ephemeralParams are the documented fields of EphemeralMessageParameters.
var ephemeralParams = []string{"receiver_user_id", "callback_query_id", "replace_callback_query_message"}

// sendEphemeral answers a sendMessage carrying ephemeral_message_parameters;
// handled is false when the server ignores them (see
// [Server.IgnoreEphemeral]).
func (s *Server) sendEphemeral(r Request) (resp *Response, handled bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.later.support {
	case ephemeralIgnored:
		return nil, false
	case ephemeralRefused:
		return badRequest("ephemeral_message_parameters are not supported"), true
	}
	e, problem := s.checkEphemeral(r, time.Now())
	if problem != "" {
		return badRequest(problem), true
	}
	e.ID = len(s.later.ephemeral) + 1
	s.later.ephemeral = append(s.later.ephemeral, e)
	return OK(map[string]any{
		"message_id": 0, "ephemeral_message_id": e.ID, "date": e.Sent.Unix(), "text": e.Text,
		"chat": map[string]any{"id": e.Chat, "type": s.later.chatType(e.Chat)}, "from": identity(),
		"receiver_user": User{ID: e.Receiver}.JSON(),
	}), true
}

// checkEphemeral checks an ephemeral sendMessage at now field by field and
// returns the message, or the problem Telegram would name; s.mu must be
// held.
func (s *Server) checkEphemeral(r Request, now time.Time) (Ephemeral, string) {
	s.later.note(Update{}, now)
	raw := r.Get("ephemeral_message_parameters")
	var fields map[string]json.RawMessage
	if json.Unmarshal([]byte(raw), &fields) != nil {
		return Ephemeral{}, "can't parse ephemeral_message_parameters JSON object"
	}
	for k := range fields {
		if !slices.Contains(ephemeralParams, k) {
			return Ephemeral{}, "unexpected field " + k + " in ephemeral_message_parameters"
		}
	}
	var p struct {
		Receiver *int64 `json:"receiver_user_id"`
		Callback string `json:"callback_query_id"`
		Replace  bool   `json:"replace_callback_query_message"`
	}
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return Ephemeral{}, "invalid ephemeral_message_parameters: " + err.Error()
	}
	chat := r.ChatID()
	e := Ephemeral{Chat: chat, CallbackQueryID: p.Callback, Replace: p.Replace, ReplyTo: r.ReplyTo(), Text: r.Get("text"), Sent: now}
	e.Thread, _ = strconv.Atoi(r.Get("message_thread_id"))
	typ, n := s.later.chatType(chat), utf16Len(e.Text)
	switch {
	case p.Receiver == nil || *p.Receiver <= 0:
		return e, "ephemeral_message_parameters.receiver_user_id is required"
	case typ != "group" && typ != "supergroup":
		return e, "ephemeral messages can be sent only to group and supergroup chats"
	case *p.Receiver == BotID:
		return e, "ephemeral messages can't be sent to bots"
	case n == 0 || n > 4096:
		return e, "message text is empty or too long"
	}
	e.Receiver = *p.Receiver
	if p.Callback == "" {
		switch {
		case p.Replace:
			return e, "replace_callback_query_message needs callback_query_id"
		case !s.later.admins[chat]:
			return e, "not enough rights to send ephemeral messages without callback_query_id"
		}
		return e, ""
	}
	cb, ok := s.later.callbacks[p.Callback]
	switch {
	case !ok || now.Sub(cb.at) > ephemeralWindow:
		return e, "query is too old and response timeout expired or query ID is invalid"
	case cb.chat != chat:
		return e, "the callback query is from another chat"
	case cb.from != e.Receiver:
		return e, "receiver_user_id must be the user who sent the callback query"
	case p.Replace && cb.fromEphemeral:
		return e, "replace_callback_query_message must be False for callback queries from ephemeral messages"
	}
	return e, ""
}

// isEphemeral reports whether a sendMessage request asked for an
// ephemeral message.
func isEphemeral(r Request) bool {
	return strings.TrimSpace(r.Get("ephemeral_message_parameters")) != ""
}
