package main

// End-to-end tests of the chats' own documents, through the real run():
// files sent to the in-process fake Bot API (bot/telegramtest, which
// serves file downloads and scripted getChatMember answers), and /add URL
// against telegram-test-api, the independent emulator, fetching from
// local web servers.

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/bot/telegramtest"
	"github.com/citebot/citebot/library"
	"github.com/citebot/citebot/retrieval/pdf/pdftest"
)

const chatDocsToken = "5151:CHATDOCS-SECRET-token"

// The documents the chats add, and what a question about each must quote.
const (
	graniteDoc   = "The lighthouse on Granite Point was kept by Marta Quill for thirty-one years.\n\nShe wrote every passing ship into a green ledger that the harbour museum keeps today.\n"
	graniteDocV2 = "The lighthouse on Granite Point was kept by Tomas Reed after the storm of 1990.\n\nHe painted the tower white and red again every second summer.\n"
	charterDoc   = "The reading club meets on the first Tuesday of every month in the old boathouse.\n\nMembers bring one book each and choose the next title by a show of hands.\n"
)

// cdRun is one `citebot serve` against a fake Bot API.
type cdRun struct {
	t    *testing.T
	f    *telegramtest.Server
	data string // the data directory
	logs *telegramtest.LogBuffer
}

// serveChatDocs runs serve over the bundled sample with env added to the
// defaults (no rate limit, a data directory in a temporary directory).
func serveChatDocs(t *testing.T, env map[string]string, args ...string) *cdRun {
	t.Helper()
	f := telegramtest.New(t, telegramtest.Options{Token: chatDocsToken})
	t.Chdir(t.TempDir())
	data, err := filepath.Abs("data")
	if err != nil {
		t.Fatal(err)
	}
	all := map[string]string{"TELEGRAM_BOT_TOKEN": chatDocsToken, "CITEBOT_RATE_PER_MINUTE": "0", "CITEBOT_DATA_DIR": data}
	maps.Copy(all, env)
	_, logs := serveAt(t, f.URL(), all, args...)
	return &cdRun{t: t, f: f, data: data, logs: logs}
}

// admins makes getChatMember report ids as administrators of every
// group and everyone else as a plain member.
func (r *cdRun) admins(ids ...int64) {
	r.f.Respond("getChatMember", func(req telegramtest.Request, _ int) *telegramtest.Response {
		id, _ := strconv.ParseInt(req.Get("user_id"), 10, 64)
		status := "member"
		if slices.Contains(ids, id) {
			status = "administrator"
		}
		return telegramtest.OK(map[string]any{"status": status, "user": map[string]any{"id": id, "is_bot": false, "first_name": "U"}})
	})
}

// file makes text downloadable and returns its upload as name by u: in
// u's private chat, or with group not 0 in that group, with a caption
// mentioning the bot.
func (r *cdRun) file(u telegramtest.User, group int64, name, text string) telegramtest.Update {
	id := fmt.Sprintf("cd%d", telegramtest.NextID())
	r.f.AddFile(id, telegramtest.File{Path: "documents/" + id + "-" + name, Data: []byte(text)})
	up := telegramtest.DocumentMessage(u, id, name, len(text))
	if group != 0 {
		up.With("chat", map[string]any{"id": group, "type": "supergroup", "title": "Club"},
			"caption", "@"+telegramtest.BotUserName+" for the club")
	}
	return up
}

// send pushes u and returns the first message to chat after it (sent or
// edited) whose text contains want ("": any message).
func (r *cdRun) send(chat int64, u telegramtest.Update, want string) telegramtest.Request {
	r.t.Helper()
	from := len(r.f.Requests())
	r.f.Push(u)
	var got telegramtest.Request
	r.f.WaitFor(r.t, 30*time.Second, fmt.Sprintf("a message to %d containing %q", chat, want), func(rs []telegramtest.Request) bool {
		for _, q := range rs[min(from, len(rs)):] {
			if (q.Method == "sendMessage" || q.Method == "editMessageText" || q.Method == "sendRichMessage") && q.Status == 200 &&
				q.ChatID() == chat && strings.Contains(q.Text(), want) {
				got = q
				return true
			}
		}
		return false
	})
	return got
}

