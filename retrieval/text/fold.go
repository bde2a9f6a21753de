package text

//go:generate go run ./internal/foldgen -in ../../../shared/dict/cedict_ts.u8.gz -out fold_table.go

import (
	"math/bits"
	"slices"
	"unicode/utf8"
)

// Script folding.
//
// A Simplified question about a Traditional document (坦赞铁路 for
// 坦贊鐵路), or the reverse, shares few tokens with it. So every Han token
// is folded: each character is replaced by the one CC-CEDICT's
// one-character entries map it to, Traditional to Simplified (鐵 to 铁,
// 於 to 于, 麼 to 么) and obsolete variants to their standard form (氷 to
// 冰), from the generated table foldPairs (see internal/foldgen). Folding
// applies alike to documents and questions, so a pair it merges that a
// script keeps apart (徵 and 征) only makes two words of one script
// match; a character that is a Simplified one in its own right (宁, 么,
// 著, 乾) is left alone.
//
// Folding never changes the length of a character's UTF-8 encoding, so a
// folded token has the byte offsets of the text it comes from and a quote
// cut at those offsets is the document's own text. It is idempotent:
// FoldRune(FoldRune(r)) == FoldRune(r).
//
// The table is a bitmap over U+3400..U+9FFF (every character it folds
// lies there) with a rank count per 64 characters, so a lookup is a bit
// test, and for a character that folds, a population count and an array
// read.

const (
	foldLo   = 0x3400
	foldSpan = 0xA000 - foldLo
	// foldWords covers the span, rounded up to a power of two so that a
	// character of U+4E00..U+9FFF needs no range or bounds check.
	foldWords = 1 << 9
	// foldCap bounds the pairs; a power of two, so that indexing to
	// needs no bounds check.
	foldCap = 1 << 13
)

// charSet is a set of characters of the span: a bitmap with the count
// of set bits before each word, so that a member's rank is a population
// count away.
type charSet struct {
	bits [foldWords]uint64
	rank [foldWords]uint16
}

// has reports whether the character at offset d of the span is in the set.
func (c *charSet) has(d uint32) bool { return c.bits[d/64%foldWords]&(1<<(d%64)) != 0 }

// index returns the rank of the member at offset d: how many members lie
// before it.
func (c *charSet) index(d uint32) uint32 {
	w := d / 64 % foldWords
	return uint32(c.rank[w]) + uint32(bits.OnesCount64(c.bits[w]&(1<<(d%64)-1)))
}

// count sets the ranks once every member is added and returns the size.
func (c *charSet) count() int {
	n := 0
	for w, b := range c.bits {
		c.rank[w] = uint16(n)
		n += bits.OnesCount64(b)
	}
	return n
}

// foldTable is foldPairs indexed for lookup.
type foldTable struct {
	// from holds the characters that fold; to[i] is the fold of the
	// member of rank i.
	from charSet
	to   [foldCap]uint16
	// into holds the folds; the characters folding to its member of rank
	// i are srcs[srcOff[i]:srcOff[i+1]] (see [RuneFilter.Add]).
	into   charSet
	srcOff []uint16
	srcs   []uint16
}

var folds = newFoldTable(foldPairs)

