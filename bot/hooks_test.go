package bot

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot/telegramtest"
)

// events records what the bot reports through its Hooks.
type events struct {
	mu   sync.Mutex
	qs   []QuestionEvent
	errs []string // "method code"
	poll []bool
}

func (e *events) hooks() Hooks {
	return Hooks{
		OnPoll: func(ok bool) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.poll = append(e.poll, ok)
		},
		OnAPIError: func(method string, code int) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.errs = append(e.errs, method+" "+strconv.Itoa(code))
		},
		OnQuestion: func(ev QuestionEvent) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.qs = append(e.qs, ev)
		},
	}
}

func (e *events) questions() []QuestionEvent {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.qs)
}

func (e *events) apiErrors() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.errs)
}

func (e *events) polls() []bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.poll)
}

func TestOnQuestionCountsRateLimited(t *testing.T) {
	var hooked events
	f := newFake(t)
	b, _ := newTestBot(t, f, newFakeAnswerer(), func(c *Config, d *Deps) {
		c.RatePerMinute, c.RateBurst = 1, 1
		d.Hooks = hooked.hooks()
	})
	for range 4 {
		handle(t, b, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "q"))
	}
	var outcomes []Outcome
	for _, ev := range hooked.questions() {
		outcomes = append(outcomes, ev.Outcome)
	}
	// One answer; three refusals, of which only the first is told.
	want := []Outcome{OutcomeAnswered, OutcomeRateLimited, OutcomeRateLimited, OutcomeRateLimited}
	if diff := cmp.Diff(want, outcomes); diff != "" || len(f.Sent(7)) != 2 {
		t.Errorf("outcomes mismatch (-want +got):\n%s%d messages, want 2", diff, len(f.Sent(7)))
	}
}

func TestOnAPIErrorAndOnPoll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var hooked events
		f := newFake(t)
		f.Respond("setMyCommands", func(telegramtest.Request, int) *telegramtest.Response {
			return &telegramtest.Response{Status: 500, Body: `{"message":"Route not found"}`} // the emulator's answer
		})
		f.Respond("getUpdates", func(r telegramtest.Request, n int) *telegramtest.Response {
			if n == 1 {
				return telegramtest.APIError(429, "Too Many Requests: retry after 1", 1)
			}
			return nil
		})
		f.Respond("sendMessage", func(r telegramtest.Request, n int) *telegramtest.Response {
			if n == 1 {
				return &telegramtest.Response{Status: 200, Body: `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`}
			}
			return nil
		})
		b, _ := newTestBot(t, f, newFakeAnswerer(), func(c *Config, d *Deps) { d.Hooks = hooked.hooks() })
		stop := runBot(t, b)
		f.Push(telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "blocked"), telegramtest.PrivateMessage(telegramtest.User{ID: 8}, "q"))
		f.WaitFor(t, 10*time.Second, "the answer and both menus", func([]telegramtest.Request) bool {
			return len(f.Sent(8)) == 1 && len(f.Requests("setMyCommands")) == 2
		})
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		errs := hooked.apiErrors()
		slices.Sort(errs)
		want := []string{"getUpdates 429", "sendMessage 403", "setMyCommands 500", "setMyCommands 500"}
		if diff := cmp.Diff(want, errs); diff != "" {
			t.Errorf("OnAPIError calls mismatch (-want +got):\n%s", diff)
		}
		if p := hooked.polls(); len(p) < 2 || p[0] || !p[1] {
			t.Errorf("OnPoll calls = %v, want false (the 429) then true", p)
		}
	})
}

