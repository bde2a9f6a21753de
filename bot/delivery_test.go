package bot

import (
	"context"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot/store"
	"github.com/citebot/citebot/bot/telegramtest"
)

// failFirst injects kind into the first n calls of method.
func failFirst(method string, n int, kind telegramtest.FaultKind) telegramtest.Faults {
	return telegramtest.Faults{Schedule: func(m string, i int) (telegramtest.Fault, bool) {
		return telegramtest.Fault{Kind: kind}, m == method && i <= n
	}}
}

// waitState waits until the store holds update id in state, failing the
// test after timeout.
func waitState(t *testing.T, st *store.Store, id int, state store.State, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if u, err := st.Get(id); err == nil && u.State == state {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	u, err := st.Get(id)
	t.Fatalf("update %d is %q (%v) after %v, want %q", id, u.State, err, timeout, state)
}

// TestTransientSendFailuresAreRetried: a 5xx (a Bot API error or a proxy's
// HTML page), a dropped connection or a garbled answer on the answer's
// sendMessage does not lose the answer: it is sent again, once, and the
// update is done only then.
func TestTransientSendFailuresAreRetried(t *testing.T) {
	for _, tt := range []struct {
		name  string
		kind  telegramtest.FaultKind
		times int
	}{
		{"500 then 502", telegramtest.ServerError, 2},
		{"connection reset", telegramtest.Reset, 1},
		{"bad JSON", telegramtest.BadJSON, 1},
		{"a mix, three times", telegramtest.ServerError, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake(t)
				f.SetFaults(failFirst("sendMessage", tt.times, tt.kind))
				logs := deliverOne(t, f)
				if got := messageTexts(f, 7); len(got) != 1 || !strings.Contains(got[0], "Answer to: q") {
					t.Errorf("chat shows %q, want the answer once", got)
				}
				if n := len(f.Requests("sendMessage")); n != tt.times+1 {
					t.Errorf("%d sendMessage requests, want %d (the failures and one success)", n, tt.times+1)
				}
				if strings.Contains(logs.String(), "couldn't send the answer") {
					t.Errorf("the answer was given up:\n%s", logs)
				}
			})
		})
	}
}

// deliverOne runs a bot on a fresh store against f, pushes one question
// from user 7, waits until its update is done and stops the bot; it
// returns the bot's logs.
func deliverOne(t *testing.T, f *telegramtest.Server) *telegramtest.LogBuffer {
	t.Helper()
	st := openStore(t, filepath.Join(t.TempDir(), store.FileName))
	b, logs := newTestBot(t, f, newFakeAnswerer(), func(_ *Config, d *Deps) { d.Store = st })
	stop := runBot(t, b)
	ids := f.Push(telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "q"))
	waitState(t, st, ids[0], store.Done, time.Minute)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	return logs
}

// TestPermanentSendErrorIsNotRetried: a 4xx other than 429 is Telegram's
// final word: one request, an error logged, the update done.
func TestPermanentSendErrorIsNotRetried(t *testing.T) {
	for _, tc := range []struct {
		name        string
		code        int
		description string
		wantLog     string
	}{
		{"with a description", 400, "Bad Request: chat not found", "chat not found"},
		// Without one it is named by its codes, not logged as a blank.
		{"without a description", 403, "", "sendMessage: HTTP status 403 without a description"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake(t)
				f.Respond("sendMessage", func(telegramtest.Request, int) *telegramtest.Response {
					return telegramtest.APIError(tc.code, tc.description, 0)
				})
				logs := deliverOne(t, f)
				if n := len(f.Requests("sendMessage")); n != 1 {
					t.Errorf("%d sendMessage requests, want 1", n)
				}
				if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), tc.wantLog) {
					t.Errorf("the refusal was not logged as an error with %q:\n%s", tc.wantLog, logs)
				}
			})
		})
	}
}

