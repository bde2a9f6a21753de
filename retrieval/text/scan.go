package text

import (
	"unicode"
	"unicode/utf8"
)

// TokenKind says what a [Token] is.
type TokenKind uint8

// Token kinds.
const (
	// Han is one Han character, folded (see [Fold]). With the Han
	// character right before it (Token.Prev) it also ends a bigram.
	Han TokenKind = iota + 1
	// Word is a run of letters of other scripts (Latin, Greek, Cyrillic,
	// kana, ...) with the combining marks inside it.
	Word
	// Number is a run of decimal digits.
	Number
)

// Token is one token of a text as a [TokenScanner] finds it: the spans
// and kinds that [Tokens] turns into strings.
type Token struct {
	Kind TokenKind
	// Start and End are the token's byte span in the text.
	Start, End int
	// Rune is the character of a Han token, folded ([FoldRune]).
	Rune rune
	// Prev is the Han character right before a Han token, folded, or -1
	// when the rune before is not Han (or there is none). When set, the
	// bigram spans text[t.BigramStart():t.End].
	Prev rune
	// Folded reports that the token is not the text of its span: a Word
	// or Number changes under lowercasing and full-width folding (its
	// token is [AppendFolded] of the span); a Han token's character
	// changes under script folding (Rune is not the span's). A Han token
	// and its bigram are those of [Fold] of the text at the same offsets:
	// a caller that cuts them from the text switches to its fold at the
	// first Folded Han token (the Prev of a bigram that folds was itself
	// a Folded token, unless Keep skipped it).
	Folded bool
}

// BigramStart returns the byte offset of the bigram that a Han token with
// Prev >= 0 ends (folding keeps the length of a character's encoding).
func (t Token) BigramStart() int { return t.Start - utf8.RuneLen(t.Prev) }

// TokenScanner walks the tokens of a text in order, without allocating.
// It is the one definition of what a token is (see [Tokens] for the rules):
// BM25 keys, the hybrid ranking's sentence and phrase features and the
// local embedder's features all read its tokens and key or hash them their
// own way. A TokenScanner is a small value; it is not safe for concurrent
// use, but any number of them may scan the same text.
type TokenScanner struct {
	src       string
	pos       int
	prevHan   rune // folded
	keep      *RuneFilter
	skipWords bool
}

// NewTokenScanner returns a scanner at the start of src.
func NewTokenScanner(src string) TokenScanner {
	return TokenScanner{src: src, prevHan: -1}
}

// Keep makes Next skip the tokens a caller does not need: the Han
// characters that han does not hold, tested before folding (nil keeps
// them all; [RuneFilter.Add] adds the characters that fold to a
// character with it; a skipped character still is the Prev of a Han
// token after it) and, unless words is true, every Word and Number.
// Skipping a character costs a few instructions.
func (s *TokenScanner) Keep(han *RuneFilter, words bool) { s.keep, s.skipWords = han, !words }

