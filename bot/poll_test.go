package bot

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/citebot/citebot/bot/telegramtest"
)

// TestAllowedUpdatesAreHandled: the bot asks Telegram only for the kinds
// of update it handles: each kind it asks for, given an update of it,
// makes the bot call the Bot API.
func TestAllowedUpdatesAreHandled(t *testing.T) {
	f := newFake(t)
	b, _ := newTestBot(t, f, newFakeAnswerer(), nil)
	stop := runBot(t, b)
	f.Push(telegramtest.PrivateMessage(telegramtest.User{ID: 8}, "hello?"))
	f.WaitFor(t, 5*time.Second, "a poll and the answer", func(rs []telegramtest.Request) bool {
		return slices.ContainsFunc(rs, func(r telegramtest.Request) bool { return r.Method == "getUpdates" }) && len(f.Sent(8)) > 0
	})
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	if err := json.Unmarshal([]byte(f.Requests("getUpdates")[0].Get("allowed_updates")), &kinds); err != nil || len(kinds) == 0 {
		t.Fatalf("allowed_updates = %q (%v)", f.Requests("getUpdates")[0].Get("allowed_updates"), err)
	}
	user := telegramtest.User{ID: 7}
	examples := map[string]telegramtest.Update{
		"message":        telegramtest.PrivateMessage(user, "what is it?"),
		"callback_query": telegramtest.Callback("cb", "fb:up", user, telegramtest.BotMessage(1, user.ID, "private")),
		"inline_query":   inlineQuery("iq", user, "what is it?"),
		"guest_message":  telegramtest.GuestMessage(-300, "supergroup", user, "@CiteBot what is it?", "gq"),
		"chosen_inline_result": {"chosen_inline_result": map[string]any{
			"result_id": "a", "from": user.JSON(), "query": "what is it?", "inline_message_id": "AAA"}},
		// A stop ends an answer being made, without a request of its own
		// (TestStopEndsStreamedAnswer): here none is.
		"stopped_message_generation": telegramtest.GenerationStopped(user, 1),
	}
	for _, kind := range kinds {
		u, ok := examples[kind]
		if !ok {
			t.Errorf("the bot asks for %s updates, which this test does not know", kind)
			continue
		}
		before := len(f.Requests())
		handle(t, b, u)
		if len(f.Requests()) == before && kind != "stopped_message_generation" {
			t.Errorf("the bot asks for %s updates but does nothing with one", kind)
		}
	}
}
