package text

import (
	"unicode"
	"unicode/utf8"
)

// Tokens returns the BM25 tokens of text, in order of appearance:
//
//   - every Han character on its own and every pair of adjacent Han
//     characters (a bigram), so 长江经济带 gives 长, 长江, 江, 江经, 经, ...;
//   - lowercase words of other letters (Latin, Greek, Cyrillic, kana, ...),
//     with the combining marks inside them;
//   - runs of decimal digits.
//
// Full-width ASCII (Ａ-Ｚ, ０-９) is folded to ASCII first, and Han
// characters to their Simplified or standard form ([Fold]: 鐵路 gives
// 铁, 铁路, 路), so that either script matches the other. Punctuation,
// symbols and spaces separate tokens and are dropped; a bigram never spans
// a non-Han character. [TokenScanner] finds the tokens; Tokens turns them
// into strings. The choice of single characters plus bigrams was
// measured on the eval sets (see retrieval's eval_test.go): bigrams alone
// lose about one point of recall@1 on Traditional Chinese.
//
// It needs no dictionary beyond the fold table and is safe for concurrent
// use.
func Tokens(text string) []string {
	toks := make([]string, 0, 2*utf8.RuneCountInString(text)+1)
	return AppendTokens(toks, text)
}

// AppendTokens appends the tokens of text (see [Tokens]) to dst and returns
// the extended slice. Han tokens and words that need no folding are
// substrings of text, so they share its memory; once a Han character
// folds, the Han tokens are substrings of one folded copy of text.
func AppendTokens(dst []string, text string) []string {
	var buf []byte
	han, folded := text, false // the text Han tokens are cut from
	sc := NewTokenScanner(text)
	for tok, ok := sc.Next(); ok; tok, ok = sc.Next() {
		switch {
		case tok.Kind == Han:
			if tok.Folded && !folded {
				han, folded = Fold(text), true
			}
			dst = append(dst, han[tok.Start:tok.End])
			if tok.Prev >= 0 {
				dst = append(dst, han[tok.BigramStart():tok.End])
			}
		case tok.Folded:
			buf = AppendFolded(buf[:0], text[tok.Start:tok.End])
			dst = append(dst, string(buf))
		default:
			dst = append(dst, text[tok.Start:tok.End])
		}
	}
	return dst
}

// foldWidth maps full-width ASCII variants (U+FF01..U+FF5E) to ASCII.
func foldWidth(r rune) rune {
	if r >= 0xFF01 && r <= 0xFF5E {
		return r - 0xFEE0
	}
	return r
}

// IsHan reports whether r is a Han (CJK ideograph) character, Simplified or
// Traditional, including the extension blocks and 〇.
func IsHan(r rune) bool {
	if r >= 0x4E00 && r <= 0x9FFF {
		return true
	}
	if r < 0x2E80 {
		return false
	}
	return unicode.Is(unicode.Han, r)
}

// Lang guesses the language of text: "zh" when Han characters make up a
// meaningful share of it, else "en". Each Han character counts as one unit
// and each run of other letters as one unit (roughly a word each); the text
// is "zh" when at least 30% of the units are Han. So "长江经济带是什么？"
// and "iPhone是什么" are "zh", while "What did 李强 say about the market?" is
// "en". Text without letters is "en".
func Lang(text string) string {
	han, words := 0, 0
	inWord := false
	for _, r := range text {
		switch {
		case IsHan(r):
			han++
			inWord = false
		case unicode.IsLetter(r):
			if !inWord {
				words++
			}
			inWord = true
		default:
			inWord = false
		}
	}
	if han > 0 && 10*han >= 3*(han+words) {
		return "zh"
	}
	return "en"
}
