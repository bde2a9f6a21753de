package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/citebot/citebot/answer"
)

// Chats' own documents (see [Libraries]).
//
// Where a file goes: a bot admin's file in a private chat joins the shared
// documents, as before chat libraries existed. Any other file joins the
// chat's own library when Config.ChatUploads allows it there: in a
// private chat from its user, in a group from the group's admins (as
// getChatMember reports them) or the bot's admins; other members' files
// in a group are ignored without a reply, so a busy group is not spammed.
// /add URL (or, in a private chat, a message that is only a link) fetches
// the page or file with Deps.Fetch and reads it the same way.
//
// /remove NAME removes a chat document (its uploader, the group's admins
// and the bot's admins may) or a shared one (bot admins, in private).
// /forget asks for a tap on a confirm button, then removes all of the
// chat's documents. A refusal over a quota names the limit and what to do.

// uploadDest is where a document sent to the bot goes.
type uploadDest struct {
	own  bool // the chat's own library, else the shared documents
	chat int64
	user int64
}

// add reads a document into the destination.
func (b *Bot) addTo(d uploadDest) func(ctx context.Context, name string, data []byte, progress func(answer.Progress)) (answer.DocInfo, bool, error) {
	if !d.own {
		return func(ctx context.Context, name string, data []byte, progress func(answer.Progress)) (answer.DocInfo, bool, error) {
			had := docIndex(b.answer.Documents(), name) >= 0
			info, err := b.docs.AddDocument(ctx, name, data, progress)
			return info, had && err == nil, err
		}
	}
	return func(ctx context.Context, name string, data []byte, progress func(answer.Progress)) (answer.DocInfo, bool, error) {
		return b.libs.AddOwn(ctx, d.chat, d.user, name, data, progress)
	}
}

// uploadTarget decides where msg's document goes, or refuses it (with a
// reply where one helps); ok false: refused.
func (b *Bot) uploadTarget(ctx context.Context, msg *tgbotapi.Message, t target, tt uiTexts) (d uploadDest, ok bool) {
	private := msg.Chat.Type == "private"
	user := msg.From.ID
	if private && b.isAdmin(user) && b.docs != nil {
		return uploadDest{chat: t.chat, user: user}, true
	}
	if b.libs == nil || !b.cfg.UploadsAllowed(private) {
		if b.libs != nil && !private {
			// Members are not answered (no spam); an admin who sent a file
			// for the bot learns why nothing happens.
			b.log.Info("document ignored: chat uploads are off in groups", "chat_id", t.chat, "user_id", user)
			if b.isAdmin(user) || b.isChatAdmin(ctx, t.chat, user) {
				b.reply(ctx, t, chatDocTexts[userLang(msg.From.LanguageCode, msg.Caption)].groupUploadsOff)
			}
			return d, false
		}
		b.mayManage(ctx, msg, t, tt, tt.onlyAdminsAdd) // replies why not
		return d, false
	}
	if !private && !b.isAdmin(user) && !b.isChatAdmin(ctx, t.chat, user) {
		b.log.Info("document ignored: not an admin of the group", "chat_id", t.chat, "user_id", user)
		return d, false
	}
	return uploadDest{own: true, chat: t.chat, user: user}, true
}

// cleanName checks a file name for d.
func (b *Bot) cleanName(d uploadDest, name string) (string, error) {
	if d.own {
		return b.libs.CleanName(name)
	}
	return b.docs.CleanName(name)
}

// mayRemoveOwn reports whether user may remove chat documents added by
// uploader: the uploader, the bot's admins and, in a group, its admins.
func (b *Bot) mayRemoveOwn(ctx context.Context, m *tgbotapi.Message, uploader int64) bool {
	user := m.From.ID
	return user == uploader || b.isAdmin(user) || m.Chat.Type != "private" && b.isChatAdmin(ctx, m.Chat.ID, user)
}

// removeOwn removes the chat's own document name for the sender of m.
func (b *Bot) removeOwn(ctx context.Context, m *tgbotapi.Message, t target, lang, name string, uploader int64) bool {
	ct := chatDocTexts[lang]
	if !b.mayRemoveOwn(ctx, m, uploader) {
		return b.reply(ctx, t, fmt.Sprintf(ct.notYours, name))
	}
	log := b.log.With("chat_id", t.chat, "user_id", m.From.ID, "name", name)
	if err := b.libs.RemoveOwn(ctx, t.chat, name); err != nil {
		if ctx.Err() != nil {
			log.Warn("removing a document interrupted by shutdown", "err", err)
			return false
		}
		log.Warn("couldn't remove a document", "err", err)
		return b.reply(ctx, t, fmt.Sprintf(texts[lang].removeFailed, name, userError(err, name)))
	}
	log.Info("chat document removed")
	return b.reply(ctx, t, fmt.Sprintf(texts[lang].removed, name))
}

