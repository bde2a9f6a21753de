package bot

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot/store"
	"github.com/citebot/citebot/bot/telegramtest"
)

// streamingAnswerer streams 60 words, 20 ms apart, then answers with one
// citation.
func streamingAnswerer() *fakeAnswerer {
	a := newFakeAnswerer()
	a.answer = func(ctx context.Context, q answer.Question, onPartial func(string)) (answer.Answer, error) {
		text := ""
		for i := range 60 {
			text += fmt.Sprintf("word%d ", i)
			onPartial(text)
			time.Sleep(20 * time.Millisecond)
		}
		return answer.Answer{Lang: "en", Mode: answer.LLM, Text: text + "[1]",
			Citations: []answer.Citation{{N: 1, Doc: "sample.txt", Paragraph: 2, Quote: "The second paragraph"}}}, nil
	}
	return a
}

const streamInterval = 200 * time.Millisecond

// checkSpaced fails when two requests are closer than streamInterval or
// there are more than the time allows.
func checkSpaced(t *testing.T, what string, reqs []telegramtest.Request, start time.Time, took time.Duration) {
	t.Helper()
	prev := start.Add(-streamInterval)
	for i, r := range reqs {
		if gap := r.Time.Sub(prev); gap < streamInterval {
			t.Errorf("%s %d came %v after the previous one, want >= %v", what, i+1, gap, streamInterval)
		}
		prev = r.Time
	}
	if most := int(took/streamInterval) + 1; len(reqs) > most {
		t.Errorf("%d %ss in %v, want at most %d", len(reqs), what, took, most)
	}
}

func TestDraftsInPrivateChats(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		b, _ := newTestBot(t, f, streamingAnswerer(), func(c *Config, d *Deps) { c.EditInterval = streamInterval })
		start := time.Now()
		u := decodeUpdate(t, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "stream please"))
		b.HandleUpdate(context.Background(), u)
		took := time.Since(start)

		drafts := f.Requests("sendMessageDraft")
		if len(drafts) < 3 {
			t.Fatalf("only %d drafts", len(drafts))
		}
		checkSpaced(t, "draft", drafts, start, took)
		for i, d := range drafts {
			if d.Get("draft_id") != fmt.Sprint(u.Message.MessageID) || d.Get("parse_mode") != "HTML" || d.Status != 200 {
				t.Errorf("draft %d: %v (status %d), want draft_id %d, HTML", i+1, d.Params, d.Status, u.Message.MessageID)
			}
			if !strings.HasPrefix(d.Get("text"), "word0 ") || !strings.HasSuffix(d.Get("text"), " …") {
				t.Errorf("draft %d = %q, want streamed text with a cursor", i+1, d.Get("text"))
			}
		}
		if len(f.Drafts(7)) != len(drafts) {
			t.Errorf("the fake accepted %d of %d drafts", len(f.Drafts(7)), len(drafts))
		}
		if n := len(f.Requests("editMessageText")); n != 0 {
			t.Errorf("%d edits in a private chat with drafts", n)
		}
		msgs := f.Messages(7)
		if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "<blockquote expandable>The second paragraph</blockquote>") || msgs[0].Markup == "" {
			t.Fatalf("chat shows %+v, want exactly one message: the answer with its buttons", msgs)
		}
		if !msgs[0].Sent.After(drafts[len(drafts)-1].Time) && !msgs[0].Sent.Equal(drafts[len(drafts)-1].Time) {
			t.Errorf("the answer came before the last draft")
		}
	})
}

