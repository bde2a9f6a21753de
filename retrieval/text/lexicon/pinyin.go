package lexicon

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/citebot/citebot/retrieval/text"
)

// Proper names in an English question are mostly pinyin without tones
// ("Li Qiang", "Ding Xuexiang"), and most people are not in CC-CEDICT. A
// run of capitalised words that splits into pinyin syllables is matched
// against the document's own characters: the strings of characters read
// that way, one per syllable, that the document vocabulary holds.

// maxNameCandidates caps the character strings one name yields.
const maxNameCandidates = 6

// splitPinyin splits a lowercase word into toneless pinyin syllables,
// fewest syllables first; ok is false when it does not split.
func (lx *lexicon) splitPinyin(w string) ([]string, bool) {
	n := len(w)
	// best[i] is the fewest syllables spelling w[:i], from[i] where the
	// last one starts.
	best := make([]int, n+1)
	from := make([]int, n+1)
	for i := 1; i <= n; i++ {
		best[i] = -1
		for j := max(0, i-6); j < i; j++ {
			if best[j] < 0 || !lx.syllable(w[j:i]) {
				continue
			}
			if best[i] < 0 || best[j]+1 < best[i] {
				best[i], from[i] = best[j]+1, j
			}
		}
	}
	if n == 0 || best[n] < 0 {
		return nil, false
	}
	out := make([]string, best[n])
	for i, k := n, best[n]-1; i > 0; i, k = from[i], k-1 {
		out[k] = w[from[i]:i]
	}
	return out, true
}

// syllable reports whether s is a pinyin syllable a name may use: the
// lexicon's syllables of two letters or more, and a, e, o.
func (lx *lexicon) syllable(s string) bool {
	if len(s) < 2 && s != "a" && s != "e" && s != "o" {
		return false
	}
	_, ok := lx.syllables[s]
	return ok
}

// nameCandidates returns the strings of characters, one per syllable,
// that has accepts at every prefix of two characters or more; of those
// that fold alike (陈 and 陳, see text.Fold), the first.
func (lx *lexicon) nameCandidates(syls []string, has func(string) bool) []string {
	if len(syls) < 2 || len(syls) > 4 || has == nil {
		return nil
	}
	cands := []string{""}
	for i, s := range syls {
		var next []string
		seen := make(map[string]bool)
		for _, c := range cands {
			for _, r := range lx.syllables[s] {
				cand := c + string(r)
				if i == 0 {
					next = append(next, cand)
				} else if f := text.Fold(cand); !seen[f] && has(cand) {
					seen[f] = true
					next = append(next, cand)
				}
			}
		}
		if len(next) == 0 || i > 0 && len(next) > 4*maxNameCandidates {
			return nil // no such name, or too common to be one
		}
		cands = next
	}
	if len(cands) > maxNameCandidates {
		return nil
	}
	return cands
}

// runeLen is the number of runes of s.
func runeLen(s string) int { return utf8.RuneCountInString(s) }

// IsNameSyllable reports whether w is written like a one-syllable Chinese
// name in pinyin (Xi, Li, Wang): capitalised and a syllable of the
// lexicon. Such a name stands for too many characters to translate, and
// its absence from a translation says nothing about the document. It is
// false when the lexicon cannot load.
func IsNameSyllable(w string) bool {
	r, _ := firstRune(w)
	if !unicode.IsUpper(r) {
		return false
	}
	lx, err := get()
	return err == nil && lx.syllable(strings.ToLower(w))
}
