package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot/telegramtest"
)

// fakeShelf is a Libraries over per-chat fake answerers: a chat with
// documents answers from its own fakeAnswerer (the shared documents plus
// its own), others from the shared one.
type fakeShelf struct {
	shared  *fakeAnswerer
	addErr  error
	fetched []string
	// read, when set, is how reading name takes (it may sleep), before
	// the document is added.
	read func(ctx context.Context, name string) error

	mu      sync.Mutex
	chats   map[int64]*fakeAnswerer
	owners  map[int64]map[string]int64
	removed []string
	forgot  []int64
}

func newFakeShelf(shared *fakeAnswerer) *fakeShelf {
	return &fakeShelf{shared: shared, chats: map[int64]*fakeAnswerer{}, owners: map[int64]map[string]int64{}}
}

func (s *fakeShelf) Answerer(_ context.Context, chat int64) (answer.Answerer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.chats[chat]; a != nil {
		return a, nil
	}
	return s.shared, nil
}

func (s *fakeShelf) CleanName(name string) (string, error) { return (&fakeLibrary{}).CleanName(name) }

func (s *fakeShelf) AddOwn(ctx context.Context, chat, user int64, name string, data []byte, _ func(answer.Progress)) (answer.DocInfo, bool, error) {
	if s.addErr != nil {
		return answer.DocInfo{}, false, s.addErr
	}
	if s.read != nil {
		if err := s.read(ctx, name); err != nil {
			return answer.DocInfo{}, false, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.chats[chat]
	if a == nil {
		a = newFakeAnswerer()
		s.chats[chat] = a
		s.owners[chat] = map[string]int64{}
	}
	_, replaced := s.owners[chat][name]
	s.owners[chat][name] = user
	if !replaced {
		a.setDocs(append(a.Documents(), answer.DocInfo{Name: name, Paragraphs: 2}))
	}
	return answer.DocInfo{Name: name, Paragraphs: 2}, replaced, nil
}

func (s *fakeShelf) RemoveOwn(_ context.Context, chat int64, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.owners[chat], name)
	a := s.chats[chat]
	a.setDocs(slices.DeleteFunc(a.Documents(), func(d answer.DocInfo) bool { return d.Name == name }))
	s.removed = append(s.removed, name)
	return nil
}

func (s *fakeShelf) Forget(chat int64) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.owners[chat])
	delete(s.owners, chat)
	delete(s.chats, chat)
	s.forgot = append(s.forgot, chat)
	return n, nil
}

func (s *fakeShelf) Owner(chat int64, name string) (int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.owners[chat][name]
	return u, ok
}

const group = -100500

// chatDocsBot is a bot with chat libraries over a fake shelf; user 8 is
// an admin of the group, user 9 a member; admin (7) is a bot admin.
func chatDocsBot(t *testing.T, edit func(*Config, *Deps)) (*Bot, *telegramtest.Server, *fakeShelf) {
	t.Helper()
	f := newFake(t)
	a := newFakeAnswerer()
	shelf := newFakeShelf(a)
	b, _ := newTestBot(t, f, a, func(c *Config, d *Deps) {
		c.Admins, c.MaxUploadBytes, c.ChatUploads = []int64{admin}, 1000, "all"
		d.Libraries = shelf
		d.Fetch = func(_ context.Context, url string) (string, []byte, error) {
			shelf.fetched = append(shelf.fetched, url)
			if strings.Contains(url, "private") {
				return "", nil, errors.New("the link leads to a private or local network address")
			}
			return "page.txt", []byte("text"), nil
		}
		if edit != nil {
			edit(c, d)
		}
	})
	f.Respond("getChatMember", func(r telegramtest.Request, _ int) *telegramtest.Response {
		status := "member"
		if r.Get("user_id") == "8" {
			status = "administrator"
		}
		return telegramtest.OK(map[string]any{"status": status, "user": map[string]any{"id": 8, "is_bot": false, "first_name": "A"}})
	})
	return b, f, shelf
}

// groupUpload is user's file in the group, its caption mentioning the bot.
func groupUpload(t *testing.T, f *telegramtest.Server, user telegramtest.User, id, name string) Update {
	t.Helper()
	u := uploadFile(t, f, user, id, name)
	u.Message.Chat.ID, u.Message.Chat.Type = group, "supergroup"
	u.Message.Caption = "@CiteBot"
	return u
}