func TestRefusedDraftsFallBackToEdits(t *testing.T) {
	for _, tt := range []struct {
		name    string
		refuse  func(f *telegramtest.Server)
		perTurn int // draft requests per answer
	}{
		{"unknown method (404)", func(f *telegramtest.Server) { f.Refuse("sendMessageDraft") }, 0},
		{"emulator (500)", func(f *telegramtest.Server) {
			f.Respond("sendMessageDraft", func(telegramtest.Request, int) *telegramtest.Response {
				return &telegramtest.Response{Status: 500, Body: "Internal Server Error"}
			})
		}, maxDraftFailures},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake(t)
				tt.refuse(f)
				b, _ := newTestBot(t, f, streamingAnswerer(), func(c *Config, d *Deps) { c.EditInterval = streamInterval })
				handle(t, b, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "one"), telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "two"))
				// A 404 turns drafts off after the first request; a 500 is
				// tried maxDraftFailures times per answer.
				want := 1
				if tt.perTurn > 0 {
					want = 2 * tt.perTurn
				}
				if n := len(f.Requests("sendMessageDraft")); n != want {
					t.Errorf("%d draft requests, want %d", n, want)
				}
				msgs := f.Messages(7)
				if len(msgs) != 2 || msgs[0].Edits == 0 || msgs[1].Edits == 0 {
					t.Fatalf("chat shows %+v, want two answers, each streamed by edits", msgs)
				}
				for _, m := range msgs {
					if !strings.Contains(m.Text, "The second paragraph") {
						t.Errorf("message %d = %q, want the final answer", m.ID, m.Text)
					}
				}
			})
		})
	}
}

// TestDraftRefusedInOneChat: a permanent error on one chat's draft (the
// user blocked the bot, the chat is gone) makes that answer stream by
// edits, but does not turn drafts off for the other chats: only a server
// without the method does (see TestRefusedDraftsFallBackToEdits).
func TestDraftRefusedInOneChat(t *testing.T) {
	for _, tt := range []struct {
		name    string
		refusal *telegramtest.Response
	}{
		{"blocked (403)", telegramtest.APIError(403, "Forbidden: bot was blocked by the user", 0)},
		{"chat not found (400)", telegramtest.APIError(400, "Bad Request: chat not found", 0)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake(t)
				f.Respond("sendMessageDraft", func(r telegramtest.Request, _ int) *telegramtest.Response {
					if r.Get("chat_id") == "7" {
						return tt.refusal
					}
					return nil
				})
				b, _ := newTestBot(t, f, streamingAnswerer(), func(c *Config, d *Deps) { c.EditInterval = streamInterval })
				handle(t, b, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "one"))
				handle(t, b, telegramtest.PrivateMessage(telegramtest.User{ID: 8}, "two"))
				refused := 0
				for _, r := range f.Requests("sendMessageDraft") {
					if r.Get("chat_id") == "7" {
						refused++
					}
				}
				if refused != 1 {
					t.Errorf("%d draft requests in the refusing chat, want 1", refused)
				}
				if msgs := f.Messages(7); len(msgs) != 1 || msgs[0].Edits == 0 {
					t.Errorf("refusing chat shows %+v, want the answer streamed by edits", msgs)
				}
				if len(f.Drafts(8)) == 0 {
					t.Errorf("no drafts in another chat after one chat refused one")
				}
				if msgs := f.Messages(8); len(msgs) != 1 || msgs[0].Edits != 0 {
					t.Errorf("other chat shows %+v, want one answer after drafts", msgs)
				}
			})
		})
	}
}

func TestGroupsStreamByEditsWithoutPlaceholder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		b, _ := newTestBot(t, f, streamingAnswerer(), func(c *Config, d *Deps) { c.EditInterval = streamInterval })
		start := time.Now()
		handle(t, b, telegramtest.GroupMessage(-5, telegramtest.User{ID: 7}, "@CiteBot stream please"))
		took := time.Since(start)
		if n := len(f.Requests("sendMessageDraft")); n != 0 {
			t.Errorf("%d drafts in a group", n)
		}
		sends := f.Requests("sendMessage")
		if len(sends) != 1 || !strings.HasPrefix(sends[0].Get("text"), "word0") || !strings.HasSuffix(sends[0].Get("text"), " …") {
			t.Fatalf("want one message starting with the first streamed text, got %v", textsOf(sends))
		}
		edits := f.Requests("editMessageText")
		if len(edits) < 3 {
			t.Fatalf("only %d edits", len(edits))
		}
		checkSpaced(t, "edit", edits, sends[0].Time, took)
		final := edits[len(edits)-1]
		if !strings.Contains(final.Get("text"), "<blockquote expandable>The second paragraph</blockquote>") || final.Get("reply_markup") == "" {
			t.Errorf("final edit lacks the citation or buttons: %q", final.Get("text"))
		}
		for _, e := range edits[:len(edits)-1] {
			if !strings.HasSuffix(e.Get("text"), " …") {
				t.Errorf("streaming edit without cursor: %q", e.Get("text"))
			}
		}
	})
}

