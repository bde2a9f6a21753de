package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot/store"
)

// Feedback: every answer carries a row of 👍/👎 buttons (callback data
// "fb:up", "fb:down"). A vote is stored per user and answer in the store
// (changeable: a later tap replaces it) with a copy of the question, the
// answer, its citations, mode and the document generation, and reported
// to [Hooks.OnFeedback]. In a private chat 👎 swaps the row for one tap
// of reasons ("fbr:quote", "fbr:absent", "fbr:partial", and "fbr:-" to
// skip); a reason is taken from a user whose vote is 👎, and the row comes
// back. In a group the row is everyone's, so a 👎 leaves it in place (no
// reason is asked: the reasons row would take the vote from the others
// until someone picked one). Admins
// list the recent 👎 with /feedback; `citebot feedback` exports them all.

// The votes and the reasons a 👎 may give.
const (
	voteUp   = "up"
	voteDown = "down"
)

var reasons = []string{"quote", "absent", "partial"}

// feedbackRow is the 👍/👎 row.
func feedbackRow() []tgbotapi.InlineKeyboardButton {
	return []tgbotapi.InlineKeyboardButton{
		tgbotapi.NewInlineKeyboardButtonData("👍", "fb:"+voteUp),
		tgbotapi.NewInlineKeyboardButtonData("👎", "fb:"+voteDown),
	}
}

// reasonRow is the row a 👎 shows instead of feedbackRow.
func reasonRow(lang string) []tgbotapi.InlineKeyboardButton {
	tt := texts[lang]
	row := make([]tgbotapi.InlineKeyboardButton, 0, len(reasons)+1)
	for i, r := range reasons {
		row = append(row, tgbotapi.NewInlineKeyboardButtonData(tt.reasons[i], "fbr:"+r))
	}
	return append(row, tgbotapi.NewInlineKeyboardButtonData("✕", "fbr:-"))
}

// withFeedback returns kb (which may be nil) with the 👍/👎 row added.
func withFeedback(kb *tgbotapi.InlineKeyboardMarkup) *tgbotapi.InlineKeyboardMarkup {
	out := &tgbotapi.InlineKeyboardMarkup{}
	if kb != nil {
		out.InlineKeyboard = append(out.InlineKeyboard, kb.InlineKeyboard...)
	}
	out.InlineKeyboard = append(out.InlineKeyboard, feedbackRow())
	return out
}

// swapLastRow returns kb with its last row replaced by row.
func swapLastRow(kb tgbotapi.InlineKeyboardMarkup, row []tgbotapi.InlineKeyboardButton) *tgbotapi.InlineKeyboardMarkup {
	rows := append([][]tgbotapi.InlineKeyboardButton(nil), kb.InlineKeyboard...)
	if len(rows) > 0 {
		rows[len(rows)-1] = row
	}
	return &tgbotapi.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// answerRecord is an answer the bot delivered, kept in memory for its
// buttons (the ¶ toggle, the copy stored with a vote) under the message
// that carries them.
type answerRecord struct {
	chat       int64
	message    int
	question   string
	body       json.RawMessage // answer.Answer in JSON
	mode       string
	generation uint64
	html       string // the message's text as sent; "" for a rich message
	markup     tgbotapi.InlineKeyboardMarkup
	open       string // callback data of the paragraph shown inside, "" for none
}

// answerMemory holds the latest answerRecords (maxAnswerRecords), for
// as long as the process lives: kept off the store so that recording an
// answer never slows the commits the delivery guarantee waits for. It is
// safe for concurrent use.
type answerMemory struct {
	mu   sync.Mutex
	recs *lru[msgKey, *answerRecord]
}

// maxAnswerRecords bounds the answers kept for their buttons.
const maxAnswerRecords = 5000

func newAnswerMemory() *answerMemory {
	return &answerMemory{recs: newLRU[msgKey, *answerRecord](maxAnswerRecords)}
}

// get returns a copy of the record of message id in chat.
func (m *answerMemory) get(chat int64, id int) (answerRecord, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.recs.get(msgKey{chat, id})
	if !ok {
		return answerRecord{}, false
	}
	return *r, true
}

func (m *answerMemory) put(r answerRecord) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recs.put(msgKey{r.chat, r.message}, &r)
}

// setOpen records the paragraph shown inside the answer.
func (m *answerMemory) setOpen(chat int64, id int, open string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.recs.get(msgKey{chat, id}); ok {
		r.open = open
	}
}

// recordAnswer keeps the answer delivered in messages ids (the last one
// carries the buttons, lastHTML its text) for its buttons.
func (b *Bot) recordAnswer(t target, question string, a answer.Answer, ids []int, lastHTML string, kb *tgbotapi.InlineKeyboardMarkup) {
	if len(ids) == 0 || ids[len(ids)-1] == 0 || kb == nil {
		return
	}
	body, err := json.Marshal(b.withoutOwnText(t.chat, a))
	if err != nil {
		return
	}
	rec := answerRecord{chat: t.chat, message: ids[len(ids)-1], question: question, body: body,
		mode: string(a.Mode), html: lastHTML, markup: *kb}
	if b.generation != nil {
		rec.generation = b.generation()
	}
	b.answers.put(rec)
}

