package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/citebot/citebot/answer"
)

type searchHit struct {
	Rank      int      `json:"rank"`
	Doc       string   `json:"doc"`
	Paragraph int      `json:"paragraph"`
	Text      string   `json:"text"`
	Score     float64  `json:"score"`
	Sources   []string `json:"sources"`
}

// runSearch prints the ranked passages for a question.
func runSearch(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var k int
	var asJSON bool
	var method string
	c, err := parse("search", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.IntVar(&k, "k", 5, "number of passages")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
		fs.StringVar(&method, "retriever", "hybrid", "hybrid, lexical or vector")
	})
	if err != nil {
		return err
	}
	q := strings.Join(c.args, " ")
	if k < 1 {
		return fmt.Errorf("--k %d: use at least 1", k)
	}
	ix, _, err := c.openIndex(ctx)
	if err != nil {
		return err
	}
	hits, err := ix.SearchWith(ctx, q, k, method)
	if err != nil {
		return err
	}
	out := make([]searchHit, len(hits))
	for i, h := range hits {
		out[i] = searchHit{Rank: h.Rank, Doc: h.Doc, Paragraph: h.Paragraph, Text: h.Text, Score: h.Score, Sources: h.Sources}
	}
	if asJSON {
		return printJSON(stdout, struct {
			Question string      `json:"question"`
			Hits     []searchHit `json:"hits"`
		}{q, out})
	}
	if len(out) == 0 {
		fmt.Fprintln(stdout, "no passages found")
	}
	for _, h := range hits {
		fmt.Fprintf(stdout, "%d. %s %s  score %.4f  (%s)\n   %s\n\n", h.Rank, h.Doc, answer.ParagraphLabel(h.Page, h.Paragraph), h.Score, strings.Join(h.Sources, "+"), h.Text)
	}
	return nil
}
