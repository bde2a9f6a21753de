package page

import (
	"embed"
	"html/template"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/citebot/citebot/answer"
)

//go:embed templates/*.html templates/page.css
var templateFS embed.FS

// templates are parsed on first use, not at every process start.
var templates = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("").ParseFS(templateFS, "templates/*.html"))
})

// pageCSS is the stylesheet every page embeds.
var pageCSS = func() template.CSS {
	b, err := templateFS.ReadFile("templates/page.css")
	if err != nil {
		panic(err)
	}
	return template.CSS(b)
}()

// view is what the document template shows.
type view struct {
	Lang, Title, Nonce string
	CSS                template.CSS
	Theme              template.CSS
	// OCR shows the note that the text was read by OCR.
	OCR bool
	// FocusN is the paragraph number of the cited span (0: a heading);
	// FocusLabel names that paragraph as citations do ("p. 3 ¶12"; see
	// answer.ParagraphLabel).
	FocusN     int
	FocusLabel string
	Blocks     []block
	Expires    string
	// MiniApp adds the calls to Telegram's Mini App methods
	// (web_app_ready, web_app_expand): on the Mini App page only, which
	// is served from the origin of the web_app button's URL (POST
	// /app/TOKEN answers at the URL Telegram opened). A browser page (/p/)
	// is no Mini App and never calls them: since Bot API 10.2 Telegram
	// blocks Mini App methods called from other origins than the Mini
	// App's own (Bot API changelog, July 14, 2026).
	MiniApp bool
}

// block is one paragraph as shown.
type block struct {
	// Level is 1 for the document's title, 2 for other headings, 0 for a
	// body paragraph.
	Level  int
	N      int
	Pieces []piece
	// NewPage, when not 0, is the page this paragraph starts: a page
	// break is marked before it.
	NewPage int
}

// piece is a run of a paragraph's text, marked or not.
type piece struct {
	Text string
	// Mark is 0 for plain text, markOther for another citation of the
	// answer, markFocus for the cited span (which may also be another's).
	Mark int
	// ID is set on the first piece of the cited span.
	ID bool
	// Start and End are the piece's offsets in characters (Unicode code
	// points) into the document's text, as `ask --json` counts them.
	Start, End int
}

const (
	markOther = 1
	markFocus = 2
)

// Render writes the page of t's spans in d. d must be the text t was made
// for (its version checked by the caller) and the spans inside it. nonce
// is the CSP nonce of the response; theme, when set, overrides the colours.
// In a paged document a page break is marked before the first paragraph
// that starts each page after the first ("p. 3", a separator with the id
// page-3); the paragraph anchors (p1, p2, ...) stay as they are. A
// document read by OCR ([Document.OCR]) gets a note at the top that its
// text may hold recognition errors.
func Render(w io.Writer, d Document, t Token, nonce string, theme Theme) error {
	v := view{
		Lang: langOf(d.Text), Title: d.Name, Nonce: nonce, CSS: pageCSS, Theme: themeCSS(theme), OCR: d.OCR,
		Expires: t.Expires.UTC().Format(time.DateOnly), FocusLabel: answer.ParagraphLabel(0, 0),
		MiniApp: t.Kind == App,
	}
	focus := t.Spans[t.Focus]
	runes := runeCounter{text: d.Text}
	title, page := true, 1
	for _, p := range d.Paragraphs {
		b := block{N: p.N}
		if p.Page > page {
			b.NewPage, page = p.Page, p.Page
		}
		if p.Heading {
			b.Level = 2
			if title {
				b.Level = 1
			}
		}
		title = false
		if focus.Start >= p.Start && focus.Start < p.End {
			v.FocusN, v.FocusLabel = p.N, answer.ParagraphLabel(p.Page, p.N)
		}
		b.Pieces = pieces(d.Text, p, t.Spans, focus, &runes)
		v.Blocks = append(v.Blocks, b)
	}
	return templates().ExecuteTemplate(w, "page.html", v)
}

