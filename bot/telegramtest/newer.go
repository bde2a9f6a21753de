package telegramtest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"time"
	"unicode/utf16"
)

// The methods newer than tgbotapi v5.5.1 that the bot calls through
// MakeRequest, checked field by field against the Bot API documentation:
// a parameter the method does not document, a missing required one or a
// value out of range is answered 400, as Telegram answers a malformed
// request. [Server.Refuse] makes a method unknown, as on a server that
// predates it.

// documented are the parameters each method documents.
var documented = map[string][]string{
	"sendMessageDraft":   {"chat_id", "draft_id", "text", "message_thread_id", "parse_mode", "entities", "can_stop", "keep_on_stop"},
	"setMessageReaction": {"chat_id", "message_id", "reaction", "is_big"},
	"answerInlineQuery":  {"inline_query_id", "results", "cache_time", "is_personal", "next_offset", "button"},
	"answerGuestQuery":   {"guest_query_id", "result"},
}

// standardReactions are the emoji a bot may react with
// (ReactionTypeEmoji.emoji).
var standardReactions = []string{
	"👍", "👎", "❤", "🔥", "🥰", "👏", "😁", "🤔", "🤯", "😱", "🤬", "😢", "🎉", "🤩", "🤮", "💩", "🙏", "👌", "🕊",
	"🤡", "🥱", "🥴", "😍", "🐳", "❤\u200d🔥", "🌚", "🌭", "💯", "🤣", "⚡", "🍌", "🏆", "💔", "🤨", "😐", "🍓", "🍾",
	"💋", "🖕", "😈", "😴", "😭", "🤓", "👻", "👨\u200d💻", "👀", "🎃", "🙈", "😇", "😨", "🤝", "✍", "🤗", "🫡", "🎅",
	"🎄", "☃", "💅", "🤪", "🗿", "🆒", "💘", "🙉", "🦄", "😘", "💊", "🙊", "😎", "👾", "🤷\u200d♂", "🤷", "🤷\u200d♀", "😡",
}

// Draft is one sendMessageDraft the server accepted.
type Draft struct {
	Chat     int64
	DraftID  int
	Thread   int
	Text     string
	Time     time.Time
	HTMLMode bool
	// CanStop and KeepOnStop are can_stop and keep_on_stop (Bot API 10.3).
	CanStop, KeepOnStop bool
}

// InlineAnswer is one answerInlineQuery the server accepted.
type InlineAnswer struct {
	QueryID    string
	Results    []map[string]any
	CacheTime  int // -1: not given (Telegram's default is 300)
	IsPersonal bool
}

// Refuse makes method unknown to the server: it answers 404 "Not Found",
// as the Bot API does for a method it does not have.
func (s *Server) Refuse(method string) {
	s.Respond(method, func(Request, int) *Response {
		return APIError(http.StatusNotFound, "Not Found", 0)
	})
}

// Drafts returns the drafts accepted for chat, in order.
func (s *Server) Drafts(chat int64) []Draft {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.DeleteFunc(slices.Clone(s.drafts), func(d Draft) bool { return d.Chat != chat })
}

// Reaction returns the bot's current reaction emoji on message id in chat
// ("" for none).
func (s *Server) Reaction(chat int64, id int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reactions[reactionKey{chat, id}]
}

// InlineAnswers returns the accepted answers to inline queries, in order.
func (s *Server) InlineAnswers() []InlineAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.inline)
}

type reactionKey struct {
	chat int64
	id   int
}

func badRequest(what string) *Response {
	return APIError(http.StatusBadRequest, "Bad Request: "+what, 0)
}

// undocumented returns the first parameter of r that its method does not
// document, or "".
func undocumented(r Request) string {
	for k := range r.Params {
		if !slices.Contains(documented[r.Method], k) {
			return k
		}
	}
	return ""
}

// utf16Len counts s in UTF-16 code units, as Telegram counts text.
func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// draftTarget reads the chat and the draft of a draft request, both draft
// methods alike: a private chat (a positive chat id) and a non-zero
// draft_id; bad is the 400 answering anything else.
func draftTarget(r Request) (chat int64, draft int, bad *Response) {
	chat, err := strconv.ParseInt(r.Get("chat_id"), 10, 64)
	switch {
	case err != nil:
		return 0, 0, badRequest("chat_id is required")
	case chat <= 0:
		return 0, 0, badRequest("drafts can be sent only to private chats")
	}
	draft, err = strconv.Atoi(r.Get("draft_id"))
	if err != nil || draft == 0 {
		return 0, 0, badRequest("draft_id must be non-zero")
	}
	return chat, draft, nil
}

