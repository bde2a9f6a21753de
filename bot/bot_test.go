package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot/telegramtest"
)

func TestRetryAfterHoldsTheChat(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		const limited, other = 7, 8
		f.Respond("sendMessage", func(r telegramtest.Request, n int) *telegramtest.Response {
			if r.ChatID() == limited && countChat(f.Requests("sendMessage"), limited) == 0 {
				return telegramtest.APIError(429, "Too Many Requests: retry after 3", 3)
			}
			return nil
		})
		b, _ := newTestBot(t, f, newFakeAnswerer(), nil)
		ctx := context.Background()

		done := make(chan struct{})
		go func() {
			defer close(done)
			b.HandleUpdate(ctx, decodeUpdate(t, telegramtest.PrivateMessage(telegramtest.User{ID: limited}, "first?")))
		}()
		f.WaitFor(t, 5*time.Second, "the 429", func(rs []telegramtest.Request) bool { return countChat(rs, limited) == 1 })
		b.HandleUpdate(ctx, decodeUpdate(t, telegramtest.PrivateMessage(telegramtest.User{ID: other}, "other chat?")))
		<-done

		reqs := f.Requests()
		var first, retry time.Time
		for _, r := range reqs {
			if r.ChatID() != limited {
				continue
			}
			switch {
			case first.IsZero():
				first = r.Time
				if r.Status != 429 {
					t.Fatalf("first request to the chat: status %d, want 429", r.Status)
				}
			case retry.IsZero():
				retry = r.Time
			default:
				t.Fatalf("more than one retry: %s", telegramtest.Summary(reqs))
			}
		}
		if gap := retry.Sub(first); gap != 3*time.Second {
			t.Errorf("retried after %v, want retry_after 3s", gap)
		}
		if len(f.Sent(limited)) != 1 {
			t.Errorf("the limited chat got %d answers, want 1", len(f.Sent(limited)))
		}
		otherSent := f.Sent(other)
		if len(otherSent) != 1 || otherSent[0].Time.After(first) {
			t.Errorf("the other chat was held too: %d answers", len(otherSent))
		}
	})
}

func countChat(rs []telegramtest.Request, chat int64) int {
	n := 0
	for _, r := range rs {
		if r.ChatID() == chat {
			n++
		}
	}
	return n
}

func TestLongAnswerArrivesInValidParts(t *testing.T) {
	f := newFake(t)
	a := newFakeAnswerer()
	text := strings.Repeat("Silt & <sand> \"move\" 🌊 泥沙。 ", 400)[:10000]
	a.answer = func(context.Context, answer.Question, func(string)) (answer.Answer, error) {
		return answer.Answer{Lang: "en", Text: text, Citations: []answer.Citation{
			{N: 1, Doc: "sample.txt", Paragraph: 2, Quote: strings.Repeat("Quoted sentence. ", 300)},
		}}, nil
	}
	b, _ := newTestBot(t, f, a, nil)
	in := decodeUpdate(t, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "long?"))
	b.HandleUpdate(context.Background(), in)

	sends := f.Sent(7)
	if len(sends) < 3 {
		t.Fatalf("got %d messages", len(sends))
	}
	for i, s := range sends {
		if err := checkHTML(s.Get("text")); err != nil {
			t.Errorf("message %d: %v", i+1, err)
		}
		if s.Get("parse_mode") != "HTML" {
			t.Errorf("message %d: parse_mode %q", i+1, s.Get("parse_mode"))
		}
		var rp replyParameters
		s.JSON(t, "reply_parameters", &rp)
		if rp.MessageID != in.Message.MessageID || !rp.AllowSendingWithoutReply {
			t.Errorf("message %d: reply_parameters %+v", i+1, rp)
		}
		if last := i == len(sends)-1; last != (s.Get("reply_markup") != "") {
			t.Errorf("message %d of %d: reply_markup %q", i+1, len(sends), s.Get("reply_markup"))
		}
	}
}

