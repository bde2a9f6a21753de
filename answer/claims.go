package answer

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/citebot/citebot/prompts"
	"github.com/citebot/citebot/retrieval/text"
)

// Claims: how a model's reply becomes text a reader can trust.
//
// The reply is cut, as it streams, into claim units: a unit ends after a
// clause or sentence terminator (，, ；, 。, ！, ？, a "." or "," followed
// by a space, a line break) outside any quotation, together with the
// citation markers and blanks that follow it ("…成果。[1]" is one unit).
// [unitScanner] finds the ends incrementally: each byte of the reply is
// scanned once, whatever the chunk sizes, so verification is linear in
// the length of the reply.
//
// Clauses without any quote or marker wait for the next clause of the
// same sentence ("根据文档，会议要求「…」[1]。" is one claim); the group is
// verified when a clause brings a citation or the sentence ends. A claim
// is shown only when (see [rendering.unit] and [supported]):
//
//   - it carries at least one qualifying citation: a quote located in a
//     given passage (the document's words replace the model's) of at least
//     [minCitedWeight] (6 Han characters or 3 words), or a bare [n] whose
//     passage's best sentence for the claim is such a quote;
//   - no quotation in it, in any quote style or after an introducer such
//     as 原文写道, fails to be located: an invented quote taints its claim;
//   - its prose (outside the quotes, framing words such as 会议要求 or
//     "according to" aside) is supported by its quotes and the question:
//     every number and negation in it occurs in the quotes (the question
//     lends no premise), and nearly every other word occurs in them or in
//     the question (for prose in another language than the quotes, where
//     words cannot be compared, only a bounded amount of it).
//
// A claim that fails is removed, its citations rolled back, and it is
// listed in [Answer.Unsupported]. Accepted claims are appended to the
// shown text and never changed afterwards; the separator a clause ended
// with is held back until the next accepted claim (or the end) decides
// it, so every partial text is a prefix of the next and of the final
// answer. The transports therefore never show a character they later take
// back.

// unitScanner finds the ends of claim units in a growing text. It is not
// safe for concurrent use.
type unitScanner struct {
	pos   int    // bytes scanned
	start int    // start of the current unit
	open  []rune // closing marks of the open quotations, innermost last
	// cand is the end of a terminator awaiting its lookahead (blanks and
	// markers that still belong to the unit), or -1.
	cand int
	// sentence is set when the pending unit ends a sentence.
	sentence bool
}

func newUnitScanner() *unitScanner { return &unitScanner{cand: -1} }

// next returns the next complete unit of raw, [start, end), and whether
// it ends a sentence. ok is false when more text is needed; with final
// set the rest of raw is one last unit.
func (sc *unitScanner) next(raw string, final bool) (start, end int, sentence, ok bool) {
	for sc.pos < len(raw) {
		if !final && !utf8.FullRuneInString(raw[sc.pos:]) {
			return 0, 0, false, false
		}
		r, size := utf8.DecodeRuneInString(raw[sc.pos:])
		if sc.cand >= 0 {
			switch done, more := sc.lookahead(raw, r, size, final); {
			case more:
				return 0, 0, false, false
			case done:
				return sc.emit(sc.pos)
			}
			continue
		}
		if r == '\n' {
			sc.open = sc.open[:0] // quotations are one line long
		}
		if !sc.quotation(r) && len(sc.open) == 0 {
			switch term, more := terminator(raw, sc.pos, r, size, final); {
			case more:
				return 0, 0, false, false
			case term != 0:
				sc.cand = sc.pos + size
				sc.sentence = term == '.'
			}
		}
		sc.pos += size
	}
	if final && sc.start < len(raw) {
		return sc.emit(len(raw))
	}
	return 0, 0, false, false
}

// emit ends the current unit at end.
func (sc *unitScanner) emit(end int) (int, int, bool, bool) {
	start, sentence := sc.start, sc.sentence || sc.cand < 0
	sc.start, sc.pos, sc.cand, sc.sentence = end, end, -1, false
	sc.open = sc.open[:0]
	return start, end, sentence, true
}

