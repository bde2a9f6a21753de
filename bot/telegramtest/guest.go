package telegramtest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf16"
)

// Guest mode, as the Bot API documents it (10.0; sections "Update",
// "Message" and "answerGuestQuery"): a user mentions the bot in a chat it
// is not a member of; the bot receives the message as the update's
// guest_message, whose guest_query_id it answers once with
// answerGuestQuery (guest_query_id, result: one InlineQueryResult); the
// answer is a SentGuestMessage (inline_message_id).

// GuestAnswer is one answerGuestQuery the server accepted.
type GuestAnswer struct {
	QueryID string
	// Chat is the chat of the guest message answered.
	Chat   int64
	Result map[string]any
	// InlineMessageID is the SentGuestMessage's inline_message_id.
	InlineMessageID string
}

// GuestMessage is a guest-mode update: u mentions the bot in chat (of
// chatType), which the bot is not a member of; text should hold the
// mention ("@CiteBot …"), which gets its mention entity. queryID is the
// message's guest_query_id.
func GuestMessage(chat int64, chatType string, u User, text, queryID string) Update {
	m := map[string]any{"message_id": NextID(), "date": time.Now().Unix(), "from": u.JSON(),
		"chat": map[string]any{"id": chat, "type": chatType, "title": "guests"}, "text": text, "guest_query_id": queryID}
	if i := strings.Index(text, "@"+BotUserName); i >= 0 {
		off := len(utf16.Encode([]rune(text[:i])))
		m["entities"] = []map[string]any{{"type": "mention", "offset": off, "length": 1 + len(BotUserName)}}
	}
	return Update{"guest_message": m}
}

// GuestAnswers returns the accepted answers to guest queries, in order.
func (s *Server) GuestAnswers() []GuestAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.later.guestAnswers)
}

// answerGuestQuery accepts one answer to a guest query pushed to the
// server (see [GuestMessage]) and not answered yet: guest_query_id and a
// result checked as answerInlineQuery checks each of its results.
func (s *Server) answerGuestQuery(r Request) *Response {
	if k := undocumented(r); k != "" {
		return badRequest("unexpected parameter " + k)
	}
	id := r.Get("guest_query_id")
	if id == "" {
		return badRequest("guest_query_id is required")
	}
	var res map[string]any
	if json.Unmarshal([]byte(r.Get("result")), &res) != nil || res == nil {
		return badRequest("can't parse inline query result JSON object")
	}
	if problem := checkResult(res); problem != "" {
		return badRequest(problem)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	chat, ok := s.later.guestQueries[id]
	if !ok {
		return badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	delete(s.later.guestQueries, id)
	a := GuestAnswer{QueryID: id, Chat: chat, Result: res, InlineMessageID: fmt.Sprintf("guest-%d", len(s.later.guestAnswers)+1)}
	s.later.guestAnswers = append(s.later.guestAnswers, a)
	return OK(map[string]any{"inline_message_id": a.InlineMessageID})
}

// articleFields are the fields of InlineQueryResultArticle. hide_url is
// not among them: Bot API 8.2 removed it (an empty url hides the URL).
var articleFields = []string{"type", "id", "title", "input_message_content", "reply_markup", "url", "description",
	"thumbnail_url", "thumbnail_width", "thumbnail_height"}

// textContentFields are the fields of InputTextMessageContent.
var textContentFields = []string{"message_text", "parse_mode", "entities", "link_preview_options"}

// checkResult checks one InlineQueryResult and returns the problem
// Telegram would name, "" for none: a type and an id of 1-64 bytes; an
// article only with its documented fields, a title and
// input_message_content whose message_text holds 1-4096 characters.
func checkResult(res map[string]any) string {
	id, _ := res["id"].(string)
	if id == "" || len(id) > 64 {
		return "RESULT_ID_INVALID"
	}
	if _, ok := res["type"].(string); !ok {
		return "RESULT_TYPE_INVALID"
	}
	if res["type"] != "article" {
		return ""
	}
	for k := range res {
		if !slices.Contains(articleFields, k) {
			return "unexpected field " + k + " in InlineQueryResultArticle"
		}
	}
	title, _ := res["title"].(string)
	content, _ := res["input_message_content"].(map[string]any)
	for k := range content {
		if !slices.Contains(textContentFields, k) {
			return "unexpected field " + k + " in InputTextMessageContent"
		}
	}
	text, _ := content["message_text"].(string)
	if title == "" || text == "" || utf16Len(text) > 4096 {
		return "ARTICLE_TITLE_EMPTY or MESSAGE_EMPTY"
	}
	return ""
}

func init() {
	// Registered from here so that guest mode stays in one file.
	methods["answerGuestQuery"] = (*Server).answerGuestQuery
}
