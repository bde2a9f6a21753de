// Command skipped runs go test and reports the tests that skipped, which
// go test's own output hides.
//
//	skipped [-record FILE] go test [flags] [packages]
//	skipped -list FILE
//
// With a go test command, skipped runs it with -json added, prints what
// go test prints without -v (package results, the output of failed
// tests, build errors; go test's standard error passes through), appends
// one line per skipped test ("package<TAB>test<TAB>reason") to the record
// file, and exits with go test's exit code. With -list it prints the
// tests a record file holds, or that none skipped. `make test` records
// both of its passes and ends with the list.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
)

func main() {
	code, err := run(os.Args[1:], os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "skipped:", err)
	}
	os.Exit(code)
}

// run runs skipped with args and returns the exit code: go test's, or 2
// when skipped itself failed (err says why).
func run(args []string, stdout, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("skipped", flag.ContinueOnError)
	fs.SetOutput(stderr)
	record := fs.String("record", "", "append the skipped tests to `file`")
	list := fs.String("list", "", "print the skipped tests recorded in `file`")
	if err := fs.Parse(args); err != nil {
		return 2, err
	}
	if *list != "" {
		return listFile(*list, stdout)
	}
	cmd := fs.Args()
	if len(cmd) < 2 || cmd[0] != "go" || cmd[1] != "test" {
		return 2, errors.New("usage: skipped [-record FILE] go test [flags] [packages] | skipped -list FILE")
	}
	return goTest(cmd, *record, stdout, stderr)
}

// goTest runs the go test command cmd with -json, prints its output as
// go test would without it and records its skipped tests in the file
// record (if not empty).
func goTest(cmd []string, record string, stdout, stderr io.Writer) (int, error) {
	c := exec.Command(cmd[0], append([]string{"test", "-json"}, cmd[2:]...)...)
	c.Stderr = stderr
	out, err := c.StdoutPipe()
	if err != nil {
		return 2, err
	}
	if err := c.Start(); err != nil {
		return 2, err
	}
	w := bufio.NewWriter(stdout)
	skips, readErr := filter(out, w)
	w.Flush()
	waitErr := c.Wait()
	if err := appendSkips(record, skips); err != nil {
		return 2, err
	}
	var exit *exec.ExitError
	switch {
	case errors.As(waitErr, &exit):
		return exit.ExitCode(), nil
	case waitErr != nil:
		return 2, waitErr
	case readErr != nil:
		return 2, fmt.Errorf("read go test's output: %w", readErr)
	}
	return 0, nil
}

// appendSkips appends skips to the file record, one line each; an empty
// record names no file.
func appendSkips(record string, skips []skip) error {
	if record == "" {
		return nil
	}
	f, err := os.OpenFile(record, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	for _, s := range skips {
		fmt.Fprintf(f, "%s\t%s\t%s\n", s.Package, s.Test, s.Reason)
	}
	return f.Close()
}

// listFile prints the skipped tests recorded in the file path; a missing
// file holds none.
func listFile(path string, stdout io.Writer) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return 2, err
	}
	fmt.Fprint(stdout, listing(string(data)))
	return 0, nil
}
