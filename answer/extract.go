package answer

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/citebot/citebot/retrieval/text"
)

// passageView is a retrieved passage with its sentences and, on demand, its
// normalised view for quote matching.
type passageView struct {
	p     Passage
	sents []text.Span // byte spans in p.Text, trimmed, in order
	nv    *normView
}

func (e *run) newPassageView(p Passage) *passageView {
	return &passageView{p: p, sents: e.passageSentences(p)}
}

// passageViews returns the views of passages, in order.
func (e *run) passageViews(passages []Passage) []*passageView {
	views := make([]*passageView, len(passages))
	for i, p := range passages {
		views[i] = e.newPassageView(p)
	}
	return views
}

// view returns the normalised view of the passage text.
func (pv *passageView) view() normView {
	if pv.nv == nil {
		v := normalize(pv.p.Text)
		pv.nv = &v
	}
	return *pv.nv
}

// passageSentences splits p into sentences as text.Sentences splits its
// whole paragraph, so a passage window of a paragraph has the paragraph's
// sentences. Spans are byte offsets into p.Text.
func (e *run) passageSentences(p Passage) []text.Span {
	par, ok := e.r.Paragraph(p.Doc, p.Paragraph)
	if !ok || par.Start > p.Start || p.End > par.End || p.End-par.Start > len(par.Text) ||
		par.Text[p.Start-par.Start:p.End-par.Start] != p.Text {
		return text.Sentences(p.Text)
	}
	off := p.Start - par.Start
	var out []text.Span
	for _, s := range text.Sentences(par.Text) {
		st, en := max(s.Start-off, 0), min(s.End-off, len(p.Text))
		if st >= en {
			continue
		}
		// Trim white space a window edge may have exposed.
		for st < en {
			r, size := utf8.DecodeRuneInString(p.Text[st:en])
			if !unicode.IsSpace(r) {
				break
			}
			st += size
		}
		for st < en {
			r, size := utf8.DecodeLastRuneInString(p.Text[st:en])
			if !unicode.IsSpace(r) {
				break
			}
			en -= size
		}
		if st < en {
			out = append(out, text.Span{Start: st, End: en})
		}
	}
	return out
}

// pick is a chosen quote: a byte span of a passage.
type pick struct {
	pv         *passageView
	start, end int
	score      float64
	// cov is the share of the question's term weight in the sentence and
	// words the share of its word (bigram) weight.
	cov, words float64
	// whole is set when the span is the whole sentence.
	whole bool
	// core, when set, is the span of the sentence the pick was scored
	// on before [run.widenToNeighbour] widened it: abstention judges it.
	core *[2]int
}

func (pk pick) citation(n int) Citation {
	p := pk.pv.p
	return Citation{
		N: n, Doc: p.Doc, Paragraph: p.Paragraph, Page: p.Page,
		Quote: p.Text[pk.start:pk.end],
		Start: p.Start + pk.start, End: p.Start + pk.end,
		Whole: pk.whole,
	}
}

// pickQuotes chooses up to MaxQuotes quotes from the passages for the
// question terms, best first, and reports the coverage of the best
// sentence: the share of the question's word weight (Han bigrams, Latin
// words) it contains, or of all its term weight when the question has no
// words. No picks means the passages do not answer.
//
// Sentences are ranked by the question weight they hold, each term
// weighted by its rarity in the corpus (idf) times its rarity among the
// candidate sentences, and read together with their passage's opening
// sentence (see [run.inheritedCoverage]).
//
// With a continuation (a "tell me more" follow-up) the quotes come from
// the passages the previous answer quoted, preferring the sentences right
// after its quote, never repeating it, and the coverage is that of the
// topic already established.
func (e *run) pickQuotes(qt queryTerms, views []*passageView, cont *continuation) ([]pick, float64) {
	if qt.total == 0 {
		return nil, 0
	}
	qs := &quoteSearch{qt: qt, words: qt.words(), qchars: questionChars(qt)}
	views = qs.continueFrom(cont, views)
	sents, sf := candidates(qt, views)
	qs.local = e.localWeights(qt, len(sents), sf)
	if qs.local.total == 0 && len(qs.after) == 0 {
		return nil, 0
	}
	cands, repeats, unitFound := e.scoreCandidates(qs, sents)
	if len(cands) == 0 {
		// Nothing new: say the same again rather than nothing.
		cands = repeats
	}
	if len(cands) == 0 {
		return nil, 0
	}
	slices.SortStableFunc(cands, e.comparePicks)
	best := cands[0]
	if qt.unit != "" && !unitFound && len(qs.after) == 0 {
		// A "how many days" question and no day in sight.
		return nil, best.cov
	}
	return e.morePicks(e.widenToNeighbour(e.compose(best, qs.qchars), cands[1:]), cands[1:], qs.qchars), qs.bestCoverage(best)
}

// quoteSearch is the state of one [run.pickQuotes] call.
type quoteSearch struct {
	// qt are the question's terms, words its word terms alone (no single
	// Han characters) and local its terms reweighted by their rarity
	// among the candidate sentences (see [run.localWeights]).
	qt, words, local queryTerms
	// qchars are the characters of the question's terms.
	qchars map[rune]bool
	// after maps each passage a continuation reads on in to the byte
	// offset where the previous answer's quotes end in it.
	after map[*passageView]int
	// avoid is the previous answer normalised: a continuation does not
	// quote it again.
	avoid string
}

