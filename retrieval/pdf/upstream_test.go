package pdf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/citebot/citebot/retrieval/pdf/pdftest"
	upstream "github.com/ledongthuc/pdf"
)

// Environment variables of TestUpstreamHazards and its children.
const (
	upstreamHazardsEnv = "PDF_UPSTREAM_HAZARDS" // set to run TestUpstreamHazards
	upstreamChildEnv   = "PDF_UPSTREAM_CHILD"   // the case a child reads
)

// Limits of a child of TestUpstreamHazards: its address space, its stack,
// and its time (far past the second or less Extract takes on every case
// on an idle machine: a reader still running then does unbounded work).
const (
	childMemory  = 2 << 30
	childStack   = 256 << 20
	childTimeout = 25 * time.Second
)

// TestUpstreamHazards shows that every pdftest.Hostile and pdftest.Costly
// file harms the unguarded reader github.com/ledongthuc/pdf, which
// internal/pdfread forks: each is read in a child process, with at most
// childMemory of address space, and must die of a fatal error (stack
// overflow, out of memory) or run past childTimeout. It takes a few minutes of CPU, so it
// runs only when PDF_UPSTREAM_HAZARDS is set; set to "extract", it
// reports how [Extract] fares in the same children instead.
func TestUpstreamHazards(t *testing.T) {
	mode := os.Getenv(upstreamHazardsEnv)
	if mode == "" {
		t.Skipf("set %s=1 to read the hostile files with the upstream reader in child processes (minutes of CPU)", upstreamHazardsEnv)
	}
	for _, c := range append(pdftest.Hostile(), pdftest.Costly()...) {
		t.Run(c.Name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), childTimeout)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestUpstreamChild$", "-test.timeout=0")
			cmd.Env = append(os.Environ(), upstreamChildEnv+"="+c.Name)
			start := time.Now()
			out, err := cmd.CombinedOutput()
			took := time.Since(start).Round(10 * time.Millisecond)
			rss := 0
			if cmd.ProcessState != nil {
				rss = int(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss >> 10)
			}
			outcome := childOutcome(ctx, out)
			t.Logf("%s after %v, max RSS %d MB (hazard: %s): %s", outcome, took, rss, c.Hazard, childResult(out))
			if outcome == "" && mode != "extract" {
				t.Errorf("the upstream reader survived (%v): %s", err, lastLines(out, 5))
			}
		})
	}
}

// childOutcome returns how a child of TestUpstreamHazards that printed
// out ended, or "" when it ended normally.
func childOutcome(ctx context.Context, out []byte) string {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Sprintf("still running at %v", childTimeout)
	case bytes.Contains(out, []byte("fatal error: stack overflow")):
		return "fatal error: stack overflow"
	case bytes.Contains(out, []byte("out of memory")):
		return "fatal error: out of memory"
	case bytes.Contains(out, []byte("fatal error")):
		return "fatal error"
	}
	return ""
}

// childResult returns the line in which a child of TestUpstreamHazards
// that printed out reported its result, or "".
func childResult(out []byte) string {
	for line := range strings.Lines(string(out)) {
		if strings.HasPrefix(line, "Extract: ") || strings.HasPrefix(line, "read ") {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

// lastLines returns the last n lines of out.
func lastLines(out []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// TestUpstreamChild is a child of TestUpstreamHazards: it reads one
// hostile file with the upstream reader under the child limits.
func TestUpstreamChild(t *testing.T) {
	name := os.Getenv(upstreamChildEnv)
	if name == "" {
		t.Skip("a child of TestUpstreamHazards")
	}
	lim := syscall.Rlimit{Cur: childMemory, Max: childMemory}
	if err := syscall.Setrlimit(syscall.RLIMIT_AS, &lim); err != nil {
		t.Fatal(err)
	}
	debug.SetMaxStack(childStack)
	for _, c := range append(pdftest.Hostile(), pdftest.Costly()...) {
		if c.Name == name {
			raw := c.Build()
			if os.Getenv(upstreamHazardsEnv) == "extract" {
				_, err := Extract("hostile.pdf", raw)
				fmt.Printf("Extract: %v\n", err)
				return
			}
			pages, err := upstreamRead(raw)
			fmt.Printf("read %d pages: %v\n", pages, err)
			return
		}
	}
	t.Fatalf("no hostile case %q", name)
}

// upstreamRead reads the PDF raw with the upstream reader as Extract
// reads it: the page tree, and each page's content and font encodings.
// It returns the reader's panics as errors.
func upstreamRead(raw []byte) (pages int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	r, err := upstream.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return 0, err
	}
	var walk func(v upstream.Value, depth int)
	walk = func(v upstream.Value, depth int) {
		if depth > maxTreeDepth {
			return
		}
		if kids := v.Key("Kids"); v.Key("Type").Name() == "Pages" {
			for i := range kids.Len() {
				walk(kids.Index(i), depth+1)
			}
			return
		}
		pages++
		var content bytes.Buffer
		if c := v.Key("Contents"); c.Kind() == upstream.Stream {
			io.Copy(&content, c.Reader())
		}
		fonts := v.Key("Resources").Key("Font")
		for _, k := range fonts.Keys() {
			f := upstream.Font{V: fonts.Key(k)}
			f.Encoder().Decode(content.String())
		}
	}
	walk(r.Trailer().Key("Root").Key("Pages"), 0)
	return pages, nil
}
