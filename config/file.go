package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxFileSize bounds a configuration file.
const maxFileSize = 1 << 20

// ApplyFile sets c from a YAML configuration file. Keys are the yaml names of
// the Config fields (see citebot.example.yaml); an unknown key or a value of
// the wrong type is an error naming the file, the line and the key.
func (c *Config) ApplyFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return fmt.Errorf("config file %s: larger than %d bytes", path, maxFileSize)
	}
	if err := c.applyYAML(data); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	return nil
}

func (c *Config) applyYAML(data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return errors.New(strings.Join(te.Errors, "; "))
		}
		return err
	}
	return nil
}

// ConfigPath finds the --config flag (or CITEBOT_CONFIG) before the other
// flags are parsed, so the file can sit below the environment and flags in
// precedence.
func ConfigPath(args []string, getenv func(string) string) string {
	path := getenv("CITEBOT_CONFIG")
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		for _, name := range []string{"-config", "--config"} {
			if a == name && i+1 < len(args) {
				path = args[i+1]
				i++
			} else if v, ok := strings.CutPrefix(a, name+"="); ok {
				path = v
			}
		}
	}
	return path
}
