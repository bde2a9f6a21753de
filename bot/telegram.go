package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/citebot/citebot/config/backoff"
)

// ctxDoer gives every request made through tgbotapi (which has no context)
// the context of the call it belongs to, and remembers the HTTP status of
// the answer (tgbotapi keeps only Telegram's error_code). A ctxDoer serves
// one call.
type ctxDoer struct {
	ctx    context.Context
	c      *http.Client
	status int // of the last answer; 0: none
}

func (d *ctxDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.c.Do(req.WithContext(d.ctx))
	if err == nil {
		d.status = resp.StatusCode
	}
	return resp, err
}

// call makes one Bot API request, req, with a deadline of timeout and
// returns its result. Parameters that do not encode (see [encodeParams]; a
// programming error) are logged at error level and returned as a
// *paramsError, and nothing is sent. A failed request is reported to
// [Hooks.OnAPIError] and returned as a *callError, which knows the HTTP
// status (see [transient]). Errors are scrubbed of the token; Telegram's
// own errors can be examined with errors.As(err, **tgbotapi.Error).
func (b *Bot) call(ctx context.Context, req apiRequest, timeout time.Duration) (json.RawMessage, error) {
	p, err := b.encode(req)
	if err != nil {
		return nil, err
	}
	return b.post(ctx, req.method(), p, timeout)
}

// encode encodes req's parameters, logging a failure at error level.
func (b *Bot) encode(req apiRequest) (tgbotapi.Params, error) {
	p, err := encodeParams(req)
	if err != nil {
		b.log.Error("couldn't encode a Bot API request: not sending it", "method", req.method(), "err", err)
		return nil, &paramsError{method: req.method(), err: err}
	}
	return p, nil
}

// post is [Bot.call] with parameters already encoded.
func (b *Bot) post(ctx context.Context, method string, p tgbotapi.Params, timeout time.Duration) (json.RawMessage, error) {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	doer := &ctxDoer{ctx: cctx, c: b.client}
	api := *b.api // a shallow copy: the shared client is never mutated
	api.Client = doer
	resp, err := api.MakeRequest(method, p)
	if err != nil {
		b.reportAPIError(ctx, method, doer.status, err)
		return nil, &callError{method: method, status: doer.status, err: b.scrub.Error(err)}
	}
	return resp.Result, nil
}

// callError is a failed Bot API request: its method, the HTTP status of
// the answer (0: none came) and the cause, scrubbed of the token.
type callError struct {
	method string
	status int
	err    error
}

// Error names the method and the cause; an API error Telegram sent
// without a description is named by its codes, never left blank.
func (e *callError) Error() string {
	msg := e.err.Error()
	if strings.TrimSpace(msg) == "" {
		msg = fmt.Sprintf("HTTP status %d without a description", e.status)
		if te, ok := apiError(e.err); ok && te.Code != 0 && te.Code != e.status {
			msg = fmt.Sprintf("error %d without a description (HTTP status %d)", te.Code, e.status)
		}
	}
	return e.method + ": " + msg
}
func (e *callError) Unwrap() error { return e.err }

// reportAPIError passes a failed request to [Hooks.OnAPIError], unless
// ctx (the caller's) ended it. status is the HTTP status of the answer, 0
// when there was none.
func (b *Bot) reportAPIError(ctx context.Context, method string, status int, err error) {
	if b.hooks.OnAPIError == nil || ctx.Err() != nil {
		return
	}
	code := 0
	if te, ok := apiError(err); ok {
		code = te.Code
	}
	if status >= 300 {
		code = status
	}
	b.hooks.OnAPIError(method, code)
}

// retryBudget bounds the total time one request is retried: after 429s
// (as often as Telegram's retry_after asks) and after transient failures
// (with backoff).
const retryBudget = 5 * time.Minute

// retries says which failures [Bot.chatCall] tries again.
type retries int

