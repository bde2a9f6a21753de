package doccheck

import (
	"os"
	"path/filepath"
	"testing"
)

// repoRoot returns the repository's root: the folder holding go.mod,
// four levels above this package.
func repoRoot(tb testing.TB) string {
	tb.Helper()
	root, err := filepath.Abs(filepath.Join("..", "..", "..", ".."))
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		tb.Fatalf("no go.mod at the repository root: %v", err)
	}
	return root
}
