package document

import (
	"iter"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/citebot/citebot/retrieval/text"
)

// Paragraph rebuilding turns normalised file text (LF line ends, no BOM) into
// the rebuilt [Document.Text] and its [Paragraph] list. It recognises two
// shapes of input, described on the package and in detail below; the code
// works on substrings of the source and writes the result into one builder,
// so a large file costs about two copies of its size and no allocation per
// line.
//
// Hard-wrapped text (PDF extraction, see textShape.hardWrapped): every
// non-blank line is a piece of a paragraph, a line ending in white space
// closes the paragraph and blank or white-space-only lines are ignored (so
// page breaks do not split paragraphs). The leading short blocks that do not end a
// sentence (title, subtitle; see titleBlocks) are joined into one heading
// paragraph.
//
// Blank-line separated text (everything else): a blank line ends a
// paragraph and the lines of a block are joined. Within a block:
//
//   - a Markdown ATX heading ("# Title" .. "###### Title") or a line
//     underlined with "===" or "---" is a heading paragraph; its text is
//     stored without the '#' marks and becomes the Section of the body
//     paragraphs after it, up to the next heading;
//   - "---", "***" and "___" lines on their own (thematic breaks) are
//     dropped;
//   - list items ("- ", "* ", "+ ", "• ", "1. ", "1) ", "1、") and table rows
//     ("| a | b |") stay in the block's paragraph, each on its own line;
//   - "> " quote marks are removed;
//   - in plain text (not Markdown, where a single line break never ends a
//     paragraph), outside a list, a line indented with an ideographic space
//     (U+3000) or two or more spaces before a CJK character starts a new
//     paragraph, as in Chinese plain text where each paragraph is one
//     indented line;
//   - in plain text, a block of three or more lines that all end a sentence
//     (。！？.!? ...) holds one paragraph per line.
//
// Fenced code blocks (``` or ~~~) are one paragraph each, blank lines
// inside them included; their lines are trimmed and kept on separate lines.
//
// Lines are trimmed and joined with [joinSeparator]: no space when a CJK
// character or CJK punctuation is on either side, one space otherwise, none
// after a hyphen that breaks a Latin word. Text within a line is kept as it
// is in the file.
//
// In both shapes, form feeds at the start of a line are page breaks: they
// set the pages of the paragraphs and are dropped (see page.go).

// Limits of the title detection in hard-wrapped text.
const (
	maxTitleBlocks = 5  // blocks before the first body paragraph
	maxTitleRunes  = 80 // runes in one title block
	maxTitleLines  = 3  // lines in one title block
)

// rebuildParagraphs rebuilds the paragraphs of src, which has LF line ends
// and no BOM; markdown says whether it is a Markdown file rather than plain
// text. It returns the rebuilt text and its paragraphs, at most maxParas
// of them when maxParas > 0, and how many paragraphs the text has in all;
// Section fields are substrings of the text.
func rebuildParagraphs(src string, markdown bool, maxParas int) (string, []Paragraph, int) {
	shape := measureShape(src)
	if shape.hardWrapped() {
		w := newParagraphWriter(len(src), shape.ends+1, maxParas)
		rebuildHardWrapped(src, w)
		return w.finish()
	}
	w := newParagraphWriter(len(src), shape.separated+1, maxParas)
	rebuildBlankSeparated(src, markdown, w)
	return w.finish()
}

// maxShapeWidth is the widest line, in columns, that textShape tells apart.
const maxShapeWidth = 512

// textShape holds the line statistics that tell hard-wrapped text from
// blank-line separated text.
type textShape struct {
	nonBlank  int // lines with text
	separated int // lines with text followed by a blank line or the end
	ends      int // lines with text and trailing white space
	wrapped   int // lines with text and no trailing white space
	// widths counts the wrapped lines by display width (capped).
	widths [maxShapeWidth + 1]int
}

// looksHardWrapped reports whether src looks like PDF-extracted hard-wrapped
// text; see [textShape.hardWrapped].
func looksHardWrapped(src string) bool {
	shape := measureShape(src)
	return shape.hardWrapped()
}