// pieces cuts paragraph p of text at the edges of the spans that overlap
// it and marks each piece.
func pieces(text string, p Paragraph, spans []Span, focus Span, runes *runeCounter) []piece {
	cuts := []int{p.Start, p.End}
	for _, s := range spans {
		for _, c := range []int{s.Start, s.End} {
			if c > p.Start && c < p.End {
				cuts = append(cuts, c)
			}
		}
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	var out []piece
	focusSeen := false
	for i := 0; i+1 < len(cuts); i++ {
		a, b := cuts[i], cuts[i+1]
		pc := piece{Text: text[a:b]}
		for _, s := range spans {
			if s.Start <= a && b <= s.End {
				pc.Mark = max(pc.Mark, markOther)
			}
		}
		if focus.Start <= a && b <= focus.End {
			pc.Mark = markFocus
			pc.ID = !focusSeen && a == focus.Start
			focusSeen = true
		}
		if pc.Mark != 0 {
			pc.Start, pc.End = runes.at(a), runes.at(b)
			out = append(out, pc)
			continue
		}
		out = appendPlain(out, pc.Text)
	}
	return out
}

// maxPieceBytes bounds the text of an unmarked piece: the template escapes
// each piece into a string of its own, so a long paragraph goes out in
// runs of this size rather than as one copy of itself.
const maxPieceBytes = 32 << 10

// appendPlain appends text as unmarked pieces of at most maxPieceBytes,
// cut between characters.
func appendPlain(out []piece, text string) []piece {
	for len(text) > maxPieceBytes {
		cut := maxPieceBytes
		for cut > 0 && !boundary(text, cut) {
			cut--
		}
		out = append(out, piece{Text: text[:cut]})
		text = text[cut:]
	}
	return append(out, piece{Text: text})
}

// runeCounter converts increasing byte offsets of text into character
// offsets in one pass.
type runeCounter struct {
	text         string
	byteN, runeN int
}

func (r *runeCounter) at(off int) int {
	if off < r.byteN {
		r.byteN, r.runeN = 0, 0
	}
	r.runeN += utf8.RuneCountInString(r.text[r.byteN:off])
	r.byteN = off
	return r.runeN
}

// langOf guesses the page language from the start of the text: "zh" when
// it holds at least as many Han characters as Latin words, else "en".
func langOf(text string) string {
	han, words := 0, 0
	inWord := false
	for i, r := range text {
		if i > 4096 {
			break
		}
		if unicode.Is(unicode.Han, r) {
			han++
		}
		latin := unicode.Is(unicode.Latin, r)
		if latin && !inWord {
			words++
		}
		inWord = latin
	}
	if han > 0 && han >= words {
		return "zh"
	}
	return "en"
}

// themeCSS turns a theme into a :root rule. Theme values are checked
// #rrggbb colours and names come from themeKeys, so the rule is safe CSS.
// A theme without a secondary background uses its background for it.
func themeCSS(t Theme) template.CSS {
	if len(t) == 0 {
		return ""
	}
	if _, ok := t["--bg2"]; !ok && t["--bg"] != "" {
		t = maps.Clone(t)
		t["--bg2"] = t["--bg"]
	}
	var b strings.Builder
	b.WriteString(":root{")
	for _, k := range slices.Sorted(maps.Keys(t)) {
		if !colourRE().MatchString(t[k]) || !slices.Contains(themeProps, k) {
			continue
		}
		b.WriteString(k + ":" + t[k] + ";")
	}
	b.WriteString("}")
	return template.CSS(b.String())
}

// themeProps are the custom properties a theme may set.
var themeProps = []string{"--bg", "--fg", "--hint", "--link", "--bg2"}

// message is what the short pages (refusals, the Mini App bootstrap)
// show.
type message struct {
	Nonce string
	CSS   template.CSS
	Theme template.CSS
	Title string
	Lines []string
	// Action, when set, makes the page the Mini App bootstrap posting
	// initData to it.
	Action string
}

// renderMessage writes a short page with no document text.
func renderMessage(w io.Writer, m message) error {
	m.CSS = pageCSS
	return templates().ExecuteTemplate(w, "message.html", m)
}
