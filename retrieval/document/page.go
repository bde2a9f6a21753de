package document

import "strings"

// Page breaks. The text of a paged format (a PDF's text layer, OCR of page
// images) marks the start of each page after the first with a form feed
// ('\f') at the start of the page's first line, one form feed per page, so
// that empty pages show as several form feeds in a row. The rebuilder
// counts the form feeds in the leading white space of each line as page
// breaks before that line and drops them: they never reach
// [Document.Text]. Each paragraph records the page its first line is on
// ([Paragraph.Page]); a paragraph that goes on across a page break keeps
// the page it started on. A form feed inside a line, after its first other
// character, is text, not a page break.
//
// Text without page breaks is unpaged: its paragraphs have page 0 and it
// is rebuilt exactly as if pages did not exist.

// cutPageBreaks returns line without the form feeds in its leading white
// space, and how many there were.
func cutPageBreaks(line string) (string, int) {
	n := 0
	for n < len(line) && line[n] == '\f' {
		n++
	}
	rest := line[n:]
	i := 0
	for i < len(rest) && (rest[i] == ' ' || rest[i] == '\t' || rest[i] == '\v' || rest[i] == '\f') {
		i++
	}
	if k := strings.Count(rest[:i], "\f"); k > 0 {
		rest = strings.ReplaceAll(rest[:i], "\f", "") + rest[i:]
		n += k
	}
	return rest, n
}

// pageBreaks returns the number of page breaks in src: form feeds in the
// leading white space of its lines.
func pageBreaks(src string) int {
	if strings.IndexByte(src, '\f') < 0 {
		return 0
	}
	n := 0
	for line := range strings.SplitSeq(src, "\n") {
		if len(line) > 0 && (line[0] == '\f' || line[0] == ' ' || line[0] == '\t' || line[0] == '\v') {
			_, k := cutPageBreaks(line)
			n += k
		}
	}
	return n
}

// pageCount returns the number of pages of src, for [Document.Pages]: one
// more than its page breaks when it has any, else 0 (unpaged).
func pageCount(src string) int {
	if n := pageBreaks(src); n > 0 {
		return n + 1
	}
	return 0
}

// textPages returns the number of pages of a text or Markdown file src,
// for [Document.Pages]: as [pageCount], except that page breaks with only
// white space after them start no page, since pdftotext ends every page,
// the last included, with a form feed. Text with page breaks has at least
// one page, as its paragraphs are numbered from page 1.
func textPages(src string) int {
	if pageBreaks(src) == 0 {
		return 0
	}
	return max(1, pageCount(strings.TrimRight(src, " \t\n\v\f\r")))
}

// rebuildPaged rebuilds the hard-wrapped text of a paged format (a PDF's
// text layer, OCR) as [rebuildHardWrapped] does, keeping at most maxParas
// paragraphs when maxParas > 0. Unlike text that is paged only when it
// has page breaks, its paragraphs are numbered from page 1 even when src
// has none (a one-page document); pages is the number of pages, at least
// 1.
func rebuildPaged(src string, maxParas int) (text string, paras []Paragraph, total, pages int) {
	w := newParagraphWriter(len(src), strings.Count(src, " \n")+1, maxParas)
	w.page = 1
	rebuildHardWrapped(src, w)
	text, paras, total = w.finish()
	return text, paras, total, max(1, pageCount(src))
}
