package answer

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/citebot/citebot/retrieval/text"
)

// Calibrated abstention.
//
// Besides the coverage threshold (MinCoverage), an extractive answer
// abstains when the quotes it found cannot hold what the question asks:
//
//   - a salient term of the question occurs nowhere in the documents: a
//     Latin acronym or a capitalised name (GDP, Nanchang), a number, or a
//     Chinese place name written with its suffix (湖北省) — a document that
//     never names the thing cannot answer about it. A name the documents
//     hold in another spelling (Ghandi for Gandhi, Soviets for Soviet:
//     see [corpusStats.nearSpelling]) is not absent: readers misspell
//     names as often as they ask about names the text lacks;
//   - the question asks for a year (哪一年, what year) and no candidate
//     passage holds one, or for a quantity of a unit (多少亿元, 几天) and
//     no candidate sentence counts in that unit;
//   - an English question is negated (not, never, n't, non-) and no quote
//     is: the quote states the opposite case;
//   - an English question asks what year and the first quote names none;
//   - an English question holds a number the first quote lacks, or a
//     restrictive qualifier (only, least, smallest, largest, before) that
//     the passage quoted from lacks, or a word whose opposite the passage
//     or the quote has instead (smallest where it says largest, correct
//     where it says incorrect: antonyms.go): it asks about another case
//     than the text tells;
//   - an English question names something (a capitalised word, a number)
//     that the quote lacks where the quote or its passage, between the
//     same two words, names something else (the Spanish Parliament where
//     it says the Scottish Parliament, the 11th century where it says the
//     10th; for a number one same neighbour suffices: five graduate
//     divisions where it says four): the question swapped what the text
//     is about (see swappedName and swappedNumber).
//
// When the best passage was close (its coverage passed the threshold) and
// the documents do name what the question is about (every reason but a
// salient term absent), the abstention offers it: Related lists it first
// and Notice says it may be related ("possibly related: ¶11").
//
// Each rule was measured on whole sets (see eval_test.go and the README):
// on SQuAD 2.0 each abstains on at least twice as many unanswerable as
// answerable questions (the name and number swaps about eight times as
// many), and on the Chinese sets each refuses under 1% of the answerable
// questions.

// abstainReason names why an answer abstains; "" answers.
type abstainReason string

const (
	reasonNone      abstainReason = ""
	reasonAbsent    abstainReason = "absent"
	reasonType      abstainReason = "type"
	reasonNegation  abstainReason = "negation"
	reasonQualifier abstainReason = "qualifier"
)

// placeSuffixes end a Chinese place name (湖北省, 南昌市).
const placeSuffixes = "省市县縣州"

// salientAbsent returns the salient terms of question that occur nowhere in
// the documents (see the comment at the top of this file).
func (st *corpusStats) salientAbsent(question string) []string {
	var out []string
	words := strings.FieldsFunc(nonHan(question), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '.' && r != '-'
	})
	for i, w := range words {
		w = strings.Trim(w, ".-")
		if w == "" {
			continue
		}
		r, _ := utf8.DecodeRuneInString(w)
		salient := isAcronym(w) || (i > 0 && unicode.IsUpper(r) && utf8.RuneCountInString(w) > 2) || (unicode.IsDigit(r) && len(w) >= 3)
		if !salient {
			continue
		}
		name := !isAcronym(w) && !unicode.IsDigit(r)
		absent := false
		for _, tok := range text.Tokens(w) {
			// A name misspelt (Ghandi for Gandhi) or inflected (Soviets)
			// is not a name the documents lack.
			if st.df[tok] == 0 && !(name && st.nearSpelling(tok)) {
				absent = true
			}
		}
		if absent {
			out = append(out, w)
		}
	}
	runes := []rune(text.Fold(question)) // the documents' tokens are folded
	for i := 2; i < len(runes); i++ {
		if !strings.ContainsRune(placeSuffixes, runes[i]) || !text.IsHan(runes[i-1]) || !text.IsHan(runes[i-2]) {
			continue
		}
		// 湖北省: neither 湖北 nor 北省 is in the documents. (城市, 上市
		// are words of their own: the suffix character is not one.)
		name := string(runes[i-2 : i])
		if st.df[name] == 0 && st.df[string(runes[i-1:i+1])] == 0 && !strings.ContainsAny(name, text.FunctionChars) {
			out = append(out, name)
		}
	}
	return out
}

