package bot

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot/telegramtest"
)

// oneDocText is oneDocRetriever's document as the offsets count it.
var oneDocText = strings.Join(oneDocParas, "\n\n")

// richBot is a test bot with rich messages on.
func richBot(t *testing.T, f *telegramtest.Server, a Answerer) (*Bot, *telegramtest.LogBuffer) {
	t.Helper()
	return newTestBot(t, f, a, func(c *Config, d *Deps) { c.RichMessages = "auto" })
}

// checkFootnotes checks that m's footnotes are a's citations, in order of
// their numbers, each holding exactly the document's text at the
// citation's offsets, and that every link points at one of them.
func checkFootnotes(t *testing.T, m telegramtest.RichMessage, a []answer.Citation, doc string) {
	t.Helper()
	if len(m.Footnotes) != len(a) {
		t.Fatalf("%d footnotes %+v, want %d (the citations)", len(m.Footnotes), m.Footnotes, len(a))
	}
	for i, c := range a {
		fn := m.Footnotes[i]
		if want := doc[c.Start:c.End]; fn.Quote != want || fn.Quote != c.Quote {
			t.Errorf("footnote %d quotes %q, want the document's %q", i+1, fn.Quote, want)
		}
		if fn.Name != referenceName(c.N) || !strings.Contains(fn.Label, markerText(c.N)) {
			t.Errorf("footnote %d is %q %q, want citation [%d]", i+1, fn.Name, fn.Label, c.N)
		}
	}
	if len(m.Links) == 0 {
		t.Errorf("the answer text links to no footnote")
	}
}

// TestRichAnswerFootnotes: an extractive answer in a private chat arrives
// as one rich message, with its buttons, whose footnotes hold exactly the
// verified quotes.
func TestRichAnswerFootnotes(t *testing.T) {
	f := newFake(t)
	eng := answer.New(oneDocRetriever{}, nil, answer.Options{})
	b, _ := richBot(t, f, eng)
	const q = "When was the lighthouse built?"
	handle(t, b, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, q))
	want, err := eng.Answer(context.Background(), answer.Question{Text: q}, nil)
	if err != nil || len(want.Citations) == 0 {
		t.Fatalf("engine: %+v, %v", want, err)
	}
	rich := f.RichMessages(7)
	if len(rich) != 1 || len(f.Messages(7)) != 1 {
		t.Fatalf("%d rich messages, %d messages, want the answer as one rich message", len(rich), len(f.Messages(7)))
	}
	checkFootnotes(t, rich[0], want.Citations, oneDocText)
	if !strings.Contains(rich[0].Markup, "fb:up") || !strings.Contains(rich[0].Markup, "src:") {
		t.Errorf("markup %s, want the ¶ and feedback buttons", rich[0].Markup)
	}
}

// TestRichDraftsAndStop: an LLM answer in a private chat streams as rich
// drafts carrying the stop button; the stop ends the model's request
// within a second of fake time and the chat gets the part verified so
// far, with its footnotes, marked as stopped.
func TestRichDraftsAndStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		// About 40 s of reply: the first claim, then filler the stop cuts.
		reply := "It was built 「in 1881 on Granite Point」[1]. " + strings.Repeat("Its keeper stayed 「for twenty years」[2]. ", 50)
		eng := answer.New(oneDocRetriever{}, stoppableModel{reply: reply}, answer.Options{})
		b, _ := richBot(t, f, eng)
		user := telegramtest.User{ID: 7}
		done := make(chan struct{})
		go func() {
			defer close(done)
			handle(t, b, telegramtest.PrivateMessage(user, "When was the lighthouse built?"))
		}()
		for len(f.RichDrafts(7)) == 0 {
			time.Sleep(50 * time.Millisecond)
		}
		d := f.RichDrafts(7)[0]
		if !d.CanStop || !d.KeepStop {
			t.Errorf("draft %+v, want can_stop and keep_on_stop", d)
		}
		stopAt := time.Now()
		handle(t, b, telegramtest.GenerationStopped(user, d.DraftID))
		<-done
		if took := time.Since(stopAt); took > time.Second {
			t.Errorf("the answer ended %v after the stop, want within 1 s", took)
		}
		if n := len(f.Drafts(7)); n != 0 {
			t.Errorf("%d HTML drafts, want rich drafts only", n)
		}
		rich := f.RichMessages(7)
		if len(rich) != 1 {
			t.Fatalf("%d rich messages, want the stopped answer", len(rich))
		}
		if !strings.Contains(rich[0].Text, texts["en"].stopped) || !strings.Contains(rich[0].Text, "in 1881 on Granite Point") {
			t.Errorf("stopped answer %q, want the verified part and the stopped line", rich[0].Text)
		}
		if len(rich[0].Footnotes) == 0 || rich[0].Footnotes[0].Quote != "in 1881 on Granite Point" {
			t.Errorf("footnotes %+v, want the verified quote", rich[0].Footnotes)
		}
	})
}

