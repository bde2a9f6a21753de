package answer

import (
	"strings"
	"unicode/utf8"
)

// The citation protocol a model answers in (see the answer prompt in package
// prompts): prose with a passage number in square brackets after every
// claim, and verbatim quotes in corner brackets followed at once by the
// number of the passage they come from:
//
//	会议要求「坚定推进长江“十年禁渔”」[1]，并「完善横向生态保护补偿机制」[2]。
//
// It streams readably (the raw text is already a fine answer) and parses
// without ambiguity: 「 opens a quote until the matching 」 (nested 「」
// inside a quote, as in Traditional Chinese text, are balanced). Models
// drift, and a quotation in any other style is still a claim to quote the
// document, so the parser reads every quotation mark pair as a quote:
// 『…』, “…”, ‘…’, «…», ﹁…﹂ and straight "…" (the last four only within
// one line, so that a stray mark or an apostrophe stays prose). It also
// accepts full-width markers ［1］ and 【1】, and lists such as [1, 3] or
// [1][3]. The sentinel NOT_FOUND anywhere in the reply means the model
// found no answer. What the verifier does with each piece is described
// in claims.go.

// segKind says what a piece of model output is.
type segKind int

const (
	segText   segKind = iota // prose
	segQuote                 // a quote; text holds its inner text
	segMarker                // a citation marker; ns holds its numbers
)

// modelSeg is one piece of parsed model output. Start and End are byte
// offsets of the whole piece (brackets included) in the parsed text.
type modelSeg struct {
	kind       segKind
	text       string
	ns         []int
	start, end int
	// open marks a quote whose closing bracket has not arrived (a stream in
	// progress or cut); text holds what arrived.
	open bool
}

// maxMarkerNumber bounds the numbers a marker may carry: more digits than
// this are prose, not a citation.
const maxMarkerNumber = 999

// parseModelText splits model output into prose, quotes and markers. It
// never fails: anything that is not a well-formed quote or marker is prose.
// The pieces cover s in order, without gaps.
func parseModelText(s string) []modelSeg {
	var segs []modelSeg
	textStart := 0
	flush := func(end int) {
		if end > textStart {
			segs = append(segs, modelSeg{kind: segText, text: s[textStart:end], start: textStart, end: end})
		}
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '「', '『':
			flush(i)
			inner, end, closed := scanCorner(s, i+size, r)
			segs = append(segs, modelSeg{kind: segQuote, text: inner, start: i, end: end, open: !closed})
			i, textStart = end, end
			continue
		case '[', '［', '【':
			if ns, end, ok := scanMarker(s, i); ok {
				flush(i)
				segs = append(segs, modelSeg{kind: segMarker, ns: ns, start: i, end: end})
				i, textStart = end, end
				continue
			}
		case '“', '‘', '«', '﹁', '"':
			if inner, end, ok := scanQuotation(s, i, size, r); ok {
				flush(i)
				segs = append(segs, modelSeg{kind: segQuote, text: inner, start: i, end: end})
				i, textStart = end, end
				continue
			}
		}
		i += size
	}
	flush(len(s))
	return segs
}

// scanCorner reads a corner-bracket quote whose opening mark (「 or 『)
// ends at i. It returns the inner text, the offset after the matching
// closing mark and whether the quote was closed; an unclosed quote runs to
// the end of s.
func scanCorner(s string, i int, open rune) (inner string, end int, closed bool) {
	closing := '」'
	if open == '『' {
		closing = '』'
	}
	depth := 1
	for j := i; j < len(s); {
		r, size := utf8.DecodeRuneInString(s[j:])
		switch r {
		case open:
			depth++
		case closing:
			depth--
			if depth == 0 {
				return s[i:j], j + size, true
			}
		}
		j += size
	}
	return s[i:], len(s), false
}

// scanMarker reads a citation marker starting at i: an opening bracket, one
// or more numbers separated by commas, and the closing bracket.
func scanMarker(s string, i int) (ns []int, end int, ok bool) {
	_, size := utf8.DecodeRuneInString(s[i:])
	j := i + size
	n, digits := 0, 0
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		switch {
		case r >= '0' && r <= '9', r >= '０' && r <= '９':
			d := r - '0'
			if r >= '０' {
				d = r - '０'
			}
			n = n*10 + int(d)
			digits++
			if n > maxMarkerNumber {
				return nil, 0, false
			}
		case r == ',' || r == '，' || r == '、' || r == ' ':
			if digits == 0 {
				if r == ' ' {
					break
				}
				return nil, 0, false
			}
			ns = append(ns, n)
			n, digits = 0, 0
		case r == ']' || r == '］' || r == '】':
			if digits == 0 {
				return nil, 0, false
			}
			return append(ns, n), j + size, true
		default:
			return nil, 0, false
		}
		j += size
	}
	return nil, 0, false
}

// closingMark maps the opening marks of one-line quotations to their
// closing marks.
var closingMark = map[rune]string{'“': "”", '‘': "’", '«': "»", '﹁': "﹂", '"': `"`}

// scanQuotation reads a one-line quotation (“…”, ‘…’, «…», ﹁…﹂ or "…")
// starting at i, where the opening mark r is size bytes. Without a closing
// mark on the same line it is prose.
func scanQuotation(s string, i, size int, r rune) (inner string, end int, ok bool) {
	closing := closingMark[r]
	rest := s[i+size:]
	k := strings.Index(rest, closing)
	if k < 0 || strings.ContainsRune(rest[:k], '\n') {
		return "", 0, false
	}
	return rest[:k], i + size + k + len(closing), true
}