// candidate is a sentence of a passage that may be quoted.
type candidate struct {
	pv *passageView
	// rank is the passage's retrieval rank, 0 for the best.
	rank  int
	span  text.Span
	toks  map[string]bool
	first map[string]bool // the tokens of the passage's first sentence
}

// continueFrom prepares the search for a continuation, if any: the previous
// answer is not to be repeated, and when its quotes are found in some of
// the passages only those are searched. It returns the passages to search.
func (qs *quoteSearch) continueFrom(cont *continuation, views []*passageView) []*passageView {
	if cont == nil {
		return views
	}
	qs.avoid = normString(cont.answer)
	if qs.after = cont.positions(views); len(qs.after) == 0 {
		return views
	}
	var kept []*passageView
	for _, pv := range views {
		if _, ok := qs.after[pv]; ok {
			kept = append(kept, pv)
		}
	}
	return kept
}

// candidates returns the sentences of the passages, in order, and sf, the
// number of them holding each question term.
func candidates(qt queryTerms, views []*passageView) (sents []candidate, sf map[string]int) {
	sf = make(map[string]int)
	for rank, pv := range views {
		var first map[string]bool
		for _, s := range pv.sents {
			toks := tokenSet(pv.p.Text[s.Start:s.End])
			sents = append(sents, candidate{pv: pv, rank: rank, span: s, toks: toks, first: first})
			if first == nil {
				first = toks
			}
			for _, t := range qt.terms {
				if toks[t.tok] {
					sf[t.tok]++
				}
			}
		}
	}
	return sents, sf
}

// localWeights returns the question terms held by some of the n candidate
// sentences, each weighted by its corpus weight times its rarity among
// them (sf counts the sentences holding each term).
func (e *run) localWeights(qt queryTerms, n int, sf map[string]int) queryTerms {
	local := queryTerms{unit: qt.unit}
	for _, t := range qt.terms {
		if sf[t.tok] == 0 {
			continue
		}
		w := t.w * math.Pow(math.Log(1+float64(n)/float64(sf[t.tok])), e.p.localExp)
		local.terms = append(local.terms, qterm{tok: t.tok, w: w})
		local.total += w
	}
	return local
}

// scoreCandidates turns every candidate sentence that holds a question term
// (in a continuation, every sentence of a continued passage) into a scored
// pick of its best window. Picks of what the previous answer already
// quoted come back apart, in repeats. unitFound reports whether one of the
// sentences counts in the unit a "how many" question asks for.
func (e *run) scoreCandidates(qs *quoteSearch, sents []candidate) (cands, repeats []pick, unitFound bool) {
	for _, s := range sents {
		if _, continuing := qs.after[s.pv]; !continuing && coverage(qs.qt, s.toks) == 0 {
			continue
		}
		sent := s.pv.p.Text[s.span.Start:s.span.End]
		if qs.qt.unit != "" && hasQuantity(sent, qs.qt.unit) {
			unitFound = true
		}
		pk := e.sentencePick(qs, s, sent)
		if qs.repeats(pk) {
			repeats = append(repeats, pk)
			continue
		}
		cands = append(cands, pk)
	}
	return cands, repeats, unitFound
}

// sentencePick scores candidate s, whose text is sent, and picks the
// window of it to quote.
func (e *run) sentencePick(qs *quoteSearch, s candidate, sent string) pick {
	ws, we := e.window(qs.local, qs.qchars, sent)
	pk := pick{
		pv: s.pv, start: s.span.Start + ws, end: s.span.Start + we,
		whole: ws == 0 && we == len(sent),
		score: e.sentenceScore(qs, s, sent),
		cov:   e.inheritedCoverage(qs.qt, s.toks, s.first),
		words: e.inheritedCoverage(qs.words, s.toks, s.first),
	}
	if _, continuing := qs.after[s.pv]; continuing {
		pk.cov, pk.words = 1, 1
	}
	return pk
}

// sentenceScore ranks candidate s, whose text is sent: the local question
// weight it holds (read with its passage's first sentence) lowered by its
// passage's rank, plus bonuses for reading on right after the previous
// quote and for holding the kind of answer the question asks for.
func (e *run) sentenceScore(qs *quoteSearch, s candidate, sent string) float64 {
	end, continuing := qs.after[s.pv]
	rank := s.rank
	if s.pv.p.Paragraph == 0 && qs.qt.wants == "" || continuing {
		// A heading (the document's title) competes as if ranked
		// first: retrieval ranks such short passages low, yet the
		// title names what the document is about. Not for a question
		// asking when, how many, where or who: a title says none of
		// those, and leading with it answered "where was it held?"
		// with the headline (the same figures on every eval set).
		rank = 0
	}
	score := 0.0
	if qs.local.total > 0 {
		score = e.inheritedCoverage(qs.local, s.toks, s.first) * (1 - e.p.rankDecay*float64(rank))
	}
	if continuing && s.span.Start >= end {
		// Read on: the next sentence after the previous quote first.
		score += e.p.continueBonus / float64(sentencesBetween(s.pv, end, s.span.Start)+1)
	}
	if qs.qt.unit != "" && hasQuantity(sent, qs.qt.unit) {
		score += e.p.typeBonus
	}
	if rewardsType(qs.qt.wants) && answersType(sent, qs.qt.wants) {
		score += e.p.typeBonus
	}
	if e.p.lenNorm != 0 {
		// Of two sentences holding as much of the question, the
		// shorter says it more directly.
		score *= math.Pow(lenNormWidth/max(textWidth(sent), lenNormWidth/4), e.p.lenNorm)
	}
	return score
}

