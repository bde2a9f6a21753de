package bot

import (
	"strings"
	"unicode/utf8"
)

// maxMessageUnits is Telegram's message length limit in UTF-16 code units.
const maxMessageUnits = 4096

// maxMessages caps the messages one reply is sent as: a runaway model
// answer (80k characters were 20 messages) must not flood a chat. The
// engine caps model replies too (max_completion_tokens); this is the last
// guard.
const maxMessages = 4

// splitMessages splits HTML for sending: parts of at most maxMessageUnits,
// and at most maxMessages of them, the last ending in "…" when the rest
// was cut off. Only the start of html that the messages can hold is
// tokenized and split, however long html is.
func splitMessages(html string) []string {
	html, cut := cutHTML(html, (maxMessages+1)*maxMessageUnits)
	parts := splitHTML(html, maxMessageUnits)
	if len(parts) <= maxMessages && !cut || len(parts) == 0 {
		return parts
	}
	parts = parts[:min(len(parts), maxMessages)]
	last := parts[len(parts)-1]
	if utf16Len(last)+2 > maxMessageUnits {
		if p := splitHTML(last, maxMessageUnits-2); len(p) > 0 {
			last = p[0]
		}
	}
	parts[len(parts)-1] = last + "\n…"
	return parts
}

// firstMessage returns the first part of html as splitHTML would cut it
// into messages, "" when it has no visible text; only the start of html is
// looked at.
func firstMessage(html string) string {
	html, _ = cutHTML(html, 2*maxMessageUnits)
	if parts := splitHTML(html, maxMessageUnits); len(parts) > 0 {
		return parts[0]
	}
	return ""
}

// cutHTML returns the start of s that ends between two tokens (see
// tokenizeHTML) and holds at most units UTF-16 code units, and whether
// anything was cut off. Tags left open are closed by splitHTML.
func cutHTML(s string, units int) (prefix string, cut bool) {
	if len(s) <= units { // every UTF-16 code unit takes at least a byte
		return s, false
	}
	n := 0
	for i := 0; i < len(s); {
		t := nextToken(s, i)
		if n+int(t.units) > units {
			return s[:i], true
		}
		n += int(t.units)
		i = int(t.end)
	}
	return s, false
}

// cutForMessages returns the start of text, cut between characters, that
// holds one UTF-16 code unit more than maxMessages messages can show (text
// itself when it is no longer): escaped and split, it still fills every
// message and is marked as cut, but a paragraph of any length costs no
// more than that to render.
func cutForMessages(text string) string {
	const most = maxMessages*maxMessageUnits + 1
	if len(text) <= most {
		return text
	}
	units := 0
	for i, r := range text {
		if units+runeUnits(r) > most {
			return text[:i]
		}
		units += runeUnits(r)
	}
	return text
}

// htmlTok is one indivisible piece of an HTML string s: a tag, an entity, a
// break rune or a run of text, at s[start:end]. It holds no pointer, so
// that tokenizing long answers costs the garbage collector nothing.
type htmlTok struct {
	start, end int32
	units      int32 // UTF-16 code units
	kind       tokKind
}

type tokKind uint8

const (
	tokText tokKind = iota
	tokOpen
	tokClose
)

func (t htmlTok) text(s string) string { return s[t.start:t.end] }

// name returns the tag name of an open or close tag token.
func (t htmlTok) name(s string) string {
	tag := strings.TrimPrefix(strings.Trim(t.text(s), "<>"), "/")
	if k := strings.IndexAny(tag, " \t\n"); k >= 0 {
		tag = tag[:k]
	}
	return tag
}

// closeLen is the length of the closing tag of an open tag token.
func (t htmlTok) closeLen(s string) int { return len(t.name(s)) + 3 }

// maxRun bounds the runes of one text token: a cut falls between tokens,
// so a text with no space or punctuation is cut at most this far short.
const maxRun = 64

// tokenizeHTML cuts s into tags, entities, white space and punctuation
// runes (where a cut may go) and runs of other text. It expects the HTML
// this package makes (escaped text, simple tags); anything else is treated
// as text, so it never fails.
func tokenizeHTML(s string) []htmlTok {
	toks := make([]htmlTok, 0, len(s)/8+1)
	for i := 0; i < len(s); {
		t := nextToken(s, i)
		toks = append(toks, t)
		i = int(t.end)
	}
	return toks
}

// nextToken returns the token of s that starts at byte i < len(s).
func nextToken(s string, i int) htmlTok {
	tok := func(end, units int, kind tokKind) htmlTok {
		return htmlTok{start: int32(i), end: int32(end), units: int32(units), kind: kind}
	}
	switch s[i] {
	case '<':
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			kind := tokOpen
			if strings.HasPrefix(s[i:], "</") {
				kind = tokClose
			}
			return tok(i+j+1, utf16Len(s[i:i+j+1]), kind)
		}
	case '&':
		if j := strings.IndexByte(s[i:min(len(s), i+11)], ';'); j > 0 {
			return tok(i+j+1, j+1, tokText)
		}
	}
	if r, n := utf8.DecodeRuneInString(s[i:]); isBreakRune(r) {
		return tok(i+n, runeUnits(r), tokText)
	}
	// A run of ordinary text, up to the next tag, entity, break rune or
	// maxRun runes; a '<' or '&' that starts no tag or entity is text.
	end, units := i, 0
	for k := 0; end < len(s) && k < maxRun; k++ {
		if k > 0 && (s[end] == '<' || s[end] == '&') {
			break
		}
		r, n := utf8.DecodeRuneInString(s[end:])
		if isBreakRune(r) {
			break
		}
		units += runeUnits(r)
		end += n
	}
	return tok(end, units, tokText)
}