// removeChatDoc handles /remove for someone who does not manage the
// shared documents here: only the chat's own documents are theirs to
// name; a shared one is refused as such.
func (b *Bot) removeChatDoc(ctx context.Context, m *tgbotapi.Message, t target, lang, arg string) bool {
	tt, ct := texts[lang], chatDocTexts[lang]
	docs := b.answererFor(ctx, t.chat).Documents()
	own := b.ownDocs(t.chat, docs)
	if arg == "" {
		return b.reply(ctx, t, fmt.Sprintf(tt.removeUsage, nameList(own)))
	}
	name, ok := findDocument(docs, arg)
	if !ok {
		return b.reply(ctx, t, fmt.Sprintf(tt.noSuchDoc, arg, nameList(own)))
	}
	uploader, isOwn := b.libs.Owner(t.chat, name)
	if !isOwn {
		return b.reply(ctx, t, fmt.Sprintf(ct.sharedDoc, name))
	}
	return b.removeOwn(ctx, m, t, lang, name, uploader)
}

// forgetData is the callback data of /forget's buttons.
const (
	forgetYes = "forget:yes"
	forgetNo  = "forget:no"
)

// forgetData is the data of the button confirming /forget of the
// documents names: forgetYes and a digest of the names, so that a tap on
// an old question deletes nothing once the chat's documents changed.
func forgetData(names []string) string {
	sum := sha256.Sum256([]byte(strings.Join(names, "\x00")))
	return forgetYes + ":" + hex.EncodeToString(sum[:6])
}

// ownDocs returns those of docs that are chat's own, in their order;
// none without chat libraries.
func (b *Bot) ownDocs(chat int64, docs []answer.DocInfo) []answer.DocInfo {
	if b.libs == nil {
		return nil
	}
	return slices.DeleteFunc(slices.Clone(docs), func(d answer.DocInfo) bool {
		_, own := b.libs.Owner(chat, d.Name)
		return !own
	})
}

// ownNames returns the names of chat's own documents, sorted.
func (b *Bot) ownNames(ctx context.Context, chat int64) []string {
	names := namesOf(b.ownDocs(chat, b.answererFor(ctx, chat).Documents()))
	slices.Sort(names)
	return names
}

// mayForget reports whether user may delete all of chat's documents: the
// user of a private chat, a group's admins, the bot's admins.
func (b *Bot) mayForget(ctx context.Context, chat, user int64, private bool) bool {
	return private || b.isAdmin(user) || b.isChatAdmin(ctx, chat, user)
}

// forget handles /forget: it asks to confirm with a button.
func (b *Bot) forget(ctx context.Context, m *tgbotapi.Message, t target, lang string) bool {
	ct := chatDocTexts[lang]
	if b.libs == nil {
		return b.reply(ctx, t, texts[lang].uploadsOff)
	}
	if !b.mayForget(ctx, t.chat, m.From.ID, m.Chat.Type == "private") {
		return b.reply(ctx, t, ct.forgetAdmins)
	}
	names := b.ownNames(ctx, t.chat)
	n := len(names)
	if n == 0 {
		return b.reply(ctx, t, ct.forgetNone)
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData(fmt.Sprintf(ct.forgetButton, countDocs(lang, int64(n))), forgetData(names)),
		tgbotapi.NewInlineKeyboardButtonData(ct.cancel, forgetNo)))
	_, err := b.deliver(ctx, t, 0, escapeHTML(fmt.Sprintf(ct.forgetAsk, countDocs(lang, int64(n)))), &kb)
	if err != nil {
		b.log.Warn("couldn't ask to confirm /forget", "chat_id", t.chat, "err", err)
		return ctx.Err() == nil && permanent(err)
	}
	return true
}

// confirmForget handles a tap on /forget's buttons.
func (b *Bot) confirmForget(ctx context.Context, cq *tgbotapi.CallbackQuery, lang string, answerWith func(string)) {
	ct := chatDocTexts[lang]
	msg := cq.Message
	if b.libs == nil || !b.mayForget(ctx, msg.Chat.ID, cq.From.ID, msg.Chat.Type == "private") {
		answerWith(ct.forgetAdmins)
		return
	}
	text := ct.cancelled
	switch {
	case !strings.HasPrefix(cq.Data, forgetYes):
	case cq.Data != forgetData(b.ownNames(ctx, msg.Chat.ID)):
		text = ct.forgetStale
	default:
		n, err := b.libs.Forget(msg.Chat.ID)
		if err != nil {
			b.log.Warn("couldn't forget a chat's documents", "chat_id", msg.Chat.ID, "err", err)
			answerWith(texts[lang].callbackError)
			return
		}
		b.log.Info("chat documents forgotten", "chat_id", msg.Chat.ID, "user_id", cq.From.ID, "documents", n)
		text = fmt.Sprintf(ct.forgotten, countDocs(lang, int64(n)))
	}
	answerWith("")
	if err := b.editMessage(ctx, msg.Chat.ID, msg.MessageID, escapeHTML(text), true, nil); err != nil {
		b.log.Debug("couldn't edit the /forget question", "err", err)
	}
}

