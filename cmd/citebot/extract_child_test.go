package main

import (
	"os"
	"testing"

	"github.com/citebot/citebot/retrieval/extract"
)

// TestMain lets the test binary serve as the extraction worker that an
// isolated extract.Extractor starts (itself, again), then runs the tests.
func TestMain(m *testing.M) {
	extract.Main()
	os.Exit(m.Run())
}