// TestReactions: a slow answer in a group puts 👀 on the question while it
// is answered and takes it off after; a private chat gets none; a user
// over the rate limit is told once, then gets 😴; and a server without
// setMessageReaction changes nothing else.
func TestReactions(t *testing.T) {
	slow := func(f *fakeAnswerer) *fakeAnswerer {
		f.answer = func(context.Context, answer.Question, func(string)) (answer.Answer, error) {
			time.Sleep(time.Second)
			return answer.Answer{Lang: "en", Text: "slow"}, nil
		}
		return f
	}
	t.Run("while answering", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake(t)
			b, _ := newTestBot(t, f, slow(newFakeAnswerer()), nil)
			q := telegramtest.GroupMessage(-5, telegramtest.User{ID: 7}, "@CiteBot q")
			qid := q["message"].(map[string]any)["message_id"].(int)
			done := make(chan struct{})
			go func() { defer close(done); handle(t, b, q) }()
			time.Sleep(typingDelay + 100*time.Millisecond)
			if got := f.Reaction(-5, qid); got != "👀" {
				t.Errorf("while answering the question shows %q, want 👀", got)
			}
			<-done
			if got := f.Reaction(-5, qid); got != "" {
				t.Errorf("after the answer the question shows %q, want no reaction", got)
			}
			if len(f.Sent(-5)) != 1 {
				t.Errorf("no answer")
			}
			handle(t, b, telegramtest.PrivateMessage(telegramtest.User{ID: 8}, "q"))
			for _, r := range f.Requests("setMessageReaction") {
				if r.ChatID() == 8 {
					t.Errorf("a reaction in a private chat: %v", r.Params)
				}
			}
		})
	})
	t.Run("server lacks the method", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake(t)
			f.Refuse("setMessageReaction")
			b, _ := newTestBot(t, f, slow(newFakeAnswerer()), nil)
			handle(t, b, telegramtest.GroupMessage(-5, telegramtest.User{ID: 7}, "@CiteBot q"))
			if len(f.Sent(-5)) != 1 || len(f.Requests("setMessageReaction")) == 0 {
				t.Errorf("sent %d, reactions tried %d: want the answer delivered after a refused reaction",
					len(f.Sent(-5)), len(f.Requests("setMessageReaction")))
			}
		})
	})
	t.Run("rate limited", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake(t)
			b, _ := newTestBot(t, f, newFakeAnswerer(), func(c *Config, d *Deps) { c.RatePerMinute, c.RateBurst = 1, 1 })
			var ids []int
			for i := range 4 {
				q := telegramtest.GroupMessage(-5, telegramtest.User{ID: 7, Lang: "zh-hans"}, fmt.Sprintf("@CiteBot 问题%d", i))
				ids = append(ids, q["message"].(map[string]any)["message_id"].(int))
				handle(t, b, q)
			}
			sent := textsOf(f.Sent(-5))
			if len(sent) != 2 || !strings.Contains(sent[1], "请等大约") {
				t.Errorf("group got %q, want one answer and one notice", sent)
			}
			for i, want := range []string{"", "", "😴", "😴"} {
				if got := f.Reaction(-5, ids[i]); got != want {
					t.Errorf("question %d shows %q, want %q", i, got, want)
				}
			}
		})
	})
}

// oneDocRetriever is an answer.Retriever over two fixed paragraphs.
type oneDocRetriever struct{}

var oneDocParas = []string{"The lighthouse was built in 1881 on Granite Point.", "Its keeper, Lin Haiyan, worked there for twenty years."}

