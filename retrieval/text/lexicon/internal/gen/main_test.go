package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestKeepSenses(t *testing.T) {
	for _, tc := range []struct {
		gloss string
		n     int
		want  string
	}{
		{"to undergo fundamental change; to transition; to transform", 2, "to undergo fundamental change; to transition; to transform"},
		{"a very long explanation of what this word means in most contexts; short", 2, "short"},
		{"Yangtze River Economic Belt", 5, "Yangtze River Economic Belt"},
		{"lit. to draw a snake and add feet to it", 4, ""},
		{"farmland", 2, "farmland"},
	} {
		if got := keepSenses(tc.gloss, tc.n); got != tc.want {
			t.Errorf("keepSenses(%q, %d) = %q, want %q", tc.gloss, tc.n, got, tc.want)
		}
	}
}

// TestGeneratedDataCurrent regenerates the lexicon from the shared
// CC-CEDICT copy and compares it with the embedded file: run `go generate
// ./retrieval/text/lexicon/` after changing the generator. It skips when
// ../shared is absent, except under CI=1.
func TestGeneratedDataCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("regenerating takes a few seconds")
	}
	in := filepath.Join("..", "..", "..", "..", "..", "..", "shared", "dict", "cedict_ts.u8.gz")
	if _, err := os.Stat(in); err != nil {
		if os.Getenv("CI") == "1" {
			t.Fatalf("CC-CEDICT not found: %v", err)
		}
		t.Skipf("CC-CEDICT not found: %v", err)
	}
	out := filepath.Join(t.TempDir(), "lexicon.gz")
	if err := run(in, out); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "lexicon.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("lexicon.gz is stale (%d bytes generated, %d embedded): run go generate ./retrieval/text/lexicon/", len(got), len(want))
	}
}
