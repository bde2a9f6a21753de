package answer

import "strconv"

// ParagraphLabel returns how a paragraph is named to readers: "¶12", or
// "p. 3 ¶12" when it starts on page 3 of a paged document (page > 0).
// Headings have paragraph 0 ("¶0", "p. 1 ¶0"). Every transport labels
// citations and paragraphs with it, so that they agree.
func ParagraphLabel(page, paragraph int) string {
	l := "¶" + strconv.Itoa(paragraph)
	if page > 0 {
		l = "p. " + strconv.Itoa(page) + " " + l
	}
	return l
}

// Label returns the citation's paragraph label ([ParagraphLabel]).
func (c Citation) Label() string { return ParagraphLabel(c.Page, c.Paragraph) }

// Label returns the passage's paragraph label ([ParagraphLabel]).
func (p Passage) Label() string { return ParagraphLabel(p.Page, p.Paragraph) }
