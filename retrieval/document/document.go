package document

import "unicode/utf8"

// Document is one loaded, rebuilt document.
type Document struct {
	// Name identifies the document in citations: the file's base name.
	Name string
	// Text is the rebuilt text: paragraphs joined by "\n\n". All offsets in
	// this package index into it.
	Text string
	// Hash is the hex SHA-256 of the raw file bytes.
	Hash string
	// Paragraphs holds headings and body paragraphs in reading order.
	Paragraphs []Paragraph
	// Kind is the format the file was read as ("text", "markdown", "pdf",
	// "docx", ...; see retrieval/extract).
	Kind string
	// OCR says the text was read from page images.
	OCR bool
	// Pages is the number of pages of a paged format (PDF, OCR) or of a
	// text or Markdown file with page breaks (form feeds, see page.go);
	// 0 otherwise.
	Pages int
}

// Paragraph is one rebuilt paragraph of a [Document].
type Paragraph struct {
	// N is the body paragraph number (1..N); 0 for headings.
	N int
	// Heading marks a title, subtitle or Markdown heading.
	Heading bool
	// Section is the text of the nearest Markdown heading above, if any.
	Section string
	// Start and End are byte offsets of the paragraph in Document.Text.
	Start, End int
	// Page is the 1-based page the paragraph starts on, in a paged
	// document (see [Document.Pages]); 0 otherwise.
	Page int
}

// Text returns the paragraph's text within doc.
func (p Paragraph) Text(doc *Document) string { return doc.Text[p.Start:p.End] }

// BodyParagraphs returns the number of numbered (non-heading) paragraphs.
func (d *Document) BodyParagraphs() int {
	n := 0
	for _, p := range d.Paragraphs {
		if !p.Heading {
			n++
		}
	}
	return n
}

// Paragraph returns the body paragraph numbered n (1-based), or false.
func (d *Document) Paragraph(n int) (Paragraph, bool) {
	for _, p := range d.Paragraphs {
		if !p.Heading && p.N == n {
			return p, true
		}
	}
	return Paragraph{}, false
}

// Passage is the retrieval unit: a paragraph or a sentence-aligned window of
// one.
type Passage struct {
	// ID is unique within an index: "doc#paragraph#window".
	ID string
	// Doc is the document name.
	Doc string
	// Paragraph is the paragraph number (0 for headings).
	Paragraph int
	// Page is the paragraph's page ([Paragraph.Page]); 0 when unpaged.
	Page int
	// Text equals the document's Text[Start:End].
	Text string
	// Start and End are byte offsets into the document's Text.
	Start, End int
}

// RuneOffsets converts the byte offsets [start, end) into d.Text to offsets
// in characters (Unicode code points), for readers that index text by
// character. Offsets outside the text are returned unchanged.
func (d *Document) RuneOffsets(start, end int) (int, int) {
	if start < 0 || end > len(d.Text) || start > end {
		return start, end
	}
	rs := utf8.RuneCountInString(d.Text[:start])
	return rs, rs + utf8.RuneCountInString(d.Text[start:end])
}
