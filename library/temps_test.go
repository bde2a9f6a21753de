package library

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestOpenRemovesStaleTempUploads: temporary upload files left by a
// process killed while it wrote them are deleted when the library opens;
// one still being written (touched within staleTempAge) and the documents
// themselves are kept.
func TestOpenRemovesStaleTempUploads(t *testing.T) {
	dataDir := t.TempDir()
	dir := filepath.Join(dataDir, UploadsDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * staleTempAge)
	files := []struct {
		name     string
		modified time.Time
		kept     bool
	}{
		{".upload-123456", old, false},
		{".upload-999", old, false},
		{".upload-recent", time.Now(), true},
		{"pets.txt", old, true},
		{".notes", old, true},
	}
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, []byte(petsDoc), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, f.modified, f.modified); err != nil {
			t.Fatal(err)
		}
	}
	// A directory matching the pattern is not a temporary file.
	if err := os.Mkdir(filepath.Join(dir, ".upload-dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(filepath.Join(dir, ".upload-dir"), old, old); err != nil {
		t.Fatal(err)
	}

	l := openTest(t, dataDir)

	for _, f := range files {
		_, err := os.Stat(filepath.Join(dir, f.name))
		if kept := err == nil; kept != f.kept {
			t.Errorf("%s: kept = %v, want %v", f.name, kept, f.kept)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".upload-dir")); err != nil {
		t.Errorf("a directory matching the pattern was removed: %v", err)
	}
	if docs := l.Documents(); len(docs) != 2 || docs[1].Name != "pets.txt" {
		t.Errorf("documents = %+v, want the sample and pets.txt", docs)
	}
}

// TestOpenWithoutUploadsDir: a data directory without an uploads folder
// opens (nothing to clean) and gets no folder made for it.
func TestOpenWithoutUploadsDir(t *testing.T) {
	dataDir := t.TempDir()
	openTest(t, dataDir)
	if _, err := os.Stat(filepath.Join(dataDir, UploadsDir)); !os.IsNotExist(err) {
		t.Errorf("Open made the uploads folder: %v", err)
	}
}
