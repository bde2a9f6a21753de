package ocr

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
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

// text returns the words of l joined with [appendJoined], with the ASCII
// punctuation next to CJK characters made full-width ([widenPunctuation]).
func (l ocrLine) text() string {
	var b []byte
	for _, w := range l.words {
		b = appendJoined(b, w.text)
	}
	return widenPunctuation(string(b))
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
		text := strings.TrimSpace(strings.ToValidUTF8(strings.Join(f[11:], " "), ""))
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

// appendJoined appends w to b, after a space unless b is empty or the
// characters on either side of the join are CJK ([isCJK]).
func appendJoined(b []byte, w string) []byte {
	if len(b) > 0 && w != "" {
		last, _ := utf8.DecodeLastRune(b)
		first, _ := utf8.DecodeRuneInString(w)
		if !isCJK(last) && !isCJK(first) {
			b = append(b, ' ')
		}
	}
	return append(b, w...)
}

// fullWidth maps the ASCII punctuation marks that Tesseract's Chinese
// models often read instead of the full-width ones to those.
var fullWidth = map[rune]rune{',': '，', ';': '；', ':': '：', '!': '！', '?': '？', '(': '（', ')': '）'}

// widenPunctuation returns s with each ASCII punctuation mark in
// [fullWidth] that follows or precedes a CJK character ([isCJK]) replaced
// by its full-width form, as Chinese text writes it.
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
		if (i > 0 && isCJK(runes[i-1])) || (i+1 < len(runes) && isCJK(runes[i+1])) {
			runes[i] = wide
		}
	}
	return string(runes)
}
