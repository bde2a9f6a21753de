package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot/store"
	"github.com/citebot/citebot/bot/telegramtest"
)

// webhookSecret is the secret of the webhook lives (see inboxLife).
const webhookSecret = "s3cret_Token-2"

// inboxLife is one run of the bot on a store, receiving updates by
// polling or by webhook.
type inboxLife struct {
	f       *telegramtest.Server
	b       *Bot
	logs    *telegramtest.LogBuffer
	stop    func() error
	net     *crashableTransport
	webhook bool
	nextID  int // the next webhook update_id: from 1 in every life
}

// startLife runs a bot on st with a new fake Bot API (whose update ids
// start at 1, like a Bot API server restarted or another bot's). A
// webhook life listens on a loopback port: it cannot run inside a
// synctest bubble.
func startLife(t *testing.T, st *store.Store, a Answerer, webhook bool) *inboxLife {
	t.Helper()
	l := &inboxLife{f: newFake(t), webhook: webhook, nextID: 1}
	l.net = &crashableTransport{next: l.f.Client().Transport}
	l.b, l.logs = newTestBot(t, l.f, a, func(c *Config, d *Deps) {
		d.Store, d.HTTPClient = st, &http.Client{Transport: l.net}
		c.ShutdownTimeout = 100 * time.Millisecond
		if webhook {
			c.WebhookURL, c.WebhookListen, c.WebhookSecret = "https://bot.example.com/telegram", "127.0.0.1:0", webhookSecret
		}
	})
	l.stop = runBot(t, l.b)
	if webhook {
		for l.b.WebhookAddr() == nil {
			time.Sleep(10 * time.Millisecond)
		}
	}
	return l
}

// send delivers upd as Telegram would, and returns its update id.
func (l *inboxLife) send(t *testing.T, upd telegramtest.Update) int {
	t.Helper()
	if !l.webhook {
		return l.f.Push(upd)[0]
	}
	id := l.nextID
	l.nextID++
	upd["update_id"] = id
	if code := l.post(t, upd); code != http.StatusOK {
		t.Fatalf("webhook delivery of update %d: %d", id, code)
	}
	return id
}

// post posts upd to the webhook as it is, and returns the status.
func (l *inboxLife) post(t *testing.T, upd telegramtest.Update) int {
	t.Helper()
	body, err := json.Marshal(upd)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, "http://"+l.b.WebhookAddr().String()+"/telegram", strings.NewReader(string(body)))
	req.Header.Set(secretHeader, webhookSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// crash ends the life like kill -9: the network and the store are gone
// before the bot stops, so that nothing it does afterwards is recorded.
func (l *inboxLife) crash(t *testing.T, st *store.Store) {
	t.Helper()
	l.net.dead.Store(true)
	st.Close()
	if err := l.stop(); err != nil {
		t.Fatal(err)
	}
}

// inboxModes runs test once receiving by polling (inside a synctest
// bubble) and once by webhook (in real time: the webhook needs a socket).
func inboxModes(t *testing.T, test func(t *testing.T, webhook bool)) {
	t.Run("polling", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) { test(t, false) })
	})
	t.Run("webhook", func(t *testing.T) { test(t, true) })
}

// waitFor polls cond every 10 ms until it holds, failing after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(timeout); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestPoisonedUpdateIsApologisedFor: an update whose handling a crash cuts
// short is replayed once; when a crash cuts that short too, the next start
// apologises for it instead of handling it a third time, logs a warning
// naming it, and marks it done; the start after that leaves it alone.
func TestPoisonedUpdateIsApologisedFor(t *testing.T) {
	inboxModes(t, poisonScenario)
}

