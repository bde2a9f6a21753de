package main

import (
	"context"
	"fmt"
	"io"
)

// runIndex builds or refreshes the persistent index and reports what it did.
func runIndex(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := parse("index", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	ix, st, err := c.openIndex(ctx)
	if err != nil {
		return err
	}
	reused := "no, embedded " + fmt.Sprint(st.Embedded) + " passages"
	if st.Reused {
		reused = "yes, 0 embedding calls"
	}
	fmt.Fprintf(stdout, "documents:  %d\n", st.Documents)
	for _, d := range ix.Documents() {
		fmt.Fprintf(stdout, "  %s: %d paragraphs\n", d.Name, d.BodyParagraphs())
	}
	fmt.Fprintf(stdout, "paragraphs: %d\npassages:   %d\ntime:       %s\nreused:     %s\ndata dir:   %s\n",
		st.Paragraphs, st.Passages, st.Duration.Round(1e6), reused, c.cfg.DataDir)
	return nil
}
