package bot

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot/store"
	"github.com/citebot/citebot/bot/telegramtest"
	"github.com/citebot/citebot/config/backoff"
)

// ocrPages returns a fakeLibrary read that reports pages of OCR, one per
// perPage, like a scanned PDF read page by page.
func ocrPages(pages int, perPage time.Duration) func(context.Context, string, func(answer.Progress)) error {
	return func(ctx context.Context, _ string, progress func(answer.Progress)) error {
		progress(answer.Progress{Stage: "OCR", Total: pages})
		for i := 1; i <= pages; i++ {
			if err := backoff.Sleep(ctx, perPage); err != nil {
				return err
			}
			progress(answer.Progress{Stage: "OCR", Done: i, Total: pages})
		}
		return nil
	}
}

// uploadFile serves text as file_id id and returns its upload by user.
func uploadFile(t *testing.T, f *telegramtest.Server, user telegramtest.User, id, name string) Update {
	t.Helper()
	text := []byte("Some text.\n")
	f.AddFile(id, telegramtest.File{Path: "documents/" + id + ".txt", Data: text})
	return decodeUpdate(t, telegramtest.DocumentMessage(user, id, name, len(text)))
}

var pageRE = regexp.MustCompile(`page (\d+) of 40`)

func TestUploadShowsProgress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, f, _, lib, _ := uploadBot(t, func(c *Config, _ *Deps) { c.Admins = append(c.Admins, 8) })
		lib.read = ocrPages(40, time.Second)
		start := time.Now()
		b.HandleUpdate(context.Background(), uploadFile(t, f, telegramtest.User{ID: admin}, "F", "scan.pdf"))

		// Halfway, /docs lists the document as being read to another bot
		// admin; not to others.
		time.Sleep(20*time.Second + 500*time.Millisecond)
		b.HandleUpdate(context.Background(), decodeUpdate(t, telegramtest.PrivateMessage(telegramtest.User{ID: 8}, "/docs")))
		if sent := f.Sent(8); len(sent) != 1 || !strings.Contains(sent[0].Get("text"), "scan.pdf — being read (OCR page 20 of 40)") {
			t.Errorf("/docs while reading: %v", textsOf(sent))
		}
		b.HandleUpdate(context.Background(), decodeUpdate(t, telegramtest.PrivateMessage(telegramtest.User{ID: 9}, "/docs")))
		if sent := f.Sent(9); len(sent) != 1 || strings.Contains(sent[0].Get("text"), "scan.pdf") {
			t.Errorf("/docs of a user who is no admin, while reading: %v", textsOf(sent))
		}
		if !b.intake.wait(time.Minute) {
			t.Fatal("the intake did not finish")
		}

		sends := slices.DeleteFunc(f.Requests("sendMessage"), func(r telegramtest.Request) bool { return r.ChatID() != admin })
		if len(sends) != 1 {
			t.Fatalf("%d messages sent, want the status message only: %v", len(sends), textsOf(sends))
		}
		if got := sends[0].Time.Sub(start); got < statusDelay {
			t.Errorf("the status message came after %v, want >= %v", got, statusDelay)
		}
		if !strings.HasPrefix(sends[0].Get("text"), "Reading scan.pdf…\nOCR: page ") {
			t.Errorf("status message %q", sends[0].Get("text"))
		}
		edits := f.Requests("editMessageText")
		if len(edits) < 5 {
			t.Fatalf("only %d edits", len(edits))
		}
		prev, last, page := sends[0].Get("text"), sends[0].Time, 0
		for i, e := range edits {
			text := e.Get("text")
			if gap := e.Time.Sub(last); gap < statusEvery {
				t.Errorf("edit %d came %v after the previous one, want >= %v", i+1, gap, statusEvery)
			}
			if text == prev {
				t.Errorf("edit %d repeats %q", i+1, text)
			}
			if i < len(edits)-1 {
				m := pageRE.FindStringSubmatch(text)
				if m == nil {
					t.Fatalf("edit %d = %q, want pages", i+1, text)
				}
				n, _ := strconv.Atoi(m[1])
				if n < page {
					t.Errorf("edit %d went back to page %d from %d", i+1, n, page)
				}
				page = n
			}
			prev, last = text, e.Time
		}
		// A page a second: the 30 pages left take less than a minute.
		if !strings.HasSuffix(edits[2].Get("text"), "less than a minute left") {
			t.Errorf("no time left in %q", edits[2].Get("text"))
		}
		msgs := f.Messages(admin)
		if len(msgs) != 1 || msgs[0].Text != "Added scan.pdf: 7 paragraphs. Ask away." {
			t.Errorf("chat shows %+v, want the status message edited into the result", msgs)
		}
	})
}

