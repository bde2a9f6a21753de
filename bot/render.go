package bot

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/citebot/citebot/answer"
)

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

// escapeHTML makes s safe as Telegram HTML text: the four characters
// Telegram knows are escaped and invalid UTF-8 is replaced.
func escapeHTML(s string) string {
	return htmlEscaper.Replace(strings.ToValidUTF8(s, "\uFFFD"))
}

var tagRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`<[^<>]*>`) })

// htmlToPlain turns this package's HTML into the text a user would see:
// tags removed, entities decoded.
func htmlToPlain(s string) string {
	return html.UnescapeString(tagRE().ReplaceAllString(s, ""))
}

// lang picks the language of the bot's own words: "zh" or "en".
func langOf(a answer.Answer) string {
	if a.Lang == "zh" {
		return "zh"
	}
	return "en"
}

// paragraphLabel is how a paragraph is named to users: "¶6", "p. 3 ¶6"
// when it starts on page 3 of a paged document (see
// [answer.ParagraphLabel]), followed by " · name" when several documents
// are loaded.
func paragraphLabel(doc string, page, n int, manyDocs bool) string {
	l := answer.ParagraphLabel(page, n)
	if manyDocs && doc != "" {
		l += " · " + doc
	}
	return l
}

// renderAnswer renders a as Telegram HTML: the answer text, a warning when
// it is ungrounded, each citation as a label and an expandable blockquote,
// the related paragraphs of a not-found answer, and the notice in italics.
func renderAnswer(a answer.Answer, docs []answer.DocInfo) string {
	t := texts[langOf(a)]
	many := len(docs) > 1
	var sb strings.Builder
	text := strings.TrimSpace(a.Text)
	if a.Lead != "" && len(a.Citations) > 0 {
		text = a.Lead // the quotes follow as blockquotes: do not show them twice
	}
	if text == "" {
		text = t.emptyAnswer
	}
	sb.WriteString(escapeHTML(text))
	if a.Ungrounded {
		sb.WriteString("\n\n⚠️ ")
		sb.WriteString(escapeHTML(t.ungrounded))
	}
	cites := slices.Clone(a.Citations)
	slices.SortStableFunc(cites, func(x, y answer.Citation) int { return x.N - y.N })
	for _, c := range cites {
		fmt.Fprintf(&sb, "\n\n<b>[%d] %s</b>\n", c.N, escapeHTML(paragraphLabel(c.Doc, c.Page, c.Paragraph, many)))
		if q := strings.TrimSpace(c.Quote); q != "" {
			sb.WriteString("<blockquote expandable>")
			sb.WriteString(escapeHTML(q))
			sb.WriteString("</blockquote>")
		}
	}
	if g := strings.TrimSpace(a.Gloss); g != "" { // the question's words as the document writes them
		sb.WriteString("\n\n📖 ")
		sb.WriteString(escapeHTML(g))
	}
	if a.NotFound && len(a.Related) > 0 {
		labels := make([]string, len(a.Related))
		for i, p := range a.Related {
			labels[i] = paragraphLabel(p.Doc, p.Page, p.Paragraph, many)
		}
		sb.WriteString("\n\n")
		sb.WriteString(escapeHTML(t.related + strings.Join(labels, ", ")))
	}
	if n := strings.TrimSpace(a.Notice); n != "" {
		sb.WriteString("\n\n<i>")
		sb.WriteString(escapeHTML(n))
		sb.WriteString("</i>")
	}
	return sb.String()
}

// streamingLimit leaves room for the " …" cursor in a streamed edit.
const streamingLimit = maxMessageUnits - 16

// renderPartial renders answer text that is still being written: escaped,
// with a cursor, cut to one message.
func renderPartial(text string) string {
	text = strings.TrimSpace(text)
	if utf16Len(text) > streamingLimit {
		parts := splitHTML(escapeHTML(text), streamingLimit)
		if len(parts) > 0 {
			return parts[0] + " …"
		}
	}
	return escapeHTML(text) + " …"
}

// renderParagraph renders a whole paragraph for a source button or /source.
func renderParagraph(p answer.Passage, many bool) string {
	return "<b>" + escapeHTML(paragraphLabel(p.Doc, p.Page, p.Paragraph, many)) + "</b>\n<blockquote>" +
		escapeHTML(strings.TrimSpace(p.Text)) + "</blockquote>"
}

// maxButtons bounds the source buttons under one answer.
const maxButtons = 12

// sourceKeyboard returns one button per distinct paragraph cited by a (or,
// for a not-found answer, related to it), or nil when there is none.
// Callback data is "src:<document key>:<paragraph>" (see docKey).
func sourceKeyboard(a answer.Answer, docs []answer.DocInfo) *tgbotapi.InlineKeyboardMarkup {
	return linkedKeyboard(a, docs, nil, false)
}

// keyboard returns the buttons under answer a in chat: with page links
// (see [Deps.CitationLinks]) a cited paragraph's button opens its page.
func (b *Bot) keyboard(a answer.Answer, docs []answer.DocInfo, chat int64, private bool) *tgbotapi.InlineKeyboardMarkup {
	if b.links == nil {
		return sourceKeyboard(a, docs)
	}
	urls, webApp := b.links(a, chat, private)
	return linkedKeyboard(a, docs, urls, webApp)
}

