package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/bot/metrics/metricstest"
	"github.com/citebot/citebot/bot/telegramtest"
)

// history returns every bot message the emulator holds (read or not), by
// id, with its text and buttons as they are now (after edits).
func (e *emulator) history(t *testing.T) map[int]botMessage {
	t.Helper()
	var all []botMessage
	if err := json.Unmarshal(e.post(t, "/getUpdatesHistory", map[string]any{"token": e2eToken}), &all); err != nil {
		t.Fatal(err)
	}
	out := map[int]botMessage{}
	for _, m := range all {
		out[m.MessageID] = m
	}
	return out
}

// tap presses a button under bot message id in c.
func (e *emulator) tap(t *testing.T, from user, c chat, id int, data string) {
	t.Helper()
	e.post(t, "/sendCallback", map[string]any{
		"botToken": e2eToken, "data": data, "from": from,
		"message": map[string]any{"message_id": id, "chat": c},
	})
}

// command sends a bot command (its first word) with its arguments.
func (e *emulator) command(t *testing.T, from user, c chat, text string) {
	t.Helper()
	word, _, _ := strings.Cut(text, " ")
	e.say(t, from, c, text, entity{Type: "bot_command", Offset: 0, Length: len(word)})
}

// one waits for exactly one reply to c and returns it.
func (e *emulator) one(t *testing.T, c chat, logs *telegramtest.LogBuffer) botMessage {
	t.Helper()
	got := e.replies(t, c.ID, 1, 30*time.Second)
	if len(got) != 1 {
		t.Fatalf("got %d replies to chat %d, want 1: %+v; logs:\n%s", len(got), c.ID, got, tail(logs.String(), 30))
	}
	return got[0]
}