// lenNormWidth is the sentence width at which lenNorm neither raises nor
// lowers a score.
const lenNormWidth = 50

// repeats reports whether pk quotes what the previous answer already
// quoted.
func (qs *quoteSearch) repeats(pk pick) bool {
	if qs.avoid == "" {
		return false
	}
	q := normString(pk.pv.p.Text[pk.start:pk.end])
	return q != "" && strings.Contains(qs.avoid, q)
}

// comparePicks orders picks best first. Scores within tieBucket of each
// other tie, and a tie within one document goes to the earlier mention (a
// name is given in full where it first appears).
func (e *run) comparePicks(a, b pick) int {
	if e.p.tieBucket > 0 {
		qa, qb := math.Round(a.score/e.p.tieBucket), math.Round(b.score/e.p.tieBucket)
		if qa != qb {
			return cmp.Compare(qb, qa)
		}
		if a.pv.p.Doc == b.pv.p.Doc {
			return cmp.Compare(a.pv.p.Start+a.start, b.pv.p.Start+b.start)
		}
	}
	return cmp.Compare(b.score, a.score)
}

// morePicks adds to best the following candidates (sorted best first) that
// score at least secondRatio of it and, composed (see compose.go), overlap
// no earlier pick, up to MaxQuotes in all.
func (e *run) morePicks(best pick, rest []pick, qchars map[rune]bool) []pick {
	picks := []pick{best}
	for _, c := range rest {
		if len(picks) >= e.opts.MaxQuotes || c.score < e.p.secondRatio*best.score {
			break
		}
		if c = e.compose(c, qchars); !overlapsAny(picks, c) {
			picks = append(picks, c)
		}
	}
	return picks
}

// bestCoverage is the coverage pickQuotes reports for its best pick: of
// the question's words when it has some, else of all its terms.
func (qs *quoteSearch) bestCoverage(best pick) float64 {
	switch {
	case qs.words.total > qs.words.orphanTotal:
		return best.words
	case len(qs.qt.absent) > 0:
		// Every word of the question is foreign to the documents: what
		// single characters match (orphans included) is chance.
		return 0
	}
	return best.cov
}

// sentencesBetween counts the sentences of pv that start in [from, to).
func sentencesBetween(pv *passageView, from, to int) int {
	n := 0
	for _, s := range pv.sents {
		if s.Start >= from && s.Start < to {
			n++
		}
	}
	return n
}

func overlapsAny(picks []pick, c pick) bool {
	for _, p := range picks {
		if p.pv.p.Doc == c.pv.p.Doc && p.pv.p.Start+p.start < c.pv.p.Start+c.end && c.pv.p.Start+c.start < p.pv.p.Start+p.end {
			return true
		}
	}
	return false
}

// inheritedCoverage is the share of the question's term weight found in a
// sentence, where a term missing from the sentence but present in its
// passage's first sentence counts at the reduced weight inheritFirst:
// later sentences of an article speak of its subject as 它, 其, 本鱼, and
// the subject named in the question should not pull every quote to the
// opening sentence.
func (e *run) inheritedCoverage(qt queryTerms, toks, first map[string]bool) float64 {
	if qt.total == 0 {
		return 0
	}
	m := 0.0
	for _, t := range qt.terms {
		switch {
		case toks[t.tok]:
			m += t.w
		case first != nil && first[t.tok]:
			m += e.p.inheritFirst * t.w
		}
	}
	return m / qt.total
}

// coverage is the share of the question's term weight found in toks.
func coverage(qt queryTerms, toks map[string]bool) float64 {
	if qt.total == 0 {
		return 0
	}
	m := 0.0
	for _, t := range qt.terms {
		if toks[t.tok] {
			m += t.w
		}
	}
	return m / qt.total
}

// questionChars is the set of characters of the question's terms.
func questionChars(qt queryTerms) map[rune]bool {
	set := make(map[rune]bool)
	for _, t := range qt.terms {
		for _, r := range t.tok {
			set[r] = true
		}
	}
	return set
}

// novelRunes counts the letters, digits and Han characters of w that are
// not among the question's characters (which are folded, see text.Fold).
func novelRunes(w string, qchars map[rune]bool) int {
	n := 0
	for _, r := range w {
		if (unicode.IsLetter(r) || unicode.IsDigit(r)) && !qchars[unicode.ToLower(text.FoldRune(r))] {
			n++
		}
	}
	return n
}
