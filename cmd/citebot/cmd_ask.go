package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/retrieval/document"
)

// jsonCitation is a citation as `citebot ask --json` prints it. Start and
// End are offsets in Unicode code points (characters) into the document's
// rebuilt text, so any language can check quote == text[start:end].
type jsonCitation struct {
	N         int    `json:"n"`
	Doc       string `json:"doc"`
	Paragraph int    `json:"paragraph"`
	Quote     string `json:"quote"`
	Start     int    `json:"start"`
	End       int    `json:"end"`
}

type jsonAnswer struct {
	Question   string         `json:"question"`
	Answer     string         `json:"answer"`
	Mode       answer.Mode    `json:"mode"`
	NotFound   bool           `json:"not_found"`
	Ungrounded bool           `json:"ungrounded"`
	Notice     string         `json:"notice,omitempty"`
	Citations  []jsonCitation `json:"citations"`
}

// toJSON converts an answer, turning byte offsets into character offsets of
// the document texts.
func toJSON(a answer.Answer, docs []*document.Document) jsonAnswer {
	out := jsonAnswer{Question: a.Question, Answer: a.Text, Mode: a.Mode, NotFound: a.NotFound, Ungrounded: a.Ungrounded, Notice: a.Notice, Citations: []jsonCitation{}}
	for _, c := range a.Citations {
		start, end := c.Start, c.End
		if i := slices.IndexFunc(docs, func(d *document.Document) bool { return d.Name == c.Doc }); i >= 0 {
			start, end = docs[i].RuneOffsets(c.Start, c.End)
		}
		out.Citations = append(out.Citations, jsonCitation{N: c.N, Doc: c.Doc, Paragraph: c.Paragraph, Quote: c.Quote, Start: start, End: end})
	}
	return out
}

// renderText renders an answer for a terminal. streamed is the text already
// printed while the answer streamed: when it is the final text, it is not
// printed again.
func renderText(w io.Writer, a answer.Answer, multiDoc bool, streamed string) {
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

// runAsk answers one question.
func runAsk(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var asJSON bool
	c, err := parse("ask", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	q := strings.Join(c.args, " ")
	ix, _, err := c.openIndex(ctx)
	if err != nil {
		return err
	}
	eng := c.engine(ix)
	var onPartial func(string)
	var streamed func() string
	if !asJSON && c.cfg.Model != "" {
		onPartial, streamed = streamPrinter(stdout)
	}
	a, err := eng.Answer(ctx, answer.Question{Text: q}, onPartial)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(stdout, toJSON(a, ix.Documents()))
	}
	printed := ""
	if streamed != nil {
		printed = streamed()
	}
	renderText(stdout, a, len(ix.Documents()) > 1, printed)
	return nil
}

// streamPrinter prints the growing answer text as it streams: each call
// receives the whole text so far and prints what extends the text already
// printed. Text that does not extend it (a revision) is left for the final
// rendering, which always follows; printed reports what was printed.
func streamPrinter(w io.Writer) (onPartial func(string), printed func() string) {
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