func TestQuickUploadHasNoStatusMessage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, f, _, lib, _ := uploadBot(t, nil)
		lib.read = ocrPages(2, time.Second)
		b.HandleUpdate(context.Background(), uploadFile(t, f, telegramtest.User{ID: admin, Lang: "zh"}, "F", "扫描.pdf"))
		b.intake.wait(time.Minute)
		if n := len(f.Requests("editMessageText")); n != 0 {
			t.Errorf("%d edits", n)
		}
		if sent := f.Sent(admin); len(sent) != 1 || sent[0].Get("text") != "已添加 扫描.pdf：共 7 段。" {
			t.Errorf("got %v, want the result only", textsOf(sent))
		}
	})
}

func TestUploadStatusInChinese(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, f, _, lib, _ := uploadBot(t, nil)
		lib.read = ocrPages(40, 3*time.Second)
		b.HandleUpdate(context.Background(), uploadFile(t, f, telegramtest.User{ID: admin, Lang: "zh-hans"}, "F", "扫描.pdf"))
		time.Sleep(61 * time.Second)
		b.HandleUpdate(context.Background(), decodeUpdate(t, telegramtest.PrivateMessage(telegramtest.User{ID: admin, Lang: "zh"}, "/docs")))
		b.intake.wait(5 * time.Minute)
		edits := f.Requests("editMessageText")
		if len(edits) < 2 {
			t.Fatalf("%d edits", len(edits))
		}
		// A page every 3 s: the 37 or 38 pages left at the second edit
		// take about 2 minutes (3 when the edit comes just before a page
		// is done).
		if got, want := edits[1].Get("text"), "正在读取 扫描.pdf…\n文字识别：第 "; !strings.HasPrefix(got, want) || !regexp.MustCompile(`，约还需 [23] 分钟$`).MatchString(got) {
			t.Errorf("status %q, want %q… with the time left", got, want)
		}
		if docs := f.Sent(admin); len(docs) < 2 || !strings.Contains(docs[1].Get("text"), "扫描.pdf — 正在读取（文字识别 第 20/40 页）") {
			t.Errorf("/docs: %v", textsOf(docs))
		}
	})
}

func TestUploadsQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, f, _, lib, _ := uploadBot(t, func(c *Config, _ *Deps) { c.Admins = append(c.Admins, 8) })
		lib.read = ocrPages(10, time.Second)
		user := telegramtest.User{ID: admin}
		b.HandleUpdate(context.Background(), uploadFile(t, f, user, "F1", "one.pdf"))
		time.Sleep(time.Second)
		for i := 2; i <= 2+maxQueuedUploads; i++ {
			b.HandleUpdate(context.Background(), uploadFile(t, f, user, fmt.Sprint("F", i), fmt.Sprintf("doc%d.pdf", i)))
		}
		sent := f.Sent(admin)
		if len(sent) != 1+maxQueuedUploads {
			t.Fatalf("got %v, want %d queue notices and a refusal", textsOf(sent), maxQueuedUploads)
		}
		if got := sent[0].Get("text"); got != "doc2.pdf is queued: another document is being read; yours starts after it." {
			t.Errorf("first notice %q", got)
		}
		if got := sent[maxQueuedUploads].Get("text"); !strings.Contains(got, "Please send doc6.pdf again in a few minutes") {
			t.Errorf("refusal %q", got)
		}
		time.Sleep(1500 * time.Millisecond)
		b.HandleUpdate(context.Background(), decodeUpdate(t, telegramtest.PrivateMessage(telegramtest.User{ID: 8}, "/docs")))
		if docs := f.Sent(8); len(docs) != 1 || !strings.Contains(docs[0].Get("text"), "one.pdf — being read (OCR page 2 of 10)\ndoc2.pdf — waiting to be read") {
			t.Errorf("/docs: %v", textsOf(docs))
		}

		b.intake.wait(5 * time.Minute)
		added, _ := lib.calls()
		var names []string
		for _, a := range added {
			names = append(names, a.Name)
		}
		if got := strings.Join(names, " "); got != "one.pdf doc2.pdf doc3.pdf doc4.pdf doc5.pdf" {
			t.Errorf("added %s, want in order and without doc6.pdf", got)
		}
		// The notices became their documents' results; one.pdf's status
		// message came after them, at statusDelay.
		want := []string{"Added doc2.pdf", "Added doc3.pdf", "Added doc4.pdf", "Added doc5.pdf", "Too many documents", "Added one.pdf"}
		msgs := f.Messages(admin)
		if len(msgs) != len(want) {
			t.Fatalf("chat shows %+v, want %d messages", msgs, len(want))
		}
		for i, m := range msgs {
			if !strings.HasPrefix(m.Text, want[i]) {
				t.Errorf("message %d = %q, want %s…", i+1, m.Text, want[i])
			}
		}
	})
}

