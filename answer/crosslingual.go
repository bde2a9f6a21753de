package answer

import (
	"math"
	"strings"

	"github.com/citebot/citebot/retrieval/text"
	"github.com/citebot/citebot/retrieval/text/lexicon"
)

// Cross-lingual questions without a model.
//
// A question in English about Chinese documents (or in Chinese about
// English ones) shares no word with them. Retrieval translates it itself
// (see package retrieval); for choosing the quote, [run.questionTerms]
// asks translatedTerms for the question's terms in the documents'
// language: each content word of the question becomes its renderings
// that the documents hold (the CC-CEDICT lexicon of
// retrieval/text/lexicon), as the tokens those renderings are made of
// (a headword's bigrams, its character when it has one; an English
// phrase's words), weighted by the token's idf times the rendering's share
// of its word, so the renderings of one word together weigh what one
// term would. A word the lexicon renders but the documents never use
// counts against coverage with the weight of the rarest term: a question
// about a mayor is not answered by a document that names no mayor.
//
// The answer quotes the document's own words, with a gloss line of the
// renderings its quotes hold ("禁渔 ban on fishing · 长江 Yangtze River")
// in [Answer.Gloss]. With a model, the model's translation is searched
// first (see llm.go); these terms then only add context.

// maxGlossTerms caps the terms of a gloss line.
const maxGlossTerms = 4

// crossLingual reports whether q is in another language than the
// documents.
func (e *run) crossLingual(q string) bool {
	return !e.native && e.st.n > 0 && text.Lang(q) != e.st.lang
}

// lexTranslate translates q into the documents' language, keeping the
// renderings the documents hold. ok is false when q is in their language
// or nothing of it translates.
func (e *run) lexTranslate(q string) (lexicon.Query, bool) {
	if !e.crossLingual(q) {
		return lexicon.Query{}, false
	}
	tr, err := lexicon.Translate(q, e.st.lang, e.st.holds)
	if err != nil {
		e.log.Warn("lexicon unavailable", "err", err)
		return lexicon.Query{}, false
	}
	return tr, len(tr.Groups) > 0
}

// holds reports whether the documents hold every token of a rendering:
// all bigrams of a Han headword (its character when it has one), all
// words of an English one.
func (st *corpusStats) holds(s string) bool {
	toks := renderingTokens(s)
	for _, t := range toks {
		if st.df[t] == 0 {
			return false
		}
	}
	return len(toks) > 0
}

// renderingTokens returns the tokens a rendering is matched by, folded
// as the documents' tokens are (text.Fold).
func renderingTokens(s string) []string {
	s = text.Fold(s)
	rs := []rune(s)
	if len(rs) == 0 || !text.IsHan(rs[0]) {
		return text.Tokens(s)
	}
	if len(rs) == 1 {
		return []string{s}
	}
	out := make([]string, 0, len(rs)-1)
	for i := 0; i+1 < len(rs); i++ {
		out = append(out, string(rs[i:i+2]))
	}
	return out
}

// translatedTerms returns the terms of a question in another language than
// the documents, in theirs (see the comment at the top of this file); ok
// is false for a question in their language or one nothing of which
// translates. weight scales every term.
func (e *run) translatedTerms(q string, weight float64) (queryTerms, bool) {
	tr, ok := e.lexTranslate(q)
	if !ok {
		return queryTerms{}, false
	}
	qt := queryTerms{wants: answerType(q)}
	idx := make(map[string]int)
	add := func(tok string, w float64) {
		if i, ok := idx[tok]; ok {
			qt.terms[i].w += w
		} else {
			idx[tok] = len(qt.terms)
			qt.terms = append(qt.terms, qterm{tok: tok, w: w})
		}
		qt.total += w
	}
	for _, g := range tr.Groups {
		sum := 0.0
		for _, a := range g.Alts {
			sum += a.Weight
		}
		for _, a := range g.Alts {
			for _, tok := range renderingTokens(a.Text) {
				if idf := e.st.idf(tok); idf > 0 {
					add(tok, weight*g.Weight*a.Weight/sum*idf)
				}
			}
		}
	}
	found := qt.total
	var missing queryTerms
	rare := weight * e.st.maxIDF()
	for _, w := range tr.Unknown {
		if lexicon.Renders(w, e.st.lang) && !lexicon.IsNameSyllable(w) {
			missing.terms = append(missing.terms, qterm{tok: strings.ToLower(w), w: rare})
			missing.total += rare
		}
	}
	if e.st.holdsLang(text.Lang(q)) {
		// A library with documents in the question's language too: a word
		// these hold in some form (sleep, for "sleeps") may be asked about
		// there, so it is not counted as missing; one they hold in no form
		// ("football" beside a harbour's rules) still is.
		kept := queryTerms{}
		for _, t := range missing.terms {
			if !e.st.holdsWordForm(t.tok) {
				kept.terms = append(kept.terms, t)
				kept.total += t.w
			}
		}
		missing = kept
	}
	if missing.total > found {
		// Most of what the question asks about is not in the documents:
		// only terms that match nothing, so the answer abstains.
		return missing, true
	}
	for _, t := range missing.terms {
		add(t.tok, t.w)
	}
	return qt, len(qt.terms) > 0
}

