package bot

import (
	"context"
	"encoding/json"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot/telegramtest"
)

// TestPageLinkButtons checks the buttons of an answer when citations
// carry document page links (Deps.CitationLinks): in a group a cited
// paragraph's button is a URL button "¶2 ↗", in a private chat a Mini App
// (web_app) button; a citation without a link keeps its callback button.
func TestPageLinkButtons(t *testing.T) {
	f := newFake(t)
	a := newFakeAnswerer()
	a.answer = func(context.Context, answer.Question, func(string)) (answer.Answer, error) {
		return answer.Answer{Lang: "en", Text: "x [1][2][3]", Citations: []answer.Citation{
			{N: 2, Doc: "sample.txt", Paragraph: 3, Quote: "第三段"},
			{N: 1, Doc: "sample.txt", Paragraph: 2, Quote: "The second"},
			{N: 3, Doc: "sample.txt", Paragraph: 4, Quote: "gone"},
		}}, nil
	}
	type call struct {
		chat    int64
		private bool
	}
	var calls []call
	b, _ := newTestBot(t, f, a, func(_ *Config, d *Deps) {
		d.CitationLinks = func(a answer.Answer, chat int64, private bool) ([]string, bool) {
			calls = append(calls, call{chat, private})
			return []string{"https://p.example.org/app/third", "https://p.example.org/app/second", ""}, private
		}
	})
	type button struct {
		Text         string `json:"text"`
		URL          string `json:"url"`
		CallbackData string `json:"callback_data"`
		WebApp       *struct {
			URL string `json:"url"`
		} `json:"web_app"`
	}
	var kb struct {
		InlineKeyboard [][]button `json:"inline_keyboard"`
	}
	ctx := context.Background()
	key := docKey("sample.txt")

	const group = -100
	b.HandleUpdate(ctx, decodeUpdate(t, telegramtest.GroupMessage(group, telegramtest.User{ID: 7}, "@CiteBot q")))
	sent := f.Sent(group)
	if len(sent) != 1 {
		t.Fatalf("group: got %d messages", len(sent))
	}
	sent[0].JSON(t, "reply_markup", &kb)
	want := []button{
		{Text: "¶2 ↗", URL: "https://p.example.org/app/second"},
		{Text: "¶3 ↗", URL: "https://p.example.org/app/third"},
		{Text: "¶4", CallbackData: "src:" + key + ":4"},
	}
	if len(kb.InlineKeyboard) != 2 || len(kb.InlineKeyboard[0]) != 3 { // and the 👍/👎 row
		t.Fatalf("group keyboard = %+v", kb)
	}
	for i, w := range want {
		if got := kb.InlineKeyboard[0][i]; got.Text != w.Text || got.URL != w.URL || got.CallbackData != w.CallbackData || got.WebApp != nil {
			t.Errorf("group button %d = %+v, want %+v", i, got, w)
		}
	}

	b.HandleUpdate(ctx, decodeUpdate(t, telegramtest.PrivateMessage(telegramtest.User{ID: 8}, "q")))
	sent = f.Sent(8)
	if len(sent) != 1 {
		t.Fatalf("private: got %d messages", len(sent))
	}
	kb.InlineKeyboard = nil
	sent[0].JSON(t, "reply_markup", &kb)
	if len(kb.InlineKeyboard) != 2 || len(kb.InlineKeyboard[0]) != 3 { // and the 👍/👎 row
		t.Fatalf("private keyboard = %+v", kb)
	}
	for i, w := range want[:2] {
		got := kb.InlineKeyboard[0][i]
		if got.Text != w.Text || got.URL != "" || got.WebApp == nil || got.WebApp.URL != w.URL {
			t.Errorf("private button %d = %+v, want a web_app button to %s", i, got, w.URL)
		}
	}
	if got := kb.InlineKeyboard[0][2]; got.CallbackData != want[2].CallbackData || got.WebApp != nil {
		t.Errorf("private button 3 = %+v, want the callback button", got)
	}
	if len(calls) != 2 || calls[0] != (call{group, false}) || calls[1] != (call{8, true}) {
		t.Errorf("CitationLinks calls = %+v", calls)
	}
}

// TestReplyMarkup checks the conversion of marked URL buttons into
// web_app buttons, and that other keyboards are sent as they are.
func TestReplyMarkup(t *testing.T) {
	if got := replyMarkup(nil); got != (*tgbotapi.InlineKeyboardMarkup)(nil) {
		t.Errorf("replyMarkup(nil) = %#v", got)
	}
	plain := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData("¶1", "src:1"), tgbotapi.NewInlineKeyboardButtonURL("¶2 ↗", "https://x.example/p/t")))
	if got := replyMarkup(&plain); got != &plain {
		t.Errorf("a keyboard without Mini App buttons was rewritten: %#v", got)
	}
	marked := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData("¶1", "src:1"), tgbotapi.NewInlineKeyboardButtonURL("¶2 ↗", webAppMark+"https://x.example/app/t")))
	b, err := json.Marshal(replyMarkup(&marked))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"inline_keyboard":[[{"text":"¶1","callback_data":"src:1"},{"text":"¶2 ↗","web_app":{"url":"https://x.example/app/t"}}]]}`
	if string(b) != want {
		t.Errorf("reply_markup = %s\nwant %s", b, want)
	}
}