func poisonScenario(t *testing.T, webhook bool) {
	path := filepath.Join(t.TempDir(), store.FileName)
	var asked atomic.Int32
	started := make(chan struct{}, 4)
	crashing := newFakeAnswerer()
	crashing.answer = func(ctx context.Context, q answer.Question, _ func(string)) (answer.Answer, error) {
		asked.Add(1)
		started <- struct{}{}
		<-ctx.Done() // until the crash
		return answer.Answer{}, ctx.Err()
	}
	var id int
	for life := 1; life <= 2; life++ {
		st := openStore(t, path)
		l := startLife(t, st, crashing, webhook)
		if life == 1 {
			id = l.send(t, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "the poison"))
		}
		<-started
		if u, err := st.Get(id); err != nil || u.Attempts != life {
			t.Fatalf("life %d: stored %+v, %v; want %d attempts recorded", life, u, err, life)
		}
		l.crash(t, st)
	}
	if n := asked.Load(); n != 2 {
		t.Fatalf("the answerer was asked %d times before the third start, want 2 (once replayed)", n)
	}

	st := openStore(t, path)
	calm := newFakeAnswerer()
	l := startLife(t, st, calm, webhook)
	waitState(t, st, id, store.Done, 10*time.Second)
	if err := l.stop(); err != nil {
		t.Fatal(err)
	}
	if got, want := messageTexts(l.f, 7), []string{texts["en"].poisoned}; !slices.Equal(got, want) {
		t.Errorf("chat shows %q, want %q", got, want)
	}
	if n := len(calm.asked()); n != 0 {
		t.Errorf("the third start asked the answerer %d times, want 0", n)
	}
	if logs := l.logs.String(); !strings.Contains(logs, "level=WARN msg=\"giving up on an update") || !strings.Contains(logs, fmt.Sprintf("update_id=%d attempts=2", id)) {
		t.Errorf("no warning naming update %d:\n%s", id, logs)
	}

	l4 := startLife(t, st, calm, webhook)
	if err := l4.stop(); err != nil {
		t.Fatal(err)
	}
	if n := len(l4.f.Requests("sendMessage", "editMessageText")); n != 0 || len(calm.asked()) != 0 {
		t.Errorf("the fourth start sent %d messages and asked %d questions, want none", n, len(calm.asked()))
	}
	st.Close()
}

// TestInterruptedHandlingIsNotCounted: a handling a stop interrupts (not
// a crash) takes its attempt back, so that however many stops cut an
// update short it is answered in the end.
func TestInterruptedHandlingIsNotCounted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), store.FileName)
		slow := newFakeAnswerer()
		started := make(chan struct{}, 4)
		slow.answer = func(ctx context.Context, q answer.Question, _ func(string)) (answer.Answer, error) {
			started <- struct{}{}
			<-ctx.Done()
			return answer.Answer{}, ctx.Err()
		}
		var id int
		for life := 1; life <= 3; life++ {
			st := openStore(t, path)
			l := startLife(t, st, slow, false)
			if life == 1 {
				id = l.send(t, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "slow"))
			}
			<-started
			if err := l.stop(); err != nil {
				t.Fatal(err)
			}
			st.Close()
			st = openStore(t, path)
			if u, err := st.Get(id); err != nil || u.Attempts != 0 || u.State != store.Pending {
				t.Fatalf("after stop %d: %s with %d attempts (%v); want pending with no attempt counted", life, u.State, u.Attempts, err)
			}
			st.Close()
		}
		st := openStore(t, path)
		l := startLife(t, st, newFakeAnswerer(), false)
		waitState(t, st, id, store.Done, 10*time.Second)
		if err := l.stop(); err != nil {
			t.Fatal(err)
		}
		if got := messageTexts(l.f, 7); len(got) != 1 || !strings.Contains(got[0], "Answer to: slow") {
			t.Errorf("chat shows %q, want the answer", got)
		}
	})
}

// TestReplayGivesUpAtMaxAttempts: the replay handles an unfinished update
// whose handling a crash cut short fewer than maxAttempts times, and
// apologises for one cut short maxAttempts times or more.
func TestReplayGivesUpAtMaxAttempts(t *testing.T) {
	for _, tt := range []struct {
		attempts  int
		want      string
		wantAsked int
	}{
		{0, "Answer to: q", 1},
		{1, "Answer to: q", 1},
		{maxAttempts, texts["en"].poisoned, 0},
		{maxAttempts + 3, texts["en"].poisoned, 0},
	} {
		t.Run(fmt.Sprintf("%d attempts", tt.attempts), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake(t)
				st := openStore(t, filepath.Join(t.TempDir(), store.FileName))
				placeholder := sendAs(t, f, 7, "partial text …")
				id := storeAttempted(t, st, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "q"), time.Now(), tt.attempts, placeholder)
				a := newFakeAnswerer()
				b, _ := newTestBot(t, f, a, func(_ *Config, d *Deps) { d.Store = st })
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
					t.Errorf("answerer asked %d times, want %d", n, tt.wantAsked)
				}
			})
		})
	}
}

