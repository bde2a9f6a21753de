package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot/telegramtest"
)

const admin = 7

// uploadBot is a bot with admin 7, a fakeLibrary and an upload limit of
// 1000 bytes.
func uploadBot(tb testing.TB, edit func(*Config, *Deps)) (*Bot, *telegramtest.Server, *fakeAnswerer, *fakeLibrary, *telegramtest.LogBuffer) {
	tb.Helper()
	f := newFake(tb)
	a := newFakeAnswerer()
	lib := &fakeLibrary{a: a, paragraphs: 7}
	b, logs := newTestBot(tb, f, a, func(c *Config, d *Deps) {
		c.Admins = []int64{admin}
		c.MaxUploadBytes = 1000
		d.Documents = lib
		if edit != nil {
			edit(c, d)
		}
	})
	return b, f, a, lib, logs
}

func TestUpload(t *testing.T) {
	text := []byte("First paragraph.\n\nSecond paragraph, 第二段。\n")
	big := bytes.Repeat([]byte("x"), 1001)
	alice, zhAdmin, bob := telegramtest.User{ID: admin}, telegramtest.User{ID: admin, Lang: "zh-hans"}, telegramtest.User{ID: 8}
	tests := []struct {
		name  string
		file  *telegramtest.File // served as file_id "F"
		upd   telegramtest.Update
		noLib bool
		// addErr is what AddDocument returns.
		addErr error
		// want is a substring of the one reply; "" means no reply.
		want         string
		wantGetFile  bool
		wantDownload bool
		// wantAdded is the name AddDocument got ("" for no call); it must
		// get the served bytes.
		wantAdded string
	}{
		{
			name: "admin adds a txt", file: &telegramtest.File{Path: "documents/file_1.txt", Data: text},
			upd:  telegramtest.DocumentMessage(alice, "F", "notes.txt", len(text)),
			want: "Added notes.txt: 7 paragraphs. Ask away.", wantGetFile: true, wantDownload: true, wantAdded: "notes.txt",
		},
		{
			name: "in Chinese for a Chinese client", file: &telegramtest.File{Path: "documents/file_1.txt", Data: text},
			upd:  telegramtest.DocumentMessage(zhAdmin, "F", "笔记.md", len(text)),
			want: "已添加 笔记.md：共 7 段。", wantGetFile: true, wantDownload: true, wantAdded: "笔记.md",
		},
		{
			name: "extension in capitals, size unknown", file: &telegramtest.File{Path: "documents/file 2.PDF", Data: text, Size: -1},
			upd:  telegramtest.DocumentMessage(alice, "F", "Report.PDF", 0),
			want: "Added Report.PDF", wantGetFile: true, wantDownload: true, wantAdded: "Report.PDF",
		},
		{
			name: "directories are dropped from the name", file: &telegramtest.File{Path: "documents/file_3.txt", Data: text},
			upd:  telegramtest.DocumentMessage(alice, "F", `../..\etc/notes.txt`, len(text)),
			want: "Added notes.txt", wantGetFile: true, wantDownload: true, wantAdded: "notes.txt",
		},
		{
			name: "too large by file_size: refused before getFile", file: &telegramtest.File{Path: "documents/big.txt", Data: big},
			upd:  telegramtest.DocumentMessage(alice, "F", "big.txt", 25<<20),
			want: "big.txt is too large (25 MB); the limit is 1000 bytes.",
		},
		{
			name: "too large by getFile: no download", file: &telegramtest.File{Path: "documents/big.txt", Data: big},
			upd:  telegramtest.DocumentMessage(alice, "F", "big.txt", 0),
			want: "big.txt is too large (1001 bytes)", wantGetFile: true,
		},
		{
			name: "lying sizes, Content-Length over the limit", file: &telegramtest.File{Path: "documents/big.txt", Data: big, Size: 10},
			upd:  telegramtest.DocumentMessage(alice, "F", "big.txt", 10),
			want: "big.txt is too large (1001 bytes)", wantGetFile: true, wantDownload: true,
		},
		{
			name: "no sizes, chunked body over the limit", file: &telegramtest.File{Path: "documents/big.txt", Data: big, Size: -1, Chunked: true},
			upd:  telegramtest.DocumentMessage(alice, "F", "big.txt", 0),
			want: "big.txt is larger than the limit of 1000 bytes.", wantGetFile: true, wantDownload: true,
		},
		{
			name: "exactly at the limit, chunked", file: &telegramtest.File{Path: "documents/full.txt", Data: big[:1000], Size: -1, Chunked: true},
			upd:  telegramtest.DocumentMessage(alice, "F", "full.txt", 0),
			want: "Added full.txt", wantGetFile: true, wantDownload: true, wantAdded: "full.txt",
		},
		{
			name: "not an admin", file: &telegramtest.File{Path: "documents/file_1.txt", Data: text},
			upd:  telegramtest.DocumentMessage(bob, "F", "notes.txt", len(text)),
			want: "Only admins can add documents.",
		},
		{
			name: "unsupported type", file: &telegramtest.File{Path: "documents/file_1.xlsx", Data: text},
			upd: telegramtest.DocumentMessage(alice, "F", "notes.xlsx", len(text)),
			// The DocumentManager decides; its reason is shown.
			want: "Couldn't add this file: notes.xlsx: unsupported file type",
		},
		{
			name: "no usable name", file: &telegramtest.File{Path: "documents/file_1.txt", Data: text},
			upd:  telegramtest.DocumentMessage(alice, "F", "dir/", len(text)),
			want: "Couldn't add this file: the document needs a file name",
		},
		{
			name: "AddDocument fails: its message is shown", file: &telegramtest.File{Path: "documents/bad.txt", Data: []byte{0xff, 0xfe}},
			upd:    telegramtest.DocumentMessage(alice, "F", "bad.txt", 2),
			addErr: errors.New("bad.txt: not valid UTF-8 text (save it as UTF-8)\nsecond line"),
			want:   "Couldn't add bad.txt: not valid UTF-8 text (save it as UTF-8)", wantGetFile: true, wantDownload: true, wantAdded: "bad.txt",
		},
		{
			name: "an empty document, named by two layers", file: &telegramtest.File{Path: "documents/empty.txt", Data: []byte(" ")},
			upd:    telegramtest.DocumentMessage(alice, "F", "empty.txt", 1),
			addErr: fmt.Errorf("empty.txt: %w", fmt.Errorf("empty.txt: %w\nsecond line", answer.ErrEmptyDocument)),
			want:   "Couldn't add empty.txt: it has no text to quote from.", wantGetFile: true, wantDownload: true, wantAdded: "empty.txt",
		},
		{
			name: "an error named by two layers is shown without the names", file: &telegramtest.File{Path: "documents/bad.txt", Data: []byte{0xff}},
			upd:    telegramtest.DocumentMessage(zhAdmin, "F", "bad.txt", 1),
			addErr: errors.New("bad.txt: bad.txt: not valid UTF-8 text\nsecond line"),
			want:   "无法添加 bad.txt：not valid UTF-8 text", wantGetFile: true, wantDownload: true, wantAdded: "bad.txt",
		},
		{
			name: "getFile fails", file: nil,
			upd:  telegramtest.DocumentMessage(alice, "F", "notes.txt", 10),
			want: "Couldn't download notes.txt from Telegram.", wantGetFile: true,
		},
		{
			name: "the download connection breaks", file: &telegramtest.File{Path: "documents/file_1.txt", Data: text, Hangup: true},
			upd:  telegramtest.DocumentMessage(alice, "F", "notes.txt", len(text)),
			want: "Couldn't download notes.txt from Telegram.", wantGetFile: true, wantDownload: true,
		},
		{
			name: "uploads disabled", file: &telegramtest.File{Path: "documents/file_1.txt", Data: text}, noLib: true,
			upd:  telegramtest.DocumentMessage(alice, "F", "notes.txt", len(text)),
			want: "not enabled",
		},
		{
			name: "group: ignored", file: &telegramtest.File{Path: "documents/file_1.txt", Data: text},
			upd: telegramtest.DocumentMessage(alice, "F", "notes.txt", len(text)).With("chat", map[string]any{"id": -100, "type": "supergroup"}),
		},
		{
			name: "group: addressed by caption, refused", file: &telegramtest.File{Path: "documents/file_1.txt", Data: text},
			upd:  telegramtest.DocumentMessage(alice, "F", "notes.txt", len(text)).With("chat", map[string]any{"id": -100, "type": "supergroup"}, "caption", "@CiteBot add this"),
			want: "in a private chat",
		},
		{
			name: "group: addressed by a non-admin, refused", file: &telegramtest.File{Path: "documents/file_1.txt", Data: text},
			upd:  telegramtest.DocumentMessage(bob, "F", "notes.txt", len(text)).With("chat", map[string]any{"id": -100, "type": "supergroup"}, "caption", "@CiteBot add this"),
			want: "Only admins",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, f, a, lib, logs := uploadBot(t, func(c *Config, d *Deps) {
				if tt.noLib {
					d.Documents = nil
				}
			})
			lib.addErr = tt.addErr
			if tt.file != nil {
				f.AddFile("F", *tt.file)
			}
			u := decodeUpdate(t, tt.upd)
			b.HandleUpdate(context.Background(), u)
			if !b.intake.wait(time.Minute) {
				t.Fatal("the document is still being read")
			}

			sent := f.Sent(u.Message.Chat.ID)
			switch {
			case tt.want == "" && len(sent) != 0:
				t.Errorf("got %q, want silence", sent[0].Get("text"))
			case tt.want != "" && (len(sent) != 1 || !strings.Contains(sent[0].Get("text"), tt.want)):
				t.Errorf("got %d replies %v, want one containing %q", len(sent), textsOf(sent), tt.want)
			}
			gets := f.Requests("getFile")
			if (len(gets) == 1) != tt.wantGetFile || len(gets) > 1 {
				t.Errorf("%d getFile, want %v", len(gets), tt.wantGetFile)
			}
			if len(gets) == 1 && gets[0].Get("file_id") != "F" {
				t.Errorf("getFile file_id = %q", gets[0].Get("file_id"))
			}
			downloads := f.Requests("download")
			// A broken connection may be retried once by net/http.
			if (len(downloads) > 0) != tt.wantDownload || len(downloads) > 1 && !tt.file.Hangup {
				t.Errorf("%d downloads, want %v", len(downloads), tt.wantDownload)
			}
			for _, d := range downloads {
				if d.Get("path") != tt.file.Path || d.Status != 200 {
					t.Errorf("download of %q answered %d, want %q", d.Get("path"), d.Status, tt.file.Path)
				}
			}
			added, _ := lib.calls()
			switch {
			case tt.wantAdded == "" && len(added) != 0:
				t.Errorf("AddDocument called with %q", added[0].Name)
			case tt.wantAdded != "":
				if len(added) != 1 {
					t.Fatalf("AddDocument called %d times", len(added))
				}
				if added[0].Name != tt.wantAdded || !bytes.Equal(added[0].Data, tt.file.Data) {
					t.Errorf("AddDocument(%q, %d bytes), want (%q, %d bytes)", added[0].Name, len(added[0].Data), tt.wantAdded, len(tt.file.Data))
				}
			}
			if tt.addErr == nil && len(added) == 1 && !hasDoc(a.Documents(), tt.wantAdded) {
				t.Errorf("Documents() = %v after the add", a.Documents())
			}
			if tt.addErr != nil {
				// The admin sees the first line; the log has it all.
				if len(sent) == 1 && strings.Contains(sent[0].Get("text"), "second line") {
					t.Errorf("reply has the error's second line: %q", sent[0].Get("text"))
				}
				if !strings.Contains(logs.String(), strconv.Quote(tt.addErr.Error())) {
					t.Errorf("the error is not logged in full:\n%s", logs.String())
				}
			}
		})
	}
}