func TestParseErrorFallsBackToPlainText(t *testing.T) {
	f := newFake(t)
	f.Respond("sendMessage", func(r telegramtest.Request, n int) *telegramtest.Response {
		if r.Get("parse_mode") == "HTML" {
			return telegramtest.APIError(400, "Bad Request: can't parse entities: Unsupported start tag \"blockquote\" at byte offset 30", 0)
		}
		return nil
	})
	b, _ := newTestBot(t, f, newFakeAnswerer(), nil)
	b.HandleUpdate(context.Background(), decodeUpdate(t, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "a < b?")))

	reqs := f.Requests("sendMessage")
	if len(reqs) != 2 {
		t.Fatalf("got %d sendMessage, want HTML then plain", len(reqs))
	}
	plain := reqs[1]
	if plain.Get("parse_mode") != "" {
		t.Errorf("fallback has parse_mode %q", plain.Get("parse_mode"))
	}
	want := htmlToPlain(reqs[0].Get("text"))
	if plain.Get("text") != want || !strings.Contains(want, "Answer to: a < b? [1]") || strings.Contains(want, "<blockquote") {
		t.Errorf("fallback text = %q, want %q", plain.Get("text"), want)
	}
	if plain.Get("reply_markup") == "" || plain.Get("reply_parameters") == "" {
		t.Errorf("fallback lost its buttons or reply")
	}
}

func TestTopicsAndReplies(t *testing.T) {
	const group = -100777
	alice := telegramtest.User{ID: 7}
	tests := []struct {
		name       string
		upd        telegramtest.Update
		wantThread string
	}{
		{"forum topic", telegramtest.GroupMessage(group, alice, "@CiteBot q?").With("message_thread_id", 5, "is_topic_message", true), "5"},
		{"general topic", telegramtest.GroupMessage(group, alice, "@CiteBot q?").With("message_thread_id", 1, "is_topic_message", true), ""},
		{"not a forum", telegramtest.GroupMessage(group, alice, "@CiteBot q?").With("message_thread_id", 9), ""},
		{"private", telegramtest.PrivateMessage(alice, "q?"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			b, _ := newTestBot(t, f, newFakeAnswerer(), nil)
			in := decodeUpdate(t, tt.upd)
			b.HandleUpdate(context.Background(), in)
			sends := f.Requests("sendMessage")
			if len(sends) != 1 {
				t.Fatalf("got %d messages", len(sends))
			}
			s := sends[0]
			if got := s.Get("message_thread_id"); got != tt.wantThread {
				t.Errorf("message_thread_id = %q, want %q", got, tt.wantThread)
			}
			var rp replyParameters
			s.JSON(t, "reply_parameters", &rp)
			if rp != (replyParameters{MessageID: in.Message.MessageID, AllowSendingWithoutReply: true}) {
				t.Errorf("reply_parameters = %+v", rp)
			}
		})
	}
}

func TestAllowlist(t *testing.T) {
	f := newFake(t)
	a := newFakeAnswerer()
	b, _ := newTestBot(t, f, a, func(c *Config, d *Deps) {
		c.AllowedChats = []int64{-100}
		c.AllowedUsers = []int64{7}
	})
	ctx := context.Background()
	stranger := telegramtest.User{ID: 9}
	steps := []struct {
		name string
		upd  telegramtest.Update
		chat int64
		want string // substring of the reply, "" for none
	}{
		{"allowed chat, any user", telegramtest.GroupMessage(-100, telegramtest.User{ID: 8}, "@CiteBot q1"), -100, "Answer to: q1"},
		{"allowed user in private", telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "q2"), 7, "Answer to: q2"},
		{"allowed user in another group", telegramtest.GroupMessage(-200, telegramtest.User{ID: 7}, "@CiteBot q3"), -200, "Answer to: q3"},
		{"stranger refused once", telegramtest.PrivateMessage(stranger, "q4"), 9, "not available"},
		{"stranger then silence", telegramtest.PrivateMessage(stranger, "q5"), 9, ""},
		{"stranger group: chatter ignored", telegramtest.GroupMessage(-300, stranger, "hello all"), -300, ""},
		{"stranger group refused once", telegramtest.GroupMessage(-300, stranger, "@CiteBot q6"), -300, "not available"},
		{"stranger group then silence", telegramtest.GroupMessage(-300, telegramtest.User{ID: 10}, "@CiteBot q7"), -300, ""},
	}
	for _, s := range steps {
		before := len(f.Sent(s.chat))
		b.HandleUpdate(ctx, decodeUpdate(t, s.upd))
		got := f.Sent(s.chat)[before:]
		switch {
		case s.want == "" && len(got) != 0:
			t.Errorf("%s: got %q, want silence", s.name, got[0].Get("text"))
		case s.want != "" && (len(got) != 1 || !strings.Contains(got[0].Get("text"), s.want)):
			t.Errorf("%s: got %d messages, want one containing %q", s.name, len(got), s.want)
		}
	}
	if n := len(a.asked()); n != 3 {
		t.Errorf("the engine was asked %d times, want 3", n)
	}
}

func TestRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		a := newFakeAnswerer()
		b, _ := newTestBot(t, f, a, func(c *Config, d *Deps) { c.RatePerMinute, c.RateBurst = 1, 2 })
		alice := telegramtest.User{ID: 7}
		for i := range 4 {
			b.HandleUpdate(context.Background(), decodeUpdate(t, telegramtest.PrivateMessage(alice, fmt.Sprintf("q%d", i))))
		}
		sent := f.Sent(7)
		if len(sent) != 3 {
			t.Fatalf("got %d messages, want 2 answers and one 'please wait'", len(sent))
		}
		if !strings.Contains(sent[2].Get("text"), "Please wait about") {
			t.Errorf("third reply = %q", sent[2].Get("text"))
		}
		if n := len(a.asked()); n != 2 {
			t.Errorf("engine asked %d times, want 2", n)
		}
		// Another user is not limited by alice.
		b.HandleUpdate(context.Background(), decodeUpdate(t, telegramtest.PrivateMessage(telegramtest.User{ID: 8}, "q")))
		if len(f.Sent(8)) != 1 {
			t.Errorf("another user was limited")
		}
		// A minute refills one question.
		time.Sleep(time.Minute)
		handle(t, b, telegramtest.PrivateMessage(alice, "later"), telegramtest.PrivateMessage(alice, "too soon"))
		if sent := f.Sent(7); len(sent) != 5 || !strings.Contains(sent[3].Get("text"), "Answer to: later") ||
			!strings.Contains(sent[4].Get("text"), "Please wait about 60 seconds") {
			t.Errorf("after a minute alice got %q, want an answer then one 'please wait'", textsOf(sent[3:]))
		}
	})
}

func TestQuestionTooLong(t *testing.T) {
	f := newFake(t)
	a := newFakeAnswerer()
	b, _ := newTestBot(t, f, a, func(c *Config, d *Deps) { c.MaxQuestionRunes = 10 })
	b.HandleUpdate(context.Background(), decodeUpdate(t, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "这个问题真的非常非常非常长吗？")))
	sent := f.Sent(7)
	if len(sent) != 1 || !strings.Contains(sent[0].Get("text"), "10 个字") {
		t.Fatalf("got %v", sent)
	}
	if len(a.asked()) != 0 {
		t.Errorf("the engine was asked")
	}
}

func TestEngineErrorAndPanic(t *testing.T) {
	f := newFake(t)
	a := newFakeAnswerer()
	a.answer = func(ctx context.Context, q answer.Question, _ func(string)) (answer.Answer, error) {
		switch q.Text {
		case "fail":
			return answer.Answer{}, errors.New("model backend exploded: secret detail")
		case "panic":
			panic("boom")
		}
		return answer.Answer{Lang: "en", Text: "fine"}, nil
	}
	b, logs := newTestBot(t, f, a, nil)
	ctx := context.Background()
	for _, q := range []string{"fail", "panic", "ok"} {
		b.HandleUpdate(ctx, decodeUpdate(t, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, q)))
	}
	sent := f.Sent(7)
	if len(sent) != 3 {
		t.Fatalf("got %d messages", len(sent))
	}
	for i, want := range []string{"Sorry, something went wrong", "Sorry, something went wrong", "fine"} {
		if got := sent[i].Get("text"); !strings.Contains(got, want) || strings.Contains(got, "secret detail") {
			t.Errorf("reply %d = %q, want %q", i+1, got, want)
		}
	}
	for _, want := range []string{"secret detail", "panic while handling", "boom"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %q", want)
		}
	}
}

