package bot

import (
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/citebot/citebot/bot/telegramtest"
)

// tapInGroup presses data under message id of group as user, the way
// Telegram delivers it: the callback query reaches the server's record
// (which is what lets the fake accept an ephemeral answer to it) and then
// the bot.
func tapInGroup(t *testing.T, b *Bot, f *telegramtest.Server, cbID string, group int64, id int, user int64, data string) telegramtest.Update {
	t.Helper()
	u := telegramtest.Callback(cbID, data, telegramtest.User{ID: user}, telegramtest.BotMessage(id, group, "supergroup"))
	f.Push(u)
	handle(t, b, u)
	return u
}

// ephemeralAttempts counts the sendMessage requests that asked for an
// ephemeral message.
func ephemeralAttempts(f *telegramtest.Server) int {
	n := 0
	for _, r := range f.Requests("sendMessage") {
		if r.Get("ephemeral_message_parameters") != "" {
			n++
		}
	}
	return n
}

// TestGroupParagraphIsEphemeral: a ¶ tap in a group (and in a forum topic)
// sends the paragraph as one ephemeral message to the user who tapped,
// naming the tap, replying to the answer, in the answer's topic; the group
// gets nothing (the answer is not edited, no message is sent) and the tap
// is answered with a toast saying only they see it.
func TestGroupParagraphIsEphemeral(t *testing.T) {
	for _, tc := range []struct {
		name   string
		thread int
	}{{"group", 0}, {"forum topic", 4}} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			b, _ := newTestBot(t, f, newFakeAnswerer(), nil)
			const group = -100
			q := telegramtest.GroupMessage(group, telegramtest.User{ID: 7}, "@CiteBot q")
			if tc.thread != 0 {
				q = q.With("message_thread_id", tc.thread, "is_topic_message", true)
			}
			id := askAnswer(t, b, f, q)
			before := f.Messages(group)[0]
			u := telegramtest.Callback("cb-8", "src:"+docKey("sample.txt")+":2", telegramtest.User{ID: 8}, telegramtest.BotMessage(id, group, "supergroup"))
			if tc.thread != 0 {
				u = u.With("message_thread_id", tc.thread, "is_topic_message", true)
			}
			f.Push(u)
			handle(t, b, u)

			eph := f.Ephemerals(group)
			if len(eph) != 1 {
				t.Fatalf("%d ephemeral messages, want 1", len(eph))
			}
			e := eph[0]
			if e.Receiver != 8 || e.CallbackQueryID != "cb-8" || e.Replace || e.ReplyTo != id || e.Thread != tc.thread ||
				!strings.Contains(e.Text, "The second paragraph, with &lt;tags&gt; &amp; ampersands.") {
				t.Errorf("ephemeral message = %+v", e)
			}
			if msgs := f.Messages(group); len(msgs) != 1 || msgs[0].Text != before.Text || msgs[0].Edits != 0 {
				t.Errorf("the group sees %+v, want the answer as it was", msgs)
			}
			if n := len(f.Sent(group)); n != 1 {
				t.Errorf("%d messages sent to the group, want the answer only", n)
			}
			if ack, _ := f.Last("answerCallbackQuery"); ack.Get("text") != texts["en"].paragraphPrivate {
				t.Errorf("tap answered %q", ack.Get("text"))
			}
		})
	}
}

// TestEphemeralParagraphFallsBack: where Telegram refuses ephemeral
// messages (a 400 naming them, a 404) or posts the message to everyone (a
// server that ignores the parameter: the message is deleted), the tap
// toggles the paragraph inside the answer instead, and the chat is
// remembered: the next tap does not try again. A tap answered too late (the
// 15 seconds gone) falls back for that tap only.
func TestEphemeralParagraphFallsBack(t *testing.T) {
	for _, tc := range []struct {
		name     string
		setup    func(*telegramtest.Server)
		late     bool
		attempts int // ephemeral sends over the two taps
	}{
		{"400 naming the parameter", (*telegramtest.Server).RefuseEphemeral, false, 1},
		{"404", func(f *telegramtest.Server) {
			f.Respond("sendMessage", func(r telegramtest.Request, _ int) *telegramtest.Response {
				if r.Get("ephemeral_message_parameters") != "" {
					return telegramtest.APIError(http.StatusNotFound, "Not Found", 0)
				}
				return nil
			})
		}, false, 1},
		{"parameter ignored, posted to all", (*telegramtest.Server).IgnoreEphemeral, false, 1},
		{"tap answered after 15 s", func(*telegramtest.Server) {}, true, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake(t)
				b, _ := newTestBot(t, f, newFakeAnswerer(), nil)
				const group = -100
				id := askAnswer(t, b, f, telegramtest.GroupMessage(group, telegramtest.User{ID: 7}, "@CiteBot q"))
				answerText := f.Messages(group)[0].Text
				tc.setup(f)
				data := "src:" + docKey("sample.txt") + ":2"

				u := telegramtest.Callback("cb1", data, telegramtest.User{ID: 8}, telegramtest.BotMessage(id, group, "supergroup"))
				f.Push(u)
				if tc.late {
					time.Sleep(16 * time.Second)
				}
				handle(t, b, u)
				msgs := f.Messages(group)
				if len(msgs) != 1 || !strings.HasPrefix(msgs[0].Text, answerText) || !strings.Contains(msgs[0].Text, "The second paragraph") {
					t.Fatalf("after the tap the group sees %+v, want the answer with the paragraph inside", msgs)
				}
				if n := len(f.Ephemerals(group)); n != 0 {
					t.Errorf("%d ephemeral messages accepted, want none", n)
				}

				tapInGroup(t, b, f, "cb2", group, id, 8, data)
				if got := ephemeralAttempts(f); got != tc.attempts {
					t.Errorf("%d ephemeral sends over two taps, want %d", got, tc.attempts)
				}
				wantEph := 0
				if tc.late {
					wantEph = 1 // the chat was not given up on
				}
				if n := len(f.Ephemerals(group)); n != wantEph {
					t.Errorf("%d ephemeral messages after the second tap, want %d", n, wantEph)
				}
				if msgs := f.Messages(group); len(msgs) != 1 {
					t.Errorf("the group has %d messages, want the answer only: %+v", len(msgs), msgs)
				}
			})
		})
	}
}