// text is send's text.
func (r *cdRun) text(chat int64, u telegramtest.Update, want string) string {
	r.t.Helper()
	return r.send(chat, u, want).Text()
}

// quotes reports whether answer m quotes doc: as a rich message, a
// footnote labelled with doc's name holding a quote; as HTML, a block
// quote and doc's name.
func quotes(m telegramtest.Request, doc string) bool {
	if raw := m.Get("rich_message"); raw != "" {
		rm, err := telegramtest.ParseRichMessage(raw)
		return err == nil && slices.ContainsFunc(rm.Footnotes, func(f telegramtest.Footnote) bool {
			return strings.Contains(f.Label, doc) && f.Quote != ""
		})
	}
	txt := m.Get("text")
	return strings.Contains(txt, "<blockquote") && strings.Contains(txt, doc)
}

// buttonURLs returns the URLs of the URL buttons of a message.
func buttonURLs(t *testing.T, m telegramtest.Request) []string {
	t.Helper()
	if m.Get("reply_markup") == "" {
		return nil
	}
	var kb struct {
		InlineKeyboard [][]struct {
			URL string `json:"url"`
		} `json:"inline_keyboard"`
	}
	m.JSON(t, "reply_markup", &kb)
	var out []string
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			if b.URL != "" {
				out = append(out, b.URL)
			}
		}
	}
	return out
}