func TestCommands(t *testing.T) {
	alice, zhUser := telegramtest.User{ID: 7}, telegramtest.User{ID: 8, Lang: "zh-hans"}
	tests := []struct {
		name string
		upd  telegramtest.Update
		want []string
	}{
		{"start en", telegramtest.PrivateMessage(alice, "/start"), []string{"Hello!", "about “A Sample”", "/help"}},
		{"start zh by language", telegramtest.PrivateMessage(zhUser, "/start"), []string{"你好", "私聊"}},
		{"help en", telegramtest.PrivateMessage(alice, "/help"), []string{"@CiteBot", "/setprivacy", "admin", "add me again", "/source N"}},
		{"help zh by text", telegramtest.PrivateMessage(alice, "/help 帮助"), []string{"隐私模式", "/setprivacy", "管理员"}},
		{"about", telegramtest.PrivateMessage(alice, "/about"), []string{"I am citebot", "• A Sample (sample.txt)"}},
		{"about zh", telegramtest.PrivateMessage(zhUser, "/about"), []string{"我是 citebot", "• 《A Sample》（sample.txt）"}},
		{"docs", telegramtest.PrivateMessage(alice, "/docs"), []string{"Documents:", "1. sample.txt — 3 paragraphs"}},
		{"source 0", telegramtest.PrivateMessage(alice, "/source 0"), []string{"<b>¶0</b>", "<blockquote>A Sample</blockquote>"}},
		{"new", telegramtest.PrivateMessage(alice, "/new"), []string{"new conversation"}},
		{"new zh", telegramtest.PrivateMessage(zhUser, "/new"), []string{"开始新的对话"}},
		{"bare mention", telegramtest.GroupMessage(-5, alice, "@CiteBot"), []string{"Ask me anything", "@CiteBot What"}},
		{"bare mention zh", telegramtest.GroupMessage(-5, zhUser, "@CiteBot"), []string{"请就文档提问", "@CiteBot 这篇"}},
		{"source", telegramtest.PrivateMessage(alice, "/source 2"), []string{"<b>¶2</b>", "<blockquote>The second paragraph, with &lt;tags&gt; &amp; ampersands.</blockquote>"}},
		{"source missing", telegramtest.PrivateMessage(alice, "/source 9"), []string{"no such paragraph"}},
		{"source usage", telegramtest.PrivateMessage(alice, "/source"), []string{"Usage: /source N"}},
		{"empty ask", telegramtest.PrivateMessage(alice, "/ask"), []string{"/ask What is"}},
		{"unknown", telegramtest.PrivateMessage(alice, "/weather"), []string{"/help"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			b, _ := newTestBot(t, f, newFakeAnswerer(), nil)
			u := decodeUpdate(t, tt.upd)
			b.HandleUpdate(context.Background(), u)
			sent := f.Sent(u.Message.Chat.ID)
			if len(sent) != 1 {
				t.Fatalf("got %d messages", len(sent))
			}
			for _, w := range tt.want {
				if !strings.Contains(sent[0].Get("text"), w) {
					t.Errorf("reply lacks %q:\n%s", w, sent[0].Get("text"))
				}
			}
		})
	}
}

