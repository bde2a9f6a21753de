package config

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

var update = flag.Bool("update", false, "rewrite config.example.yaml at the repository root")

// examplePath is config.example.yaml, beside the README.
var examplePath = filepath.Join("..", "config.example.yaml")

// exampleFile is config.example.yaml: every setting of the table, in
// table order, commented out with its default, its environment variable,
// its flag and its help as a one-line description.
func exampleFile(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString(`# citebot configuration file: every setting with its default, commented out.
# Uncomment a line to change it and run citebot with --config FILE (or
# CITEBOT_CONFIG=FILE). Flags override environment variables, which override
# this file. Relative paths are relative to this file's folder. Keep secrets
# in the environment. "citebot config" prints the configuration in effect in
# this form.
#
# Generated from the settings table (config/settings.go) by go generate ./config.
`)
	def := Default()
	for _, s := range settings {
		if s.field == nil {
			continue
		}
		v, err := valueNode(s.field(&def), false)
		if err != nil {
			t.Fatal(err)
		}
		value, err := yaml.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		shown := "empty"
		switch {
		case s.def != "":
			shown = s.def
		case s.unset != "":
			shown = s.unset
		}
		fmt.Fprintf(&b, "\n# %s\n# Default: %s. Environment: %s. Flag: --%s.\n# %s: %s",
			strings.ReplaceAll(s.help, "`", ""), shown, s.env, s.flag, s.key, value)
	}
	return b.Bytes()
}

// TestExampleFile checks config.example.yaml against the settings table;
// go generate ./config (go test -update) rewrites it.
func TestExampleFile(t *testing.T) {
	want := exampleFile(t)
	if *update {
		if err := os.WriteFile(examplePath, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("config.example.yaml is stale: run go generate ./config")
	}
}

// TestExampleFileReadsAsDefaults checks that config.example.yaml, as it
// is and with every setting uncommented, gives the defaults: its values
// are the defaults, written the way a file sets them.
func TestExampleFileReadsAsDefaults(t *testing.T) {
	c := Default()
	if err := c.ApplyFile(examplePath); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, Default()) {
		t.Fatalf("config.example.yaml as it is sets %+v", c)
	}
	body, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	var uncommented []string
	for _, block := range strings.Split(string(body), "\n\n")[1:] { // after the header, a block a setting
		lines := strings.Split(strings.TrimSuffix(block, "\n"), "\n")
		uncommented = append(uncommented, strings.TrimPrefix(lines[len(lines)-1], "# ")+"\n")
	}
	if n := len(settings) - 1; len(uncommented) != n { // all but --config
		t.Fatalf("config.example.yaml sets %d settings, the table has %d", len(uncommented), n)
	}
	c = Default()
	if err := c.applyYAML([]byte(strings.Join(uncommented, "")), filepath.Join(".", "example.yaml")); err != nil {
		t.Fatal(err)
	}
	def := Default()
	for _, s := range settings {
		if s.field != nil && !reflect.DeepEqual(normalList(s.field(&c)), normalList(s.field(&def))) {
			t.Errorf("%s: uncommented, it reads as %s, not the default", s.key, formatValue(s.field(&c)))
		}
	}
}