func hasDoc(docs []answer.DocInfo, name string) bool {
	for _, d := range docs {
		if d.Name == name {
			return true
		}
	}
	return false
}

func TestUploadFailureIsLoggedWithoutTheToken(t *testing.T) {
	b, f, _, _, logs := uploadBot(t, nil)
	f.AddFile("F", telegramtest.File{Path: "documents/file_1.txt", Data: []byte("x"), Hangup: true})
	b.HandleUpdate(context.Background(), decodeUpdate(t, telegramtest.DocumentMessage(telegramtest.User{ID: admin}, "F", "notes.txt", 1)))
	out := logs.String()
	if !strings.Contains(out, "couldn't download a document") || !strings.Contains(out, "/file/botREDACTED/documents/file_1.txt") {
		t.Errorf("the download error is not logged scrubbed:\n%s", out)
	}
	// newTestBot's cleanup fails the test if the token is in the logs.
}

func TestRemove(t *testing.T) {
	tests := []struct {
		name       string
		upd        telegramtest.Update
		removeErr  error
		want       string
		wantRemove string // the name RemoveDocument got; "" for no call
	}{
		{"admin removes", telegramtest.PrivateMessage(telegramtest.User{ID: admin}, "/remove sample.txt"), nil, "Removed sample.txt.", "sample.txt"},
		{"name in another case", telegramtest.PrivateMessage(telegramtest.User{ID: admin}, "/remove SAMPLE.TXT"), nil, "Removed sample.txt.", "sample.txt"},
		{"in Chinese", telegramtest.PrivateMessage(telegramtest.User{ID: admin, Lang: "zh"}, "/remove sample.txt"), nil, "已删除 sample.txt。", "sample.txt"},
		{"the library refuses", telegramtest.PrivateMessage(telegramtest.User{ID: admin}, "/remove sample.txt"), errors.New("sample.txt is the last document"),
			"Couldn't remove sample.txt: sample.txt is the last document", "sample.txt"},
		{"unknown name", telegramtest.PrivateMessage(telegramtest.User{ID: admin}, "/remove other.txt"), nil, "There is no document called other.txt. Documents: sample.txt", ""},
		{"no name", telegramtest.PrivateMessage(telegramtest.User{ID: admin}, "/remove"), nil, "Usage: /remove NAME, with one of: sample.txt", ""},
		{"not an admin", telegramtest.PrivateMessage(telegramtest.User{ID: 8}, "/remove sample.txt"), nil, "Only admins can remove documents.", ""},
		{"admin in a group", telegramtest.GroupMessage(-100, telegramtest.User{ID: admin}, "/remove sample.txt"), nil, "in a private chat", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, f, a, lib, _ := uploadBot(t, nil)
			lib.removeErr = tt.removeErr
			u := decodeUpdate(t, tt.upd)
			b.HandleUpdate(context.Background(), u)
			if !b.intake.wait(time.Minute) {
				t.Fatal("the document is still being read")
			}
			sent := f.Sent(u.Message.Chat.ID)
			if len(sent) != 1 || !strings.Contains(sent[0].Get("text"), tt.want) {
				t.Fatalf("got %v, want one reply containing %q", textsOf(sent), tt.want)
			}
			_, removed := lib.calls()
			if want := []string{tt.wantRemove}; tt.wantRemove == "" && len(removed) != 0 || tt.wantRemove != "" && !cmp.Equal(removed, want) {
				t.Errorf("RemoveDocument calls = %q, want %q", removed, tt.wantRemove)
			}
			if gone := tt.wantRemove != "" && tt.removeErr == nil; gone == hasDoc(a.Documents(), "sample.txt") {
				t.Errorf("Documents() = %v", a.Documents())
			}
		})
	}
}