func TestSourceButtons(t *testing.T) {
	f := newFake(t)
	a := newFakeAnswerer()
	a.answer = func(context.Context, answer.Question, func(string)) (answer.Answer, error) {
		return answer.Answer{Lang: "en", Text: "x [1][2][3]", Citations: []answer.Citation{
			{N: 1, Doc: "sample.txt", Paragraph: 2, Quote: "The second"},
			{N: 2, Doc: "sample.txt", Paragraph: 3, Quote: "第三段"},
			{N: 3, Doc: "sample.txt", Paragraph: 2, Quote: "paragraph"},
		}}, nil
	}
	b, _ := newTestBot(t, f, a, nil)
	ctx := context.Background()
	const group = -100
	b.HandleUpdate(ctx, decodeUpdate(t, telegramtest.GroupMessage(group, telegramtest.User{ID: 7}, "@CiteBot q").With("message_thread_id", 4, "is_topic_message", true)))
	sent := f.Sent(group)
	if len(sent) != 1 {
		t.Fatalf("got %d messages", len(sent))
	}
	var kb struct {
		InlineKeyboard [][]struct {
			Text         string `json:"text"`
			CallbackData string `json:"callback_data"`
		} `json:"inline_keyboard"`
	}
	sent[0].JSON(t, "reply_markup", &kb)
	if len(kb.InlineKeyboard) != 2 || len(kb.InlineKeyboard[0]) != 2 || len(kb.InlineKeyboard[1]) != 2 ||
		kb.InlineKeyboard[1][0].CallbackData != "fb:up" || kb.InlineKeyboard[1][1].CallbackData != "fb:down" {
		t.Fatalf("keyboard = %+v, want two ¶ buttons, then 👍 and 👎", kb)
	}
	key := docKey("sample.txt")
	for i, want := range []struct{ text, data string }{{"¶2", "src:" + key + ":2"}, {"¶3", "src:" + key + ":3"}} {
		if got := kb.InlineKeyboard[0][i]; got.Text != want.text || got.CallbackData != want.data {
			t.Errorf("button %d = %+v, want %+v", i, got, want)
		}
	}

	// A message without a stored answer: the paragraph comes as a new
	// message (TestParagraphToggle has the in-place case).
	callback := func(id, data string) telegramtest.Update {
		return telegramtest.Callback(id, data, telegramtest.User{ID: 7}, telegramtest.BotMessage(999, group, "supergroup")).
			With("message_thread_id", 4, "is_topic_message", true)
	}
	b.HandleUpdate(ctx, decodeUpdate(t, callback("cb1", "src:"+key+":2")))
	b.HandleUpdate(ctx, decodeUpdate(t, callback("cb2", "nonsense")))
	b.HandleUpdate(ctx, decodeUpdate(t, callback("cb3", "src:5:2")))
	a.paras = nil // Paragraph now finds nothing
	b.HandleUpdate(ctx, decodeUpdate(t, callback("cb4", "src:"+key+":2")))

	acks := f.Requests("answerCallbackQuery")
	if len(acks) != 4 {
		t.Fatalf("got %d answerCallbackQuery, want 4", len(acks))
	}
	for i, ack := range acks {
		if wantErr := i > 0; (ack.Get("text") != "") != wantErr {
			t.Errorf("callback %s answered with %q", ack.Get("callback_query_id"), ack.Get("text"))
		}
	}
	sent = f.Sent(group)
	if len(sent) != 2 {
		t.Fatalf("got %d messages, want the answer and one paragraph", len(sent))
	}
	p := sent[1]
	if !strings.Contains(p.Get("text"), "<blockquote>The second paragraph, with &lt;tags&gt; &amp; ampersands.</blockquote>") ||
		p.Get("message_thread_id") != "4" || !strings.Contains(p.Get("reply_parameters"), `"message_id":999`) {
		t.Errorf("paragraph message = %v", p.Params)
	}
}

func TestCallbackAnsweredEvenOnPanic(t *testing.T) {
	f := newFake(t)
	b, _ := newTestBot(t, f, &panicky{}, nil)
	handle(t, b, telegramtest.Callback("cb", "src:0:1", telegramtest.User{ID: 7}, telegramtest.BotMessage(5, 7, "private")))
	if n := len(f.Requests("answerCallbackQuery")); n != 1 {
		t.Errorf("got %d answerCallbackQuery, want 1", n)
	}
}

type panicky struct{ fakeAnswerer }

func (*panicky) Documents() []answer.DocInfo { panic("documents exploded") }

func TestAnswersToOneUserRunOneAtATime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		a := newFakeAnswerer()
		var running, peak atomic.Int32
		a.answer = func(context.Context, answer.Question, func(string)) (answer.Answer, error) {
			n := running.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(30 * time.Millisecond)
			running.Add(-1)
			return answer.Answer{Lang: "en", Text: "ok"}, nil
		}
		b, _ := newTestBot(t, f, a, nil)
		var wg sync.WaitGroup
		alice := telegramtest.User{ID: 7}
		for i := range 4 {
			wg.Go(func() {
				b.HandleUpdate(context.Background(), decodeUpdate(t, telegramtest.GroupMessage(int64(-100-i), alice, "@CiteBot q")))
			})
		}
		wg.Wait()
		if peak.Load() != 1 {
			t.Errorf("%d answers for one user ran at once", peak.Load())
		}
		if n := len(a.asked()); n != 4 {
			t.Errorf("answered %d, want 4", n)
		}
	})
}

