package bot

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot/store"
	"github.com/citebot/citebot/bot/telegramtest"
)

// askAnswer asks u and returns the id of the answer's
// message.
func askAnswer(t *testing.T, b *Bot, f *telegramtest.Server, u telegramtest.Update) int {
	t.Helper()
	handle(t, b, u)
	chat := int64(u["message"].(map[string]any)["chat"].(map[string]any)["id"].(int64))
	msgs := f.Messages(chat)
	if len(msgs) == 0 {
		t.Fatalf("no answer in chat %d", chat)
	}
	return msgs[len(msgs)-1].ID
}

// buttonTexts returns the texts of a message's buttons, row by row.
func buttonTexts(t *testing.T, markup string) [][]string {
	t.Helper()
	var kb struct {
		InlineKeyboard [][]struct {
			Text string `json:"text"`
		} `json:"inline_keyboard"`
	}
	if err := json.Unmarshal([]byte(markup), &kb); err != nil {
		t.Fatalf("markup %q: %v", markup, err)
	}
	var out [][]string
	for _, row := range kb.InlineKeyboard {
		var r []string
		for _, b := range row {
			r = append(r, b.Text)
		}
		out = append(out, r)
	}
	return out
}

func TestParagraphToggle(t *testing.T) {
	f := newFake(t)
	a := newFakeAnswerer()
	b, _ := newTestBot(t, f, a, nil)
	const group = -100
	alice := telegramtest.User{ID: 7}
	id := askAnswer(t, b, f, telegramtest.GroupMessage(group, alice, "@CiteBot q"))
	answer := f.Messages(group)[0].Text
	key := docKey("sample.txt")
	press := func(user int64, data string) telegramtest.Message {
		handle(t, b, telegramtest.Callback("cb", data, telegramtest.User{ID: user}, telegramtest.BotMessage(id, group, "supergroup")))
		msgs := f.Messages(group)
		if len(msgs) != 1 {
			t.Fatalf("the group has %d messages, want the answer only: %+v", len(msgs), msgs)
		}
		return msgs[0]
	}
	m := press(8, "src:"+key+":2")
	if !strings.HasPrefix(m.Text, answer) || !strings.Contains(m.Text, "<blockquote>The second paragraph, with &lt;tags&gt; &amp; ampersands.</blockquote>") {
		t.Errorf("after ¶2 the answer reads %q", m.Text)
	}
	if got := buttonTexts(t, m.Markup); !slices.Equal(got[0], []string{"▾ ¶2"}) || !slices.Equal(got[1], []string{"👍", "👎"}) {
		t.Errorf("after ¶2 the buttons are %q", got)
	}
	m = press(7, "src:"+key+":1")
	if !strings.Contains(m.Text, "The first paragraph.") || strings.Contains(m.Text, "The second paragraph, with") {
		t.Errorf("after ¶1 the answer reads %q", m.Text)
	}
	m = press(7, "src:"+key+":1")
	if m.Text != answer || buttonTexts(t, m.Markup)[0][0] != "¶2" {
		t.Errorf("a second ¶1 tap leaves %q, %q; want the answer as it was", m.Text, buttonTexts(t, m.Markup))
	}
	if rec, ok := b.answers.get(group, id); !ok || rec.open != "" {
		t.Errorf("record = %+v, %v", rec, ok)
	}

	// In a private chat the paragraph is a new message.
	pid := askAnswer(t, b, f, telegramtest.PrivateMessage(alice, "q"))
	handle(t, b, telegramtest.Callback("cb", "src:"+key+":2", alice, telegramtest.BotMessage(pid, 7, "private")))
	if msgs := f.Messages(7); len(msgs) != 2 || !strings.Contains(msgs[1].Text, "The second paragraph") {
		t.Errorf("private chat shows %+v, want the answer and the paragraph", msgs)
	}
}