func lastText(f *telegramtest.Server, chat int64) string {
	msgs := f.Messages(chat)
	if len(msgs) == 0 {
		return ""
	}
	return msgs[len(msgs)-1].Text
}

func TestChatUploads(t *testing.T) {
	b, f, shelf := chatDocsBot(t, nil)
	alice, bob, member, groupAdmin := telegramtest.User{ID: 21}, telegramtest.User{ID: 22}, telegramtest.User{ID: 9}, telegramtest.User{ID: 8}
	ctx := context.Background()

	b.HandleUpdate(ctx, uploadFile(t, f, alice, "A", "notes.txt"))
	b.intake.wait(time.Minute)
	if got := lastText(f, 21); got != "Added notes.txt to this chat: 2 paragraphs. Ask me anything about it." {
		t.Errorf("alice's upload: %q", got)
	}
	b.HandleUpdate(ctx, uploadFile(t, f, alice, "A", "notes.txt"))
	b.intake.wait(time.Minute)
	if got := lastText(f, 21); !strings.HasPrefix(got, "Replaced notes.txt in this chat") {
		t.Errorf("the same name again: %q", got)
	}
	handle(t, b, telegramtest.PrivateMessage(alice, "/docs"))
	if got := lastText(f, 21); !strings.Contains(got, "notes.txt — 2 paragraphs · this chat's") || !strings.Contains(got, "/forget") {
		t.Errorf("alice's /docs: %q", got)
	}
	handle(t, b, telegramtest.PrivateMessage(bob, "/docs"))
	if got := lastText(f, 22); strings.Contains(got, "notes.txt") {
		t.Errorf("bob's /docs lists alice's document: %q", got)
	}
	handle(t, b, telegramtest.PrivateMessage(bob, "what do the notes say?"))
	if len(shelf.shared.asked()) != 1 || len(shelf.chats[21].asked()) != 0 {
		t.Errorf("bob's question went to the wrong documents")
	}
	handle(t, b, telegramtest.PrivateMessage(alice, "what do the notes say?"))
	if len(shelf.chats[21].asked()) != 1 {
		t.Errorf("alice's question was not asked of her documents")
	}

	// In the group: a member's file is ignored without a word, an admin's
	// joins the group.
	before := len(f.Messages(group))
	b.HandleUpdate(ctx, groupUpload(t, f, member, "M", "member.txt"))
	b.intake.wait(time.Minute)
	if n := len(f.Messages(group)); n != before || shelf.chats[group] != nil {
		t.Errorf("a member's file: %d new messages, added %v", n-before, shelf.chats[group] != nil)
	}
	b.HandleUpdate(ctx, groupUpload(t, f, groupAdmin, "G", "handbook.md"))
	b.intake.wait(time.Minute)
	if got := lastText(f, group); !strings.Contains(got, "Added handbook.md to this chat") || !strings.Contains(got, "/ask") {
		t.Errorf("a group admin's file: %q", got)
	}
	if _, own := shelf.Owner(group, "handbook.md"); !own {
		t.Error("the group admin's file is not the group's")
	}

	// A file posted without a mention is added when an admin replies /add
	// to it; a member's /add reply is ignored like their files.
	f.AddFile("P", telegramtest.File{Path: "documents/P.txt", Data: []byte("Some text.\n")})
	posted := telegramtest.DocumentMessage(member, "P", "posted.txt", 11).With("chat", map[string]any{"id": group, "type": "supergroup"})["message"]
	b.HandleUpdate(ctx, decodeUpdate(t, telegramtest.GroupMessage(group, member, "/add").With("reply_to_message", posted)))
	b.intake.wait(time.Minute)
	if _, own := shelf.Owner(group, "posted.txt"); own {
		t.Error("a member's /add reply added the file")
	}
	b.HandleUpdate(ctx, decodeUpdate(t, telegramtest.GroupMessage(group, groupAdmin, "/add").With("reply_to_message", posted)))
	b.intake.wait(time.Minute)
	if got := lastText(f, group); !strings.Contains(got, "Added posted.txt to this chat") {
		t.Errorf("a group admin's /add reply to a file: %q", got)
	}
}