// pageText fetches a page link from the page server at addr (the link's
// public base stands for it) and returns the status and body.
func pageText(t *testing.T, addr, link string) (int, string) {
	t.Helper()
	_, path, _ := strings.Cut(strings.TrimPrefix(link, "http://"), "/")
	resp, err := http.Get("http://" + addr + "/" + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// listenAddr waits for the address a server of serve logs it listens on.
func listenAddr(t *testing.T, logs *telegramtest.LogBuffer, what string) string {
	t.Helper()
	re := regexp.MustCompile(regexp.QuoteMeta(what) + ` listening"? addr=(\S+)`)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(logs.String()); m != nil {
			return m[1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %s address in the logs:\n%s", what, logs.String())
	return ""
}

// TestChatDocsPrivateLibraries: a file sent in a private chat joins that
// chat's library only: its user is answered from it (with page links to
// it), another user is not, sees no link to it and can neither open its
// paragraphs nor remove it; a shared document's name is refused; sending
// it again replaces it, /remove removes it and its page link then shows
// none of its text.
func TestChatDocsPrivateLibraries(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	r := serveChatDocs(t, nil, "--public-url", "http://citebot.test", "--web-listen", "127.0.0.1:0")
	pages := listenAddr(t, r.logs, "document page")
	a, b := telegramtest.User{ID: 7101, Lang: "en"}, telegramtest.User{ID: 7102, Lang: "en"}
	const question = "Who kept the lighthouse on Granite Point?"

	added := r.text(a.ID, r.file(a, 0, "granite.txt", graniteDoc), "granite.txt")
	if !strings.HasPrefix(added, "Added granite.txt to this chat: 2 paragraphs") {
		t.Fatalf("the upload's reply = %q", added)
	}
	ans := r.send(a.ID, telegramtest.PrivateMessage(a, question), "Marta Quill")
	if !quotes(ans, "granite.txt") {
		t.Fatalf("A's answer does not quote granite.txt: %s", ans.Text())
	}
	links := buttonURLs(t, ans)
	if len(links) == 0 {
		t.Fatalf("A's answer has no page link: %s", ans.Get("reply_markup"))
	}
	if status, body := pageText(t, pages, links[0]); status != 200 || !strings.Contains(body, "Marta Quill") {
		t.Errorf("A's page link: status %d, page %.300s", status, body)
	}

	bAns := r.send(b.ID, telegramtest.PrivateMessage(b, question), "")
	t.Logf("B's answer: %s", bAns.Text())
	if txt := bAns.Text(); strings.Contains(txt, "Marta Quill") || strings.Contains(txt, "granite.txt") {
		t.Errorf("B is answered from A's document: %s", txt)
	}
	for _, l := range buttonURLs(t, bAns) {
		if _, body := pageText(t, pages, l); strings.Contains(body, "Marta Quill") {
			t.Errorf("B's answer links to A's document: %s", l)
		}
	}
	if docs := r.text(b.ID, telegramtest.PrivateMessage(b, "/docs"), "Documents"); strings.Contains(docs, "granite.txt") {
		t.Errorf("B's /docs lists A's document: %s", docs)
	}
	r.otherChatCannotOpen(a, b)
	shared := r.text(a.ID, r.file(a, 0, "yangtze-symposium.txt", graniteDoc), "yangtze-symposium.txt")
	if !strings.HasPrefix(shared, "Couldn't add yangtze-symposium.txt: a shared document has this name") {
		t.Errorf("a chat document named like a shared one: %q", shared)
	}
	r.replaceAndRemove(a, question)
	if status, body := pageText(t, pages, links[0]); status != http.StatusGone || strings.Contains(body, "Marta Quill") {
		t.Errorf("A's page link once the document was replaced and removed: status %d, page %.300s", status, body)
	}
}

// otherChatCannotOpen: the ¶1 button data of a's document shows the
// paragraph to a; tapped by b, or b's /source for it, shows none of it.
func (r *cdRun) otherChatCannotOpen(a, b telegramtest.User) {
	t := r.t
	sum := sha256.Sum256([]byte("granite.txt"))
	data := "src:" + hex.EncodeToString(sum[:4]) + ":1"
	r.send(a.ID, telegramtest.Callback("cd-a-src", data, a, telegramtest.BotMessage(1, a.ID, "private")), "Marta Quill")
	from := len(r.f.Requests())
	r.f.Push(telegramtest.Callback("cd-b-src", data, b, telegramtest.BotMessage(1, b.ID, "private")))
	var reply telegramtest.Request
	r.f.WaitFor(t, 30*time.Second, "B's tap answered", func(rs []telegramtest.Request) bool {
		i := slices.IndexFunc(rs[from:], func(q telegramtest.Request) bool {
			return q.Method == "answerCallbackQuery" && q.Get("callback_query_id") == "cd-b-src"
		})
		if i >= 0 {
			reply = rs[from+i]
		}
		return i >= 0
	})
	if got := reply.Get("text"); got != "That document is no longer loaded." {
		t.Errorf("B's tap on A's ¶ button is answered %q", got)
	}
	src := r.text(b.ID, telegramtest.PrivateMessage(b, "/source granite.txt 1"), "")
	for _, q := range r.f.Requests()[from:] {
		if q.ChatID() == b.ID && strings.Contains(q.Text(), "Marta Quill") {
			t.Errorf("B was shown A's document: %s %q", q.Method, q.Text())
		}
	}
	if strings.Contains(src, "Marta Quill") {
		t.Errorf("B's /source granite.txt 1 = %q", src)
	}
	if got := r.text(b.ID, telegramtest.PrivateMessage(b, "/remove granite.txt"), ""); strings.HasPrefix(got, "Removed") {
		t.Errorf("B's /remove of A's document = %q", got)
	}
	if got := r.text(b.ID, telegramtest.PrivateMessage(b, "/forget"), ""); got != "This chat has no documents of its own." {
		t.Errorf("B's /forget = %q", got)
	}
}

// replaceAndRemove: a sends granite.txt again with other text, then
// removes it; the answers follow.
func (r *cdRun) replaceAndRemove(a telegramtest.User, question string) {
	t := r.t
	replaced := r.text(a.ID, r.file(a, 0, "granite.txt", graniteDocV2), "granite.txt")
	if !strings.HasPrefix(replaced, "Replaced granite.txt in this chat: 2 paragraphs") {
		t.Errorf("sending granite.txt again = %q", replaced)
	}
	if ans := r.text(a.ID, telegramtest.PrivateMessage(a, question), "Tomas Reed"); strings.Contains(ans, "Marta Quill") {
		t.Errorf("after the replacement the answer still quotes the old text: %s", ans)
	}
	if got := r.text(a.ID, telegramtest.PrivateMessage(a, "/remove granite.txt"), "granite.txt"); got != "Removed granite.txt." {
		t.Errorf("/remove granite.txt = %q", got)
	}
	if ans := r.text(a.ID, telegramtest.PrivateMessage(a, question), ""); strings.Contains(ans, "Tomas Reed") || strings.Contains(ans, "granite.txt") {
		t.Errorf("after /remove the answer still quotes the document: %s", ans)
	}
	if docs := r.text(a.ID, telegramtest.PrivateMessage(a, "/docs"), "Documents"); strings.Contains(docs, "granite.txt") {
		t.Errorf("after /remove /docs = %q", docs)
	}
	if _, err := os.Stat(filepath.Join(r.data, library.ChatsDir, strconv.FormatInt(a.ID, 10))); !os.IsNotExist(err) {
		t.Errorf("the chat's folder outlives its last document: %v", err)
	}
}

// TestChatDocsGroup: in a group, a file from an admin (as getChatMember
// reports) that mentions the bot joins the group's library and answers
// its members; a plain member's file gets no reply, is not downloaded and
// not added.
func TestChatDocsGroup(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	r := serveChatDocs(t, nil)
	admin, member := telegramtest.User{ID: 7201, Lang: "en"}, telegramtest.User{ID: 7202, Lang: "en"}
	r.admins(admin.ID)
	const group = -1007200
	mention := "@" + telegramtest.BotUserName + " "

	added := r.text(group, r.file(admin, group, "charter.txt", charterDoc), "charter.txt")
	if !strings.HasPrefix(added, "Added charter.txt to this chat: 2 paragraphs") || !strings.Contains(added, "/ask") {
		t.Fatalf("the admin's upload: %q", added)
	}
	ans := r.send(group, telegramtest.GroupMessage(group, member, mention+"Where does the reading club meet?"), "old boathouse")
	if !quotes(ans, "charter.txt") {
		t.Errorf("the group's answer does not quote charter.txt: %s", ans.Text())
	}

	from := len(r.f.Requests())
	r.f.Push(r.file(member, group, "spam.txt", "Buy cheap watches at the harbour market every Sunday.\n"))
	docs := r.text(group, telegramtest.GroupMessage(group, member, "/docs"), "Documents")
	if !strings.Contains(docs, "charter.txt") || strings.Contains(docs, "spam.txt") {
		t.Errorf("the group's /docs after a member's upload = %q", docs)
	}
	// A chat's updates are handled in order, one at a time: the member's
	// file was handled (and any reply to it sent) before /docs was.
	for _, q := range r.f.Requests()[from:] {
		switch {
		case q.Method == "download" && strings.Contains(q.Get("path"), "spam.txt"):
			t.Error("a member's upload was downloaded")
		case (q.Method == "sendMessage" || q.Method == "sendRichMessage" || q.Method == "editMessageText") && q.ChatID() == group && !strings.HasPrefix(q.Text(), "Documents"):
			t.Errorf("a member's upload got a reply: %q", q.Text())
		}
	}
	if got := r.text(group, telegramtest.GroupMessage(group, member, "/remove charter.txt"), ""); !strings.HasPrefix(got, "Only whoever added charter.txt") {
		t.Errorf("a member's /remove = %q", got)
	}
	if got := r.text(group, telegramtest.GroupMessage(group, member, "/forget"), ""); got != "Only the group's admins can delete its documents." {
		t.Errorf("a member's /forget = %q", got)
	}
	if ans := r.text(member.ID, telegramtest.PrivateMessage(member, "Where does the reading club meet?"), ""); strings.Contains(ans, "boathouse") {
		t.Errorf("the member's private chat is answered from the group's document: %s", ans)
	}
}

// TestChatDocsQuotas: a chat at chat_max_documents and a user at
// user_uploads_per_day are refused with replies naming the limit; nothing
// refused is added.
func TestChatDocsQuotas(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	r := serveChatDocs(t, map[string]string{"CITEBOT_CHAT_MAX_DOCUMENTS": "1", "CITEBOT_USER_UPLOADS_PER_DAY": "1"})
	x, y := telegramtest.User{ID: 7301, Lang: "en"}, telegramtest.User{ID: 7302, Lang: "en"}
	r.admins(x.ID, y.ID)
	const group = -1007300

	if got := r.text(group, r.file(x, group, "first.txt", charterDoc), "first.txt"); !strings.HasPrefix(got, "Added first.txt") {
		t.Fatalf("the first upload: %q", got)
	}
	// y has added nothing today: only the chat's limit applies. The
	// refusals are checked by what they must say, not word for word.
	got := r.text(group, r.file(y, group, "second.txt", graniteDoc), "second.txt")
	if !strings.HasPrefix(got, "Couldn't add second.txt: this chat holds 1 document") || !strings.Contains(got, "/remove") {
		t.Errorf("a second document in a chat that holds 1 at most: %q", got)
	}
	// x's private chat holds nothing: only x's daily limit applies.
	got = r.text(x.ID, r.file(x, 0, "mine.txt", graniteDoc), "mine.txt")
	if !strings.HasPrefix(got, "Couldn't add mine.txt: you have added 1 document") || !strings.Contains(got, "today") {
		t.Errorf("a second upload of the day: %q", got)
	}
	if docs := r.text(group, telegramtest.GroupMessage(group, x, "/docs"), "Documents"); !strings.Contains(docs, "first.txt") || strings.Contains(docs, "second.txt") {
		t.Errorf("the group's /docs = %q", docs)
	}
	if docs := r.text(x.ID, telegramtest.PrivateMessage(x, "/docs"), "Documents"); strings.Contains(docs, "mine.txt") {
		t.Errorf("x's /docs = %q", docs)
	}
}

// ferryPage is the HTML page /add fetches.
const ferryPage = `<!doctype html><html><head><title>The Ashford ferry</title></head><body><article>
<h1>The Ashford ferry</h1>
<p>The Ashford ferry carried passengers across the estuary for ninety years; its last crossing was on 3 March 1958.</p>
<p>The ferryman rang a brass bell on the quay ten minutes before every departure, in fog and in sunshine alike.</p>
</article></body></html>`

// linkSite serves what /add fetches in the tests: an HTML page, a PDF,
// a text file, a redirect to other (a loopback server the bot may not
// reach), a 50 MB body, a body trickled too slowly and a zip file.
func linkSite(t *testing.T, pdf []byte, other string) *httptest.Server {
	mux := http.NewServeMux()
	serve := func(path, ctype string, body []byte) {
		mux.HandleFunc(path, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", ctype)
			w.Write(body)
		})
	}
	serve("/ferry.html", "text/html; charset=utf-8", []byte(ferryPage))
	serve("/river.pdf", "application/pdf", pdf)
	serve("/notes.txt", "text/plain; charset=utf-8", []byte(charterDoc))
	serve("/archive.zip", "application/zip", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00 not really a zip"))
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other+"/secret.txt", http.StatusFound)
	})
	mux.HandleFunc("/big.txt", func(w http.ResponseWriter, _ *http.Request) { // no Content-Length
		w.Header().Set("Content-Type", "text/plain")
		chunk := []byte(strings.Repeat("big body line\n", 4681)) // 65534 bytes
		for n := 0; n < 50<<20; n += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/slow.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		for range 300 { // 30 s at most, far past the 10 s fetch_timeout
			if _, err := io.WriteString(w, "slow\n"); err != nil {
				return
			}
			http.NewResponseController(w).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// replyWith waits for a message of the bot to c, new or (a status
// message turned into the result) edited since, whose text contains
// want, and returns it as it is now.
func (e *emulator) replyWith(t *testing.T, c chat, want string, logs *telegramtest.LogBuffer) botMessage {
	t.Helper()
	seen := map[int]bool{}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range e.replies(t, c.ID, 1, time.Second) {
			seen[m.MessageID] = true
		}
		all := e.history(t)
		for id := range seen {
			if m := all[id]; strings.Contains(m.Message.Text, want) {
				return m
			}
		}
	}
	var got []string
	for id := range seen {
		got = append(got, e.history(t)[id].Message.Text)
	}
	t.Fatalf("no reply to chat %d containing %q; got %q; logs:\n%s", c.ID, want, got, tail(logs.String(), 30))
	return botMessage{}
}

// TestChatDocsAddURL runs /add against the emulator: a web page, a PDF
// and a bare link in a private chat are added and answered from, and the
// links the fetcher must refuse (a redirect to a private address, too
// large, too slow, not a document) are refused with their reason. Then
// /forget, confirmed with its button, deletes the chat's documents and
// their folder.
func TestChatDocsAddURL(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "a service behind the firewall\n")
	}))
	t.Cleanup(other.Close)
	site := linkSite(t, pdftest.Write(t, pdftest.Latin()), other.URL)
	e := startEmulator(t)
	t.Chdir(t.TempDir())
	data, _ := filepath.Abs("data")
	_, logs := serveAt(t, e.base, map[string]string{"TELEGRAM_BOT_TOKEN": e2eToken, "CITEBOT_RATE_PER_MINUTE": "0",
		"CITEBOT_DATA_DIR": data, "CITEBOT_FETCH_TIMEOUT": "10s", "CITEBOT_FETCH_ALLOW_ADDRS": site.Listener.Addr().String()})
	u := user{ID: 7401, FirstName: "Una", Language: "en"}
	c := chat{ID: u.ID, Type: "private"}

	for _, step := range []struct{ send, want, ask, quote string }{
		{"/add " + site.URL + "/ferry.html", "Added ferry.html to this chat: ", "When was the last crossing of the Ashford ferry?", "3 March 1958"},
		{"/add " + site.URL + "/river.pdf", "Added river.pdf to this chat: ", "What happened in the dry summer of 1976?", "the river almost stopped"},
		{site.URL + "/notes.txt", "Added notes.txt to this chat: 2 paragraphs", "Where does the reading club meet?", "old boathouse"},
	} {
		if strings.HasPrefix(step.send, "/") {
			e.command(t, u, c, step.send)
		} else {
			e.say(t, u, c, step.send)
		}
		e.replyWith(t, c, step.want, logs)
		e.say(t, u, c, step.ask)
		doc := step.want[len("Added "):strings.Index(step.want, " to this chat")]
		if got := e.replyWith(t, c, step.quote, logs).Message.Text; !strings.Contains(got, "<blockquote") || !strings.Contains(got, doc) {
			t.Errorf("%q is not answered from %s: %s", step.ask, doc, got)
		}
	}
	for _, refused := range []struct{ path, want string }{
		{"/away", "Couldn't add this link: the link leads to a private or local network address"},
		{"/big.txt", "Couldn't add this link: the document is too large: it is larger than 20 MB"},
		{"/slow.txt", "Couldn't add this link: the download took too long: more than 10s"},
		{"/archive.zip", "Couldn't add this link: the link is not to a document type citebot reads"},
	} {
		e.command(t, u, c, "/add "+site.URL+refused.path)
		e.replyWith(t, c, refused.want, logs)
	}
	forgetAll(t, e, u, c, data, logs)
}

