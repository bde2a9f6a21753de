package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/citebot/citebot/answer"
)

// Inline mode: "@bot question" typed in any chat is an inline_query; the
// bot answers it (answerInlineQuery) with up to maxInlineResults
// articles: the whole answer, then each of its first citations alone
// (quote and ¶ label). A result, once chosen, is a message of the user's
// carrying the ¶ buttons; a ¶ tap there (a callback with an
// inline_message_id and no message) shows the paragraph in an alert. The
// bot must be enabled for inline mode in @BotFather (/setinline).
//
// Telegram drops an inline query not answered within about 10 s, so the
// answer gets inlineTimeout; results are cached inlineCacheTime by
// Telegram for the user who asked only (is_personal): without it the
// cache would give one user's answer, or an empty one (refused, rate
// limited, timed out), to everyone typing the same query. Inline queries
// count against the sender's button rate limit (clients send one per
// pause in typing).

const (
	maxInlineResults = 3
	inlineTimeout    = 8 * time.Second
	inlineCacheTime  = 30 // seconds
	// maxInlineTitle bounds a result's title and description (runes).
	maxInlineTitle = 80
)

// inlineArticle is the Bot API InlineQueryResultArticle, of the fields
// the bot uses. It has no hide_url: Bot API 8.2 removed that field (an
// article without a url shows none).
type inlineArticle struct {
	Type        string                         `json:"type"`
	ID          string                         `json:"id"`
	Title       string                         `json:"title"`
	Description string                         `json:"description,omitempty"`
	Content     inputText                      `json:"input_message_content"`
	ReplyMarkup *tgbotapi.InlineKeyboardMarkup `json:"reply_markup,omitempty"`
}

// inputText is the Bot API InputTextMessageContent.
type inputText struct {
	MessageText string          `json:"message_text"`
	ParseMode   string          `json:"parse_mode,omitempty"`
	LinkPreview map[string]bool `json:"link_preview_options,omitempty"`
}

// handleInline answers an inline query.
func (b *Bot) handleInline(ctx context.Context, u Update) {
	iq := u.InlineQuery
	if iq.From == nil {
		return
	}
	q := strings.TrimSpace(iq.Query)
	var results []inlineArticle
	if q != "" && (b.isAdmin(iq.From.ID) || b.access.allowed(iq.From.ID, iq.From.ID)) {
		if ok, _, _ := b.cbLimits.allow(iq.From.ID, time.Now()); ok {
			results = b.inlineResults(ctx, iq.From.ID, userLang(iq.From.LanguageCode, q), q)
		}
	}
	if results == nil {
		results = []inlineArticle{}
	}
	p := answerInlineQueryParams{InlineQueryID: iq.ID, Results: results, CacheTime: inlineCacheTime, IsPersonal: true}
	if q == "" {
		lang := userLang(iq.From.LanguageCode, "")
		p.Button = &inlineQueryResultsButton{Text: texts[lang].inlineHint, StartParameter: "inline"}
	}
	if _, err := b.call(ctx, p, requestTimeout); err != nil {
		b.log.Warn("answerInlineQuery failed", "user", iq.From.ID, "err", err)
	}
}