// TestUndeliverableAnswerStaysPending: when every send fails (the retry
// budget runs out, or the shutdown cancels the retries), the update is
// not marked done, and the next start delivers the answer.
func TestUndeliverableAnswerStaysPending(t *testing.T) {
	for _, tt := range []struct {
		name string
		wait time.Duration // how long the first life runs
	}{
		{"budget spent", retryBudget + time.Minute},
		{"stopped while retrying", 10 * time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake(t)
				f.SetFaults(failFirst("sendMessage", 1_000_000, telegramtest.ServerError))
				path := filepath.Join(t.TempDir(), store.FileName)
				st := openStore(t, path)
				b, logs := newTestBot(t, f, newFakeAnswerer(), func(c *Config, d *Deps) {
					d.Store, c.ShutdownTimeout = st, time.Second
				})
				stop := runBot(t, b)
				ids := f.Push(telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "q"))
				time.Sleep(tt.wait)
				if err := stop(); err != nil {
					t.Fatal(err)
				}
				if u, err := st.Get(ids[0]); err != nil || u.State != store.Pending {
					t.Fatalf("after the failed delivery the update is %q (%v), want pending", u.State, err)
				}
				if tt.wait > retryBudget && !strings.Contains(logs.String(), "level=ERROR") {
					t.Errorf("giving up was not logged as an error:\n%s", logs)
				}
				st.Close()

				f.SetFaults(telegramtest.Faults{})
				st2 := openStore(t, path)
				b2, _ := newTestBot(t, f, newFakeAnswerer(), func(_ *Config, d *Deps) { d.Store = st2 })
				stop2 := runBot(t, b2)
				waitState(t, st2, ids[0], store.Done, time.Minute)
				if err := stop2(); err != nil {
					t.Fatal(err)
				}
				if got := messageTexts(f, 7); len(got) != 1 || !strings.Contains(got[0], "Answer to: q") {
					t.Errorf("chat shows %q, want the answer once", got)
				}
			})
		})
	}
}

// TestStreamedAnswerSurvivesFailedRequests: in LLM mode, when the edit
// turning the placeholder into the answer fails and so does the first
// send, the chat still ends with the answer and no partial text.
func TestStreamedAnswerSurvivesFailedRequests(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		const final = "final answer"
		failed := map[string]bool{}
		f.Respond("editMessageText", func(r telegramtest.Request, _ int) *telegramtest.Response {
			if r.Get("text") == final && !failed["edit"] {
				failed["edit"] = true
				return &telegramtest.Response{Status: 502, ContentType: "text/html", Body: "<html>502 Bad Gateway</html>"}
			}
			return nil
		})
		f.Respond("sendMessage", func(r telegramtest.Request, n int) *telegramtest.Response {
			if n == 2 {
				return telegramtest.APIError(500, "Internal Server Error", 0)
			}
			return nil
		})
		a := newFakeAnswerer()
		a.answer = func(ctx context.Context, q answer.Question, onPartial func(string)) (answer.Answer, error) {
			onPartial("partial")
			time.Sleep(time.Second)
			return answer.Answer{Lang: "en", Text: final}, nil
		}
		st := openStore(t, filepath.Join(t.TempDir(), store.FileName))
		b, _ := newTestBot(t, f, a, func(_ *Config, d *Deps) { d.Store = st })
		stop := runBot(t, b)
		ids := f.Push(telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "q"))
		waitState(t, st, ids[0], store.Done, time.Minute)
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		if got := messageTexts(f, 7); !slices.Equal(got, []string{final}) {
			t.Errorf("chat shows %q, want only the answer", got)
		}
	})
}