func TestEmulatorQuirks(t *testing.T) {
	// The emulator answers sendMessageDraft (which it lacks) with HTTP
	// 500: each answer falls back to edits after maxDraftFailures drafts.
	streaming := func(ctx context.Context, q answer.Question, onPartial func(string)) (answer.Answer, error) {
		for i := range 8 {
			onPartial("partial" + strings.Repeat(" answer", i))
			time.Sleep(150 * time.Millisecond)
		}
		return answer.Answer{Lang: "en", Text: "final answer"}, nil
	}
	emulatorLacks := func(f *telegramtest.Server) {
		f.Respond("sendMessageDraft", func(telegramtest.Request, int) *telegramtest.Response {
			return &telegramtest.Response{Status: 500, Body: "<html>Internal Server Error</html>"}
		})
	}
	t.Run("null results", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake(t)
			f.Respond("sendMessage", func(telegramtest.Request, int) *telegramtest.Response {
				return &telegramtest.Response{Status: 200, Body: `{"ok":true,"result":null}`}
			})
			f.Respond("editMessageText", func(telegramtest.Request, int) *telegramtest.Response {
				return &telegramtest.Response{Status: 200, Body: `{"ok":true,"result":null}`}
			})
			f.Respond("sendChatAction", func(telegramtest.Request, int) *telegramtest.Response {
				return &telegramtest.Response{Status: 500, Body: "<html>Internal Server Error</html>"}
			})
			emulatorLacks(f)
			a := newFakeAnswerer()
			a.answer = streaming
			b, _ := newTestBot(t, f, a, nil)
			b.HandleUpdate(context.Background(), decodeUpdate(t, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "q")))
			sends := f.Requests("sendMessage")
			if len(sends) != 2 || sends[1].Get("text") != "final answer" {
				t.Fatalf("want the streamed text then the answer as a new message, got %v", sends)
			}
			if n := len(f.Requests("editMessageText")); n != 0 {
				t.Errorf("%d edits of a message whose id is unknown", n)
			}
		})
	})
	t.Run("string fields", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake(t)
			f.Respond("sendMessage", func(r telegramtest.Request, _ int) *telegramtest.Response {
				return &telegramtest.Response{Status: 200, Body: `{"ok":true,"result":{"message_id":"77","chat":{"id":"7","type":"private"},"text":"…","date":"0"}}`}
			})
			f.Respond("editMessageText", func(telegramtest.Request, int) *telegramtest.Response {
				return &telegramtest.Response{Status: 200, Body: `{"ok":true,"result":null}`}
			})
			emulatorLacks(f)
			a := newFakeAnswerer()
			a.answer = streaming
			b, _ := newTestBot(t, f, a, nil)
			b.HandleUpdate(context.Background(), decodeUpdate(t, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "q")))
			edits := f.Requests("editMessageText")
			if len(edits) == 0 || edits[len(edits)-1].Get("message_id") != "77" || edits[len(edits)-1].Get("text") != "final answer" {
				t.Fatalf("edits = %v", edits)
			}
		})
	})
}

func TestTypingShownForSlowAnswers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		f.Respond("sendChatAction", func(telegramtest.Request, int) *telegramtest.Response {
			return &telegramtest.Response{Status: 500, Body: `{"ok":false}`}
		})
		a := newFakeAnswerer()
		a.answer = func(context.Context, answer.Question, func(string)) (answer.Answer, error) {
			time.Sleep(typingDelay + 700*time.Millisecond)
			return answer.Answer{Lang: "en", Text: "slow"}, nil
		}
		b, _ := newTestBot(t, f, a, nil)
		b.HandleUpdate(context.Background(), decodeUpdate(t, telegramtest.GroupMessage(-1, telegramtest.User{ID: 7}, "@CiteBot q").With("message_thread_id", 3, "is_topic_message", true)))
		acts := f.Requests("sendChatAction")
		if len(acts) != 1 || acts[0].Get("action") != "typing" || acts[0].Get("message_thread_id") != "3" {
			t.Errorf("sendChatAction = %v", acts)
		}
		if len(f.Sent(-1)) != 1 {
			t.Errorf("the answer was not delivered after sendChatAction failed")
		}
	})
}