const (
	// retryAll: 429s and transient failures. For every request that must
	// reach the chat: sends, the edits that deliver, deletions.
	retryAll retries = iota
	// retryFlood: 429s only. For streaming edits, which the next edit
	// supersedes.
	retryFlood
)

// chatCall makes a request aimed at chat: it waits while the chat's gate is
// shut, on 429 shuts the gate for retry_after and tries again, and (with
// retryAll) tries again after a transient failure (see [transient]) with
// backoff, for as long as the next try still starts within retryBudget of
// the first. A permanent error (a 4xx other than 429) is returned at once;
// giving up after retries is logged. Every try is a new request: a send
// that Telegram accepted before the connection broke is sent twice (see
// the package documentation, "Delivery"). Parameters that do not encode
// fail the call at once, as in [Bot.call].
func (b *Bot) chatCall(ctx context.Context, chat int64, req apiRequest, r retries) (json.RawMessage, error) {
	p, err := b.encode(req)
	if err != nil {
		return nil, err
	}
	method := req.method()
	start := time.Now()
	for attempt := 1; ; attempt++ {
		if err := b.gates.wait(ctx, chat); err != nil {
			return nil, fmt.Errorf("%s: %w", method, err)
		}
		callCtx := ctx
		if method == "sendMessage" {
			// A send under way is not cut by the shutdown: Telegram may
			// already have accepted it, and only its answer tells the id
			// to record (see the package documentation, "Delivery").
			callCtx = context.WithoutCancel(ctx)
		}
		res, err := b.post(callCtx, method, p, requestTimeout)
		if err == nil || ctx.Err() != nil {
			return res, err
		}
		d, limited := retryAfter(err)
		switch {
		case limited:
			b.gates.block(chat, d)
		case r == retryAll && transient(err):
			d = retryWaits.Wait(attempt)
		default:
			return res, err
		}
		if time.Since(start)+d > retryBudget {
			b.log.Error("telegram request failing: giving up", "chat", chat, "method", method, "attempts", attempt,
				"waited", time.Since(start).Round(time.Second), "budget", retryBudget, "err", err)
			return res, err
		}
		if limited {
			b.log.Warn("telegram flood limit: holding chat", "chat", chat, "method", method, "retry_after", d)
			continue
		}
		b.log.Warn("telegram request failed: trying again", "chat", chat, "method", method, "attempt", attempt, "retry_in", d, "err", err)
		if err := backoff.Sleep(ctx, d); err != nil {
			return nil, fmt.Errorf("%s: %w", method, err)
		}
	}
}

// transient reports whether a failed request may succeed when made again:
// no answer came (a reset, a timeout), the answer is a 5xx (a Bot API
// error or a proxy's page), or a 2xx answer did not decode. A Bot API
// error below 500 is Telegram's final word (429 is handled apart, see
// [retryAfter]); so is a 4xx page that is not one, and a request whose
// parameters do not encode.
func transient(err error) bool {
	var pe *paramsError
	if errors.As(err, &pe) {
		return false
	}
	if te, ok := apiError(err); ok && te.Code != 0 {
		return te.Code >= 500
	}
	var ce *callError
	if errors.As(err, &ce) && ce.status >= 400 && ce.status < 500 && ce.status != http.StatusRequestTimeout {
		return false
	}
	return true
}

// permanent reports whether err is Telegram refusing a request for good,
// not a failure that outlasted its retries or a cancellation.
func permanent(err error) bool {
	if _, limited := retryAfter(err); err == nil || limited {
		return false
	}
	return !transient(err)
}

// methodMissing reports whether err is the Bot API not having the method
// at all (404 "Not Found", from a server that predates it), as opposed to
// refusing this one request.
func methodMissing(err error) bool {
	if te, ok := apiError(err); ok && te.Code == http.StatusNotFound {
		return true
	}
	var ce *callError
	return errors.As(err, &ce) && ce.status == http.StatusNotFound
}

