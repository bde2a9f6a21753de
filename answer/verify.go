package answer

import (
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/citebot/citebot/prompts"
	"github.com/citebot/citebot/retrieval/text"
)

// verifier checks a model's answer against the numbered passages it was
// given and renders the text users see: every quote replaced by the
// document's exact words located by offsets (or removed), every marker
// pointing at a verified citation (or removed), renumbered in order of
// appearance. It is not safe for concurrent use.
type verifier struct {
	e     *run
	views []*passageView // passage n is views[n-1]
	terms queryTerms     // the question's terms, for fallback quotes
	// question is the question the model answered: a claim may repeat it.
	question string
	// share overrides maxUnsupportedShare when not zero (for measuring).
	share float64
}

// located is a quote found in a passage.
type located struct {
	pv         *passageView
	start, end int
}

// verified is a rendered model answer.
type verified struct {
	text      string
	citations []Citation
	// unsupported lists the removed claims.
	unsupported []Unsupported
	// quotes counts the model's quotes that were located (short ones,
	// which are prose, aside); dropped those that were not. Both count
	// the whole reply, removed claims included: [rendering.rollback]
	// keeps them, as it keeps notFound.
	quotes, dropped int
	// notFound is set when the model replied with the NOT_FOUND sentinel.
	notFound bool
}

// locateQuote finds a model quote in passage views[n-1] (when n is a valid
// passage number) or else in any passage, clamped to one sentence.
func (v *verifier) locateQuote(quote string, n int) (located, bool) {
	if n >= 1 && n <= len(v.views) {
		if l, ok := v.locateIn(v.views[n-1], quote); ok {
			return l, true
		}
	}
	for i, pv := range v.views {
		if i == n-1 {
			continue
		}
		if l, ok := v.locateIn(pv, quote); ok {
			return l, true
		}
	}
	return located{}, false
}

