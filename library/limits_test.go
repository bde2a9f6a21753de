package library

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citebot/citebot/retrieval"
	"github.com/citebot/citebot/retrieval/document"
)

// defaultLimits are the limits of the default settings with the local
// embedder: max_passages_per_document 20000, memory_budget_mb 256.
var defaultLimits = document.Limits{MaxPassages: 20000, MemoryBudget: 256 << 20, VectorDims: 384}

// countingBuild builds with the default options and counts the passages
// it was given to embed.
type countingBuild struct{ passages int }

func (b *countingBuild) build(ctx context.Context, _ string, docs []*document.Document) (*retrieval.Index, retrieval.BuildStats, error) {
	for _, d := range docs {
		b.passages += len(document.Passages(d, 0))
	}
	return retrieval.Build(ctx, docs, retrieval.Options{})
}

// tinyParagraphs returns size bytes of one-character paragraphs.
func tinyParagraphs(size int) []byte {
	return bytes.Repeat([]byte("a\n\n"), size/3)
}

// TestAddDocumentOverLimits sends the uploads that took gigabytes to
// index: each is refused before anything is embedded, with an error naming
// the limit and its setting, and the library goes on as it was.
func TestAddDocumentOverLimits(t *testing.T) {
	budgetOnly := defaultLimits
	budgetOnly.MaxPassages = 0
	tests := []struct {
		name   string
		limits document.Limits
		data   []byte
		want   string
	}{
		{"2.4 MB of one-character paragraphs", defaultLimits, tinyParagraphs(2_400_000),
			"notes.txt: 800000 paragraphs, over the limit of 20000 passages per document (max_passages_per_document)"},
		{"the same without a passage limit", budgetOnly, tinyParagraphs(2_400_000),
			"notes.txt: 800000 paragraphs would need ~2.7 GB, over the memory budget of 256 MB (memory_budget_mb)"},
		{"a 20 MiB upload of tiny paragraphs", defaultLimits, tinyParagraphs(20 << 20),
			"notes.txt: 6990506 paragraphs, over the limit of 20000 passages per document (max_passages_per_document)"},
		{"fits alone, not with the sample", document.Limits{MemoryBudget: 65 << 20 / 10, VectorDims: 384}, tinyParagraphs(5700),
			"notes.txt: 1900 passages would need ~6.4 MB, with the other document ~6.6 MB, over the memory budget of 6.5 MB (memory_budget_mb)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			b := &countingBuild{}
			l, _, err := Open(context.Background(), Options{DataDir: dir, Build: b.build, Limits: tc.limits})
			if err != nil {
				t.Fatal(err)
			}
			embedded, gen := b.passages, l.Current().Generation
			_, err = l.AddDocument(context.Background(), "notes.txt", tc.data, nil)
			if err == nil || err.Error() != tc.want || !errors.Is(err, document.ErrOverLimit) {
				t.Fatalf("AddDocument = %v\nwant %q", err, tc.want)
			}
			if b.passages != embedded {
				t.Errorf("%d passages sent to the build, want none", b.passages-embedded)
			}
			if l.Current().Generation != gen || len(l.Documents()) != 1 {
				t.Errorf("generation %d with %d documents after a refused upload, want %d with 1", l.Current().Generation, len(l.Documents()), gen)
			}
			if _, err := os.Stat(filepath.Join(dir, UploadsDir, "notes.txt")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the refused upload was saved: %v", err)
			}
		})
	}
}

func TestAddDocumentWithinLimits(t *testing.T) {
	l, _, err := Open(context.Background(), Options{DataDir: t.TempDir(), Build: (&countingBuild{}).build, Limits: defaultLimits})
	if err != nil {
		t.Fatal(err)
	}
	info, err := l.AddDocument(context.Background(), "notes.txt", tinyParagraphs(60_000), nil)
	if err != nil || info.Paragraphs != 20_000 {
		t.Fatalf("AddDocument of 20000 paragraphs = %+v, %v", info, err)
	}
}

// TestOpenOverLimits checks the configured documents against the limits
// (an error) and the uploads (skipped with a warning when they no longer
// fit, as after the budget was lowered).
func TestOpenOverLimits(t *testing.T) {
	dir := t.TempDir()
	configured := filepath.Join(dir, "big.txt")
	if err := os.WriteFile(configured, tinyParagraphs(90_000), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := Open(context.Background(), Options{Docs: []string{configured}, DataDir: dir, Build: (&countingBuild{}).build,
		Limits: document.Limits{MaxPassages: 1000}})
	want := configured + ": 30000 paragraphs, over the limit of 1000 passages per document (max_passages_per_document)"
	if err == nil || err.Error() != want {
		t.Fatalf("Open = %v\nwant %q", err, want)
	}

	l := openTest(t, dir)
	for _, name := range []string{"a.txt", "b.txt"} {
		if _, err := l.AddDocument(context.Background(), name, tinyParagraphs(3000), nil); err != nil {
			t.Fatal(err)
		}
	}
	var log strings.Builder
	l, _, err = Open(context.Background(), Options{DataDir: dir, Build: (&countingBuild{}).build,
		Limits: document.Limits{MemoryBudget: 4 << 20, VectorDims: 384}, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(l.Documents()); n != 2 {
		t.Errorf("%d documents, want the sample and a.txt", n)
	}
	if got := log.String(); !strings.Contains(got, "skipping uploaded document") || !strings.Contains(got, "b.txt: 1000 passages") ||
		!strings.Contains(got, "memory_budget_mb") {
		t.Errorf("log %q, want b.txt skipped over the memory budget", got)
	}
}