// TestUploadSurvivesARestart: an upload still being read when the bot
// stops is left unfinished in the store, and its status message says
// so; the next start reads it again and edits the result into the same
// message. A document read to the end marks its update done.
func TestUploadSurvivesARestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		st := openStore(t, filepath.Join(t.TempDir(), store.FileName))
		a := newFakeAnswerer()
		lib := &fakeLibrary{a: a, paragraphs: 3, read: ocrPages(20, time.Second)}
		newBot := func() *Bot {
			b, _ := newTestBot(t, f, a, func(c *Config, d *Deps) {
				c.Admins, c.MaxUploadBytes, c.ShutdownTimeout = []int64{admin}, 1000, 5*time.Second
				d.Documents, d.Store = lib, st
			})
			return b
		}
		f.AddFile("F", telegramtest.File{Path: "documents/f.txt", Data: []byte("text")})
		stop := runBot(t, newBot())
		ids := f.Push(telegramtest.DocumentMessage(telegramtest.User{ID: admin}, "F", "scan.pdf", 4))
		time.Sleep(10 * time.Second)
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		msgs := f.Messages(admin)
		if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "restarting: reading scan.pdf goes on") {
			t.Fatalf("after the stop the chat shows %+v", msgs)
		}
		// A stop is not a crash: the handling is not counted (the store
		// commits that a moment later).
		for i := 0; ; i++ {
			pending, err := st.Pending()
			if err == nil && len(pending) == 1 && pending[0].ID == ids[0] && pending[0].Attempts == 0 {
				break
			}
			if i == 50 {
				t.Fatalf("pending %+v, %v; want the upload, with no attempt cut short", pending, err)
			}
			time.Sleep(100 * time.Millisecond)
		}

		stop = runBot(t, newBot())
		f.WaitFor(t, time.Minute, "the result", func([]telegramtest.Request) bool {
			m := f.Messages(admin)
			return len(m) > 0 && strings.HasPrefix(m[0].Text, "Added")
		})
		time.Sleep(time.Second) // the store commits "done"
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		if msgs := f.Messages(admin); len(msgs) != 1 || msgs[0].Text != "Added scan.pdf: 3 paragraphs. Ask away." {
			t.Errorf("chat shows %+v, want the status message edited into the result", msgs)
		}
		if pending, err := st.Pending(); err != nil || len(pending) != 0 {
			t.Errorf("pending %+v, %v; want none", pending, err)
		}
	})
}

func TestUploadErrorReplacesStatus(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, f, _, lib, _ := uploadBot(t, nil)
		read := ocrPages(5, 2*time.Second)
		lib.read = func(ctx context.Context, name string, progress func(answer.Progress)) error {
			read(ctx, name, progress)
			return errors.New("scan.pdf: no text found on any page")
		}
		b.HandleUpdate(context.Background(), uploadFile(t, f, telegramtest.User{ID: admin}, "F", "scan.pdf"))
		b.intake.wait(time.Minute)
		if msgs := f.Messages(admin); len(msgs) != 1 || msgs[0].Text != "Couldn't add scan.pdf: no text found on any page" {
			t.Errorf("chat shows %+v", msgs)
		}
	})
}

