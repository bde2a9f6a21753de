package bot

import (
	"encoding/json"
	"testing"
)

// TestDecodeGuestMessage: the guest-mode fields of Bot API 10.0 that
// tgbotapi does not know (Update.guest_message and its
// Message.guest_query_id) are decoded from the raw update; a guest
// message without a query id, or without a chat, cannot be answered and
// is left out; a guest_message that is no Message fails the update, like
// any field tgbotapi cannot decode.
func TestDecodeGuestMessage(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		wantErr bool
		queryID string
		chat    int64
		text    string
		handled bool
	}{
		{"guest message", `{"update_id":1,"guest_message":{"message_id":0,"date":1,"from":{"id":9,"is_bot":false,"first_name":"A"},` +
			`"chat":{"id":-300,"type":"supergroup","title":"g"},"text":"@CiteBot why?","guest_query_id":"AAQ"}}`,
			false, "AAQ", -300, "@CiteBot why?", true},
		{"guest message in a private chat", `{"update_id":2,"guest_message":{"message_id":5,"date":1,"from":{"id":9,"is_bot":false,"first_name":"A"},` +
			`"chat":{"id":12,"type":"private"},"text":"@CiteBot hi","guest_query_id":"q-2"}}`,
			false, "q-2", 12, "@CiteBot hi", true},
		{"no guest_query_id", `{"update_id":3,"guest_message":{"message_id":1,"date":1,"chat":{"id":-1,"type":"group"},"text":"x"}}`,
			false, "", 0, "", false},
		{"no chat", `{"update_id":4,"guest_message":{"message_id":1,"date":1,"text":"x","guest_query_id":"q"}}`,
			false, "", 0, "", false},
		{"null guest_message", `{"update_id":5,"guest_message":null}`, false, "", 0, "", false},
		{"guest_message not an object", `{"update_id":6,"guest_message":"x"}`, true, "", 0, "", false},
		{"guest_query_id not a string", `{"update_id":7,"guest_message":{"chat":{"id":1},"guest_query_id":7}}`, true, "", 0, "", false},
		{"an ordinary message", `{"update_id":8,"message":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"text":"hi"}}`,
			false, "", 0, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var u Update
			err := json.Unmarshal([]byte(tt.raw), &u)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error: %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if u.GuestQueryID != tt.queryID || (u.Guest != nil) != (tt.queryID != "") {
				t.Fatalf("guest = %+v, query %q; want query %q", u.Guest, u.GuestQueryID, tt.queryID)
			}
			if u.Guest != nil && (u.Guest.Chat.ID != tt.chat || u.Guest.Text != tt.text || u.Message != nil) {
				t.Errorf("guest message = %+v in chat %+v", u.Guest, u.Guest.Chat)
			}
			if _, handled := chatKey(u); handled != tt.handled {
				t.Errorf("handled = %v, want %v", handled, tt.handled)
			}
		})
	}
}

// FuzzDecodeUpdate: any bytes decode without a panic, and a decoded guest
// message always carries its query id and a chat to queue it by.
func FuzzDecodeUpdate(f *testing.F) {
	f.Add(`{"update_id":1,"guest_message":{"message_id":0,"date":1,"chat":{"id":-300,"type":"supergroup"},"text":"@CiteBot q","guest_query_id":"AAQ"}}`)
	f.Add(`{"update_id":2,"guest_message":{"chat":{"id":1},"guest_query_id":""}}`)
	f.Add(`{"update_id":3,"guest_message":[]}`)
	f.Add(`{"update_id":4,"message":{"message_id":1,"chat":{"id":5},"message_thread_id":3,"is_topic_message":true}}`)
	f.Add(`{"guest_message":{"guest_query_id":"x","chat":null}}`)
	f.Fuzz(func(t *testing.T, raw string) {
		var u Update
		if json.Unmarshal([]byte(raw), &u) != nil {
			return
		}
		if (u.Guest != nil) != (u.GuestQueryID != "") {
			t.Fatalf("guest %v with query id %q", u.Guest != nil, u.GuestQueryID)
		}
		if u.Guest != nil {
			if u.Guest.Chat == nil {
				t.Fatal("a guest message without a chat")
			}
			if key, ok := chatKey(u); ok && u.Message == nil && u.CallbackQuery == nil && u.InlineQuery == nil && key != u.Guest.Chat.ID {
				t.Fatalf("queued under %d, want the guest chat %d", key, u.Guest.Chat.ID)
			}
		}
	})
}