// everyFragment reports whether every fragment of a quote with ellipses
// ("甲……乙") is in a given passage: the quote shows only the longest, but
// an invented fragment taints the claim.
func (v *verifier) everyFragment(quote string) bool {
	frags := quoteFragments(quote)
	if len(frags) < 2 {
		return true
	}
	for _, f := range frags {
		found := false
		for _, pv := range v.views {
			if strings.Contains(pv.view().s, f) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// locateIn finds quote in pv and clamps the match to one sentence: of the
// parts of the match in different sentences, the one with the most letters
// (the first on a tie) is kept.
func (v *verifier) locateIn(pv *passageView, quote string) (located, bool) {
	s, e, ok := locate(pv.p.Text, pv.view(), quote)
	if !ok {
		return located{}, false
	}
	s, e, ok = clampToSentence(pv, s, e)
	if !ok {
		return located{}, false
	}
	return located{pv: pv, start: s, end: e}, true
}

// clampToSentence cuts [s, e) to the single sentence part of it with the
// most letters and digits.
func clampToSentence(pv *passageView, s, e int) (int, int, bool) {
	bestS, bestE, bestN := 0, 0, 0
	for _, sent := range pv.sents {
		if sent.End <= s || sent.Start >= e {
			continue
		}
		ps, pe := max(s, sent.Start), min(e, sent.End)
		if n := wordRunes(pv.p.Text[ps:pe]); n > bestN {
			bestS, bestE, bestN = ps, pe, n
		}
	}
	if bestN < minQuoteRunes {
		return 0, 0, false
	}
	return bestS, bestE, true
}

func wordRunes(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

// fallbackQuote picks the sentence of passage n that best supports claim
// (the prose before a bare marker): the one holding most of the claim's
// words and Han bigrams, the earliest on a tie. When no sentence shares a
// word with the claim (a claim in another language), the sentence the
// question's terms pick, else the passage's first sentence, so the marker
// still points at words of the passage it names; the support check then
// decides whether the claim may stand.
func (v *verifier) fallbackQuote(n int, claim string) (located, bool) {
	pv := v.views[n-1]
	var toks []string
	for _, t := range text.Tokens(strings.ToLower(stripFraming(claim))) {
		if len(t) > 3 || !text.IsHan([]rune(t)[0]) {
			toks = append(toks, t) // bigrams and words: single characters prove little
		}
	}
	best, bestN := -1, 0
	for i, s := range pv.sents {
		sent := tokenSet(strings.ToLower(pv.p.Text[s.Start:s.End]))
		k := 0
		for _, t := range toks {
			if sent[t] {
				k++
			}
		}
		if k > bestN {
			best, bestN = i, k
		}
	}
	if best >= 0 {
		s := pv.sents[best]
		return located{pv: pv, start: s.Start, end: s.End}, true
	}
	if picks, _ := v.e.pickQuotes(v.terms, []*passageView{pv}, nil); len(picks) > 0 {
		return located{pv: picks[0].pv, start: picks[0].start, end: picks[0].end}, true
	}
	if len(pv.sents) == 0 {
		return located{}, false
	}
	s := pv.sents[0]
	return located{pv: pv, start: s.Start, end: s.End}, true
}

// render verifies a whole model reply at once (see [claimStream]); with
// final false it is the text shown while the reply is still streaming.
func (v *verifier) render(raw string, final bool) verified {
	cs := v.stream(nil)
	cs.write(raw)
	if final {
		return cs.finish()
	}
	out := cs.rd.out
	out.text = cs.out.String()
	return out
}

// citeKey identifies a citation by its document span.
type citeKey struct {
	doc        string
	start, end int
}

// rendering holds the citations of one model answer, numbered in order of
// appearance, and renders claim units (see [rendering.unit]).
type rendering struct {
	v         *verifier
	out       verified
	byKey     map[citeKey]int // citation index by document span
	byPassage map[int]int     // first citation index by passage number
}

func (v *verifier) newRendering() *rendering {
	return &rendering{v: v, byKey: make(map[citeKey]int), byPassage: make(map[int]int)}
}

// mark returns the state [rendering.rollback] returns to.
func (rd *rendering) mark() verified { return rd.out }

// rollback forgets the citations added since mark m; the quote counters
// and notFound, which describe the whole reply, stay.
func (rd *rendering) rollback(m verified) {
	n := len(m.citations)
	for k, i := range rd.byPassage {
		if i >= n {
			delete(rd.byPassage, k)
		}
	}
	for k, i := range rd.byKey {
		if i >= n {
			delete(rd.byKey, k)
		}
	}
	cur := rd.out
	rd.out = m
	rd.out.citations = m.citations[:n:n]
	rd.out.quotes, rd.out.dropped, rd.out.notFound = cur.quotes, cur.dropped, cur.notFound
}

// unitResult is a rendered claim unit.
type unitResult struct {
	// text is what users see: cleaned prose, verified quotes as
	// 「document words」[n].
	text string
	// claim is the cleaned unit as the model wrote it, for the list of
	// unsupported claims; prose is its prose outside qualifying quotes.
	claim, prose string
	// evidence holds the qualifying quotes backing the claim.
	evidence []string
	// failed counts quotations that could not be located; open is set
	// when one was never closed (a reply cut off inside it).
	failed int
	open   bool
	// quoted counts the claim's own qualifying quotes.
	quoted int
	ok     bool
}

// shown reports whether the unit may be shown.
func (u unitResult) shown() bool { return u.ok }

// unit renders and verifies one claim unit u (see claims.go).
func (rd *rendering) unit(u string) unitResult {
	var res unitResult
	var b, prose, claim strings.Builder
	segs := withIntroducedQuotes(parseModelText(u))
	for i := 0; i < len(segs); i++ {
		switch sg := segs[i]; sg.kind {
		case segText:
			t := rd.prose(sg.text)
			b.WriteString(t)
			prose.WriteString(t)
			claim.WriteString(t)
		case segMarker:
			rd.bareMarkers(&b, &res, sg.ns, prose.String())
		case segQuote:
			claim.WriteString("「" + cleanProse(sg.text) + "」")
			i = rd.quote(&b, &prose, &res, segs, i)
		}
	}
	res.text = tidy(b.String(), false)
	res.claim = tidy(claim.String(), true)
	res.prose = prose.String()
	// A claim of framing words alone ("会议要求[1]。") says nothing its
	// marker could back: it needs a quote of its own.
	says := res.quoted > 0 || !framingOnly(res.prose)
	res.ok = res.failed == 0 && len(res.evidence) > 0 && says && rd.v.supported(res.prose, res.evidence)
	return res
}

// prose cleans model prose of markup, stray quotation marks and the
// NOT_FOUND sentinel (noting it).
func (rd *rendering) prose(t string) string {
	t = cleanProse(t)
	if hasNotFound(t) {
		rd.out.notFound = true
		t = strings.ReplaceAll(t, prompts.NotFound, "")
	}
	return stripQuoteMarks(t)
}

// quote handles the quotation segs[i] with the markers right after it and
// returns the index of the last segment it consumed. A located quote of
// at least [minCitedWeight] is written as the document's words with its
// marker; a shorter one as plain document words, part of the prose; one
// that cannot be located counts as failed. Either way the markers go with
// the quote: a quote that is no citation leaves no bare marker behind.
func (rd *rendering) quote(b, prose *strings.Builder, res *unitResult, segs []modelSeg, i int) int {
	sg := segs[i]
	res.open = res.open || sg.open
	ns, next, _ := markersAfter(segs, i)
	if !hasWordRune(sg.text) && !sg.open {
		return next - 1 // an empty quote says nothing
	}
	first := 0
	if len(ns) > 0 {
		first = ns[0]
	}
	l, ok := located{}, false
	if !sg.open && rd.v.everyFragment(sg.text) {
		l, ok = rd.v.locateQuote(sg.text, first)
	}
	switch {
	case !ok:
		res.failed++
		rd.out.dropped++
	case citedWeight(l.text()) < minCitedWeight:
		t := stripQuoteMarks(l.text())
		b.WriteString(t)
		prose.WriteString(t)
	default:
		rd.out.quotes++
		l = extendBack(l, b, prose)
		ci := rd.cite(l)
		q := rd.out.citations[ci].Quote
		b.WriteString("「" + q + "」")
		rd.marker(b, ci)
		res.evidence = append(res.evidence, q)
		res.quoted++
	}
	return next - 1
}

// extendBack extends a located quote backwards over the document words
// that the prose right before it repeats ("会议要求坚定推进「长江“十年禁渔”」"
// quoting from 长江, where the document says 坚定推进长江), taking them
// out of the prose b and prose: they are the document's words, so they
// are shown as part of the quote, and the claim's prose keeps only its
// own words. At least two runes must match, and only whole runes move.
func extendBack(l located, b, prose *strings.Builder) located {
	pre, tail := l.pv.p.Text[:l.start], prose.String()
	n, runes := 0, 0
	for n < len(pre) && n < len(tail) {
		r, size := utf8.DecodeLastRuneInString(pre[:len(pre)-n])
		if !strings.HasSuffix(tail[:len(tail)-n], pre[len(pre)-n-size:len(pre)-n]) || unicode.IsSpace(r) {
			break
		}
		n += size
		runes++
	}
	if runes < 2 || !strings.HasSuffix(b.String(), tail[len(tail)-n:]) {
		return l
	}
	trim(b, n)
	trim(prose, n)
	l.start -= n
	return l
}

// trim drops the last n bytes of b.
func trim(b *strings.Builder, n int) {
	s := b.String()
	b.Reset()
	b.WriteString(s[:len(s)-n])
}

// text returns the located words.
func (l located) text() string { return l.pv.p.Text[l.start:l.end] }

// markersAfter collects the numbers of the markers right after the quote
// segs[i] (spaces between allowed). next is the index after the last
// marker, stop that of the first segment that is neither a marker nor
// blank.
func markersAfter(segs []modelSeg, i int) (ns []int, next, stop int) {
	next, stop = i+1, i+1
	for ; stop < len(segs); stop++ {
		if segs[stop].kind == segMarker {
			ns = append(ns, segs[stop].ns...)
			next = stop + 1
			continue
		}
		if segs[stop].kind == segText && strings.TrimSpace(segs[stop].text) == "" {
			continue
		}
		break
	}
	return ns, next, stop
}

// cite returns the index of the citation of l, adding it when new.
func (rd *rendering) cite(l located) int {
	k := citeKey{l.pv.p.Doc, l.pv.p.Start + l.start, l.pv.p.Start + l.end}
	if i, ok := rd.byKey[k]; ok {
		return i
	}
	i := len(rd.out.citations)
	rd.out.citations = append(rd.out.citations, pick{pv: l.pv, start: l.start, end: l.end}.citation(i+1))
	rd.byKey[k] = i
	for n, pv := range rd.v.views {
		if pv == l.pv {
			if _, ok := rd.byPassage[n+1]; !ok {
				rd.byPassage[n+1] = i
			}
		}
	}
	return i
}

// marker writes the marker of citation i.
func (rd *rendering) marker(b *strings.Builder, i int) {
	b.WriteString("[" + itoa(rd.out.citations[i].N) + "]")
}

// bareMarkers handles markers with no quote of their own, for claim (the
// prose before them): each points at a citation of its passage that
// supports the claim, else at the passage's best sentence for the claim,
// which then backs it. Numbers naming no given passage are dropped.
func (rd *rendering) bareMarkers(b *strings.Builder, res *unitResult, ns []int, claim string) {
	for _, n := range ns {
		if n < 1 || n > len(rd.v.views) {
			continue
		}
		i, ok := rd.byPassage[n]
		if !ok || !rd.v.supported(claim, []string{rd.out.citations[i].Quote}) {
			l, found := rd.v.fallbackQuote(n, claim)
			switch {
			case found && citedWeight(l.text()) >= minCitedWeight:
				i, ok = rd.cite(l), true
			case !ok:
				continue
			}
		}
		rd.marker(b, i)
		res.evidence = append(res.evidence, rd.out.citations[i].Quote)
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

var (
	htmlScript = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?is)<(script|style)\b[^<>]*>.*?</(script|style)\s*>`)
	})
	htmlTag      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>`) })
	mdHeading    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^[ \t]*#{1,6}[ \t]+`) })
	mdQuote      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^[ \t]*>[ \t]?`) })
	mdEmphasis   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("\\*\\*|__|`+|~~") })
	spaceRuns    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[ \t]{2,}`) })
	blankRuns    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\n{3,}`) })
	spaceBefore  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[ \t]+([，。；：！？、）」』”,.;:!?)])`) })
	emptyBracket = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`「\s*」`) })
)

// cleanProse removes HTML tags and Markdown markup from model prose: the
// transports render plain text.
func cleanProse(s string) string {
	s = htmlScript().ReplaceAllString(s, "")
	s = htmlTag().ReplaceAllString(s, "")
	s = mdHeading().ReplaceAllString(s, "")
	s = mdQuote().ReplaceAllString(s, "")
	return mdEmphasis().ReplaceAllString(s, "")
}

// tidy collapses the spaces and blank lines that removed pieces leave.
func tidy(s string, final bool) string {
	s = emptyBracket().ReplaceAllString(s, "")
	s = spaceRuns().ReplaceAllString(s, " ")
	s = spaceBefore().ReplaceAllStringFunc(s, func(m string) string {
		r, _ := utf8.DecodeLastRuneInString(m)
		if r < utf8.RuneSelf {
			return m // English punctuation after a space may be intended
		}
		return strings.TrimLeft(m, " \t")
	})
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	s = blankRuns().ReplaceAllString(strings.Join(lines, "\n"), "\n\n")
	if final {
		s = strings.TrimSpace(s)
	} else {
		s = strings.TrimLeft(s, " \t\n")
	}
	return s
}
