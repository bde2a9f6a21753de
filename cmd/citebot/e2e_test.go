package main

// End-to-end tests: the real run() serves against telegram-test-api, an
// independent Bot API emulator (npm, pinned in testdata/emulator). The
// emulator is installed by `make test` / .ci/run (npm ci); without it (or
// without node) these tests skip with the command to run, and fail under
// CI=1.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/bot/metrics/metricstest"
	"github.com/citebot/citebot/bot/telegramtest"
)

const e2eToken = "123456:E2E-SECRET-token"

// emulator is a running telegram-test-api.
type emulator struct {
	base string
}

// startEmulator starts telegram-test-api on a free port, stopped when t
// ends. Without node or the emulator's npm package it skips t, or fails it
// under CI=1.
func startEmulator(t *testing.T) *emulator {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "testdata", "emulator"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		emulatorMissing(t, "node is not installed (install Node.js, then run `npm ci --prefix testdata/emulator`)")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "telegram-test-api")); err != nil {
		emulatorMissing(t, "telegram-test-api is not installed: run `npm ci --prefix testdata/emulator` (make test does)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	script := fmt.Sprintf(`const S = require('telegram-test-api'); const s = new S({port:%d, host:'127.0.0.1', storeTimeout: 600}); s.start().then(() => console.log('ready'));`, port)
	cmd := exec.Command("node", "-e", script)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start node: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	e := &emulator{base: fmt.Sprintf("http://127.0.0.1:%d", port)}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(e.base + "/bot" + e2eToken + "/getMe")
		if err == nil {
			resp.Body.Close()
			return e
		}
		if time.Now().After(deadline) {
			t.Fatalf("emulator did not start: %v\n%s", err, out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// emulatorMissing skips t for the reason why the emulator cannot start,
// or fails it under CI=1, where the emulator must be installed.
func emulatorMissing(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "1" {
		t.Fatal(why)
	}
	t.Skip(why + "; CI=1 makes this a failure")
}

func (e *emulator) post(t *testing.T, path string, body any) json.RawMessage {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(e.base+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var r struct {
		OK     bool            `json:"ok"`
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(data, &r); err != nil || !r.OK {
		t.Fatalf("POST %s: %s", path, data)
	}
	return r.Result
}

type user struct {
	ID        int64  `json:"id"`
	FirstName string `json:"first_name"`
	Username  string `json:"username,omitempty"`
	IsBot     bool   `json:"is_bot"`
	Language  string `json:"language_code,omitempty"`
}

type chat struct {
	ID    int64  `json:"id"`
	Type  string `json:"type"`
	Title string `json:"title,omitempty"`
}

type entity struct {
	Type   string `json:"type"`
	Offset int    `json:"offset"`
	Length int    `json:"length"`
}

// say sends a user message (a command when entities start with a
// bot_command).
func (e *emulator) say(t *testing.T, from user, c chat, text string, entities ...entity) {
	t.Helper()
	msg := map[string]any{"botToken": e2eToken, "date": time.Now().Unix(), "text": text, "from": from, "chat": c}
	path := "/sendMessage"
	if len(entities) > 0 {
		msg["entities"] = entities
		if entities[0].Type == "bot_command" {
			path = "/sendCommand"
		}
	}
	e.post(t, path, msg)
}

type botMessage struct {
	MessageID int `json:"messageId"`
	Message   struct {
		ChatID      any             `json:"chat_id"`
		Text        string          `json:"text"`
		ParseMode   string          `json:"parse_mode"`
		ReplyMarkup json.RawMessage `json:"reply_markup"`
		// Ephemeral is ephemeral_message_parameters as sent: the emulator
		// predates ephemeral messages and posts them to the chat.
		Ephemeral string `json:"ephemeral_message_parameters"`
	} `json:"message"`
}

// replies polls for the bot's unread messages to chatID until at least n
// arrived or the timeout passed.
func (e *emulator) replies(t *testing.T, chatID int64, n int, timeout time.Duration) []botMessage {
	t.Helper()
	var got []botMessage
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		var batch []botMessage
		raw := e.post(t, "/getUpdates", map[string]any{"token": e2eToken, "chatId": chatID})
		if err := json.Unmarshal(raw, &batch); err != nil {
			t.Fatalf("decode bot messages: %v: %s", err, raw)
		}
		got = append(got, batch...)
		if len(got) >= n {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
	return got
}

// serve runs `citebot serve` against the emulator with only a token and
// --telegram-api (plus any extra args) in a temporary working directory.
func serve(t *testing.T, e *emulator, extra ...string) (stop func() error, logs *telegramtest.LogBuffer) {
	t.Helper()
	t.Chdir(t.TempDir())
	return serveAt(t, e.base, map[string]string{"TELEGRAM_BOT_TOKEN": e2eToken}, extra...)
}

// adminAddr waits for the admin server's address in the logs.
func adminAddr(t *testing.T, logs *telegramtest.LogBuffer) string {
	t.Helper()
	re := regexp.MustCompile(`admin server listening"? addr=(\S+)`)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(logs.String()); m != nil {
			return m[1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no admin address in logs:\n%s", logs.String())
	return ""
}

func TestE2EEmulator(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	e := startEmulator(t)
	stop, logs := serve(t, e, "--admin-addr", "127.0.0.1:0")
	admin := adminAddr(t, logs)
	if _, _, err := runCLI(t, nil, "", "healthcheck", "--admin-addr", admin); err != nil {
		t.Fatalf("healthcheck against a running serve: %v", err)
	}

	alice := user{ID: 1001, FirstName: "Alice", Username: "alice", Language: "zh-hans"}
	private := chat{ID: 1001, Type: "private"}
	group := chat{ID: -1001234, Type: "supergroup", Title: "长江读书会"}

	t.Run("private question gets quotes and paragraph labels", func(t *testing.T) {
		e.say(t, alice, private, "长江十年禁渔有什么要求？")
		got := e.replies(t, private.ID, 1, 30*time.Second)
		if len(got) == 0 {
			t.Fatalf("no reply; logs:\n%s", logs.String())
		}
		m := got[len(got)-1].Message
		t.Logf("private reply:\n%s", m.Text)
		if m.ParseMode != "HTML" || !strings.Contains(m.Text, "<blockquote") || !strings.Contains(m.Text, "¶5") || !strings.Contains(m.Text, "十年禁渔") {
			t.Fatalf("reply = %+v", m)
		}
	})

	var buttons struct {
		InlineKeyboard [][]struct {
			Text         string `json:"text"`
			CallbackData string `json:"callback_data"`
		} `json:"inline_keyboard"`
	}
	var answerID int
	t.Run("group mention gets an answer with source buttons", func(t *testing.T) {
		text := "@TestNameBot 长江十年禁渔有什么要求？"
		e.say(t, alice, group, text, entity{Type: "mention", Offset: 0, Length: len("@TestNameBot")})
		got := e.replies(t, group.ID, 1, 30*time.Second)
		if len(got) == 0 {
			t.Fatalf("no reply to a mention; logs:\n%s", logs.String())
		}
		m := got[len(got)-1]
		if !strings.Contains(m.Message.Text, "<blockquote") {
			t.Fatalf("reply = %+v", m.Message)
		}
		if err := json.Unmarshal(m.Message.ReplyMarkup, &buttons); err != nil || len(buttons.InlineKeyboard) == 0 {
			t.Fatalf("no inline keyboard: %s (%v)", m.Message.ReplyMarkup, err)
		}
		answerID = m.MessageID
	})

	t.Run("unaddressed group message is ignored, /ask works", func(t *testing.T) {
		e.say(t, alice, group, "大家晚上好，今天讨论什么？")
		e.say(t, alice, group, "/ask 耕地保护有什么要求？", entity{Type: "bot_command", Offset: 0, Length: 4})
		got := e.replies(t, group.ID, 1, 30*time.Second)
		if len(got) != 1 {
			t.Fatalf("got %d replies, want exactly the /ask answer: %+v", len(got), got)
		}
		if !strings.Contains(got[0].Message.Text, "三位一体") {
			t.Fatalf("/ask reply = %q", got[0].Message.Text)
		}
		if extra := e.replies(t, group.ID, 1, time.Second); len(extra) != 0 {
			t.Fatalf("unexpected extra replies: %+v", extra)
		}
	})

	t.Run("source button shows the paragraph", func(t *testing.T) {
		if len(buttons.InlineKeyboard) == 0 {
			t.Fatal("no buttons from the previous step")
		}
		b := buttons.InlineKeyboard[0][0]
		// In a group the paragraph opens inside the answer (an edit)...
		e.tap(t, alice, group, answerID, b.CallbackData)
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(e.history(t)[answerID].Message.Text, "<blockquote>") || !strings.Contains(e.history(t)[answerID].Message.Text, "坚定推进长江“十年禁渔”，巩固") {
			if time.Now().After(deadline) {
				t.Fatalf("the group answer does not show the paragraph: %q; logs:\n%s", e.history(t)[answerID].Message.Text, logs.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
		// ...and in a private chat it comes as a message.
		e.tap(t, alice, private, answerID, b.CallbackData)
		got := e.replies(t, private.ID, 1, 30*time.Second)
		if len(got) == 0 || !strings.Contains(got[0].Message.Text, "坚定推进长江“十年禁渔”") {
			t.Fatalf("source reply = %+v; logs:\n%s", got, logs.String())
		}
	})

	t.Run("help answers", func(t *testing.T) {
		e.say(t, alice, private, "/help", entity{Type: "bot_command", Offset: 0, Length: 5})
		got := e.replies(t, private.ID, 1, 30*time.Second)
		if len(got) == 0 || len(got[0].Message.Text) < 50 {
			t.Fatalf("help reply = %+v", got)
		}
	})

	t.Run("metrics count the questions", func(t *testing.T) {
		families := metricstest.Scrape(t, "http://"+admin)
		answered := metricstest.CounterValue(families, "citebot_questions_total", map[string]string{"mode": "extractive", "outcome": "answered"})
		if answered < 3 {
			t.Errorf("citebot_questions_total{extractive,answered} = %v, want >= 3", answered)
		}
		if metricstest.CounterValue(families, "citebot_telegram_api_errors_total", map[string]string{"method": "setMyCommands", "code": "500"}) < 1 {
			t.Errorf("the emulator's 500 on setMyCommands was not counted")
		}
		for _, name := range []string{"citebot_answer_seconds", "citebot_retrieval_seconds", "citebot_build_info", "go_goroutines"} {
			if families[name] == nil {
				t.Errorf("/metrics lacks %s", name)
			}
		}
		r, err := http.Get("http://" + admin + "/readyz")
		if err != nil || r.StatusCode != http.StatusOK {
			t.Errorf("/readyz = %v, %v", r, err)
		}
	})

	if err := stop(); err != nil {
		t.Fatalf("serve returned %v; logs:\n%s", err, logs.String())
	}
	if _, _, err := runCLI(t, nil, "", "healthcheck", "--admin-addr", admin, "--timeout", "1s"); err == nil {
		t.Fatal("healthcheck succeeded after serve stopped")
	}
	if strings.Contains(logs.String(), e2eToken) || strings.Contains(logs.String(), "E2E-SECRET") {
		t.Fatalf("token leaked into logs:\n%s", logs.String())
	}
}

// twoDocuments returns the paths of the bundled sample and of a short
// Markdown document about a lighthouse (written to a temporary directory),
// for tests that serve two documents.
func twoDocuments(t *testing.T) (sample, other string) {
	t.Helper()
	sample, err := filepath.Abs(filepath.Join("..", "..", "retrieval", "document", "sample", "yangtze-symposium.txt"))
	if err != nil {
		t.Fatal(err)
	}
	other = filepath.Join(t.TempDir(), "lighthouse.md")
	if err := os.WriteFile(other, []byte("# 灯塔\n\n灯塔看守人名叫林海燕，她在灯塔工作了二十年。\n\n灯塔建于一八八一年，位于花岗岩角。\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return sample, other
}

func TestE2ETwoDocuments(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	sample, other := twoDocuments(t)
	e := startEmulator(t)
	stop, logs := serve(t, e, "--doc", sample, "--doc", other)
	bob := user{ID: 2002, FirstName: "Bob", Language: "zh-hans"}
	private := chat{ID: 2002, Type: "private"}

	e.say(t, bob, private, "灯塔建于哪一年？")
	got := e.replies(t, private.ID, 1, 30*time.Second)
	if len(got) == 0 {
		t.Fatalf("no reply; logs:\n%s", logs.String())
	}
	if m := got[0].Message.Text; !strings.Contains(m, "lighthouse.md") || !strings.Contains(m, "¶2") || !strings.Contains(m, "一八八一年") {
		t.Fatalf("answer does not cite lighthouse.md ¶2: %s", m)
	}
	e.say(t, bob, private, "长江十年禁渔有什么要求？")
	got = e.replies(t, private.ID, 1, 30*time.Second)
	if len(got) == 0 || !strings.Contains(got[0].Message.Text, "yangtze-symposium.txt") || !strings.Contains(got[0].Message.Text, "¶5") {
		t.Fatalf("answer does not cite the sample ¶5: %+v", got)
	}
	e.say(t, bob, private, "/docs", entity{Type: "bot_command", Offset: 0, Length: 5})
	got = e.replies(t, private.ID, 1, 30*time.Second)
	if len(got) == 0 || !strings.Contains(got[0].Message.Text, "yangtze-symposium.txt") || !strings.Contains(got[0].Message.Text, "lighthouse.md") {
		t.Fatalf("/docs = %+v", got)
	}
	t.Logf("/docs:\n%s", got[0].Message.Text)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}
