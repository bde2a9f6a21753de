package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot/store"
	"github.com/citebot/citebot/bot/telegramtest"
)

// crashableTransport passes requests on until kill, then fails them all,
// like a process that died.
type crashableTransport struct {
	next http.RoundTripper
	dead atomic.Bool
}

func (c *crashableTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if c.dead.Load() {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, errors.New("the process crashed")
	}
	return c.next.RoundTrip(r)
}

// messageTexts returns the texts of the bot's messages in chat as a member
// sees them now.
func messageTexts(f *telegramtest.Server, chat int64) []string {
	var out []string
	for _, m := range f.Messages(chat) {
		out = append(out, m.Text)
	}
	return out
}

// TestRestartAnswersEveryQuestionOnce stops the bot while answers stream
// (a stop with a short shutdown timeout, and a crash: the store closed
// without marking anything done, the network gone) and starts it again
// on the same store, after Telegram has forgotten the confirmed updates:
// every question ends with exactly one answer message, the interrupted
// ones in the message they streamed into, and nothing is left
// half-written. Drafts are refused, so that the private chats stream by
// edits and leave a message to finish (see TestDraftsLeaveNothingBehind
// for drafts).
func TestRestartAnswersEveryQuestionOnce(t *testing.T) {
	for _, crash := range []bool{false, true} {
		t.Run(map[bool]string{false: "stop", true: "crash"}[crash], func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { restartScenario(t, crash) })
		})
	}
}

func restartScenario(t *testing.T, crash bool) {
	const chats = 4
	f := newFake(t)
	f.Refuse("sendMessageDraft")
	path := filepath.Join(t.TempDir(), store.FileName)
	st1 := openStore(t, path)
	a1 := newFakeAnswerer()
	a1.answer = func(ctx context.Context, q answer.Question, onPartial func(string)) (answer.Answer, error) {
		if strings.HasPrefix(q.Text, "slow") {
			onPartial("thinking about " + q.Text)
			<-ctx.Done()
			return answer.Answer{}, ctx.Err()
		}
		return answer.Answer{Lang: "en", Text: "A:" + q.Text}, nil
	}
	net1 := &crashableTransport{next: f.Client().Transport}
	b1, _ := newTestBot(t, f, a1, func(c *Config, d *Deps) {
		d.Store, d.HTTPClient = st1, &http.Client{Transport: net1}
		c.ShutdownTimeout = time.Second
	})
	stop1 := runBot(t, b1)
	for c := range chats {
		u := telegramtest.User{ID: int64(100 + c)}
		f.Push(telegramtest.PrivateMessage(u, fmt.Sprintf("fast-%d-0", c)),
			telegramtest.PrivateMessage(u, fmt.Sprintf("slow-%d-1", c)),
			telegramtest.PrivateMessage(u, fmt.Sprintf("fast-%d-2", c)))
	}
	f.WaitFor(t, 10*time.Second, "every slow answer streaming", func([]telegramtest.Request) bool {
		for c := range chats {
			texts := messageTexts(f, int64(100+c))
			if len(texts) != 2 || !strings.HasPrefix(texts[1], "thinking about") {
				return false
			}
		}
		return true
	})
	// The streamed messages' ids reach the store (a crash before that is
	// the window the Delivery documentation names, not this test's case).
	synctest.Wait()
	if crash {
		net1.dead.Store(true)
		st1.Close()
	}
	if err := stop1(); err != nil {
		t.Fatal(err)
	}
	st1.Close()
	if n := len(f.Unconfirmed()); n != 0 {
		t.Fatalf("%d updates still unconfirmed: Telegram must have forgotten them for this test", n)
	}
	for c := range chats {
		texts := messageTexts(f, int64(100+c))
		if last := texts[len(texts)-1]; !crash && (strings.HasSuffix(last, "…") || !strings.Contains(last, "Interrupted")) {
			t.Errorf("chat %d: after the stop the placeholder shows %q, want the interrupted text", c, last)
		}
	}
	placeholders := f.Requests("sendMessage")

	a2 := newFakeAnswerer()
	a2.answer = func(ctx context.Context, q answer.Question, _ func(string)) (answer.Answer, error) {
		return answer.Answer{Lang: "en", Text: "A:" + q.Text}, nil
	}
	b2, _ := newTestBot(t, f, a2, func(c *Config, d *Deps) { d.Store = openStore(t, path) })
	stop2 := runBot(t, b2)
	want := func(c int) []string {
		return []string{fmt.Sprintf("A:fast-%d-0", c), fmt.Sprintf("A:slow-%d-1", c), fmt.Sprintf("A:fast-%d-2", c)}
	}
	f.WaitFor(t, 10*time.Second, "every answer after the restart", func([]telegramtest.Request) bool {
		for c := range chats {
			if !slices.Equal(messageTexts(f, int64(100+c)), want(c)) {
				return false
			}
		}
		return true
	})
	if err := stop2(); err != nil {
		t.Fatal(err)
	}
	for c := range chats {
		if got := messageTexts(f, int64(100+c)); !slices.Equal(got, want(c)) {
			t.Errorf("chat %d shows %q, want %q", c, got, want(c))
		}
		if n := len(f.Sent(int64(100 + c))); n != 3 {
			t.Errorf("chat %d: %d messages sent in all, want 3 (the interrupted answer edits its placeholder)", c, n)
		}
	}
	for _, q := range a2.asked() {
		if strings.HasSuffix(q.Text, "-0") {
			t.Errorf("%q was answered before the stop and asked again after it", q.Text)
		}
	}
	if n := len(placeholders); n != 2*chats {
		t.Errorf("first life sent %d messages, want %d", n, 2*chats)
	}
}

