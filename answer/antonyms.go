package answer

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/citebot/citebot/retrieval/text"
)

// Another case than the text tells: the English rules of abstain.go that
// find a question asking about something next to what the document says.
//
// Antonyms are English words of opposite sense (a question about the
// smallest county answered from a sentence about the largest one). The
// list holds common English pairs of adjectives, adverbs, verbs and nouns
// (with their common inflections), and no determiners or quantifiers
// (all, some, many, other), which occur in too many sentences to tell
// anything. Words with a negative prefix (unknown, incorrect, disapprove)
// are paired with their stems by [prefixAntonym]. A name or a number
// replaced by another in the same place is found by [swappedName] and
// [swappedNumber].
var antonyms = [][2]string{
	{"increase", "decrease"}, {"increased", "decreased"}, {"increases", "decreases"}, {"increasing", "decreasing"},
	{"rise", "fall"}, {"rose", "fell"}, {"gain", "loss"}, {"gained", "lost"}, {"win", "lose"}, {"won", "lost"},
	{"victory", "defeat"}, {"most", "least"}, {"largest", "smallest"}, {"biggest", "smallest"}, {"before", "after"},
	{"first", "last"}, {"highest", "lowest"}, {"high", "low"}, {"higher", "lower"}, {"more", "less"},
	{"north", "south"}, {"east", "west"}, {"northern", "southern"}, {"eastern", "western"},
	{"northwest", "southeast"}, {"northeast", "southwest"}, {"major", "minor"}, {"majority", "minority"},
	{"early", "late"}, {"earlier", "later"}, {"earliest", "latest"}, {"maximum", "minimum"},
	{"positive", "negative"}, {"inside", "outside"}, {"internal", "external"}, {"inner", "outer"},
	{"upper", "lower"}, {"success", "failure"}, {"succeeded", "failed"}, {"private", "public"},
	{"modern", "ancient"}, {"larger", "smaller"}, {"large", "small"}, {"big", "small"}, {"older", "younger"},
	{"oldest", "youngest"}, {"old", "young"}, {"old", "new"}, {"longest", "shortest"}, {"long", "short"},
	{"longer", "shorter"}, {"better", "worse"}, {"best", "worst"}, {"good", "bad"}, {"strong", "weak"},
	{"stronger", "weaker"}, {"fast", "slow"}, {"faster", "slower"}, {"rapid", "slow"}, {"quickly", "slowly"},
	{"wide", "narrow"}, {"wider", "narrower"}, {"deep", "shallow"}, {"heavy", "light"}, {"hot", "cold"},
	{"warm", "cool"}, {"warmer", "cooler"}, {"wet", "dry"}, {"rich", "poor"}, {"richer", "poorer"},
	{"cheap", "expensive"}, {"easy", "difficult"}, {"easy", "hard"}, {"simple", "complex"},
	{"open", "closed"}, {"opened", "closed"}, {"open", "close"}, {"opening", "closing"}, {"start", "end"},
	{"started", "ended"}, {"begin", "end"}, {"began", "ended"}, {"beginning", "end"}, {"birth", "death"},
	{"born", "died"}, {"alive", "dead"}, {"male", "female"}, {"men", "women"}, {"man", "woman"},
	{"father", "mother"}, {"son", "daughter"}, {"brother", "sister"}, {"husband", "wife"}, {"king", "queen"},
	{"top", "bottom"}, {"front", "back"}, {"enter", "exit"}, {"arrive", "depart"},
	{"arrived", "departed"}, {"import", "export"}, {"imports", "exports"}, {"imported", "exported"},
	{"buy", "sell"}, {"bought", "sold"}, {"buyer", "seller"}, {"lend", "borrow"}, {"give", "take"},
	{"gave", "took"}, {"accept", "reject"}, {"accepted", "rejected"}, {"allow", "forbid"},
	{"allowed", "forbidden"}, {"allowed", "banned"}, {"legal", "illegal"}, {"support", "oppose"},
	{"supported", "opposed"}, {"agree", "disagree"}, {"agreed", "refused"}, {"attack", "defend"},
	{"attacked", "defended"}, {"offensive", "defensive"}, {"include", "exclude"}, {"included", "excluded"},
	{"add", "remove"}, {"added", "removed"}, {"raise", "lower"}, {"raised", "lowered"}, {"strengthen", "weaken"},
	{"strengthened", "weakened"}, {"expand", "contract"}, {"expanded", "contracted"}, {"push", "pull"},
	{"send", "receive"}, {"sent", "received"}, {"have", "lack"}, {"has", "lacks"}, {"present", "absent"}, {"same", "different"},
	{"similar", "different"}, {"common", "rare"}, {"frequent", "rare"}, {"always", "never"}, {"often", "rarely"},
	{"many", "few"}, {"full", "empty"}, {"true", "false"}, {"correct", "wrong"}, {"right", "wrong"},
	{"real", "fake"}, {"natural", "artificial"}, {"primary", "secondary"}, {"direct", "indirect"},
	{"temporary", "permanent"}, {"local", "national"}, {"domestic", "foreign"}, {"urban", "rural"},
	{"military", "civilian"}, {"conservative", "liberal"}, {"democratic", "authoritarian"},
	{"war", "peace"}, {"friend", "enemy"}, {"allies", "enemies"}, {"ally", "enemy"}, {"winner", "loser"},
	{"profit", "loss"}, {"income", "expense"}, {"credit", "debit"}, {"asset", "liability"},
	{"light", "dark"}, {"day", "night"}, {"summer", "winter"}, {"spring", "autumn"}, {"morning", "evening"},
	{"past", "future"}, {"previous", "next"}, {"former", "latter"}, {"ancient", "recent"},
	{"acidic", "alkaline"}, {"acid", "base"}, {"solid", "liquid"}, {"liquid", "gas"}, {"hard", "soft"},
	{"thick", "thin"}, {"tall", "short"}, {"near", "far"}, {"nearest", "farthest"}, {"inward", "outward"},
	{"increase", "reduce"},
	{"increased", "reduced"}, {"appear", "disappear"}, {"appeared", "disappeared"}, {"build", "destroy"},
	{"built", "destroyed"}, {"create", "destroy"}, {"created", "destroyed"}, {"win", "loss"},
	{"beneficial", "harmful"}, {"able", "unable"}, {"safe", "dangerous"}, {"healthy", "sick"},
	{"active", "passive"}, {"voluntary", "compulsory"}, {"optional", "mandatory"},
	{"formal", "informal"}, {"official", "unofficial"}, {"free", "paid"}, {"dependent", "independent"},
}

