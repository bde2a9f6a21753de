package telegramtest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Update is an incoming update as JSON-ready values; [Server.Push] gives
// it its update_id.
type Update map[string]any

// User is the sender of an update.
type User struct {
	ID int64
	// Lang is the client's language_code; empty leaves it out.
	Lang string
	Bot  bool
}

// JSON returns u as a Bot API User object.
func (u User) JSON() map[string]any {
	m := map[string]any{"id": u.ID, "is_bot": u.Bot, "first_name": "U" + strconv.FormatInt(u.ID, 10)}
	if u.Lang != "" {
		m["language_code"] = u.Lang
	}
	return m
}

var ids struct {
	sync.Mutex
	n int
}

// NextID returns a new message id, unique in the test binary.
func NextID() int {
	ids.Lock()
	defer ids.Unlock()
	ids.n++
	return ids.n
}

// message is a message update from u in chat.
func message(u User, chat map[string]any, fields map[string]any) Update {
	m := map[string]any{"message_id": NextID(), "date": time.Now().Unix(), "from": u.JSON(), "chat": chat}
	for k, v := range fields {
		m[k] = v
	}
	return Update{"message": m}
}

// PrivateMessage is a text message from u in their private chat.
func PrivateMessage(u User, text string) Update {
	return message(u, privateChat(u.ID), map[string]any{"text": text})
}

// GroupMessage is a text message from u in the supergroup chat.
func GroupMessage(chat int64, u User, text string) Update {
	return message(u, map[string]any{"id": chat, "type": "supergroup", "title": "群"}, map[string]any{"text": text})
}

// DocumentMessage is a file called name sent by u in their private chat;
// size 0 leaves file_size out.
func DocumentMessage(u User, fileID, name string, size int) Update {
	doc := map[string]any{"file_id": fileID, "file_unique_id": "u" + fileID, "file_name": name, "mime_type": "text/plain"}
	if size != 0 {
		doc["file_size"] = size
	}
	return message(u, privateChat(u.ID), map[string]any{"document": doc})
}

func privateChat(id int64) map[string]any { return map[string]any{"id": id, "type": "private"} }

// Callback is a button press by from on message (see [BotMessage]).
func Callback(id, data string, from User, message map[string]any) Update {
	return Update{"callback_query": map[string]any{"id": id, "data": data, "from": from.JSON(), "message": message}}
}

// BotMessage is a message of the bot in chat, as found in
// reply_to_message or a callback query.
func BotMessage(id int, chat int64, chatType string) map[string]any {
	return map[string]any{"message_id": id, "date": 0, "from": identity(),
		"chat": map[string]any{"id": chat, "type": chatType}, "text": "an answer"}
}

// With sets fields of the update's message (for a callback: of its
// message) and returns u.
func (u Update) With(kv ...any) Update {
	m, ok := u["message"].(map[string]any)
	if !ok {
		m = u["callback_query"].(map[string]any)["message"].(map[string]any)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return u
}

// Push queues updates for getUpdates (or, with [Options.DeliverWebhook]
// and a webhook set, for delivery to it), giving each the next update_id,
// and returns the ids.
func (s *Server) Push(updates ...Update) []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	var pushed []int
	for _, u := range updates {
		u["update_id"] = s.nextUpdID
		b, err := json.Marshal(u)
		if err != nil {
			s.tb.Fatal(err)
		}
		s.updates = append(s.updates, b)
		s.updateIDs = append(s.updateIDs, s.nextUpdID)
		s.updateChats = append(s.updateChats, updateChat(u))
		s.later.note(u, time.Now())
		pushed = append(pushed, s.nextUpdID)
		s.nextUpdID++
	}
	s.notify()
	return pushed
}

// getUpdates follows Telegram's offset rules: offset N confirms every
// update below N, which is then gone for good (a lower offset later does
// not bring it back); a negative offset -N keeps only the last N updates.
// It returns the unconfirmed updates, waiting up to timeout for one to
// arrive (unless InstantPolls). While a webhook is set it fails with 409,
// as Telegram does.
func (s *Server) getUpdates(hr *http.Request, r Request) *Response {
	offset, _ := strconv.Atoi(r.Get("offset"))
	limit, _ := strconv.Atoi(r.Get("limit"))
	if limit <= 0 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(r.Get("timeout"))
	deadline := time.NewTimer(time.Duration(timeout) * time.Second)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		if s.webhookURL != "" {
			s.mu.Unlock()
			return APIError(http.StatusConflict, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first", 0)
		}
		s.confirm(offset)
		n := min(limit, len(s.updates))
		out := append([]json.RawMessage{}, s.updates[:n]...)
		ch := s.changed
		s.mu.Unlock()
		if n > 0 || timeout == 0 || s.opts.InstantPolls {
			return OK(out)
		}
		select {
		case <-ch:
		case <-deadline.C:
			return OK(out)
		case <-hr.Context().Done():
			return OK(out)
		}
	}
}

// confirm forgets the updates that offset confirms; s.mu must be held.
func (s *Server) confirm(offset int) {
	if offset < 0 && -offset < len(s.updateIDs) {
		offset = s.updateIDs[len(s.updateIDs)+offset]
	}
	for len(s.updateIDs) > 0 && s.updateIDs[0] < offset {
		s.updates, s.updateIDs, s.updateChats = s.updates[1:], s.updateIDs[1:], s.updateChats[1:]
	}
}

// Unconfirmed returns the ids of the updates not confirmed yet.
func (s *Server) Unconfirmed() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.updateIDs)
}
