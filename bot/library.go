package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/citebot/citebot/answer"
)

// downloadTimeout bounds the download of one document from Telegram.
const downloadTimeout = 2 * time.Minute

// uploadExts are the file name extensions a document may have.
var uploadExts = []string{".txt", ".md", ".pdf"}

// isAdmin reports whether user may add and remove documents.
func (b *Bot) isAdmin(user int64) bool { return b.admins[user] }

// canManage reports whether user may add and remove documents: an admin,
// with a Library configured.
func (b *Bot) canManage(user int64) bool { return b.isAdmin(user) && b.cfg.Library != nil }

// addDocument handles a file sent to the bot: an admin's .txt, .md or .pdf
// in a private chat is downloaded (at most MaxUploadBytes) and added with
// [DocumentManager.AddDocument]; everyone else is told why not. It reports
// false when ctx ended it before the document was added.
func (b *Bot) addDocument(ctx context.Context, u Update, t target) bool {
	m := u.Message
	doc := m.Document
	lang := userLang(m.From.LanguageCode, m.Caption)
	tt := texts[lang]
	log := b.log.With("chat_id", t.chat, "user_id", m.From.ID, "file_name", doc.FileName, "file_size", doc.FileSize)
	switch {
	case !b.isAdmin(m.From.ID):
		log.Info("document refused: not an admin")
		b.reply(ctx, t, tt.onlyAdminsAdd)
		return true
	case m.Chat.Type != "private":
		b.reply(ctx, t, tt.privateOnly)
		return true
	case b.cfg.Library == nil:
		b.reply(ctx, t, tt.uploadsOff)
		return true
	}
	name, ok := uploadName(doc.FileName)
	if !ok {
		b.reply(ctx, t, tt.badName)
		return true
	}
	if !hasUploadExt(name) {
		log.Info("document refused: file type")
		b.reply(ctx, t, fmt.Sprintf(tt.badType, name))
		return true
	}
	limit := b.cfg.MaxUploadBytes
	tooLarge := func(size int64) bool {
		log.Info("document refused: too large", "size", size, "limit", limit)
		if size > 0 {
			b.reply(ctx, t, fmt.Sprintf(tt.tooLarge, name, formatSize(size, lang), formatSize(limit, lang)))
		} else {
			b.reply(ctx, t, fmt.Sprintf(tt.overLimit, name, formatSize(limit, lang)))
		}
		return true
	}
	if int64(doc.FileSize) > limit {
		return tooLarge(int64(doc.FileSize))
	}

	// The download and the indexing can take a while: show "typing…".
	s := b.startStream(ctx, t, lang)
	stopped := false
	stopTyping := func() {
		if !stopped {
			stopped = true
			s.stop()
		}
	}
	defer stopTyping() // also when AddDocument panics
	start := time.Now()
	data, err := b.fetchFile(ctx, doc.FileID)
	if err != nil {
		stopTyping()
		var big fileTooLargeError
		switch {
		case errors.As(err, &big):
			return tooLarge(big.size)
		case ctx.Err() != nil:
			log.Warn("document download interrupted by shutdown", "err", err)
			return false
		}
		log.Error("couldn't download a document", "err", err)
		b.reply(ctx, t, fmt.Sprintf(tt.downloadFailed, name))
		return true
	}
	info, err := b.cfg.Library.AddDocument(ctx, name, data)
	stopTyping()
	if err != nil {
		if ctx.Err() != nil {
			log.Warn("adding a document interrupted by shutdown", "err", err)
			return false
		}
		log.Warn("couldn't add a document", "bytes", len(data), "err", err)
		b.reply(ctx, t, fmt.Sprintf(tt.addFailed, name, userError(err)))
		return true
	}
	if info.Name == "" {
		info.Name = name
	}
	log.Info("document added", "name", info.Name, "paragraphs", info.Paragraphs, "bytes", len(data),
		"took_ms", time.Since(start).Milliseconds())
	b.reply(ctx, t, fmt.Sprintf(tt.added, info.Name, info.Paragraphs))
	return true
}

// removeDocument handles /remove NAME: admins only, in a private chat. NAME
// is matched against [Answerer.Documents] exactly, else case-insensitively.
// It reports false when ctx ended it before the document was removed.
func (b *Bot) removeDocument(ctx context.Context, u Update, t target, lang, arg string) bool {
	m := u.Message
	tt := texts[lang]
	switch {
	case !b.isAdmin(m.From.ID):
		b.log.Info("/remove refused: not an admin", "chat_id", t.chat, "user_id", m.From.ID)
		b.reply(ctx, t, tt.onlyAdminsDel)
		return true
	case m.Chat.Type != "private":
		b.reply(ctx, t, tt.privateOnly)
		return true
	case b.cfg.Library == nil:
		b.reply(ctx, t, tt.uploadsOff)
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
	if err := b.cfg.Library.RemoveDocument(ctx, name); err != nil {
		if ctx.Err() != nil {
			b.log.Warn("removing a document interrupted by shutdown", "name", name, "err", err)
			return false
		}
		b.log.Warn("couldn't remove a document", "chat_id", t.chat, "user_id", m.From.ID, "name", name, "err", err)
		b.reply(ctx, t, fmt.Sprintf(tt.removeFailed, name, userError(err)))
		return true
	}
	b.log.Info("document removed", "chat_id", t.chat, "user_id", m.From.ID, "name", name)
	b.reply(ctx, t, fmt.Sprintf(tt.removed, name))
	return true
}

// docsText answers /docs: the documents, numbered (the number works in
// /source), with their paragraph counts, and for an admin who can manage
// them a line on how.
func docsText(lang string, docs []answer.DocInfo, admin bool) string {
	tt := texts[lang]
	var lines []string
	if len(docs) == 0 {
		lines = append(lines, tt.noDocuments)
	} else {
		lines = append(lines, tt.aboutHeader)
		for i, d := range docs {
			lines = append(lines, fmt.Sprintf(tt.docsLine, i+1, d.Name, d.Paragraphs))
		}
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
	names := make([]string, len(docs))
	for i, d := range docs {
		names[i] = d.Name
	}
	return strings.Join(names, ", ")
}

// uploadName returns the name a sent file is added under: its base name
// (no directory, whichever separator), trimmed. ok is false for a name
// that is empty, too long or holds control characters or invalid UTF-8.
func uploadName(fileName string) (string, bool) {
	name := strings.TrimSpace(fileName)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = strings.TrimSpace(name[i+1:])
	}
	if name == "" || name == "." || name == ".." || len(name) > 255 || !utf8.ValidString(name) ||
		strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "", false
	}
	return name, true
}

