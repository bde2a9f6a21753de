package answer

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// chatRequest is a decoded /v1/chat/completions request body.
type chatRequest struct {
	Model    string `json:"model"`
	Stream   bool   `json:"stream"`
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
	// fields holds every top-level field, to check "temperature".
	fields map[string]json.RawMessage
	auth   string
}

// user returns the last user message.
func (r chatRequest) user() string {
	for i := len(r.Messages) - 1; i >= 0; i-- {
		if r.Messages[i].Role == "user" {
			return r.Messages[i].Content
		}
	}
	return ""
}

var passageHeader = regexp.MustCompile(`(?m)^\[(\d+)\] (.*) ¶(\d+)\n<passage>\n`)

// passages returns the numbered passages of an answer prompt: number to
// text, in order.
func (r chatRequest) passages() (nums []int, texts []string) {
	u := r.user()
	for _, m := range passageHeader.FindAllStringSubmatchIndex(u, -1) {
		n, _ := strconv.Atoi(u[m[2]:m[3]])
		rest := u[m[1]:]
		end := strings.Index(rest, "\n</passage>")
		nums = append(nums, n)
		texts = append(texts, rest[:end])
	}
	return nums, texts
}

// numberOf returns the number of the passage holding sub, or 0.
func (r chatRequest) numberOf(sub string) int {
	nums, texts := r.passages()
	for i, t := range texts {
		if strings.Contains(t, sub) {
			return nums[i]
		}
	}
	return 0
}

// kind tells the prompt apart: "answer", "rewrite" or "translate".
func (r chatRequest) kind() string {
	sys := ""
	if len(r.Messages) > 0 {
		sys = r.Messages[0].Content
	}
	switch {
	case strings.Contains(sys, "rewrite the last question"):
		return "rewrite"
	case strings.Contains(sys, "You translate"):
		return "translate"
	}
	return "answer"
}

// reply is one scripted response.
type reply struct {
	status     int    // HTTP status; 0 means 200
	retryAfter string // Retry-After header
	body       string // raw error body (default: an OpenAI-shaped error)
	text       string
	chunks     []string      // streamed pieces (default: text in pieces of 3 runes)
	cut        bool          // abort the connection after the chunks
	delay      time.Duration // before answering
}

// fakeLLM is an httptest fake of an OpenAI-compatible chat completions
// endpoint that answers from a script and records every request.
type fakeLLM struct {
	t      testing.TB
	srv    *httptest.Server
	script func(n int, req chatRequest) reply

	mu   sync.Mutex
	reqs []chatRequest
}

func newFakeLLM(t testing.TB, script func(n int, req chatRequest) reply) *fakeLLM {
	t.Helper()
	f := &fakeLLM{t: t, script: script}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeLLM) requests() []chatRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]chatRequest(nil), f.reqs...)
}

func (f *fakeLLM) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		f.t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		f.t.Errorf("Content-Type %q", ct)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		f.t.Errorf("read body: %v", err)
		return
	}
	var req chatRequest
	if err := json.Unmarshal(body, &req); err != nil {
		f.t.Errorf("decode body %q: %v", body, err)
	}
	if err := json.Unmarshal(body, &req.fields); err != nil {
		f.t.Errorf("decode body fields: %v", err)
	}
	req.auth = r.Header.Get("Authorization")
	f.mu.Lock()
	n := len(f.reqs)
	f.reqs = append(f.reqs, req)
	f.mu.Unlock()

	rp := f.script(n, req)
	if rp.delay > 0 {
		select {
		case <-time.After(rp.delay):
		case <-r.Context().Done():
			return
		}
	}
	if rp.status >= 400 {
		if rp.retryAfter != "" {
			w.Header().Set("Retry-After", rp.retryAfter)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rp.status)
		if rp.body == "" {
			rp.body = fmt.Sprintf(`{"error":{"message":"scripted failure %d","type":"server_error"}}`, rp.status)
		}
		io.WriteString(w, rp.body)
		return
	}
	if !req.Stream {
		w.Header().Set("Content-Type", "application/json")
		out, _ := json.Marshal(map[string]any{
			"id": "chatcmpl-1", "object": "chat.completion", "model": req.Model,
			"choices": []any{map[string]any{
				"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": rp.text},
			}},
		})
		w.Write(out)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	flusher := w.(http.Flusher)
	chunks := rp.chunks
	if chunks == nil {
		chunks = splitRunes(rp.text, 3)
	}
	for _, c := range chunks {
		out, _ := json.Marshal(map[string]any{
			"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "delta": map[string]any{"content": c}}},
		})
		fmt.Fprintf(w, "data: %s\n\n", out)
		flusher.Flush()
	}
	if rp.cut {
		panic(http.ErrAbortHandler)
	}
	fmt.Fprint(w, `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`+"\n\n")
	fmt.Fprint(w, "data: [DONE]\n\n")
}

func splitRunes(s string, n int) []string {
	var out []string
	for s != "" {
		i, k := 0, 0
		for i < len(s) && k < n {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
			k++
		}
		out = append(out, s[:i])
		s = s[i:]
	}
	return out
}