// stoppableModel streams a reply in chunks 200 ms apart, ending when its
// context does.
type stoppableModel struct{ reply string }

func (m stoppableModel) Complete(ctx context.Context, _ []answer.Message, onDelta func(string)) (string, error) {
	r := []rune(m.reply)
	var sb strings.Builder
	for i := 0; i < len(r); i += 8 {
		select {
		case <-ctx.Done():
			return sb.String(), ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		d := string(r[i:min(i+8, len(r))])
		sb.WriteString(d)
		onDelta(d)
	}
	return m.reply, nil
}

// TestRichRefusedInOneChat: a chat whose Telegram refuses rich messages
// gets the answer as HTML with nothing lost, is not offered rich messages
// again, and is logged once; another chat still gets rich messages.
func TestRichRefusedInOneChat(t *testing.T) {
	f := newFake(t)
	f.Respond("sendRichMessage", func(r telegramtest.Request, _ int) *telegramtest.Response {
		if r.ChatID() == 8 {
			return telegramtest.APIError(400, "Bad Request: rich messages can't be sent to this chat", 0)
		}
		return nil
	})
	eng := answer.New(oneDocRetriever{}, nil, answer.Options{})
	b, logs := richBot(t, f, eng)
	const q = "When was the lighthouse built?"
	want, _ := eng.Answer(context.Background(), answer.Question{Text: q}, nil)
	for range 2 {
		handle(t, b, telegramtest.PrivateMessage(telegramtest.User{ID: 8}, q), telegramtest.PrivateMessage(telegramtest.User{ID: 9}, q))
	}
	if n := len(f.Requests("sendRichMessage")); n != 3 {
		t.Errorf("%d sendRichMessage requests, want 3 (one refused, two in the other chat)", n)
	}
	msgs := f.Messages(8)
	if len(msgs) != 2 || msgs[0].Rich || !strings.Contains(msgs[0].Text, want.Citations[0].Quote) ||
		!strings.Contains(msgs[0].Markup, "fb:up") {
		t.Errorf("refusing chat shows %+v, want two HTML answers with the quote and the buttons", msgs)
	}
	if html := renderAnswer(want, eng.Documents()); msgs[0].Text != html {
		t.Errorf("HTML answer %q, want %q", msgs[0].Text, html)
	}
	if len(f.RichMessages(9)) != 2 {
		t.Errorf("other chat got %d rich messages, want 2", len(f.RichMessages(9)))
	}
	if n := strings.Count(logs.String(), "telegram refused a rich message"); n != 1 {
		t.Errorf("refusal logged %d times, want once", n)
	}
}

// TestRichOff: with rich_messages off, answers are HTML.
func TestRichOff(t *testing.T) {
	f := newFake(t)
	b, _ := newTestBot(t, f, answer.New(oneDocRetriever{}, nil, answer.Options{}),
		func(c *Config, d *Deps) { c.RichMessages = "off" })
	handle(t, b, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "When was the lighthouse built?"))
	if n := len(f.Requests("sendRichMessage")); n != 0 || len(f.Messages(7)) != 1 {
		t.Errorf("%d rich requests, messages %+v: want one HTML answer", n, f.Messages(7))
	}
}

