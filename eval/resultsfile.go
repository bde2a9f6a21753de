package eval

import (
	"fmt"
	"os"
)

// WriteResultsFile writes the per-question results to path as JSON Lines
// (see [WriteResults]).
func WriteResultsFile(path string, results []Result) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("per-question file: %w", err)
	}
	if err := WriteResults(f, results); err != nil {
		f.Close()
		return fmt.Errorf("per-question file %s: %w", path, err)
	}
	return f.Close()
}
