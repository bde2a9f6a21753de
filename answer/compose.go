package answer

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/citebot/citebot/retrieval/text"
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
//   - otherwise, a one-sentence quote whose neighbour in the passage (the
//     sentence right before or after it) scores at least neighbourRatio
//     of it is widened to that neighbour, the better of the two, when
//     both fit in fullSentence: the answer is often the sentence next to
//     the one that echoes the question (measured on whole sets; the
//     abstention rules still judge the sentence that was scored);
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

// widenToNeighbour widens a one-sentence pick to the sentence right before
// or after it in its passage when that one scores at least neighbourRatio
// of it (the better of the two), as long as the two fit in fullSentence;
// pk.core keeps the sentence it was scored on.
func (e *run) widenToNeighbour(pk pick, rest []pick) pick {
	if e.p.neighbourRatio == 0 || !pk.whole {
		return pk
	}
	sents, i := pk.pv.sents, pk.sentence()
	if i < 0 {
		return pk
	}
	var best *pick
	for k := range rest {
		c := &rest[k]
		if c.pv != pk.pv || !c.whole || c.score < e.p.neighbourRatio*pk.score || best != nil && c.score <= best.score {
			continue
		}
		if i+1 < len(sents) && c.start == sents[i+1].Start || i > 0 && c.end == sents[i-1].End {
			best = c
		}
	}
	if best == nil {
		return pk
	}
	start, end := min(pk.start, best.start), max(pk.end, best.end)
	if textWidth(pk.pv.p.Text[start:end]) > float64(e.p.fullSentence) {
		return pk
	}
	pk.core = &[2]int{pk.start, pk.end}
	pk.start, pk.end = start, end
	return pk
}

// sentence returns the index of the sentence of its passage that pk
// quotes exactly, or -1.
func (pk pick) sentence() int {
	return slices.IndexFunc(pk.pv.sents, func(s text.Span) bool { return s.Start == pk.start && s.End == pk.end })
}

// compose widens pk as described at the top of this file. It changes only
// whole-sentence picks.
func (e *run) compose(pk pick, qchars map[rune]bool) pick {
	if !pk.whole {
		return pk
	}
	sents, i := pk.pv.sents, pk.sentence()
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
