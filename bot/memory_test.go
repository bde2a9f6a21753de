package bot

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot/telegramtest"
)

func TestConversationMemory(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		a := newFakeAnswerer()
		a.answer = func(ctx context.Context, q answer.Question, _ func(string)) (answer.Answer, error) {
			return answer.Answer{Lang: "en", Text: "A:" + q.Text}, nil
		}
		b, _ := newTestBot(t, f, a, func(c *Config, d *Deps) {
			c.MemoryTurns, c.MemoryTTL = 2, 10*time.Minute
		})
		ctx := context.Background()
		alice, bob := telegramtest.User{ID: 7}, telegramtest.User{ID: 8}
		ask := func(upd telegramtest.Update) []answer.Turn {
			t.Helper()
			b.HandleUpdate(ctx, decodeUpdate(t, upd))
			qs := a.asked()
			return qs[len(qs)-1].History
		}
		turn := func(q string) answer.Turn { return answer.Turn{Question: q, Answer: "A:" + q} }

		// Private chat: the next message carries the turns, at most MemoryTurns.
		if h := ask(telegramtest.PrivateMessage(alice, "p1")); len(h) != 0 {
			t.Errorf("first question has history %v", h)
		}
		if diff := cmp.Diff([]answer.Turn{turn("p1")}, ask(telegramtest.PrivateMessage(alice, "p2"))); diff != "" {
			t.Errorf("private follow-up history mismatch (-want +got):\n%s", diff)
		}
		ask(telegramtest.PrivateMessage(alice, "p3"))
		if diff := cmp.Diff([]answer.Turn{turn("p2"), turn("p3")}, ask(telegramtest.PrivateMessage(alice, "p4"))); diff != "" {
			t.Errorf("history not bounded to 2 turns (-want +got):\n%s", diff)
		}

		// Group: only a reply chain carries turns, and anyone can continue it.
		const group = -100
		if h := ask(telegramtest.GroupMessage(group, alice, "@CiteBot g1")); len(h) != 0 {
			t.Errorf("group question has history %v", h)
		}
		g1 := telegramtest.BotMessage(lastSentID(t, f, group), group, "supergroup")
		if h := ask(telegramtest.GroupMessage(group, alice, "@CiteBot g2")); len(h) != 0 {
			t.Errorf("group mention without reply carries history %v", h)
		}
		if diff := cmp.Diff([]answer.Turn{turn("g1")}, ask(telegramtest.GroupMessage(group, alice, "g3").With("reply_to_message", g1))); diff != "" {
			t.Errorf("reply chain history mismatch (-want +got):\n%s", diff)
		}
		g3 := telegramtest.BotMessage(lastSentID(t, f, group), group, "supergroup")
		// Bob continues alice's chain.
		if diff := cmp.Diff([]answer.Turn{turn("g1"), turn("g3")}, ask(telegramtest.GroupMessage(group, bob, "g4").With("reply_to_message", g3))); diff != "" {
			t.Errorf("bob's reply history mismatch (-want +got):\n%s", diff)
		}
		g4 := telegramtest.BotMessage(lastSentID(t, f, group), group, "supergroup")
		// MemoryTurns bounds chains too.
		if diff := cmp.Diff([]answer.Turn{turn("g3"), turn("g4")}, ask(telegramtest.GroupMessage(group, alice, "g5").With("reply_to_message", g4))); diff != "" {
			t.Errorf("long chain history mismatch (-want +got):\n%s", diff)
		}
		// Other topics of the same group are other conversations.
		topicReply := telegramtest.GroupMessage(group, alice, "in topic").With("reply_to_message", telegramtest.BotMessage(999, group, "supergroup"), "message_thread_id", 5, "is_topic_message", true)
		if h := ask(topicReply); len(h) != 0 {
			t.Errorf("topic conversation carries another topic's history %v", h)
		}
		// MemoryTTL after the last turn, the conversation is forgotten.
		time.Sleep(9 * time.Minute)
		if h := ask(telegramtest.PrivateMessage(alice, "p5")); len(h) != 2 {
			t.Errorf("a conversation 9 minutes old carries %v, want 2 turns", h)
		}
		time.Sleep(10*time.Minute + time.Second)
		if h := ask(telegramtest.PrivateMessage(alice, "p6")); len(h) != 0 {
			t.Errorf("an expired conversation carries %v", h)
		}
	})
}

// lastSentID returns the id the fake gave the last message sent to chat:
// it numbers messages from 1001 in the order it receives them.
func lastSentID(t *testing.T, f *telegramtest.Server, chat int64) int {
	t.Helper()
	all := f.Requests("sendMessage")
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].ChatID() == chat {
			return 1001 + i
		}
	}
	t.Fatalf("nothing sent to %d", chat)
	return 0
}

func TestMemoryExpiresAndEvicts(t *testing.T) {
	now := time.Now()
	m := newMemory(3, time.Minute, 2)
	k1, k2, k3 := convKey{chat: 1, user: 1}, convKey{chat: 2, user: 2}, convKey{chat: 3, user: 3}
	m.record(k1, nil, answer.Turn{Question: "q1"}, []int{10}, now)
	if h := m.history(k1, 0, true, now.Add(30*time.Second)); len(h) != 1 {
		t.Fatalf("history = %v", h)
	}
	if h := m.history(k1, 0, true, now.Add(2*time.Minute)); len(h) != 0 {
		t.Errorf("expired history returned: %v", h)
	}

	m.record(k1, nil, answer.Turn{Question: "q1"}, []int{10}, now)
	m.record(k2, nil, answer.Turn{Question: "q2"}, []int{20}, now)
	m.record(k3, nil, answer.Turn{Question: "q3"}, []int{30}, now)
	if m.convs.len() != 2 {
		t.Errorf("%d conversations kept, want 2", m.convs.len())
	}
	if h := m.history(k1, 0, true, now); len(h) != 0 {
		t.Errorf("the least recently used conversation was not evicted: %v", h)
	}
	if h := m.history(k1, 10, false, now); len(h) != 1 {
		t.Errorf("reply chain of message 10 = %v", h)
	}
	if h := m.history(k1, 10, false, now.Add(2*time.Minute)); len(h) != 0 {
		t.Errorf("expired reply chain returned: %v", h)
	}
	for i := range 20 {
		m.record(k2, nil, answer.Turn{Question: "q"}, []int{100 + i}, now)
	}
	if n := m.chains.len(); n != 2*chainsPerConversation {
		t.Errorf("reply-chain index has %d entries, want %d", n, 2*chainsPerConversation)
	}

	off := newMemory(0, time.Minute, 2)
	off.record(k1, nil, answer.Turn{Question: "q"}, nil, now)
	if h := off.history(k1, 0, true, now); h != nil {
		t.Errorf("disabled memory remembered %v", h)
	}
}