// linkedKeyboard is sourceKeyboard where urls (one per citation of a, in
// a.Citations' order, "" for none; see [Deps.CitationLinks]) give cited
// paragraphs a button "¶5 ↗" ("p. 2 ¶5 ↗") that opens the citation's document page: a
// URL button, or with webApp a Mini App button.
func linkedKeyboard(a answer.Answer, docs []answer.DocInfo, urls []string, webApp bool) *tgbotapi.InlineKeyboardMarkup {
	type ref struct {
		doc string
		n   int
	}
	var refs []ref
	seen := map[ref]bool{}
	link := map[ref]string{}
	page := map[ref]int{} // the paragraph's page, for its label
	add := func(doc string, pg, n int, url string) {
		r := ref{doc, n}
		if link[r] == "" && url != "" {
			link[r] = url
		}
		if !seen[r] && len(refs) < maxButtons {
			seen[r] = true
			page[r] = pg
			refs = append(refs, r)
		}
	}
	order := make([]int, len(a.Citations))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int { return a.Citations[x].N - a.Citations[y].N })
	for _, i := range order {
		url := ""
		if i < len(urls) {
			url = urls[i]
		}
		add(a.Citations[i].Doc, a.Citations[i].Page, a.Citations[i].Paragraph, url)
	}
	if a.NotFound {
		for _, p := range a.Related {
			add(p.Doc, p.Page, p.Paragraph, "")
		}
	}
	many := len(docs) > 1
	var row []tgbotapi.InlineKeyboardButton
	var rows [][]tgbotapi.InlineKeyboardButton
	for _, r := range refs {
		i := docIndex(docs, r.doc)
		if i < 0 {
			continue
		}
		label := paragraphLabel(r.doc, page[r], r.n, many)
		switch u := link[r]; {
		case u != "" && webApp:
			row = append(row, tgbotapi.NewInlineKeyboardButtonURL(truncateRunes(label, 30)+" ↗", webAppMark+u))
		case u != "":
			row = append(row, tgbotapi.NewInlineKeyboardButtonURL(truncateRunes(label, 30)+" ↗", u))
		default:
			row = append(row, tgbotapi.NewInlineKeyboardButtonData(truncateRunes(label, 32), sourceData(docs[i].Name, r.n)))
		}
		if len(row) == 4 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil
	}
	return &tgbotapi.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// webAppMark prefixes the URL of a button that opens as a Mini App:
// tgbotapi's button type has no web_app field, so such a button is kept
// as a URL button with this prefix until [replyMarkup] sends it. It is no
// URL scheme, so no real link can carry it.
const webAppMark = "web_app:"

// replyMarkup returns the reply_markup to send for m: m itself, or when a
// button is marked with webAppMark, m's JSON with that button as
// {"text", "web_app": {"url"}}.
func replyMarkup(m *tgbotapi.InlineKeyboardMarkup) any {
	type button struct {
		tgbotapi.InlineKeyboardButton
		WebApp *struct {
			URL string `json:"url"`
		} `json:"web_app,omitempty"`
	}
	if m == nil {
		return m
	}
	marked := false
	rows := make([][]button, len(m.InlineKeyboard))
	for i, row := range m.InlineKeyboard {
		for _, b := range row {
			out := button{InlineKeyboardButton: b}
			if b.URL != nil && strings.HasPrefix(*b.URL, webAppMark) {
				marked = true
				out.WebApp = &struct {
					URL string `json:"url"`
				}{strings.TrimPrefix(*b.URL, webAppMark)}
				out.URL = nil
			}
			rows[i] = append(rows[i], out)
		}
	}
	if !marked {
		return m
	}
	return map[string]any{"inline_keyboard": rows}
}

// docIndex returns the index of the document named doc. With a single
// document an empty name means that document.
func docIndex(docs []answer.DocInfo, doc string) int {
	for i, d := range docs {
		if d.Name == doc {
			return i
		}
	}
	if doc == "" && len(docs) == 1 {
		return 0
	}
	return -1
}

// docKey identifies a document in callback data: the first 4 bytes of the
// SHA-256 of its name, as 8 hex digits. Buttons name documents by key
// rather than by position in [Answerer.Documents], so that a button keeps
// pointing at its document after others are added or removed; a button of
// a removed document resolves to nothing. (A document replaced under the
// same name keeps its key: its buttons show the new text's paragraph.)
func docKey(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:4])
}

// sourceData is the callback data of the button for paragraph n of doc:
// "src:" + docKey + ":" + n, at most 24 bytes (Telegram allows 64).
func sourceData(doc string, n int) string {
	return "src:" + docKey(doc) + ":" + strconv.Itoa(n)
}

// parseSourceData parses callback data made by sourceData. ref is the
// document key, or for buttons sent by earlier versions
// ("src:<document index>:<paragraph>") the decimal index; resolveDoc turns
// it into a name.
func parseSourceData(data string) (ref string, n int, ok bool) {
	rest, found := strings.CutPrefix(data, "src:")
	if !found {
		return "", 0, false
	}
	ref, ns, found := strings.Cut(rest, ":")
	if !found || !isDocKey(ref) && !isDigits(ref) {
		return "", 0, false
	}
	n, err := strconv.Atoi(ns)
	if err != nil || n < 0 {
		return "", 0, false
	}
	return ref, n, true
}

// resolveDoc returns the name of the document ref (from parseSourceData)
// points at among docs. A key matching several documents resolves to none.
func resolveDoc(docs []answer.DocInfo, ref string) (string, bool) {
	if isDocKey(ref) {
		name, n := "", 0
		for _, d := range docs {
			if docKey(d.Name) == ref {
				name = d.Name
				n++
			}
		}
		return name, n == 1
	}
	i, err := strconv.Atoi(ref)
	if err != nil || i < 0 || i >= len(docs) {
		return "", false
	}
	return docs[i].Name, true
}

// isDocKey reports whether s has the form of a docKey.
func isDocKey(s string) bool {
	if len(s) != 8 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	if s == "" || len(s) > 6 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
