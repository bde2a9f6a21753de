package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// handleCallback answers a button under an answer: a ¶ button (see
// [Bot.showParagraph], and [Bot.inlineParagraph] under a message sent in
// inline mode), 👍/👎 or a reason (see [Bot.vote]). Every press passes the
// allowlists (a press under an inline message, which has no chat the bot
// knows, by its user alone; admins always) and is rate limited per user
// like questions before anything is looked up. The callback query is
// always answered, with a short text when the data is unknown, the user is
// refused or must wait.
func (b *Bot) handleCallback(ctx context.Context, u Update) {
	cq := u.CallbackQuery
	answered := false
	answerWith := func(text string) {
		answered = true
		b.answerCallback(ctx, cq.ID, text)
	}
	defer func() {
		if !answered {
			answerWith("")
		}
	}()

	lang := "en"
	if cq.From != nil {
		lang = userLang(cq.From.LanguageCode, "")
	}
	tt := texts[lang]
	msg := cq.Message
	inline := msg == nil && cq.InlineMessageID != ""
	if cq.From == nil || !inline && (msg == nil || msg.Chat == nil) {
		answerWith(tt.callbackError)
		return
	}
	chat := cq.From.ID
	if !inline {
		chat = msg.Chat.ID
	}
	if !b.isAdmin(cq.From.ID) && !b.access.allowed(chat, cq.From.ID) {
		answerWith(tt.refused)
		return
	}
	if ok, _, wait := b.cbLimits.allow(cq.From.ID, time.Now()); !ok {
		answerWith(fmt.Sprintf(tt.rateLimited, int(wait.Seconds()+0.999)))
		return
	}
	switch {
	case inline && strings.HasPrefix(cq.Data, "src:"):
		answered = true
		b.inlineParagraph(ctx, cq, tt)
	case inline:
		answerWith(tt.callbackError)
	case strings.HasPrefix(cq.Data, "forget:"):
		b.confirmForget(ctx, cq, lang, answerWith)
	case strings.HasPrefix(cq.Data, "fb"):
		answerWith(b.vote(ctx, cq, lang))
	default:
		b.showParagraph(ctx, u, answerWith, tt)
	}
}

// showParagraph answers a ¶ button. In a group or topic it sends the
// paragraph to the user who tapped alone, as an ephemeral message (see
// ephemeral.go), so that one person's tap does not post a message to all.
// Where that cannot be, it shows the paragraph inside the answer's message
// (an edit; the same button again hides it); when the answer is not in
// memory (sent before a restart, or among the oldest) or the paragraph
// does not fit, and in a private chat, the paragraph comes as a new
// message.
func (b *Bot) showParagraph(ctx context.Context, u Update, answerWith func(string), tt uiTexts) {
	cq := u.CallbackQuery
	msg := cq.Message
	ans := b.answererFor(ctx, msg.Chat.ID)
	docs := ans.Documents()
	ref, n, ok := parseSourceData(cq.Data)
	if !ok {
		answerWith(tt.callbackError)
		return
	}
	name, ok := resolveDoc(docs, ref)
	if !ok {
		answerWith(tt.docGone)
		return
	}
	p, ok := ans.Paragraph(name, n)
	if !ok {
		answerWith(tt.callbackError)
		return
	}
	p.Text = cutForMessages(p.Text)
	para := renderParagraph(p, len(docs) > 1)
	group := msg.Chat.Type != "private"
	// Ephemeral messages are for groups and supergroups, not channels.
	if (msg.Chat.Type == "group" || msg.Chat.Type == "supergroup") && b.sendEphemeral(ctx, u, para) {
		answerWith(tt.paragraphPrivate)
		return
	}
	answerWith("")
	if group {
		if rec, ok := b.answers.get(msg.Chat.ID, msg.MessageID); ok && b.toggle(ctx, rec, cq.Data, para) {
			return
		}
	}
	t := target{chat: msg.Chat.ID, thread: topicThread(u), replyTo: msg.MessageID, out: u.out}
	if _, err := b.sendHTML(ctx, t, para, nil); err != nil {
		b.log.Warn("couldn't send a paragraph", "chat", t.chat, "err", err)
	}
}

// openMark marks the ¶ button of the paragraph shown inside an answer.
const openMark = "▾ "

// toggle shows para (the paragraph of button data) inside rec's message,
// or hides it when it is the one shown. It reports false when it cannot
// (a rich answer, the text would not fit, or Telegram refused the edit).
func (b *Bot) toggle(ctx context.Context, rec answerRecord, data, para string) bool {
	if rec.html == "" { // a rich message: no HTML to show it in
		return false
	}
	open := data
	if rec.open == data {
		open = ""
	}
	html := rec.html
	if open != "" {
		html += "\n\n" + para
	}
	if utf16Len(html) > maxMessageUnits {
		return false
	}
	if err := b.edit(ctx, rec.chat, rec.message, html, true, markOpen(rec.markup, open), retryAll); err != nil {
		b.log.Warn("couldn't show a paragraph inside its answer", "chat", rec.chat, "err", err)
		return false
	}
	b.answers.setOpen(rec.chat, rec.message, open)
	return true
}

// markOpen returns kb with the button whose data is open marked (and no
// other).
func markOpen(kb tgbotapi.InlineKeyboardMarkup, open string) *tgbotapi.InlineKeyboardMarkup {
	out := &tgbotapi.InlineKeyboardMarkup{InlineKeyboard: make([][]tgbotapi.InlineKeyboardButton, len(kb.InlineKeyboard))}
	for i, row := range kb.InlineKeyboard {
		out.InlineKeyboard[i] = append([]tgbotapi.InlineKeyboardButton(nil), row...)
		for j, btn := range out.InlineKeyboard[i] {
			btn.Text = strings.TrimPrefix(btn.Text, openMark)
			if btn.CallbackData != nil && *btn.CallbackData == open {
				btn.Text = openMark + btn.Text
			}
			out.InlineKeyboard[i][j] = btn
		}
	}
	return out
}