// antonymOf maps each word of antonyms to its opposites.
var antonymOf = func() map[string][]string {
	m := make(map[string][]string)
	for _, p := range antonyms {
		m[p[0]] = append(m[p[0]], p[1])
		m[p[1]] = append(m[p[1]], p[0])
	}
	return m
}()

// negativePrefixes turn a word into its opposite (known, unknown).
var negativePrefixes = []string{"un", "in", "im", "ir", "il", "dis", "non"}

// prefixAntonym reports whether a and b are one word with and without a
// negative prefix (correct and incorrect, approve and disapprove). The
// stem must have at least five letters (inform is no opposite of form).
func prefixAntonym(a, b string) bool {
	if len(a) < len(b) {
		a, b = b, a
	}
	if len(b) < 5 {
		return false
	}
	for _, p := range negativePrefixes {
		if strings.HasPrefix(a, p) && a[len(p):] == b {
			return true
		}
	}
	return false
}

// swappedName reports whether an English question names something (a
// capitalised word or a number) that the quote lacks while the quote, in
// the same place (between the same two words), names something else: the
// question asks about the Spanish Parliament, the quote tells of the
// Scottish one; about the 11th century, the quote of the 10th. Names
// within two edits of each other are the same name misspelt.
func swappedName(question, quote string) bool {
	qt, st := latinTokens(question), latinTokens(quote)
	inQuote := make(map[string]bool, len(st))
	for _, t := range st {
		inQuote[strings.ToLower(t)] = true
	}
	inQuestion := make(map[string]bool, len(qt))
	for _, t := range qt {
		inQuestion[strings.ToLower(t)] = true
	}
	// between maps the lowercase words around each quote token (""
	// at an end) to the tokens found there.
	type around struct{ left, right string }
	between := make(map[around][]string)
	at := func(toks []string, i int) string {
		if i < 0 || i >= len(toks) {
			return ""
		}
		return strings.ToLower(toks[i])
	}
	for i, t := range st {
		k := around{at(st, i-1), at(st, i+1)}
		between[k] = append(between[k], t)
	}
	for i := 1; i < len(qt); i++ {
		x := strings.ToLower(qt[i])
		if inQuote[x] || text.EnglishStop[x] || !nameLike(qt[i]) {
			continue
		}
		for _, y := range between[around{at(qt, i-1), at(qt, i+1)}] {
			yl := strings.ToLower(y)
			if !inQuestion[yl] && !text.EnglishStop[yl] && nameLike(y) && editDistance(x, yl, 2) > 2 {
				return true
			}
		}
	}
	return false
}