// apiError returns the Bot API error in err's chain.
func apiError(err error) (*tgbotapi.Error, bool) {
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		return te, true
	}
	return nil, false
}

// retryAfter reports whether err is a 429 and how long to wait.
func retryAfter(err error) (time.Duration, bool) {
	te, ok := apiError(err)
	if !ok || (te.Code != http.StatusTooManyRequests && te.RetryAfter == 0) {
		return 0, false
	}
	return time.Duration(max(te.RetryAfter, 1)) * time.Second, true
}

// isParseError reports whether Telegram refused the message's HTML.
func isParseError(err error) bool {
	te, ok := apiError(err)
	return ok && te.Code == http.StatusBadRequest && strings.Contains(strings.ToLower(te.Message), "can't parse entities")
}

// isNotModified reports whether an edit changed nothing (harmless).
func isNotModified(err error) bool {
	te, ok := apiError(err)
	return ok && strings.Contains(strings.ToLower(te.Message), "message is not modified")
}

// isGone reports whether Telegram does not know the message an edit or a
// deletion names (deleted, or never there).
func isGone(err error) bool {
	te, ok := apiError(err)
	if !ok || te.Code != http.StatusBadRequest {
		return false
	}
	m := strings.ToLower(te.Message)
	return strings.Contains(m, "message to edit not found") || strings.Contains(m, "message to delete not found") ||
		strings.Contains(m, "message_id_invalid")
}

// isUneditable reports whether Telegram refuses to edit a message for
// good: it is gone, or can't be edited (say, it has no text).
func isUneditable(err error) bool {
	te, ok := apiError(err)
	if !ok || te.Code != http.StatusBadRequest {
		return false
	}
	m := strings.ToLower(te.Message)
	return isGone(err) || strings.Contains(m, "message can't be edited") || strings.Contains(m, "no text in the message to edit")
}

// chatGates holds, per chat, until when requests must wait (after a 429)
// and when the next edit may go. It is safe for concurrent use.
type chatGates struct {
	mu sync.Mutex
	m  map[int64]*gate
}

type gate struct {
	until    time.Time
	nextEdit time.Time
}

const maxGates = 4096

func newChatGates() *chatGates { return &chatGates{m: make(map[int64]*gate)} }

// get returns the chat's gate; g.mu must be held.
func (g *chatGates) get(chat int64, now time.Time) *gate {
	if x, ok := g.m[chat]; ok {
		return x
	}
	if len(g.m) >= maxGates {
		for k, x := range g.m {
			if now.After(x.until) && now.After(x.nextEdit) {
				delete(g.m, k)
			}
		}
	}
	x := &gate{}
	g.m[chat] = x
	return x
}

// openAt returns when the chat's gate opens (zero or past: open).
func (g *chatGates) openAt(chat int64) time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	if x, ok := g.m[chat]; ok {
		return x.until
	}
	return time.Time{}
}

// wait blocks until the chat's gate is open or ctx is done.
func (g *chatGates) wait(ctx context.Context, chat int64) error {
	for {
		d := time.Until(g.openAt(chat))
		if d <= 0 {
			return nil
		}
		if err := backoff.Sleep(ctx, d); err != nil {
			return err
		}
	}
}

// block shuts the chat's gate for d.
func (g *chatGates) block(chat int64, d time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	extend(&g.get(chat, now).until, now.Add(d))
}

// extend moves *t to u unless it is later already.
func extend(t *time.Time, u time.Time) {
	if u.After(*t) {
		*t = u
	}
}

// editWait books the chat's next edit if it may be made now (returning
// 0), else returns how long to wait: edits in one chat are at least
// interval apart.
func (g *chatGates) editWait(chat int64, interval time.Duration) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	x := g.get(chat, now)
	if w := x.nextEdit.Sub(now); w > 0 {
		return w
	}
	x.nextEdit = now.Add(interval)
	return 0
}

