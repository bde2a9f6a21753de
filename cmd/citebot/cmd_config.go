package main

import (
	"cmp"
	"context"
	"io"

	"go.yaml.in/yaml/v3"

	"github.com/citebot/citebot/config"
	"github.com/citebot/citebot/library"
	"github.com/citebot/citebot/retrieval/extract"
)

// runConfig prints the effective configuration as a file --config reads
// back to it (see [config.Config.MarshalYAML]): every setting with the
// value in effect, secrets left out, and a comment on each value that was
// set naming where it came from.
func runConfig(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := parse("config", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	// The chat libraries are serve's, in its data dir; a failed write fails Encode too.
	io.WriteString(stdout, "# ocr: "+extract.DescribeOCR(ctx)+"\n# "+library.Usage(cmp.Or(c.cfg.DataDir, config.DefaultDataDir), c.cfg.Library)+"\n")
	enc := yaml.NewEncoder(stdout)
	enc.SetIndent(2)
	if err := enc.Encode(c.cfg); err != nil {
		return err
	}
	return enc.Close()
}