// sendMessageDraft accepts a draft in a private chat (a positive chat id):
// draft_id non-zero, text 0-4096 characters.
func (s *Server) sendMessageDraft(r Request) *Response {
	if k := undocumented(r); k != "" {
		return badRequest("unexpected parameter " + k)
	}
	chat, draft, bad := draftTarget(r)
	if bad != nil {
		return bad
	}
	if utf16Len(r.Get("text")) > 4096 {
		return badRequest("text is too long")
	}
	if pm := r.Get("parse_mode"); pm != "" && pm != "HTML" && pm != "MarkdownV2" && pm != "Markdown" {
		return badRequest("unsupported parse_mode")
	}
	thread, _ := strconv.Atoi(r.Get("message_thread_id"))
	s.mu.Lock()
	canStop, _ := strconv.ParseBool(r.Get("can_stop"))
	keep, _ := strconv.ParseBool(r.Get("keep_on_stop"))
	s.drafts = append(s.drafts, Draft{Chat: chat, DraftID: draft, Thread: thread, Text: r.Get("text"),
		Time: time.Now(), HTMLMode: r.Get("parse_mode") == "HTML", CanStop: canStop, KeepOnStop: keep})
	s.mu.Unlock()
	return OK(true)
}

// setMessageReaction sets (or, with an empty or absent reaction, removes)
// the bot's reaction: at most one, a standard emoji.
func (s *Server) setMessageReaction(r Request) *Response {
	if k := undocumented(r); k != "" {
		return badRequest("unexpected parameter " + k)
	}
	chat, err1 := strconv.ParseInt(r.Get("chat_id"), 10, 64)
	id, err2 := strconv.Atoi(r.Get("message_id"))
	if err1 != nil || err2 != nil || id <= 0 {
		return badRequest("chat_id and message_id are required")
	}
	var reaction []struct {
		Type  string `json:"type"`
		Emoji string `json:"emoji"`
	}
	if raw := r.Get("reaction"); raw != "" && json.Unmarshal([]byte(raw), &reaction) != nil {
		return badRequest("can't parse reaction types JSON object")
	}
	if len(reaction) > 1 {
		return badRequest("REACTIONS_TOO_MANY")
	}
	emoji := ""
	if len(reaction) == 1 {
		if reaction[0].Type != "emoji" || !slices.Contains(standardReactions, reaction[0].Emoji) {
			return badRequest("REACTION_INVALID")
		}
		emoji = reaction[0].Emoji
	}
	s.mu.Lock()
	if emoji == "" {
		delete(s.reactions, reactionKey{chat, id})
	} else {
		s.reactions[reactionKey{chat, id}] = emoji
	}
	s.mu.Unlock()
	return OK(true)
}

// answerInlineQuery accepts up to 50 results with unique ids, each as
// [checkResult] checks it.
func (s *Server) answerInlineQuery(r Request) *Response {
	if k := undocumented(r); k != "" {
		return badRequest("unexpected parameter " + k)
	}
	a := InlineAnswer{QueryID: r.Get("inline_query_id"), CacheTime: -1}
	if a.QueryID == "" {
		return badRequest("inline_query_id is required")
	}
	if ip := r.Get("is_personal"); ip != "" {
		personal, err := strconv.ParseBool(ip)
		if err != nil {
			return badRequest("invalid is_personal")
		}
		a.IsPersonal = personal
	}
	if json.Unmarshal([]byte(r.Get("results")), &a.Results) != nil {
		return badRequest("can't parse inline query results JSON object")
	}
	if len(a.Results) > 50 {
		return badRequest("RESULTS_TOO_MUCH")
	}
	if ct := r.Get("cache_time"); ct != "" {
		n, err := strconv.Atoi(ct)
		if err != nil || n < 0 {
			return badRequest("invalid cache_time")
		}
		a.CacheTime = n
	}
	seen := map[string]bool{}
	for _, res := range a.Results {
		id, _ := res["id"].(string)
		if seen[id] {
			return badRequest("RESULT_ID_INVALID")
		}
		seen[id] = true
		if problem := checkResult(res); problem != "" {
			return badRequest(problem)
		}
	}
	s.mu.Lock()
	s.inline = append(s.inline, a)
	s.mu.Unlock()
	return OK(true)
}
