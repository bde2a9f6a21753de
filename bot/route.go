package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// reqKind is what a message asks the bot to do.
type reqKind int

const (
	reqNone     reqKind = iota // not for the bot: ignore silently
	reqQuestion                // answer text
	reqEmpty                   // addressed to the bot with no question
	reqStart
	reqHelp
	reqAbout
	reqSource         // text holds the arguments
	reqUnknownCommand // in a private chat
	reqDocs
	reqRemove   // text holds the document name
	reqDocument // a file sent to the bot (Message.Document)
	reqGreet    // a bare mention (or keyword, or reply) with no question
	reqNew      // start a new conversation
	reqFeedback // the latest 👎 (admins)
	reqUse      // text holds the document names, "all" or nothing
	reqAdd      // text holds the link to add
	reqForget   // delete all of the chat's own documents
)

// request is a routed message.
type request struct {
	kind reqKind
	text string
}

// route decides whether and how the bot answers message u.Message:
//
//   - messages from bots or without a sender are ignored;
//   - a file (Message.Document) is a reqDocument in a private chat, and in
//     a group only when its caption mentions the bot or it replies to the
//     bot; its caption is not a question; a bare /add replying to a file is
//     a reqDocument for that file (how a group adds a file already posted);
//   - other messages without text are ignored;
//   - a command is handled when it has no @suffix or its suffix is the
//     bot's username: /start, /help, /about, /docs, /source ARGS,
//     /remove NAME, /new, /ask QUESTION (a bare /ask replying to someone's
//     message asks that message; a bare /ask is a reqEmpty);
//   - in a private chat every other text is a question;
//   - in a group a text is a question when it mentions the bot (a mention
//     or text_mention entity, or "@username" anywhere, case-insensitively),
//     replies to one of the bot's messages, or starts with keyword.
//
// The question is the text without the mention or keyword; when nothing
// is left, the message is a reqGreet (a bare "@bot").
func route(u Update, self identity, keyword string) request {
	m := u.Message
	if m == nil || m.From == nil || m.From.IsBot || m.Chat == nil {
		return request{}
	}
	private := m.Chat.Type == "private"
	if m.Document != nil {
		if private || repliesToBot(u, self) {
			return request{kind: reqDocument}
		}
		// The caption is where a group member would mention the bot.
		c := *m
		c.Text, c.Entities = m.Caption, m.CaptionEntities
		if _, mentioned := stripMentions(&c, self); mentioned {
			return request{kind: reqDocument}
		}
		return request{}
	}
	if strings.TrimSpace(m.Text) == "" {
		return request{}
	}

	if r, ok := routeCommand(m, self, private); ok {
		return r
	}
	if private && looksLikeURL(m.Text) {
		return request{kind: reqAdd, text: strings.TrimSpace(m.Text)}
	}

	q, mentioned := stripMentions(m, self)
	kw := false
	if keyword != "" {
		if rest, ok := cutPrefixFold(q, keyword); ok {
			q, kw = trimQuestion(rest), true
		}
	}
	if !private && !mentioned && !kw && !repliesToBot(u, self) {
		return request{}
	}
	if q == "" {
		return request{kind: reqGreet}
	}
	return request{kind: reqQuestion, text: q}
}

// commandKinds are the commands other than /ask, by name; the arguments
// go into the request's text.
var commandKinds = map[string]reqKind{
	"start": reqStart, "help": reqHelp, "about": reqAbout, "source": reqSource, "docs": reqDocs,
	"remove": reqRemove, "new": reqNew, "feedback": reqFeedback, "use": reqUse,
	"add": reqAdd, "forget": reqForget,
}