// forgetAll confirms /forget with its button: the chat's 3 documents are
// deleted, /docs lists none and the chat's folder is gone.
func forgetAll(t *testing.T, e *emulator, u user, c chat, data string, logs *telegramtest.LogBuffer) {
	t.Helper()
	dir := filepath.Join(data, library.ChatsDir, strconv.FormatInt(c.ID, 10))
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("the chat's folder: %v", err)
	}
	e.command(t, u, c, "/forget")
	ask := e.replyWith(t, c, "3 documents", logs)
	if !strings.HasPrefix(ask.Message.Text, "Delete ") {
		t.Errorf("/forget asks %q", ask.Message.Text)
	}
	rows := buttonData(t, ask)
	if len(rows) != 1 || len(rows[0]) != 2 || !strings.HasPrefix(rows[0][0], "forget:yes:") || rows[0][1] != "forget:no" {
		t.Fatalf("/forget buttons = %q", rows)
	}
	e.tap(t, u, c, ask.MessageID, rows[0][0])
	deadline := time.Now().Add(30 * time.Second)
	for got := ""; !strings.HasPrefix(got, "Deleted this chat's") || !strings.Contains(got, "3 documents"); got = e.history(t)[ask.MessageID].Message.Text {
		if time.Now().After(deadline) {
			t.Fatalf("after the tap the question reads %q; logs:\n%s", got, tail(logs.String(), 30))
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.command(t, u, c, "/docs")
	if docs := e.replyWith(t, c, "Documents", logs).Message.Text; strings.Contains(docs, "ferry.html") || strings.Contains(docs, "notes.txt") {
		t.Errorf("/docs after /forget = %q", docs)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the chat's folder outlives /forget: %v", err)
	}
}