// holdsWordForm reports whether some paragraph holds the English word w
// in some form: the paragraphs' frequencies count every word's lemma too
// (termTokens), so w's own lemma finds sleep for "sleeps" and go for
// "went".
func (st *corpusStats) holdsWordForm(w string) bool {
	return st.df[w] > 0 || st.df[termOf(w)] > 0
}

// maxIDF is the idf of a term found in no paragraph, the rarest there is.
func (st *corpusStats) maxIDF() float64 {
	n := float64(st.n)
	return math.Log(1 + (n+0.5)/0.5)
}

// glossLine returns the gloss line of an answer to a question in another
// language: each question word's first rendering that a quote holds, with
// its meaning ("禁渔 ban on fishing · 长江 Yangtze River"); "" when the
// question is in the documents' language or no quote holds a rendering.
func (e *run) glossLine(question string, cites []Citation) string {
	if len(cites) == 0 {
		return ""
	}
	tr, ok := e.lexTranslate(question)
	if !ok {
		return ""
	}
	quotes := make([]string, len(cites))
	for i, c := range cites {
		quotes[i] = c.Quote
	}
	var parts []string
	for _, g := range tr.Groups {
		for _, a := range g.Alts {
			if quoteHolds(quotes, a.Text) {
				a.Headword = quoteForm(quotes, a.Headword)
				if t := glossTerm(a); t != "" {
					parts = append(parts, t)
				}
				break
			}
		}
		if len(parts) == maxGlossTerms {
			break
		}
	}
	return strings.Join(parts, " · ")
}

// glossTerm renders a rendering as its Chinese headword and English sense
// ("禁渔 ban on fishing"), in both directions; "" for a word that stands
// for itself (GDP).
func glossTerm(a lexicon.Alternative) string {
	switch {
	case a.Headword == "":
		return ""
	case a.Sense == "":
		return a.Headword
	}
	return a.Headword + " " + a.Sense
}

// quoteForm returns headword hw as the first quote holding it writes it
// (鐵路 for 铁路 in a Traditional quote), else hw.
func quoteForm(quotes []string, hw string) string {
	want := text.Fold(hw)
	for _, q := range quotes {
		if i := strings.Index(text.Fold(q), want); i >= 0 && want != "" {
			return q[i : i+len(want)]
		}
	}
	return hw
}

// quoteHolds reports whether a quote holds every token of rendering s.
func quoteHolds(quotes []string, s string) bool {
	toks := renderingTokens(s)
	for _, q := range quotes {
		set := tokenSet(q)
		all := len(toks) > 0
		for _, t := range toks {
			all = all && set[t]
		}
		if all {
			return true
		}
	}
	return false
}

// untranslated returns the words of absent (the salient words of question
// the documents never use, see salientAbsent) that the translation of a
// question in another language does not render in the documents' words:
// "Jiangxi" is absent from a Chinese document that says 江西. For a
// question in the documents' language it returns absent.
func (e *run) untranslated(question string, absent []string) []string {
	if len(absent) == 0 {
		return absent
	}
	tr, ok := e.lexTranslate(question)
	if !ok {
		return absent
	}
	rendered := make(map[string]bool)
	for _, g := range tr.Groups {
		for _, w := range strings.Fields(g.Source) {
			rendered[strings.ToLower(w)] = true
		}
	}
	var out []string
	for _, w := range absent {
		if !rendered[strings.ToLower(w)] {
			out = append(out, w)
		}
	}
	return out
}
