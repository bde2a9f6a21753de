package telegramtest

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
)

// post calls method on s through its client and decodes the answer.
func post(tb testing.TB, s *Server, token, method string, params url.Values) (int, map[string]any) {
	tb.Helper()
	resp, err := s.Client().PostForm(s.URL()+"/bot"+token+"/"+method, params)
	if err != nil {
		tb.Fatalf("%s: %v", method, err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		tb.Fatalf("%s: %v", method, err)
	}
	return resp.StatusCode, body
}

// TestModesAgree runs the same exchange against a loopback and an
// in-process server.
func TestModesAgree(t *testing.T) {
	for _, inProcess := range []bool{false, true} {
		t.Run(map[bool]string{false: "loopback", true: "in process"}[inProcess], func(t *testing.T) {
			s := New(t, Options{InProcess: inProcess})
			if code, _ := post(t, s, "wrong:token", "getMe", nil); code != http.StatusUnauthorized {
				t.Errorf("wrong token: %d, want 401", code)
			}
			if _, body := post(t, s, Token, "getMe", nil); body["result"].(map[string]any)["username"] != BotUserName {
				t.Errorf("getMe = %v", body)
			}
			ids := s.Push(PrivateMessage(User{ID: 7}, "a"), PrivateMessage(User{ID: 7}, "b"))
			_, body := post(t, s, Token, "getUpdates", url.Values{"offset": {"0"}, "timeout": {"0"}})
			if n := len(body["result"].([]any)); n != 2 {
				t.Errorf("getUpdates returned %d updates, want 2", n)
			}
			_, body = post(t, s, Token, "getUpdates", url.Values{"offset": {strconv.Itoa(ids[1])}, "timeout": {"0"}})
			if n := len(body["result"].([]any)); n != 1 {
				t.Errorf("after confirming the first, getUpdates returned %d updates, want 1", n)
			}
			s.AddFile("F", File{Path: "documents/f.txt", Data: []byte(strings.Repeat("x", 2000)), Chunked: true})
			resp, err := s.Client().Get(s.URL() + "/file/bot" + Token + "/documents/f.txt")
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if len(data) != 2000 || resp.ContentLength != -1 {
				t.Errorf("chunked download: %d bytes, Content-Length %d", len(data), resp.ContentLength)
			}
			if got := Summary(s.Requests()); got != " getMe(200) getUpdates(200) getUpdates(200) download(200)" {
				t.Errorf("recorded%s", got)
			}
			s.Close()
			if _, err := s.Client().Get(s.URL() + "/bot" + Token + "/getMe"); err == nil {
				t.Error("a closed server answered")
			} else if inProcess && !errors.Is(err, syscall.ECONNREFUSED) {
				t.Errorf("closed in-process server: %v, want connection refused", err)
			}
		})
	}
}

// TestLongPollInBubble checks that a long poll waits on the bubble's
// clock and ends when an update is pushed.
func TestLongPollInBubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := New(t, Options{InProcess: true})
		done := make(chan int)
		go func() {
			_, body := post(t, s, Token, "getUpdates", url.Values{"timeout": {"30"}})
			done <- len(body["result"].([]any))
		}()
		synctest.Wait()
		s.Push(PrivateMessage(User{ID: 7}, "q"))
		if n := <-done; n != 1 {
			t.Errorf("long poll returned %d updates, want 1", n)
		}
		go func() {
			_, body := post(t, s, Token, "getUpdates", url.Values{"offset": {"2"}, "timeout": {"30"}})
			done <- len(body["result"].([]any))
		}()
		if n := <-done; n != 0 {
			t.Errorf("an empty long poll returned %d updates", n)
		}
	})
}

// TestOffsetRules checks Telegram's getUpdates rules: an offset confirms
// the updates below it for good, a negative offset keeps the last ones,
// and getUpdates is refused while a webhook is set.
func TestOffsetRules(t *testing.T) {
	s := New(t, Options{InProcess: true})
	count := func(offset int) int {
		_, body := post(t, s, Token, "getUpdates", url.Values{"offset": {strconv.Itoa(offset)}, "timeout": {"0"}})
		return len(body["result"].([]any))
	}
	ids := s.Push(PrivateMessage(User{ID: 7}, "a"), PrivateMessage(User{ID: 7}, "b"), PrivateMessage(User{ID: 7}, "c"), PrivateMessage(User{ID: 7}, "d"))
	if n := count(ids[1]); n != 3 {
		t.Errorf("offset %d: %d updates, want 3", ids[1], n)
	}
	if n := count(0); n != 3 {
		t.Errorf("after confirming the first, offset 0 brought back %d updates, want 3", n)
	}
	if n := count(-1); n != 1 || len(s.Unconfirmed()) != 1 {
		t.Errorf("offset -1: %d updates, %d unconfirmed; want the last one only", n, len(s.Unconfirmed()))
	}
	post(t, s, Token, "setWebhook", url.Values{"url": {"https://x/y"}})
	if code, _ := post(t, s, Token, "getUpdates", nil); code != http.StatusConflict {
		t.Errorf("getUpdates with a webhook set: %d, want 409", code)
	}
	post(t, s, Token, "deleteWebhook", nil)
	if code, _ := post(t, s, Token, "getUpdates", nil); code != http.StatusOK {
		t.Errorf("getUpdates after deleteWebhook: %d", code)
	}
}

// TestMessagesFollowEditsAndDeletes checks the chat as a member sees it,
// and Telegram's errors for edits and deletions.
func TestMessagesFollowEditsAndDeletes(t *testing.T) {
	s := New(t, Options{InProcess: true})
	send := func(text string) string {
		_, body := post(t, s, Token, "sendMessage", url.Values{"chat_id": {"7"}, "text": {text}})
		return strconv.Itoa(int(body["result"].(map[string]any)["message_id"].(float64)))
	}
	a, b := send("one"), send("two")
	call := func(method, id, text string) (int, string) {
		code, body := post(t, s, Token, method, url.Values{"chat_id": {"7"}, "message_id": {id}, "text": {text}})
		desc, _ := body["description"].(string)
		return code, desc
	}
	if code, _ := call("editMessageText", a, "one!"); code != 200 {
		t.Errorf("edit: %d", code)
	}
	if _, desc := call("editMessageText", a, "one!"); !strings.Contains(desc, "message is not modified") {
		t.Errorf("same text: %q", desc)
	}
	if code, _ := call("deleteMessage", b, ""); code != 200 {
		t.Errorf("delete: %d", code)
	}
	if _, desc := call("editMessageText", b, "x"); !strings.Contains(desc, "message to edit not found") {
		t.Errorf("edit of a deleted message: %q", desc)
	}
	if _, desc := call("deleteMessage", b, ""); !strings.Contains(desc, "message to delete not found") {
		t.Errorf("second delete: %q", desc)
	}
	if got := s.Messages(7); len(got) != 1 || got[0].Text != "one!" || got[0].Edits != 1 {
		t.Errorf("Messages = %+v", got)
	}
}
