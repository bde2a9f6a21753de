package pdf

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/retrieval/pdf/pdftest"
)

// drawAt is a content stream fragment drawing s at (x, y).
func drawAt(x, y int, s string) string {
	return fmt.Sprintf("BT /F1 10 Tf %d %d Td (%s) Tj ET\n", x, y, s)
}

// TestExtractLimits checks that each work limit refuses a file that
// passes it, with the error naming that limit. It reads without the
// last-resort deadline, so that what is refused cannot depend on the
// machine's load.
func TestExtractLimits(t *testing.T) {
	const name = "big.pdf"
	long := strings.Repeat("x", 1000)
	tests := []struct {
		name  string
		raw   []byte
		want  string
		heavy bool // reads 32 MB or more: skipped under the race detector
	}{
		{"too many pages", pdftest.Repeated(MaxPages+1, drawAt(72, 700, "Hello."), 1),
			name + ": PDF too large to read (more than 2000 pages)", false},
		// 480 KB of FlateDecode that inflate to 200 MB: the file that took
		// 28 s and 2.7 GB.
		{"one huge content stream", pdftest.Repeated(1, "BT /F1 1 Tf 0 0 Td (a) Tj ET\n", 7_000_000),
			name + ": PDF too large to read (content stream over 16 MB decompressed)", false},
		{"content of a page in many streams", pdftest.RepeatedStreams(20, "0 0 m 10 10 l S\n", 100_000),
			name + ": PDF too large to read (content stream over 16 MB decompressed)", false},
		{"content streams too large together", pdftest.Repeated(5, "0 0 m 10 10 l S\n", 900_000),
			name + ": PDF too large to read (more than 64 MB of content streams decompressed)", true},
		{"too many runs on a page", pdftest.Repeated(1, "BT /F1 1 Tf 0 0 Td (a) Tj ET\n", maxPageRuns+1),
			name + ": PDF too large to read (more than 200000 text runs on one page)", false},
		{"too much text", pdftest.Repeated(6, drawAt(0, 0, long), 6_000),
			name + ": PDF too large to read (more than 32 MB of text)", true},
		// 36 MB of content, within maxContent, that runs 18 million
		// operators.
		{"too many operators", pdftest.Repeated(3, "q Q\n", 3_000_000),
			name + ": PDF too large to read (more than 16000000 content operators)", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.heavy && raceEnabled {
				t.Skip("slow under the race detector")
			}
			text, err := extract(name, tc.raw, time.Time{})
			if err == nil {
				t.Fatalf("Extract = %d bytes of text, want an error", len(text))
			}
			pdftest.CheckError(t, err, tc.want, ErrTooLarge)
		})
	}
}

func TestExtractUpToMaxPages(t *testing.T) {
	raw := pdftest.Repeated(MaxPages, drawAt(72, 700, "Hello."), 1)
	if _, err := extract("book.pdf", raw, time.Time{}); errors.Is(err, ErrTooLarge) {
		t.Fatalf("a PDF of %d pages is refused: %v", MaxPages, err)
	}
}

// TestExtractDeadline checks the last resort behind the work limits: a
// file read past its deadline is refused, whatever its work.
func TestExtractDeadline(t *testing.T) {
	raw := pdftest.Repeated(3, drawAt(72, 700, "Hello."), 10_000)
	_, _, err := readText(raw, time.Now().Add(-time.Second))
	want := fmt.Sprintf("PDF too large to read (reading took over %v)", MaxDuration)
	if err == nil || err.Error() != want || !errors.Is(err, ErrTooLarge) {
		t.Fatalf("readText past its deadline: %v, want %q", err, want)
	}
}

// TestExtractMemory checks that the file that cost 2.7 GB before the
// limits allocates a small multiple of the limit of one content stream.
func TestExtractMemory(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("compresses 200 MB; the race detector allocates more")
	}
	raw := pdftest.Repeated(1, "BT /F1 1 Tf 0 0 Td (a) Tj ET\n", 7_000_000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if _, err := Extract("bomb.pdf", raw); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Extract = %v, want ErrTooLarge", err)
	}
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %d MB", alloc>>20)
	if alloc > 6*maxStream {
		t.Errorf("Extract allocated %d MB, want at most %d", alloc>>20, 6*maxStream>>20)
	}
}
