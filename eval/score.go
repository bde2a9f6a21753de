package eval

import (
	"sort"
	"strings"
	"unicode"
)

// Normalize deletes all whitespace, as the scoring rules require.
func Normalize(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// Contains reports whether text contains any of the gold answers after
// normalisation.
func Contains(text string, answers []string) bool {
	t := Normalize(text)
	for _, a := range answers {
		if a = Normalize(a); a != "" && strings.Contains(t, a) {
			return true
		}
	}
	return false
}

// FirstRelevant returns the 1-based rank of the first passage text that
// contains a gold answer, or 0.
func FirstRelevant(texts []string, answers []string) int {
	for i, t := range texts {
		if Contains(t, answers) {
			return i + 1
		}
	}
	return 0
}

// Percentile returns the p-th percentile (0..100) of xs by nearest rank; xs
// is sorted in place.
func Percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sort.Float64s(xs)
	i := int(p/100*float64(len(xs)) + 0.5)
	if i < 1 {
		i = 1
	}
	if i > len(xs) {
		i = len(xs)
	}
	return xs[i-1]
}
