package ocr

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Text shape: OCR output is laid out as retrieval/pdf lays out a text
// layer, so that retrieval/document rebuilds its paragraphs the same way:
// every line is followed by a blank line, and the last line of a
// paragraph ends with a space ("line \n\n"). Tesseract's own paragraph
// numbers split paragraphs at random in CJK text, so paragraph ends come
// from the geometry of the lines instead (see [pageLayout.endsParagraph]).

// shapePage returns the lines of one page as hard-wrapped text. A page
// whose last line fills its column ends without a paragraph end, so that
// the paragraph continues on the next page.
func shapePage(lines []ocrLine) string {
	lines = dropNoise(lines)
	if len(lines) == 0 {
		return ""
	}
	p := measurePage(lines)
	var b strings.Builder
	for i, l := range lines {
		b.WriteString(l.text())
		var next *ocrLine
		if i+1 < len(lines) {
			next = &lines[i+1]
		}
		if p.endsParagraph(l, next) {
			b.WriteByte(' ')
		}
		b.WriteString("\n\n")
	}
	return b.String()
}

// joinPages joins the hard-wrapped text of pages, a form feed '\f'
// starting the text of each page after the first, with the ASCII
// quotation marks of Chinese quotations made curly ([chineseQuotes]); the
// last line of the last page always ends its paragraph.
func joinPages(pages []string) string {
	var b strings.Builder
	for i, p := range pages {
		if i > 0 {
			b.WriteByte('\f')
		}
		b.WriteString(p)
	}
	s := b.String()
	if end := strings.TrimRight(s, "\n\f"); end != "" && !strings.HasSuffix(end, " ") {
		s = end + " " + s[len(end):]
	}
	return chineseQuotes(s)
}

// noiseConfidence is the confidence below which a short line is taken for
// specks rather than text; noiseRunes is how short that line is.
const (
	noiseConfidence = 50
	noiseRunes      = 2
)

// dropNoise returns lines without those that are most likely specks read
// as text: at most [noiseRunes] characters, all read with a confidence
// below [noiseConfidence].
func dropNoise(lines []ocrLine) []ocrLine {
	return slices.DeleteFunc(slices.Clone(lines), func(l ocrLine) bool {
		runes := 0
		for _, w := range l.words {
			if w.conf >= noiseConfidence {
				return false
			}
			runes += utf8.RuneCountInString(w.text)
		}
		return runes <= noiseRunes
	})
}

// pageLayout holds what the paragraph rules measure on a page.
type pageLayout struct {
	size        int            // median line height: about one character
	pitch       int            // median distance between the tops of adjacent lines
	left, right int            // the page's text column
	blocks      map[int][2]int // the columns of blocks of three lines or more
	lines       int
}

// measurePage measures the page of lines; lines is not empty.
func measurePage(lines []ocrLine) pageLayout {
	heights := make([]int, 0, len(lines))
	var pitches []int
	p := pageLayout{left: lines[0].left, right: lines[0].right, blocks: map[int][2]int{}, lines: len(lines)}
	count := map[int]int{}
	for i, l := range lines {
		heights = append(heights, l.height())
		if i > 0 && lines[i-1].block == l.block && l.top > lines[i-1].top {
			pitches = append(pitches, l.top-lines[i-1].top)
		}
		p.left, p.right = min(p.left, l.left), max(p.right, l.right)
		col, ok := p.blocks[l.block]
		if !ok {
			col = [2]int{l.left, l.right}
		}
		p.blocks[l.block] = [2]int{min(col[0], l.left), max(col[1], l.right)}
		count[l.block]++
	}
	for b, n := range count {
		// A block of one or two lines is too small to show its column's
		// width: such lines are measured against the page's column.
		if n < 3 {
			delete(p.blocks, b)
		}
	}
	p.size = max(1, median(heights))
	p.pitch = median(pitches)
	return p
}

// column returns the left and right edges of the column l is in.
func (p pageLayout) column(l ocrLine) (int, int) {
	if col, ok := p.blocks[l.block]; ok {
		return col[0], col[1]
	}
	return p.left, p.right
}

// endsParagraph reports whether a paragraph ends after line a, followed
// by next on the page (nil at the end of the page):
//   - next is further below a than the page's usual line pitch allows;
//   - next is indented where a is not (a first-line indent);
//   - a stops short of its column's right edge by more than the first word
//     of next (one character of CJK) would need, so that a ragged or short
//     line ends the paragraph and a full one continues it;
//   - at the end of the page, a stops short by more than one and a half
//     characters, or the page has fewer than three lines.
func (p pageLayout) endsParagraph(a ocrLine, next *ocrLine) bool {
	left, right := p.column(a)
	room := right - a.right
	if next == nil {
		// A page of one or two lines does not show its column's width.
		return p.lines < 3 || 2*room > 3*p.size
	}
	b := *next
	if p.pitch > 0 && b.top > a.top && 10*(b.top-a.top) > 13*p.pitch {
		return true
	}
	if bl, _ := p.column(b); 5*(b.left-bl) > 4*p.size && 2*(a.left-left) < p.size {
		return true
	}
	return 2*room > 2*firstWordWidth(b, p.size)+p.size
}

// firstWordWidth returns the width of the first word of l, or size when
// l starts with a CJK character (Tesseract's boxes of single CJK
// characters are often much narrower than the character).
func firstWordWidth(l ocrLine, size int) int {
	if len(l.words) == 0 {
		return 0
	}
	w := l.words[0]
	first, _ := utf8.DecodeRuneInString(w.text)
	if isCJK(first) {
		return size
	}
	return w.right - w.left
}

// median returns the median of v (the upper one of an even count), or 0
// for none; it sorts v.
func median(v []int) int {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	return v[len(v)/2]
}
