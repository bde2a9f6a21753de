package extract

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/citebot/citebot/retrieval/pdf"
)

// childEnv is the environment variable that makes [Main] run an
// extraction worker; its value is childEnvValue.
const (
	childEnv      = "CITEBOT_EXTRACT_CHILD"
	childEnvValue = "1"
)

// childHook, when not nil, may answer a request in place of the readers:
// it returns handled false to let them read it. Only tests set it, to make
// a child crash, hang or misbehave on purpose.
var childHook func(ctx context.Context, req request, raw []byte, progress ProgressFunc) (res Result, err error, handled bool)

// Main turns this process into an extraction worker when its parent
// started it as one, and then exits; otherwise it returns at once. Call
// it first thing in main and in TestMain of packages whose tests use an
// isolated [Extractor].
//
// The worker reads one request from standard input, limits its own
// address space, CPU time and stack, reads the file and writes progress
// and the result to standard output (see the frame types), and exits 0;
// it exits non-zero when it cannot talk to its parent.
func Main() {
	if os.Getenv(childEnv) != childEnvValue {
		return
	}
	if err := serveChild(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "extract child:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// serveChild reads one request from in, reads the file and writes the
// frames of its answer to out.
func serveChild(in io.Reader, out io.Writer) error {
	req, err := readRequest(in)
	if err != nil {
		return err
	}
	lim := req.Limits.withDefaults()
	if err := limitSelf(lim); err != nil {
		return fmt.Errorf("limit: %w", err)
	}
	raw := make([]byte, req.Size)
	if _, err := io.ReadFull(in, raw); err != nil {
		return fmt.Errorf("read file: %w", err)
	}
	w := bufio.NewWriterSize(out, 64<<10)
	var werr error
	progress := func(p Progress) {
		b, _ := json.Marshal(p)
		if werr == nil {
			werr = writeFrame(w, frameProgress, b)
		}
		if werr == nil {
			werr = w.Flush()
		}
	}
	res, err := readRequested(req, raw, progress)
	if werr != nil {
		return werr
	}
	if err != nil {
		b, _ := json.Marshal(newChildError(err))
		werr = writeFrame(w, frameError, b)
	} else {
		werr = writeResult(w, res)
	}
	if werr != nil {
		return werr
	}
	return w.Flush()
}

// readRequested reads the file of req, raw, as the child's parent asked.
func readRequested(req request, raw []byte, progress ProgressFunc) (Result, error) {
	ctx := context.Background()
	if childHook != nil {
		if res, err, ok := childHook(ctx, req, raw, progress); ok {
			return res, err
		}
	}
	return readKind(ctx, req.Name, req.Kind, raw, req.Options, progress)
}

// readRequest reads the request header from in.
func readRequest(in io.Reader) (request, error) {
	var n [4]byte
	if _, err := io.ReadFull(in, n[:]); err != nil {
		return request{}, fmt.Errorf("read request: %w", err)
	}
	size := binary.BigEndian.Uint32(n[:])
	if size > maxRequest {
		return request{}, fmt.Errorf("request of %d bytes", size)
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(in, b); err != nil {
		return request{}, fmt.Errorf("read request: %w", err)
	}
	var req request
	if err := json.Unmarshal(b, &req); err != nil {
		return request{}, fmt.Errorf("request: %w", err)
	}
	if req.Size < 0 || req.Size > pdf.MaxBytes {
		return request{}, fmt.Errorf("file of %d bytes", req.Size)
	}
	return req, nil
}

// childStack is the largest goroutine stack of a child: recursion of a
// hostile file's structure ends there with a fatal error rather than
// growing towards the address-space limit.
const childStack = 64 << 20

// setSoftLimits sets the limits the Go runtime itself enforces: the
// garbage collector works harder as the heap nears three quarters of the
// address space, and stacks stop at childStack.
func setSoftLimits(l ChildLimits) {
	debug.SetMemoryLimit(l.Memory / 4 * 3)
	debug.SetMaxStack(childStack)
}
