package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/citebot/citebot/answer"
)

// Guest mode (Bot API 10.0, sections "Update", "Message" and
// "answerGuestQuery"): a user may mention the bot in a chat the bot has
// not joined. The message comes as the update's guest_message (see
// [Update.Guest]); the bot answers it once, with answerGuestQuery naming
// its guest_query_id and one InlineQueryResult, which Telegram posts into
// the chat as the bot's (SentGuestMessage is the inline_message_id of that
// message). Nothing else can be sent there: no progress, no second message,
// no reaction; refusals are the answer too. The bot must have guest mode
// on in @BotFather (User.supports_guest_queries).
//
// The bot is a guest in that chat, so it answers from the shared documents
// alone ([Deps.Answerer]), never from a chat's own library: the chat id of
// a guest message "may not coincide with other existing bot chats sharing
// the same identifier" (Message.guest_query_id), so it names no library and
// no /use scope, and the answer has no conversation memory. The ¶ buttons
// under the answer are inline-message buttons, answered from the shared
// documents too (see [Bot.inlineParagraph]). The allowlists and the
// question rate limit apply as in any chat; one answer per user at a time
// as well (see [Bot.turn]).

// guestTimeout bounds answering a guest message: the user waits for one
// message with no progress shown. (The Bot API does not say how long a
// guest query stays open.)
const guestTimeout = time.Minute

// handleGuest answers a guest message. It reports false when ctx (the
// shutdown) cut the answer short, so that the update is replayed.
func (b *Bot) handleGuest(ctx context.Context, u Update) bool {
	m := u.Guest
	if m.From == nil || m.From.IsBot {
		return true
	}
	q, _ := stripMentions(m, b.self)
	lang := userLang(m.From.LanguageCode, q)
	tt := texts[lang]
	t := target{chat: m.Chat.ID}
	if !b.isAdmin(m.From.ID) && !b.access.allowed(m.Chat.ID, m.From.ID) {
		b.reportQuestion(ctx, t, m.From.ID, q, QuestionEvent{Outcome: OutcomeRefused})
		if b.access.firstRefusal(m.Chat.ID) {
			b.log.Info("refusing a guest chat not on the allowlist", "chat", m.Chat.ID, "user", m.From.ID)
			b.answerGuest(ctx, u, textArticle(tt.refused, tt.resultTitle))
		}
		return true
	}
	if q == "" {
		b.answerGuest(ctx, u, textArticle(fmt.Sprintf(tt.greet, "@"+b.self.UserName), tt.resultTitle))
		return true
	}
	start := time.Now()
	ev := QuestionEvent{Outcome: OutcomeError}
	defer func() {
		ev.Latency = time.Since(start)
		b.reportQuestion(ctx, t, m.From.ID, q, ev)
	}()
	if refusal, say, ok := b.admission(m.From.ID, lang, q); !ok {
		ev.Outcome = refusal
		if say != "" {
			b.answerGuest(ctx, u, textArticle(say, tt.resultTitle))
		}
		return true
	}
	actx, cancel := context.WithTimeout(ctx, guestTimeout)
	defer cancel()
	a, err := b.answer.Answer(actx, answer.Question{Text: q}, nil)
	if err != nil {
		if ctx.Err() != nil {
			ev.Outcome = OutcomeInterrupted
			return false
		}
		b.log.Error("couldn't answer a guest message", "chat", t.chat, "user", m.From.ID, "err", err)
		b.answerGuest(ctx, u, textArticle(tt.apology, tt.resultTitle))
		return true
	}
	ev.Mode, ev.Citations = a.Mode, len(a.Citations)
	if b.answerGuest(ctx, u, answerArticle(a, b.answer.Documents(), tt.resultTitle)) {
		ev.Outcome, ev.Messages = outcomeOf(a), 1
	}
	return true
}

// textArticle is a result carrying plain text.
func textArticle(text, title string) inlineArticle {
	return inlineArticle{Type: "article", ID: "t", Title: title,
		Content: inputText{MessageText: escapeHTML(text), ParseMode: "HTML", LinkPreview: noPreview}}
}

// answerGuest answers u's guest query with res and reports whether
// Telegram took it. A failure is logged: the query is answered once, and
// a retry after a lost answer could post the answer twice.
func (b *Bot) answerGuest(ctx context.Context, u Update, res inlineArticle) bool {
	p := answerGuestQueryParams{GuestQueryID: u.GuestQueryID, Result: res}
	if _, err := b.call(ctx, p, requestTimeout); err != nil {
		b.log.Warn("answerGuestQuery failed", "chat", u.Guest.Chat.ID, "err", err)
		return false
	}
	return true
}
