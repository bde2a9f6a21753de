package extract

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/citebot/citebot/retrieval/pdf"
)

func TestMain(m *testing.M) {
	Main()
	os.Exit(m.Run())
}

// hookPrefix starts the content of a test file that the child hook acts
// on: "%PDF-hook:" and a command.
const hookPrefix = "%PDF-hook:"

// hookFile returns a file that makes the child hook do command.
func hookFile(command string) []byte { return []byte(hookPrefix + command) }

// The child hook: the test binary is the child, so the hook set here is in
// force there, and only in tests.
func init() {
	childHook = func(ctx context.Context, req request, raw []byte, progress ProgressFunc) (Result, error, bool) {
		command, ok := strings.CutPrefix(string(raw), hookPrefix)
		if !ok {
			return Result{}, nil, false
		}
		res, err := runHook(command, req, progress)
		return res, err, true
	}
}

// runHook does what a hook file asks.
func runHook(command string, req request, progress ProgressFunc) (Result, error) {
	switch command {
	case "crash":
		return Result{}, recurse(1)
	case "hang":
		time.Sleep(time.Hour)
	case "cpu":
		for n := 0; ; n++ {
			_ = n * n
		}
	case "memory":
		for {
			b := make([]byte, 32<<20)
			for i := range b {
				b[i] = 1
			}
			memorySink = append(memorySink, b)
		}
	case "output":
		return Result{Kind: PDF, Text: strings.Repeat("x", int(req.Limits.Output)+1)}, nil
	case "progress":
		for i := range 3 {
			progress(Progress{Stage: "OCR", Done: i, Total: 3})
		}
		return Result{Kind: PDF, Text: "read\fby\fOCR", HardWrapped: true, OCR: true, Pages: 3}, nil
	case "slow pages": // slower than Wall, within Wall + PerPage*3
		progress(Progress{Stage: "OCR", Done: 0, Total: 3})
		time.Sleep(req.Limits.Wall + 500*time.Millisecond)
		return Result{Kind: PDF, Text: "slow", Pages: 3}, nil
	case "slow first page": // slower than Wall, within Wall + PerPage
		progress(Progress{Stage: "OCR"})
		time.Sleep(req.Limits.Wall + 500*time.Millisecond)
		return Result{Kind: PDF, Text: "slow", Pages: 1}, nil
	case "spawn":
		sleep := exec.Command("sleep", "300")
		if err := sleep.Start(); err != nil {
			return Result{}, err
		}
		progress(Progress{Stage: fmt.Sprintf("pid %d", sleep.Process.Pid)})
		time.Sleep(time.Hour)
	case "encrypted":
		return Result{}, fmt.Errorf("%s: %w", req.Name, pdf.ErrEncrypted)
	case "exit":
		os.Exit(0)
	case "garbage":
		os.Stdout.WriteString("garbage that is no frame")
		os.Exit(0)
	case "vsz":
		status, err := os.ReadFile("/proc/self/status")
		return Result{Kind: PDF, Text: string(status)}, err
	}
	return Result{}, fmt.Errorf("unknown hook command %q", command)
}

// memorySink keeps what the "memory" hook allocates reachable.
var memorySink [][]byte

// recurse never returns: it overflows the stack.
func recurse(n int) error {
	var pad [4096]byte
	pad[n%len(pad)] = byte(n)
	//lint:ignore SA5007 the hook overflows the stack on purpose
	if recurse(n+1) != nil {
		return errors.New(string(pad[:1]))
	}
	return nil
}

// testLimits are limits short enough for tests.
var testLimits = ChildLimits{Wall: 3 * time.Second, PerPage: time.Second, CPU: 2 * time.Second, Output: 1 << 20}

func TestIsolatedFailures(t *testing.T) {
	tests := []struct {
		command string
		limits  ChildLimits
		reason  string // regular expression the DamagedError's Reason matches
	}{
		{"crash", ChildLimits{Wall: 10 * time.Second}, "fatal error: stack overflow"},
		{"hang", ChildLimits{Wall: time.Second}, "killed at the wall-clock limit of 1s"},
		{"cpu", ChildLimits{Wall: time.Minute, CPU: time.Second}, "over the CPU time limit of 1s"},
		{"memory", ChildLimits{Wall: 20 * time.Second, Memory: 256 << 20}, memoryFailure},
		{"output", testLimits, "output over the limit"},
		{"exit", testLimits, "exited without an answer"},
		{"garbage", testLimits, "unknown frame type"},
	}
	for _, tc := range tests {
		t.Run(tc.command, func(t *testing.T) {
			t.Parallel()
			e := &Extractor{Isolated: true, Limits: tc.limits}
			start := time.Now()
			_, err := e.Extract(context.Background(), "hostile.pdf", hookFile(tc.command), nil)
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("Extract = %v, want ErrDamaged", err)
			}
			if want := "couldn't read hostile.pdf: the file is damaged or too complex"; err.Error() != want {
				t.Errorf("error text %q, want %q", err, want)
			}
			de, ok := errors.AsType[*DamagedError](err)
			if !ok || !regexp.MustCompile(tc.reason).MatchString(de.Reason) {
				t.Errorf("reason %q, want it to match %q", de.Reason, tc.reason)
			}
			t.Logf("%s: %s after %v", tc.command, de.LogValue(), time.Since(start).Round(time.Millisecond))
		})
	}
}

