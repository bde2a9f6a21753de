package retrieval

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/citebot/citebot/retrieval/document"
	"github.com/google/go-cmp/cmp"
	"github.com/philippgille/chromem-go"
)

// countingEmbedder counts calls to a local embedder.
type countingEmbedder struct {
	calls atomic.Int64
	embed chromem.EmbeddingFunc
}

func newCountingEmbedder() *countingEmbedder {
	return &countingEmbedder{embed: LocalEmbedder(64)}
}

func (c *countingEmbedder) Embed(ctx context.Context, text string) ([]float32, error) {
	c.calls.Add(1)
	return c.embed(ctx, text)
}

// logBuffer returns a logger writing text records into a buffer.
func logBuffer() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), &buf
}

func snapshotFiles(tb testing.TB, dir string) []string {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func persistOpts(dir string, e *countingEmbedder, log *slog.Logger) Options {
	return Options{DataDir: dir, Embedder: e.Embed, EmbedderID: "counting-64", Logger: log}
}

func TestSnapshotReused(t *testing.T) {
	dir := t.TempDir()
	docs := []*document.Document{document.Sample(), textDoc(t, "second.txt", "黄河流域生态保护。", "上海市委书记陈吉宁发言。")}
	e := newCountingEmbedder()
	ix1, stats1, err := Build(context.Background(), docs, persistOpts(dir, e, nil))
	if err != nil {
		t.Fatal(err)
	}
	if stats1.Reused || stats1.Embedded != stats1.Passages || e.calls.Load() != int64(stats1.Passages) {
		t.Fatalf("first build: %+v, %d calls", stats1, e.calls.Load())
	}
	if files := snapshotFiles(t, dir); len(files) != 1 || !strings.HasSuffix(files[0], snapshotSuffix) {
		t.Fatalf("data dir holds %v, want one snapshot", files)
	}

	e2 := newCountingEmbedder()
	ix2, stats2, err := Build(context.Background(), docs, persistOpts(dir, e2, nil))
	if err != nil {
		t.Fatal(err)
	}
	if !stats2.Reused || stats2.Embedded != 0 || e2.calls.Load() != 0 {
		t.Errorf("second build: %+v with %d embedding calls, want reused with none", stats2, e2.calls.Load())
	}
	if !cmp.Equal(ix1.vec.data, ix2.vec.data) {
		t.Error("loaded vectors differ from the embedded ones")
	}
	for _, q := range []string{"上海市委书记是谁？", "生态保护"} {
		h1, _ := ix1.Search(context.Background(), q, 5)
		h2, _ := ix2.Search(context.Background(), q, 5)
		if diff := cmp.Diff(h1, h2); diff != "" {
			t.Errorf("%q: results differ after reload (-built +loaded):\n%s", q, diff)
		}
	}
	if e2.calls.Load() != 2 {
		t.Errorf("%d embedding calls for 2 hybrid searches, want 2 (queries only)", e2.calls.Load())
	}
}

func TestSnapshotInvalidatedByInputs(t *testing.T) {
	base := textDoc(t, "doc.txt", "黄河流域生态保护。", "上海市委书记陈吉宁发言。")
	changed := textDoc(t, "doc.txt", "黄河流域生态保护。", "上海市委书记陈吉宁发言并提出建议。")
	tests := []struct {
		name   string
		docs   []*document.Document
		change func(*Options)
	}{
		{"changed document", []*document.Document{changed}, nil},
		{"added document", []*document.Document{base, document.Sample()}, nil},
		{"other embedder", []*document.Document{base}, func(o *Options) { o.EmbedderID = "counting-64-v2" }},
		{"other passage limit", []*document.Document{base}, func(o *Options) { o.MaxPassageRunes = 300 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if _, _, err := Build(context.Background(), []*document.Document{base}, persistOpts(dir, newCountingEmbedder(), nil)); err != nil {
				t.Fatal(err)
			}
			old := snapshotFiles(t, dir)
			e := newCountingEmbedder()
			opts := persistOpts(dir, e, nil)
			if tt.change != nil {
				tt.change(&opts)
			}
			_, stats, err := Build(context.Background(), tt.docs, opts)
			if err != nil {
				t.Fatal(err)
			}
			if stats.Reused || e.calls.Load() != int64(stats.Passages) {
				t.Errorf("stats %+v, %d calls: want a full re-embed", stats, e.calls.Load())
			}
			now := snapshotFiles(t, dir)
			if len(now) != 1 || now[0] == old[0] {
				t.Errorf("data dir %v after %v: want the stale snapshot replaced", now, old)
			}
			// And the new snapshot is used next time.
			e3 := newCountingEmbedder()
			opts.Embedder = e3.Embed
			if _, stats, _ := Build(context.Background(), tt.docs, opts); !stats.Reused || e3.calls.Load() != 0 {
				t.Errorf("third build: %+v, %d calls", stats, e3.calls.Load())
			}
		})
	}
}

func TestSnapshotCorrupt(t *testing.T) {
	tests := []struct {
		name    string
		corrupt func([]byte) []byte
		want    string
	}{
		{"truncated", func(b []byte) []byte { return b[:len(b)/2] }, "corrupt snapshot"},
		{"empty", func(b []byte) []byte { return nil }, "too short"},
		{"flipped vector byte", func(b []byte) []byte { b[len(b)-100] ^= 0x40; return b }, "checksum mismatch"},
		{"flipped id byte", func(b []byte) []byte { b[60] ^= 0x01; return b }, ""},
		{"bad magic", func(b []byte) []byte { copy(b, "NOTANIDX"); return b }, "not a citebot index snapshot"},
		{"trailing garbage", func(b []byte) []byte { return append(b, 1, 2, 3) }, "corrupt snapshot"},
		{"huge dimension", func(b []byte) []byte { b[44], b[45], b[46], b[47] = 0xff, 0xff, 0xff, 0x7f; return b }, "dimension"},
		{"other version", func(b []byte) []byte { b[8] = 99; return b }, "format version 99"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			docs := []*document.Document{document.Sample()}
			if _, _, err := Build(context.Background(), docs, persistOpts(dir, newCountingEmbedder(), nil)); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, snapshotFiles(t, dir)[0])
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, tt.corrupt(raw), 0o644); err != nil {
				t.Fatal(err)
			}

			log, buf := logBuffer()
			e := newCountingEmbedder()
			ix, stats, err := Build(context.Background(), docs, persistOpts(dir, e, log))
			if err != nil {
				t.Fatalf("build over a corrupt snapshot: %v", err)
			}
			if stats.Reused || e.calls.Load() != int64(stats.Passages) {
				t.Errorf("stats %+v, %d calls: want a rebuild", stats, e.calls.Load())
			}
			out := buf.String()
			if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "index snapshot unusable") || !strings.Contains(out, tt.want) {
				t.Errorf("log does not warn about %q:\n%s", tt.want, out)
			}
			if _, err := ix.Search(context.Background(), "长江", 3); err != nil {
				t.Error(err)
			}
			// The rebuilt snapshot is valid again.
			e2 := newCountingEmbedder()
			if _, stats, _ := Build(context.Background(), docs, persistOpts(dir, e2, nil)); !stats.Reused {
				t.Errorf("snapshot not rewritten: %+v", stats)
			}
		})
	}
}

