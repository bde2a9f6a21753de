package ocr

import (
	"strings"
	"unicode"
)

// Chinese quotation marks. Tesseract's Chinese models read the curly
// quotation marks “ ” of Chinese text as ASCII '"' about as often as
// not. Chinese text quotes with “ ”, so an ASCII '"' that opens or closes
// CJK text is taken for one of them (see [chineseQuotes]); a '"' around
// Latin text, as in （"Podocarpus"）, is left alone.

// opensAfter holds the marks after which a quotation mark opens a
// quotation; closesBefore those before which it closes one.
const (
	opensAfter   = "，。；：、！？（《「“—…"
	closesBefore = "，。；：、！？）》」”—…"
)

// chineseQuotes returns text, hard-wrapped lines in which a paragraph
// ends with a line ending in a space (see [shapePage]), with each ASCII
// '"' that opens a quotation before a CJK character, or closes one after
// a CJK character, replaced by “ or ”. Whether a '"' opens or closes
// comes from its neighbours (opening after a paragraph start or after
// [opensAfter], closing before a paragraph end or [closesBefore]) and,
// where they do not tell, from the quotation marks before it in its
// paragraph: it closes a quotation that is open, else it opens one.
func chineseQuotes(text string) string {
	if !strings.Contains(text, `"`) {
		return text
	}
	runes := []rune(text)
	open := false
	for i, r := range runes {
		switch r {
		case '“':
			open = true
		case '”':
			open = false
		case '\n':
			if i > 0 && runes[i-1] == ' ' {
				open = false // a paragraph ends
			}
		case '"':
			prev, next := quoteNeighbour(runes, i, -1), quoteNeighbour(runes, i, 1)
			opening := prev == 0 || strings.ContainsRune(opensAfter, prev)
			closing := next == 0 || strings.ContainsRune(closesBefore, next)
			if opening == closing {
				opening = !open
			}
			switch {
			case opening && isCJK(next):
				runes[i] = '“'
			case !opening && isCJK(prev):
				runes[i] = '”'
			}
			open = opening
		}
	}
	return string(runes)
}

// quoteNeighbour returns the first character from runes[i] in direction
// dir (-1 or 1) that is not white space, or 0 when the paragraph or the
// text ends first.
func quoteNeighbour(runes []rune, i, dir int) rune {
	for j := i + dir; j >= 0 && j < len(runes); j += dir {
		r := runes[j]
		if r == '\n' && j > 0 && runes[j-1] == ' ' {
			return 0 // a paragraph end: "line \n\n"
		}
		if !unicode.IsSpace(r) {
			return r
		}
	}
	return 0
}