// quotaError is a refusal over a quota (library.QuotaError): the quota's
// setting, its limit and what the document needed.
type quotaError interface {
	error
	Quota() (setting string, limit, need int64)
}

// addError words why a document was not added: a quota refusal in the
// user's language, else the error's first line without a repeated name.
func addError(lang, name string, err error) string {
	if errors.Is(err, answer.ErrEmptyDocument) {
		return fmt.Sprintf(chatDocTexts[lang].emptyDoc, name)
	}
	var q quotaError
	if !errors.As(err, &q) {
		return fmt.Sprintf(texts[lang].addFailed, name, userError(err, name))
	}
	setting, limit, need := q.Quota()
	ct := chatDocTexts[lang]
	switch setting {
	case "chat_max_documents":
		return fmt.Sprintf(ct.quotaDocs, name, countDocs(lang, limit))
	case "chat_max_mb":
		return fmt.Sprintf(ct.quotaChatBytes, name, formatSize(need, lang), formatSize(limit, lang))
	case "chat_max_passages":
		return fmt.Sprintf(ct.quotaPassages, name, need, limit)
	case "user_uploads_per_day":
		return fmt.Sprintf(ct.quotaUploads, name, countDocs(lang, limit))
	default:
		return fmt.Sprintf(ct.quotaTotal, name)
	}
}

// ownLimit is, for /help, the size limit of the documents the sender of
// m may add to this chat; "" when they may add none (or only shared ones).
func (b *Bot) ownLimit(m *tgbotapi.Message) string {
	private := m.Chat.Type == "private"
	if b.libs == nil || !b.cfg.UploadsAllowed(private) || private && b.canManage(m.From.ID) {
		return ""
	}
	return formatSize(b.cfg.MaxUploadBytes, userLang(m.From.LanguageCode, m.Text))
}

// looksLikeURL reports whether text is one http(s) link and nothing else.
func looksLikeURL(text string) bool {
	text = strings.TrimSpace(text)
	l := strings.ToLower(text)
	return (strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")) && len(text) > 10 &&
		!strings.ContainsAny(text, " \t\r\n")
}

// addURL handles /add URL: the link is fetched (Deps.Fetch) and read like
// a file sent to the chat.
func (b *Bot) addURL(ctx context.Context, u Update, t target, lang, arg string) bool {
	m := u.Message
	tt, ct := texts[lang], chatDocTexts[lang]
	arg = strings.TrimSpace(arg)
	if b.fetch == nil {
		return b.reply(ctx, t, ct.addOff)
	}
	if arg == "" {
		return b.reply(ctx, t, ct.addUsage)
	}
	dest, ok := b.uploadTarget(ctx, m, t, tt)
	if !ok {
		return true
	}
	log := b.log.With("chat_id", t.chat, "user_id", m.From.ID)
	s := b.startStream(ctx, t, lang, false, 0)
	start := time.Now()
	name, data, err := b.fetch(ctx, arg)
	s.stop()
	if err != nil {
		if ctx.Err() != nil {
			return false
		}
		log.Info("link refused", "err", err)
		return b.reply(ctx, t, fmt.Sprintf(ct.fetchFailed, userError(err, "")))
	}
	if name, err = b.cleanName(dest, name); err != nil {
		return b.reply(ctx, t, fmt.Sprintf(ct.fetchFailed, userError(err, "")))
	}
	up := upload{b: b, ctx: ctx, t: t, lang: lang, name: name, log: log.With("file_name", name)}
	return b.submitRead(up, u, dest, data, start)
}

// submitRead hands a downloaded document to the intake.
func (b *Bot) submitRead(up upload, u Update, dest uploadDest, data []byte, start time.Time) bool {
	j := newReadJob(up, u, data, start)
	j.addFn, j.own = b.addTo(dest), dest.own
	switch b.intake.submit(j) {
	case jobRefused:
		up.log.Warn("document refused: the intake queue is full", "queued", maxQueuedUploads)
		return b.reply(up.ctx, up.t, fmt.Sprintf(uploadTexts[up.lang].busy, up.name))
	case jobQueued:
		up.log.Info("document queued: another is being read")
		j.notifyQueued()
	default:
		close(j.ready)
	}
	return true
}

// docsReply answers /docs for the sender of m: the chat's documents (its
// own marked), what is being read and, for who may change them, how.
func (b *Bot) docsReply(ctx context.Context, m *tgbotapi.Message, lang string, docs []answer.DocInfo) string {
	private := m.Chat.Type == "private"
	own := namesOf(b.ownDocs(m.Chat.ID, docs))
	admin := private && b.canManage(m.From.ID)
	text := docsText(lang, docs, b.chatScope(m.Chat.ID, docs), admin, b.intake.reading(m.Chat.ID, b.isAdmin(m.From.ID)), own)
	if b.libs != nil && b.cfg.UploadsAllowed(private) && !admin && private {
		text += "\n\n" + chatDocTexts[lang].docsHint
	}
	return text
}