// waitText waits until the text of bot message id satisfies done, and
// returns it; it fails t after 30 s.
func (e *emulator) waitText(t *testing.T, id int, logs *telegramtest.LogBuffer, done func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := e.history(t)[id].Message.Text
		if done(got) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("bot message %d still reads %q; logs:\n%s", id, got, tail(logs.String(), 30))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitCounter waits until the admin server at admin counts want for the
// counter name with labels; it fails t after 30 s.
func waitCounter(t *testing.T, admin string, logs *telegramtest.LogBuffer, name string, labels map[string]string, want float64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := metricstest.CounterValue(metricstest.Scrape(t, "http://"+admin), name, labels)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s%v = %v, want %v; logs:\n%s", name, labels, got, want, tail(logs.String(), 30))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// buttonData returns the callback data of a message's buttons, row by row.
func buttonData(t *testing.T, m botMessage) [][]string {
	t.Helper()
	var kb struct {
		InlineKeyboard [][]struct {
			CallbackData string `json:"callback_data"`
		} `json:"inline_keyboard"`
	}
	if err := json.Unmarshal(m.Message.ReplyMarkup, &kb); err != nil {
		t.Fatalf("buttons %s: %v", m.Message.ReplyMarkup, err)
	}
	var out [][]string
	for _, row := range kb.InlineKeyboard {
		var r []string
		for _, b := range row {
			r = append(r, b.CallbackData)
		}
		out = append(out, r)
	}
	return out
}

// TestE2EChatFeatures runs the chat features against the
// emulator, in Chinese and English: /new, ¶0 by command and by button,
// /use in a group (with /docs marking the chat's documents), the ¶ toggle
// inside a group answer, and 👍/👎 with a reason, counted by the metric
// and exported by `citebot feedback --json` once the bot stopped.
func TestE2EChatFeatures(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	sample, other := twoDocuments(t)
	e := startEmulator(t)
	alice := user{ID: 3003, FirstName: "Alice", Language: "zh-hans"}
	bob := user{ID: 3004, FirstName: "Bob", Language: "en"}
	t.Chdir(t.TempDir())
	stop, logs := serveAt(t, e.base, map[string]string{"TELEGRAM_BOT_TOKEN": e2eToken, "CITEBOT_ADMINS": "3003"},
		"--doc", sample, "--doc", other, "--admin-addr", "127.0.0.1:0")
	admin := adminAddr(t, logs)
	alicePM, bobPM := chat{ID: alice.ID, Type: "private"}, chat{ID: bob.ID, Type: "private"}
	group := chat{ID: -1003003, Type: "supergroup", Title: "灯塔读书会"}

	t.Run("/new confirms, in both languages", func(t *testing.T) {
		e.command(t, alice, alicePM, "/new")
		if got := e.one(t, alicePM, logs).Message.Text; !strings.Contains(got, "开始新的对话") {
			t.Errorf("/new (zh) = %q", got)
		}
		e.command(t, bob, bobPM, "/new")
		if got := e.one(t, bobPM, logs).Message.Text; !strings.Contains(got, "new conversation") {
			t.Errorf("/new (en) = %q", got)
		}
	})

	t.Run("¶0 by /source and by its button", func(t *testing.T) {
		e.command(t, bob, bobPM, "/source 1 0")
		if got := e.one(t, bobPM, logs).Message.Text; !strings.Contains(got, "¶0") || !strings.Contains(got, "习近平主持召开") {
			t.Errorf("/source 1 0 = %q", got)
		}
		sum := sha256.Sum256([]byte("yangtze-symposium.txt"))
		e.tap(t, bob, bobPM, 1, "src:"+hex.EncodeToString(sum[:4])+":0")
		if got := e.one(t, bobPM, logs).Message.Text; !strings.Contains(got, "习近平主持召开") {
			t.Errorf("the ¶0 button = %q", got)
		}
	})

	var answer botMessage
	t.Run("/use in a group", func(t *testing.T) {
		e.command(t, bob, group, "/use lighthouse.md")
		if got := e.one(t, group, logs).Message.Text; !strings.Contains(got, "Only the group's admins") {
			t.Errorf("a member's /use = %q", got)
		}
		e.command(t, alice, group, "/use lighthouse.md")
		if got := e.one(t, group, logs).Message.Text; !strings.Contains(got, "lighthouse.md") || strings.Contains(got, "yangtze") {
			t.Errorf("an admin's /use = %q", got)
		}
		e.command(t, alice, group, "/docs")
		if got := e.one(t, group, logs).Message.Text; !strings.Contains(got, "lighthouse.md — 2 段 ✓") || strings.Contains(got, "yangtze-symposium.txt — 8 段 ✓") {
			t.Errorf("/docs = %q", got)
		}
		mention := "@TestNameBot "
		e.say(t, alice, group, mention+"长江十年禁渔有什么要求？", entity{Type: "mention", Offset: 0, Length: len(mention) - 1})
		if got := e.one(t, group, logs).Message.Text; strings.Contains(got, "十年禁渔”") || strings.Contains(got, "yangtze-symposium.txt") {
			t.Errorf("a question about the other document was answered from it: %q", got)
		}
		e.say(t, alice, group, mention+"灯塔建于哪一年？", entity{Type: "mention", Offset: 0, Length: len(mention) - 1})
		answer = e.one(t, group, logs)
		if got := answer.Message.Text; !strings.Contains(got, "一八八一年") {
			t.Errorf("the group's answer = %q", got)
		}
	})

	t.Run("¶ toggles inside the group answer", func(t *testing.T) {
		rows := buttonData(t, answer)
		if len(rows) < 2 || len(rows[0]) == 0 || !strings.HasPrefix(rows[0][0], "src:") {
			t.Fatalf("buttons = %q", rows)
		}
		before := answer.Message.Text
		e.tap(t, bob, group, answer.MessageID, rows[0][0])
		opened := e.waitText(t, answer.MessageID, logs, func(s string) bool { return s != before })
		// The bot first sends the paragraph to bob alone (an ephemeral
		// message); the emulator predates those and posts it to the group,
		// which the bot notices, deletes and remembers: the paragraph is
		// shown inside the answer instead. Nothing else is posted.
		for _, m := range e.replies(t, group.ID, 1, time.Second) {
			if m.Message.Ephemeral == "" {
				t.Fatalf("the ¶ button posted %+v", m)
			}
			if !strings.Contains(logs.String(), "ignored ephemeral_message_parameters") {
				t.Errorf("an ephemeral message posted to all was not noticed:\n%s", logs)
			}
		}
		if !strings.HasPrefix(opened, before) || !strings.Contains(opened, "<blockquote>灯塔建于一八八一年，位于花岗岩角。</blockquote>") {
			t.Errorf("after ¶ the answer reads %q", opened)
		}
		e.tap(t, bob, group, answer.MessageID, rows[0][0])
		e.waitText(t, answer.MessageID, logs, func(s string) bool { return s == before })
	})

	t.Run("feedback round trip", func(t *testing.T) {
		e.tap(t, bob, group, answer.MessageID, "fb:down")
		waitCounter(t, admin, logs, "citebot_feedback_total", map[string]string{"vote": "down"}, 1)
		rows := buttonData(t, e.history(t)[answer.MessageID])
		// In a group the 👍/👎 row is everyone's: a 👎 does not swap it
		// for the reasons (that is for private chats).
		if last := rows[len(rows)-1]; len(last) != 2 || last[0] != "fb:up" {
			t.Fatalf("after 👎 in the group the last row is %q; logs:\n%s", last, tail(logs.String(), 20))
		}
		e.tap(t, alice, group, answer.MessageID, "fb:up")
		waitCounter(t, admin, logs, "citebot_feedback_total", map[string]string{"vote": "up"}, 1)
		if rows := buttonData(t, e.history(t)[answer.MessageID]); rows[len(rows)-1][0] != "fb:up" {
			t.Errorf("after another vote the last row is %q", rows[len(rows)-1])
		}
		families := metricstest.Scrape(t, "http://"+admin)
		for _, v := range []string{"up", "down"} {
			if n := metricstest.CounterValue(families, "citebot_feedback_total", map[string]string{"vote": v}); n != 1 {
				t.Errorf("citebot_feedback_total{vote=%s} = %v, want 1", v, n)
			}
		}
		e.command(t, alice, alicePM, "/feedback")
		if got := e.one(t, alicePM, logs).Message.Text; !strings.Contains(got, "1 👍，1 👎") || !strings.Contains(got, "灯塔建于哪一年") {
			t.Errorf("/feedback = %q", got)
		}
	})

	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	out, stderr, err := runCLI(t, nil, "", "feedback", "--json")
	if err != nil {
		t.Fatalf("citebot feedback --json: %v\n%s", err, stderr)
	}
	var votes []struct {
		User     int64           `json:"user"`
		Vote     string          `json:"vote"`
		Reason   string          `json:"reason"`
		Question string          `json:"question"`
		Mode     string          `json:"mode"`
		Answer   json.RawMessage `json:"answer"`
	}
	if err := json.Unmarshal([]byte(out), &votes); err != nil {
		t.Fatalf("feedback --json: %v\n%s", err, out)
	}
	got := map[int64]string{}
	for _, v := range votes {
		got[v.User] = v.Vote + "/" + v.Reason + "/" + v.Question + "/" + v.Mode
		if !strings.Contains(string(v.Answer), "lighthouse.md") {
			t.Errorf("vote of %d lacks the answer's citations: %s", v.User, v.Answer)
		}
	}
	if len(votes) != 2 || got[bob.ID] != "down//灯塔建于哪一年？/extractive" || got[alice.ID] != "up//灯塔建于哪一年？/extractive" {
		t.Errorf("feedback --json = %v", got)
	}
}