// TestRichSplitKeepsQuotesWhole: an answer past the rich limits goes as
// several messages, split between footnotes: every message passes the
// fake's checks, every quote is whole in exactly one, and a link only
// names a footnote of its own message.
func TestRichSplitKeepsQuotesWhole(t *testing.T) {
	a := answer.Answer{Lang: "en", Mode: answer.LLM}
	var markers []string
	for i := 1; i <= 300; i++ {
		q := strings.Repeat("word"+markerText(i)+" ", 30) // 300 quotes of ~240 characters: past 32768
		a.Citations = append(a.Citations, answer.Citation{N: i, Doc: "d.txt", Paragraph: i, Quote: q})
		markers = append(markers, "claim "+markerText(i))
	}
	a.Text = strings.Join(markers, ". ")
	msgs, _, err := renderRich(a, []answer.DocInfo{{Name: "d.txt"}})
	if err != nil || len(msgs) < 3 {
		t.Fatalf("%d messages (%v), want the answer split", len(msgs), err)
	}
	seen := map[string]int{}
	for i, m := range msgs {
		got, err := telegramtest.ParseRichMessage(marshalRich(m))
		if err != nil {
			t.Fatalf("message %d: %v", i+1, err)
		}
		for _, fn := range got.Footnotes {
			seen[fn.Quote]++
		}
	}
	for _, c := range a.Citations {
		if seen[strings.TrimSpace(c.Quote)] != 1 {
			t.Fatalf("quote [%d] appears whole %d times, want once", c.N, seen[strings.TrimSpace(c.Quote)])
		}
	}
	a.Citations[0].Quote = strings.Repeat("長", maxRichUnits+1)
	if _, _, err := renderRich(a, nil); !errors.Is(err, errRichTooLarge) {
		t.Errorf("a quote past the limit: %v, want errRichTooLarge (HTML)", err)
	}
}