// Next returns the next token, or ok false at the end of the text.
// Punctuation, symbols, spaces and invalid UTF-8 separate tokens and are
// skipped.
func (s *TokenScanner) Next() (tok Token, ok bool) {
	src, i, prevHan, keep := s.src, s.pos, s.prevHan, s.keep
	for i < len(src) {
		c := src[i]
		// Fast path for the three-byte runes that make up most of Chinese
		// text: the CJK Unified Ideographs (U+4E00..U+9FFF) and the
		// punctuation pages (see separatorPages).
		if c >= 0xE2 && c <= 0xEF && i+2 < len(src) && src[i+1]&0xC0 == 0x80 && src[i+2]&0xC0 == 0x80 {
			r := rune(c&0x0F)<<12 | rune(src[i+1]&0x3F)<<6 | rune(src[i+2]&0x3F)
			if r >= 0x4E00 && r <= 0x9FFF {
				if keep == nil || keep.Has(r) {
					f := foldHan(r)
					s.pos, s.prevHan = i+3, f
					return Token{Kind: Han, Start: i, End: i + 3, Rune: f, Prev: prevHan, Folded: f != r}, true
				}
				r, i = skipHan(src, i+3, r, keep)
				prevHan = FoldRune(r)
				continue
			}
			if isSeparator(r) {
				prevHan = -1
				i += 3
				continue
			}
		}
		if c < utf8.RuneSelf {
			prevHan = -1
			if kind := asciiKind(c); kind != 0 {
				if s.skipWords {
					// A skipped run needs no token: its runes end no
					// bigram, and a non-ASCII rune of it takes the
					// general path below, as it would after run.
					i++
					continue
				}
				s.prevHan = -1
				if tok := s.run(i, kind); !s.skipWords {
					return tok, true
				}
				i = s.pos
				continue
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(src[i:])
		if IsHan(r) {
			f := FoldRune(r)
			if keep == nil || keep.Has(r) {
				s.pos, s.prevHan = i+size, f
				return Token{Kind: Han, Start: i, End: i + size, Rune: f, Prev: prevHan, Folded: f != r}, true
			}
			prevHan = f
			i += size
			continue
		}
		prevHan = -1
		if kind := runeKind(foldWidth(r), 0); kind != 0 {
			s.prevHan = -1
			if tok := s.run(i, kind); !s.skipWords {
				return tok, true
			}
			i = s.pos
			continue
		}
		i += size
	}
	s.pos, s.prevHan = i, prevHan
	return Token{}, false
}

// skipHan skips the run of CJK Unified Ideographs at src[i:] that keep
// does not hold and returns the last one skipped (or prev) and the offset
// after them: the tight loop of Next for a caller that keeps few
// characters.
func skipHan(src string, i int, prev rune, keep *RuneFilter) (rune, int) {
	for i+2 < len(src) {
		c, c1, c2 := src[i], src[i+1], src[i+2]
		if c < 0xE4 || c > 0xE9 || c1&0xC0 != 0x80 || c2&0xC0 != 0x80 {
			break
		}
		r := rune(c&0x0F)<<12 | rune(c1&0x3F)<<6 | rune(c2&0x3F)
		if r < 0x4E00 || keep.Has(r) {
			break
		}
		prev, i = r, i+3
	}
	return prev, i
}

// RuneFilter is a set of runes with false positives (runes equal modulo
// 4096 collide), 512 bytes: a cheap test before an exact lookup.
type RuneFilter [64]uint64

// Add puts r in the filter, and with it the characters that fold to r
// (see [Fold]): a filter of folded characters passes a text's characters
// in either script.
func (f *RuneFilter) Add(r rune) {
	f.add(r)
	for _, p := range foldSources(r) {
		f.add(rune(p))
	}
}

func (f *RuneFilter) add(r rune) { f[(r&4095)>>6] |= 1 << (r & 63) }

// Has reports whether r may be in the filter.
func (f *RuneFilter) Has(r rune) bool { return f[(r&4095)>>6]&(1<<(r&63)) != 0 }

// run scans the Word or Number starting at start and leaves the scanner
// after it.
func (s *TokenScanner) run(start int, kind TokenKind) Token {
	src := s.src
	folded := false
	i := start
	for i < len(src) {
		c := src[i]
		if c < utf8.RuneSelf {
			if asciiKind(c) != kind {
				break
			}
			folded = folded || c >= 'A' && c <= 'Z'
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(src[i:])
		if IsHan(r) {
			break
		}
		f := foldWidth(r)
		if runeKind(f, kind) != kind {
			break
		}
		folded = folded || unicode.ToLower(f) != r
		i += size
	}
	s.pos = i
	return Token{Kind: kind, Start: start, End: i, Prev: -1, Folded: folded}
}

// separatorPages marks, for the pages U+20xx (general punctuation), U+30xx
// (CJK punctuation, kana) and U+FFxx (full-width forms), the runes that are
// part of no token, as the rules below decide: computed once, so the
// scanner's fast path skips Chinese punctuation without table lookups.
var separatorPages = func() (pages [3][4]uint64) {
	for p, base := range [3]rune{0x2000, 0x3000, 0xFF00} {
		for r := base; r < base+256; r++ {
			if !IsHan(r) && runeKind(foldWidth(r), 0) == 0 {
				pages[p][(r-base)/64] |= 1 << (r % 64)
			}
		}
	}
	return pages
}()

// isSeparator reports whether a rune of a separator page is part of no
// token; false for other runes.
func isSeparator(r rune) bool {
	p := -1
	switch r >> 8 {
	case 0x20:
		p = 0
	case 0x30:
		p = 1
	case 0xFF:
		p = 2
	default:
		return false
	}
	return separatorPages[p][(r&0xFF)/64]&(1<<(r%64)) != 0
}

// asciiKind classifies an ASCII byte: Word for a letter, Number for a
// digit, 0 for anything else.
func asciiKind(c byte) TokenKind {
	switch {
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		return Word
	case c >= '0' && c <= '9':
		return Number
	}
	return 0
}

// runeKind classifies a width-folded non-Han rune inside a run of kind cur
// (0 outside a run): a combining mark continues a Word but starts nothing.
func runeKind(f rune, cur TokenKind) TokenKind {
	switch {
	case f < utf8.RuneSelf:
		return asciiKind(byte(f))
	case unicode.IsDigit(f):
		return Number
	case unicode.IsLetter(f) || cur == Word && unicode.Is(unicode.Mn, f):
		return Word
	}
	return 0
}

// AppendFolded appends the token text of a Word or Number span (lowercased,
// full-width folded) to dst.
func AppendFolded(dst []byte, span string) []byte {
	for _, r := range span {
		dst = utf8.AppendRune(dst, unicode.ToLower(foldWidth(r)))
	}
	return dst
}
