package telegramtest

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"time"
)

// FaultKind is a failure the server can inject into a Bot API answer.
type FaultKind int

// The faults. Only [ResetAfter] and [Delay] let the request take effect
// (a message sent, an update confirmed); the others answer or hang up
// before it does.
const (
	// NoFault answers normally.
	NoFault FaultKind = iota
	// TooManyRequests answers 429 with parameters.retry_after.
	TooManyRequests
	// ServerError answers 500 with a Bot API error body or, every other
	// time, 502 with an HTML page, as a proxy in front of Telegram does.
	ServerError
	// Reset drops the connection before the request takes effect.
	Reset
	// ResetAfter drops the connection after the request took effect: the
	// client never learns that it did.
	ResetAfter
	// BadJSON answers 200 with a body that is not JSON (cut short); the
	// request has no effect.
	BadJSON
	// Delay answers normally after a pause; when the client gives up
	// during the pause the request has no effect.
	Delay
)

var faultNames = [...]string{"none", "429", "5xx", "reset", "reset-after", "bad-json", "delay"}

// String returns the fault's short name ("429", "5xx", "reset"…).
func (k FaultKind) String() string {
	if k >= 0 && int(k) < len(faultNames) {
		return faultNames[k]
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// Fault is the fault injected into one answer.
type Fault struct {
	Kind FaultKind
	// RetryAfter is the retry_after of a 429, in seconds (0: the
	// [Faults] default).
	RetryAfter int
	// Delay is how long a [Delay] (or any other fault) waits before
	// answering.
	Delay time.Duration
}

// Rates are the probabilities (0 to 1) that a request gets each fault; the
// rest are answered normally. Their sum must not exceed 1.
type Rates struct {
	TooManyRequests, ServerError, Reset, ResetAfter, BadJSON, Delay float64
}

// Faults makes the server fail like a flaky network and a busy Telegram.
// Every Bot API request (not file downloads) draws its fault from a random
// source seeded with Seed, the method and the call's number, so that the
// n-th call of a method gets the same fault in every run however the
// calls interleave. The zero value injects nothing.
type Faults struct {
	Seed uint64
	// All are the rates of every method not in Methods.
	All Rates
	// Methods overrides All per method (e.g. no ResetAfter for
	// sendMessage).
	Methods map[string]Rates
	// RetryAfter is the retry_after of the 429s, in seconds; default 1.
	RetryAfter int
	// MaxDelay is the longest pause of a [Delay]; default 500 ms.
	MaxDelay time.Duration
	// Schedule, when set, is asked first for the fault of the n-th call
	// (1-based) of method; ok false falls back to the rates.
	Schedule func(method string, n int) (f Fault, ok bool)
}

// SetFaults replaces the faults the server injects; the zero [Faults]
// turns them off (a healed network). It applies to requests that arrive
// from then on.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// BeforeAnswer sets fn to run for every Bot API request that was handled
// (not refused by an injected fault) after it took effect and before its
// answer is written (nil removes it): a test can kill the client there,
// so that Telegram did the work but the client never heard of it. fn runs
// on the request's goroutine, without the server's lock; resp is the
// answer about to be written (for a [ResetAfter], the one that is lost).
func (s *Server) BeforeAnswer(fn func(r Request, resp *Response)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.beforeAnswer = fn
}

// decide returns the fault of the n-th call of method.
func (f *Faults) decide(method string, n int) Fault {
	if f.Schedule != nil {
		if ft, ok := f.Schedule(method, n); ok {
			return f.withDefaults(ft)
		}
	}
	rates, ok := f.Methods[method]
	if !ok {
		rates = f.All
	}
	if rates == (Rates{}) {
		return Fault{}
	}
	h := fnv.New64a()
	h.Write([]byte(method))
	rng := rand.New(rand.NewPCG(f.Seed, h.Sum64()^uint64(n)))
	x := rng.Float64()
	for _, c := range []struct {
		p    float64
		kind FaultKind
	}{
		{rates.TooManyRequests, TooManyRequests}, {rates.ServerError, ServerError},
		{rates.Reset, Reset}, {rates.ResetAfter, ResetAfter},
		{rates.BadJSON, BadJSON}, {rates.Delay, Delay},
	} {
		if x < c.p {
			ft := Fault{Kind: c.kind}
			if c.kind == Delay {
				ft.Delay = time.Duration(rng.Int64N(int64(f.maxDelay()))) + 1
			}
			return f.withDefaults(ft)
		}
		x -= c.p
	}
	return Fault{}
}

func (f *Faults) maxDelay() time.Duration {
	if f.MaxDelay > 0 {
		return f.MaxDelay
	}
	return 500 * time.Millisecond
}

func (f *Faults) withDefaults(ft Fault) Fault {
	if ft.Kind == TooManyRequests && ft.RetryAfter <= 0 {
		ft.RetryAfter = max(f.RetryAfter, 1)
	}
	return ft
}

// faultResponse is the answer a fault gives instead of the real one; nil
// for the faults that let the request be answered (or hang up).
func faultResponse(ft Fault, n int) *Response {
	switch ft.Kind {
	case TooManyRequests:
		return APIError(http.StatusTooManyRequests, fmt.Sprintf("Too Many Requests: retry after %d", ft.RetryAfter), ft.RetryAfter)
	case ServerError:
		if n%2 == 0 {
			return &Response{Status: http.StatusBadGateway, ContentType: "text/html",
				Body: "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"}
		}
		return APIError(http.StatusInternalServerError, "Internal Server Error", 0)
	case BadJSON:
		return &Response{Status: http.StatusOK, Body: `{"ok":true,"result":{"message_id":`}
	}
	return nil
}

// pause waits d, or until ctx (the client) gives up: then it reports
// false.
func pause(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	select {
	case <-time.After(d): // the timer is collected once it fires (Go 1.23+)
		return true
	case <-ctx.Done():
		return false
	}
}
