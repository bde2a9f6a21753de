package main

import (
	"context"
	"flag"
	"io"
	"strings"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/answer/plain"
	"github.com/citebot/citebot/library"
)

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
		onPartial, streamed = plain.Streamer(stdout)
	}
	a, err := eng.Answer(ctx, answer.Question{Text: q}, onPartial)
	if err != nil {
		return err
	}
	if asJSON {
		links, err := c.pageLinks(library.NewRetriever(ix))
		if err != nil {
			return err
		}
		return printJSON(stdout, withURLs(plain.JSON(a, ix.Documents()), a, links))
	}
	printed := ""
	if streamed != nil {
		printed = streamed()
	}
	plain.Write(stdout, a, len(ix.Documents()) > 1, printed)
	return nil
}
