package telegramtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// TestSeededFaults checks that the n-th call of a method gets the same
// fault for the same seed, whatever else was called, and that the rates
// are roughly kept.
func TestSeededFaults(t *testing.T) {
	f := Faults{Seed: 7, All: Rates{TooManyRequests: 0.1, ServerError: 0.1, Reset: 0.1, ResetAfter: 0.1, BadJSON: 0.1, Delay: 0.1}}
	counts := map[FaultKind]int{}
	for n := 1; n <= 5000; n++ {
		a, b := f.decide("sendMessage", n), f.decide("sendMessage", n)
		if a != b {
			t.Fatalf("call %d: %v then %v", n, a, b)
		}
		if a.Kind == Delay && (a.Delay <= 0 || a.Delay > 500*time.Millisecond) {
			t.Errorf("call %d: delay %v, want (0, 500ms]", n, a.Delay)
		}
		if a.Kind == TooManyRequests && a.RetryAfter != 1 {
			t.Errorf("call %d: retry_after %d, want the default 1", n, a.RetryAfter)
		}
		counts[a.Kind]++
	}
	for k := TooManyRequests; k <= Delay; k++ {
		if c := counts[k]; c < 400 || c > 600 {
			t.Errorf("%s: %d of 5000 calls, want about 500", k, c)
		}
	}
	other := Faults{Seed: 8, All: f.All}
	same := 0
	for n := 1; n <= 200; n++ {
		if f.decide("getUpdates", n) == other.decide("getUpdates", n) {
			same++
		}
	}
	if same == 200 {
		t.Error("another seed gives the same faults")
	}
	off := Faults{Seed: 7, All: f.All, Methods: map[string]Rates{"getMe": {}}}
	if got := off.decide("getMe", 3); got != (Fault{}) {
		t.Errorf("a method with zero rates got %v", got)
	}
	if got := (&Faults{}).decide("sendMessage", 1); got != (Fault{}) {
		t.Errorf("the zero Faults injected %v", got)
	}
}