// latinTokens returns the runs of letters and digits of s that are not
// Han characters.
func latinTokens(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r)) || text.IsHan(r)
	})
}

// nameLike reports whether tok is capitalised or holds a digit.
func nameLike(tok string) bool {
	r, _ := utf8.DecodeRuneInString(tok)
	return unicode.IsUpper(r) || strings.ContainsFunc(tok, unicode.IsDigit)
}

// swappedNumber reports whether an English question holds a number (in
// digits or words, a cardinal or an ordinal: 11th, five, 1950s) that the
// quote lacks while the quote has another number next to one of the same
// words: the question asks about five graduate divisions, the quote tells
// of four; about the 11th century, the quote of the 10th. The same value
// written otherwise (eight and 8, 5th and fifth) is no swap.
func swappedNumber(question, quote string) bool {
	qt, st := latinTokens(question), latinTokens(quote)
	inQuote := make(map[string]bool, len(st))
	for _, t := range st {
		inQuote[strings.ToLower(t)] = true
	}
	// next and prev map a lowercase word of the quote to the numbers
	// right after and right before it.
	next, prev := make(map[string][]int), make(map[string][]int)
	for i, t := range st {
		v, ok := numberValue(t)
		if !ok {
			continue
		}
		if i > 0 {
			next[strings.ToLower(st[i-1])] = append(next[strings.ToLower(st[i-1])], v)
		}
		if i+1 < len(st) {
			prev[strings.ToLower(st[i+1])] = append(prev[strings.ToLower(st[i+1])], v)
		}
	}
	for i, t := range qt {
		x, ok := numberValue(t)
		if !ok || inQuote[strings.ToLower(t)] {
			continue
		}
		var others []int
		if i > 0 {
			others = append(others, next[strings.ToLower(qt[i-1])]...)
		}
		if i+1 < len(qt) {
			others = append(others, prev[strings.ToLower(qt[i+1])]...)
		}
		for _, y := range others {
			if y != x && !slices.ContainsFunc(qt, func(t string) bool { v, ok := numberValue(t); return ok && v == y }) {
				return true
			}
		}
	}
	return false
}

// numberValues are the values of English number words, cardinal and
// ordinal.
var numberValues = func() map[string]int {
	m := make(map[string]int)
	cardinal := strings.Fields("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty")
	ordinal := strings.Fields("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth")
	for i := range cardinal {
		m[cardinal[i]], m[ordinal[i]] = i+1, i+1
	}
	for w, v := range map[string]int{"thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "thousand": 1000, "million": 1e6, "billion": 1e9} {
		m[w] = v
	}
	return m
}()

// numberValue returns the value of a number token: digits, optionally
// followed by s, th, st, nd or rd (1950s, 11th), or a number word.
func numberValue(tok string) (int, bool) {
	lower := strings.ToLower(tok)
	if v, ok := numberValues[lower]; ok {
		return v, true
	}
	digits := strings.TrimRightFunc(lower, unicode.IsLetter)
	switch lower[len(digits):] {
	case "", "s", "th", "st", "nd", "rd":
	default:
		return 0, false
	}
	if digits == "" || len(digits) > 9 || strings.ContainsFunc(digits, func(r rune) bool { return r < '0' || r > '9' }) {
		return 0, false
	}
	v := 0
	for _, r := range digits {
		v = v*10 + int(r-'0')
	}
	return v, true
}
