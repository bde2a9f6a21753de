package bot

import (
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/citebot/citebot/answer"
)

// Rich messages (Bot API 10.1, "Rich messages"; sendRichMessage,
// InputRichMessage) show an answer in a private chat as explicit blocks:
// the answer's paragraphs, with a footnote link (RichTextReferenceLink,
// type "reference_link") at each [n] marker, then one footnote per
// citation. A footnote is a paragraph holding the reference
// (RichTextReference, type "reference", named "cite-n") whose text is the
// citation's label in bold, directly followed by the verified quote as a
// block quotation: InputRichBlockBlockQuotation ("blockquote") or, for a
// quote longer than expandableRunes, InputRichBlockExpandableBlockQuotation
// ("expandable_blockquote", Bot API 10.3), which clients show collapsed.
//
// The documentation defines RichTextReference's text as RichText, which
// cannot hold blocks, so the quote cannot sit inside the reference itself:
// reading the types as the official pages give them, the reference names
// the footnote and the quotation block that follows it is the footnote's
// body. The two are one unit: a split never separates them.
//
// Group answers stay HTML: their ¶ buttons edit the paragraph into the
// answer with editMessageText, which a rich message does not take.

// Rich message limits (Bot API, "Rich Message Limits"): up to 32768
// characters of text and up to 500 blocks, nested ones counted. Text is
// counted here in UTF-16 code units, which are never fewer than the
// characters however the documentation's "UTF-8 characters" is read.
const (
	maxRichUnits  = 32768
	maxRichBlocks = 500
)

// expandableRunes is the length above which a quote is sent collapsed.
const expandableRunes = 160

// inputRichMessage is the Bot API InputRichMessage, with explicit blocks
// (exactly one of html, markdown and blocks may be set).
type inputRichMessage struct {
	Blocks []richBlock `json:"blocks"`
	// SkipEntityDetection keeps quotes exactly as the document has them:
	// no link or mention is detected in them.
	SkipEntityDetection bool `json:"skip_entity_detection,omitempty"`
}

// richBlock is an InputRichBlock of the kinds citebot sends: "paragraph"
// and "expandable_blockquote" (Text), "blockquote" (Blocks).
type richBlock struct {
	Type   string      `json:"type"`
	Text   any         `json:"text,omitempty"`
	Blocks []richBlock `json:"blocks,omitempty"`
}

// richEntity is a RichText object of the kinds citebot sends: "bold",
// "italic", "reference" (Name) and "reference_link" (ReferenceName).
// Plain text is a string and a concatenation a []any.
type richEntity struct {
	Type          string `json:"type"`
	Text          any    `json:"text"`
	Name          string `json:"name,omitempty"`
	ReferenceName string `json:"reference_name,omitempty"`
}

// richSeg is a piece of answer text: plain text, or the marker of
// citation mark.
type richSeg struct {
	text string
	mark int // > 0: the [mark] marker
}

// richUnit is what a split keeps whole: a paragraph, or a footnote (its
// reference paragraph and its quotation). html is the unit as HTML, for
// the units left to send when Telegram refuses rich messages mid-answer.
type richUnit struct {
	segs   []richSeg        // a text paragraph (nil for a footnote)
	italic bool             // the paragraph is shown in italics
	cite   *answer.Citation // a footnote
	label  string           // the footnote's label
	name   string           // the footnote's reference name
	html   string
	units  int // text size in UTF-16 code units
	blocks int
}

// referenceName names citation n's footnote.
func referenceName(n int) string { return "cite-" + strconv.Itoa(n) }

var markerRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\[(\d{1,4})\]`) })

// textUnits splits answer text into paragraphs (at blank lines) of at most
// maxRichUnits each, with the markers of the citations in known as
// segments; markers of citations not in text are appended to the last.
func textUnits(text string, known map[int]bool, italic bool) []richUnit {
	var units []richUnit
	seen := map[int]bool{}
	for _, para := range strings.Split(text, "\n\n") {
		if para = strings.TrimSpace(para); para == "" {
			continue
		}
		var segs []richSeg
		last := 0
		for _, m := range markerRE().FindAllStringSubmatchIndex(para, -1) {
			n, _ := strconv.Atoi(para[m[2]:m[3]])
			if !known[n] {
				continue
			}
			segs = append(segs, richSeg{text: para[last:m[0]]}, richSeg{mark: n})
			seen[n] = true
			last = m[1]
		}
		segs = append(segs, richSeg{text: para[last:]})
		units = append(units, cutParagraph(segs, italic)...)
	}
	var missing []int
	for n := range known {
		if !seen[n] {
			missing = append(missing, n)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 && len(units) == 0 {
		units = append(units, richUnit{blocks: 1})
	}
	for _, n := range missing {
		u := &units[len(units)-1]
		u.segs = append(u.segs, richSeg{text: " "}, richSeg{mark: n})
		u.units += 1 + utf16Len(markerText(n))
	}
	for i := range units {
		units[i].html = segsHTML(units[i].segs, italic)
	}
	return units
}

// cutParagraph makes one unit of a paragraph, or several when it is
// longer than maxRichUnits: cut between segments, or inside plain text at
// a character boundary (never inside a marker).
func cutParagraph(segs []richSeg, italic bool) []richUnit {
	var out []richUnit
	cur := richUnit{italic: italic, blocks: 1}
	add := func(s richSeg) {
		n := utf16Len(s.text)
		if s.mark > 0 {
			n = utf16Len(markerText(s.mark))
		}
		if cur.units+n > maxRichUnits && cur.units > 0 {
			out = append(out, cur)
			cur = richUnit{italic: italic, blocks: 1}
		}
		cur.segs = append(cur.segs, s)
		cur.units += n
	}
	for _, s := range segs {
		for s.mark == 0 && utf16Len(s.text) > maxRichUnits/2 {
			cut := maxRichUnits / 4 // runes: at most maxRichUnits/2 UTF-16 units
			i := 0
			for j := range s.text {
				if cut == 0 {
					i = j
					break
				}
				cut--
			}
			add(richSeg{text: s.text[:i]})
			s.text = s.text[i:]
		}
		add(s)
	}
	if len(cur.segs) > 0 {
		out = append(out, cur)
	}
	return out
}

func markerText(n int) string { return "[" + strconv.Itoa(n) + "]" }

// segsHTML renders a paragraph's segments as Telegram HTML.
func segsHTML(segs []richSeg, italic bool) string {
	var sb strings.Builder
	for _, s := range segs {
		if s.mark > 0 {
			sb.WriteString(markerText(s.mark))
			continue
		}
		sb.WriteString(escapeHTML(s.text))
	}
	if italic {
		return "<i>" + sb.String() + "</i>"
	}
	return sb.String()
}

// footnoteUnit is citation c's footnote: its reference paragraph and, when
// it has a quote, the quotation (a blockquote holds a paragraph: two
// blocks).
func footnoteUnit(c *answer.Citation, label, name string) richUnit {
	head := markerText(c.N) + " " + label
	u := richUnit{cite: c, label: head, name: name, units: utf16Len(head), blocks: 1,
		html: "<b>" + escapeHTML(head) + "</b>"}
	if q := strings.TrimSpace(c.Quote); q != "" {
		u.units += utf16Len(q)
		u.blocks += 2
		if utf8.RuneCountInString(q) > expandableRunes {
			u.blocks--
		}
		u.html += "\n<blockquote expandable>" + escapeHTML(q) + "</blockquote>"
	}
	return u
}

// richUnits returns a's units in the order renderAnswer shows them.
func richUnits(a answer.Answer, docs []answer.DocInfo) []richUnit {
	t := texts[langOf(a)]
	many := len(docs) > 1
	cites := slices.Clone(a.Citations)
	slices.SortStableFunc(cites, func(x, y answer.Citation) int { return x.N - y.N })
	known := map[int]bool{}
	for _, c := range cites {
		known[c.N] = true
	}
	text := strings.TrimSpace(a.Text)
	if a.Lead != "" && len(a.Citations) > 0 {
		text = a.Lead // the quotes are the footnotes: do not show them twice
	}
	if text == "" {
		text = t.emptyAnswer
	}
	units := textUnits(text, known, false)
	if a.Ungrounded {
		units = append(units, textUnits("⚠️ "+t.ungrounded, nil, false)...)
	}
	named := map[string]bool{}
	for i := range cites {
		c := &cites[i]
		name := referenceName(c.N)
		if named[name] { // two citations with one number: the links go to the first
			name += "-" + strconv.Itoa(i)
		}
		named[name] = true
		units = append(units, footnoteUnit(c, paragraphLabel(c.Doc, c.Page, c.Paragraph, many), name))
	}
	if g := strings.TrimSpace(a.Gloss); g != "" {
		units = append(units, textUnits("📖 "+g, nil, false)...)
	}
	if a.NotFound && len(a.Related) > 0 {
		labels := make([]string, len(a.Related))
		for i, p := range a.Related {
			labels[i] = paragraphLabel(p.Doc, p.Page, p.Paragraph, many)
		}
		units = append(units, textUnits(t.related+strings.Join(labels, ", "), nil, false)...)
	}
	if n := strings.TrimSpace(a.Notice); n != "" {
		units = append(units, textUnits(n, nil, true)...)
	}
	return units
}

// errRichTooLarge is a footnote too large for one rich message: its quote
// would have to be cut, so the answer goes as HTML.
var errRichTooLarge = errors.New("a footnote exceeds the rich message limits")

// splitRich groups units into messages within the rich message limits,
// in order, cutting only between units.
func splitRich(units []richUnit) ([][]richUnit, error) {
	var parts [][]richUnit
	var cur []richUnit
	size, blocks := 0, 0
	for _, u := range units {
		if u.units > maxRichUnits || u.blocks > maxRichBlocks {
			return nil, errRichTooLarge
		}
		if len(cur) > 0 && (size+u.units > maxRichUnits || blocks+u.blocks > maxRichBlocks) {
			parts, cur, size, blocks = append(parts, cur), nil, 0, 0
		}
		cur = append(cur, u)
		size += u.units
		blocks += u.blocks
	}
	if len(cur) > 0 {
		parts = append(parts, cur)
	}
	return parts, nil
}

// richMessage renders one message's units. A marker links to its
// footnote when that footnote is in the same message (a link must name a
// reference of its own message), else it is plain text.
func richMessage(units []richUnit) inputRichMessage {
	here := map[int]string{}
	for _, u := range units {
		if u.cite != nil {
			if _, dup := here[u.cite.N]; !dup {
				here[u.cite.N] = u.name
			}
		}
	}
	m := inputRichMessage{SkipEntityDetection: true}
	for _, u := range units {
		if u.cite == nil {
			m.Blocks = append(m.Blocks, richBlock{Type: "paragraph", Text: segsText(u.segs, u.italic, here)})
			continue
		}
		ref := richEntity{Type: "reference", Name: u.name, Text: richEntity{Type: "bold", Text: u.label}}
		m.Blocks = append(m.Blocks, richBlock{Type: "paragraph", Text: ref})
		q := strings.TrimSpace(u.cite.Quote)
		switch {
		case q == "":
		case utf8.RuneCountInString(q) > expandableRunes:
			m.Blocks = append(m.Blocks, richBlock{Type: "expandable_blockquote", Text: q})
		default:
			m.Blocks = append(m.Blocks, richBlock{Type: "blockquote", Blocks: []richBlock{{Type: "paragraph", Text: q}}})
		}
	}
	return m
}

// segsText renders a paragraph as RichText.
func segsText(segs []richSeg, italic bool, here map[int]string) any {
	var out []any
	for _, s := range segs {
		switch name, ok := here[s.mark]; {
		case s.mark > 0 && ok:
			out = append(out, richEntity{Type: "reference_link", Text: markerText(s.mark), ReferenceName: name})
		case s.mark > 0:
			out = append(out, markerText(s.mark))
		case s.text != "":
			out = append(out, s.text)
		}
	}
	var text any = out
	if len(out) == 1 {
		text = out[0]
	}
	if italic {
		return richEntity{Type: "italic", Text: text}
	}
	return text
}

// renderRich renders a as rich messages, in order, each within the
// limits, with the units of each for an HTML fallback.
func renderRich(a answer.Answer, docs []answer.DocInfo) ([]inputRichMessage, [][]richUnit, error) {
	parts, err := splitRich(richUnits(a, docs))
	if err != nil {
		return nil, nil, err
	}
	msgs := make([]inputRichMessage, len(parts))
	for i, p := range parts {
		msgs[i] = richMessage(p)
	}
	return msgs, parts, nil
}

// unitsHTML joins units as the HTML path shows them.
func unitsHTML(parts [][]richUnit) string {
	var out []string
	for _, p := range parts {
		for _, u := range p {
			out = append(out, u.html)
		}
	}
	return strings.Join(out, "\n\n")
}

// richPartial renders answer text still being written as a draft: its
// paragraphs, markers as plain text (no citation is known yet), with a
// cursor, cut to one message.
func richPartial(text string) inputRichMessage {
	units := textUnits(strings.TrimSpace(text)+" …", nil, false)
	parts, _ := splitRich(units) // paragraphs are never too large
	if len(parts) == 0 {
		return inputRichMessage{Blocks: []richBlock{{Type: "paragraph", Text: "…"}}, SkipEntityDetection: true}
	}
	return richMessage(parts[0])
}
