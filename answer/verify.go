package answer

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/citebot/citebot/prompts"
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
	// quotes counts the model's quotes that were located; dropped those
	// that were not.
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

// fallbackQuote picks the sentence part of passage n that best supports
// claim (the prose before the marker) and the question.
func (v *verifier) fallbackQuote(n int, claim string) (located, bool) {
	pv := v.views[n-1]
	qt := v.e.questionTerms(claim, 1, false).withContext(v.terms)
	if qt.total == 0 {
		qt = v.terms
	}
	picks, _ := v.e.pickQuotes(qt, []*passageView{pv}, nil)
	if len(picks) == 0 {
		// Nothing matches: the passage's first sentence, so the marker
		// still points at words of the passage it names.
		if len(pv.sents) == 0 {
			return located{}, false
		}
		s := pv.sents[0]
		ws, we := v.e.window(v.terms, questionChars(v.terms), pv.p.Text[s.Start:s.End])
		return located{pv: pv, start: s.Start + ws, end: s.Start + we}, true
	}
	return located{pv: picks[0].pv, start: picks[0].start, end: picks[0].end}, true
}

// partials returns the onDelta function for a model answer: it collects
// the raw text and passes onPartial (when not nil) every new, non-empty
// rendering of it.
func (v *verifier) partials(onPartial func(string)) func(string) {
	var raw strings.Builder
	last := ""
	return func(d string) {
		raw.WriteString(d)
		if onPartial == nil {
			return
		}
		if t := v.render(raw.String(), false).text; t != last && t != "" {
			last = t
			onPartial(t)
		}
	}
}

// render verifies raw model output and builds the text shown to users. With
// final false, raw is a stream in progress: a quote is held back until it
// is closed, verified and marked, and a half-written marker, tag, markup or
// sentinel at the end is held back too, so that successive partial texts
// mostly extend one another (a verified quote never changes once shown).
func (v *verifier) render(raw string, final bool) verified {
	rd := &rendering{
		v: v, final: final,
		byKey:     make(map[citeKey]int),
		byPassage: make(map[int]int),
		fallbacks: make(map[int]int),
	}
	segs := parseModelText(raw)
	for i := 0; i < len(segs); i++ {
		switch sg := segs[i]; sg.kind {
		case segText:
			rd.prose(sg.text, !final && i == len(segs)-1)
		case segMarker:
			rd.bareMarkers(sg.ns, rd.claim())
			rd.claimStart = rd.b.Len()
		case segQuote:
			i = rd.quote(segs, i)
		}
	}
	rd.out.text = tidy(rd.b.String(), final)
	return rd.out
}

// citeKey identifies a citation by its document span.
type citeKey struct {
	doc        string
	start, end int
}

// rendering is the state of one [verifier.render] call.
type rendering struct {
	v     *verifier
	final bool
	out   verified
	b     strings.Builder
	// claimStart is the offset in b where the current claim's prose
	// begins.
	claimStart int
	byKey      map[citeKey]int // citation index by document span
	byPassage  map[int]int     // first citation index by passage number
	fallbacks  map[int]int     // fallback citation index by passage number
}

// claim returns the prose written since the last quote or marker.
func (rd *rendering) claim() string { return rd.b.String()[rd.claimStart:] }

// prose writes model prose, cleaned of markup and the NOT_FOUND sentinel;
// tail says it ends a stream in progress, whose half-written end is held
// back.
func (rd *rendering) prose(t string, tail bool) {
	t = cleanProse(t)
	if strings.Contains(t, prompts.NotFound) {
		rd.out.notFound = true
		t = strings.ReplaceAll(t, prompts.NotFound, "")
	}
	if tail {
		t = holdBackTail(t)
	}
	rd.b.WriteString(t)
}