// measureShape returns the line statistics of src.
func measureShape(src string) *textShape {
	shape := new(textShape)
	prevNonBlank := false
	for line := range strings.SplitSeq(src, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" {
			if prevNonBlank {
				shape.separated++
			}
			prevNonBlank = false
			continue
		}
		shape.nonBlank++
		prevNonBlank = true
		if len(trimmed) < len(strings.TrimLeftFunc(line, unicode.IsSpace)) {
			shape.ends++
			continue
		}
		shape.wrapped++
		shape.widths[displayWidth(trimmed, maxShapeWidth)]++
	}
	if prevNonBlank {
		shape.separated++
	}
	return shape
}

// hardWrapped reports whether the statistics are those of PDF-extracted
// hard-wrapped text: there are at least three non-blank lines; nearly all of
// them (90%) are followed by a blank line; some, but at most two thirds, end
// with trailing white space (the paragraph ends); and the other lines (the
// wrapped ones) mostly (60%) have about the same display width (within 25%
// of their median), as lines filled up to a margin do. Ordinary blank-line
// separated text, whose lines are whole paragraphs of varying length
// without trailing space, fails the last two tests.
func (s *textShape) hardWrapped() bool {
	if s.nonBlank < 3 || s.ends == 0 || s.wrapped == 0 ||
		10*s.separated < 9*s.nonBlank || 3*s.ends > 2*s.nonBlank {
		return false
	}
	median, seen := 0, 0
	for w, n := range s.widths {
		seen += n
		if 2*seen >= s.wrapped {
			median = w
			break
		}
	}
	if median >= maxShapeWidth {
		return false
	}
	near := 0
	for w := median * 3 / 4; w <= median*5/4 && w <= maxShapeWidth; w++ {
		near += s.widths[w]
	}
	return 10*near >= 6*s.wrapped
}

// hardWrappedBlocks yields the paragraphs of hard-wrapped text as lists of
// trimmed lines, each with the number of page breaks (see page.go) before
// its first line. The yielded slice is reused: the consumer must not keep
// it.
func hardWrappedBlocks(src string) iter.Seq2[int, []string] {
	return func(yield func(int, []string) bool) {
		var lines []string
		breaks, first := 0, 0
		for line := range strings.SplitSeq(src, "\n") {
			line, n := cutPageBreaks(line)
			breaks += n
			trimmed := strings.TrimSpace(line)
			if trimmed == "" {
				continue
			}
			if len(lines) == 0 {
				first = breaks
			}
			lines = append(lines, trimmed)
			if len(trimmed) < len(strings.TrimLeftFunc(line, unicode.IsSpace)) {
				if !yield(first, lines) {
					return
				}
				lines = lines[:0]
			}
		}
		if len(lines) > 0 {
			yield(first, lines)
		}
	}
}

// titleBlocks returns how many leading blocks of hard-wrapped text form its
// heading: blocks of at most maxTitleLines lines and maxTitleRunes runes that
// do not end a sentence, followed by a block that is not like that (the
// first body paragraph). It returns 0 when there is no such body paragraph
// within maxTitleBlocks+1 blocks.
func titleBlocks(src string) int {
	n := 0
	for _, lines := range hardWrappedBlocks(src) {
		runes := 0
		for _, l := range lines {
			runes += utf8.RuneCountInString(l)
		}
		if len(lines) > maxTitleLines || runes > maxTitleRunes || text.EndsSentence(lines[len(lines)-1]) {
			return n
		}
		if n++; n > maxTitleBlocks {
			return 0
		}
	}
	return 0
}

// rebuildHardWrapped writes the paragraphs of hard-wrapped text to w,
// with their pages when src has page breaks or w is paged.
func rebuildHardWrapped(src string, w *paragraphWriter) {
	w.startPages(src)
	titles := titleBlocks(src)
	i, turned := 0, 0
	for breaks, lines := range hardWrappedBlocks(src) {
		w.turnPages(breaks - turned)
		turned = breaks
		for _, l := range lines {
			w.addLine(l, joinWrapped)
		}
		switch {
		case i < titles-1:
			// The heading continues in the next block.
		case i == titles-1:
			w.endTitle()
		default:
			w.endBody()
		}
		i++
	}
	w.endBody()
}