func TestChatRemoveAndForget(t *testing.T) {
	b, f, shelf := chatDocsBot(t, nil)
	alice, member, groupAdmin := telegramtest.User{ID: 21}, telegramtest.User{ID: 9}, telegramtest.User{ID: 8}
	ctx := context.Background()
	b.HandleUpdate(ctx, groupUpload(t, f, groupAdmin, "G", "handbook.md"))
	b.intake.wait(time.Minute)
	handle(t, b, telegramtest.GroupMessage(group, member, "/remove handbook.md"))
	if got := lastText(f, group); !strings.Contains(got, "Only whoever added handbook.md") {
		t.Errorf("a member's /remove: %q", got)
	}
	handle(t, b, telegramtest.GroupMessage(group, member, "/remove sample.txt"))
	if got := lastText(f, group); !strings.Contains(got, "sample.txt is a shared document") {
		t.Errorf("/remove of a shared document: %q", got)
	}
	handle(t, b, telegramtest.GroupMessage(group, groupAdmin, "/remove HANDBOOK.md"))
	if got := lastText(f, group); got != "Removed handbook.md." || !slices.Equal(shelf.removed, []string{"handbook.md"}) {
		t.Errorf("the admin's /remove: %q, removed %q", got, shelf.removed)
	}

	b.HandleUpdate(ctx, uploadFile(t, f, alice, "A", "notes.txt"))
	b.intake.wait(time.Minute)
	handle(t, b, telegramtest.PrivateMessage(alice, "/forget"))
	msgs := f.Messages(21)
	ask := msgs[len(msgs)-1]
	if !strings.Contains(ask.Text, "Delete all of this chat's documents (1 document)") || ask.Markup == "" {
		t.Fatalf("/forget asked %+v", ask)
	}
	handle(t, b, telegramtest.Callback("c1", forgetNo, alice, telegramtest.BotMessage(ask.ID, 21, "private")))
	if len(shelf.forgot) != 0 || lastText(f, 21) != "Nothing was deleted." {
		t.Errorf("cancel: forgot %v, message %q", shelf.forgot, lastText(f, 21))
	}
	yes := forgetData([]string{"notes.txt"})
	if !strings.Contains(ask.Markup, yes) {
		t.Fatalf("/forget's buttons %s, want %s", ask.Markup, yes)
	}
	// A tap once the documents changed deletes nothing.
	b.HandleUpdate(ctx, uploadFile(t, f, alice, "B", "more.txt"))
	b.intake.wait(time.Minute)
	handle(t, b, telegramtest.Callback("c2", yes, alice, telegramtest.BotMessage(ask.ID, 21, "private")))
	if len(shelf.forgot) != 0 || !strings.HasPrefix(f.Messages(21)[len(msgs)-1].Text, "Nothing was deleted: this chat's documents changed") {
		t.Errorf("a tap on an old question: forgot %v, chat %+v", shelf.forgot, f.Messages(21))
	}
	yes = forgetData([]string{"more.txt", "notes.txt"})
	handle(t, b, telegramtest.Callback("c2", yes, alice, telegramtest.BotMessage(ask.ID, 21, "private")))
	if !slices.Equal(shelf.forgot, []int64{21}) || f.Messages(21)[len(msgs)-1].Text != "Deleted this chat's documents (2 documents)." {
		t.Errorf("confirm: forgot %v, chat %+v", shelf.forgot, f.Messages(21))
	}
	// A group member cannot forget the group's documents.
	handle(t, b, telegramtest.Callback("c3", forgetYes, member, telegramtest.BotMessage(1, group, "supergroup")))
	if slices.Contains(shelf.forgot, group) {
		t.Error("a member's tap forgot the group's documents")
	}
}

// quota is a refusal over a quota, as package library makes them.
type quota struct {
	setting     string
	limit, need int64
}

func (q quota) Error() string                  { return "over quota" }
func (q quota) Quota() (string, int64, int64)  { return q.setting, q.limit, q.need }
func wrapQuota(q quota) error                  { return fmt.Errorf("notes.txt: %w", q) }
func (s *fakeShelf) refuse(q quota) *fakeShelf { s.addErr = wrapQuota(q); return s }
func TestChatQuotaReplies(t *testing.T) {
	for _, tc := range []struct {
		q    quota
		want string
	}{
		{quota{"chat_max_documents", 10, 11}, "Couldn't add notes.txt: this chat holds 10 documents, the most allowed. /remove one first (see /docs)."},
		{quota{"chat_max_mb", 50 << 20, 60 << 20}, "Couldn't add notes.txt: this chat's documents would take 60 MB, over its limit of 50 MB."},
		{quota{"chat_max_passages", 100, 130}, "would have 130 passages, over its limit of 100"},
		{quota{"user_uploads_per_day", 20, 21}, "you have added 20 documents today"},
		{quota{"stored_max_mb", 1, 2}, "the bot's space for documents is full"},
	} {
		t.Run(tc.q.setting, func(t *testing.T) {
			b, f, shelf := chatDocsBot(t, nil)
			shelf.refuse(tc.q)
			b.HandleUpdate(context.Background(), uploadFile(t, f, telegramtest.User{ID: 21}, "A", "notes.txt"))
			b.intake.wait(time.Minute)
			if got := lastText(f, 21); !strings.Contains(got, tc.want) {
				t.Errorf("reply %q, want %q", got, tc.want)
			}
		})
	}
}