// isAcronym reports whether w is two or more capitals (and digits), such
// as GDP or G20.
func isAcronym(w string) bool {
	caps := 0
	for _, r := range w {
		if unicode.IsUpper(r) {
			caps++
		} else if !unicode.IsDigit(r) {
			return false
		}
	}
	return caps >= 2
}

var (
	// yearPattern matches a year: 1998年, 二〇二三年, 民國六十年, 1066.
	yearPattern = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`[0-9０-９]{3,4}\s*年|[〇零○一二三四五六七八九]{3,4}年|(民國|民国|公元|西元|前)[^年。，]{1,5}年|\b(1[0-9]{3}|20[0-9]{2})s?\b|(?i)\bcentur(y|ies)\b`)
	})
	// negationPattern matches an English negation.
	negationPattern = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)\b(not|never|no|none|nor|neither|without|non)\b|n't\b`)
	})
	// yearQuestion matches a question asking for a year.
	yearQuestion = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`哪一年|哪年|何年|哪一年份|(?i)\b(what|which) year\b|\bin what year\b`)
	})
)

// typeMissing reports whether the question asks for a year and none of the
// candidate passages holds one.
func typeMissing(question string, views []*passageView) bool {
	if !yearQuestion().MatchString(question) {
		return false
	}
	for _, pv := range views {
		if yearPattern().MatchString(pv.p.Text) {
			return false
		}
	}
	return true
}

// negationMissing reports whether an English question is negated and none
// of the quotes is.
func negationMissing(question string, quotes []string) bool {
	if !negationPattern().MatchString(question) {
		return false
	}
	for _, q := range quotes {
		if negationPattern().MatchString(q) {
			return false
		}
	}
	return true
}

// abstainFor returns why the picks cannot answer question, or reasonNone.
func (e *run) abstainFor(question string, picks []pick, views []*passageView) abstainReason {
	if len(e.untranslated(question, e.st.salientAbsent(question))) > 0 { // crosslingual.go
		return reasonAbsent
	}
	quotes := make([]string, len(picks))
	for i, pk := range picks {
		quotes[i] = pk.pv.p.Text[pk.start:pk.end]
		if pk.core != nil {
			quotes[i] = pk.pv.p.Text[pk.core[0]:pk.core[1]]
		}
	}
	if typeMissing(question, views) {
		return reasonType
	}
	if e.crossLingual(question) {
		// The rules below compare the question's words with the
		// document's: in another language they never meet.
		return reasonNone
	}
	if text.Lang(question) == "en" && yearQuestion().MatchString(question) && !yearPattern().MatchString(quotes[0]) {
		// What year, and the quote names none (a Chinese answer may
		// date an event by its era or a relative phrase: English only).
		return reasonType
	}
	if negationMissing(question, quotes) {
		return reasonNegation
	}
	if text.Lang(question) == "en" && otherCase(question, picks[0].pv.p.Text, quotes[0]) {
		return reasonQualifier
	}
	return reasonNone
}

// otherCase reports whether an English question asks about another case
// than the passage quoted from, and its quote, tell: a number, qualifier
// or opposite word (see qualifierMissing), or a name or number swapped
// for another in the same place (antonyms.go).
func otherCase(question, passage, quote string) bool {
	return qualifierMissing(question, passage, quote) || swappedName(question, quote) ||
		swappedName(question, passage) || swappedNumber(question, quote)
}

var (
	// questionNumber matches a number written in digits.
	questionNumber = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\b[0-9][0-9,.]*[0-9]\b|\b[0-9]\b`) })
	// restrictiveQualifiers narrow what an English question asks for.
	restrictiveQualifiers = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)\b(only|least|smallest|largest|before)\b`) })
)

// qualifierMissing reports whether an English question carries a number
// that the quote lacks, a restrictive qualifier (only, least, smallest,
// largest, before) that the passage quoted from lacks, or a word whose
// opposite the passage or the quote holds instead: the question asks
// about another case than the text tells.
func qualifierMissing(question, passage, quote string) bool {
	for _, n := range questionNumber().FindAllString(question, -1) {
		if !holdsNumber(quote, n) {
			return true
		}
	}
	lp := wordSet(passage)
	for _, q := range restrictiveQualifiers().FindAllString(question, -1) {
		if !lp[strings.ToLower(q)] {
			return true
		}
	}
	// An antonym swapped: the question asks about the smallest, the
	// passage (or the quote) tells of the largest.
	lq := wordSet(question)
	return opposed(lq, lp) || opposed(lq, wordSet(quote))
}

