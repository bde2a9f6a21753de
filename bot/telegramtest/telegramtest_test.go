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
