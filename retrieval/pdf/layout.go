package pdf

import (
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/citebot/citebot/retrieval/text"
)

// textRun is a string drawn on a page, in page space (points, Y up).
type textRun struct {
	text      string
	x0, x1    float64 // start and end of its baseline
	y         float64 // its baseline
	size      float64 // font size
	estimated bool    // x1 comes from estimated glyph widths
	// wordEnd is where the run's first word (its first character when that
	// is CJK) ends; wordOpen says the word may go on in the next run.
	wordEnd  float64
	wordOpen bool
}

// textLine is one row of text on a page.
type textLine struct {
	text      string
	page      int
	x0, x1    float64 // extent of the baseline
	y         float64 // the baseline
	size      float64 // the largest font size in the row
	estimated bool    // some of its widths are estimated
	wordEnd   float64 // where its first word ends
}

// pageLines groups the runs of one page into rows: runs whose baselines are
// within 0.4 em of the row's first run, top to bottom, joined left to right.
// A space is put between two runs that are apart by more than spaceGap and
// carry none; a run that repeats the previous one at the same place (fake
// bold) is dropped. Rows with no text are left out.
func pageLines(runs []textRun) []textLine {
	slices.SortStableFunc(runs, func(a, b textRun) int {
		if a.y != b.y {
			if a.y > b.y {
				return -1
			}
			return 1
		}
		return 0
	})
	var lines []textLine
	for i := 0; i < len(runs); {
		j := i + 1
		for j < len(runs) && runs[i].y-runs[j].y <= 0.4*max(runs[i].size, runs[j].size) {
			j++
		}
		row := runs[i:j]
		slices.SortStableFunc(row, func(a, b textRun) int {
			switch {
			case a.x0 < b.x0:
				return -1
			case a.x0 > b.x0:
				return 1
			}
			return 0
		})
		if l, ok := joinRow(row); ok {
			lines = append(lines, l)
		}
		i = j
	}
	return lines
}

// joinRow joins the runs of one row, sorted left to right, into a line.
func joinRow(row []textRun) (textLine, bool) {
	var b strings.Builder
	l := textLine{y: row[0].y, x0: math.Inf(1), x1: math.Inf(-1)}
	var prev *textRun
	wordDone := false // the first word of the line is complete
	for i := range row {
		r := &row[i]
		if prev != nil && r.text == prev.text && math.Abs(r.x0-prev.x0) < 0.1*r.size {
			continue
		}
		spaced := strings.HasSuffix(b.String(), " ") || strings.HasPrefix(r.text, " ")
		if prev != nil && r.x0-prev.x1 > spaceGap(b.String(), r.text)*max(r.size, prev.size) && b.Len() > 0 && !spaced {
			b.WriteByte(' ')
			spaced = true
		}
		b.WriteString(r.text)
		prev = r
		if strings.TrimSpace(r.text) == "" {
			continue
		}
		if started := !math.IsInf(l.x0, 1); started && spaced {
			wordDone = true
		}
		if !wordDone {
			l.wordEnd, wordDone = r.wordEnd, !r.wordOpen
		}
		l.x0, l.x1 = min(l.x0, r.x0), max(l.x1, r.x1)
		l.size = max(l.size, r.size)
		l.estimated = l.estimated || r.estimated
	}
	l.text = strings.TrimSpace(b.String())
	l.size = max(l.size, 1) // a zero font size would break the layout
	return l, l.text != ""
}

// spaceGap returns the gap, in ems, between text before and text after
// that stands for a space: 0.18, or 0.5 between CJK characters, which are
// often spread out to fill a line.
func spaceGap(before, after string) float64 {
	last, _ := utf8.DecodeLastRuneInString(before)
	first, _ := utf8.DecodeRuneInString(after)
	if text.IsWide(last) && text.IsWide(first) {
		return 0.5
	}
	return 0.18
}