// rebuildBlankSeparated writes the paragraphs of blank-line separated text
// (plain or Markdown) to w, with their pages when src has page breaks.
func rebuildBlankSeparated(src string, markdown bool, w *paragraphWriter) {
	w.startPages(src)
	var block []string // raw lines, page breaks included: see writeBlock
	fence := ""        // the fence of the open code block, if any
	for raw := range strings.SplitSeq(src, "\n") {
		line, breaks := cutPageBreaks(raw)
		trimmed := strings.TrimSpace(line)
		if fence != "" {
			w.turnPages(breaks)
			if strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]) == "" {
				w.endBody()
				fence = ""
			} else if trimmed != "" {
				w.addLine(trimmed, joinNewline)
			}
			continue
		}
		if f := openingFence(line); f != "" || trimmed == "" {
			writeBlock(block, markdown, w)
			block = block[:0]
			w.turnPages(breaks)
			fence = f
			continue
		}
		block = append(block, raw)
	}
	writeBlock(block, markdown, w)
	w.endBody()
}

// openingFence returns the fence ("```" or "~~~", as long as in the line)
// when line opens a fenced code block, or "".
func openingFence(line string) string {
	s := trimIndent(line, 3)
	if len(s) < 3 || (s[0] != '`' && s[0] != '~') {
		return ""
	}
	n := 0
	for n < len(s) && s[n] == s[0] {
		n++
	}
	if n < 3 || (s[0] == '`' && strings.Contains(s[n:], "`")) {
		return ""
	}
	return s[:n]
}

// writeBlock writes one blank-line separated block of raw lines to w,
// following the rules described at the top of this file; the page breaks
// at the start of a line turn w's pages before the line is written.
func writeBlock(block []string, markdown bool, w *paragraphWriter) {
	if len(block) == 0 {
		return
	}
	onePerLine := false
	if !markdown && len(block) >= 3 {
		onePerLine = true
		for _, line := range block {
			kind, body := classifyLine(line)
			if kind != lineText || !text.EndsSentence(body) {
				onePerLine = false
				break
			}
		}
	}
	inList := false // the open paragraph has list items
	for _, line := range block {
		line, breaks := cutPageBreaks(line)
		w.turnPages(breaks)
		kind, text := classifyLine(line)
		if !w.open {
			inList = false
		}
		switch kind {
		case lineHeading:
			w.endBody()
			if text != "" {
				w.addLine(text, joinWrapped)
				w.endSection()
			}
		case lineUnderline:
			if w.open && !inList {
				w.endSection()
			} else {
				w.endBody()
			}
		case lineBreak:
			w.endBody()
		case lineItem:
			w.addLine(text, joinNewline)
			inList = true
		case lineText:
			if onePerLine || (!markdown && !inList && indentsParagraph(line)) {
				w.endBody()
			}
			w.addLine(text, joinWrapped)
		}
	}
	w.endBody()
}

// lineKind classifies a line of blank-line separated text.
type lineKind int

const (
	lineText      lineKind = iota
	lineHeading            // "# Title"
	lineUnderline          // "===" or "---" under a heading
	lineBreak              // "***" or "___": a thematic break
	lineItem               // a list item or a table row
)