// routeCommand routes a message starting with a command. ok is false when
// the text is not a command (then it may still be a question).
func routeCommand(m *tgbotapi.Message, self identity, private bool) (request, bool) {
	text := strings.TrimLeftFunc(m.Text, unicode.IsSpace)
	if !strings.HasPrefix(text, "/") {
		return request{}, false
	}
	word, args := text, ""
	if i := strings.IndexFunc(text, unicode.IsSpace); i >= 0 {
		word, args = text[:i], strings.TrimSpace(text[i:])
	}
	name, at, hasAt := strings.Cut(word[1:], "@")
	if !isCommandName(name) {
		return request{}, false
	}
	if hasAt && !strings.EqualFold(at, self.UserName) {
		return request{}, true // a command for another bot
	}
	lower := strings.ToLower(name)
	if kind, ok := commandKinds[lower]; ok {
		if kind == reqAdd && args == "" && m.ReplyToMessage != nil && m.ReplyToMessage.Document != nil {
			return request{kind: reqDocument}, true // the file replied to
		}
		return request{kind: kind, text: args}, true
	}
	switch lower {
	case "ask":
		if args == "" {
			if r := m.ReplyToMessage; r != nil && r.From != nil && r.From.ID != self.ID && strings.TrimSpace(r.Text) != "" {
				args = strings.TrimSpace(r.Text)
			}
		}
		if args == "" {
			return request{kind: reqEmpty}, true
		}
		return request{kind: reqQuestion, text: args}, true
	}
	if private {
		return request{kind: reqUnknownCommand}, true
	}
	return request{}, true
}

// isCommandName reports whether s is a Telegram command name: 1-32 of
// Latin letters, digits and underscores.
func isCommandName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// repliesToBot reports whether the message explicitly replies to one of the
// bot's messages. In a forum topic every message "replies" to the topic's
// first message; that implicit reply does not count.
func repliesToBot(u Update, self identity) bool {
	r := u.Message.ReplyToMessage
	if r == nil || r.From == nil || r.From.ID != self.ID {
		return false
	}
	return !(u.IsTopic && r.MessageID == u.ThreadID)
}

// stripMentions removes the bot's mentions from the message text and
// reports whether there was one: text_mention entities of the bot's id, and
// "@username" (which also covers mention entities) anywhere,
// case-insensitively, when not followed by another username character.
func stripMentions(m *tgbotapi.Message, self identity) (string, bool) {
	text := m.Text
	mentioned := false
	// Remove text_mention ranges from the end so earlier offsets stay valid.
	for i := len(m.Entities) - 1; i >= 0; i-- {
		e := m.Entities[i]
		if e.Type != "text_mention" || e.User == nil || e.User.ID != self.ID {
			continue
		}
		start, ok1 := utf16ToByte(text, e.Offset)
		end, ok2 := utf16ToByte(text, e.Offset+e.Length)
		if ok1 && ok2 && start <= end {
			text = text[:start] + text[end:]
			mentioned = true
		}
	}
	if self.UserName != "" {
		handle := "@" + self.UserName
		var sb strings.Builder
		for {
			i := indexFold(text, handle)
			if i < 0 {
				break
			}
			end := i + len(handle)
			if r, _ := utf8.DecodeRuneInString(text[end:]); end < len(text) && isUsernameRune(r) {
				sb.WriteString(text[:end])
				text = text[end:]
				continue
			}
			sb.WriteString(text[:i])
			sb.WriteByte(' ')
			text = text[end:]
			mentioned = true
		}
		sb.WriteString(text)
		text = sb.String()
	}
	return trimQuestion(text), mentioned
}

func isUsernameRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_'
}

// trimQuestion trims white space and the punctuation people put after a
// mention ("@bot, what…", "@bot：…").
func trimQuestion(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimLeft(s, ",:;，：；、")
	return strings.TrimSpace(s)
}

// indexFold is a case-insensitive strings.Index for an ASCII needle.
func indexFold(s, needle string) int {
	n := len(needle)
	for i := 0; i+n <= len(s); i++ {
		if strings.EqualFold(s[i:i+n], needle) {
			return i
		}
	}
	return -1
}

// cutPrefixFold is strings.CutPrefix, case-insensitive, after leading
// white space.
func cutPrefixFold(s, prefix string) (string, bool) {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// utf16ToByte converts a UTF-16 offset in s (as Telegram entities give
// them) to a byte offset. ok is false when off is out of range or falls
// inside a surrogate pair.
func utf16ToByte(s string, off int) (int, bool) {
	if off < 0 {
		return 0, false
	}
	u := 0
	for i, r := range s {
		if u == off {
			return i, true
		}
		if u > off {
			return 0, false
		}
		if r >= 0x10000 {
			u += 2
		} else {
			u++
		}
	}
	if u == off {
		return len(s), true
	}
	return 0, false
}