func (oneDocRetriever) Retrieve(context.Context, string, int) ([]answer.Passage, error) {
	var out []answer.Passage
	start := 0
	for i, p := range oneDocParas {
		out = append(out, answer.Passage{Doc: "lighthouse.txt", Paragraph: i + 1, Text: p, Start: start, End: start + len(p), Score: 1 - float64(i)/10})
		start += len(p) + 2
	}
	return out, nil
}

func (r oneDocRetriever) Paragraph(doc string, n int) (answer.Passage, bool) {
	ps, _ := r.Retrieve(context.Background(), "", 2)
	if n < 1 || n > len(ps) {
		return answer.Passage{}, false
	}
	return ps[n-1], true
}

func (oneDocRetriever) Documents() []answer.DocInfo {
	return []answer.DocInfo{{Name: "lighthouse.txt", Paragraphs: 2}}
}

// streamingModel streams a reply in small chunks, 30 ms apart.
type streamingModel struct{ reply string }

func (m streamingModel) Complete(ctx context.Context, _ []answer.Message, onDelta func(string)) (string, error) {
	r := []rune(m.reply)
	for i := 0; i < len(r); i += 4 {
		time.Sleep(30 * time.Millisecond)
		if onDelta != nil {
			onDelta(string(r[i:min(i+4, len(r))]))
		}
	}
	return m.reply, nil
}

// TestDraftsShowOnlyVerifiedText: a private-chat answer by the real engine
// from a model that quotes the document once and invents a quote once
// streams as drafts that never show the invented words, and ends with
// exactly one message.
func TestDraftsShowOnlyVerifiedText(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		const invented = "a storm destroyed it in 1990"
		model := streamingModel{reply: "It was built 「in 1881 on Granite Point」[1]. The records say 「" + invented + "」[1]. Its keeper stayed 「for twenty years」[2]."}
		eng := answer.New(oneDocRetriever{}, model, answer.Options{})
		b, _ := newTestBot(t, f, eng, func(c *Config, d *Deps) { c.EditInterval = 100 * time.Millisecond })
		handle(t, b, telegramtest.PrivateMessage(telegramtest.User{ID: 7}, "When was the lighthouse built and who kept it?"))
		drafts := f.Drafts(7)
		if len(drafts) == 0 {
			t.Fatalf("%d drafts, want the answer streamed", len(drafts))
		}
		for i, d := range drafts {
			if strings.Contains(d.Text, "storm") || strings.Contains(d.Text, "1990") {
				t.Errorf("draft %d shows unverified text: %q", i+1, d.Text)
			}
		}
		msgs := f.Messages(7)
		if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "in 1881 on Granite Point") || strings.Contains(msgs[0].Text, invented) {
			t.Errorf("chat shows %+v, want exactly one message: the verified answer", msgs)
		}
		if n := len(f.Requests("editMessageText")); n != 0 {
			t.Errorf("%d edits", n)
		}
	})
}

// TestReplayedStreamKeepsItsMessage: a group answer replayed after a
// restart streams into the message its first life sent; when that first
// edit fails, the answer is still edited into that message rather than
// sent beside it (which left the first life's partial text behind).
func TestReplayedStreamKeepsItsMessage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		st := openStore(t, filepath.Join(t.TempDir(), store.FileName))
		const group = -5
		first := sendAs(t, f, group, "streamed text of the first life …")
		id := storePending(t, st, telegramtest.GroupMessage(group, telegramtest.User{ID: 7}, "@CiteBot q"), time.Now(), first)
		f.Respond("editMessageText", func(_ telegramtest.Request, n int) *telegramtest.Response {
			if n == 1 {
				return telegramtest.APIError(400, "Bad Request: something unexpected", 0)
			}
			return nil
		})
		b, _ := newTestBot(t, f, streamingAnswerer(), func(c *Config, d *Deps) { d.Store = st })
		stop := runBot(t, b)
		waitDone(t, st, id)
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		msgs := f.Messages(group)
		if len(msgs) != 1 || msgs[0].ID != first || !strings.Contains(msgs[0].Text, "The second paragraph") {
			t.Errorf("group shows %+v, want only message %d, holding the answer", msgs, first)
		}
	})
}
