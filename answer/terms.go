package answer

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/citebot/citebot/retrieval/text"
)

// corpusStats holds document frequencies of tokens over all paragraphs the
// retriever knows, for weighting question terms by how rare they are, and
// the documents' main language.
type corpusStats struct {
	n    int
	df   map[string]int
	lang string
}

// buildStats reads every paragraph of every document once. It is not
// cancellable: the statistics are built once for the engine's lifetime and
// a cancelled first request must not leave them half done.
func buildStats(r Retriever) *corpusStats {
	st := &corpusStats{df: make(map[string]int), lang: "zh"}
	han, letters := 0, 0
	seen := make(map[string]bool)
	for _, d := range r.Documents() {
		for n := 0; n <= d.Paragraphs; n++ {
			p, ok := r.Paragraph(d.Name, n)
			if !ok {
				continue
			}
			st.n++
			clear(seen)
			for _, t := range text.Tokens(p.Text) {
				if !seen[t] {
					seen[t] = true
					st.df[t]++
				}
			}
			for _, r := range p.Text {
				switch {
				case text.IsHan(r):
					han++
				case unicode.IsLetter(r):
					letters++
				}
			}
		}
	}
	// Latin letters count about a fifth of a Han character each (a word
	// of five letters against one character).
	if han*5 < letters {
		st.lang = "en"
	}
	return st
}

// idf is the BM25 inverse document frequency of t; 0 when t occurs in no
// paragraph (such a term can neither match nor count against a match).
func (st *corpusStats) idf(t string) float64 {
	df := st.df[t]
	if df == 0 || st.n == 0 {
		return 0
	}
	return math.Log(1 + (float64(st.n)-float64(df)+0.5)/(float64(df)+0.5))
}

// qterm is one weighted question term.
type qterm struct {
	tok string
	w   float64
}

// queryTerms are the weighted content terms of a question.
type queryTerms struct {
	terms []qterm
	// total is the sum of weights of terms that occur in the documents.
	total float64
	// absent lists content words (Han bigrams or Latin words) of the
	// question that occur nowhere in the documents.
	absent []string
	// unit is the measure word a quantity question asks for (天 in 几天),
	// or "" when the question does not ask how many.
	unit string
	// wants is the kind of answer the question asks for: "number",
	// "time" or "".
	wants string
}

// contentMask marks the runes of q that belong to interrogative phrases
// (and, when followup, to follow-up filler words).
func contentMask(runes []rune, followup bool) []bool {
	stop := make([]bool, len(runes))
	mark := func(phrases [][]rune) {
		for i := range runes {
			for _, ph := range phrases {
				if len(runes)-i >= len(ph) && slices.Equal(runes[i:i+len(ph)], ph) {
					for k := i; k < i+len(ph); k++ {
						stop[k] = true
					}
				}
			}
		}
	}
	mark(interrogativeRunes)
	if followup {
		mark(followupRunes)
	}
	return stop
}

var (
	interrogativeRunes = toRunes(text.Interrogatives)
	followupRunes      = toRunes(text.FollowupWords)
)

func toRunes(words []string) [][]rune {
	out := make([][]rune, len(words))
	for i, w := range words {
		out[i] = []rune(w)
	}
	return out
}

// questionTerms extracts the weighted content terms of q: Han bigrams
// (weight 1 × idf) and single Han characters (uniWeight × idf) outside
// interrogative phrases, and Latin words and numbers that are not stop
// words. weight scales every term (lower for context from earlier turns).
func (e *run) questionTerms(q string, weight float64, followup bool) queryTerms {
	st := e.st
	runes := []rune(q)
	stop := contentMask(runes, followup)
	var qt queryTerms
	seen := make(map[string]bool)
	add := func(tok string, w float64, content bool) {
		if seen[tok] {
			return
		}
		seen[tok] = true
		idf := st.idf(tok)
		if idf == 0 {
			if content {
				qt.absent = append(qt.absent, tok)
			}
			return
		}
		if w == 0 {
			return
		}
		qt.terms = append(qt.terms, qterm{tok: tok, w: w * idf})
		qt.total += w * idf
	}
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		if !text.IsHan(r) {
			// A run of non-Han text: its Latin words and numbers.
			j := i
			for j < len(runes) && !text.IsHan(runes[j]) {
				j++
			}
			for _, tok := range text.Tokens(string(runes[i:j])) {
				if text.EnglishStop[tok] || (followup && text.EnglishFollowup[tok]) {
					continue
				}
				add(tok, weight, len(tok) > 2)
			}
			i = j - 1
			continue
		}
		if stop[i] {
			continue
		}
		if !strings.ContainsRune(text.FunctionChars, r) {
			add(string(r), weight*e.p.uniWeight, false)
		}
		if i+1 < len(runes) && text.IsHan(runes[i+1]) && !stop[i+1] {
			w := weight
			if strings.ContainsRune(text.FunctionChars, r) || strings.ContainsRune(text.FunctionChars, runes[i+1]) {
				w *= e.p.funcBigramWeight
			}
			add(string(runes[i:i+2]), w, w == weight)
		}
	}
	qt.unit = quantityUnit(runes)
	qt.wants = answerType(q)
	return qt
}

