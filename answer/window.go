package answer

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/citebot/citebot/retrieval/text"
)

// Quote windows.
//
// A quote is a whole sentence by default. Only a sentence wider than
// fullSentence (in width units: a CJK character counts 1, any other
// character half, so the limit is about 150 CJK or 300 Latin characters)
// is cut to a window of its clauses (text.Clauses), chosen around the
// answer-bearing part: the clause holding the most question weight, plus
// the kind of answer the question asks for (a quantity, a date, a list),
// extended over the following clauses (where answers tend to sit: "X，Y"
// names the topic in X and tells about it in Y), then the preceding ones,
// within MaxQuoteRunes width units. The window is then adjusted so that it
// never starts in the middle of a list (after a 、 or a ", " item of one),
// inside a pair of brackets or quotes, or at a connective (但, 并, 而,
// but, which, ...) that needs the clause before it.

// textWidth is the width of s: CJK characters count 1, other non-space
// characters one half.
func textWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		switch {
		case text.IsWide(r):
			w++
		case !unicode.IsSpace(r):
			w += 0.5
		}
	}
	return w
}

// connectives are clause openers that lean on the clause before them.
var connectives = []string{
	"但", "但是", "而", "并", "並", "并且", "並且", "且", "而且", "同时", "同時", "因此", "所以", "从而", "從而",
	"以及", "以便", "其中", "即", "也", "还", "還", "和", "及", "或",
	"and ", "but ", "or ", "which ", "who ", "whom ", "whose ", "while ", "so ", "thus ", "including ",
	"as well as ", "although ", "though ", "where ", "when ",
}

// startsWithConnective reports whether clause opens with a connective.
func startsWithConnective(clause string) bool {
	lc := strings.ToLower(clause)
	for _, c := range connectives {
		if strings.HasPrefix(lc, c) {
			return true
		}
	}
	return false
}

// listSeparated reports whether a clause ending ends a list item: a 、 or
// an enumeration comma.
func listSeparated(clause string) bool {
	r, _ := utf8.DecodeLastRuneInString(strings.TrimRightFunc(clause, unicode.IsSpace))
	return r == '、' || r == '﹑'
}

// bracketDepth is the number of brackets and directional quotes opened
// and not closed in s.
func bracketDepth(s string) int {
	d := 0
	for _, r := range s {
		switch {
		case strings.ContainsRune("(（[［【《〈「『“‘", r):
			d++
		case strings.ContainsRune(")）]］】》〉」』”’", r):
			if d > 0 {
				d--
			}
		}
	}
	return d
}

// window picks the part of a sentence to quote and returns its byte
// offsets in sentence (see the comment at the top of this file).
func (e *run) window(qt queryTerms, qchars map[rune]bool, sentence string) (int, int) {
	if textWidth(sentence) <= float64(e.p.fullSentence) {
		return 0, len(sentence)
	}
	clauses := text.Clauses(sentence)
	if len(clauses) <= 1 {
		return 0, len(sentence)
	}
	widths := make([]float64, len(clauses))
	anchor, best := 0, -1.0
	for i, c := range clauses {
		w := sentence[c.Start:c.End]
		widths[i] = textWidth(w)
		score := coverage(qt, tokenSet(w))
		if qt.unit != "" && hasQuantity(w, qt.unit) {
			score += 0.2
		}
		if rewardsType(qt.wants) && answersType(w, qt.wants) {
			score += 0.1
		}
		if score > best {
			anchor, best = i, score
		}
	}
	a, b := anchor, anchor
	total := widths[anchor]
	limit := float64(e.opts.MaxQuoteRunes)
	if novelRunes(sentence[clauses[a].Start:clauses[b].End], qchars) < e.p.minNovel && b+1 < len(clauses) {
		b++
		total += widths[b]
	}
	for b+1 < len(clauses) && total+widths[b+1] <= limit {
		b++
		total += widths[b]
	}
	for a > 0 && total+widths[a-1] <= limit {
		a--
		total += widths[a]
	}
	a, b = e.settleWindow(sentence, clauses, a, b)
	end := clauses[b].End
	if b < len(clauses)-1 {
		// A window ending inside the sentence drops its clause mark.
		trimmed := strings.TrimRightFunc(sentence[clauses[a].Start:end], func(r rune) bool {
			return strings.ContainsRune("，、：；,:;", r)
		})
		end = clauses[a].Start + len(trimmed)
	}
	if a == 0 && b == len(clauses)-1 {
		return 0, len(sentence)
	}
	return clauses[a].Start, end
}

// settleWindow moves the window's first clause a back while it would start
// in the middle of a list, inside brackets or quotes, or at a connective,
// and its last clause b on while it ends inside a list or brackets.
func (e *run) settleWindow(sentence string, clauses []text.Span, a, b int) (int, int) {
	for a > 0 {
		prev := sentence[clauses[a-1].Start:clauses[a-1].End]
		head := sentence[clauses[a].Start:clauses[a].End]
		if !listSeparated(prev) && bracketDepth(sentence[:clauses[a].Start]) == 0 && !startsWithConnective(head) {
			break
		}
		a--
	}
	for b+1 < len(clauses) {
		last := sentence[clauses[b].Start:clauses[b].End]
		if !listSeparated(last) && bracketDepth(sentence[clauses[a].Start:clauses[b].End]) == 0 {
			break
		}
		b++
	}
	return a, b
}
