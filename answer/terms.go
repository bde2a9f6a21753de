package answer

import (
	"math"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/citebot/citebot/retrieval/text"
	"github.com/citebot/citebot/retrieval/text/wordnet"
)

// corpusStats holds document frequencies of tokens over all paragraphs the
// retriever knows, for weighting question terms by how rare they are, and
// the documents' main language.
type corpusStats struct {
	n    int
	df   map[string]int
	lang string
	// minority counts the paragraphs in the other language than lang (a
	// library of Chinese and English documents).
	minority int
	// latin holds the Latin-letter tokens of df by rune count, for
	// finding near spellings (see [corpusStats.nearSpelling]); built once
	// on first use.
	latin     map[int][]string
	latinOnce sync.Once
}

// buildStats reads every paragraph of every document once. It is not
// cancellable: the statistics are built once for the engine's lifetime and
// a cancelled first request must not leave them half done.
func buildStats(r Retriever) *corpusStats {
	st := &corpusStats{df: make(map[string]int), lang: "zh"}
	han, letters, enParas := 0, 0, 0
	seen := make(map[string]bool)
	for _, d := range r.Documents() {
		for n := 0; n <= d.Paragraphs; n++ {
			p, ok := r.Paragraph(d.Name, n)
			if !ok {
				continue
			}
			st.n++
			clear(seen)
			for _, t := range termTokens(p.Text) {
				if !seen[t] {
					seen[t] = true
					st.df[t]++
				}
			}
			h, l := countScripts(p.Text)
			han, letters = han+h, letters+l
			if isEnglish(h, l) {
				enParas++
			}
		}
	}
	st.minority = enParas
	if isEnglish(han, letters) {
		st.lang, st.minority = "en", st.n-enParas
	}
	return st
}

// countScripts counts the Han characters and the other letters of s.
func countScripts(s string) (han, letters int) {
	for _, r := range s {
		switch {
		case text.IsHan(r):
			han++
		case unicode.IsLetter(r):
			letters++
		}
	}
	return han, letters
}

// paragraphLang is the language of a paragraph, "en" or "zh", as
// [buildStats] counts them.
func paragraphLang(s string) string {
	if isEnglish(countScripts(s)) {
		return "en"
	}
	return "zh"
}

// isEnglish reports whether text of han Han characters and letters other
// letters is mostly English: Latin letters count about a fifth of a Han
// character each (a word of five letters against one character).
func isEnglish(han, letters int) bool { return han*5 < letters }

// holdsLang reports whether some paragraphs are in lang ("zh" or "en").
func (st *corpusStats) holdsLang(lang string) bool {
	return lang == st.lang || st.minority > 0
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
	// orphans are content characters of the question whose bigrams the
	// documents lack, with their weight as words (see [run.orphanChars]).
	orphans map[string]float64
	// orphanTotal is the part of total that orphans make (in words()).
	orphanTotal float64
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
// Han terms are folded (text.Fold), as the documents' tokens are, so a
// question in either script finds either.
func (e *run) questionTerms(q string, weight float64, followup bool) queryTerms {
	if qt, ok := e.translatedTerms(q, weight); ok { // a question in another language (crosslingual.go)
		return qt
	}
	st := e.st
	runes := []rune(text.Fold(q))
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
				add(termOf(tok), weight, len(tok) > 2)
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
	qt.orphans = e.orphanChars(runes, stop, weight)
	return qt
}

// orphanChars returns, with their weight in word coverage, the content
// characters of the question none of whose bigrams occurs in the
// documents: 防汛抗旱 against a document that says 旱涝同防同治. They
// are the question's words for character-level matching: a paraphrase
// shares characters of a word, not the word.
func (e *run) orphanChars(runes []rune, stop []bool, weight float64) map[string]float64 {
	if e.p.orphanWeight == 0 {
		return nil
	}
	content := func(i int) bool {
		return i >= 0 && i < len(runes) && text.IsHan(runes[i]) && !stop[i] && !strings.ContainsRune(text.FunctionChars, runes[i])
	}
	out := make(map[string]float64)
	for i := range runes {
		c := string(runes[i])
		if !content(i) || e.st.idf(c) == 0 {
			continue
		}
		left := content(i-1) && e.st.df[string(runes[i-1:i+1])] > 0
		right := content(i+1) && e.st.df[string(runes[i:i+2])] > 0
		if !left && !right && (content(i-1) || content(i+1)) {
			out[c] = weight * e.p.orphanWeight * e.st.idf(c)
		}
	}
	return out
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
		// 多少亿元: the unit follows the order of magnitude.
		for next < len(runes) && strings.ContainsRune(magnitudes, runes[next]) {
			next++
		}
		for _, u := range compoundUnits {
			if strings.HasPrefix(string(runes[next:]), u) {
				return u
			}
		}
		if next < len(runes) && strings.ContainsRune(text.MeasureWords, runes[next]) {
			return string(runes[next])
		}
	}
	return ""
}

// compoundUnits are two-character units a 多少 question may ask for.
var compoundUnits = []string{"公里", "公斤", "公尺", "公顷", "公頃", "英里", "英尺", "平方", "小时", "小時", "分钟", "分鐘", "美元", "港元", "欧元", "歐元", "日元", "日圓", "日圆"}

// magnitudes are the orders of magnitude between 多少 and a unit.
const magnitudes = "十百千万萬亿億"

// hasQuantity reports whether text holds a number (digits or Chinese
// numerals) followed by unit, in either script (unit may be folded).
func hasQuantity(src, unit string) bool {
	const numerals = "0123456789０１２３４５６７８９一二三四五六七八九十百千万萬亿億两兩半数數多余餘"
	src, unit = text.Fold(src), text.Fold(unit)
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

// termOf returns the term a question's token matches sentences by: the
// lemma of an English word (fires and fired are the term fire).
func termOf(tok string) string {
	return wordnet.Lemma(tok)
}

// termTokens returns the tokens of src (text.Tokens) followed by the
// lemmas of its English words where they differ from the words: a
// sentence holds both the words it says and the terms a question matches
// them by (wordnet.Lemma: fires and fired are the term fire).
func termTokens(src string) []string {
	toks := text.Tokens(src)
	for i, n := 0, len(toks); i < n; i++ {
		if l := wordnet.Lemma(toks[i]); l != toks[i] {
			toks = append(toks, l)
		}
	}
	return toks
}

// tokenSet returns the set of tokens of text, with the lemmas of its
// English words (see [termTokens]).
func tokenSet(src string) map[string]bool {
	toks := termTokens(src)
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

// words returns only the word terms (Han bigrams, Latin words, numbers),
// without single Han characters.
func (qt queryTerms) words() queryTerms {
	out := queryTerms{unit: qt.unit, wants: qt.wants}
	for _, t := range qt.terms {
		if utf8.RuneCountInString(t.tok) == 1 && text.IsHan([]rune(t.tok)[0]) {
			if w, ok := qt.orphans[t.tok]; ok {
				out.terms = append(out.terms, qterm{tok: t.tok, w: w})
				out.total += w
				out.orphanTotal += w
			}
			continue
		}
		out.terms = append(out.terms, t)
		out.total += t.w
	}
	return out
}
