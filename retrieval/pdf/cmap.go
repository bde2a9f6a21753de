package pdf

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// unicodeMap is a font's ToUnicode CMap (PDF 32000 §9.10.3): it maps
// character codes of one to four bytes to text. The reader has its own, but
// that one adds a range's offset to the last byte only, which garbles
// ranges over more than 256 codes, such as <0000> <FFFF> <0000> (written
// by fpdf and others for Unicode-ordered fonts).
type unicodeMap struct {
	spaces  []codeSpace       // shortest codes first
	chars   map[uint64]string // by codeKey
	ranges  []unicodeRange    // too large to expand into chars
	codeLen int               // code length when no code space matches
}

// codeSpace is a range of codes of n bytes.
type codeSpace struct {
	n      int
	lo, hi uint32
}

// unicodeRange maps the codes lo..hi of n bytes to dst, with its last rune
// incremented by the code's offset from lo.
type unicodeRange struct {
	n      int
	lo, hi uint32
	dst    []rune
}

// Limits of a unicodeMap: the codes it expands into its map and the ranges
// it keeps (and searches one by one).
const (
	maxCMapEntries = 1 << 17
	maxCMapRanges  = 1 << 10
)

// codeKey returns the key of the code of n bytes in unicodeMap.chars.
func codeKey(n int, code uint32) uint64 { return uint64(n)<<32 | uint64(code) }

// bigEndian returns the bytes of s (at most four) as a number.
func bigEndian(s string) uint32 {
	var c uint32
	for i := 0; i < len(s); i++ {
		c = c<<8 | uint32(s[i])
	}
	return c
}

// utf16Text returns the UTF-16BE bytes s as text.
func utf16Text(s string) []rune {
	units := make([]uint16, 0, len(s)/2)
	for i := 0; i+1 < len(s); i += 2 {
		units = append(units, uint16(s[i])<<8|uint16(s[i+1]))
	}
	return utf16.Decode(units)
}

// parseToUnicode returns the ToUnicode CMap in data, or nil when it maps
// no code. It reads the code space, bfchar and bfrange sections and skips
// everything else.
func parseToUnicode(data []byte) *unicodeMap {
	m := &unicodeMap{chars: make(map[uint64]string)}
	lengths := [5]int{}
	contentOps(data, func(op string, args []operand) bool {
		switch op {
		case "endcodespacerange":
			for i := 0; i+1 < len(args); i += 2 {
				lo, hi := args[i], args[i+1]
				if n := len(lo.s); lo.kind == 's' && hi.kind == 's' && n >= 1 && n <= 4 && len(hi.s) == n {
					m.spaces = append(m.spaces, codeSpace{n, bigEndian(lo.s), bigEndian(hi.s)})
				}
			}
		case "endbfchar":
			for i := 0; i+1 < len(args); i += 2 {
				src, dst := args[i], args[i+1]
				if n := len(src.s); src.kind == 's' && dst.kind == 's' && n >= 1 && n <= 4 && len(m.chars) < maxCMapEntries {
					m.chars[codeKey(n, bigEndian(src.s))] = string(utf16Text(dst.s))
					lengths[n]++
				}
			}
		case "endbfrange":
			for i := 0; i+2 < len(args); i += 3 {
				m.addRange(args[i], args[i+1], args[i+2])
				if n := len(args[i].s); n >= 1 && n <= 4 {
					lengths[n]++
				}
			}
		}
		return true
	})
	if len(m.chars) == 0 && len(m.ranges) == 0 {
		return nil
	}
	slices.SortStableFunc(m.spaces, func(a, b codeSpace) int { return a.n - b.n })
	m.codeLen = 1
	for n := 2; n <= 4; n++ {
		if lengths[n] > lengths[m.codeLen] {
			m.codeLen = n
		}
	}
	return m
}

// addRange adds the bfrange entry lo hi dst, where dst is a hex string or
// an array of them.
func (m *unicodeMap) addRange(lo, hi, dst operand) {
	n := len(lo.s)
	if lo.kind != 's' || hi.kind != 's' || n < 1 || n > 4 || len(hi.s) != n {
		return
	}
	first, last := bigEndian(lo.s), bigEndian(hi.s)
	if last < first {
		return
	}
	switch dst.kind {
	case '[':
		for i, d := range dst.arr {
			if uint64(first)+uint64(i) > uint64(last) || len(m.chars) >= maxCMapEntries {
				break
			}
			if d.kind == 's' {
				m.chars[codeKey(n, first+uint32(i))] = string(utf16Text(d.s))
			}
		}
	case 's':
		base := utf16Text(dst.s)
		if len(base) == 0 {
			return
		}
		if last-first >= 256 || len(m.chars)+int(last-first) >= maxCMapEntries {
			if len(m.ranges) < maxCMapRanges {
				m.ranges = append(m.ranges, unicodeRange{n, first, last, base})
			}
			return
		}
		for c := first; c <= last; c++ {
			m.chars[codeKey(n, c)] = string(offsetLast(base, c-first))
		}
	}
}

// offsetLast returns runes with its last rune incremented by d, or a
// replacement character when that is not a valid rune.
func offsetLast(runes []rune, d uint32) []rune {
	out := slices.Clone(runes)
	r := int64(out[len(out)-1]) + int64(d)
	if r > unicode.MaxRune || (r >= 0xD800 && r <= 0xDFFF) {
		return []rune{utf8.RuneError}
	}
	out[len(out)-1] = rune(r)
	return out
}

// Decode returns the text of the codes in raw; a code the map does not
// know becomes a replacement character. It implements the reader's TextEncoding.
func (m *unicodeMap) Decode(raw string) string {
	var b strings.Builder
	for len(raw) > 0 {
		n := m.codeLength(raw)
		code := bigEndian(raw[:n])
		raw = raw[n:]
		if s, ok := m.chars[codeKey(n, code)]; ok {
			b.WriteString(s)
			continue
		}
		found := false
		for _, r := range m.ranges {
			if r.n == n && r.lo <= code && code <= r.hi {
				b.WriteString(string(offsetLast(r.dst, code-r.lo)))
				found = true
				break
			}
		}
		if !found {
			b.WriteRune(utf8.RuneError)
		}
	}
	return b.String()
}

// codeLength returns the length of the code at the start of raw: that of
// the first code space range it falls in, else the usual code length.
func (m *unicodeMap) codeLength(raw string) int {
	for _, s := range m.spaces {
		if s.n <= len(raw) {
			if c := bigEndian(raw[:s.n]); s.lo <= c && c <= s.hi {
				return s.n
			}
		}
	}
	return min(m.codeLen, len(raw))
}
