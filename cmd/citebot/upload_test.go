package main

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citebot/citebot/bot/telegramtest"
)

// serveAt runs `citebot serve` against the Bot API at apiBase with env and
// args until the returned stop is called; stop returns serve's error. The
// test fails if serve logs the token.
func serveAt(t *testing.T, apiBase string, env map[string]string, args ...string) (stop func() error, logs *telegramtest.LogBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	logs = &telegramtest.LogBuffer{}
	args = append([]string{"serve", "--telegram-api", apiBase}, args...)
	go func() {
		done <- run(ctx, args, func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, logs)
	}()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(30 * time.Second):
				err = errors.New("serve did not stop")
			}
			if tok := env["TELEGRAM_BOT_TOKEN"]; strings.Contains(logs.String(), tok) {
				t.Errorf("token in logs:\n%s", logs.String())
			}
		})
		return err
	}
	t.Cleanup(func() { stop() })
	return stop, logs
}

// waitText waits for a message to chat, among the requests from the from-th
// on, whose text contains want, and returns the text.
func waitText(t *testing.T, f *telegramtest.Server, from int, chat int64, want string) string {
	t.Helper()
	var found string
	f.WaitFor(t, 30*time.Second, "a message to "+strconv.FormatInt(chat, 10)+" containing "+want, func(rs []telegramtest.Request) bool {
		for _, r := range rs[min(from, len(rs)):] {
			if (r.Method == "sendMessage" || r.Method == "editMessageText" || r.Method == "sendRichMessage") && r.ChatID() == chat &&
				strings.Contains(r.Text(), want) {
				found = r.Text()
				return true
			}
		}
		return false
	})
	return found
}

func TestAdminUploadSurvivesRestart(t *testing.T) {
	const token = "4242:UPLOAD-SECRET"
	admin, stranger := telegramtest.User{ID: 501, Lang: "zh-hans"}, telegramtest.User{ID: 502, Lang: "zh-hans"}
	f := telegramtest.New(t, telegramtest.Options{Token: token})
	doc := "灯塔看守人名叫林海燕，她在灯塔工作了二十年。\n\n灯塔建于一八八一年，位于花岗岩角。\n"
	f.AddFile("doc-1", telegramtest.File{Path: "documents/doc-1", Data: []byte(doc)})
	f.AddFile("doc-2", telegramtest.File{Path: "documents/doc-2", Data: []byte("别人的文件。\n")})
	t.Chdir(t.TempDir())
	env := map[string]string{"TELEGRAM_BOT_TOKEN": token, "CITEBOT_ADMINS": strconv.FormatInt(admin.ID, 10), "CITEBOT_RATE_PER_MINUTE": "0"}

	stop, logs := serveAt(t, f.URL(), env)
	f.Push(telegramtest.DocumentMessage(stranger, "doc-2", "mine.txt", 16))
	// Anyone else's file joins their own chat's documents only.
	waitText(t, f, 0, stranger.ID, "已将 mine.txt 添加到本聊天")
	f.Push(telegramtest.DocumentMessage(admin, "doc-1", "lighthouse.txt", len(doc)))
	waitText(t, f, 0, admin.ID, "lighthouse.txt")
	f.Push(telegramtest.PrivateMessage(admin, "灯塔看守人叫什么名字？"))
	ans := waitText(t, f, 0, admin.ID, "林海燕")
	if !strings.Contains(ans, "¶") || !strings.Contains(ans, "lighthouse.txt") { // the citation's label
		t.Fatalf("answer does not cite the new document: %s", ans)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve: %v\n%s", err, logs.String())
	}

	restart := len(f.Requests())
	serveAt(t, f.URL(), env)
	f.Push(telegramtest.PrivateMessage(admin, "灯塔建于哪一年？"))
	ans = waitText(t, f, restart, admin.ID, "一八八一年")
	if !strings.Contains(ans, "lighthouse.txt") {
		t.Fatalf("after a restart the answer does not cite the new document: %s", ans)
	}
}
