package answer

import "strings"

// Antonyms: English words of opposite sense, for the qualifier rule of
// abstain.go (a question about the smallest county answered from a
// sentence about the largest one asks about another case than the text
// tells). The list is general English, not drawn from any question set:
// pairs of adjectives, adverbs and verbs (with their common inflections),
// and no determiners or quantifiers (all, some, many, other), which occur
// in too many sentences to tell anything. Words with a negative prefix
// (unknown, incorrect, disapprove) are paired with their stems by
// [prefixAntonym].
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
	{"beneficial", "harmful"}, {"safe", "dangerous"}, {"healthy", "sick"},
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
// negative prefix (correct and incorrect, approve and disapprove). Both
// must have at least four letters beyond the prefix.
func prefixAntonym(a, b string) bool {
	if len(a) < len(b) {
		a, b = b, a
	}
	if len(b) < 4 {
		return false
	}
	for _, p := range negativePrefixes {
		if strings.HasPrefix(a, p) && a[len(p):] == b {
			return true
		}
	}
	return false
}