// isBreakRune reports whether r gets a token of its own: white space and
// sentence punctuation, where cuts are preferred.
func isBreakRune(r rune) bool {
	switch r {
	case ' ', '\n', '\t', '\r', '.', '!', '?', '。', '！', '？', '；', ';', '…':
		return true
	}
	return false
}

func runeUnits(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// utf16Len returns the length of s in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += runeUnits(r)
	}
	return n
}

// splitHTML splits s into parts of at most limit UTF-16 code units, each a
// well-formed HTML message. It cuts at a paragraph break if it can, else at
// a line break, a sentence end, a space, and only as a last resort between
// two runs of text; never inside a tag, an entity or a surrogate pair. Tags
// open at a cut are closed at the end of the part and opened again at the
// start of the next. Parts with no visible text are dropped.
func splitHTML(s string, limit int) []string {
	toks := tokenizeHTML(s)
	if utf16Len(s) <= limit {
		if hasVisible(s, toks) {
			return []string{s}
		}
		return nil
	}
	var parts []string
	cur := make([]htmlTok, 0, 512) // the part being built, starting with reopened tags
	units, closing := 0, 0         // units of cur; units of the closing tags it needs

	for i := 0; i < len(toks); {
		t := toks[i]
		dclose := 0 // change in the closing tags needed
		switch t.kind {
		case tokOpen:
			dclose = t.closeLen(s)
		case tokClose:
			dclose = -int(t.units)
		}
		if units+int(t.units)+max(closing+dclose, 0) <= limit || !hasVisible(s, cur) {
			cur = append(cur, t)
			units += int(t.units)
			closing = max(closing+dclose, 0)
			i++
			continue
		}
		cut := chooseCut(s, cur, limit)
		part, open := closeAt(s, cur, cut)
		if hasVisible(s, cur[:cut]) {
			parts = append(parts, part)
		}
		cur = reopen(s, open, cur[cut:])
		units, closing = measure(s, cur)
	}
	if hasVisible(s, cur) {
		part, _ := closeAt(s, cur, len(cur))
		parts = append(parts, part)
	}
	return parts
}

// chooseCut returns where to end the current part: an index into cur, after
// the last paragraph break, line break, sentence end or space that leaves
// the part at least half full, in that order of preference; else at the end.
// The cut never leaves a just-opened tag at the end of a part, and takes
// closing tags that follow it into the part.
func chooseCut(s string, cur []htmlTok, limit int) int {
	minUnits := limit / 2
	best := [4]int{} // per preference: 0 paragraph, 1 line, 2 sentence, 3 space
	units := 0
	for j := 1; j < len(cur); j++ {
		units += int(cur[j-1].units)
		prev := cur[j-1]
		if units < minUnits || prev.kind != tokText {
			continue
		}
		p := prev.text(s)
		switch {
		case p == "\n" && j >= 2 && cur[j-2].text(s) == "\n":
			best[0] = j
		case p == "\n":
			best[1] = j
		case isSentenceEnd(p) && (isSpace(cur[j].text(s)) || p != "." && p != "!" && p != "?"):
			best[2] = j
		case isSpace(p):
			best[3] = j
		}
	}
	cut := len(cur)
	for _, b := range best {
		if b > 0 {
			cut = b
			break
		}
	}
	for cut > 1 && cur[cut-1].kind == tokOpen {
		cut--
	}
	for cut < len(cur) && cur[cut].kind == tokClose {
		cut++
	}
	return cut
}

func isSentenceEnd(s string) bool {
	switch s {
	case ".", "!", "?", "。", "！", "？", "；", ";", "…":
		return true
	}
	return false
}

func isSpace(s string) bool { return s == " " || s == "\n" || s == "\t" || s == "\r" }

// closeAt returns the text of cur[:cut] followed by closing tags for the
// tags open at cut, and the open tags themselves (outermost first).
func closeAt(s string, cur []htmlTok, cut int) (part string, open []htmlTok) {
	var sb strings.Builder
	for _, t := range cur[:cut] {
		sb.WriteString(t.text(s))
		switch t.kind {
		case tokOpen:
			open = append(open, t)
		case tokClose:
			if n := len(open); n > 0 && open[n-1].name(s) == t.name(s) {
				open = open[:n-1]
			}
		}
	}
	for k := len(open) - 1; k >= 0; k-- {
		sb.WriteString("</" + open[k].name(s) + ">")
	}
	return sb.String(), open
}

// reopen starts the next part: the tags open at the cut, then rest without
// its leading white space.
func reopen(s string, open, rest []htmlTok) []htmlTok {
	k := 0
	for k < len(rest) && rest[k].kind == tokText && isSpace(rest[k].text(s)) {
		k++
	}
	next := make([]htmlTok, 0, max(512, len(open)+len(rest)-k))
	next = append(next, open...)
	return append(next, rest[k:]...)
}

// measure returns the units of cur and the units of the closing tags it
// needs.
func measure(s string, cur []htmlTok) (units, closing int) {
	for _, t := range cur {
		units += int(t.units)
		switch t.kind {
		case tokOpen:
			closing += t.closeLen(s)
		case tokClose:
			closing -= len(t.text(s))
		}
	}
	return units, max(closing, 0)
}

// hasVisible reports whether toks hold any text other than white space.
func hasVisible(s string, toks []htmlTok) bool {
	for _, t := range toks {
		if t.kind == tokText && !isSpace(t.text(s)) {
			return true
		}
	}
	return false
}
