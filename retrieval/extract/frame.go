package extract

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/citebot/citebot/retrieval/ocr"
	"github.com/citebot/citebot/retrieval/pdf"
)

// The parent and its child talk over the child's standard input and
// output. The parent sends one request: a 4-byte big-endian length, the
// request as JSON, then the file's Size bytes. The child answers with
// frames, each a type byte, a 4-byte big-endian length and the payload:
// any number of progress frames, then one result or error frame.
const (
	frameProgress = 'p' // payload: Progress as JSON
	frameResult   = 'r' // payload: 4-byte length, Result as JSON without Text, then Text
	frameError    = 'e' // payload: childError as JSON
	frameHeader   = 5   // type and length
	maxRequest    = 1 << 20
)

// request is what the parent asks of its child.
type request struct {
	Name    string
	Kind    Kind
	Options Options
	Limits  ChildLimits
	Size    int
}

// sentinels are the errors that keep their identity across the pipe: a
// child's error wraps those of them its own error wrapped. The order is
// the wire format (an index); append only.
var sentinels = []error{
	ErrUnsupported, ErrDamaged, ErrNoTextLayer, ErrNoOCR,
	pdf.ErrEncrypted, pdf.ErrUnreadable, pdf.ErrNoTextLayer, pdf.ErrTooLarge,
	ocr.ErrUnavailable, context.Canceled, context.DeadlineExceeded,
}

// childError is an error as it crosses the pipe: its text and the
// sentinels it wraps.
type childError struct {
	Text string
	Is   []int // indices into sentinels
}

func (e *childError) Error() string { return e.Text }

// Unwrap returns the sentinels e wraps.
func (e *childError) Unwrap() []error {
	var errs []error
	for _, i := range e.Is {
		if i >= 0 && i < len(sentinels) {
			errs = append(errs, sentinels[i])
		}
	}
	return errs
}

// newChildError returns err as a childError.
func newChildError(err error) *childError {
	ce := &childError{Text: err.Error()}
	for i, s := range sentinels {
		if errors.Is(err, s) {
			ce.Is = append(ce.Is, i)
		}
	}
	return ce
}

// writeFrame writes one frame of type typ whose payload is the
// concatenation of parts.
func writeFrame(w io.Writer, typ byte, parts ...[]byte) error {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	var h [frameHeader]byte
	h[0] = typ
	binary.BigEndian.PutUint32(h[1:], uint32(n))
	if _, err := w.Write(h[:]); err != nil {
		return err
	}
	for _, p := range parts {
		if _, err := w.Write(p); err != nil {
			return err
		}
	}
	return nil
}

// writeResult writes res as a result frame.
func writeResult(w io.Writer, res Result) error {
	text := res.Text
	res.Text = ""
	meta, err := json.Marshal(res)
	if err != nil {
		return err
	}
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(meta)))
	return writeFrame(w, frameResult, n[:], meta, []byte(text))
}

// errOutputLimit means a child sent more than its output limit.
var errOutputLimit = errors.New("output over the limit")

// frameReader reads the frames a child writes, at most budget bytes of
// them in all.
type frameReader struct {
	r      io.Reader
	budget int64
}

// next returns the next frame's type and payload.
func (fr *frameReader) next() (byte, []byte, error) {
	var h [frameHeader]byte
	if _, err := io.ReadFull(fr.r, h[:]); err != nil {
		return 0, nil, err
	}
	if h[0] != frameProgress && h[0] != frameResult && h[0] != frameError {
		return 0, nil, fmt.Errorf("unknown frame type %q", h[0])
	}
	n := int64(binary.BigEndian.Uint32(h[1:]))
	fr.budget -= frameHeader + n
	if fr.budget < 0 {
		return 0, nil, fmt.Errorf("%w (a frame of %d bytes)", errOutputLimit, n)
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(fr.r, payload); err != nil {
		return 0, nil, err
	}
	return h[0], payload, nil
}

// decodeResult decodes a result frame's payload.
func decodeResult(payload []byte) (Result, error) {
	if len(payload) < 4 {
		return Result{}, errors.New("short result frame")
	}
	n := int(binary.BigEndian.Uint32(payload))
	if n > len(payload)-4 {
		return Result{}, errors.New("result frame's metadata past its end")
	}
	var res Result
	if err := json.Unmarshal(payload[4:4+n], &res); err != nil {
		return Result{}, fmt.Errorf("result frame: %w", err)
	}
	res.Text = string(payload[4+n:])
	return res, nil
}
