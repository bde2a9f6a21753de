package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/citebot/citebot/answer"
)

// isAdmin reports whether user may add and remove documents.
func (b *Bot) isAdmin(user int64) bool { return b.admins[user] }

// canManage reports whether user may add and remove documents: an admin,
// with a DocumentManager configured.
func (b *Bot) canManage(user int64) bool { return b.isAdmin(user) && b.docs != nil }

// mayManage reports whether the sender of msg may add or remove documents
// here, and tells them why not: not an admin (onlyAdmins), not a private
// chat, or no DocumentManager.
func (b *Bot) mayManage(ctx context.Context, msg *tgbotapi.Message, t target, tt uiTexts, onlyAdmins string) bool {
	switch {
	case !b.isAdmin(msg.From.ID):
		b.log.Info("document change refused: not an admin", "chat_id", t.chat, "user_id", msg.From.ID)
		b.reply(ctx, t, onlyAdmins)
		return false
	case msg.Chat.Type != "private":
		b.reply(ctx, t, tt.privateOnly)
		return false
	case b.docs == nil:
		b.reply(ctx, t, tt.uploadsOff)
		return false
	}
	return true
}

// addDocument handles a file sent to the bot: an admin's file in a private
// chat, under a name the [DocumentManager] accepts, is downloaded (at most
// MaxUploadBytes) and handed to the bot's intake, which adds it with
// [DocumentManager.AddDocument] off the chat's update queue, one document
// at a time (see [intake]); everyone else is told why not. A document
// that takes more than statusDelay to read gets a status message (stage,
// pages, time left) that the result replaces. A document sent while
// another is read is queued, and the admin told so; one beyond
// maxQueuedUploads is refused. It reports false when ctx ended the
// download.
func (b *Bot) addDocument(ctx context.Context, u Update, t target) bool {
	m := u.Message
	doc := m.Document
	if doc == nil { // a bare /add replying to the file
		doc = m.ReplyToMessage.Document
	}
	lang := userLang(m.From.LanguageCode, m.Caption)
	tt := texts[lang]
	dest, ok := b.uploadTarget(ctx, m, t, tt)
	if !ok {
		return true
	}
	log := b.log.With("chat_id", t.chat, "user_id", m.From.ID, "file_name", doc.FileName, "file_size", doc.FileSize)
	name, err := b.cleanName(dest, doc.FileName)
	if err != nil {
		log.Info("document refused", "err", err)
		b.reply(ctx, t, fmt.Sprintf(tt.badFile, userError(err, "")))
		return true
	}
	up := upload{b: b, ctx: ctx, t: t, lang: lang, name: name, log: log}
	if int64(doc.FileSize) > b.cfg.MaxUploadBytes {
		return up.tooLarge(int64(doc.FileSize))
	}
	// The download can take a while: show "typing…".
	s := b.startStream(ctx, t, lang, false, 0)
	start := time.Now()
	data, err := b.fetchFile(ctx, doc.FileID)
	s.stop()
	if err != nil {
		return up.downloadFailed(err)
	}
	return b.submitRead(up, u, dest, data, start)
}

// upload is one document being added, for its failure replies.
type upload struct {
	b    *Bot
	ctx  context.Context
	t    target
	lang string
	name string
	log  *slog.Logger
}

// tooLarge tells the admin the file exceeds the limit; size 0: unknown.
func (up upload) tooLarge(size int64) bool {
	limit, tt := up.b.cfg.MaxUploadBytes, texts[up.lang]
	up.log.Info("document refused: too large", "size", size, "limit", limit)
	if size > 0 {
		up.b.reply(up.ctx, up.t, fmt.Sprintf(tt.tooLarge, up.name, formatSize(size, up.lang), formatSize(limit, up.lang)))
	} else {
		up.b.reply(up.ctx, up.t, fmt.Sprintf(tt.overLimit, up.name, formatSize(limit, up.lang)))
	}
	return true
}

// downloadFailed handles a failed download; false: interrupted by ctx.
func (up upload) downloadFailed(err error) bool {
	var big fileTooLargeError
	switch {
	case errors.As(err, &big):
		return up.tooLarge(big.size)
	case up.ctx.Err() != nil:
		up.log.Warn("document download interrupted by shutdown", "err", err)
		return false
	}
	up.log.Error("couldn't download a document", "err", err)
	up.b.reply(up.ctx, up.t, fmt.Sprintf(texts[up.lang].downloadFailed, up.name))
	return true
}