// lookahead handles rune r after a terminator: blanks and complete
// markers join the unit; a lower-case letter or digit after a "." (an
// abbreviation, "U.S. law") cancels the end. done reports the unit ends
// before r; more that the decision needs text not yet arrived.
func (sc *unitScanner) lookahead(raw string, r rune, size int, final bool) (done, more bool) {
	switch {
	case r == '\n':
		sc.sentence = true
		sc.pos += size
		return false, false
	case unicode.IsSpace(r):
		sc.pos += size
		return false, false
	case r == '[' || r == '［' || r == '【':
		if _, end, ok := scanMarker(raw, sc.pos); ok {
			sc.pos = end
			return false, false
		}
		if !final && markerPrefix(raw[sc.pos:]) {
			return false, true
		}
	case sc.sentence && (unicode.IsLower(r) || unicode.IsDigit(r)) && dotBefore(raw, sc.cand):
		sc.cand, sc.sentence = -1, false
		return false, false
	}
	return true, false
}

// dotBefore reports whether the terminator ending at end is a ".".
func dotBefore(raw string, end int) bool { return end > 0 && raw[end-1] == '.' }

// markerPrefix reports whether s may be the start of a marker still
// streaming: an opening bracket and digits, commas and spaces only.
func markerPrefix(s string) bool {
	_, size := utf8.DecodeRuneInString(s)
	for i, r := range s[size:] {
		if r == utf8.RuneError && !utf8.FullRuneInString(s[size+i:]) {
			return true // a character still arriving
		}
		if !(r >= '0' && r <= '9' || r >= '０' && r <= '９' || r == ',' || r == '，' || r == '、' || r == ' ') {
			return false
		}
	}
	return true
}

// closingQuote maps each opening quotation mark to its closing one.
var closingQuote = map[rune]rune{'「': '」', '『': '』', '“': '”', '‘': '’', '«': '»', '﹁': '﹂', '"': '"'}

// quotation updates the open quotations for r and reports whether r is a
// quotation mark.
func (sc *unitScanner) quotation(r rune) bool {
	if n := len(sc.open); n > 0 && sc.open[n-1] == r {
		sc.open = sc.open[:n-1]
		return true
	}
	closing, ok := closingQuote[r]
	if !ok {
		return false
	}
	sc.open = append(sc.open, closing)
	return true
}

// terminator classifies rune r at raw[i:]: '.' for a sentence end, ','
// for a clause end, 0 for neither. An ASCII "." or "," ends something
// only before a blank, a marker or the end of the text (not in "3.5" or
// "100,000"); more reports that the next rune has not arrived yet.
func terminator(raw string, i int, r rune, size int, final bool) (term rune, more bool) {
	switch r {
	case '。', '！', '？', '!', '?', '\n', '…':
		return '.', false
	case '，', '；':
		return ',', false
	case '.', ',', ';':
		if r == '.' && listNumber(raw[:i]) {
			return 0, false
		}
		if i+size >= len(raw) || !final && !utf8.FullRuneInString(raw[i+size:]) {
			if !final {
				return 0, true
			}
			if r == '.' {
				return '.', false
			}
			return ',', false
		}
		nr, _ := utf8.DecodeRuneInString(raw[i+size:])
		if unicode.IsSpace(nr) || nr == '[' || nr == '［' || nr == '【' {
			if r == '.' {
				return '.', false
			}
			return ',', false
		}
	}
	return 0, false
}

// claimStream verifies a model's reply as it streams (see the comment at
// the top of this file) and passes every growth of the verified text to
// onPartial. It is not safe for concurrent use.
type claimStream struct {
	rd        *rendering
	raw       strings.Builder
	sc        *unitScanner
	onPartial func(string)

	// pending holds the clauses of the current sentence that wait for a
	// citation.
	pending string
	out     strings.Builder
	// sep is the separator after the last accepted claim, written only
	// before the next one (or, as a sentence end, at the end).
	sep         string
	unsupported []Unsupported
	lastShown   int
	// limit is the most bytes of reply read (0: no limit), the reply
	// cut at a character boundary; overflow is set when it went past it.
	limit    int
	overflow bool
}

