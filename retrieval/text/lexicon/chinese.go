package lexicon

import (
	"math"
	"slices"
	"strings"

	"github.com/citebot/citebot/retrieval/text"
)

// maxSenseWords is the most content words of a gloss sense used as an
// English alternative (longer senses explain rather than translate).
const maxSenseWords = 3

// chineseToEnglish translates a Chinese question: question words and
// function characters are skipped, the rest is cut into the longest
// headwords of the lexicon, and each headword becomes the group of its
// short gloss senses; Latin words and numbers stand for themselves.
func (t *translator) chineseToEnglish(question string) {
	runes := []rune(question)
	stop := questionMask(runes)
	for i := 0; i < len(runes); {
		if !text.IsHan(runes[i]) {
			j := i
			for j < len(runes) && !text.IsHan(runes[j]) {
				j++
			}
			for _, w := range contentWords(string(runes[i:j])) {
				var alts []Alternative
				if t.accept(w.lower) {
					alts = append(alts, Alternative{Text: w.lower, Weight: 1, Sense: w.w})
				}
				t.addGroup(w.w, 1, alts)
			}
			i = j
			continue
		}
		if stop[i] {
			i++
			continue
		}
		n := t.longestHeadword(runes[i:], stop[i:])
		if n == 0 {
			i++
			continue
		}
		hw := string(runes[i : i+n])
		t.addGroup(hw, 1, t.withSource(t.englishAlts(t.lx.entries[t.lx.mustLookup(hw)], hw), hw))
		i += n
	}
}

// longestHeadword returns the length of the longest headword at the start
// of runes that crosses no question word (0 for none); a lone function
// character does not count.
func (t *translator) longestHeadword(runes []rune, stop []bool) int {
	limit := 0
	for limit < len(runes) && limit < t.lx.maxRunes && text.IsHan(runes[limit]) && !stop[limit] {
		limit++
	}
	for n := limit; n >= 1; n-- {
		if _, ok := t.lx.lookup(string(runes[:n])); !ok {
			continue
		}
		if n == 1 && strings.ContainsRune(text.FunctionChars, runes[0]) {
			return 0
		}
		return n
	}
	return 0
}

// questionMask marks the runes of Chinese question words.
func questionMask(runes []rune) []bool {
	stop := make([]bool, len(runes))
	s := string(runes)
	for _, w := range text.Interrogatives {
		for at := 0; ; {
			j := strings.Index(s[at:], w)
			if j < 0 {
				break
			}
			from := len([]rune(s[:at+j]))
			for k := range len([]rune(w)) {
				stop[from+k] = true
			}
			at += j + len(w)
		}
	}
	for i, r := range runes {
		if strings.ContainsRune(text.InterrogativeChars, r) {
			stop[i] = true
		}
	}
	return stop
}

// englishAlts returns the short senses of e as English alternatives the
// document may hold, each word in a form the filter accepts.
func (t *translator) englishAlts(e entry, hw string) []Alternative {
	var out []Alternative
	e.eachGloss(func(gi int, g string) {
		w := math.Pow(glossDecay, float64(gi))
		eachSense(g, func(sense string) bool {
			out = t.appendSense(out, sense, w, hw)
			return true
		})
	})
	return out
}

// appendSense appends the alternatives of one sense: each accepted form
// of a single word, or a phrase of up to maxSenseWords words.
func (t *translator) appendSense(out []Alternative, sense string, w float64, hw string) []Alternative {
	ws := contentWords(sense)
	if len(ws) == 0 || len(ws) > maxSenseWords {
		return out
	}
	display := strings.TrimPrefix(sense, "to ")
	if len(ws) == 1 {
		for _, form := range inflections(ws[0].lower) {
			if t.accept(form) {
				out = append(out, Alternative{Text: form, Weight: w, Headword: hw, Sense: display})
			}
		}
		return out
	}
	if words, ok := t.acceptedForms(ws); ok {
		out = append(out, Alternative{Text: strings.Join(words, " "), Weight: w, Headword: hw, Sense: display})
	}
	return out
}

// acceptedForms returns, for each word, its first inflection the filter
// accepts; ok is false when some word has none.
func (t *translator) acceptedForms(ws []englishWord) ([]string, bool) {
	out := make([]string, len(ws))
	for i, w := range ws {
		forms := inflections(w.lower)
		k := slices.IndexFunc(forms, t.accept)
		if k < 0 {
			return nil, false
		}
		out[i] = forms[k]
	}
	return out, true
}