func TestFeedbackVotes(t *testing.T) {
	f := newFake(t)
	var votes []string
	b, _ := newTestBot(t, f, newFakeAnswerer(), func(c *Config, d *Deps) {
		d.Hooks.OnFeedback = func(v string) { votes = append(votes, v) }
		d.Generation = func() uint64 { return 42 }
		c.Admins = []int64{1}
	})
	const group = -100
	id := askAnswer(t, b, f, telegramtest.GroupMessage(group, telegramtest.User{ID: 7}, "@CiteBot what is it?"))
	tap := func(chat int64, kind string, msg int, user int64, lang, data string) string {
		handle(t, b, telegramtest.Callback("cb", data, telegramtest.User{ID: user, Lang: lang}, telegramtest.BotMessage(msg, chat, kind)))
		ack, _ := f.Last("answerCallbackQuery")
		return ack.Get("text")
	}
	lastRow := func(chat int64) []string {
		rows := buttonTexts(t, f.Messages(chat)[0].Markup)
		return rows[len(rows)-1]
	}
	if got := tap(group, "supergroup", id, 7, "", "fb:up"); got != "Thanks for the feedback!" {
		t.Errorf("👍 toast %q", got)
	}
	if got := tap(group, "supergroup", id, 8, "", "fbr:quote"); got != "Tap 👎 first." {
		t.Errorf("a reason without 👎: toast %q", got)
	}
	// In a group the 👍/👎 row is everyone's: one person's 👎 leaves it.
	if got := tap(group, "supergroup", id, 8, "zh-hans", "fb:down"); got != "感谢反馈！" {
		t.Errorf("👎 toast in a group %q", got)
	}
	if row := lastRow(group); !slices.Equal(row, []string{"👍", "👎"}) {
		t.Errorf("after a 👎 in a group the last row is %q", row)
	}
	tap(group, "supergroup", id, 7, "", "fb:down") // a change of mind
	tap(group, "supergroup", id, 7, "", "fb:down") // the same vote again counts once
	if !slices.Equal(votes, []string{"up", "down", "down"}) {
		t.Errorf("OnFeedback got %q", votes)
	}

	// In a private chat 👎 asks for a reason; the reason brings the row back.
	pid := askAnswer(t, b, f, telegramtest.PrivateMessage(telegramtest.User{ID: 8}, "what is it?"))
	if got := tap(8, "private", pid, 8, "zh-hans", "fb:down"); !strings.Contains(got, "哪里不对") {
		t.Errorf("👎 toast in a private chat %q", got)
	}
	if row := lastRow(8); !slices.Equal(row, []string{"引文有误", "文档中没有", "不完整", "✕"}) {
		t.Errorf("after 👎 in a private chat the last row is %q", row)
	}
	tap(8, "private", pid, 8, "zh-hans", "fbr:partial")
	if row := lastRow(8); !slices.Equal(row, []string{"👍", "👎"}) {
		t.Errorf("after the reason the last row is %q", row)
	}

	got, err := b.st.Votes(time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[[2]int64]store.Vote{}
	for _, v := range got {
		byKey[[2]int64{v.Chat, v.User}] = v
	}
	private, inGroup := byKey[[2]int64{8, 8}], byKey[[2]int64{group, 8}]
	if len(got) != 3 || byKey[[2]int64{group, 7}].Vote != "down" || inGroup.Vote != "down" || inGroup.Reason != "" ||
		private.Reason != "partial" || private.Question != "what is it?" ||
		private.Mode != "extractive" || private.Generation != 42 || !strings.Contains(string(private.Body), "The second paragraph") {
		t.Errorf("stored votes = %+v", got)
	}

	handle(t, b, telegramtest.PrivateMessage(telegramtest.User{ID: 1}, "/feedback"))
	reply := f.Messages(1)
	if len(reply) != 1 || !strings.Contains(reply[0].Text, "Feedback: 0 👍, 3 👎") || !strings.Contains(reply[0].Text, "incomplete\nwhat is it?\n¶2 · sample.txt") {
		t.Errorf("/feedback = %+v", reply)
	}
	handle(t, b, telegramtest.PrivateMessage(telegramtest.User{ID: 9}, "/feedback"))
	if r := f.Messages(9); len(r) != 1 || strings.Contains(r[0].Text, "👎") {
		t.Errorf("a non-admin's /feedback got %+v", r)
	}
}

// TestFeedbackListPrivateOnly: /feedback quotes the questions of every
// chat, private ones included, so even an admin gets it only in a private
// chat; in a group they are told where to ask, in their language.
func TestFeedbackListPrivateOnly(t *testing.T) {
	f := newFake(t)
	b, _ := newTestBot(t, f, newFakeAnswerer(), func(c *Config, _ *Deps) { c.Admins = []int64{1} })
	const group = -100
	alice := telegramtest.User{ID: 7}
	id := askAnswer(t, b, f, telegramtest.PrivateMessage(alice, "a private question?"))
	handle(t, b, telegramtest.Callback("cb", "fb:down", alice, telegramtest.BotMessage(id, alice.ID, "private")))
	for _, tt := range []struct{ lang, want string }{{"", "private chat"}, {"zh-hans", "私聊"}} {
		handle(t, b, telegramtest.GroupMessage(group, telegramtest.User{ID: 1, Lang: tt.lang}, "/feedback@CiteBot"))
		msgs := f.Messages(group)
		if len(msgs) == 0 {
			t.Fatalf("no reply to /feedback in a group")
		}
		got := msgs[len(msgs)-1].Text
		if strings.Contains(got, "a private question?") || strings.Contains(got, "👎") || !strings.Contains(got, tt.want) {
			t.Errorf("an admin's /feedback in a group (%q) got %q", tt.lang, got)
		}
	}
	handle(t, b, telegramtest.PrivateMessage(telegramtest.User{ID: 1}, "/feedback"))
	if r := f.Messages(1); len(r) != 1 || !strings.Contains(r[0].Text, "a private question?") {
		t.Errorf("an admin's /feedback in a private chat got %+v", r)
	}
}

// TestSmalltalkHasNoVotes: a friendly reply to "thanks" has nothing to vote
// on, so it carries no 👍/👎 row; an answer does.
func TestSmalltalkHasNoVotes(t *testing.T) {
	f := newFake(t)
	a := newFakeAnswerer()
	a.answer = func(ctx context.Context, q answer.Question, _ func(string)) (answer.Answer, error) {
		return answer.Answer{Question: q.Text, Lang: "en", Mode: answer.Extractive, Text: "You're welcome!", Smalltalk: true}, nil
	}
	b, _ := newTestBot(t, f, a, nil)
	alice := telegramtest.User{ID: 7}
	askAnswer(t, b, f, telegramtest.PrivateMessage(alice, "thanks!"))
	if m := f.Messages(alice.ID)[0]; strings.Contains(m.Markup, "👍") {
		t.Errorf("smalltalk reply carries votes: %s", m.Markup)
	}
}

// TestFeedbackTextWithoutDownvotes: with no 👎 the reply says so instead
// of ending on a heading with nothing under it.
func TestFeedbackTextWithoutDownvotes(t *testing.T) {
	f := newFake(t)
	b, _ := newTestBot(t, f, newFakeAnswerer(), nil)
	for lang, want := range map[string]string{"en": "Feedback: 0 👍, 0 👎. No 👎 yet.", "zh": "反馈：0 👍，0 👎。还没有 👎。"} {
		if got := b.feedbackText(lang); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
}