// TestCutShortApologyStaysPending: a replayed update that only gets an
// apology (poisoned, or older than ReplayMaxAge) whose sendMessage keeps
// failing until a stop cuts its retries short stays pending with its
// attempts as they were, not marked done: the next start apologises.
func TestCutShortApologyStaysPending(t *testing.T) {
	for _, tt := range []struct {
		name     string
		attempts int
		age      time.Duration
		want     string
	}{
		{"poisoned", maxAttempts, time.Minute, texts["en"].poisoned},
		{"too old", 0, 2 * time.Hour, "took too long"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake(t)
				f.SetFaults(telegramtest.Faults{Schedule: func(method string, _ int) (telegramtest.Fault, bool) {
					return telegramtest.Fault{Kind: telegramtest.Reset}, method == "sendMessage"
				}})
				st := openStore(t, filepath.Join(t.TempDir(), store.FileName))
				id := storeAttempted(t, st, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "q"), time.Now().Add(-tt.age), tt.attempts)
				setup := func(c *Config, d *Deps) {
					c.ReplayMaxAge, c.ShutdownTimeout, d.Store = time.Hour, 100*time.Millisecond, st
				}
				b, _ := newTestBot(t, f, newFakeAnswerer(), setup)
				stop := runBot(t, b)
				for len(f.Requests("sendMessage")) < 2 {
					time.Sleep(50 * time.Millisecond)
				}
				if err := stop(); err != nil {
					t.Fatal(err)
				}
				synctest.Wait() // the store's queued writes are committed
				if u, err := st.Get(id); err != nil || u.State != store.Pending || u.Attempts != tt.attempts {
					t.Fatalf("after a stop cut the apology's retries short: %s with %d attempts (%v); want pending with %d",
						u.State, u.Attempts, err, tt.attempts)
				}

				f.SetFaults(telegramtest.Faults{}) // the network heals
				a := newFakeAnswerer()
				b2, _ := newTestBot(t, f, a, setup)
				stop2 := runBot(t, b2)
				waitDone(t, st, id)
				if err := stop2(); err != nil {
					t.Fatal(err)
				}
				if got := messageTexts(f, 7); len(got) != 1 || !strings.Contains(got[0], tt.want) {
					t.Errorf("chat shows %q, want one message containing %q", got, tt.want)
				}
				if n := len(a.asked()); n != 0 {
					t.Errorf("answerer asked %d times, want 0", n)
				}
			})
		})
	}
}

// TestPoisonedTextIsTranslated: the apology exists in every language.
func TestPoisonedTextIsTranslated(t *testing.T) {
	if texts["en"].poisoned != "Sorry, this message could not be processed." {
		t.Errorf("English apology = %q", texts["en"].poisoned)
	}
	for lang, tt := range texts {
		if tt.poisoned == "" || (lang != "en" && tt.poisoned == texts["en"].poisoned) {
			t.Errorf("%s: apology %q", lang, tt.poisoned)
		}
	}
}

// TestReusedUpdateIDsAreNewUpdates: an old data directory whose store
// holds updates 1..n answered, then a new numbering (another token, a Bot
// API server restarted) sending updates 1..n again with new questions:
// every new question is answered, once; a true redelivery is dropped and
// logged at debug level with its id.
func TestReusedUpdateIDsAreNewUpdates(t *testing.T) {
	inboxModes(t, reusedIDsScenario)
}

func reusedIDsScenario(t *testing.T, webhook bool) {
	const n = 3
	path := filepath.Join(t.TempDir(), store.FileName)
	st := openStore(t, path)
	user := telegramtest.User{ID: 7}
	old := startLife(t, st, newFakeAnswerer(), webhook)
	for i := 1; i <= n; i++ {
		if id := old.send(t, telegramtest.PrivateMessage(user, fmt.Sprintf("old %d", i))); id != i {
			t.Fatalf("the first life's update %d has id %d", i, id)
		}
	}
	waitFor(t, 10*time.Second, "the old answers", func() bool { return len(old.f.Sent(7)) == n })
	if err := old.stop(); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		waitState(t, st, i, store.Done, 5*time.Second)
	}

	l := startLife(t, st, newFakeAnswerer(), webhook)
	var redelivered telegramtest.Update
	for i := 1; i <= n; i++ {
		upd := telegramtest.PrivateMessage(user, fmt.Sprintf("new %d", i))
		if id := l.send(t, upd); id != i {
			t.Fatalf("the new update %d has id %d", i, id)
		}
		redelivered = upd
	}
	want := []string{"Answer to: new 1 [1]", "Answer to: new 2 [1]", "Answer to: new 3 [1]"}
	waitFor(t, 10*time.Second, "the new answers", func() bool { return len(l.f.Sent(7)) == n })
	if webhook {
		if code := l.post(t, redelivered); code != http.StatusOK {
			t.Errorf("a redelivery was answered %d, want 200", code)
		}
		waitFor(t, 5*time.Second, "the redelivery logged", func() bool {
			return strings.Contains(l.logs.String(), fmt.Sprintf("msg=\"dropping a redelivered update (stored before with the same content)\" update_id=%d", n))
		})
	}
	if err := l.stop(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range l.f.Sent(7) {
		got = append(got, strings.SplitN(r.Get("text"), "\n", 2)[0])
	}
	if !slices.Equal(got, want) {
		t.Errorf("the new questions got %q, want %q", got, want)
	}
	pending, err := st.Pending()
	if err != nil || len(pending) != 0 {
		t.Errorf("pending after the new life: %v, %v", pending, err)
	}
}