// newFoldTable indexes a string of character pairs. It panics on a
// character outside the span, a pair of unequal encoded lengths or too
// many pairs, which a test of the generated table rules out.
func newFoldTable(pairs string) foldTable {
	var ft foldTable
	rs := []rune(pairs)
	if len(rs)/2 > foldCap {
		panic("text: too many fold pairs")
	}
	for i := 0; i+1 < len(rs); i += 2 {
		from, to := rs[i], rs[i+1]
		if uint32(from-foldLo) >= foldSpan || uint32(to-foldLo) >= foldSpan || utf8.RuneLen(from) != utf8.RuneLen(to) {
			panic("text: bad fold pair " + string(rs[i:i+2]))
		}
		ft.from.bits[(from-foldLo)/64] |= 1 << ((from - foldLo) % 64)
		ft.into.bits[(to-foldLo)/64] |= 1 << ((to - foldLo) % 64)
	}
	ft.from.count()
	n := ft.into.count()
	ft.srcOff = make([]uint16, n+1)
	for i := 0; i+1 < len(rs); i += 2 {
		ft.to[ft.from.index(uint32(rs[i]-foldLo))%foldCap] = uint16(rs[i+1])
		ft.srcOff[ft.into.index(uint32(rs[i+1]-foldLo))+1]++
	}
	for i := range n {
		ft.srcOff[i+1] += ft.srcOff[i]
	}
	ft.srcs = make([]uint16, len(rs)/2)
	fill := slices.Clone(ft.srcOff)
	for i := 0; i+1 < len(rs); i += 2 {
		t := ft.into.index(uint32(rs[i+1] - foldLo))
		ft.srcs[fill[t]] = uint16(rs[i])
		fill[t]++
	}
	return ft
}

// FoldRune returns the character r folds to (see [Fold]): its Simplified
// or standard form, or r itself. It is a bit test for a character that
// does not fold.
func FoldRune(r rune) rune {
	d := uint32(r) - foldLo
	if d >= foldSpan || !folds.from.has(d) {
		return r
	}
	return rune(folds.to[folds.from.index(d)%foldCap])
}

// foldHan is FoldRune for a character of U+4E00..U+9FFF (inside the
// span), the scanner's fast path.
func foldHan(r rune) rune {
	d := uint32(r) - foldLo
	if !folds.from.has(d) {
		return r
	}
	return rune(folds.to[folds.from.index(d)%foldCap])
}

// Fold returns s with every Han character folded to its Simplified or
// standard form (鐵路 to 铁路): the text the tokens of s are cut from.
// The result has the length and byte offsets of s; s itself is returned
// when nothing folds, without allocating.
func Fold(s string) string {
	for i := 0; i < len(s); i++ {
		if r, ok := han3(s, i); ok && FoldRune(r) != r {
			return foldFrom(s, i)
		}
	}
	return s
}

// foldFrom returns Fold(s), whose first character to fold is at i: a copy
// of s with the characters that fold overwritten in place.
func foldFrom(s string, i int) string {
	b := []byte(s)
	for ; i < len(s); i++ {
		r, ok := han3(s, i)
		if !ok {
			continue
		}
		if f := FoldRune(r); f != r {
			b[i], b[i+1], b[i+2] = 0xE0|byte(f>>12), 0x80|byte(f>>6)&0x3F, 0x80|byte(f)&0x3F
		}
		i += 2
	}
	return string(b)
}

// han3 decodes the character at s[i] when it is one of U+3000..U+9FFF,
// three bytes in UTF-8: the block every character that folds, and every
// fold, lies in (a byte inside another character is never a lead byte of
// these).
func han3(s string, i int) (rune, bool) {
	c := s[i]
	if c < 0xE3 || c > 0xE9 || i+2 >= len(s) || s[i+1]&0xC0 != 0x80 || s[i+2]&0xC0 != 0x80 {
		return 0, false
	}
	return rune(c&0x0F)<<12 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F), true
}

// foldSources returns the characters that fold to r, other than r.
func foldSources(r rune) []uint16 {
	d := uint32(r) - foldLo
	if d >= foldSpan || !folds.into.has(d) {
		return nil
	}
	i := folds.into.index(d)
	return folds.srcs[folds.srcOff[i]:folds.srcOff[i+1]]
}

// IsTraditional reports whether s is written in Traditional characters:
// it holds more Han characters that fold to another (see [FoldRune]) than
// one in twenty of its Han characters, and at least one.
func IsTraditional(s string) bool {
	han, folded := 0, 0
	for _, r := range s {
		if IsHan(r) {
			han++
			if FoldRune(r) != r {
				folded++
			}
		}
	}
	return folded > 0 && folded*20 > han
}
