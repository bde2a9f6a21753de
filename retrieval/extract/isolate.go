package extract

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// Bounds of what the parent keeps of a child's output besides its text.
const (
	outputOverhead = 64 << 10 // frames, progress and the result's metadata
	stderrKept     = 4 << 10  // bytes of the child's standard error kept for the reason
)

// inChild reads the file in a child process under e.Limits.
func (e *Extractor) inChild(ctx context.Context, name string, kind Kind, raw []byte, opts Options, progress ProgressFunc) (Result, error) {
	if err := e.acquire(ctx); err != nil {
		return Result{}, fmt.Errorf("couldn't read %s: %w", name, err)
	}
	defer e.release()
	lim := e.Limits.withDefaults()
	req, err := json.Marshal(request{Name: name, Kind: kind, Options: opts, Limits: lim, Size: len(raw)})
	if err != nil {
		return Result{}, fmt.Errorf("couldn't read %s: %w", name, err)
	}
	c, err := startChild(req, raw, lim.Output)
	if err != nil {
		return Result{}, fmt.Errorf("couldn't read %s: start a worker: %w", name, err)
	}
	defer c.stop()
	start, wall := time.Now(), lim.Wall
	deadline := time.NewTimer(wall)
	defer deadline.Stop()
	for {
		select {
		case <-ctx.Done():
			return Result{}, fmt.Errorf("couldn't read %s: %w", name, ctx.Err())
		case <-deadline.C:
			return Result{}, &DamagedError{Name: name, Reason: fmt.Sprintf("killed at the wall-clock limit of %s", wall)}
		case p := <-c.progress:
			if w := lim.Wall + time.Duration(max(p.Total, 1))*lim.PerPage; p.Stage == "OCR" && w > wall {
				wall = w // PerPage for each page OCR reads, for the first before their number is known
				deadline.Reset(wall - time.Since(start))
			}
			if progress != nil {
				progress(p)
			}
		case <-c.done:
			return c.finish(name, c.out)
		}
	}
}

// child is one running worker process.
type child struct {
	cmd      *exec.Cmd
	stderr   *cappedBuffer
	maxText  int64
	progress chan Progress // the child's progress, passed on by inChild
	quit     chan struct{} // closed by stop: progress is no longer taken
	done     chan struct{} // closed once out is set
	out      childOutcome
	stopOnce sync.Once
}

// childOutcome is how a child's output ended: with a result, an error it
// reported, or a failure to read its frames (ended).
type childOutcome struct {
	res    Result
	err    error // the child's error for the file
	ended  error // why the frames ended without an answer
	waited error // the child's exit
}

// waitDelay bounds how long Wait waits for the child's standard error to
// close once it has exited (a program it started may hold it open).
const waitDelay = 2 * time.Second

// startChild starts a worker, sends it the request req and the file raw,
// and reads its frames: a result of at most maxText bytes of text, and at
// most outputOverhead bytes besides.
func startChild(req, raw []byte, maxText int64) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	// The argument is never read by a program that calls Main first; a
	// test binary whose TestMain does not runs no tests (rather than all
	// of them, starting children of its own) and the read fails.
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(childEnvironment(os.Environ()), childEnv+"="+childEnvValue)
	cmd.WaitDelay = waitDelay
	c := &child{cmd: cmd, stderr: &cappedBuffer{max: stderrKept}, maxText: maxText,
		progress: make(chan Progress), quit: make(chan struct{}), done: make(chan struct{})}
	cmd.Stderr = c.stderr
	isolate(cmd)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(req)))
		if _, err := stdin.Write(append(n[:], req...)); err == nil {
			stdin.Write(raw) // a child that dies early fails this: its outcome says why
		}
		stdin.Close()
	}()
	go c.read(&frameReader{r: stdout, budget: maxText + outputOverhead})
	return c, nil
}

// childEnvironment returns the variables of env a child may see: those
// that locate programs, files and languages and tune the Go runtime, and
// none of the secrets (tokens, API keys) a parent's environment holds.
func childEnvironment(env []string) []string {
	var kept []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case name == "PATH", name == "HOME", name == "TMPDIR", name == "LANG", name == "LANGUAGE", name == "TZ",
			name == "TESSDATA_PREFIX", name == "OMP_THREAD_LIMIT", strings.HasPrefix(name, "LC_"),
			name == "GODEBUG", name == "GOTRACEBACK", name == "GORACE", name == "GOCOVERDIR", name == "GOMAXPROCS":
			kept = append(kept, kv)
		}
	}
	return kept
}

// read reads the child's frames until its answer, passing progress on,
// then kills what is left of the child's process group and waits for it.
// A complete answer frame is the child's last word: what it does after
// does not matter.
func (c *child) read(fr *frameReader) {
	out := c.readFrames(fr)
	killGroup(c.cmd)
	out.waited = c.cmd.Wait()
	c.out = out
	close(c.done)
}

// readFrames is read's loop over frames.
func (c *child) readFrames(fr *frameReader) childOutcome {
	for {
		typ, payload, err := fr.next()
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return childOutcome{ended: errors.New("exited without an answer")}
			}
			return childOutcome{ended: err}
		}
		switch typ {
		case frameProgress:
			var p Progress
			if json.Unmarshal(payload, &p) == nil {
				select {
				case c.progress <- p:
				case <-c.quit:
				}
			}
		case frameResult:
			res, err := decodeResult(payload)
			if err != nil {
				return childOutcome{ended: err}
			}
			if int64(len(res.Text)) > c.maxText {
				return childOutcome{ended: fmt.Errorf("%w (%d bytes of text, limit %d)", errOutputLimit, len(res.Text), c.maxText)}
			}
			return childOutcome{res: res}
		case frameError:
			ce := &childError{}
			if err := json.Unmarshal(payload, ce); err != nil {
				return childOutcome{ended: fmt.Errorf("error frame: %w", err)}
			}
			return childOutcome{err: ce}
		default:
			return childOutcome{ended: fmt.Errorf("unknown frame type %q", typ)}
		}
	}
}

// finish returns the result of the file name from the child's outcome:
// its answer when it exited cleanly after giving one, else a
// [*DamagedError] saying what went wrong.
func (c *child) finish(name string, out childOutcome) (Result, error) {
	if out.ended == nil {
		if out.err != nil {
			return Result{}, out.err
		}
		return out.res, nil
	}
	reason := out.ended.Error()
	if out.waited != nil && !errors.Is(out.ended, errOutputLimit) {
		reason += " (" + out.waited.Error() + ")"
	}
	if line := fatalLine(c.stderr.String()); line != "" {
		reason += ": " + line
	}
	return Result{}, &DamagedError{Name: name, Reason: reason}
}

// stop stops passing progress on, kills the child's process group and
// waits for its reader. It is safe to call more than once.
func (c *child) stop() {
	c.stopOnce.Do(func() {
		close(c.quit)
		killGroup(c.cmd)
		<-c.done
	})
}

// fatalLine returns the line of a child's standard error that says why
// it died: the first "fatal error:" or "panic:" line, else the first line.
func fatalLine(stderr string) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	for _, l := range lines {
		if strings.HasPrefix(l, "fatal error:") || strings.HasPrefix(l, "panic:") {
			return strings.TrimSpace(l)
		}
	}
	return strings.TrimSpace(lines[0])
}

// cappedBuffer keeps the first max bytes written to it and discards the
// rest; it is safe for concurrent use.
type cappedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (b *cappedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
