package bot

import (
	"context"
	"net/http"
	"strings"
	"sync"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/citebot/citebot/answer"
)

// richState is what the bot knows about rich messages and stoppable
// answers: the chats whose Telegram refused rich messages, and the answers
// a stop button can end. Its zero value is ready; it is safe for
// concurrent use.
type richState struct {
	refused refusedChats

	mu    sync.Mutex
	stops map[stopKey]context.CancelCauseFunc
}

// richOn reports whether answers in chat go as rich messages: the setting
// is auto, its Telegram has not refused them and, in a group, a ¶ tap can
// show the paragraph to its reader alone (an ephemeral message, see
// [Bot.showParagraph]); where it cannot, the paragraph is shown inside the
// answer by an HTML edit, which needs an HTML answer.
func (b *Bot) richOn(chat int64, private bool) bool {
	if b.cfg.RichMessages != "auto" || !private && !b.ephemeral.usable(chat) {
		return false
	}
	return b.rich.refused.usable(chat)
}

// refuseRich remembers that Telegram refused rich messages in chat, which
// gets HTML from now on; the first refusal of each chat is logged.
func (b *Bot) refuseRich(chat int64, method string, err error) {
	if b.rich.refused.refuse(chat) {
		b.log.Info("telegram refused a rich message: this chat gets HTML answers from now on", "chat", chat, "method", method, "err", err)
	}
}

// richRefused reports whether err is Telegram refusing rich messages
// rather than this one request: a 404 (a server without the method), or a
// 400 whose description names the method, a rich block or an entity
// (RICH_VALIDATE_…, "can't parse entities").
func richRefused(err error) bool {
	if methodMissing(err) {
		return true
	}
	te, ok := apiError(err)
	if !ok || te.Code != http.StatusBadRequest {
		return false
	}
	m := strings.ToLower(te.Message)
	for _, w := range []string{"rich", "method", "entit", "block", "reference"} {
		if strings.Contains(m, w) {
			return true
		}
	}
	return false
}

// sendRich sends one rich message and returns its id, recorded in t's
// outbox like [Bot.sendMessage]'s. A message sent at this position before
// a restart is deleted first (an edit cannot turn it into this one).
func (b *Bot) sendRich(ctx context.Context, t target, m inputRichMessage, markup *tgbotapi.InlineKeyboardMarkup) (int, error) {
	n, reuse := t.out.claim()
	if reuse != 0 {
		if err := b.deleteMessage(ctx, t.chat, reuse); err != nil && !permanent(err) {
			return 0, err
		}
	}
	p := sendRichMessageParams{ChatID: t.chat, MessageThreadID: t.thread, RichMessage: m, ReplyMarkup: replyMarkup(markup)}
	if t.replyTo != 0 {
		p.ReplyParameters = &replyParameters{MessageID: t.replyTo, AllowSendingWithoutReply: true}
	}
	// 429s only: after another failure the answer goes as HTML, which is
	// retried in full (see [Bot.deliverAnswer]).
	res, err := b.chatCall(ctx, t.chat, p, retryFlood)
	if err != nil {
		return 0, err
	}
	return b.recordSent(t, n, res), nil
}

// deliverAnswer delivers answer a: as rich messages when the chat takes
// them (see [Bot.richOn]) and nothing streamed is to be replaced, else as
// html by [Bot.deliverParts]. The keyboard goes under the last message.
// When Telegram refuses the first rich message (or it fails in a way worth
// retrying) the whole answer goes as html; when a later one fails so, the
// units not yet shown follow as HTML: nothing is lost either way. Only a
// refusal makes the chat HTML-only. lastHTML is the HTML of the last
// message, "" when it is a rich message (a paragraph cannot be shown
// inside it, see [Bot.toggle]).
func (b *Bot) deliverAnswer(ctx context.Context, t target, placeholder int, private bool, a answer.Answer, docs []answer.DocInfo, html string, markup *tgbotapi.InlineKeyboardMarkup) (ids []int, lastHTML string, err error) {
	asHTML := func(placeholder int, html string) ([]int, string, error) {
		parts := splitMessages(html)
		ids, err := b.deliverParts(ctx, t, placeholder, parts, markup)
		if len(parts) == 0 {
			return ids, "", err
		}
		return ids, parts[len(parts)-1], err
	}
	if placeholder != 0 || !b.richOn(t.chat, private) {
		return asHTML(placeholder, html)
	}
	msgs, parts, err := renderRich(a, docs)
	if err != nil {
		b.log.Info("answer too large for rich messages: sending it as HTML", "chat", t.chat, "err", err)
		return asHTML(placeholder, html)
	}
	for i, m := range msgs {
		var mk *tgbotapi.InlineKeyboardMarkup
		if i == len(msgs)-1 {
			mk = markup
		}
		id, err := b.sendRich(ctx, t, m, mk)
		switch {
		case err == nil:
			ids = append(ids, id)
			continue
		case ctx.Err() != nil:
			return ids, "", err
		case richRefused(err):
			b.refuseRich(t.chat, "sendRichMessage", err)
		case transient(err):
			b.log.Warn("couldn't send a rich message: sending the answer's rest as HTML", "chat", t.chat, "err", err)
		default:
			return ids, "", err
		}
		if i == 0 {
			return asHTML(placeholder, html)
		}
		rest, last, err := asHTML(0, unitsHTML(parts[i:]))
		return append(ids, rest...), last, err
	}
	return ids, "", nil
}

// sendAnswerDraft shows the answer text written so far as draft draftID
// of t's private chat: a rich draft (sendRichMessageDraft) when the chat
// takes rich messages, else an HTML one (sendMessageDraft). Drafts carry
// the stop button (can_stop, keeping the draft on stop): only a streamed
// answer, which a stop can end, sends drafts. A refused rich draft makes
// the chat HTML-only (see [Bot.refuseRich]) and is sent again as HTML.
func (b *Bot) sendAnswerDraft(ctx context.Context, t target, draftID int, text string) error {
	if !b.richOn(t.chat, true) {
		return b.sendDraft(ctx, t, draftID, renderPartial(text))
	}
	p := sendRichMessageDraftParams{draftParams: newDraftParams(t, draftID), RichMessage: richPartial(text)}
	err := b.sendDraftCall(ctx, t, p)
	if err == nil || ctx.Err() != nil || !richRefused(err) {
		return err
	}
	b.refuseRich(t.chat, "sendRichMessageDraft", err)
	return b.sendDraft(ctx, t, draftID, renderPartial(text))
}

// sendDraftCall makes a draft request: 429s are retried (see
// [Bot.chatCall]); the chat's next edit waits EditInterval.
func (b *Bot) sendDraftCall(ctx context.Context, t target, p apiRequest) error {
	defer b.gates.markEdit(t.chat, b.cfg.EditInterval)
	_, err := b.chatCall(ctx, t.chat, p, retryFlood)
	return err
}
