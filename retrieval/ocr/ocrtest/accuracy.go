package ocrtest

import "unicode"

// Accuracy returns the character accuracy of got, text read by OCR,
// against want: 1 - (edit distance / length of want), both without white
// space, so that line breaks and spaces do not count. It is 1 for two
// texts without visible characters and can fall below 0 when got is much
// longer than want.
func Accuracy(got, want string) float64 {
	g, w := visibleRunes(got), visibleRunes(want)
	if len(w) == 0 {
		if len(g) == 0 {
			return 1
		}
		return 1 - float64(len(g))
	}
	return 1 - float64(editDistance(g, w))/float64(len(w))
}

// visibleRunes returns the characters of s that are not white space.
func visibleRunes(s string) []rune {
	var out []rune
	for _, r := range s {
		if !unicode.IsSpace(r) {
			out = append(out, r)
		}
	}
	return out
}

// editDistance returns the Levenshtein distance between a and b, in
// O(len(a)*len(b)) time and O(len(b)) memory.
func editDistance(a, b []rune) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
