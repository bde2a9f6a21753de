package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// IsWide reports whether r is a CJK character (Han, kana, bopomofo) or CJK
// or full-width punctuation: text that is written without spaces between
// words. Hangul is not, as Korean separates words with spaces.
func IsWide(r rune) bool {
	switch {
	case r < 0x2E80:
		return false
	case r >= 0x4E00 && r <= 0x9FFF: // the common CJK Unified Ideographs
		return true
	case r <= 0x303F, // radicals, CJK symbols and punctuation
		r >= 0x3040 && r <= 0x31FF, // kana, bopomofo
		r >= 0xFE30 && r <= 0xFE4F, // CJK compatibility forms
		r >= 0xFF00 && r <= 0xFFEF: // full-width and half-width forms
		return true
	}
	return unicode.Is(unicode.Han, r)
}

// EndsSentence reports whether the trimmed line ends with a sentence
// terminator, possibly followed by closing quotes or brackets: the test the
// paragraph rebuilder and the PDF layout use to tell a paragraph's last
// line from a wrapped one.
func EndsSentence(line string) bool {
	line = strings.TrimRight(line, "”’」』）)]】》\"'")
	r, _ := utf8.DecodeLastRuneInString(line)
	switch r {
	case '。', '！', '？', '…', '.', '!', '?', '｡':
		return true
	}
	return false
}