// removeDocument handles /remove NAME: admins only, in a private chat. NAME
// is matched against [Answerer.Documents] exactly, else case-insensitively.
// It reports false when ctx ended it before the document was removed.
func (b *Bot) removeDocument(ctx context.Context, u Update, t target, lang, arg string) bool {
	m := u.Message
	tt := texts[lang]
	if b.libs != nil && !(m.Chat.Type == "private" && b.canManage(m.From.ID)) {
		return b.removeChatDoc(ctx, m, t, lang, arg)
	}
	if b.libs != nil {
		if name, ok := findDocument(b.answererFor(ctx, t.chat).Documents(), arg); ok {
			if uploader, own := b.libs.Owner(t.chat, name); own {
				return b.removeOwn(ctx, m, t, lang, name, uploader)
			}
		}
	}
	if !b.mayManage(ctx, m, t, tt, tt.onlyAdminsDel) {
		return true
	}
	docs := b.answer.Documents()
	if arg == "" {
		b.reply(ctx, t, fmt.Sprintf(tt.removeUsage, nameList(docs)))
		return true
	}
	name, ok := findDocument(docs, arg)
	if !ok {
		b.reply(ctx, t, fmt.Sprintf(tt.noSuchDoc, arg, nameList(docs)))
		return true
	}
	log := b.log.With("chat_id", t.chat, "user_id", m.From.ID, "name", name)
	if err := b.docs.RemoveDocument(ctx, name); err != nil {
		if ctx.Err() != nil {
			log.Warn("removing a document interrupted by shutdown", "err", err)
			return false
		}
		log.Warn("couldn't remove a document", "err", err)
		b.reply(ctx, t, fmt.Sprintf(tt.removeFailed, name, userError(err, name)))
		return true
	}
	log.Info("document removed")
	b.reply(ctx, t, fmt.Sprintf(tt.removed, name))
	return true
}

// docsText answers /docs: the documents, numbered (the number works in
// /source), with their paragraph counts and a warning on those read by OCR
// (see [uiTexts.docSummary]), then the uploads being read or
// waiting (see [intake.reading]), and for an admin who can manage them a
// line on how.
func docsText(lang string, docs []answer.DocInfo, active []string, admin bool, uploads []uploadStatus, own []string) string {
	tt := texts[lang]
	var lines []string
	switch {
	case len(docs) == 0 && len(uploads) > 0:
		lines = append(lines, tt.docsHeader)
	case len(docs) == 0:
		lines = append(lines, tt.noDocuments)
	default:
		lines = append(lines, tt.docsHeader)
		for i, d := range docs {
			line := fmt.Sprintf(tt.docsLine, i+1, d.Name, tt.docSummary(d))
			if slices.Contains(own, d.Name) {
				line += chatDocTexts[lang].ownMark
			}
			if slices.Contains(active, d.Name) {
				line += " ✓"
			}
			lines = append(lines, line)
		}
	}
	lines = append(lines, readingLines(lang, uploads)...)
	if len(docs) > 0 && len(active) > 0 {
		lines = append(lines, "", tt.docsActive)
	}
	if admin {
		lines = append(lines, "", tt.docsHint)
	}
	return strings.Join(lines, "\n")
}

// findDocument resolves a name typed by a user: the document of exactly
// that name, else the only one equal to it case-insensitively.
func findDocument(docs []answer.DocInfo, name string) (string, bool) {
	name = strings.TrimSpace(name)
	found := ""
	n := 0
	for _, d := range docs {
		if d.Name == name {
			return d.Name, true
		}
		if strings.EqualFold(d.Name, name) {
			found = d.Name
			n++
		}
	}
	return found, n == 1
}

// nameList lists document names for a message, or "-" when there is none.
func nameList(docs []answer.DocInfo) string {
	if len(docs) == 0 {
		return "-"
	}
	return docList(docs)
}

// userError turns an error from the [DocumentManager] into the text shown
// to the user: its first line, at most 300 characters, without a leading
// "name: " the reply says already.
func userError(err error, name string) string {
	s, _, _ := strings.Cut(strings.TrimSpace(err.Error()), "\n")
	for name != "" && strings.HasPrefix(s, name+": ") { // each layer may have named it
		s = strings.TrimPrefix(s, name+": ")
	}
	if utf8.RuneCountInString(s) > 300 {
		s = truncateRunes(s, 299) + "…"
	}
	return s
}

// answererFor returns the answerer of chat: the shared documents and the
// chat's own when chat libraries are on. When the chat's documents cannot
// be opened (a disk error) it answers from the shared ones and logs why.
func (b *Bot) answererFor(ctx context.Context, chat int64) Answerer {
	if b.libs == nil {
		return b.answer
	}
	a, err := b.libs.Answerer(ctx, chat)
	if err != nil {
		b.log.Warn("couldn't open the chat's documents: answering from the shared ones", "chat_id", chat, "err", err)
		return b.answer
	}
	return a
}