// opposed reports whether a word of the question q is missing from the
// text t while t holds one of its opposites that q does not (antonyms.go).
func opposed(q, t map[string]bool) bool {
	for w := range q {
		if t[w] {
			continue
		}
		for _, o := range antonymOf[w] {
			if t[o] && !q[o] {
				return true
			}
		}
		for o := range t {
			if !q[o] && prefixAntonym(w, o) {
				return true
			}
		}
	}
	return false
}

// wordSet returns the lowercase letter words of s.
func wordSet(s string) map[string]bool {
	set := make(map[string]bool)
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) }) {
		set[w] = true
	}
	return set
}

// relatedFirst returns related with p first (moved there or added).
func relatedFirst(p Passage, related []Passage) []Passage {
	out := []Passage{p}
	for _, r := range related {
		if r.Doc != p.Doc || r.Start != p.Start || r.End != p.End {
			out = append(out, r)
		}
	}
	return out
}

// nearSpelling reports whether the documents hold a Latin word within a
// small edit distance of tok (one edit up to five letters, two beyond):
// tok is a misspelt or inflected form of a word they use. Words under four
// letters have too many neighbours to tell.
func (st *corpusStats) nearSpelling(tok string) bool {
	n := utf8.RuneCountInString(tok)
	if n < 4 {
		return false
	}
	maxd := 1
	if n > 5 {
		maxd = 2
	}
	byLen := st.latinWords()
	for l := n - maxd; l <= n+maxd; l++ {
		for _, w := range byLen[l] {
			if editDistance(tok, w, maxd) <= maxd {
				return true
			}
		}
	}
	return false
}

// latinWords returns the documents' Latin-letter tokens by rune count,
// built on first use.
func (st *corpusStats) latinWords() map[int][]string {
	st.latinOnce.Do(func() {
		st.latin = make(map[int][]string)
		for tok := range st.df {
			if isLatinWord(tok) {
				n := utf8.RuneCountInString(tok)
				st.latin[n] = append(st.latin[n], tok)
			}
		}
	})
	return st.latin
}

// isLatinWord reports whether tok is made of letters other than Han ones.
func isLatinWord(tok string) bool {
	for _, r := range tok {
		if !unicode.IsLetter(r) || text.IsHan(r) {
			return false
		}
	}
	return tok != ""
}

// editDistance is the Levenshtein distance between a and b (in runes),
// or maxd+1 when it is larger than maxd.
func editDistance(a, b string, maxd int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > maxd || -d > maxd {
		return maxd + 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			sub := prev[j-1]
			if ra[i-1] != rb[j-1] {
				sub++
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, sub)
			best = min(best, cur[j])
		}
		if best > maxd {
			return maxd + 1
		}
		prev, cur = cur, prev
	}
	return min(prev[len(rb)], maxd+1)
}

// smallNumbers are the words and Roman numerals of 1 to 12, which a text
// writes where a question may use digits (three things, World War II).
var smallNumbers = [][2]string{
	{"one", "I"}, {"two", "II"}, {"three", "III"}, {"four", "IV"}, {"five", "V"}, {"six", "VI"},
	{"seven", "VII"}, {"eight", "VIII"}, {"nine", "IX"}, {"ten", "X"}, {"eleven", "XI"}, {"twelve", "XII"},
}

// holdsNumber reports whether text holds the number n (digits, as in a
// question): verbatim, or for 1 to 12 as a word or a Roman numeral.
func holdsNumber(text, n string) bool {
	if strings.Contains(text, n) {
		return true
	}
	v, err := strconv.Atoi(n)
	if err != nil || v < 1 || v > len(smallNumbers) {
		return false
	}
	words := strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) })
	for _, w := range words {
		if strings.ToLower(w) == smallNumbers[v-1][0] || w == smallNumbers[v-1][1] {
			return true
		}
	}
	return false
}