// hasUploadExt reports whether name ends in .txt, .md or .pdf, in any case.
func hasUploadExt(name string) bool {
	ext := strings.ToLower(path.Ext(name))
	for _, e := range uploadExts {
		if ext == e {
			return true
		}
	}
	return false
}

// userError turns an error from the [DocumentManager] into the text shown
// to the admin: its first line, at most 300 characters.
func userError(err error) string {
	s, _, _ := strings.Cut(strings.TrimSpace(err.Error()), "\n")
	if utf8.RuneCountInString(s) > 300 {
		s = truncateRunes(s, 299) + "…"
	}
	return s
}

// fileTooLargeError says a file exceeds the upload limit; size is its size,
// 0 when unknown (a download cut at the limit).
type fileTooLargeError struct{ size int64 }

func (e fileTooLargeError) Error() string {
	if e.size == 0 {
		return "file is larger than the upload limit"
	}
	return fmt.Sprintf("file of %d bytes is larger than the upload limit", e.size)
}

// fetchFile downloads the file with the given file_id: getFile for its
// path, then a GET of APIBase/file/bot<token>/<path>, at most
// MaxUploadBytes. Errors never contain the token; a file over the limit
// (by getFile's size, the Content-Length or the bytes read) gives a
// fileTooLargeError.
func (b *Bot) fetchFile(ctx context.Context, fileID string) ([]byte, error) {
	limit := b.cfg.MaxUploadBytes
	res, err := b.call(ctx, "getFile", tgbotapi.Params{"file_id": fileID}, requestTimeout)
	if err != nil {
		// The public Bot API refuses files over 20 MB this way.
		if te, ok := apiError(err); ok && strings.Contains(strings.ToLower(te.Message), "file is too big") {
			return nil, fileTooLargeError{}
		}
		return nil, err
	}
	f, err := decodeFile(res)
	if err != nil {
		return nil, err
	}
	if f.size > limit {
		return nil, fileTooLargeError{size: f.size}
	}
	return b.download(ctx, f.path)
}

// remoteFile is a getFile result.
type remoteFile struct {
	path string
	size int64 // 0: unknown
}

// decodeFile reads a getFile result leniently: file_size may be a number,
// a numeric string or missing.
func decodeFile(raw json.RawMessage) (remoteFile, error) {
	var f struct {
		FilePath string          `json:"file_path"`
		FileSize json.RawMessage `json:"file_size"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return remoteFile{}, fmt.Errorf("getFile: couldn't decode the result: %w", err)
	}
	if f.FilePath == "" {
		return remoteFile{}, errors.New("getFile: the result has no file_path")
	}
	size, _ := lenientInt(f.FileSize)
	return remoteFile{path: f.FilePath, size: max(size, 0)}, nil
}

// download GETs a file_path from the Bot API file endpoint with the call's
// context and downloadTimeout, reading at most MaxUploadBytes+1 bytes.
func (b *Bot) download(ctx context.Context, filePath string) ([]byte, error) {
	// A local Bot API server gives absolute paths on its own disk: those
	// are not served over HTTP.
	if strings.HasPrefix(filePath, "/") || strings.Contains("/"+filePath+"/", "/../") {
		return nil, fmt.Errorf("download: unusable file_path %q", filePath)
	}
	segs := strings.Split(filePath, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	ctx, cancel := context.WithTimeout(ctx, downloadTimeout)
	defer cancel()
	u := b.cfg.APIBase + "/file/bot" + string(b.cfg.Token) + "/" + strings.Join(segs, "/")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("download: %w", b.scrub.Error(err))
	}
	resp, err := b.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download: %w", b.scrub.Error(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download: HTTP status %d", resp.StatusCode)
	}
	limit := b.cfg.MaxUploadBytes
	if resp.ContentLength > limit {
		return nil, fileTooLargeError{size: resp.ContentLength}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("download: %w", b.scrub.Error(err))
	}
	if int64(len(data)) > limit {
		return nil, fileTooLargeError{}
	}
	return data, nil
}

// lenientInt reads a JSON number or numeric string. ok is false for
// anything else (null, missing, text).
func lenientInt(raw json.RawMessage) (int64, bool) {
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