// layoutText returns the lines of the pages as hard-wrapped text (see
// Extract), the first line of a page after the first preceded by a form
// feed for each page boundary since the line before. Running heads and
// feet (see runningLines) and page numbers alone on the first or last
// line of a page are dropped. A paragraph ends after a line when
//
//   - the next line's font size differs by more than 15%;
//   - on the same page, the gap to the next baseline is clearly (30%) larger
//     than the usual line spacing;
//   - the next line is indented (a first-line indent) and this one is not;
//   - the line stops short of the column's right edge by more than the
//     width of the next line's first word (which would have fitted), and,
//     if it fills most (60%) of the column and does not end a sentence,
//     does not end where the line before or after it ends (as the lines of
//     a justified block narrower than the column do): the last line of a
//     paragraph, in justified and ragged-right text alike. The column is
//     measured per page: its left edge is the most common line start, its
//     width the 90th percentile of the line widths of the document.
func layoutText(pages [][]textLine) string {
	running := runningLines(pages)
	var lines []textLine
	for i, page := range pages {
		for j, l := range page {
			edge := j == 0 || j == len(page)-1
			if running[[2]int{i, j}] || (edge && len(page) > 1 && pageNumber().MatchString(l.text)) {
				continue
			}
			l.page = i
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return ""
	}
	left := leftEdges(lines, len(pages))
	width, spacing := columnWidth(lines, left), lineSpacing(lines)
	var b strings.Builder
	page := 0 // of the line before
	for i, l := range lines {
		for ; page < l.page; page++ {
			b.WriteByte('\f')
		}
		b.WriteString(l.text)
		if i == len(lines)-1 || endsParagraph(lines, i, left, width, spacing) {
			b.WriteByte(' ')
		}
		b.WriteString("\n\n")
	}
	return b.String()
}

// endsParagraph reports whether a paragraph ends after lines[i]; see
// layoutText.
func endsParagraph(lines []textLine, i int, left []float64, width, spacing float64) bool {
	a, b := lines[i], lines[i+1]
	if math.Abs(a.size-b.size) > 0.15*max(a.size, b.size) {
		return true
	}
	if a.page == b.page && spacing > 0 && (a.y-b.y)/a.size > 1.3*spacing {
		return true
	}
	if b.x0-left[b.page] > 0.8*b.size && a.x0-left[a.page] < 0.5*a.size {
		return true
	}
	if a.estimated || b.estimated || width <= 0 {
		return false
	}
	alignedWith := func(o textLine) bool {
		return o.page == a.page && math.Abs(o.size-a.size) <= 0.15*a.size && math.Abs(o.x1-a.x1) < 0.05*a.size
	}
	if a.x1-a.x0 > 0.6*width && !text.EndsSentence(a.text) && ((i > 0 && alignedWith(lines[i-1])) || alignedWith(b)) {
		return false
	}
	room := left[a.page] + width - a.x1
	return room > firstWordWidth(b)+0.5*a.size
}

// firstWordWidth returns the width of the first word of l (its first
// character when that is CJK).
func firstWordWidth(l textLine) float64 {
	return max(0, l.wordEnd-l.x0)
}

// leftEdges returns the left edge of the text column of each page: the most
// common line start (to a point) on pages with three lines or more, else
// that of the whole document.
func leftEdges(lines []textLine, pages int) []float64 {
	mode := func(ls []textLine) float64 {
		count := make(map[float64]int)
		best, n := math.Inf(1), 0
		for _, l := range ls {
			x := math.Round(l.x0)
			count[x]++
			if c := count[x]; c > n || (c == n && x < best) {
				best, n = x, c
			}
		}
		return best
	}
	all := mode(lines)
	left := make([]float64, pages)
	for i := range left {
		left[i] = all
	}
	for i := 0; i < len(lines); {
		j := i
		for j < len(lines) && lines[j].page == lines[i].page {
			j++
		}
		if j-i >= 3 {
			left[lines[i].page] = mode(lines[i:j])
		}
		i = j
	}
	return left
}

// columnWidth returns the 90th percentile of the widths (from the page's
// left edge) of the lines with known glyph widths, or 0.
func columnWidth(lines []textLine, left []float64) float64 {
	var widths []float64
	for _, l := range lines {
		if !l.estimated {
			widths = append(widths, l.x1-left[l.page])
		}
	}
	return percentile(widths, 0.9)
}

// lineSpacing returns the usual baseline distance between consecutive
// lines of the same size on a page, in ems: the 25th percentile, as most
// gaps are within paragraphs. It returns 0 when there are no such lines.
func lineSpacing(lines []textLine) float64 {
	var gaps []float64
	for i := 1; i < len(lines); i++ {
		a, b := lines[i-1], lines[i]
		if a.page == b.page && a.size > 0 && math.Abs(a.size-b.size) <= 0.15*a.size && a.y > b.y {
			gaps = append(gaps, (a.y-b.y)/a.size)
		}
	}
	return percentile(gaps, 0.25)
}

// percentile returns the p-quantile (0..1) of xs (by the nearest rank), or
// 0 when xs is empty. It sorts xs.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	return xs[min(len(xs)-1, int(p*float64(len(xs))))]
}
