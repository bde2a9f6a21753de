package telegramtest

import (
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"syscall"
)

// inProcess is an [http.RoundTripper] that hands each request to the
// server's handler on a goroutine and streams the answer back through a
// pipe: no socket, so it works inside a synctest bubble.
type inProcess struct{ s *Server }

func (t inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.s.isClosed() {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	ctx := req.Context()
	sreq := req.Clone(ctx)
	if sreq.Body == nil {
		sreq.Body = http.NoBody
	}
	sreq.RequestURI = req.URL.RequestURI()
	pr, pw := io.Pipe()
	w := &pipeResponse{header: http.Header{}, body: pw, ready: make(chan struct{})}
	go func() {
		defer sreq.Body.Close()
		t.s.ServeHTTP(w, sreq)
		w.WriteHeader(http.StatusOK) // in case the handler wrote nothing
		pw.Close()
	}()
	select {
	case <-w.ready:
	case <-ctx.Done():
		pr.CloseWithError(ctx.Err())
		return nil, ctx.Err()
	}
	if w.aborted {
		pr.Close()
		return nil, io.ErrUnexpectedEOF
	}
	resp := &http.Response{
		Status:     strconv.Itoa(w.status) + " " + http.StatusText(w.status),
		StatusCode: w.status,
		Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        w.sent,
		Body:          pr,
		ContentLength: -1,
		Request:       req,
	}
	if n, err := strconv.ParseInt(w.sent.Get("Content-Length"), 10, 64); err == nil {
		resp.ContentLength = n
	}
	return resp, nil
}

// pipeResponse is the handler's side of an in-process exchange. The body
// is written straight into the pipe, so every write is flushed.
type pipeResponse struct {
	header http.Header
	body   *io.PipeWriter
	once   sync.Once
	ready  chan struct{} // closed when the header is sent or the exchange aborted

	// Set before ready is closed.
	status  int
	sent    http.Header
	aborted bool
}

func (w *pipeResponse) Header() http.Header { return w.header }

func (w *pipeResponse) WriteHeader(code int) {
	w.once.Do(func() {
		w.status, w.sent = code, w.header.Clone()
		close(w.ready)
	})
}

func (w *pipeResponse) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(p)
}

// Flush implements [http.Flusher]; writes are never buffered.
func (w *pipeResponse) Flush() {}

// abort ends the exchange without an answer, like a dropped connection.
func (w *pipeResponse) abort() {
	w.once.Do(func() {
		w.aborted = true
		close(w.ready)
	})
}
