package telegramtest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Request is one request the server received. A file download is
// recorded as method "download" with the file path in param "path", a
// webhook delivery ([Options.DeliverWebhook]) as method "webhook" with
// param "update_id" and the webhook's status.
type Request struct {
	Method string
	Params url.Values
	// Time is when the request arrived (the bubble's clock in a synctest
	// bubble).
	Time time.Time
	// Status is the HTTP status the server answered, 0 when it hung up
	// without an answer.
	Status int
	// Fault is the fault injected into the answer (see [Server.SetFaults]).
	Fault FaultKind
}

// Get returns the parameter key.
func (r Request) Get(key string) string { return r.Params.Get(key) }

// ChatID returns the chat_id parameter, 0 when there is none.
func (r Request) ChatID() int64 {
	id, _ := strconv.ParseInt(r.Params.Get("chat_id"), 10, 64)
	return id
}

// ReplyTo returns the id of the message a sendMessage request replies to
// (reply_parameters.message_id or reply_to_message_id), 0 for none.
func (r Request) ReplyTo() int {
	var p struct {
		MessageID int `json:"message_id"`
	}
	if json.Unmarshal([]byte(r.Get("reply_parameters")), &p) == nil && p.MessageID != 0 {
		return p.MessageID
	}
	id, _ := strconv.Atoi(r.Get("reply_to_message_id"))
	return id
}

// JSON decodes a JSON-valued parameter (reply_markup, reply_parameters…)
// into v, failing the test when it does not decode.
func (r Request) JSON(tb testing.TB, key string, v any) {
	tb.Helper()
	if err := json.Unmarshal([]byte(r.Params.Get(key)), v); err != nil {
		tb.Fatalf("%s param %s = %q: %v", r.Method, key, r.Params.Get(key), err)
	}
}

// Requests returns the recorded requests of the given methods, all when
// none is given, in the order they arrived.
func (s *Server) Requests(methods ...string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.reqs {
		if len(methods) == 0 || slices.Contains(methods, r.Method) {
			out = append(out, r)
		}
	}
	return out
}

// Last returns the last recorded request of method.
func (s *Server) Last(method string) (Request, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.reqs) - 1; i >= 0; i-- {
		if s.reqs[i].Method == method {
			return s.reqs[i], true
		}
	}
	return Request{}, false
}

// Sent returns the successful sendMessage requests to chat, but for
// those asking for an ephemeral message (see [Server.Ephemerals]).
func (s *Server) Sent(chat int64) []Request {
	return slices.DeleteFunc(s.Requests("sendMessage"), func(r Request) bool {
		return r.ChatID() != chat || r.Status != 200 || isEphemeral(r)
	})
}

// WaitFor waits until cond holds for the recorded requests, failing the
// test after timeout with a summary of them.
func (s *Server) WaitFor(tb testing.TB, timeout time.Duration, what string, cond func([]Request) bool) {
	tb.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		reqs := slices.Clone(s.reqs)
		ch := s.changed
		s.mu.Unlock()
		if cond(reqs) {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			tb.Fatalf("timed out waiting for %s; %d requests: %s", what, len(reqs), Summary(reqs))
		}
	}
}

// Summary lists requests as "method(status)", for failure messages.
func Summary(reqs []Request) string {
	var sb strings.Builder
	for i, r := range reqs {
		if i > 40 {
			sb.WriteString(" …")
			break
		}
		fmt.Fprintf(&sb, " %s(%d)", r.Method, r.Status)
	}
	return sb.String()
}