// classifyLine returns the kind of a raw line of blank-line separated text
// and its text: trimmed, without heading marks or quote marks.
func classifyLine(line string) (lineKind, string) {
	text := strings.TrimSpace(line)
	for strings.HasPrefix(text, ">") {
		text = strings.TrimSpace(text[1:])
	}
	if text == "" {
		return lineBreak, ""
	}
	switch text[0] {
	case '#':
		n := 0
		for n < len(text) && text[n] == '#' {
			n++
		}
		if n > 6 || (n < len(text) && text[n] != ' ' && text[n] != '\t') {
			break
		}
		title := strings.TrimSpace(text[n:])
		// A closing sequence of '#'s ("## Title ##") is not part of it.
		if t := strings.TrimRight(title, "#"); t == "" || strings.HasSuffix(t, " ") || strings.HasSuffix(t, "\t") {
			title = strings.TrimSpace(t)
		}
		return lineHeading, title
	case '=', '-', '*', '_':
		if marks, spaced := countRuleMarks(text); marks >= 3 {
			if text[0] == '=' || (text[0] == '-' && !spaced) {
				return lineUnderline, ""
			}
			return lineBreak, ""
		}
	}
	if isListItem(text) || (text[0] == '|' && len(text) > 1) {
		return lineItem, text
	}
	return lineText, text
}

// countRuleMarks returns how many times the first byte of the trimmed line
// s repeats in it, when s holds nothing else but spaces, and whether there
// are spaces; else it returns 0.
func countRuleMarks(s string) (marks int, spaced bool) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case s[0]:
			marks++
		case ' ', '\t':
			spaced = true
		default:
			return 0, false
		}
	}
	return marks, spaced
}

// listBullets start unnumbered list items.
var listBullets = []string{"- ", "* ", "+ ", "• ", "・"}

// isListItem reports whether the trimmed line s starts a list item.
func isListItem(s string) bool {
	for _, bullet := range listBullets {
		if strings.HasPrefix(s, bullet) {
			return true
		}
	}
	n := 0
	for n < len(s) && n < 10 && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n == 0 || n > 9 {
		return false
	}
	rest := s[n:]
	return strings.HasPrefix(rest, "、") ||
		((strings.HasPrefix(rest, ".") || strings.HasPrefix(rest, ")")) &&
			(len(rest) == 1 || rest[1] == ' ' || rest[1] == '\t'))
}

// indentsParagraph reports whether a raw line starts with a paragraph
// indent: an ideographic space, or two or more spaces or a tab before a
// CJK character.
func indentsParagraph(line string) bool {
	body := strings.TrimLeftFunc(line, unicode.IsSpace)
	indent := line[:len(line)-len(body)]
	if indent == "" {
		return false
	}
	if strings.ContainsRune(indent, '\u3000') {
		return true
	}
	r, _ := utf8.DecodeRuneInString(body)
	return (len(indent) >= 2 || indent == "\t") && text.IsWide(r)
}

// trimIndent removes up to n leading spaces from s.
func trimIndent(s string, n int) string {
	for i := 0; i < n && strings.HasPrefix(s, " "); i++ {
		s = s[1:]
	}
	return s
}

// joinMode says how a line is joined to the line before it in the same
// paragraph.
type joinMode int

const (
	joinWrapped joinMode = iota // by joinSeparator: "", " "
	joinNewline                 // on a new line: list items, code
)

// joinSeparator returns what goes between two lines of one paragraph, given
// the end of the previous line and the start of the next: nothing when a
// CJK character or CJK punctuation is on either side, nothing after a
// hyphen that breaks a Latin word ("inter-" + "national" keeps the hyphen),
// else one space.
func joinSeparator(prev, next string) string {
	last, size := utf8.DecodeLastRuneInString(prev)
	first, _ := utf8.DecodeRuneInString(next)
	if text.IsWide(last) || text.IsWide(first) {
		return ""
	}
	if last == '-' && unicode.IsLower(first) {
		if before, _ := utf8.DecodeLastRuneInString(prev[:len(prev)-size]); unicode.IsLetter(before) {
			return ""
		}
	}
	return " "
}

// displayWidth returns the width of s in columns, at most limit: two for CJK characters,
// CJK punctuation and Hangul, one for anything else.
func displayWidth(s string, limit int) int {
	w := 0
	for _, r := range s {
		if w >= limit {
			return limit
		}
		if text.IsWide(r) || (r >= 0xAC00 && r <= 0xD7A3) {
			w += 2
		} else {
			w++
		}
	}
	return min(w, limit)
}
