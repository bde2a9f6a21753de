package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// runIndex builds or refreshes the persistent index and reports what it
// did. It fails when the index cannot be saved: that is its one job.
func runIndex(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := parse("index", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	if err := checkWritableDir(c.cfg.DataDir); err != nil {
		return err
	}
	ix, st, err := c.openIndex(ctx)
	if err != nil {
		return err
	}
	if st.SaveErr != nil {
		return fmt.Errorf("couldn't save the index under data dir %s: %w; the next run will embed again", c.cfg.DataDir, st.SaveErr)
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

// checkWritableDir creates dir if needed and checks that a file can be
// written in it, before minutes of embedding are spent.
func checkWritableDir(dir string) error {
	f, err := os.CreateTemp(dir, ".citebot-write-check-*")
	if errors.Is(err, fs.ErrNotExist) {
		if err = os.MkdirAll(dir, 0o755); err == nil {
			f, err = os.CreateTemp(dir, ".citebot-write-check-*")
		}
	}
	if err != nil {
		return fmt.Errorf("data dir %s is not writable: %w", dir, err)
	}
	f.Close()
	return os.Remove(f.Name())
}
