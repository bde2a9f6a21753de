// Package plain renders answers for terminals and scripts: the text form
// `citebot ask` and `citebot chat` print, with each quote under its ¶ label,
// and the JSON form of `citebot ask --json`, whose offsets count characters
// (Unicode code points) so that any language can check
// quote == text[start:end]. The Telegram form lives in package bot.
package plain

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/retrieval/document"
)

// Citation is a citation in the JSON form. Start and
// End are offsets in Unicode code points (characters) into the document's
// rebuilt text, so any language can check quote == text[start:end].
type Citation struct {
	N         int    `json:"n"`
	Doc       string `json:"doc"`
	Paragraph int    `json:"paragraph"`
	// Page is the page the paragraph starts on in a paged document (PDF,
	// OCR), omitted when the document has no pages.
	Page  int    `json:"page,omitempty"`
	Quote string `json:"quote"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	// URL is the citation's document page (with a public URL set; see
	// package bot/page), where the quote is shown highlighted in place.
	URL string `json:"url,omitempty"`
}

// Answer is the JSON form of an answer.
type Answer struct {
	Question   string      `json:"question"`
	Answer     string      `json:"answer"`
	Mode       answer.Mode `json:"mode"`
	NotFound   bool        `json:"not_found"`
	Ungrounded bool        `json:"ungrounded"`
	Notice     string      `json:"notice,omitempty"`
	Gloss      string      `json:"gloss,omitempty"`
	// AnswerType is what the question asks for as the engine read it
	// (time, number, place, person), when it asks for one of those.
	AnswerType string     `json:"answer_type,omitempty"`
	Citations  []Citation `json:"citations"`
	// Unsupported lists the model's claims removed as unsupported by the
	// document: model text, not document text.
	Unsupported []Unsupported `json:"unsupported"`
}

// Unsupported is a removed model claim in the JSON form.
type Unsupported struct {
	Text string `json:"text"`
}

// JSON converts a to its JSON form, turning byte offsets into character
// offsets of the documents' texts (docs; a citation of a document not in
// docs keeps its byte offsets).
func JSON(a answer.Answer, docs []*document.Document) Answer {
	out := Answer{Question: a.Question, Answer: a.Text, Mode: a.Mode, NotFound: a.NotFound, Ungrounded: a.Ungrounded, Notice: a.Notice,
		Gloss: a.Gloss, AnswerType: a.AnswerType, Citations: []Citation{}, Unsupported: []Unsupported{}}
	for _, u := range a.Unsupported {
		out.Unsupported = append(out.Unsupported, Unsupported(u))
	}
	for _, c := range a.Citations {
		start, end := c.Start, c.End
		if i := slices.IndexFunc(docs, func(d *document.Document) bool { return d.Name == c.Doc }); i >= 0 {
			start, end = docs[i].RuneOffsets(c.Start, c.End)
		}
		out.Citations = append(out.Citations, Citation{N: c.N, Doc: c.Doc, Paragraph: c.Paragraph, Page: c.Page, Quote: c.Quote, Start: start, End: end})
	}
	return out
}

// Write renders a for a terminal: the text (or the lead-in), a notice, then
// each citation's label and quote; multiDoc adds document names to the
// labels. streamed is the text already printed while the answer streamed
// (see [Streamer]): only what extends it is printed. The engine's
// streamed text is verified and only ever grows into the final text, so
// nothing printed is taken back.
func Write(w io.Writer, a answer.Answer, multiDoc bool, streamed string) {
	switch {
	case streamed != "" && strings.HasPrefix(a.Text, streamed):
		fmt.Fprintln(w, a.Text[len(streamed):])
	case a.Lead != "" && len(a.Citations) > 0:
		fmt.Fprintln(w, a.Lead) // the quotes follow, each under its label
	default:
		if streamed != "" {
			fmt.Fprint(w, "\n\n") // not an extension (the engine never does this)
		}
		fmt.Fprintln(w, a.Text)
	}
	if a.Notice != "" {
		fmt.Fprintf(w, "(%s)\n", a.Notice)
	}
	if len(a.Citations) > 0 {
		fmt.Fprintln(w)
	}
	for _, c := range a.Citations {
		label := fmt.Sprintf("[%d] %s", c.N, c.Label())
		if multiDoc {
			label += " " + c.Doc
		}
		fmt.Fprintf(w, "%s\n    “%s”\n", label, c.Quote)
	}
	if a.Gloss != "" {
		fmt.Fprintf(w, "gloss: %s\n", a.Gloss)
	}
	if a.NotFound && len(a.Related) > 0 {
		var labels []string
		for _, p := range a.Related {
			labels = append(labels, p.Label())
		}
		fmt.Fprintf(w, "related: %s\n", strings.Join(labels, ", "))
	}
}

// Streamer prints the growing answer text as it streams: each call of
// onPartial receives the whole text so far and prints what extends the text
// already printed. Text that does not extend it (a revision) is left for
// the final rendering by [Write], which always follows; printed reports
// what was printed.
func Streamer(w io.Writer) (onPartial func(string), printed func() string) {
	var done string
	return func(text string) {
			if len(text) > len(done) && strings.HasPrefix(text, done) {
				fmt.Fprint(w, text[len(done):])
				done = text
			}
		}, func() string {
			return done
		}
}