func TestIsolatedResults(t *testing.T) {
	e := &Extractor{Isolated: true, Limits: testLimits}
	t.Run("progress crosses the pipe", func(t *testing.T) {
		var got []Progress
		res, err := e.Extract(context.Background(), "scan.pdf", hookFile("progress"), func(p Progress) { got = append(got, p) })
		if err != nil {
			t.Fatal(err)
		}
		want := Result{Kind: PDF, Text: "read\fby\fOCR", HardWrapped: true, OCR: true, Pages: 3}
		if res != want {
			t.Errorf("result %+v, want %+v", res, want)
		}
		if len(got) != 3 || got[2] != (Progress{Stage: "OCR", Done: 2, Total: 3}) {
			t.Errorf("progress %+v", got)
		}
	})
	t.Run("OCR pages extend the wall-clock limit", func(t *testing.T) {
		// The hooks outlast Wall by half a second; PerPage leaves them
		// ample time on a busy machine, and Wall the child time to start.
		e := &Extractor{Isolated: true, Limits: ChildLimits{Wall: 2 * time.Second, PerPage: 30 * time.Second}}
		for _, hook := range []string{"slow pages", "slow first page"} {
			if _, err := e.Extract(context.Background(), "slow.pdf", hookFile(hook), nil); err != nil {
				t.Errorf("%s: %v", hook, err)
			}
		}
	})
	t.Run("the child's errors keep their identity", func(t *testing.T) {
		_, err := e.Extract(context.Background(), "locked.pdf", hookFile("encrypted"), nil)
		if !errors.Is(err, pdf.ErrEncrypted) || errors.Is(err, ErrDamaged) {
			t.Fatalf("Extract = %v, want pdf.ErrEncrypted", err)
		}
		if want := "locked.pdf: " + pdf.ErrEncrypted.Error(); err.Error() != want {
			t.Errorf("error %q, want %q", err, want)
		}
	})
	t.Run("text is not sent to a child", func(t *testing.T) {
		res, err := e.Extract(context.Background(), "a.md", []byte("# T\n"), nil)
		if err != nil || res != (Result{Kind: Markdown, Text: "# T\n"}) {
			t.Fatalf("Extract = %+v, %v", res, err)
		}
	})
	t.Run("unsupported files are refused before a child", func(t *testing.T) {
		if _, err := e.Extract(context.Background(), "a.bin", []byte{0}, nil); !errors.Is(err, ErrUnsupported) {
			t.Fatalf("Extract = %v, want ErrUnsupported", err)
		}
	})
}

func TestIsolatedCancelKillsGroup(t *testing.T) {
	e := &Extractor{Isolated: true, Limits: ChildLimits{Wall: time.Minute}}
	ctx, cancel := context.WithCancel(context.Background())
	pid := 0
	_, err := e.Extract(ctx, "spawn.pdf", hookFile("spawn"), func(p Progress) {
		if s, ok := strings.CutPrefix(p.Stage, "pid "); ok {
			pid, _ = strconv.Atoi(s)
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Extract = %v, want context.Canceled", err)
	}
	if pid == 0 {
		t.Fatal("the child started no program")
	}
	deadline := time.Now().Add(5 * time.Second)
	for syscall.Kill(pid, 0) == nil { // a zombie until init reaps it
		status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if fields := strings.Fields(string(status)); len(fields) > 2 && fields[2] == "Z" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the child's program %d still runs", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestIsolatedConcurrency(t *testing.T) {
	e := &Extractor{Isolated: true, Children: 1, Limits: ChildLimits{Wall: 5 * time.Second}}
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	done := make(chan error)
	go func() {
		_, err := e.Extract(ctx, "a.pdf", hookFile("spawn"), func(Progress) { close(started) })
		done <- err
	}()
	<-started
	wctx, wcancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer wcancel()
	if _, err := e.Extract(wctx, "b.pdf", hookFile("progress"), nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second Extract with one slot taken = %v, want it to wait until its deadline", err)
	}
	cancel()
	<-done
	if _, err := e.Extract(context.Background(), "b.pdf", hookFile("progress"), nil); err != nil {
		t.Errorf("Extract once the slot is free: %v", err)
	}
}

func TestChildEnvironment(t *testing.T) {
	env := []string{"PATH=/bin", "TELEGRAM_BOT_TOKEN=1:x", "OPENAI_API_KEY=sk", "LC_ALL=C", "HOME=/root",
		"CITEBOT_WEBHOOK_SECRET=s", "TESSDATA_PREFIX=/t", "GOTRACEBACK=all", "GOPATH=/go"}
	want := []string{"PATH=/bin", "LC_ALL=C", "HOME=/root", "TESSDATA_PREFIX=/t", "GOTRACEBACK=all"}
	if got := childEnvironment(env); !slices.Equal(got, want) {
		t.Errorf("childEnvironment = %q, want %q", got, want)
	}
}

func TestChildAddressSpace(t *testing.T) {
	e := &Extractor{Isolated: true}
	res, err := e.Extract(context.Background(), "vsz.pdf", hookFile("vsz"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(res.Text, "\n") {
		if strings.HasPrefix(line, "VmPeak") || strings.HasPrefix(line, "VmSize") || strings.HasPrefix(line, "VmHWM") {
			t.Log(strings.Join(strings.Fields(line), " "))
		}
	}
}

// TestWallIsALastResort: by default the wall-clock limit is well behind
// the CPU limit, so that a file is not refused for the machine's load
// (two uploads read at once, answers beside them) before it used its CPU
// time.
func TestWallIsALastResort(t *testing.T) {
	if l := (ChildLimits{}).withDefaults(); l.Wall < 2*l.CPU {
		t.Errorf("default wall-clock limit %v, CPU limit %v: want the wall at least twice the CPU", l.Wall, l.CPU)
	}
}
