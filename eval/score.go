package eval

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Normalize deletes all whitespace (what unicode.IsSpace accepts), as the
// scoring rules require; invalid UTF-8 becomes U+FFFD. It finds spaces by
// their bytes and copies the text between them: scoring normalises every
// ranked passage, and decoding each rune was a tenth of eval's run time.
func Normalize(s string) string {
	if !utf8.ValidString(s) {
		return strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, s)
	}
	var b []byte
	last := 0
	for i := 0; i < len(s); i++ {
		if !spaceLead[s[i]] {
			continue
		}
		n := spaceAt(s, i)
		if n == 0 {
			continue
		}
		if b == nil {
			b = make([]byte, 0, len(s))
		}
		b = append(b, s[last:i]...)
		last = i + n
		i += n - 1
	}
	if b == nil {
		return s
	}
	return string(append(b, s[last:]...))
}

// spaceLead holds the bytes a space rune's UTF-8 starts with.
var spaceLead = [256]bool{' ': true, '\t': true, '\n': true, '\v': true, '\f': true, '\r': true, 0xC2: true, 0xE1: true, 0xE2: true, 0xE3: true}

// spaceAt returns the length of the UTF-8 of a space rune starting at byte
// i of s (valid UTF-8), or 0: an ASCII space, U+0085, U+00A0, U+1680,
// U+2000-U+200A, U+2028, U+2029, U+202F, U+205F or U+3000.
func spaceAt(s string, i int) int {
	var b1, b2 byte
	if i+1 < len(s) {
		b1 = s[i+1]
	}
	if i+2 < len(s) {
		b2 = s[i+2]
	}
	switch s[i] {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return 1
	case 0xC2:
		if b1 == 0x85 || b1 == 0xA0 {
			return 2
		}
	case 0xE1:
		if b1 == 0x9A && b2 == 0x80 {
			return 3
		}
	case 0xE2:
		if b1 == 0x80 && (b2 <= 0x8A || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF) || b1 == 0x81 && b2 == 0x9F {
			return 3
		}
	case 0xE3:
		if b1 == 0x80 && b2 == 0x80 {
			return 3
		}
	}
	return 0
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