// TestReplayEditsTheRecordedMessage: on a replay, the message recorded
// before the restart is edited into the answer. A transient failure of
// that edit is retried (edits are idempotent); "not modified" is success;
// only when Telegram says the message is gone or can't be edited is a new
// message sent, and then the old one does not stay beside it.
func TestReplayEditsTheRecordedMessage(t *testing.T) {
	for _, tt := range []struct {
		name     string
		edit     *telegramtest.Response // the first edit's answer; nil: a fault
		fault    telegramtest.FaultKind
		deleted  bool // the recorded message was deleted before the replay
		wantSame bool // the answer is in the recorded message
	}{
		{name: "5xx then edited", fault: telegramtest.ServerError, wantSame: true},
		{name: "reset then edited", fault: telegramtest.Reset, wantSame: true},
		{name: "reset after the edit took effect", fault: telegramtest.ResetAfter, wantSame: true},
		{name: "bad JSON then edited", fault: telegramtest.BadJSON, wantSame: true},
		{name: "not modified", edit: telegramtest.APIError(400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same", 0), wantSame: true},
		{name: "can't be edited", edit: telegramtest.APIError(400, "Bad Request: message can't be edited", 0)},
		{name: "deleted by the user", deleted: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake(t)
				st := openStore(t, filepath.Join(t.TempDir(), store.FileName))
				old := sendAs(t, f, 7, "Interrupted by a restart.")
				if tt.deleted {
					resp, err := f.Client().PostForm(f.URL()+"/bot"+testToken+"/deleteMessage",
						url.Values{"chat_id": {"7"}, "message_id": {strconv.Itoa(old)}})
					if err != nil {
						t.Fatal(err)
					}
					resp.Body.Close()
				}
				id := storePending(t, st, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "q"), time.Now(), old)
				if tt.edit != nil {
					f.Respond("editMessageText", func(_ telegramtest.Request, n int) *telegramtest.Response {
						if n == 1 {
							return tt.edit
						}
						return nil
					})
				} else if tt.fault != telegramtest.NoFault {
					f.SetFaults(failFirst("editMessageText", 1, tt.fault))
				}
				b, logs := newTestBot(t, f, newFakeAnswerer(), func(_ *Config, d *Deps) { d.Store = st })
				stop := runBot(t, b)
				waitState(t, st, id, store.Done, time.Minute)
				if err := stop(); err != nil {
					t.Fatal(err)
				}
				msgs := f.Messages(7)
				switch {
				case len(msgs) != 1:
					t.Errorf("chat shows %d messages %+v, want 1", len(msgs), msgs)
				case tt.wantSame && msgs[0].ID != old:
					t.Errorf("the answer is in message %d, want the recorded %d", msgs[0].ID, old)
				case !tt.wantSame && msgs[0].ID == old:
					t.Errorf("the answer is still the recorded message %d, want a new one", old)
				case tt.edit == nil && !strings.Contains(msgs[0].Text, "Answer to: q"):
					t.Errorf("chat shows %q, want the answer", msgs[0].Text)
				}
				if n := len(f.Sent(7)); tt.wantSame && n != 1 {
					t.Errorf("%d messages sent in all, want only the one before the restart", n)
				}
				if replaced := strings.Contains(logs.String(), "couldn't edit the message sent before the restart"); replaced == tt.wantSame {
					t.Errorf("replacing the recorded message logged: %v, want %v:\n%s", replaced, !tt.wantSame, logs)
				}
				u, err := st.Get(id)
				if err != nil || len(u.Sent) != 1 || u.Sent[0] != msgs[0].ID {
					t.Errorf("store records %v (%v), want [%d]", u.Sent, err, msgs[0].ID)
				}
			})
		})
	}
}

// TestReplayLeavesNoSecondCopyWhenTheEditKeepsFailing: when every edit of
// the recorded message fails transiently, the replay does not send a
// second copy: the update stays pending.
func TestReplayLeavesNoSecondCopyWhenTheEditKeepsFailing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		st := openStore(t, filepath.Join(t.TempDir(), store.FileName))
		old := sendAs(t, f, 7, "Interrupted by a restart.")
		id := storePending(t, st, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "q"), time.Now(), old)
		f.SetFaults(failFirst("editMessageText", 1_000_000, telegramtest.ServerError))
		b, _ := newTestBot(t, f, newFakeAnswerer(), func(c *Config, d *Deps) { d.Store, c.ShutdownTimeout = st, time.Second })
		stop := runBot(t, b)
		time.Sleep(retryBudget + time.Minute)
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		if n := len(f.Sent(7)); n != 1 {
			t.Errorf("%d messages sent in all, want only the one before the restart", n)
		}
		if u, err := st.Get(id); err != nil || u.State != store.Pending || !slices.Equal(u.Sent, []int{old}) {
			t.Errorf("store holds the update %q with %v (%v), want it pending with [%d]", u.State, u.Sent, err, old)
		}
	})
}