// TestFaultKinds checks what each fault does to a sendMessage: the
// answer the client gets and whether the message was sent.
func TestFaultKinds(t *testing.T) {
	for _, tt := range []struct {
		fault      Fault
		status     int    // 0: the connection is dropped
		body       string // a substring of the body
		sent       bool
		recordedAs int // the recorded Status
	}{
		{Fault{Kind: TooManyRequests, RetryAfter: 3}, 429, `"retry_after":3`, false, 429},
		{Fault{Kind: ServerError}, 500, `"error_code":500`, false, 500},
		{Fault{Kind: Reset}, 0, "", false, 0},
		{Fault{Kind: ResetAfter}, 0, "", true, 0},
		{Fault{Kind: BadJSON}, 200, `{"ok":true,"result":{"message_id":`, false, 200},
		{Fault{Kind: Delay, Delay: 2 * time.Second}, 200, `"ok":true`, true, 200},
	} {
		t.Run(tt.fault.Kind.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := New(t, Options{InProcess: true})
				s.SetFaults(Faults{Schedule: func(method string, n int) (Fault, bool) { return tt.fault, method == "sendMessage" }})
				start := time.Now()
				resp, err := s.Client().PostForm(s.URL()+"/bot"+Token+"/sendMessage", url.Values{"chat_id": {"7"}, "text": {"hi"}})
				if tt.status == 0 {
					if err == nil {
						resp.Body.Close()
						t.Fatalf("got %d, want a dropped connection", resp.StatusCode)
					}
				} else {
					if err != nil {
						t.Fatal(err)
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.body) {
						t.Errorf("got %d %s, want %d with %s", resp.StatusCode, body, tt.status, tt.body)
					}
				}
				if took := time.Since(start); took != tt.fault.Delay {
					t.Errorf("answered after %v, want %v", took, tt.fault.Delay)
				}
				if sent := len(s.Messages(7)) == 1; sent != tt.sent {
					t.Errorf("message sent: %v, want %v", sent, tt.sent)
				}
				r, _ := s.Last("sendMessage")
				if r.Fault != tt.fault.Kind || r.Status != tt.recordedAs {
					t.Errorf("recorded fault %v status %d, want %v %d", r.Fault, r.Status, tt.fault.Kind, tt.recordedAs)
				}
			})
		})
	}
	t.Run("502 is an HTML page", func(t *testing.T) {
		s := New(t, Options{InProcess: true})
		s.SetFaults(Faults{Schedule: func(string, int) (Fault, bool) { return Fault{Kind: ServerError}, true }})
		post(t, s, Token, "getMe", nil) // the 1st call: 500
		resp, err := s.Client().PostForm(s.URL()+"/bot"+Token+"/getMe", nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 502 || resp.Header.Get("Content-Type") != "text/html" || !strings.Contains(string(body), "Bad Gateway") {
			t.Errorf("2nd 5xx: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	})
	t.Run("a client giving up during a delay has no effect", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := New(t, Options{InProcess: true})
			s.SetFaults(Faults{Schedule: func(string, int) (Fault, bool) { return Fault{Kind: Delay, Delay: time.Minute}, true }})
			c := *s.Client()
			c.Timeout = time.Second
			if _, err := c.PostForm(s.URL()+"/bot"+Token+"/sendMessage", url.Values{"chat_id": {"7"}, "text": {"hi"}}); err == nil {
				t.Fatal("no timeout")
			}
			synctest.Wait()
			if len(s.Messages(7)) != 0 {
				t.Error("the message was sent although the client gave up")
			}
		})
	})
}

// TestBeforeAnswer checks that the hook runs after the effect and before
// the client has the answer, and not for a request a fault refused.
func TestBeforeAnswer(t *testing.T) {
	s := New(t, Options{InProcess: true})
	var seen []string
	s.BeforeAnswer(func(r Request, resp *Response) {
		seen = append(seen, r.Method+" "+strconv.Itoa(resp.Status)+" "+strconv.Itoa(len(s.Messages(7))))
	})
	post(t, s, Token, "sendMessage", url.Values{"chat_id": {"7"}, "text": {"hi"}})
	s.SetFaults(Faults{Schedule: func(string, int) (Fault, bool) { return Fault{Kind: TooManyRequests}, true }})
	post(t, s, Token, "sendMessage", url.Values{"chat_id": {"7"}, "text": {"refused"}})
	s.SetFaults(Faults{})
	s.BeforeAnswer(nil)
	post(t, s, Token, "sendMessage", url.Values{"chat_id": {"7"}, "text": {"hi"}})
	if want := []string{"sendMessage 200 1"}; !slices.Equal(seen, want) {
		t.Errorf("hook saw %q, want %q", seen, want)
	}
}

// TestMessagesRecordReplies checks that a message remembers what it
// replies to.
func TestMessagesRecordReplies(t *testing.T) {
	s := New(t, Options{InProcess: true})
	post(t, s, Token, "sendMessage", url.Values{"chat_id": {"7"}, "text": {"a"}, "reply_parameters": {`{"message_id":41,"allow_sending_without_reply":true}`}})
	post(t, s, Token, "sendMessage", url.Values{"chat_id": {"7"}, "text": {"b"}, "reply_to_message_id": {"42"}})
	post(t, s, Token, "sendMessage", url.Values{"chat_id": {"7"}, "text": {"c"}})
	var got []int
	for _, m := range s.Messages(7) {
		got = append(got, m.ReplyTo)
	}
	if !slices.Equal(got, []int{41, 42, 0}) {
		t.Errorf("ReplyTo = %v, want [41 42 0]", got)
	}
}

// TestWebhookDelivery checks delivery like Telegram's: the secret on
// every POST, one update at a time per chat and in order, redelivery until
// a 2xx, nothing once the webhook is deleted.
func TestWebhookDelivery(t *testing.T) {
	s := New(t, Options{DeliverWebhook: true})
	var mu sync.Mutex
	var accepted []string // "chat:update"
	tries := map[int]int{}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var u struct {
			UpdateID int `json:"update_id"`
			Message  struct {
				Chat struct{ ID int64 } `json:"chat"`
			} `json:"message"`
		}
		if err := json.NewDecoder(r.Body).Decode(&u); err != nil || r.Header.Get("X-Telegram-Bot-Api-Secret-Token") != "s3cret" {
			http.Error(w, "bad", http.StatusForbidden)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		tries[u.UpdateID]++
		if tries[u.UpdateID] < 3 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		accepted = append(accepted, strconv.FormatInt(u.Message.Chat.ID, 10)+":"+strconv.Itoa(u.UpdateID))
	}))
	defer hook.Close()

	ids := s.Push(PrivateMessage(User{ID: 1}, "a"), PrivateMessage(User{ID: 2}, "b"), PrivateMessage(User{ID: 1}, "c"))
	time.Sleep(100 * time.Millisecond)
	if len(s.Requests("webhook")) != 0 {
		t.Fatal("delivered before a webhook was set")
	}
	post(t, s, Token, "setWebhook", url.Values{"url": {hook.URL + "/hook"}, "secret_token": {"s3cret"}})
	s.WaitFor(t, 10*time.Second, "every update delivered", func([]Request) bool { return len(s.Unconfirmed()) == 0 })
	mu.Lock()
	got := slices.Clone(accepted)
	mu.Unlock()
	first1, first2 := "1:"+strconv.Itoa(ids[0]), "2:"+strconv.Itoa(ids[1])
	last1 := "1:" + strconv.Itoa(ids[2])
	if len(got) != 3 || slices.Index(got, first1) > slices.Index(got, last1) || !slices.Contains(got, first2) {
		t.Errorf("accepted %v: want each once, chat 1's in order", got)
	}
	if n := len(s.Requests("webhook")); n != 9 {
		t.Errorf("%d deliveries, want 9 (each update answered 503 twice)", n)
	}

	post(t, s, Token, "deleteWebhook", nil)
	s.Push(PrivateMessage(User{ID: 1}, "d"))
	time.Sleep(200 * time.Millisecond)
	if n := len(s.Requests("webhook")); n != 9 {
		t.Errorf("delivered after deleteWebhook: %d deliveries", n)
	}
	if _, body := post(t, s, Token, "getUpdates", url.Values{"timeout": {"0"}}); len(body["result"].([]any)) != 1 {
		t.Errorf("getUpdates after deleteWebhook = %v, want the undelivered update", body)
	}
}

// TestWebhookDeliveryUnreachable checks that an update waits, unconfirmed,
// while the webhook does not answer, and is delivered once it does.
func TestWebhookDeliveryUnreachable(t *testing.T) {
	s := New(t, Options{DeliverWebhook: true})
	var mu sync.Mutex
	up := false
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if !up {
			hangUp(w)
		}
	}))
	defer hook.Close()
	post(t, s, Token, "setWebhook", url.Values{"url": {hook.URL}})
	s.Push(PrivateMessage(User{ID: 1}, "a"))
	s.WaitFor(t, 10*time.Second, "failed deliveries", func([]Request) bool { return len(s.Requests("webhook")) >= 3 })
	if len(s.Unconfirmed()) != 1 {
		t.Fatal("an undelivered update was confirmed")
	}
	for _, r := range s.Requests("webhook") {
		if r.Status != 0 {
			t.Errorf("a dropped delivery recorded status %d, want 0", r.Status)
		}
	}
	mu.Lock()
	up = true
	mu.Unlock()
	s.WaitFor(t, 10*time.Second, "the delivery", func([]Request) bool { return len(s.Unconfirmed()) == 0 })
}