// TestRichRefused tells a refusal of rich messages from other failures.
func TestRichRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"no such method", &callError{method: "sendRichMessage", status: 404, err: &tgbotapi.Error{Code: 404, Message: "Not Found"}}, true},
		{"rich block refused", &tgbotapi.Error{Code: 400, Message: "Bad Request: RICH_VALIDATE_CTOR_NOT_ALLOWED"}, true},
		{"entities", &tgbotapi.Error{Code: 400, Message: "Bad Request: can't parse entities"}, true},
		{"chat not found", &tgbotapi.Error{Code: 400, Message: "Bad Request: chat not found"}, false},
		{"blocked", &tgbotapi.Error{Code: 403, Message: "Forbidden: bot was blocked by the user"}, false},
		{"flood", &tgbotapi.Error{Code: 429, Message: "Too Many Requests", ResponseParameters: tgbotapi.ResponseParameters{RetryAfter: 3}}, false},
		{"network", errors.New("connection reset"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := richRefused(tc.err); got != tc.want {
				t.Errorf("richRefused = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestParseStopped reads stopped_message_generation from raw updates.
func TestParseStopped(t *testing.T) {
	for _, tc := range []struct {
		name, raw string
		want      *GenerationStopped
		err       bool
	}{
		{"stop", `{"update_id":1,"stopped_message_generation":{"chat":{"id":7,"type":"private"},"draft_id":42}}`, &GenerationStopped{Chat: 7, DraftID: 42}, false},
		{"in a thread", `{"update_id":1,"stopped_message_generation":{"chat":{"id":7},"message_thread_id":3,"draft_id":5}}`, &GenerationStopped{Chat: 7, ThreadID: 3, DraftID: 5}, false},
		{"other update", `{"update_id":1,"message":{"message_id":1}}`, nil, false},
		{"no draft", `{"update_id":1,"stopped_message_generation":{"chat":{"id":7}}}`, nil, true},
		{"no chat", `{"update_id":1,"stopped_message_generation":{"draft_id":5}}`, nil, true},
		{"draft as text", `{"update_id":1,"stopped_message_generation":{"chat":{"id":7},"draft_id":"5"}}`, nil, true},
		{"not JSON", `{`, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStopped([]byte(tc.raw))
			if (err != nil) != tc.err || (got == nil) != (tc.want == nil) || got != nil && *got != *tc.want {
				t.Errorf("parseStopped = %+v, %v; want %+v (error %v)", got, err, tc.want, tc.err)
			}
		})
	}
}

func FuzzParseStopped(f *testing.F) {
	f.Add([]byte(`{"stopped_message_generation":{"chat":{"id":7},"draft_id":42}}`))
	f.Add([]byte(`{"stopped_message_generation":{"chat":{"id":-1},"message_thread_id":-3,"draft_id":1e3}}`))
	f.Add([]byte(`{"stopped_message_generation":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := parseStopped(data)
		if err != nil && g != nil {
			t.Fatalf("error %v with a result %+v", err, g)
		}
		if g != nil && (g.Chat == 0 || g.DraftID == 0) {
			t.Fatalf("result %+v names no answer", g)
		}
		var u Update
		if u.UnmarshalJSON(data) == nil && (u.Stopped == nil) != (g == nil) {
			t.Fatalf("Update.Stopped %+v, parseStopped %+v", u.Stopped, g)
		}
	})
}

// TestRichServerErrorFallsBack: a rich message failing with a server
// error is not retried for minutes: the answer goes as HTML at once, and
// the chat is offered rich messages again next time (it was no refusal).
func TestRichServerErrorFallsBack(t *testing.T) {
	f := newFake(t)
	f.Respond("sendRichMessage", func(telegramtest.Request, int) *telegramtest.Response {
		return telegramtest.APIError(500, "Internal Server Error: Route not found", 0)
	})
	b, _ := richBot(t, f, answer.New(oneDocRetriever{}, nil, answer.Options{}))
	for range 2 {
		handle(t, b, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "When was the lighthouse built?"))
	}
	if n, msgs := len(f.Requests("sendRichMessage")), f.Messages(7); n != 2 || len(msgs) != 2 || msgs[0].Rich {
		t.Errorf("%d rich requests, messages %+v: want each answer tried rich once, then sent as HTML", n, msgs)
	}
}

// srcDataRE finds the ¶ buttons' callback data in a markup's JSON.
var srcDataRE = regexp.MustCompile(`src:[^"]+`)

// TestRichInGroups: a group answer is a rich message too, and a ¶ tap under
// it shows the paragraph to its reader alone. In a group whose Telegram
// refuses ephemeral messages, the tap on that rich answer gets the
// paragraph as a reply (a rich message cannot hold it), and the group's
// later answers are HTML, so that a tap shows the paragraph inside them.
func TestRichInGroups(t *testing.T) {
	f := newFake(t)
	b, _ := richBot(t, f, answer.New(oneDocRetriever{}, nil, answer.Options{}))
	const group, other = -100, -200
	ask := func(chat int64) telegramtest.RichMessage {
		t.Helper()
		handle(t, b, telegramtest.GroupMessage(chat, telegramtest.User{ID: 7}, "@CiteBot When was the lighthouse built?"))
		rich := f.RichMessages(chat)
		if len(rich) == 0 {
			t.Fatalf("chat %d: no rich answer", chat)
		}
		return rich[len(rich)-1]
	}
	m := ask(group)
	data := srcDataRE.FindString(m.Markup)
	if data == "" {
		t.Fatalf("no ¶ button in %s", m.Markup)
	}
	tapInGroup(t, b, f, "cb1", group, m.ID, 8, data)
	if eph := f.Ephemerals(group); len(eph) != 1 || !strings.Contains(eph[0].Text, "Granite Point") {
		t.Errorf("ephemeral messages %+v, want the paragraph once", eph)
	}

	f.RefuseEphemeral()
	m = ask(other)
	tapInGroup(t, b, f, "cb2", other, m.ID, 8, data)
	msgs := f.Messages(other)
	if last := msgs[len(msgs)-1]; last.ReplyTo != m.ID || !strings.Contains(last.Text, "Granite Point") {
		t.Errorf("after a refused ephemeral message the chat shows %+v, want the paragraph as a reply", msgs)
	}
	before := len(f.RichMessages(other))
	handle(t, b, telegramtest.GroupMessage(other, telegramtest.User{ID: 7}, "@CiteBot Who kept it?"))
	if n := len(f.RichMessages(other)); n != before {
		t.Errorf("the group refusing ephemeral messages got a rich answer")
	}
}