func TestChatAddLink(t *testing.T) {
	b, f, shelf := chatDocsBot(t, nil)
	alice := telegramtest.User{ID: 21}
	handle(t, b, telegramtest.PrivateMessage(alice, "https://example.org/page"))
	b.intake.wait(time.Minute)
	if got := lastText(f, 21); !strings.HasPrefix(got, "Added page.txt to this chat") || !slices.Equal(shelf.fetched, []string{"https://example.org/page"}) {
		t.Errorf("a bare link: %q, fetched %q", got, shelf.fetched)
	}
	handle(t, b, telegramtest.PrivateMessage(alice, "/add http://private.example/"))
	if got := lastText(f, 21); got != "Couldn't add this link: the link leads to a private or local network address" {
		t.Errorf("a refused link: %q", got)
	}
	handle(t, b, telegramtest.PrivateMessage(alice, "/add"))
	if got := lastText(f, 21); !strings.HasPrefix(got, "Usage: /add LINK") {
		t.Errorf("a bare /add: %q", got)
	}
	// A member's /add in a group is ignored like a member's file.
	n := len(shelf.fetched)
	handle(t, b, telegramtest.GroupMessage(group, telegramtest.User{ID: 9}, "/add https://example.org/x"))
	if len(shelf.fetched) != n || len(f.Messages(group)) != 0 {
		t.Errorf("a member's /add in a group: fetched %q, messages %d", shelf.fetched, len(f.Messages(group)))
	}
}

// TestChatUploadsSetting: chat_uploads private keeps groups out, off
// keeps everyone but the bot's admins out.
func TestChatUploadsSetting(t *testing.T) {
	b, f, shelf := chatDocsBot(t, func(c *Config, _ *Deps) { c.ChatUploads = "private" })
	b.HandleUpdate(context.Background(), groupUpload(t, f, telegramtest.User{ID: 8}, "G", "handbook.md"))
	b.intake.wait(time.Minute)
	if shelf.chats[group] != nil || !strings.Contains(lastText(f, group), "does not take documents in groups") {
		t.Errorf("chat_uploads private: a group admin's file: added %v, reply %q", shelf.chats[group] != nil, lastText(f, group))
	}
	before := len(f.Messages(group))
	b.HandleUpdate(context.Background(), groupUpload(t, f, telegramtest.User{ID: 9}, "M", "member.txt"))
	b.intake.wait(time.Minute)
	if len(f.Messages(group)) != before {
		t.Error("chat_uploads private: a member's file was answered")
	}
	b2, f2, shelf2 := chatDocsBot(t, func(c *Config, _ *Deps) { c.ChatUploads = "off" })
	b2.HandleUpdate(context.Background(), uploadFile(t, f2, telegramtest.User{ID: 21}, "A", "notes.txt"))
	b2.intake.wait(0)
	if shelf2.chats[21] != nil || !strings.Contains(lastText(f2, 21), "Only admins can add documents") {
		t.Errorf("chat_uploads off: added %v, reply %q", shelf2.chats[21] != nil, lastText(f2, 21))
	}
}