// inlineResults answers q for user, who speaks lang: the answer, then its
// first citations one by one; nil when it could not be answered in time.
func (b *Bot) inlineResults(ctx context.Context, user int64, lang, q string) []inlineArticle {
	actx, cancel := context.WithTimeout(ctx, inlineTimeout)
	defer cancel()
	start := time.Now()
	a, err := b.answer.Answer(actx, answer.Question{Text: q}, nil)
	ev := QuestionEvent{Outcome: OutcomeError, Latency: time.Since(start), Mode: a.Mode, Citations: len(a.Citations)}
	defer func() { b.reportQuestion(ctx, target{chat: user}, user, q, ev) }()
	if err != nil {
		b.log.Warn("couldn't answer an inline query", "user", user, "err", err)
		return nil
	}
	ev.Outcome, ev.Messages = outcomeOf(a), 1
	docs := b.answer.Documents()
	results := []inlineArticle{answerArticle(a, docs, texts[lang].resultTitle)}
	cites := slices.Clone(a.Citations)
	slices.SortStableFunc(cites, func(x, y answer.Citation) int { return x.N - y.N })
	many := len(docs) > 1
	for i, c := range cites {
		if len(results) == maxInlineResults {
			break
		}
		label := paragraphLabel(c.Doc, c.Page, c.Paragraph, many)
		one := answer.Answer{Lang: a.Lang, Citations: []answer.Citation{c}}
		results = append(results, inlineArticle{
			Type: "article", ID: fmt.Sprintf("c%d", i+1), Title: label, Description: oneLine(c.Quote),
			Content: inputText{
				MessageText: "<b>" + escapeHTML(label) + "</b>\n<blockquote>" + escapeHTML(strings.TrimSpace(c.Quote)) + "</blockquote>",
				ParseMode:   "HTML", LinkPreview: noPreview,
			},
			ReplyMarkup: sourceKeyboard(one, docs),
		})
	}
	return results
}

// answerArticle is the result carrying answer a (its first message) with
// its ¶ buttons, titled by its first line or else by title.
func answerArticle(a answer.Answer, docs []answer.DocInfo, title string) inlineArticle {
	html := renderAnswer(a, docs)
	if first := firstMessage(html); first != "" {
		html = first
	}
	if t := oneLine(answerTitle(a)); t != "" {
		title = t
	}
	return inlineArticle{
		Type: "article", ID: "a", Title: title, Description: oneLine(firstQuote(a)),
		Content: inputText{MessageText: html, ParseMode: "HTML", LinkPreview: noPreview}, ReplyMarkup: sourceKeyboard(a, docs),
	}
}

// answerTitle is the first line of an answer, for a result's title.
func answerTitle(a answer.Answer) string {
	t := strings.TrimSpace(a.Text)
	if a.Lead != "" && len(a.Citations) > 0 {
		t = a.Lead + " " + firstQuote(a)
	}
	return t
}

// firstQuote returns the quote of the lowest-numbered citation, or "".
func firstQuote(a answer.Answer) string {
	best := -1
	for i, c := range a.Citations {
		if best < 0 || c.N < a.Citations[best].N {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	return a.Citations[best].Quote
}

// oneLine makes s a short single line for a title or description.
func oneLine(s string) string {
	return truncateRunes(strings.Join(strings.Fields(s), " "), maxInlineTitle)
}

// maxAlert is the most characters Telegram shows in a callback's alert.
const maxAlert = 200

// inlineParagraph answers a ¶ tap under a message sent in inline mode:
// the paragraph in an alert (at most maxAlert characters, cut with "…").
func (b *Bot) inlineParagraph(ctx context.Context, cq *tgbotapi.CallbackQuery, tt uiTexts) {
	docs := b.answer.Documents()
	ref, n, ok := parseSourceData(cq.Data)
	name, found := resolveDoc(docs, ref)
	p, have := answer.Passage{}, false
	if ok && found {
		p, have = b.answer.Paragraph(name, n)
	}
	text := tt.callbackError
	if have {
		// One rune more than an alert holds, so that a cut shows.
		body := truncateRunes(strings.TrimSpace(p.Text), maxAlert+1)
		text = paragraphLabel(p.Doc, p.Page, p.Paragraph, len(docs) > 1) + "\n" + body
		if utf8.RuneCountInString(text) > maxAlert {
			text = truncateRunes(text, maxAlert-1) + "…"
		}
	}
	params := answerCallbackQueryParams{CallbackQueryID: cq.ID, Text: text, ShowAlert: true}
	if _, err := b.call(ctx, params, requestTimeout); err != nil {
		b.log.Warn("answerCallbackQuery failed", "err", err)
	}
}
