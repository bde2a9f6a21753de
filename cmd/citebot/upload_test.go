package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeTelegram is a small Bot API fake with getFile and file downloads,
// which the emulator lacks. Safe for concurrent use.
type fakeTelegram struct {
	t     *testing.T
	token string
	files map[string][]byte // file_path -> contents

	mu      sync.Mutex
	updates []map[string]any
	nextID  int
	sent    []sentMessage
}

type sentMessage struct {
	ChatID int64
	Text   string
}

func newFakeTelegram(t *testing.T, token string) (*fakeTelegram, *httptest.Server) {
	f := &fakeTelegram{t: t, token: token, files: map[string][]byte{}, nextID: 1}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeTelegram) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p, ok := strings.CutPrefix(r.URL.Path, "/file/bot"+f.token+"/"); ok {
		f.mu.Lock()
		data, found := f.files[p]
		f.mu.Unlock()
		if !found {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
		return
	}
	method, ok := strings.CutPrefix(r.URL.Path, "/bot"+f.token+"/")
	if !ok {
		http.Error(w, `{"ok":false,"error_code":401,"description":"Unauthorized"}`, http.StatusUnauthorized)
		return
	}
	r.ParseForm()
	reply := func(result any) {
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
	}
	switch method {
	case "getMe":
		reply(map[string]any{"id": 666, "is_bot": true, "first_name": "Test", "username": "TestNameBot"})
	case "getUpdates":
		offset, _ := strconv.Atoi(r.Form.Get("offset"))
		deadline := time.Now().Add(200 * time.Millisecond)
		for {
			f.mu.Lock()
			var out []map[string]any
			for _, u := range f.updates {
				if u["update_id"].(int) >= offset {
					out = append(out, u)
				}
			}
			f.mu.Unlock()
			if len(out) > 0 || time.Now().After(deadline) || r.Context().Err() != nil {
				if out == nil {
					out = []map[string]any{}
				}
				reply(out)
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	case "sendMessage", "editMessageText":
		chatID, _ := strconv.ParseInt(r.Form.Get("chat_id"), 10, 64)
		f.mu.Lock()
		f.sent = append(f.sent, sentMessage{ChatID: chatID, Text: r.Form.Get("text")})
		f.nextID++
		id := f.nextID
		f.mu.Unlock()
		reply(map[string]any{"message_id": id, "date": time.Now().Unix(), "chat": map[string]any{"id": chatID, "type": "private"}, "text": r.Form.Get("text")})
	case "getFile":
		id := r.Form.Get("file_id")
		f.mu.Lock()
		size := len(f.files["documents/"+id])
		f.mu.Unlock()
		reply(map[string]any{"file_id": id, "file_unique_id": id, "file_size": size, "file_path": "documents/" + id})
	default: // deleteWebhook, setMyCommands, sendChatAction, answerCallbackQuery
		reply(true)
	}
}

// push queues a private-chat update from user.
func (f *fakeTelegram) push(user int64, msg map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	msg["message_id"] = f.nextID
	msg["date"] = time.Now().Unix()
	msg["from"] = map[string]any{"id": user, "is_bot": false, "first_name": "U" + strconv.FormatInt(user, 10), "language_code": "zh-hans"}
	msg["chat"] = map[string]any{"id": user, "type": "private"}
	f.updates = append(f.updates, map[string]any{"update_id": len(f.updates) + 1, "message": msg})
}

// waitSent waits for a message to chat containing want.
func (f *fakeTelegram) waitSent(t *testing.T, chat int64, want string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		f.mu.Lock()
		for _, m := range f.sent {
			if m.ChatID == chat && strings.Contains(m.Text, want) {
				f.mu.Unlock()
				return m.Text
			}
		}
		f.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	t.Fatalf("no message to %d containing %q; sent: %+v", chat, want, f.sent)
	return ""
}

func TestAdminUploadSurvivesRestart(t *testing.T) {
	const token = "4242:UPLOAD-SECRET"
	const admin, stranger = 501, 502
	f, srv := newFakeTelegram(t, token)
	doc := "灯塔看守人名叫林海燕，她在灯塔工作了二十年。\n\n灯塔建于一八八一年，位于花岗岩角。\n"
	f.files["documents/doc-1"] = []byte(doc)
	f.files["documents/doc-2"] = []byte("别人的文件。\n")
	t.Chdir(t.TempDir())
	env := map[string]string{"TELEGRAM_BOT_TOKEN": token, "CITEBOT_ADMINS": strconv.Itoa(admin), "CITEBOT_RATE_PER_MINUTE": "0"}

	start := func() (stop func()) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		logs := &syncBuffer{}
		go func() {
			done <- run(ctx, []string{"serve", "--telegram-api", srv.URL}, func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, logs)
		}()
		return func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("serve: %v", err)
				}
			case <-time.After(30 * time.Second):
				t.Error("serve did not stop")
			}
			if strings.Contains(logs.String(), "UPLOAD-SECRET") {
				t.Errorf("token in logs:\n%s", logs.String())
			}
		}
	}

	stop := start()
	f.push(stranger, map[string]any{"document": map[string]any{"file_id": "doc-2", "file_unique_id": "u2", "file_name": "mine.txt", "file_size": 16}})
	f.waitSent(t, stranger, "只有管理员")
	f.push(admin, map[string]any{"document": map[string]any{"file_id": "doc-1", "file_unique_id": "u1", "file_name": "lighthouse.txt", "file_size": len(doc)}})
	f.waitSent(t, admin, "lighthouse.txt")
	f.push(admin, map[string]any{"text": "灯塔看守人叫什么名字？"})
	ans := f.waitSent(t, admin, "林海燕")
	if !strings.Contains(ans, "lighthouse.txt") || !strings.Contains(ans, "<blockquote") {
		t.Fatalf("answer does not cite the new document: %s", ans)
	}
	stop()

	f.mu.Lock()
	f.sent = nil
	f.mu.Unlock()
	stop = start()
	defer stop()
	f.push(admin, map[string]any{"text": fmt.Sprintf("灯塔建于哪一年？")})
	ans = f.waitSent(t, admin, "一八八一年")
	if !strings.Contains(ans, "lighthouse.txt") {
		t.Fatalf("after restart the answer does not cite the new document: %s", ans)
	}
}
