package config

import (
	"flag"
	"io"
	"reflect"
	"testing"
)

func TestParseArgs(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		pos    []string
		asJSON bool
		k      int
	}{
		{"flags first", []string{"--json", "--k", "3", "Q"}, []string{"Q"}, true, 3},
		{"flags last", []string{"Q", "--json"}, []string{"Q"}, true, 0},
		{"flags between", []string{"two", "-k=4", "words"}, []string{"two", "words"}, false, 4},
		{"double dash ends flags", []string{"Q", "--", "--json", "-k", "1"}, []string{"Q", "--json", "-k", "1"}, false, 0},
		{"double dash first", []string{"--", "--json"}, []string{"--json"}, false, 0},
		{"single dash is positional", []string{"-", "--json"}, []string{"-"}, true, 0},
		{"no args", nil, nil, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			asJSON := fs.Bool("json", false, "")
			k := fs.Int("k", 0, "")
			pos, err := ParseArgs(fs, tt.args)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(pos, tt.pos) || *asJSON != tt.asJSON || *k != tt.k {
				t.Fatalf("ParseArgs(%q) = %q json=%v k=%d, want %q json=%v k=%d", tt.args, pos, *asJSON, *k, tt.pos, tt.asJSON, tt.k)
			}
		})
	}
}

func TestParseArgsErrors(t *testing.T) {
	for _, args := range [][]string{{"Q", "--nope"}, {"--k", "x", "Q"}, {"Q", "-h"}} {
		t.Run(args[1], func(t *testing.T) {
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			fs.Int("k", 0, "")
			if _, err := ParseArgs(fs, args); err == nil {
				t.Fatalf("ParseArgs(%q) accepted", args)
			}
		})
	}
}