func TestDocsAndHelp(t *testing.T) {
	const group = -100
	tests := []struct {
		name   string
		noLib  bool
		upd    telegramtest.Update
		want   []string
		absent []string
	}{
		{"docs for everyone", false, telegramtest.PrivateMessage(telegramtest.User{ID: 8}, "/docs"),
			[]string{"1. sample.txt — 3 paragraphs", "2. notes.md — 12 paragraphs"}, []string{"/remove"}},
		{"docs in a group", false, telegramtest.GroupMessage(group, telegramtest.User{ID: 8}, "/docs@CiteBot"), []string{"1. sample.txt — 3 paragraphs"}, nil},
		{"docs in Chinese", false, telegramtest.PrivateMessage(telegramtest.User{ID: 8, Lang: "zh"}, "/docs"), []string{"1. sample.txt — 3 段"}, nil},
		{"docs for an admin", false, telegramtest.PrivateMessage(telegramtest.User{ID: admin}, "/docs"), []string{"2. notes.md", "document file to add it", "/remove NAME"}, nil},
		{"docs for an admin in a group", false, telegramtest.GroupMessage(group, telegramtest.User{ID: admin}, "/docs"), []string{"2. notes.md"}, []string{"/remove"}},
		{"docs for an admin without a library", true, telegramtest.PrivateMessage(telegramtest.User{ID: admin}, "/docs"), []string{"2. notes.md"}, []string{"/remove"}},
		{"help lists /docs", false, telegramtest.PrivateMessage(telegramtest.User{ID: 8}, "/help"), []string{"/docs – "}, []string{"/remove", "Admin"}},
		{"help for an admin", false, telegramtest.PrivateMessage(telegramtest.User{ID: admin}, "/help"), []string{"/docs – ", "Admin", "(up to 1000 bytes)", "/remove NAME"}, nil},
		{"help for an admin in Chinese", false, telegramtest.PrivateMessage(telegramtest.User{ID: admin, Lang: "zh"}, "/help"), []string{"管理员\n", "不超过 1000 字节", "/remove 文档名"}, nil},
		{"help for an admin without a library", true, telegramtest.PrivateMessage(telegramtest.User{ID: admin}, "/help"), []string{"/docs – "}, []string{"/remove"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, f, a, _, _ := uploadBot(t, func(c *Config, d *Deps) {
				if tt.noLib {
					d.Documents = nil
				}
			})
			a.setDocs([]answer.DocInfo{{Name: "sample.txt", Paragraphs: 3}, {Name: "notes.md", Paragraphs: 12}})
			u := decodeUpdate(t, tt.upd)
			b.HandleUpdate(context.Background(), u)
			if !b.intake.wait(time.Minute) {
				t.Fatal("the document is still being read")
			}
			sent := f.Sent(u.Message.Chat.ID)
			if len(sent) != 1 {
				t.Fatalf("got %d replies", len(sent))
			}
			got := sent[0].Get("text")
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("reply lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tt.absent {
				if strings.Contains(got, w) {
					t.Errorf("reply has %q:\n%s", w, got)
				}
			}
		})
	}
}

