package main

import (
	"context"
	"io"

	"go.yaml.in/yaml/v3"

	"github.com/citebot/citebot/library"
	"github.com/citebot/citebot/retrieval/document"
	"github.com/citebot/citebot/retrieval/extract"
)

// runConfig prints the effective configuration: every setting with the
// value in effect, secrets redacted, URLs scrubbed, and a comment on each
// value that was set naming where it came from.
func runConfig(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := parse("config", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	cfg := c.cfg
	if len(cfg.Docs) == 0 {
		cfg.Docs = []string{"bundled:" + document.SampleName} // what is loaded then
	}
	io.WriteString(stdout, "# ocr: "+extract.DescribeOCR(ctx)+"\n# "+library.Usage(cfg.DataDir, cfg.Library)+"\n") // a failed write fails Encode too
	enc := yaml.NewEncoder(stdout)
	enc.SetIndent(2)
	if err := enc.Encode(cfg); err != nil {
		return err
	}
	return enc.Close()
}