// TestPollConfirmsOnlyStoredUpdates breaks the store while the bot runs:
// updates it cannot store are neither confirmed to Telegram nor handled.
func TestPollConfirmsOnlyStoredUpdates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		st := openStore(t, filepath.Join(t.TempDir(), store.FileName))
		b, logs := newTestBot(t, f, newFakeAnswerer(), func(_ *Config, d *Deps) { d.Store = st })
		stop := runBot(t, b)
		f.Push(telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "stored"))
		f.WaitFor(t, 5*time.Second, "the first answer", func([]telegramtest.Request) bool { return len(f.Sent(7)) == 1 })
		st.Close()
		ids := f.Push(telegramtest.PrivateMessage(telegramtest.User{ID: 8}, "not storable"))
		time.Sleep(10 * time.Second)
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(f.Unconfirmed(), ids[0]) {
			t.Errorf("the update that could not be stored was confirmed to Telegram")
		}
		for _, r := range f.Requests("getUpdates") {
			if off, _ := strconv.Atoi(r.Get("offset")); off > ids[0] {
				t.Errorf("getUpdates offset %d passes the unstored update %d", off, ids[0])
			}
		}
		if n := len(f.Sent(8)); n != 0 {
			t.Errorf("an update that is not stored was answered")
		}
		if !strings.Contains(logs.String(), "couldn't store") {
			t.Errorf("the store failure was not logged")
		}
	})
}

// sendAs sends a message to chat through the fake's API, as the bot would
// have done before a restart, and returns its id.
func sendAs(t *testing.T, f *telegramtest.Server, chat int64, text string) int {
	t.Helper()
	resp, err := f.Client().PostForm(f.URL()+"/bot"+testToken+"/sendMessage",
		url.Values{"chat_id": {strconv.FormatInt(chat, 10)}, "text": {text}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Result struct {
			MessageID int `json:"message_id"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return body.Result.MessageID
}

// storePending stores upd as received at when and not done, with the
// messages sent for it, and returns its update id.
func storePending(t *testing.T, st *store.Store, upd telegramtest.Update, when time.Time, sent ...int) int {
	t.Helper()
	return storeAttempted(t, st, upd, when, 0, sent...)
}

// storeAttempted is storePending with the handlings a crash cut short.
func storeAttempted(t *testing.T, st *store.Store, upd telegramtest.Update, when time.Time, attempts int, sent ...int) int {
	t.Helper()
	u := decodeUpdate(t, upd)
	raw, _ := json.Marshal(upd)
	seqs, err := st.Put([]store.Update{{ID: u.UpdateID, Raw: raw, Received: when, Attempts: attempts}})
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range sent {
		if err := st.SetSent(seqs[0], i, id); err != nil {
			t.Fatal(err)
		}
	}
	return u.UpdateID
}

// waitDone waits until the store marks update id done.
func waitDone(t *testing.T, st *store.Store, id int) {
	t.Helper()
	for range 500 {
		if u, err := st.Get(id); err == nil && u.State == store.Done {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("update %d never marked done", id)
}

func TestReplay(t *testing.T) {
	const replayMaxAge = time.Hour
	tests := []struct {
		name      string
		age       time.Duration
		maxAge    time.Duration // Config.ReplayMaxAge
		want      string        // the placeholder's final text contains it
		wantAsked int
	}{
		{"edits the recorded placeholder", time.Minute, replayMaxAge, "Answer to: q", 1},
		{"too old: sorry instead", replayMaxAge + time.Minute, replayMaxAge, "took too long", 0},
		{"a shorter max age", 10 * time.Minute, 5 * time.Minute, "took too long", 0},
		{"no max age: answered however old", 48 * time.Hour, 0, "Answer to: q", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake(t)
				st := openStore(t, filepath.Join(t.TempDir(), store.FileName))
				// A first life sent a placeholder for the question, recorded
				// its id, and crashed.
				placeholder := sendAs(t, f, 7, "thinking about it …")
				id := storePending(t, st, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "q"), time.Now().Add(-tt.age), placeholder)
				a := newFakeAnswerer()
				b, _ := newTestBot(t, f, a, func(c *Config, d *Deps) { c.ReplayMaxAge, d.Store = tt.maxAge, st })
				stop := runBot(t, b)
				waitDone(t, st, id)
				if err := stop(); err != nil {
					t.Fatal(err)
				}
				msgs := f.Messages(7)
				if len(msgs) != 1 || msgs[0].ID != placeholder || !strings.Contains(msgs[0].Text, tt.want) {
					t.Errorf("chat shows %+v, want only message %d containing %q", msgs, placeholder, tt.want)
				}
				if n := len(a.asked()); n != tt.wantAsked {
					t.Errorf("engine asked %d times, want %d", n, tt.wantAsked)
				}
			})
		})
	}
}

// TestFailedEditsLeaveNoPlaceholder: when no edit goes through, the answer
// comes as a new message and the placeholder does not stay beside it.
func TestFailedEditsLeaveNoPlaceholder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		f.Respond("editMessageText", func(telegramtest.Request, int) *telegramtest.Response {
			return telegramtest.APIError(500, "Internal Server Error", 0)
		})
		a := newFakeAnswerer()
		a.answer = func(ctx context.Context, q answer.Question, onPartial func(string)) (answer.Answer, error) {
			onPartial("partial")
			time.Sleep(time.Second)
			return answer.Answer{Lang: "en", Text: "final answer"}, nil
		}
		b, _ := newTestBot(t, f, a, nil)
		handle(t, b, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "q"))
		if got := messageTexts(f, 7); !slices.Equal(got, []string{"final answer"}) {
			t.Errorf("chat shows %q, want only the answer", got)
		}
	})
}
