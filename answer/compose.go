package answer

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Answer composition.
//
// A chosen quote is read in its passage before it is shown:
//
//   - a whole-sentence quote that opens with an anaphor (这, 此, 其, 该,
//     上述, It, This, He, She, They, ...) is widened to the sentence before
//     it, which names what the anaphor points to;
//   - a quote that is a lead-in (it ends with a colon, or its last clause
//     only echoes the question: fewer than minNovel characters beyond the
//     question's own) is widened to the next sentence, where the answer
//     the lead-in announces is;
//
// and extra quotes that score far below the first (under secondRatio of
// it) are dropped; at most MaxQuotes are kept, ordered by support. The
// widened quote is still the document's text at its offsets, two whole
// sentences of one paragraph.

// anaphorsZH and anaphorsEN open a sentence that leans on the one before.
var (
	anaphorsZH = []string{"这", "這", "此", "其", "该", "該", "上述", "它", "他们", "他們", "她们", "她們"}
	anaphorsEN = map[string]bool{"it": true, "this": true, "these": true, "those": true, "he": true, "she": true, "they": true, "its": true, "his": true, "her": true, "their": true}
)

// opensWithAnaphor reports whether sentence starts with an anaphor.
func opensWithAnaphor(sentence string) bool {
	for _, a := range anaphorsZH {
		if strings.HasPrefix(sentence, a) {
			return true
		}
	}
	end := strings.IndexFunc(sentence, func(r rune) bool { return !unicode.IsLetter(r) })
	if end < 0 {
		end = len(sentence)
	}
	return anaphorsEN[strings.ToLower(sentence[:end])]
}

// isLeadIn reports whether sentence announces what follows: it ends with a
// colon, or its last clause holds fewer than minNovel characters beyond
// the question's.
func (e *run) isLeadIn(sentence string, qchars map[rune]bool) bool {
	trimmed := strings.TrimRightFunc(sentence, unicode.IsSpace)
	r, _ := utf8.DecodeLastRuneInString(trimmed)
	if r == '：' || r == ':' {
		return true
	}
	last := trimmed
	if i := strings.LastIndexAny(strings.TrimRight(trimmed, "。.！!？?；;"), "，,：:；;"); i >= 0 {
		last = trimmed[i:]
	}
	return novelRunes(last, qchars) < e.p.minNovel
}

// compose widens pk as described at the top of this file. It changes only
// whole-sentence picks.
func (e *run) compose(pk pick, qchars map[rune]bool) pick {
	if !pk.whole {
		return pk
	}
	sents := pk.pv.sents
	i := -1
	for k, s := range sents {
		if s.Start == pk.start && s.End == pk.end {
			i = k
			break
		}
	}
	if i < 0 {
		return pk
	}
	txt := pk.pv.p.Text
	sentence := txt[pk.start:pk.end]
	switch {
	case e.p.leadIn && e.isLeadIn(sentence, qchars) && i+1 < len(sents):
		pk.end = sents[i+1].End
	case e.p.anaphor && opensWithAnaphor(sentence) && i > 0:
		pk.start = sents[i-1].Start
	}
	return pk
}
