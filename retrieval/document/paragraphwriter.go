package document

import "strings"

// paragraphWriter accumulates rebuilt paragraphs into one text. Past its
// maximum of paragraphs it only counts them, so that the memory of a text
// of many tiny paragraphs follows its bytes.
type paragraphWriter struct {
	b       strings.Builder
	paras   []Paragraph
	max     int // the most paragraphs recorded; 0: no limit
	dropped int // paragraphs beyond max
	// sections records where the section changes: from paragraph index
	// from on, Section is the text of paragraph heading (or none, -1).
	sections []sectionStart
	n        int    // the last body paragraph number
	open     bool   // a paragraph is being written
	start    int    // its start offset
	last     string // the last line written to it
	// page is the page of the line being written (see page.go), 0 in
	// unpaged text; startPage is the page the open paragraph started on.
	page, startPage int
}

// sectionStart marks the paragraph index from which on the body paragraphs
// belong to the section of the heading at index heading.
type sectionStart struct{ from, heading int }

// newParagraphWriter returns a writer for the rebuild of a text of about
// size bytes into about paragraphs paragraphs, recording at most limit of
// them (0: no limit).
func newParagraphWriter(size, paragraphs, limit int) *paragraphWriter {
	if limit > 0 {
		paragraphs = min(paragraphs, limit)
	}
	w := &paragraphWriter{paras: make([]Paragraph, 0, paragraphs), max: limit}
	w.b.Grow(size + size/16 + 16)
	return w
}

// addLine appends a trimmed, non-empty line to the open paragraph, opening
// one when needed.
func (w *paragraphWriter) addLine(line string, mode joinMode) {
	switch {
	case !w.open:
		if len(w.paras) > 0 {
			w.b.WriteString("\n\n")
		}
		w.open, w.start, w.startPage = true, w.b.Len(), w.page
	case mode == joinNewline:
		w.b.WriteByte('\n')
	default:
		w.b.WriteString(joinSeparator(w.last, line))
	}
	w.b.WriteString(line)
	w.last = line
}

// startPages numbers the pages of src from 1 when src has page breaks
// (see page.go) or the writer is already paged; else pages stay 0.
func (w *paragraphWriter) startPages(src string) {
	if w.page == 0 && pageBreaks(src) > 0 {
		w.page = 1
	}
}

// turnPages moves n pages on, in paged text.
func (w *paragraphWriter) turnPages(n int) {
	if w.page > 0 {
		w.page += n
	}
}

// endBody closes the open paragraph, if any, as the next body paragraph.
func (w *paragraphWriter) endBody() {
	if w.open {
		w.n++
		w.end(Paragraph{N: w.n})
	}
}

// endTitle closes the open paragraph as a document title: a heading that
// does not start a section.
func (w *paragraphWriter) endTitle() {
	if w.open {
		w.end(Paragraph{Heading: true})
	}
}

// endSection closes the open paragraph as a Markdown heading, which becomes
// the Section of the body paragraphs after it.
func (w *paragraphWriter) endSection() {
	if w.open && w.end(Paragraph{Heading: true}) {
		w.sections = append(w.sections, sectionStart{from: len(w.paras), heading: len(w.paras) - 1})
	}
}

// end records p, spanning the open paragraph, unless the writer has its
// maximum of paragraphs; it reports whether p was recorded.
func (w *paragraphWriter) end(p Paragraph) bool {
	w.open, w.last = false, ""
	if w.max > 0 && len(w.paras) >= w.max {
		w.dropped++
		return false
	}
	p.Start, p.End, p.Page = w.start, w.b.Len(), w.startPage
	w.paras = append(w.paras, p)
	return true
}

// finish returns the rebuilt text and paragraphs, with their Section set
// on body paragraphs, and the number of paragraphs written, recorded or
// not.
func (w *paragraphWriter) finish() (string, []Paragraph, int) {
	text := w.b.String()
	for i, sec := range w.sections {
		h := w.paras[sec.heading]
		end := len(w.paras)
		if i+1 < len(w.sections) {
			end = w.sections[i+1].from
		}
		for j := sec.from; j < end; j++ {
			if !w.paras[j].Heading {
				w.paras[j].Section = text[h.Start:h.End]
			}
		}
	}
	return text, w.paras, len(w.paras) + w.dropped
}
