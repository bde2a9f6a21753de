package main

import (
	"context"
	"flag"
	"io"
	"path/filepath"
	"time"

	"github.com/citebot/citebot/bot/store"
)

// runFeedback exports the votes given under answers (see bot/store).
func runFeedback(_ context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var since string
	var asJSON bool
	c, err := parse("feedback", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&since, "since", "", "only votes since `when`: a duration back (24h, 7d) or a date (2026-11-29)")
		fs.BoolVar(&asJSON, "json", false, "print JSON, with each answer and its citations")
	})
	if err != nil {
		return err
	}
	from, err := store.ParseSince(since, time.Now())
	if err != nil {
		return err
	}
	st, err := store.OpenReadOnly(filepath.Join(c.cfg.DataDir, store.FileName))
	if err != nil {
		return err
	}
	defer st.Close()
	return st.ExportFeedback(stdout, from, asJSON)
}
