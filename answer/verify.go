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

// render verifies raw model output and builds the text shown to users. With
// final false, raw is a stream in progress: a quote is held back until it
// is closed, verified and marked, and a half-written marker, tag, markup or
// sentinel at the end is held back too, so that successive partial texts
// mostly extend one another (a verified quote never changes once shown).
func (v *verifier) render(raw string, final bool) verified {
	var out verified
	var b strings.Builder
	type citeKey struct {
		doc        string
		start, end int
	}
	byKey := make(map[citeKey]int) // citation index by document span
	byPassage := make(map[int]int) // first citation index by passage number
	fallbacks := make(map[int]int) // fallback citation index by passage number
	cite := func(l located) int {
		k := citeKey{l.pv.p.Doc, l.pv.p.Start + l.start, l.pv.p.Start + l.end}
		if i, ok := byKey[k]; ok {
			return i
		}
		i := len(out.citations)
		out.citations = append(out.citations, pick{pv: l.pv, start: l.start, end: l.end}.citation(i+1))
		byKey[k] = i
		for n, pv := range v.views {
			if pv == l.pv {
				if _, ok := byPassage[n+1]; !ok {
					byPassage[n+1] = i
				}
			}
		}
		return i
	}
	marker := func(i int) { b.WriteString("[" + itoa(out.citations[i].N) + "]") }
	// bare handles a marker with no quote of its own: it points at the
	// passage's first citation, or at the passage's best sentence for the
	// claim before it.
	bare := func(n int, claim string) {
		if n < 1 || n > len(v.views) {
			return
		}
		if i, ok := byPassage[n]; ok {
			marker(i)
			return
		}
		if i, ok := fallbacks[n]; ok {
			marker(i)
			return
		}
		if l, ok := v.fallbackQuote(n, claim); ok {
			i := cite(l)
			fallbacks[n] = i
			marker(i)
		}
	}

	segs := parseModelText(raw)
	claimStart := 0 // offset in b where the current claim's prose begins
	for i := 0; i < len(segs); i++ {
		sg := segs[i]
		switch sg.kind {
		case segText:
			t := cleanProse(sg.text)
			if strings.Contains(t, prompts.NotFound) {
				out.notFound = true
				t = strings.ReplaceAll(t, prompts.NotFound, "")
			}
			if !final && i == len(segs)-1 {
				t = holdBackTail(t)
			}
			b.WriteString(t)
		case segMarker:
			claim := b.String()[claimStart:]
			for _, n := range sg.ns {
				bare(n, claim)
			}
			claimStart = b.Len()
		case segQuote:
			if sg.open {
				// Still streaming (held back until verified) or cut.
				if final {
					out.dropped++
				}
				continue
			}
			// The markers right after the quote (spaces between allowed).
			var ns []int
			j, k := i+1, i+1
			for ; k < len(segs); k++ {
				if segs[k].kind == segMarker {
					ns = append(ns, segs[k].ns...)
					j = k + 1
					continue
				}
				if segs[k].kind == segText && strings.TrimSpace(segs[k].text) == "" {
					continue
				}
				break
			}
			if len(ns) == 0 && !final && (k == len(segs) ||
				k == len(segs)-1 && segs[k].kind == segText && strings.TrimSpace(holdBackTail(segs[k].text)) == "") {
				// The marker may still be on its way: hold the quote back.
				break
			}
			first := 0
			if len(ns) > 0 {
				first = ns[0]
			}
			claim := b.String()[claimStart:]
			if l, ok := v.locateQuote(sg.text, first); ok {
				out.quotes++
				ci := cite(l)
				b.WriteString("「" + out.citations[ci].Quote + "」")
				marker(ci)
				for _, n := range ns[min(1, len(ns)):] {
					bare(n, claim)
				}
			} else {
				out.dropped++
				for _, n := range ns {
					bare(n, claim)
				}
			}
			claimStart = b.Len()
			i = j - 1
		}
	}
	out.text = tidy(b.String(), final)
	return out
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