// quote handles the quote segs[i] with the markers right after it and
// returns the index of the last segment it consumed. A located quote is
// written as the document's words with its marker; one that cannot be
// located is dropped, its markers kept as bare markers.
func (rd *rendering) quote(segs []modelSeg, i int) int {
	sg := segs[i]
	if sg.open {
		// Still streaming (held back until verified) or cut.
		if rd.final {
			rd.out.dropped++
		}
		return i
	}
	ns, next, stop := markersAfter(segs, i)
	if len(ns) == 0 && !rd.final && markerMayFollow(segs, stop) {
		// The marker may still be on its way: hold the quote back.
		return i
	}
	first := 0
	if len(ns) > 0 {
		first = ns[0]
	}
	claim := rd.claim()
	if l, ok := rd.v.locateQuote(sg.text, first); ok {
		rd.out.quotes++
		ci := rd.cite(l)
		rd.b.WriteString("「" + rd.out.citations[ci].Quote + "」")
		rd.marker(ci)
		ns = ns[min(1, len(ns)):]
	} else {
		rd.out.dropped++
	}
	rd.bareMarkers(ns, claim)
	rd.claimStart = rd.b.Len()
	return next - 1
}

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

// markerMayFollow reports whether, in a stream in progress, a marker may
// still follow a quote: nothing but blanks or a held-back tail comes after
// it (stop is as from [markersAfter]).
func markerMayFollow(segs []modelSeg, stop int) bool {
	return stop == len(segs) ||
		stop == len(segs)-1 && segs[stop].kind == segText && strings.TrimSpace(holdBackTail(segs[stop].text)) == ""
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
func (rd *rendering) marker(i int) { rd.b.WriteString("[" + itoa(rd.out.citations[i].N) + "]") }

// bareMarkers handles markers with no quote of their own, for claim (the
// prose before them): each points at its passage's first citation, or at
// the passage's best sentence for the claim. Numbers naming no given
// passage are dropped.
func (rd *rendering) bareMarkers(ns []int, claim string) {
	for _, n := range ns {
		if n < 1 || n > len(rd.v.views) {
			continue
		}
		if i, ok := rd.byPassage[n]; ok {
			rd.marker(i)
			continue
		}
		if i, ok := rd.fallbacks[n]; ok {
			rd.marker(i)
			continue
		}
		if l, ok := rd.v.fallbackQuote(n, claim); ok {
			i := rd.cite(l)
			rd.fallbacks[n] = i
			rd.marker(i)
		}
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

var (
	htmlTag      = regexp.MustCompile(`</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>`)
	mdHeading    = regexp.MustCompile(`(?m)^[ \t]*#{1,6}[ \t]+`)
	mdQuote      = regexp.MustCompile(`(?m)^[ \t]*>[ \t]?`)
	mdEmphasis   = regexp.MustCompile("\\*\\*|__|`+|~~")
	partialTail  = regexp.MustCompile(`(?:[\[［【][0-9０-９, ，]*|</?[A-Za-z][^<>]*|<|[*_~` + "`" + `]+|(?:^|\n)[ \t]*#{1,6}|(?:^|\n)[ \t]*>)$`)
	spaceRuns    = regexp.MustCompile(`[ \t]{2,}`)
	blankRuns    = regexp.MustCompile(`\n{3,}`)
	spaceBefore  = regexp.MustCompile(`[ \t]+([，。；：！？、）」』”,.;:!?)])`)
	emptyBracket = regexp.MustCompile(`「\s*」`)
)

// cleanProse removes HTML tags and Markdown markup from model prose: the
// transports render plain text.
func cleanProse(s string) string {
	s = htmlTag.ReplaceAllString(s, "")
	s = mdHeading.ReplaceAllString(s, "")
	s = mdQuote.ReplaceAllString(s, "")
	return mdEmphasis.ReplaceAllString(s, "")
}

// holdBackTail removes from the end of streamed prose what may be the
// start of a marker, a tag, markup or the NOT_FOUND sentinel.
func holdBackTail(s string) string {
	s = partialTail.ReplaceAllString(s, "")
	for k := len(prompts.NotFound) - 1; k > 0; k-- {
		if strings.HasSuffix(s, prompts.NotFound[:k]) {
			return s[:len(s)-k]
		}
	}
	return s
}

// tidy collapses the spaces and blank lines that removed pieces leave.
func tidy(s string, final bool) string {
	s = emptyBracket.ReplaceAllString(s, "")
	s = spaceRuns.ReplaceAllString(s, " ")
	s = spaceBefore.ReplaceAllStringFunc(s, func(m string) string {
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
	s = blankRuns.ReplaceAllString(strings.Join(lines, "\n"), "\n\n")
	if final {
		s = strings.TrimSpace(s)
	} else {
		s = strings.TrimLeft(s, " \t\n")
	}
	return s
}
