package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/citebot/citebot/bot/telegramtest"
)

// buildCitebot builds the citebot binary as the Dockerfile does
// (CGO_ENABLED=0) into a temporary directory and returns its path.
func buildCitebot(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "citebot")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// child is one run of `citebot serve` as a child process. Its methods are
// safe for concurrent use.
type child struct {
	cmd  *exec.Cmd
	logs *telegramtest.LogBuffer // stderr
	done chan struct{}
	err  error // set before done is closed

	mu     sync.Mutex
	signal string // the signal the test sent first, "" if none
}

// startChild starts `bin serve` in dir with exactly env (nothing is
// inherited). A cleanup kills it (SIGKILL) if it still runs, and waits.
func startChild(tb testing.TB, bin, dir string, env []string) *child {
	tb.Helper()
	c := &child{logs: &telegramtest.LogBuffer{}, done: make(chan struct{})}
	c.cmd = exec.Command(bin, "serve")
	c.cmd.Dir, c.cmd.Env = dir, env
	c.cmd.Stdout, c.cmd.Stderr = c.logs, c.logs
	dieWithParent(c.cmd)
	if err := c.cmd.Start(); err != nil {
		tb.Fatalf("start citebot serve: %v", err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	tb.Cleanup(func() {
		c.send(syscall.SIGKILL, "cleanup")
		<-c.done
	})
	return c
}

// send sends sig to the process unless it has exited, remembering the
// first signal sent as why.
func (c *child) send(sig syscall.Signal, why string) {
	if c.exited() {
		return
	}
	c.mu.Lock()
	if c.signal == "" {
		c.signal = why
	}
	c.mu.Unlock()
	c.cmd.Process.Signal(sig)
}

// stop sends sig and waits up to timeout for the process to exit; it
// reports false when it did not (then it kills it).
func (c *child) stop(sig syscall.Signal, why string, timeout time.Duration) bool {
	c.send(sig, why)
	select {
	case <-c.done:
		return true
	case <-time.After(timeout):
		c.send(syscall.SIGKILL, why)
		<-c.done
		return false
	}
}

// exited reports whether the process has exited.
func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// signalled returns why the test stopped the process, "" when it exited
// by itself.
func (c *child) signalled() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.signal
}