// TestRedeliveryAfterACrashIsDropped: an update fetched again after a
// crash (Telegram delivers again what was not confirmed) is recognised by
// its id and content: dropped with a debug record naming it, and answered
// once, by the replay.
func TestRedeliveryAfterACrashIsDropped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), store.FileName)
		st := openStore(t, path)
		blocked := newFakeAnswerer()
		started := make(chan struct{}, 1)
		blocked.answer = func(ctx context.Context, q answer.Question, _ func(string)) (answer.Answer, error) {
			started <- struct{}{}
			<-ctx.Done()
			return answer.Answer{}, ctx.Err()
		}
		upd := telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "q")
		l := startLife(t, st, blocked, false)
		id := l.send(t, upd)
		<-started
		l.crash(t, st)

		// The next life's server delivers the same update again (a fake
		// numbering from 1 gives it the same id).
		st = openStore(t, path)
		a := newFakeAnswerer()
		l = startLife(t, st, a, false)
		if again := l.send(t, upd); again != id {
			t.Fatalf("redelivered with id %d, want %d", again, id)
		}
		waitState(t, st, id, store.Done, 10*time.Second)
		// Waited on the log, not on requests: the drop may be the last thing
		// that happens before the next long poll.
		waitFor(t, 10*time.Second, "the redelivery dropped", func() bool {
			return strings.Contains(l.logs.String(), fmt.Sprintf("level=DEBUG msg=\"dropping a redelivered update (stored before with the same content)\" update_id=%d", id))
		})
		if err := l.stop(); err != nil {
			t.Fatal(err)
		}
		if n := len(a.asked()); n != 1 {
			t.Errorf("asked %d times, want once (by the replay)", n)
		}
		if got := messageTexts(l.f, 7); len(got) != 1 {
			t.Errorf("chat shows %q, want one answer", got)
		}
	})
}

// errDiskFull stands for a failed disk write.
var errDiskFull = errors.New("no space left on device")

// TestFailedStoreWritesAreRetried: with every commit failing once before
// it succeeds (a disk that recovers), the answer's message id and its
// "done" still reach the store, so that a restart sends nothing again.
func TestFailedStoreWritesAreRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), store.FileName)
		var commits, failures atomic.Int32
		st, err := store.Open(path, store.Options{NoSync: true, FailCommit: func() error {
			if commits.Add(1)%2 == 1 {
				failures.Add(1)
				return errDiskFull
			}
			return nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		l := startLife(t, st, newFakeAnswerer(), false)
		id := l.send(t, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "q"))
		waitState(t, st, id, store.Done, 10*time.Second)
		if err := l.stop(); err != nil {
			t.Fatal(err)
		}
		st.Close()
		if failures.Load() < 3 {
			t.Fatalf("only %d commits failed: the put, the message id and the done should each have failed once", failures.Load())
		}
		if logs := l.logs.String(); strings.Contains(logs, "level=ERROR") {
			t.Errorf("errors logged although every write went through:\n%s", logs)
		}
		u, err := func() (store.Update, error) {
			st := openStore(t, path)
			defer st.Close()
			return st.Get(id)
		}()
		if err != nil || u.State != store.Done || len(u.Sent) != 1 {
			t.Fatalf("stored %+v, %v; want done with its message", u, err)
		}
		restart := startLife(t, openStore(t, path), newFakeAnswerer(), false)
		if err := restart.stop(); err != nil {
			t.Fatal(err)
		}
		if n := len(restart.f.Requests("sendMessage", "editMessageText")); n != 0 {
			t.Errorf("the restart sent %d messages, want none", n)
		}
	})
}