func TestSnapshotMissingIsQuiet(t *testing.T) {
	log, buf := logBuffer()
	dir := filepath.Join(t.TempDir(), "new", "data")
	if _, _, err := Build(context.Background(), []*document.Document{document.Sample()}, persistOpts(dir, newCountingEmbedder(), log)); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "level=WARN") {
		t.Errorf("warning for a first build:\n%s", buf)
	}
	for _, name := range snapshotFiles(t, dir) {
		if strings.HasSuffix(name, ".tmp") {
			t.Errorf("temporary file left behind: %s", name)
		}
	}
}

func TestSnapshotUnwritable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	log, buf := logBuffer()
	_, stats, err := Build(context.Background(), []*document.Document{document.Sample()}, persistOpts(file, newCountingEmbedder(), log))
	if err != nil {
		t.Fatalf("an unwritable data dir must not fail the build: %v", err)
	}
	if stats.Embedded == 0 || stats.SaveErr == nil || !strings.Contains(buf.String(), "couldn't save index snapshot") {
		t.Errorf("stats %+v, log:\n%s", stats, buf)
	}
}

func TestSnapshotKey(t *testing.T) {
	a := textDoc(t, "a.txt", "甲")
	b := textDoc(t, "b.txt", "乙")
	opts := Options{EmbedderID: "x", MaxPassageRunes: 100}
	base := snapshotKey([]*document.Document{a, b}, opts)
	if snapshotKey([]*document.Document{a, b}, opts) != base {
		t.Error("key not deterministic")
	}
	if snapshotKey([]*document.Document{b, a}, opts) == base {
		t.Error("document order does not change the key")
	}
	renamed := *a
	renamed.Name = "c.txt"
	if snapshotKey([]*document.Document{&renamed, b}, opts) == base {
		t.Error("a renamed document does not change the key")
	}
}

// TestSnapshotNotARegularFile: a FIFO where the snapshot belongs must not
// hang the start (opening it would block until a writer comes); the index
// is rebuilt and the FIFO replaced.
func TestSnapshotNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	docs := []*document.Document{document.Sample()}
	if _, _, err := Build(context.Background(), docs, persistOpts(dir, newCountingEmbedder(), nil)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, snapshotFiles(t, dir)[0])
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, stats, err := Build(context.Background(), docs, persistOpts(dir, newCountingEmbedder(), nil))
		if err == nil && stats.Reused {
			err = errors.New("a FIFO was read as a snapshot")
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Build hangs on a FIFO in place of the snapshot")
	}
	if info, err := os.Lstat(path); err != nil || !info.Mode().IsRegular() {
		t.Fatalf("snapshot after the rebuild: %v, %v", info, err)
	}
}

// TestSnapshotOrphansRemoved: temporary files left by a process killed
// while saving are removed at the next start once they are old enough; a
// fresh one (a save in progress) is kept.
func TestSnapshotOrphansRemoved(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, ".index-123.tmp")
	fresh := filepath.Join(dir, ".index-456.tmp")
	for _, p := range []string{old, fresh} {
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-time.Hour)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Build(context.Background(), []*document.Document{document.Sample()}, persistOpts(dir, newCountingEmbedder(), nil)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("orphan %s still there: %v", old, err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a fresh temporary file was removed: %v", err)
	}
}
