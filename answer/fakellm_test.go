package answer

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// chatCall is one recorded [ChatModel.Complete] call.
type chatCall struct {
	Messages []Message
}

// user returns the last user message.
func (c chatCall) user() string {
	for i := len(c.Messages) - 1; i >= 0; i-- {
		if c.Messages[i].Role == User {
			return c.Messages[i].Content
		}
	}
	return ""
}

var passageHeader = regexp.MustCompile(`(?m)^\[(\d+)\] (.*) ¶(\d+)\n<passage>\n`)

// passages returns the numbered passages of an answer prompt: number to
// text, in order.
func (c chatCall) passages() (nums []int, texts []string) {
	u := c.user()
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
func (c chatCall) numberOf(sub string) int {
	nums, texts := c.passages()
	for i, t := range texts {
		if strings.Contains(t, sub) {
			return nums[i]
		}
	}
	return 0
}

// kind tells the prompt apart: "answer", "rewrite" or "translate".
func (c chatCall) kind() string {
	sys := ""
	if len(c.Messages) > 0 {
		sys = c.Messages[0].Content
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
	text   string
	chunks []string // streamed pieces (default: text in pieces of 3 runes)
	// cut breaks the stream after the chunks: Complete returns the text
	// that arrived and an error.
	cut bool
	// err fails the call before any text arrives, e.g. a *ModelError.
	err   error
	delay time.Duration // before answering; a cancelled ctx ends it
}

// errStreamCut is the error of a scripted stream cut.
var errStreamCut = &ModelError{Message: "stream cut", Attempts: 1}

// scriptedModel is an in-process [ChatModel] that answers from a script
// and records every call. With stream set it passes the reply to onDelta
// in pieces, else whole, as a non-streaming adapter does. It is safe for
// concurrent use when its script is.
type scriptedModel struct {
	stream bool
	script func(n int, c chatCall) reply

	mu    sync.Mutex
	calls []chatCall
}

var _ ChatModel = (*scriptedModel)(nil)

func newScriptedModel(stream bool, script func(n int, c chatCall) reply) *scriptedModel {
	return &scriptedModel{stream: stream, script: script}
}

// Complete implements [ChatModel].
func (m *scriptedModel) Complete(ctx context.Context, msgs []Message, onDelta func(string)) (string, error) {
	c := chatCall{Messages: slices.Clone(msgs)}
	m.mu.Lock()
	n := len(m.calls)
	m.calls = append(m.calls, c)
	m.mu.Unlock()

	rp := m.script(n, c)
	if rp.delay > 0 {
		t := time.NewTimer(rp.delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return "", &ModelError{Message: "request cancelled", Attempts: 1, Err: ctx.Err()}
		}
	}
	if rp.err != nil {
		return "", rp.err
	}
	chunks := rp.chunks
	switch {
	case chunks != nil:
	case m.stream:
		chunks = splitRunes(rp.text, 3)
	case rp.text != "":
		chunks = []string{rp.text}
	}
	var b strings.Builder
	for _, d := range chunks {
		b.WriteString(d)
		if onDelta != nil {
			onDelta(d)
		}
	}
	if rp.cut {
		return b.String(), errStreamCut
	}
	return b.String(), nil
}

// recorded returns the calls made so far.
func (m *scriptedModel) recorded() []chatCall {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.calls)
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