func TestCommandMenuHasDocs(t *testing.T) {
	f := newFake(t)
	b, _ := newTestBot(t, f, newFakeAnswerer(), nil)
	b.setCommands(context.Background())
	menus := f.Requests("setMyCommands")
	if len(menus) != 2 {
		t.Fatalf("got %d setMyCommands", len(menus))
	}
	for _, m := range menus {
		var cmds []struct{ Command string }
		m.JSON(t, "commands", &cmds)
		found := false
		for _, c := range cmds {
			found = found || c.Command == "docs"
		}
		if !found {
			t.Errorf("menu %q lacks /docs: %+v", m.Get("language_code"), cmds)
		}
	}
}

// TestSourceButtonsSurviveDocumentChanges checks that a source button keeps
// showing its document's paragraph after documents are added before it,
// and says the document is gone after it is removed.
func TestSourceButtonsSurviveDocumentChanges(t *testing.T) {
	b, f, a, lib, _ := uploadBot(t, nil)
	a.setDocs([]answer.DocInfo{{Name: "sample.txt", Paragraphs: 3}, {Name: "b.txt", Paragraphs: 1}})
	a.paras["b.txt"] = map[int]string{1: "Paragraph one of b."}
	a.answer = func(context.Context, answer.Question, func(string)) (answer.Answer, error) {
		return answer.Answer{Lang: "en", Text: "x [1]", Citations: []answer.Citation{{N: 1, Doc: "b.txt", Paragraph: 1, Quote: "one"}}}, nil
	}
	ctx := context.Background()
	b.HandleUpdate(ctx, decodeUpdate(t, telegramtest.PrivateMessage(telegramtest.User{ID: 8}, "q")))
	sent := f.Sent(8)
	if len(sent) != 1 {
		t.Fatalf("got %d messages", len(sent))
	}
	var kb struct {
		InlineKeyboard [][]struct {
			CallbackData string `json:"callback_data"`
		} `json:"inline_keyboard"`
	}
	sent[0].JSON(t, "reply_markup", &kb)
	data := kb.InlineKeyboard[0][0].CallbackData
	press := func(id, data string) {
		handle(t, b, telegramtest.Callback(id, data, telegramtest.User{ID: 8}, telegramtest.BotMessage(1001, 8, "private")))
	}

	// Another document now comes first: the index of b.txt changed.
	a.setDocs(append([]answer.DocInfo{{Name: "a.txt", Paragraphs: 5}}, a.Documents()...))
	press("cb1", data)
	// An old-style button (document index) still resolves by index.
	press("cb2", "src:2:1")
	if err := lib.RemoveDocument(ctx, "b.txt"); err != nil {
		t.Fatal(err)
	}
	press("cb3", data)

	sent = f.Sent(8)
	if len(sent) != 3 {
		t.Fatalf("got %d messages, want the answer and two paragraphs", len(sent))
	}
	for _, s := range sent[1:] {
		if !strings.Contains(s.Get("text"), "Paragraph one of b.") {
			t.Errorf("paragraph message = %q", s.Get("text"))
		}
	}
	acks := f.Requests("answerCallbackQuery")
	if len(acks) != 3 || acks[0].Get("text") != "" || acks[1].Get("text") != "" || acks[2].Get("text") != "That document is no longer loaded." {
		t.Errorf("callback answers = %v", acks)
	}
}

