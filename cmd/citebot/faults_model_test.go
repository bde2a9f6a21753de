package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeModel is an OpenAI-compatible chat server (/v1/chat/completions,
// streamed as server-sent events) for the fault suite. It answers an
// answer prompt by quoting the start of passage [1] verbatim, a rewrite or
// translation prompt with the question itself, and fails on a seeded
// schedule: 5% answer 500, 5% hang until the client gives up, 10% cut the
// stream halfway. It is safe for concurrent use.
type fakeModel struct {
	srv  *httptest.Server
	seed uint64

	mu       sync.Mutex
	n        int
	outcomes map[string]int
}

// Model chunk pacing: an answer streams in modelChunks pieces, modelPace
// apart, so that the placeholder is sent and edited.
const (
	modelChunks = 6
	modelPace   = 40 * time.Millisecond
)

func newFakeModel(tb testing.TB, seed uint64) *fakeModel {
	m := &fakeModel{seed: seed, outcomes: map[string]int{}}
	m.srv = httptest.NewServer(m)
	tb.Cleanup(m.srv.Close)
	return m
}

// BaseURL is the OPENAI_BASE_URL of the server.
func (m *fakeModel) BaseURL() string { return m.srv.URL + "/v1" }

// Outcomes counts the requests by what the server did.
func (m *fakeModel) Outcomes() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]int{}
	for k, v := range m.outcomes {
		out[k] = v
	}
	return out
}

func (m *fakeModel) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	var req struct {
		Messages []struct{ Role, Content string } `json:"messages"`
		Stream   bool                             `json:"stream"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Messages) == 0 || !req.Stream {
		http.Error(w, `{"error":{"message":"want a streamed chat request","type":"invalid_request_error"}}`, http.StatusBadRequest)
		return
	}
	m.mu.Lock()
	m.n++
	rng := rand.New(rand.NewPCG(m.seed, uint64(m.n)))
	m.mu.Unlock()
	reply := modelReply(req.Messages[len(req.Messages)-1].Content)
	outcome := "ok"
	switch x := rng.Float64(); {
	case x < 0.05:
		outcome = "500"
	case x < 0.10:
		outcome = "hang"
	case x < 0.20:
		outcome = "cut"
	}
	m.mu.Lock()
	m.outcomes[outcome]++
	m.mu.Unlock()
	switch outcome {
	case "500":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `{"error":{"message":"the model is overloaded","type":"server_error"}}`)
		return
	case "hang":
		<-r.Context().Done()
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	rc := http.NewResponseController(w)
	runes := []rune(reply)
	size := (len(runes) + modelChunks - 1) / modelChunks
	for i := 0; i < len(runes); i += size {
		if outcome == "cut" && i >= len(runes)/2 {
			if conn, _, err := rc.Hijack(); err == nil {
				conn.Close()
			}
			return
		}
		chunk, _ := json.Marshal(map[string]any{
			"id": "chatcmpl-fault", "object": "chat.completion.chunk", "created": 0, "model": "fault-model",
			"choices": []any{map[string]any{"index": 0, "delta": map[string]any{"content": string(runes[i:min(i+size, len(runes))])}}},
		})
		fmt.Fprintf(w, "data: %s\n\n", chunk)
		rc.Flush()
		select {
		case <-time.After(modelPace):
		case <-r.Context().Done():
			return
		}
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
}

// modelReply is what a good model would say to prompt: for an answer
// prompt (prompts/templates/answer_user.tmpl) a sentence quoting passage
// [1] verbatim and, when the passage has one, a second quoting its next
// sentence, so that the verified first sentence streams (a draft, or a
// group's first text) before the answer is complete; the question as it
// is for a rewrite or a translation.
func modelReply(prompt string) string {
	if _, rest, ok := strings.Cut(prompt, "<passage>\n"); ok {
		passage, _, _ := strings.Cut(rest, "\n</passage>")
		first, more, _ := strings.Cut(strings.TrimSpace(passage), "。")
		second, _, _ := strings.Cut(strings.TrimSpace(more), "。")
		reply := "文档提到「" + cutRunes(first, 30) + "」[1]。"
		if second = cutRunes(second, 30); second != "" {
			reply += "又说「" + second + "」[1]。"
		}
		return reply
	}
	i := strings.LastIndex(prompt, "<question>\n")
	if i < 0 {
		return "NOT_FOUND"
	}
	q, _, _ := strings.Cut(prompt[i+len("<question>\n"):], "\n</question>")
	return strings.TrimSpace(q)
}

// cutRunes returns s cut to n runes.
func cutRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
