package ocr

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// maxOutput caps what one run of an OCR program may print: Tesseract's
// TSV output of a dense page is about 100 KB.
const maxOutput = 16 << 20

// lookPath finds a program on PATH.
var lookPath = exec.LookPath

// run runs the program path with args and returns its standard output. It
// stops the program when ctx ends or, if timeout > 0, after timeout. The
// program runs with OMP_THREAD_LIMIT=1: Tesseract's OpenMP threads make a
// page slower, not faster, on a busy machine.
func run(ctx context.Context, timeout time.Duration, path string, args ...string) ([]byte, error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	name := filepath.Base(path)
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = append(cmd.Environ(), "OMP_THREAD_LIMIT=1")
	cmd.WaitDelay = time.Second
	stdout := &cappedBuffer{limit: maxOutput}
	stderr := &cappedBuffer{limit: 4096}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%s: %w", name, context.Cause(ctx))
	}
	if err != nil {
		msg := firstLine(stderr.String())
		if msg == "" {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return nil, fmt.Errorf("%s: %w: %s", name, err, msg)
	}
	if stdout.full {
		return nil, fmt.Errorf("%s: %w: output over %d bytes", name, ErrTooLarge, maxOutput)
	}
	return stdout.Bytes(), nil
}

// firstLine returns the first non-blank line of s, printable and at most
// 200 bytes long.
func firstLine(s string) string {
	for l := range strings.Lines(s) {
		l = strings.Map(func(r rune) rune {
			if unicode.IsPrint(r) {
				return r
			}
			return -1
		}, strings.TrimSpace(l))
		if l != "" {
			return truncate(l, 200)
		}
	}
	return ""
}

// truncate returns s cut to at most n bytes at a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// cappedBuffer keeps the first limit bytes written to it and notes that
// more came; it never fails a write, so the program is not killed by a
// broken pipe.
type cappedBuffer struct {
	bytes.Buffer
	limit int
	full  bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := b.limit - b.Len(); len(p) > room {
		b.full = true
		b.Buffer.Write(p[:max(0, room)])
		return len(p), nil
	}
	return b.Buffer.Write(p)
}

// reader reads page images with Tesseract in the languages langs ("+"
// separated), or, while langs is "", chooses them from the first page
// that has text ([reader.choose]). A reader is not safe for concurrent
// use until langs is set.
type reader struct {
	info  Info
	langs string
}

// read returns the lines of the page image in file, which has dpi dots per
// inch (0: unknown).
func (r *reader) read(ctx context.Context, file string, dpi int) ([]ocrLine, error) {
	if r.langs != "" {
		return r.tesseract(ctx, file, dpi, r.langs)
	}
	langs, lines, err := r.choose(ctx, file, dpi)
	if err != nil {
		return nil, err
	}
	r.langs = langs
	return lines, nil
}

// tesseract reads the page image in file with the languages langs.
func (r *reader) tesseract(ctx context.Context, file string, dpi int, langs string) ([]ocrLine, error) {
	args := []string{file, "stdout", "-l", langs}
	if dpi > 0 {
		args = append(args, "--dpi", strconv.Itoa(dpi))
	}
	out, err := run(ctx, 0, r.info.Tesseract, append(args, "tsv")...)
	if err != nil {
		return nil, fmt.Errorf("couldn't read page by OCR: %w", err)
	}
	return parseTSV(string(out)), nil
}
