package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// event is one line of `go test -json` (see `go doc test2json`).
type event struct {
	Action     string
	Package    string
	Test       string
	Output     string
	ImportPath string // of build-output events
}

// skip is a test that skipped, with the lines it logged.
type skip struct {
	Package, Test, Reason string
}

// testKey names one test (or subtest) of one package.
type testKey struct{ pkg, test string }

// filter reads the events of `go test -json` from r and writes to w what
// go test prints without -json and -v: build errors, package lines, and
// the whole output of a failed test (or of tests still running when
// their package failed, as after a panic or a timeout). It returns the
// tests that skipped, in the order they ended. A line that is not an
// event is copied as it is.
func filter(r io.Reader, w io.Writer) ([]skip, error) {
	var skips []skip
	running := map[testKey][]string{} // the output of tests not ended yet
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Action == "" {
			fmt.Fprintln(w, sc.Text())
			continue
		}
		key := testKey{e.Package, e.Test}
		switch {
		case e.Action == "build-output":
			io.WriteString(w, e.Output)
		case e.Test == "" && e.Action == "output":
			if shownPackageLine(e.Output) {
				io.WriteString(w, e.Output)
			}
		case e.Test == "" && (e.Action == "pass" || e.Action == "fail"):
			var left []testKey
			for k := range running {
				if k.pkg == e.Package {
					left = append(left, k)
				}
			}
			slices.SortFunc(left, func(a, b testKey) int { return strings.Compare(a.test, b.test) })
			for _, k := range left {
				if e.Action == "fail" {
					writeLines(w, running[k])
				}
				delete(running, k)
			}
		case e.Test == "":
		case e.Action == "output":
			running[key] = append(running[key], e.Output)
		case e.Action == "fail":
			writeLines(w, running[key])
			delete(running, key)
		case e.Action == "skip":
			skips = append(skips, skip{e.Package, e.Test, reason(running[key])})
			delete(running, key)
		case e.Action == "pass":
			delete(running, key)
		}
	}
	return skips, sc.Err()
}

// shownPackageLine reports whether go test without -v prints the line
// of package output out: not the test binary's PASS nor its warning that
// -run matched no test (the package line says so).
func shownPackageLine(out string) bool {
	return out != "PASS\n" && !strings.HasPrefix(out, "testing: warning: no tests to run") && !isProgress(out)
}

// isProgress reports whether out is a line the test binary prints only
// under -v: a test starting, pausing or continuing.
func isProgress(out string) bool {
	for _, p := range []string{"=== RUN", "=== PAUSE", "=== CONT", "=== NAME"} {
		if strings.HasPrefix(out, p) {
			return true
		}
	}
	return false
}

// writeLines writes the output lines of a failed test, without the lines
// only -v prints.
func writeLines(w io.Writer, lines []string) {
	for _, l := range lines {
		if !isProgress(l) {
			io.WriteString(w, l)
		}
	}
}

// reason returns what a skipped test logged, on one line: its lines other
// than -v's and the --- SKIP line, trimmed and joined by spaces.
func reason(lines []string) string {
	var parts []string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" || isProgress(l) || strings.HasPrefix(l, "--- SKIP") {
			continue
		}
		parts = append(parts, strings.Join(strings.Fields(l), " "))
	}
	return strings.Join(parts, " ")
}

// listing returns the report of the record file's text: a heading with
// the number of skipped tests and one line each ("package test: reason"),
// or a line saying that none skipped.
func listing(record string) string {
	var b strings.Builder
	n := 0
	for line := range strings.Lines(record) {
		pkg, rest, ok := strings.Cut(strings.TrimRight(line, "\n"), "\t")
		test, why, _ := strings.Cut(rest, "\t")
		if !ok {
			continue
		}
		n++
		fmt.Fprintf(&b, "  %s %s", pkg, test)
		if why != "" {
			fmt.Fprintf(&b, ": %s", why)
		}
		b.WriteString("\n")
	}
	if n == 0 {
		return "skipped tests: none\n"
	}
	return fmt.Sprintf("skipped tests (%d):\n%s", n, b.String())
}