// markEdit counts a message just sent as an edit: the next edit of the
// chat waits interval.
func (g *chatGates) markEdit(chat int64, interval time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	extend(&g.get(chat, now).nextEdit, now.Add(interval))
}

// replyParameters is the Bot API ReplyParameters object.
type replyParameters struct {
	MessageID                int  `json:"message_id"`
	AllowSendingWithoutReply bool `json:"allow_sending_without_reply,omitempty"`
}

var noPreview = map[string]bool{"is_disabled": true}

// messageParams builds sendMessage parameters for t. html selects
// parse_mode HTML; markup may be nil.
func messageParams(t target, text string, html bool, markup *tgbotapi.InlineKeyboardMarkup) sendMessageParams {
	p := sendMessageParams{ChatID: t.chat, MessageThreadID: t.thread, Text: text, LinkPreviewOptions: noPreview, ReplyMarkup: replyMarkup(markup)}
	if html {
		p.ParseMode = "HTML"
	}
	if t.replyTo != 0 {
		p.ReplyParameters = &replyParameters{MessageID: t.replyTo, AllowSendingWithoutReply: true}
	}
	return p
}

// sendMessage sends one message and returns its id (0 when the server's
// answer does not carry one, as with the test emulator). html messages
// that Telegram cannot parse are sent again as plain text. The id is
// recorded in t's outbox.
//
// When the outbox holds a message sent at this position before a restart,
// that message is edited instead (edits are idempotent, so a failed one is
// simply retried). Only when Telegram says it is gone or can't be edited
// is a new message sent; one that can't be edited is deleted first, so
// that it never stays beside its replacement, not even after a crash
// (the store still names it until the new id replaces it, and a deleted
// message is "not found" to the next replay). When the edit fails in any
// other way the error is returned with that message's id (it still holds
// the position): sending anew could show the answer twice.
func (b *Bot) sendMessage(ctx context.Context, t target, text string, html bool, markup *tgbotapi.InlineKeyboardMarkup) (int, error) {
	n, reuse := t.out.claim()
	if reuse != 0 {
		err := b.editMessage(ctx, t.chat, reuse, text, html, markup)
		if err == nil {
			return reuse, nil
		}
		if !isUneditable(err) {
			return reuse, err // still the message at this position
		}
		b.log.Warn("couldn't edit the message sent before the restart: it is gone or can't be edited, replacing it", "chat", t.chat, "message_id", reuse, "err", err)
		if !isGone(err) {
			if err := b.deleteMessage(ctx, t.chat, reuse); err != nil && !permanent(err) {
				return 0, err
			}
		}
	}
	res, err := b.chatCall(ctx, t.chat, messageParams(t, text, html, markup), retryAll)
	if html && isParseError(err) {
		b.log.Warn("telegram refused HTML, sending plain text", "chat", t.chat, "err", err)
		res, err = b.chatCall(ctx, t.chat, messageParams(t, htmlToPlain(text), false, markup), retryAll)
	}
	if err != nil {
		return 0, err
	}
	return b.recordSent(t, n, res), nil
}

// recordSent records the message a send's result res names as the one at
// position n of t's outbox, and returns its id.
func (b *Bot) recordSent(t target, n int, res json.RawMessage) int {
	id := resultMessageID(res)
	t.out.record(n, id, func(err error) {
		b.log.Warn("couldn't record a sent message: a replay after a crash may send it again", "chat", t.chat, "err", err)
	})
	return id
}

// sendHTML sends an HTML text of any length as one or more messages, with
// markup under the last one. It returns the ids of the messages sent.
func (b *Bot) sendHTML(ctx context.Context, t target, html string, markup *tgbotapi.InlineKeyboardMarkup) ([]int, error) {
	return b.sendParts(ctx, t, splitMessages(html), markup)
}