func (v *verifier) stream(onPartial func(string)) *claimStream {
	return &claimStream{rd: v.newRendering(), sc: newUnitScanner(), onPartial: onPartial}
}

// write takes the next piece of the reply.
func (cs *claimStream) write(d string) {
	if cs.limit > 0 && cs.raw.Len()+len(d) > cs.limit {
		n := max(0, cs.limit-cs.raw.Len())
		for n > 0 && !utf8.RuneStart(d[n]) { // not inside a character
			n--
		}
		d = d[:n]
		cs.overflow = true
	}
	cs.raw.WriteString(d)
	cs.units(false)
	if cs.onPartial != nil && cs.out.Len() > cs.lastShown {
		cs.lastShown = cs.out.Len()
		cs.onPartial(cs.out.String())
	}
}

// units verifies every complete unit of the reply so far.
func (cs *claimStream) units(final bool) {
	raw := cs.raw.String()
	for {
		start, end, sentence, ok := cs.sc.next(raw, final)
		if !ok {
			return
		}
		cs.unit(raw[start:end], sentence)
	}
}

// maxPending bounds the uncited clauses of one sentence kept waiting for
// a citation.
const maxPending = 2000

// unit handles one claim unit.
func (cs *claimStream) unit(u string, sentence bool) {
	group := cs.pending + u
	if !sentence && !citesAnything(u) && len(group) < maxPending {
		cs.pending = group
		return
	}
	cs.pending = ""
	mark := cs.rd.mark()
	res := cs.rd.unit(group)
	if res.shown() {
		cs.accept(res.text)
		return
	}
	cs.rd.rollback(mark)
	// A lead-in that only frames or restates the question ("会议对长江禁渔
	// 提出了以下要求：") is dropped without being listed as unsupported.
	q := cs.rd.v.question
	lead := framingOnly(res.claim) ||
		res.failed == 0 && text.Lang(res.prose) == text.Lang(q) && cs.rd.v.supported(res.prose, []string{q})
	if claim := strings.TrimSpace(res.claim); claim != "" && !res.open && !lead {
		cs.unsupported = append(cs.unsupported, Unsupported{Text: claim})
	}
	if sentence && cs.out.Len() > 0 {
		cs.sep = closeSentence(cs.sep, trailingSpace(u))
	}
}

// accept appends a verified claim to the shown text; its trailing
// separator waits in sep.
func (cs *claimStream) accept(text string) {
	body := strings.TrimRightFunc(text, isSeparator)
	if strings.TrimSpace(body) == "" {
		return
	}
	if cs.out.Len() == 0 {
		body = strings.TrimLeftFunc(body, unicode.IsSpace)
	} else {
		cs.out.WriteString(tidySep(cs.sep))
	}
	cs.out.WriteString(body)
	cs.sep = text[len(strings.TrimRightFunc(text, isSeparator)):]
}

// finish verifies the rest of the reply and returns the result.
func (cs *claimStream) finish() verified {
	cs.units(true)
	if cs.pending != "" {
		cs.unit("", true)
	}
	out := cs.rd.out
	out.text = cs.out.String()
	if out.text != "" {
		out.text += strings.TrimRightFunc(closeSentence(cs.sep, ""), unicode.IsSpace)
	}
	out.unsupported = cs.unsupported
	return out
}

// citesAnything reports whether unit u holds a quote, a marker or a quote
// introducer, i.e. whether it may carry its own citation.
func citesAnything(u string) bool {
	for _, sg := range parseModelText(u) {
		if sg.kind != segText || introducerAt(sg.text) >= 0 {
			return true
		}
	}
	return false
}

