package pdfread

import (
	_ "embed"
	"strconv"
	"strings"
	"sync"
)

// glyphNames lists glyph names and their code points, one "name hex" a
// line, after comment lines starting with '#'.
//
//go:embed glyphnames.txt
var glyphNames string

// glyphRunes maps the glyph names of glyphNames to their code points.
var glyphRunes = sync.OnceValue(func() map[string]rune {
	m := make(map[string]rune, 4300)
	for line := range strings.Lines(glyphNames) {
		name, hex, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok || strings.HasPrefix(name, "#") {
			continue
		}
		if r, err := strconv.ParseUint(hex, 16, 32); err == nil {
			m[name] = rune(r)
		}
	}
	return m
})

// glyphRune returns the code point of the glyph called name, or 0 when
// the name is not known.
func glyphRune(name string) rune {
	return glyphRunes()[name]
}