// sendParts sends HTML parts that each fit in a message, with markup under
// the last one, and returns the ids of the messages sent.
func (b *Bot) sendParts(ctx context.Context, t target, parts []string, markup *tgbotapi.InlineKeyboardMarkup) ([]int, error) {
	ids := make([]int, 0, len(parts))
	for i, part := range parts {
		var m *tgbotapi.InlineKeyboardMarkup
		if i == len(parts)-1 {
			m = markup
		}
		id, err := b.sendMessage(ctx, t, part, true, m)
		if err != nil {
			return ids, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// editMessage replaces the text of message id in chat, retrying 429s and
// transient failures (see [Bot.chatCall]). "message is not modified" is
// not an error (a retried edit that had taken effect gets it); HTML
// Telegram cannot parse is sent again as plain text.
func (b *Bot) editMessage(ctx context.Context, chat int64, id int, text string, html bool, markup *tgbotapi.InlineKeyboardMarkup) error {
	return b.edit(ctx, chat, id, text, html, markup, retryAll)
}

// edit is editMessage with the given retries.
func (b *Bot) edit(ctx context.Context, chat int64, id int, text string, html bool, markup *tgbotapi.InlineKeyboardMarkup, r retries) error {
	params := func(text string, html bool) editMessageTextParams {
		p := editMessageTextParams{ChatID: chat, MessageID: id, Text: text, LinkPreviewOptions: noPreview, ReplyMarkup: replyMarkup(markup)}
		if html {
			p.ParseMode = "HTML"
		}
		return p
	}
	// The edit interval counts from when the edit is done, so that Telegram
	// sees edits at least EditInterval apart even when a request is slow.
	defer b.gates.markEdit(chat, b.cfg.EditInterval)
	_, err := b.chatCall(ctx, chat, params(text, html), r)
	if html && isParseError(err) {
		b.log.Warn("telegram refused HTML, editing as plain text", "chat", chat, "err", err)
		_, err = b.chatCall(ctx, chat, params(htmlToPlain(text), false), r)
	}
	if isNotModified(err) {
		return nil
	}
	return err
}

// editUncut makes a progress edit (a streamed answer's text, a reading's
// status) that a stop does not cut short: a request cancelled in flight
// may still reach Telegram after the "restarting" note that follows it
// and overwrite that note, so the edit runs to its end, within
// finishTimeout. Only 429s are retried: the next edit supersedes it.
func (b *Bot) editUncut(ctx context.Context, chat int64, id int, html string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	return b.edit(ctx, chat, id, html, true, nil, retryFlood)
}

// sendTyping shows "typing…" in the chat. It is best effort: it does not
// wait for a shut gate, and its failure (the emulator answers 500) is only
// logged at debug level.
func (b *Bot) sendTyping(ctx context.Context, t target) {
	if time.Now().Before(b.gates.openAt(t.chat)) {
		return
	}
	p := sendChatActionParams{ChatID: t.chat, MessageThreadID: t.thread, Action: "typing"}
	if _, err := b.call(ctx, p, 5*time.Second); err != nil {
		b.log.Debug("sendChatAction failed", "chat", t.chat, "err", err)
	}
}

// answerCallback answers a callback query (it must always be answered, or
// the user's client keeps spinning).
func (b *Bot) answerCallback(ctx context.Context, id, text string) {
	p := answerCallbackQueryParams{CallbackQueryID: id, Text: truncateRunes(text, 200)}
	if _, err := b.call(ctx, p, requestTimeout); err != nil {
		b.log.Warn("answerCallbackQuery failed", "err", err)
	}
}

// resultMessageID reads message_id from a sendMessage result leniently: a
// number, a numeric string, or nothing (null result) giving 0.
func resultMessageID(raw json.RawMessage) int {
	var m struct {
		MessageID json.RawMessage `json:"message_id"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil || len(m.MessageID) == 0 {
		return 0
	}
	s := strings.Trim(string(m.MessageID), `"`)
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// truncateRunes shortens s to at most n runes.
func truncateRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