// withoutOwnText returns a without the words of chat's own documents:
// the copy of an answer a vote keeps (for /feedback and `citebot
// feedback`) outlives /remove, /forget and retention, and a chat's
// documents are its own. An answer quoting one keeps its citations'
// names, numbers and offsets, not their words, nor the answer text and
// gloss made of them.
func (b *Bot) withoutOwnText(chat int64, a answer.Answer) answer.Answer {
	if b.libs == nil {
		return a
	}
	own := func(doc string) bool { _, ok := b.libs.Owner(chat, doc); return ok }
	cites, related, changed := slices.Clone(a.Citations), slices.Clone(a.Related), false
	for i, c := range cites {
		if own(c.Doc) {
			cites[i].Quote, changed = "", true
		}
	}
	for i, p := range related {
		if own(p.Doc) {
			related[i].Text, changed = "", true
		}
	}
	if changed {
		a.Citations, a.Related, a.Text, a.Gloss = cites, related, "", ""
	}
	return a
}

// vote handles a 👍/👎 or a reason tap (data "fb:…" or "fbr:…") on the
// answer in msg, and returns the toast to answer the callback with.
func (b *Bot) vote(ctx context.Context, cq *tgbotapi.CallbackQuery, lang string) string {
	tt := texts[lang]
	msg := cq.Message
	rec, known := b.answers.get(msg.Chat.ID, msg.MessageID)
	v := store.Vote{Chat: msg.Chat.ID, Message: msg.MessageID, User: cq.From.ID, Time: time.Now()}
	if known {
		v.Question, v.Body, v.Mode, v.Generation = rec.question, rec.body, rec.mode, rec.generation
	}
	if reason, ok := strings.CutPrefix(cq.Data, "fbr:"); ok {
		return b.voteReason(ctx, rec, known, v, reason, tt)
	}
	v.Vote = strings.TrimPrefix(cq.Data, "fb:")
	if v.Vote != voteUp && v.Vote != voteDown {
		return tt.callbackError
	}
	prev, err := b.st.PutVote(v)
	if err != nil {
		b.log.Warn("couldn't store a vote", "chat", v.Chat, "err", err)
		return tt.callbackError
	}
	if prev != v.Vote && b.hooks.OnFeedback != nil {
		b.hooks.OnFeedback(v.Vote)
	}
	if v.Vote == voteDown && known && msg.Chat.Type == "private" {
		b.setKeyboard(ctx, rec, func(kb tgbotapi.InlineKeyboardMarkup) *tgbotapi.InlineKeyboardMarkup {
			return swapLastRow(kb, reasonRow(lang))
		})
		return tt.thanksDown
	}
	return tt.thanks
}

// voteReason records the reason of a 👎 (or skips it) and brings the
// 👍/👎 row back.
func (b *Bot) voteReason(ctx context.Context, rec answerRecord, known bool, v store.Vote, reason string, tt uiTexts) string {
	if reason != "-" {
		if w, ok, err := b.st.VoteOf(v.Chat, v.Message, v.User); err != nil || !ok || w.Vote != voteDown {
			return tt.downFirst
		}
		v.Vote, v.Reason = voteDown, reason
		if _, err := b.st.PutVote(v); err != nil {
			b.log.Warn("couldn't store a vote's reason", "chat", v.Chat, "err", err)
			return tt.callbackError
		}
	}
	if known {
		b.setKeyboard(ctx, rec, func(kb tgbotapi.InlineKeyboardMarkup) *tgbotapi.InlineKeyboardMarkup {
			return swapLastRow(kb, feedbackRow())
		})
	}
	return tt.thanks
}

// setKeyboard edits the buttons of rec's message to what change makes of
// the recorded ones (editMessageReplyMarkup, best effort).
func (b *Bot) setKeyboard(ctx context.Context, rec answerRecord, change func(tgbotapi.InlineKeyboardMarkup) *tgbotapi.InlineKeyboardMarkup) {
	kb := markOpen(rec.markup, rec.open)
	p := editMessageReplyMarkupParams{ChatID: rec.chat, MessageID: rec.message, ReplyMarkup: replyMarkup(change(*kb))}
	if _, err := b.chatCall(ctx, rec.chat, p, retryFlood); err != nil && !isNotModified(err) {
		b.log.Debug("editMessageReplyMarkup failed", "chat", rec.chat, "err", err)
	}
}

// maxFeedbackListed bounds the votes /feedback lists.
const maxFeedbackListed = 10

// feedbackText lists the latest 👎 for an admin: when, the reason, the
// question and the cited paragraphs.
func (b *Bot) feedbackText(lang string) string {
	tt := texts[lang]
	votes, err := b.st.Votes(time.Time{})
	if err != nil {
		b.log.Warn("couldn't read the feedback", "err", err)
		return tt.apology
	}
	up, down := 0, 0
	var lines []string
	for i := len(votes) - 1; i >= 0; i-- {
		v := votes[i]
		if v.Vote == voteUp {
			up++
			continue
		}
		down++
		if len(lines) >= maxFeedbackListed {
			continue
		}
		line := "👎 " + v.Time.UTC().Format("2006-01-02 15:04")
		if i := indexOf(reasons, v.Reason); i >= 0 {
			line += " · " + tt.reasons[i]
		}
		line += "\n" + truncateRunes(v.Question, 200)
		var a answer.Answer
		if json.Unmarshal(v.Body, &a) == nil && len(a.Citations) > 0 {
			var labels []string
			for _, c := range a.Citations {
				labels = append(labels, paragraphLabel(c.Doc, c.Page, c.Paragraph, true))
			}
			line += "\n" + strings.Join(labels, ", ")
		}
		lines = append(lines, line)
	}
	head := fmt.Sprintf(tt.feedbackHead, up, down)
	if len(lines) == 0 {
		return head + tt.feedbackNone
	}
	return head + tt.feedbackDowns + "\n\n" + strings.Join(lines, "\n\n")
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}
