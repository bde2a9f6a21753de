package progress

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/citebot/citebot/retrieval/extract"
)

// report is one call of Report, at offset from the start.
type report struct {
	at   time.Duration
	file string
	p    extract.Progress
}

func TestPlainLines(t *testing.T) {
	ocr := func(done int) extract.Progress { return extract.Progress{Stage: "OCR", Done: done, Total: 40} }
	tests := []struct {
		name    string
		reports []report
		want    []string
	}{
		{
			name:    "a page every 2 s: a line every 5 s, and the last page",
			reports: []report{{0, "scan.pdf", ocr(0)}, {2 * time.Second, "scan.pdf", ocr(1)}, {4 * time.Second, "scan.pdf", ocr(2)}, {6 * time.Second, "scan.pdf", ocr(3)}, {8 * time.Second, "scan.pdf", ocr(40)}},
			want:    []string{"reading scan.pdf: OCR page 0 of 40", "reading scan.pdf: OCR page 3 of 40", "reading scan.pdf: OCR page 40 of 40"},
		},
		{
			name:    "slow pages: each one",
			reports: []report{{0, "a.pdf", ocr(1)}, {9 * time.Second, "a.pdf", ocr(2)}, {18 * time.Second, "a.pdf", ocr(3)}},
			want:    []string{"reading a.pdf: OCR page 1 of 40", "reading a.pdf: OCR page 2 of 40", "reading a.pdf: OCR page 3 of 40"},
		},
		{
			name:    "a new file or stage is told at once; repeats are not",
			reports: []report{{0, "a.pdf", ocr(40)}, {0, "a.pdf", ocr(40)}, {time.Second, "b.pdf", extract.Progress{Stage: "reading"}}, {time.Second, "b.pdf", ocr(0)}},
			want:    []string{"reading a.pdf: OCR page 40 of 40", "reading b.pdf: reading", "reading b.pdf: OCR page 0 of 40"},
		},
		{
			name:    "no stage, more done than total",
			reports: []report{{0, "x.txt", extract.Progress{Done: 5, Total: 3}}},
			want:    []string{"reading x.txt page 3 of 3"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			now := start
			d := NewPlain(&buf, DefaultEvery, func() time.Time { return now })
			for _, r := range tt.reports {
				now = start.Add(r.at)
				d.Report(r.file, r.p)
			}
			d.Close()
			got := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("mismatch (-got +want):\n%s", diff)
			}
		})
	}
}

// TestNotATerminal: a file (as stderr redirected to one) gets plain lines.
func TestNotATerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := New(f)
	d.Report("scan.pdf", extract.Progress{Stage: "OCR", Done: 12, Total: 40})
	d.Close()
	got, _ := os.ReadFile(f.Name())
	if string(got) != "reading scan.pdf: OCR page 12 of 40\n" {
		t.Errorf("got %q", got)
	}
}

// TestBar draws the terminal bar into a buffer: the description, the
// count, and a new line when a failed reading leaves it unfinished. The
// bar's clock is the bubble's, so the second report is past its throttle
// however busy the machine.
func TestBar(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		d := &Display{w: &buf, tty: true, every: DefaultEvery, now: time.Now}
		d.Report("scan.pdf", extract.Progress{Stage: "OCR", Done: 0, Total: 40})
		time.Sleep(150 * time.Millisecond) // past the bar's throttle
		d.Report("scan.pdf", extract.Progress{Stage: "OCR", Done: 12, Total: 40})
		d.Close()
		out := buf.String()
		if !strings.Contains(out, "reading scan.pdf: OCR") || !strings.Contains(out, "12/40") || !strings.HasSuffix(out, "\n") {
			t.Errorf("bar output %q", out)
		}
	})
}