// quantityUnit returns the measure word a "how many" question asks for: the
// character after 几/幾 or 多少 when it is a measure word.
func quantityUnit(runes []rune) string {
	for i, r := range runes {
		next := i + 1
		switch {
		case r == '几' || r == '幾':
		case r == '多' && i+1 < len(runes) && runes[i+1] == '少':
			next = i + 2
		default:
			continue
		}
		if next < len(runes) && strings.ContainsRune(text.MeasureWords, runes[next]) {
			return string(runes[next])
		}
	}
	return ""
}

// hasQuantity reports whether text holds a number (digits or Chinese
// numerals) followed by unit.
func hasQuantity(src, unit string) bool {
	const numerals = "0123456789０１２３４５６７８９一二三四五六七八九十百千万萬两兩半数數多余餘"
	for i := 0; ; {
		j := strings.Index(src[i:], unit)
		if j < 0 {
			return false
		}
		j += i
		if r, _ := utf8.DecodeLastRuneInString(src[:j]); strings.ContainsRune(numerals, r) {
			return true
		}
		i = j + len(unit)
	}
}

// topical reports whether a follow-up question names a topic of its own:
// some content word outside text.Interrogatives and follow-up filler.
func topical(q string) bool {
	runes := []rune(q)
	stop := contentMask(runes, true)
	run := 0
	for i, r := range runes {
		if text.IsHan(r) && !stop[i] && !strings.ContainsRune(text.FunctionChars, r) {
			run++
			if run >= 2 {
				return true
			}
			continue
		}
		run = 0
	}
	for _, tok := range text.Tokens(nonHan(q)) {
		if !text.EnglishStop[tok] && !text.EnglishFollowup[tok] && len(tok) > 2 {
			return true
		}
	}
	return false
}

// nonHan returns q with Han characters replaced by spaces.
func nonHan(q string) string {
	return strings.Map(func(r rune) rune {
		if text.IsHan(r) {
			return ' '
		}
		return r
	}, q)
}

// tokenSet returns the set of tokens of text.
func tokenSet(src string) map[string]bool {
	toks := text.Tokens(src)
	set := make(map[string]bool, len(toks))
	for _, t := range toks {
		set[t] = true
	}
	return set
}

// withContext returns a's terms plus b's as context: b's weights add to
// matching but not to a's total, so context never lowers coverage.
func (a queryTerms) withContext(b queryTerms) queryTerms {
	out := a
	out.terms = slices.Clone(a.terms)
	if out.unit == "" {
		out.unit = b.unit
	}
	idx := make(map[string]int)
	for i, t := range out.terms {
		idx[t.tok] = i
	}
	for _, t := range b.terms {
		if i, ok := idx[t.tok]; ok {
			out.terms[i].w += t.w
		} else {
			idx[t.tok] = len(out.terms)
			out.terms = append(out.terms, t)
		}
	}
	return out
}

// answerType guesses what kind of answer q asks for: "time" for 何时,
// 什么时候, 哪一年; "number" for 多少, 几, 多高; else "".
func answerType(q string) string {
	for _, w := range []string{"什么时候", "什麼時候", "何时", "何時", "哪一年", "哪年", "哪一天", "何年", "什么时间", "什麼時間", "哪个朝代", "哪個朝代", "when"} {
		if strings.Contains(strings.ToLower(q), w) {
			return "time"
		}
	}
	for _, w := range []string{"多少", "几", "幾", "多高", "多大", "多长", "多長", "多重", "多远", "多遠", "多久", "多深", "多宽", "多寬", "how many", "how much", "how long"} {
		if strings.Contains(strings.ToLower(q), w) {
			return "number"
		}
	}
	return ""
}

// answersType reports whether text holds the kind of answer wanted.
func answersType(src, wants string) bool {
	switch wants {
	case "time":
		return timePattern.MatchString(src)
	case "number":
		return numberPattern.MatchString(src)
	}
	return false
}

var (
	timePattern   = regexp.MustCompile(`[0-9０-９〇一二三四五六七八九十]+\s*[年月日]|世纪|世紀|年代|朝|时期|時期`)
	numberPattern = regexp.MustCompile(`[0-9０-９]|[一二三四五六七八九十百千万萬两兩][^\p{Han}]?[\p{Han}]`)
)

// words returns only the word terms (Han bigrams, Latin words, numbers),
// without single Han characters.
func (qt queryTerms) words() queryTerms {
	out := queryTerms{unit: qt.unit, wants: qt.wants}
	for _, t := range qt.terms {
		if utf8.RuneCountInString(t.tok) == 1 && text.IsHan([]rune(t.tok)[0]) {
			continue
		}
		out.terms = append(out.terms, t)
		out.total += t.w
	}
	return out
}