func TestIntakeRelease(t *testing.T) {
	tests := []struct {
		name  string
		steps []string // "job:added", "job:interrupted", "dispatcher"
		want  []bool
	}{
		{"not held: the dispatcher finishes", []string{"dispatcher"}, []bool{true}},
		{"job ends first, added", []string{"hold", "job:added", "dispatcher"}, []bool{false, true}},
		{"dispatcher first, then the job adds", []string{"hold", "dispatcher", "job:added"}, []bool{false, true}},
		{"interrupted after the dispatcher", []string{"hold", "dispatcher", "job:interrupted"}, []bool{false, false}},
		{"interrupted before the dispatcher", []string{"hold", "job:interrupted", "dispatcher"}, []bool{false, false}},
		{"released once", []string{"hold", "job:added", "dispatcher", "dispatcher"}, []bool{false, true, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in intake
			var got []bool
			for _, s := range tt.steps {
				switch s {
				case "hold":
					in.holdLocked(&readJob{upload: upload{t: target{out: &outbox{}}}, u: Update{}})
				case "dispatcher":
					got = append(got, in.release(0, false, false))
				default:
					got = append(got, in.release(0, true, s == "job:added"))
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTimeLeft(t *testing.T) {
	tests := []struct {
		name          string
		done, rest    int
		elapsed       time.Duration
		lang, want    string
		wantAvailable bool
	}{
		{"no page done yet", 0, 40, time.Minute, "en", "", false},
		{"all done", 40, 0, time.Minute, "en", "", false},
		{"three minutes", 10, 30, time.Minute, "en", "about 3 min left", true},
		{"rounded", 12, 28, 80 * time.Second, "en", "about 3 min left", true},
		{"under a minute", 30, 10, time.Minute, "en", "less than a minute left", true},
		{"Chinese", 10, 30, time.Minute, "zh", "约还需 3 分钟", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := timeLeft(tt.done, tt.rest, tt.elapsed)
			if ok != tt.wantAvailable {
				t.Fatalf("timeLeft = %v, %v", d, ok)
			}
			if ok {
				if got := uploadTexts[tt.lang].leftText(d); got != tt.want {
					t.Errorf("got %q, want %q", got, tt.want)
				}
			}
		})
	}
}

// TestUploadReadByOCR: the reply to an upload read by OCR, and /docs
// after it, warn of recognition errors in the user's language; the other
// documents get no warning.
func TestUploadReadByOCR(t *testing.T) {
	tests := []struct {
		name, lang, file string
		wantAdded        string
		wantDocs         string
	}{
		{"English", "en", "scan.pdf",
			"Added scan.pdf: 7 paragraphs, read by OCR (may contain recognition errors). Ask away.",
			"\n1. sample.txt — 3 paragraphs\n2. scan.pdf — 7 paragraphs, read by OCR (may contain recognition errors)\n"},
		{"Chinese", "zh", "扫描.pdf",
			"已添加 扫描.pdf：共 7 段，由文字识别（OCR）读取，可能有识别错误。",
			"\n1. sample.txt — 3 段\n2. 扫描.pdf — 7 段，由文字识别（OCR）读取，可能有识别错误\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, f, _, lib, _ := uploadBot(t, nil)
			lib.ocr = true
			user := telegramtest.User{ID: admin, Lang: tt.lang}
			b.HandleUpdate(context.Background(), uploadFile(t, f, user, "F", tt.file))
			if !b.intake.wait(time.Minute) {
				t.Fatal("the document is still being read")
			}
			b.HandleUpdate(context.Background(), decodeUpdate(t, telegramtest.PrivateMessage(user, "/docs")))
			sent := textsOf(f.Sent(admin))
			if len(sent) != 2 || sent[0] != tt.wantAdded || !strings.Contains(sent[1], tt.wantDocs) {
				t.Errorf("got %q, want %q then /docs with %q", sent, tt.wantAdded, tt.wantDocs)
			}
		})
	}
}

func TestDocsListsUploads(t *testing.T) {
	docs := []answer.DocInfo{{Name: "a.txt", Paragraphs: 2}}
	reading := []uploadStatus{{Name: "scan.pdf", Progress: answer.Progress{Stage: "OCR", Done: 12, Total: 40}}, {Name: "b.md", Queued: true}}
	tests := []struct {
		name    string
		lang    string
		docs    []answer.DocInfo
		uploads []uploadStatus
		want    string
	}{
		{"none", "en", docs, nil, "Documents:\n1. a.txt — 2 paragraphs"},
		{"reading and queued", "en", docs, reading, "Documents:\n1. a.txt — 2 paragraphs\nscan.pdf — being read (OCR page 12 of 40)\nb.md — waiting to be read"},
		{"no pages yet", "en", nil, []uploadStatus{{Name: "x.txt"}}, "Documents:\nx.txt — being read"},
		{"Chinese", "zh", nil, reading[:1], "文档：\nscan.pdf — 正在读取（文字识别 第 12/40 页）"},
		{"read by OCR", "en", append(docs, answer.DocInfo{Name: "scan.pdf", Paragraphs: 120, Pages: 40, Kind: "pdf", OCR: true}), nil,
			"Documents:\n1. a.txt — 2 paragraphs\n2. scan.pdf — 120 paragraphs, read by OCR (may contain recognition errors)"},
		{"read by OCR, in Chinese", "zh", []answer.DocInfo{{Name: "扫描.jpg", Paragraphs: 1, Pages: 1, Kind: "image", OCR: true}}, nil,
			"文档：\n1. 扫描.jpg — 1 段，由文字识别（OCR）读取，可能有识别错误"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := docsText(tt.lang, tt.docs, nil, false, tt.uploads, nil); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