// TestQuestionLog checks the one "question" record per question and that
// Hooks.OnQuestion gets the same event.
func TestQuestionLog(t *testing.T) {
	const question = "Where does the river SECRETWORD begin?"
	tests := []struct {
		name   string
		edit   func(*Config, *Deps)
		answer *answer.Answer // nil: the engine fails
		upd    telegramtest.Update
		times  int // how often the message is handled; the last one is logged
		want   map[string]any
	}{
		{"answered", nil, &answer.Answer{Lang: "en", Mode: answer.LLM, Text: "x [1][2]", Citations: []answer.Citation{{N: 1}, {N: 2}}},
			telegramtest.PrivateMessage(telegramtest.User{ID: 7}, question), 1,
			map[string]any{"chat_id": 7.0, "user_id": 7.0, "mode": "llm", "citations": 2.0, "outcome": "answered"}},
		{"not found, in a topic", nil, &answer.Answer{Lang: "en", Mode: answer.Extractive, Text: "not found", NotFound: true},
			telegramtest.GroupMessage(-100, telegramtest.User{ID: 7}, "@CiteBot "+question).With("message_thread_id", 5, "is_topic_message", true), 1,
			map[string]any{"chat_id": -100.0, "user_id": 7.0, "thread_id": 5.0, "mode": "extractive", "citations": 0.0, "outcome": "not_found"}},
		{"ungrounded", nil, &answer.Answer{Lang: "en", Mode: answer.LLM, Text: "x", Ungrounded: true},
			telegramtest.PrivateMessage(telegramtest.User{ID: 7}, question), 1,
			map[string]any{"mode": "llm", "outcome": "ungrounded"}},
		{"error", nil, nil, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, question), 1,
			map[string]any{"mode": "", "citations": 0.0, "outcome": "error"}},
		{"rate limited", func(c *Config, d *Deps) { c.RatePerMinute, c.RateBurst = 1, 1 }, &answer.Answer{Lang: "en", Text: "x"},
			telegramtest.PrivateMessage(telegramtest.User{ID: 7}, question), 2,
			map[string]any{"outcome": "rate_limited"}},
		{"too long", func(c *Config, d *Deps) { c.MaxQuestionRunes = 5 }, &answer.Answer{Lang: "en", Text: "x"},
			telegramtest.PrivateMessage(telegramtest.User{ID: 7}, question), 1,
			map[string]any{"outcome": "too_long"}},
		{"refused", func(c *Config, d *Deps) { c.AllowedUsers = []int64{99} }, &answer.Answer{Lang: "en", Text: "x"},
			telegramtest.PrivateMessage(telegramtest.User{ID: 7}, question), 1,
			map[string]any{"chat_id": 7.0, "user_id": 7.0, "outcome": "refused"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			a := newFakeAnswerer()
			a.answer = func(ctx context.Context, q answer.Question, _ func(string)) (answer.Answer, error) {
				if tt.answer == nil {
					return answer.Answer{}, errors.New("engine failed")
				}
				return *tt.answer, nil
			}
			var logs telegramtest.LogBuffer
			var hooked events
			b, _ := newTestBot(t, f, a, func(c *Config, d *Deps) {
				d.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
				d.Hooks = hooked.hooks()
				if tt.edit != nil {
					tt.edit(c, d)
				}
			})
			for range tt.times {
				b.HandleUpdate(context.Background(), decodeUpdate(t, tt.upd))
			}

			var lines, debugText []map[string]any
			sc := bufio.NewScanner(strings.NewReader(logs.String()))
			for sc.Scan() {
				var rec map[string]any
				if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
					t.Fatalf("log line %q: %v", sc.Text(), err)
				}
				if rec["level"] != "DEBUG" && strings.Contains(sc.Text(), "SECRETWORD") {
					t.Errorf("question text logged at %s: %s", rec["level"], sc.Text())
				}
				switch rec["msg"] {
				case "question":
					lines = append(lines, rec)
				case "question text":
					debugText = append(debugText, rec)
				}
			}
			if len(lines) != tt.times || len(debugText) != tt.times {
				t.Fatalf("%d question lines and %d question text lines, want %d:\n%s", len(lines), len(debugText), tt.times, logs.String())
			}
			got := lines[len(lines)-1]
			if got["level"] != "INFO" {
				t.Errorf("level = %v", got["level"])
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %v, want %v", k, got[k], v)
				}
			}
			if _, ok := got["latency_ms"].(float64); !ok {
				t.Errorf("latency_ms = %v", got["latency_ms"])
			}
			if _, has := got["thread_id"]; has != (tt.want["thread_id"] != nil) {
				t.Errorf("thread_id = %v", got["thread_id"])
			}
			if d := debugText[len(debugText)-1]; d["level"] != "DEBUG" || !strings.Contains(d["text"].(string), question) {
				t.Errorf("debug record = %v", d)
			}
			if strings.Contains(logs.String(), testToken) {
				t.Errorf("token logged")
			}
			// The hook gets the event the record was made of.
			evs := hooked.questions()
			if len(evs) != tt.times {
				t.Fatalf("OnQuestion called %d times, want %d", len(evs), tt.times)
			}
			ev := evs[len(evs)-1]
			if string(ev.Outcome) != got["outcome"] || string(ev.Mode) != got["mode"] || float64(ev.Citations) != got["citations"] ||
				float64(ev.Latency.Milliseconds()) != got["latency_ms"] {
				t.Errorf("OnQuestion got %+v, the log has %v", ev, got)
			}
		})
	}
}

// TestSmalltalkIsItsOwnOutcome: a reply to "thanks" is counted as
// smalltalk, not as an answer from the documents.
func TestSmalltalkIsItsOwnOutcome(t *testing.T) {
	for _, tc := range []struct {
		a    answer.Answer
		want Outcome
	}{
		{answer.Answer{Smalltalk: true}, OutcomeSmalltalk},
		{answer.Answer{NotFound: true}, OutcomeNotFound},
		{answer.Answer{Ungrounded: true}, OutcomeUngrounded},
		{answer.Answer{}, OutcomeAnswered},
	} {
		if got := outcomeOf(tc.a); got != tc.want || !got.Delivered() {
			t.Errorf("outcomeOf(%+v) = %s (delivered %v), want %s", tc.a, got, got.Delivered(), tc.want)
		}
	}
}