// isSeparator reports whether r is clause punctuation or a blank, which a
// claim may end with.
func isSeparator(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune("，,；;", r)
}

// trailingSpace returns the blanks s ends with.
func trailingSpace(s string) string { return s[len(strings.TrimRightFunc(s, unicode.IsSpace)):] }

// tidySep keeps of a separator its punctuation and one space, line break
// or blank line.
func tidySep(s string) string {
	punct := strings.TrimFunc(s, unicode.IsSpace)
	switch nl := strings.Count(s, "\n"); {
	case nl >= 2:
		return punct + "\n\n"
	case nl == 1:
		return punct + "\n"
	case punct != s:
		return punct + " "
	}
	return punct
}

// listNumber reports whether s ends in a list number at the start of a
// line ("2" before the "." of "2. 补贴").
func listNumber(s string) bool {
	k := len(s)
	for k > 0 && s[k-1] >= '0' && s[k-1] <= '9' {
		k--
	}
	return k < len(s) && (k == 0 || s[k-1] == '\n')
}

// closeSentence turns the separator sep held after the last shown claim
// into a sentence end, because the rest of its sentence was removed: a
// clause mark becomes 。 or ".". trailing holds the blanks that ended the
// removed part, whose line breaks are kept.
func closeSentence(sep, trailing string) string {
	punct := strings.TrimFunc(sep, unicode.IsSpace)
	switch punct {
	case "，", "；":
		punct = "。"
	case ",", ";":
		punct = "."
	}
	return tidySep(punct + trailingSpace(sep) + trailing)
}

// introducers are words after which a model quotes without quotation
// marks.
var introducers = []string{
	"原文写道", "原文称", "原文说", "原文为", "原文是", "原文如下", "原话是", "原句是",
	"文中写道", "文件写道", "文档写道", "文档中写道", "写道",
	"the document states", "the document reads", "the text reads", "the text says", "verbatim",
}

// introducerAt returns the offset in s after the first introducer and
// its colon, or -1.
func introducerAt(s string) int {
	lower := asciiLower(s) // same byte offsets as s
	best := -1
	for _, w := range introducers {
		if i := strings.Index(lower, w); i >= 0 && (best < 0 || i < best) {
			best = i + len(w)
		}
	}
	if best < 0 {
		return -1
	}
	for best < len(s) {
		r, size := utf8.DecodeRuneInString(s[best:])
		if r != ':' && r != '：' && r != ',' && r != '，' && !unicode.IsSpace(r) {
			break
		}
		best += size
	}
	return best
}

// asciiLower lowercases the ASCII letters of s, keeping every byte
// offset.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// withIntroducedQuotes turns the prose after a quote introducer, up to
// the next quote or marker, into a quote: 原文写道：坚定推进长江十年禁渔[1]
// quotes as if the words were in 「」.
func withIntroducedQuotes(segs []modelSeg) []modelSeg {
	var out []modelSeg
	for _, sg := range segs {
		k := -1
		if sg.kind == segText {
			k = introducerAt(sg.text)
		}
		rest := ""
		if k >= 0 {
			rest = strings.TrimRightFunc(sg.text[k:], func(r rune) bool {
				return unicode.IsSpace(r) || strings.ContainsRune("。.！!？?，,；;", r)
			})
		}
		if strings.TrimSpace(rest) == "" {
			out = append(out, sg)
			continue
		}
		out = append(out,
			modelSeg{kind: segText, text: sg.text[:k], start: sg.start, end: sg.start + k},
			modelSeg{kind: segQuote, text: rest, start: sg.start + k, end: sg.start + k + len(rest)})
		if tail := sg.text[k+len(rest):]; tail != "" {
			out = append(out, modelSeg{kind: segText, text: tail, start: sg.start + k + len(rest), end: sg.end})
		}
	}
	return out
}

// hasNotFound reports whether s holds the NOT_FOUND sentinel.
func hasNotFound(s string) bool { return strings.Contains(s, prompts.NotFound) }
