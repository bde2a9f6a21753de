package ocr

import (
	"strconv"
	"strings"
	"unicode"
)

// word is one word Tesseract read: its text, its box in pixels and its
// confidence (0-100).
type word struct {
	text                     string
	left, top, right, bottom int
	conf                     float64
}

// ocrLine is one line of a page as Tesseract read it: its words in
// reading order, its box, and the layout block it belongs to.
type ocrLine struct {
	block                    int
	words                    []word
	left, top, right, bottom int
}

// height returns the height of l's box.
func (l ocrLine) height() int { return l.bottom - l.top }

// text returns the words of l joined by spaces, with the ASCII
// punctuation next to CJK characters made full-width
// ([widenPunctuation]) and the spaces next to CJK characters removed
// ([dropCJKSpaces]).
func (l ocrLine) text() string {
	words := make([]string, len(l.words))
	for i, w := range l.words {
		words[i] = w.text
	}
	return dropCJKSpaces(widenPunctuation(strings.Join(words, " ")))
}

// maxTSVField caps the coordinates read from Tesseract's TSV output, so
// that sums of them cannot overflow.
const maxTSVField = 1 << 24

// parseTSV returns the lines of words in out, the output of Tesseract's
// "tsv" configuration (columns level, page_num, block_num, par_num,
// line_num, word_num, left, top, width, height, conf, text). Lines come in
// the order of their first word; words with no visible text and rows that
// are not word rows (level 5) or do not parse are skipped.
func parseTSV(out string) []ocrLine {
	var lines []ocrLine
	var lastKey [3]int
	for row := range strings.SplitSeq(out, "\n") {
		f := strings.Split(strings.TrimRight(row, "\r"), "\t")
		if len(f) < 12 || f[0] != "5" {
			continue
		}
		text := cleanWord(strings.Join(f[11:], " "))
		var n [8]int
		ok := true
		for i, s := range append(f[2:5:5], f[6:10]...) {
			v, err := strconv.Atoi(s)
			if err != nil || v < 0 || v > maxTSVField {
				ok = false
				break
			}
			n[i] = v
		}
		conf, err := strconv.ParseFloat(f[10], 64)
		if !ok || err != nil || !visible(text) {
			continue
		}
		if !(conf >= 0) { // negative or NaN
			conf = 0
		}
		w := word{text: text, left: n[3], top: n[4], right: n[3] + n[5], bottom: n[4] + n[6], conf: conf}
		key := [3]int{n[0], n[1], n[2]}
		if len(lines) == 0 || key != lastKey {
			lines = append(lines, ocrLine{block: n[0], left: w.left, top: w.top, right: w.right, bottom: w.bottom})
			lastKey = key
		}
		l := &lines[len(lines)-1]
		l.words = append(l.words, w)
		l.left, l.top = min(l.left, w.left), min(l.top, w.top)
		l.right, l.bottom = max(l.right, w.right), max(l.bottom, w.bottom)
	}
	return lines
}

// cleanWord returns the text of a word from Tesseract's output as valid
// UTF-8 on one line: control characters and runs of white space become
// one space, and it is trimmed.
func cleanWord(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	return strings.Join(strings.Fields(s), " ")
}

// visible reports whether s holds a character that is not white space or
// a control or formatting character.
func visible(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) && !unicode.IsControl(r) && !unicode.Is(unicode.Cf, r) {
			return true
		}
	}
	return false
}

// isCJK reports whether r is written without spaces around it: a Han
// character, kana, CJK punctuation or a full-width form.
func isCJK(r rune) bool {
	switch {
	case r >= 0x3000 && r <= 0x30FF, // CJK punctuation, hiragana, katakana
		r >= 0xFF00 && r <= 0xFF60, r >= 0xFFE0 && r <= 0xFFEF: // full-width forms
		return true
	}
	return unicode.Is(unicode.Han, r)
}

// dropCJKSpaces returns s without the spaces that have a CJK character
// ([isCJK]) on either side: Chinese and Japanese are written without
// spaces, and Tesseract puts them between characters it reads as words.
func dropCJKSpaces(s string) string {
	if !strings.Contains(s, " ") {
		return s
	}
	runes := []rune(s)
	out := runes[:0]
	for i, r := range runes {
		if r == ' ' && ((len(out) > 0 && isCJK(out[len(out)-1])) || (i+1 < len(runes) && isCJK(nextVisible(runes[i+1:])))) {
			continue
		}
		out = append(out, r)
	}
	return string(out)
}

// nextVisible returns the first rune of runes that is not a space, or 0.
func nextVisible(runes []rune) rune {
	for _, r := range runes {
		if r != ' ' {
			return r
		}
	}
	return 0
}

// fullWidth maps the ASCII punctuation marks that Tesseract's Chinese
// models often read instead of the full-width ones to those.
var fullWidth = map[rune]rune{',': '，', ';': '；', ':': '：', '!': '！', '?': '？', '(': '（', ')': '）'}

// widenPunctuation returns s with each ASCII punctuation mark in
// [fullWidth] that follows or precedes a CJK character ([isCJK]) replaced
// by its full-width form, as Chinese text writes it; spaces and quotation
// marks between them do not count, so that the comma in 说"好", is
// widened as well.
func widenPunctuation(s string) string {
	if !strings.ContainsAny(s, ",;:!?()") {
		return s
	}
	runes := []rune(s)
	for i, r := range runes {
		wide, ok := fullWidth[r]
		if !ok {
			continue
		}
		if isCJK(punctuationNeighbour(runes, i, -1)) || isCJK(punctuationNeighbour(runes, i, 1)) {
			runes[i] = wide
		}
	}
	return string(runes)
}

// punctuationNeighbour returns the first rune from runes[i] in direction
// dir (-1 or 1) that is neither a space nor a quotation mark, or 0.
func punctuationNeighbour(runes []rune, i, dir int) rune {
	for j := i + dir; j >= 0 && j < len(runes); j += dir {
		if !strings.ContainsRune(" \"'“”‘’", runes[j]) {
			return runes[j]
		}
	}
	return 0
}
