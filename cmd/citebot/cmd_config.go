package main

import (
	"context"
	"io"

	"gopkg.in/yaml.v3"
)

// runConfig prints the effective configuration with secrets redacted.
func runConfig(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := parse("config", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	enc := yaml.NewEncoder(stdout)
	defer enc.Close()
	return enc.Encode(c.cfg)
}