func TestFormatSize(t *testing.T) {
	for _, tt := range []struct {
		n    int64
		lang string
		want string
	}{
		{0, "en", "0 bytes"}, {1000, "en", "1000 bytes"}, {1024, "en", "1 KB"}, {300 << 10, "en", "300 KB"},
		{20 << 20, "en", "20 MB"}, {20<<20 + 1<<19, "en", "20.5 MB"}, {1000, "zh", "1000 字节"},
	} {
		if got := formatSize(tt.n, tt.lang); got != tt.want {
			t.Errorf("formatSize(%d, %s) = %q, want %q", tt.n, tt.lang, got, tt.want)
		}
	}
}

// TestUploadSameNameSaysReplaced: an admin's shared document sent again
// under the same name says it replaced the old one.
func TestUploadSameNameSaysReplaced(t *testing.T) {
	b, f, _, _, _ := uploadBot(t, nil)
	user := telegramtest.User{ID: admin}
	for i, want := range []string{"Added notes.txt: 7 paragraphs. Ask away.", "Replaced notes.txt: 7 paragraphs. Ask away."} {
		b.HandleUpdate(context.Background(), uploadFile(t, f, user, fmt.Sprint("F", i), "notes.txt"))
		b.intake.wait(time.Minute)
		if got := lastText(f, admin); got != want {
			t.Errorf("upload %d: %q, want %q", i+1, got, want)
		}
	}
}
