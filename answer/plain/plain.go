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
	Quote     string `json:"quote"`
	Start     int    `json:"start"`
	End       int    `json:"end"`
}

// Answer is the JSON form of an answer.
type Answer struct {
	Question   string      `json:"question"`
	Answer     string      `json:"answer"`
	Mode       answer.Mode `json:"mode"`
	NotFound   bool        `json:"not_found"`
	Ungrounded bool        `json:"ungrounded"`
	Notice     string      `json:"notice,omitempty"`
	Citations  []Citation  `json:"citations"`
}

// JSON converts a to its JSON form, turning byte offsets into character
// offsets of the documents' texts (docs; a citation of a document not in
// docs keeps its byte offsets).
func JSON(a answer.Answer, docs []*document.Document) Answer {
	out := Answer{Question: a.Question, Answer: a.Text, Mode: a.Mode, NotFound: a.NotFound, Ungrounded: a.Ungrounded, Notice: a.Notice, Citations: []Citation{}}
	for _, c := range a.Citations {
		start, end := c.Start, c.End
		if i := slices.IndexFunc(docs, func(d *document.Document) bool { return d.Name == c.Doc }); i >= 0 {
			start, end = docs[i].RuneOffsets(c.Start, c.End)
		}
		out.Citations = append(out.Citations, Citation{N: c.N, Doc: c.Doc, Paragraph: c.Paragraph, Quote: c.Quote, Start: start, End: end})
	}
	return out
}

// Write renders a for a terminal: the text (or the lead-in), a notice, then
// each citation's label and quote; multiDoc adds document names to the
// labels. streamed is the text already printed while the answer streamed
// (see [Streamer]): when it is the final text, it is not printed again.
func Write(w io.Writer, a answer.Answer, multiDoc bool, streamed string) {
	switch {
	case streamed != "" && strings.TrimSpace(streamed) == strings.TrimSpace(a.Text):
		fmt.Fprintln(w)
	case a.Lead != "" && len(a.Citations) > 0:
		fmt.Fprintln(w, a.Lead) // the quotes follow, each under its label
	default:
		if streamed != "" {
			fmt.Fprint(w, "\n\n") // the final text revises what streamed
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
		label := fmt.Sprintf("[%d] ¶%d", c.N, c.Paragraph)
		if multiDoc {
			label += " " + c.Doc
		}
		fmt.Fprintf(w, "%s\n    “%s”\n", label, c.Quote)
	}
	if a.NotFound && len(a.Related) > 0 {
		var labels []string
		for _, p := range a.Related {
			labels = append(labels, fmt.Sprintf("¶%d", p.Paragraph))
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