func TestLooksLikeURL(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"https://example.org/notes.pdf", true},
		{"  http://example.org  ", true},
		{"HTTPS://EXAMPLE.ORG/A", true},
		{"https://", false},
		{"see https://example.org/notes.pdf", false},
		{"https://example.org/a b", false},
		{"example.org/notes.pdf", false},
		{"ftp://example.org/notes.pdf", false},
		{"长江 https://example.org", false},
		{"", false},
	} {
		if got := looksLikeURL(tc.text); got != tc.want {
			t.Errorf("looksLikeURL(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

func FuzzLooksLikeURL(f *testing.F) {
	f.Add("https://example.org/x")
	f.Add("http://a b")
	f.Fuzz(func(t *testing.T, s string) {
		if looksLikeURL(s) {
			l := strings.ToLower(strings.TrimSpace(s))
			if !strings.HasPrefix(l, "http://") && !strings.HasPrefix(l, "https://") || strings.ContainsAny(strings.TrimSpace(s), " \t\r\n") {
				t.Errorf("looksLikeURL(%q) is true", s)
			}
		}
	})
}

// TestStartNamesOwnDocuments: /start tells a user who may add documents
// that they can; without chat libraries it does not.
func TestStartNamesOwnDocuments(t *testing.T) {
	b, f, _ := chatDocsBot(t, nil)
	handle(t, b, telegramtest.PrivateMessage(telegramtest.User{ID: 21}, "/start"))
	if got := lastText(f, 21); !strings.Contains(got, "Got a document of your own? Send me the file (up to 1000 bytes) or /add LINK") {
		t.Errorf("/start with chat libraries: %q", got)
	}
	handle(t, b, telegramtest.PrivateMessage(telegramtest.User{ID: 22, Lang: "zh"}, "/start"))
	if got := lastText(f, 22); !strings.Contains(got, "有自己的文档？") {
		t.Errorf("/start in Chinese: %q", got)
	}
	f2 := newFake(t)
	b2, _ := newTestBot(t, f2, newFakeAnswerer(), nil)
	handle(t, b2, telegramtest.PrivateMessage(telegramtest.User{ID: 21}, "/start"))
	if got := lastText(f2, 21); strings.Contains(got, "your own") {
		t.Errorf("/start without chat libraries: %q", got)
	}
}

// TestCommandArgumentsDoNotSetTheLanguage: a Chinese document name in
// /remove does not make the reply Chinese for an English speaker; a
// Chinese question does.
func TestCommandArgumentsDoNotSetTheLanguage(t *testing.T) {
	b, f, _ := chatDocsBot(t, nil)
	en := telegramtest.User{ID: 21, Lang: "en"}
	handle(t, b, telegramtest.PrivateMessage(en, "/remove 社团章程.txt"))
	if got := lastText(f, 21); isChinese(got[:min(len(got), 12)]) || !strings.Contains(got, "社团章程.txt") {
		t.Errorf("an English speaker's /remove of a Chinese name: %q", got)
	}
	handle(t, b, telegramtest.PrivateMessage(en, "/use 社团章程.txt"))
	if got := lastText(f, 21); isChinese(got[:min(len(got), 12)]) {
		t.Errorf("an English speaker's /use of a Chinese name: %q", got)
	}
	handle(t, b, telegramtest.PrivateMessage(en, "/ask 这份文档讲了什么？"))
	if got := lastText(f, 21); !isChinese(got) {
		t.Errorf("a Chinese question by an English speaker: %q", got)
	}
}

// TestVotesKeepNoOwnText: the answer a vote keeps holds no words of the
// chat's own documents (they go with /remove, /forget and retention, the
// vote stays); a shared document's quote is kept.
func TestVotesKeepNoOwnText(t *testing.T) {
	b, f, shelf := chatDocsBot(t, nil)
	alice := telegramtest.User{ID: 21}
	b.HandleUpdate(context.Background(), uploadFile(t, f, alice, "A", "diagnosis.txt"))
	b.intake.wait(time.Minute)
	shelf.chats[alice.ID].answer = func(_ context.Context, q answer.Question, _ func(string)) (answer.Answer, error) {
		return answer.Answer{Question: q.Text, Lang: "en", Mode: answer.Extractive, Text: "「private words」[1] 「The second paragraph」[2]",
			Citations: []answer.Citation{{N: 1, Doc: "diagnosis.txt", Paragraph: 1, Quote: "private words"}, {N: 2, Doc: "sample.txt", Paragraph: 2, Quote: "The second paragraph"}},
			Related:   []answer.Passage{{Doc: "diagnosis.txt", Paragraph: 2, Text: "more private words"}}}, nil
	}
	id := askAnswer(t, b, f, telegramtest.PrivateMessage(alice, "what does it say?"))
	handle(t, b, telegramtest.Callback("cb", "fb:down", alice, telegramtest.BotMessage(id, alice.ID, "private")))
	votes, err := b.st.Votes(time.Time{})
	if err != nil || len(votes) != 1 {
		t.Fatalf("votes %+v, err %v", votes, err)
	}
	body := string(votes[0].Body)
	if strings.Contains(body, "private words") || !strings.Contains(body, "The second paragraph") || !strings.Contains(body, "diagnosis.txt") {
		t.Errorf("the vote keeps %s", body)
	}
}
