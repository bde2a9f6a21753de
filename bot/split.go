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
// was cut off.
func splitMessages(html string) []string {
	parts := splitHTML(html, maxMessageUnits)
	if len(parts) <= maxMessages {
		return parts
	}
	parts = parts[:maxMessages]
	last := parts[maxMessages-1]
	if utf16Len(last)+2 > maxMessageUnits {
		if p := splitHTML(last, maxMessageUnits-2); len(p) > 0 {
			last = p[0]
		}
	}
	parts[maxMessages-1] = last + "\n…"
	return parts
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
	add := func(start, end, units int, kind tokKind) {
		toks = append(toks, htmlTok{start: int32(start), end: int32(end), units: int32(units), kind: kind})
	}
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			if j := strings.IndexByte(s[i:], '>'); j > 0 {
				kind := tokOpen
				if strings.HasPrefix(s[i:], "</") {
					kind = tokClose
				}
				add(i, i+j+1, utf16Len(s[i:i+j+1]), kind)
				i += j + 1
				continue
			}
		case '&':
			if j := strings.IndexByte(s[i:], ';'); j > 0 && j <= 10 {
				add(i, i+j+1, j+1, tokText)
				i += j + 1
				continue
			}
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if isBreakRune(r) {
			add(i, i+n, runeUnits(r), tokText)
			i += n
			continue
		}
		// A run of ordinary text, up to the next tag, entity, break rune
		// or maxRun runes.
		start, units := i, 0
		for k := 0; i < len(s) && k < maxRun; k++ {
			if s[i] == '<' || s[i] == '&' {
				break
			}
			r, n := utf8.DecodeRuneInString(s[i:])
			if isBreakRune(r) {
				break
			}
			units += runeUnits(r)
			i += n
		}
		add(start, i, units, tokText)
	}
	return toks
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
