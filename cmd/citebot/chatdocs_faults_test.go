package main

// Chat documents under SIGKILL: the real citebot binary, with the chat
// libraries' memory budget at 1 MiB so that every chat library loaded
// evicts the others, is killed while users add documents to their
// private chats and while three chats ask questions, and restarted on the
// same data directory each time.
//
// Each upload is killed at one point of its way: once getFile was
// answered, once the download was served, at fractions of the time an
// upload takes once downloaded (measured on a first upload that is not
// killed), once the document's record is written (as its reply reaches
// Telegram, which then fails it), and once Telegram accepted that reply
// (before the store marks the update done). A snapshot's save and a
// file's write are windows of milliseconds that a timed kill seldom hits,
// so the test also leaves, at one kill, what a kill there leaves: a
// half-written snapshot (.index-*.tmp) in a chat's folder and a
// half-written file (.upload-*) among its documents.
//
// Then it checks that nothing was lost or left: every user was told at
// least once that their document was added ("Added …", not "Replaced …":
// they sent it once), every chat answers from its own document and never
// another's, /docs lists it once, each chat's folder holds exactly its
// file and one index snapshot, the catalog holds exactly one record per
// chat with the file's size, no update is left pending, and a start after
// a clean stop has nothing to repair.

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/citebot/citebot/bot/store"
	"github.com/citebot/citebot/bot/telegramtest"
	"github.com/citebot/citebot/library"
)

const (
	chatFaultToken = "5353:CHAT-DOCS-FAULTS-token"
	chatFaultUser  = 9_100_000 // user k is chatFaultUser+k
	chatFaultDoc   = "notes.txt"
)

// TestFaultsChatDocuments runs the chat documents' kill tests; see the top
// of this file.
func TestFaultsChatDocuments(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("runs citebot as a child process and kills it with SIGKILL: Linux only")
	}
	if testing.Short() {
		t.Skip("builds citebot and kills it a dozen times (ten seconds after the build): skipped in -short mode")
	}
	r := newChatFaultRun(t, buildCitebot(t))
	r.start()
	r.uploads()
	r.evictions()
	if !r.proc.stop(syscall.SIGTERM, "final stop", 30*time.Second) {
		t.Errorf("citebot did not stop within 30 s of SIGTERM")
	}
	r.checkStore()
	r.checkFiles()

	r.start() // the next start: consistent, nothing to repair
	for _, line := range strings.Split(r.proc.logs.String(), "\n") {
		if isRepair(line) {
			t.Errorf("the start after a clean stop repaired something: %s", line)
		}
	}
	for k := range r.users {
		r.checkAnswers(k)
	}
	r.proc.stop(syscall.SIGTERM, "end", 30*time.Second)
	r.log()
}

// chatFaultRun is one run of TestFaultsChatDocuments.
type chatFaultRun struct {
	t       *testing.T
	bin     string
	dir     string
	dataDir string
	env     []string
	fake    *telegramtest.Server
	proc    *child
	procs   []*child
	// armed is asked about every request after it took effect, preempt
	// about every sendMessage and editMessageText before: when one holds,
	// citebot is killed before it hears the answer (after preempt, the
	// request fails).
	armed, preempt atomic.Pointer[func(telegramtest.Request) bool]
	users          []telegramtest.User
	docs           [][]byte
	addTook        time.Duration // an upload, from its download to its reply
	kills          []string
}

func newChatFaultRun(t *testing.T, bin string) *chatFaultRun {
	r := &chatFaultRun{t: t, bin: bin, dir: t.TempDir(),
		fake: telegramtest.New(t, telegramtest.Options{Token: chatFaultToken})}
	r.dataDir = filepath.Join(r.dir, "data")
	r.env = []string{
		"TELEGRAM_BOT_TOKEN=" + chatFaultToken,
		"CITEBOT_TELEGRAM_API=" + r.fake.URL(),
		"CITEBOT_DATA_DIR=" + r.dataDir,
		"CITEBOT_RATE_PER_MINUTE=0",
		"CITEBOT_SHUTDOWN_TIMEOUT=1s",
		"CITEBOT_LOG_LEVEL=debug",
		"CITEBOT_RICH_MESSAGES=off", // the suite counts answers by sendMessage: the HTML path
		"CITEBOT_LIBRARY_MEMORY_MB=1",
	}
	r.fake.BeforeAnswer(func(req telegramtest.Request, resp *telegramtest.Response) {
		if f := r.armed.Load(); f != nil && resp.Status == 200 {
			(*f)(req)
		}
	})
	refuse := func(req telegramtest.Request, _ int) *telegramtest.Response {
		if f := r.preempt.Load(); f != nil && (*f)(req) {
			return telegramtest.APIError(http.StatusInternalServerError, "Internal Server Error", 0)
		}
		return nil
	}
	r.fake.Respond("sendMessage", refuse)
	r.fake.Respond("editMessageText", refuse)
	return r
}

// start starts a citebot process.
func (r *chatFaultRun) start() {
	r.proc = startChild(r.t, r.bin, r.dir, r.env)
	r.procs = append(r.procs, r.proc)
}

// user returns the k-th user, making them and their document when new.
func (r *chatFaultRun) user(k int) telegramtest.User {
	for len(r.users) <= k {
		n := len(r.users)
		r.users = append(r.users, telegramtest.User{ID: int64(chatFaultUser + n), Lang: "en"})
		r.docs = append(r.docs, chatFaultText(n))
		id := "chatdoc-" + strconv.Itoa(n)
		r.fake.AddFile(id, telegramtest.File{Path: "documents/" + id, Data: r.docs[n]})
	}
	return r.users[k]
}

// keeper is the name only user k's document holds.
func keeper(k int) string {
	syl := strings.Fields("bra cel dor fen gal hir jun kel lor mav nes orl pim quen rud sal tor vex wyn zor")
	rng := rand.New(rand.NewPCG(uint64(k), 17))
	name := func() string {
		s := syl[rng.IntN(len(syl))] + syl[rng.IntN(len(syl))] + syl[rng.IntN(len(syl))]
		return strings.ToUpper(s[:1]) + s[1:]
	}
	return name() + " " + name() + strconv.Itoa(k)
}

// chatFaultText is user k's document: about 1 MB of English-like
// paragraphs (reading and indexing it takes a few hundred milliseconds,
// for the kills to land in) with one sentence naming keeper(k).
func chatFaultText(k int) []byte {
	words := strings.Fields(`the river valley stone bridge morning harbour ledger council winter merchant
		lantern orchard festival granary mill road weaver tower market garden bell quarry canal well`)
	rng := rand.New(rand.NewPCG(uint64(k), 3))
	var b strings.Builder
	for p := 0; b.Len() < 1<<20; p++ {
		if p == 400 {
			fmt.Fprintf(&b, "The keeper of archive %d is %s, who catalogued the maps of the valley.\n\n", k, keeper(k))
			continue
		}
		for s := range 4 + rng.IntN(6) {
			if s > 0 {
				b.WriteByte(' ')
			}
			b.WriteString("The")
			for range 6 + rng.IntN(12) {
				b.WriteString(" " + words[rng.IntN(len(words))])
			}
			b.WriteByte('.')
		}
		b.WriteString("\n\n")
	}
	return []byte(b.String())
}

// archiveQuestion is what user k asks about their document.
func archiveQuestion(k int) string { return fmt.Sprintf("Who is the keeper of archive %d?", k) }

// uploadKill is a moment to kill citebot during an upload.
type uploadKill struct {
	name string
	// arm makes kill run at the moment for user u (whose upload's
	// requests are from the from-th); kill reports when it fired.
	arm func(r *chatFaultRun, u telegramtest.User, from int, kill func())
}

// uploadKills are the moments of the upload phase, in order.
func uploadKills() []uploadKill {
	afterDownload := func(frac float64) func(*chatFaultRun, telegramtest.User, int, func()) {
		return func(r *chatFaultRun, u telegramtest.User, from int, kill func()) {
			r.when(func() bool { return r.seen(from, "download", 0) }, time.Duration(frac*float64(r.addTook)), kill)
		}
	}
	return []uploadKill{
		{"once getFile was answered", func(r *chatFaultRun, u telegramtest.User, _ int, kill func()) {
			r.armOn(func(req telegramtest.Request) bool { return req.Method == "getFile" }, kill)
		}},
		{"once the download was served", afterDownload(0)},
		{"10% into reading and indexing", afterDownload(0.1)},
		{"35% into reading and indexing", afterDownload(0.35)},
		{"60% into reading and indexing", afterDownload(0.6)},
		{"85% into reading and indexing", afterDownload(0.85)},
		{"once the record was written, as the reply reached Telegram", func(r *chatFaultRun, u telegramtest.User, _ int, kill func()) {
			r.preemptOn(func(req telegramtest.Request) bool { return confirms(req, u) }, kill)
		}},
		{"once Telegram accepted the reply", func(r *chatFaultRun, u telegramtest.User, _ int, kill func()) {
			r.armOn(func(req telegramtest.Request) bool { return confirms(req, u) }, kill)
		}},
	}
}

// preemptOn kills citebot from the fake's responder at the first request
// for which match holds, before it takes effect (it fails), then calls
// done.
func (r *chatFaultRun) preemptOn(match func(telegramtest.Request) bool, done func()) {
	r.preempt.Store(r.killOn(match, "preempted", done))
}

// killOn returns a hook that, at the first request for which match holds,
// kills the citebot running now (not whichever runs when the request
// comes: the test may have started the next one by then) and then calls
// done; it reports whether match held.
func (r *chatFaultRun) killOn(match func(telegramtest.Request) bool, why string, done func()) *func(telegramtest.Request) bool {
	p := r.proc
	var once sync.Once
	f := func(req telegramtest.Request) bool {
		if !match(req) {
			return false
		}
		once.Do(func() {
			p.stop(syscall.SIGKILL, why, 10*time.Second)
			done()
		})
		return true
	}
	return &f
}

// confirms tells a request that confirms u's upload.
func confirms(req telegramtest.Request, u telegramtest.User) bool {
	return (req.Method == "sendMessage" || req.Method == "editMessageText") && req.ChatID() == u.ID && isConfirmation(req.Get("text"))
}

// armOn kills citebot from the fake's BeforeAnswer at the first request
// for which match holds, then calls done.
func (r *chatFaultRun) armOn(match func(telegramtest.Request) bool, done func()) {
	r.armed.Store(r.killOn(match, "armed", done))
}

// when waits (polling) until cond holds, then for delay, then calls kill.
func (r *chatFaultRun) when(cond func() bool, delay time.Duration, kill func()) {
	go func() {
		deadline := time.Now().Add(30 * time.Second)
		for !cond() && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(delay)
		kill()
	}()
}

// seen reports whether a request of method for chat (0: any) was made
// since the from-th.
func (r *chatFaultRun) seen(from int, method string, chat int64) bool {
	reqs := r.fake.Requests()
	return slices.ContainsFunc(reqs[min(from, len(reqs)):], func(q telegramtest.Request) bool {
		return q.Method == method && (chat == 0 || q.ChatID() == chat)
	})
}

// isConfirmation tells the reply to an added document.
func isConfirmation(text string) bool {
	return strings.HasPrefix(text, "Added "+chatFaultDoc+" to this chat") || strings.HasPrefix(text, "Replaced "+chatFaultDoc+" in this chat")
}

// tookMS reads the time of an upload from citebot's log line.
var tookMS = regexp.MustCompile(`msg="document added".* took_ms=(\d+)`)

// uploads adds a document for a first user without a kill, to time it,
// then one for a new user at each of uploadKills, killing and restarting
// citebot each time.
func (r *chatFaultRun) uploads() {
	r.upload(r.user(0))
	// The log line comes through a pipe, after the confirmation may have
	// reached the fake: wait for it.
	var m []string
	for deadline := time.Now().Add(30 * time.Second); m == nil && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		m = tookMS.FindStringSubmatch(r.proc.logs.String())
	}
	if m == nil {
		r.t.Fatalf("no upload time logged:\n%s", tail(r.proc.logs.String(), 20))
	}
	ms, _ := strconv.Atoi(m[1])
	r.addTook = time.Duration(max(ms, 20)) * time.Millisecond
	for i, kp := range uploadKills() {
		u := r.user(i + 1)
		from := len(r.fake.Requests())
		fired := make(chan struct{})
		var once sync.Once
		p := r.proc
		kill := func() {
			once.Do(func() {
				p.stop(syscall.SIGKILL, kp.name, 10*time.Second)
				close(fired)
			})
		}
		kp.arm(r, u, from, kill)
		id := r.fake.Push(telegramtest.DocumentMessage(u, "chatdoc-"+strconv.Itoa(i+1), chatFaultDoc, len(r.docs[i+1])))[0]
		select {
		case <-fired:
		case <-time.After(30 * time.Second):
			r.t.Fatalf("the kill %s never came; logs:\n%s", kp.name, tail(p.logs.String(), 20))
		}
		r.armed.Store(nil)
		r.preempt.Store(nil)
		if r.pending()[id] {
			from = len(r.fake.Requests()) // the replay confirms it
		}
		r.kills = append(r.kills, fmt.Sprintf("upload of user %d: SIGKILL %s; then %s", i+1, kp.name, r.leftBy(p, i+1)))
		if i == 3 {
			r.leaveHalfWritten(0)
		}
		r.start()
		r.waitConfirmed(i+1, from)
	}
}

// pending returns the ids of the updates pending in the store of the
// stopped citebot.
func (r *chatFaultRun) pending() map[int]bool {
	r.t.Helper()
	st, err := store.Open(filepath.Join(r.dataDir, store.FileName), store.Options{NoSync: true})
	if err != nil {
		r.t.Fatal(err)
	}
	defer st.Close()
	ups, err := st.Pending()
	if err != nil {
		r.t.Fatal(err)
	}
	out := map[int]bool{}
	for _, u := range ups {
		out[u.ID] = true
	}
	return out
}

// leftBy describes what the killed process p left of user k's upload.
func (r *chatFaultRun) leftBy(p *child, k int) string {
	dir := filepath.Join(r.dataDir, library.ChatsDir, strconv.FormatInt(r.users[k].ID, 10))
	var files []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			files = append(files, rel)
		}
		return nil
	})
	recorded := slices.ContainsFunc(strings.Split(p.logs.String(), "\n"), func(l string) bool {
		return strings.Contains(l, `msg="chat document added"`) && strings.Contains(l, fmt.Sprintf("chat_id=%d", r.users[k].ID))
	})
	return fmt.Sprintf("record written: %v, chat folder: %v", recorded, files)
}

// upload sends u's document and waits for its confirmation.
func (r *chatFaultRun) upload(u telegramtest.User) {
	k := int(u.ID - chatFaultUser)
	from := len(r.fake.Requests())
	r.fake.Push(telegramtest.DocumentMessage(u, "chatdoc-"+strconv.Itoa(k), chatFaultDoc, len(r.docs[k])))
	r.waitConfirmed(k, from)
}

// waitConfirmed waits until user k was told, since the from-th request,
// that their document was added.
func (r *chatFaultRun) waitConfirmed(k int, from int) {
	r.t.Helper()
	u := r.users[k]
	r.fake.WaitFor(r.t, 30*time.Second, "the confirmation of user "+strconv.Itoa(k)+"'s upload", func(rs []telegramtest.Request) bool {
		for _, q := range rs[min(from, len(rs)):] {
			if (q.Method == "sendMessage" || q.Method == "editMessageText") && q.Status == 200 && q.ChatID() == u.ID && isConfirmation(q.Get("text")) {
				return true
			}
		}
		return false
	})
}

// leaveHalfWritten leaves in user k's chat folder what a kill during a
// snapshot's save and during a file's write leaves: the first half of
// its snapshot as .index-*.tmp, the first half of its file as .upload-*.
func (r *chatFaultRun) leaveHalfWritten(k int) {
	dir := filepath.Join(r.dataDir, library.ChatsDir, strconv.FormatInt(r.users[k].ID, 10))
	snaps, _ := filepath.Glob(filepath.Join(dir, "index-*.snap"))
	if len(snaps) == 0 {
		r.t.Fatalf("user %d's chat has no index snapshot", k)
	}
	snap, err := os.ReadFile(snaps[0])
	if err != nil {
		r.t.Fatal(err)
	}
	for path, data := range map[string][]byte{
		filepath.Join(dir, ".index-2718281828.tmp"):                  snap[:len(snap)/2],
		filepath.Join(dir, library.UploadsDir, ".upload-3141592653"): r.docs[k][:len(r.docs[k])/2],
	} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			r.t.Fatal(err)
		}
	}
	r.kills = append(r.kills, "left a half-written snapshot and file in user 0's chat")
}

// evictions has three chats ask questions in turn, each load evicting the
// others (the budget holds less than one library), and kills citebot
// twice while they are answered: once Telegram accepted the fifth answer,
// and after a random moment.
func (r *chatFaultRun) evictions() {
	rng := rand.New(rand.NewPCG(20261207, 1))
	for round := range 2 {
		var asked []int      // the question messages
		who := map[int]int{} // by message: the asking user
		var updates []telegramtest.Update
		for n := range 8 {
			for k := 1; k <= 3; k++ {
				u := telegramtest.PrivateMessage(r.users[k], archiveQuestion(k))
				if n%2 == 1 {
					u = telegramtest.PrivateMessage(r.users[k], fmt.Sprintf("Whose maps did %s catalogue?", keeper(k)))
				}
				updates = append(updates, u)
				asked = append(asked, messageID(u))
				who[messageID(u)] = k
			}
		}
		p, fired := r.proc, make(chan struct{})
		kill := func() { p.stop(syscall.SIGKILL, "evictions", 10*time.Second); close(fired) }
		var answers atomic.Int32
		if round == 0 {
			r.armOn(func(q telegramtest.Request) bool {
				return q.Method == "sendMessage" && q.ReplyTo() != 0 && answers.Add(1) == 5
			}, func() { close(fired) })
		} else {
			time.AfterFunc(time.Duration(100+rng.IntN(400))*time.Millisecond, kill)
		}
		r.fake.Push(updates...)
		select {
		case <-fired:
		case <-time.After(30 * time.Second):
			r.t.Fatalf("the kill during questions never came")
		}
		r.armed.Store(nil)
		r.kills = append(r.kills, fmt.Sprintf("questions of 3 chats, round %d: SIGKILL", round+1))
		r.start()
		r.waitAnswered(asked)
		r.checkReplies(who)
	}
}

// waitAnswered waits until every question in asked has an answer.
func (r *chatFaultRun) waitAnswered(asked []int) {
	r.t.Helper()
	want := map[int]bool{}
	for _, id := range asked {
		want[id] = true
	}
	r.fake.WaitFor(r.t, 60*time.Second, "every question answered", func([]telegramtest.Request) bool {
		got := map[int]bool{}
		for _, m := range r.fake.AllMessages() {
			if want[m.ReplyTo] && !m.Deleted && isAnswer(m.Text) && !isPlaceholder(m.Text) {
				got[m.ReplyTo] = true
			}
		}
		return len(got) == len(want)
	})
}

// checkReplies checks that every answer to a question in asked (by
// message id: the asking user's index) quotes that user's document and
// no other's.
func (r *chatFaultRun) checkReplies(asked map[int]int) {
	r.t.Helper()
	for _, m := range r.fake.AllMessages() {
		k, ok := asked[m.ReplyTo]
		if !ok || m.Deleted || !isAnswer(m.Text) {
			continue
		}
		if !strings.Contains(m.Text, keeper(k)) || !strings.Contains(m.Text, chatFaultDoc) {
			r.t.Errorf("chat of user %d: an answer without its own document's keeper: %s", k, shorten(m.Text, 200))
		}
		for j := range r.users {
			if j != k && strings.Contains(m.Text, keeper(j)) {
				r.t.Errorf("chat of user %d was answered from user %d's document: %s", k, j, shorten(m.Text, 200))
			}
		}
	}
}

// checkAnswers asks user k's question and /docs in the running citebot:
// the answer quotes their document, /docs lists it once as the chat's.
func (r *chatFaultRun) checkAnswers(k int) {
	r.t.Helper()
	u := r.users[k]
	q := telegramtest.PrivateMessage(u, archiveQuestion(k))
	r.fake.Push(q)
	r.waitAnswered([]int{messageID(q)})
	r.checkReplies(map[int]int{messageID(q): k})
	docs := telegramtest.PrivateMessage(u, "/docs")
	r.fake.Push(docs)
	r.waitAnswered([]int{messageID(docs)})
	for _, m := range r.fake.Messages(u.ID) {
		if m.ReplyTo == messageID(docs) {
			if n := len(ownListed.FindAllString(m.Text, -1)); n != 1 || strings.Count(m.Text, chatFaultDoc) != 1 {
				r.t.Errorf("user %d's /docs lists %s %d times as the chat's own, want once:\n%s", k, chatFaultDoc, n, m.Text)
			}
		}
	}
}

// ownListed is a /docs line of the chat's own document.
var ownListed = regexp.MustCompile(`(?m)^\d+\. ` + regexp.QuoteMeta(chatFaultDoc) + ` — .* · this chat's$`)

// checkStore checks the stopped citebot's store: no update pending, and
// the catalog holds exactly one record per user, of their document.
func (r *chatFaultRun) checkStore() {
	r.t.Helper()
	st, err := store.Open(filepath.Join(r.dataDir, store.FileName), store.Options{NoSync: true})
	if err != nil {
		r.t.Fatal(err)
	}
	defer st.Close()
	if pending, err := st.Pending(); err != nil || len(pending) > 0 {
		r.t.Errorf("%d updates still pending after the final stop (%v)", len(pending), err)
	}
	cat, err := library.NewBoltCatalog(st.DB())
	if err != nil {
		r.t.Fatal(err)
	}
	recs, err := cat.All()
	if err != nil {
		r.t.Fatal(err)
	}
	seen := map[int64]int{}
	for _, rec := range recs {
		k := int(rec.Chat - chatFaultUser)
		seen[rec.Chat]++
		if k < 0 || k >= len(r.users) || rec.Name != chatFaultDoc || rec.Bytes != int64(len(r.docs[k])) || rec.Uploader != rec.Chat {
			r.t.Errorf("unexpected catalog record %+v", rec)
		}
	}
	for k, u := range r.users {
		if seen[u.ID] != 1 {
			r.t.Errorf("user %d's chat has %d catalog records, want 1", k, seen[u.ID])
		}
	}
}

// checkFiles checks the chats' folders: each user's holds exactly their
// document and one index snapshot, and no other folder or file is left.
func (r *chatFaultRun) checkFiles() {
	r.t.Helper()
	root := filepath.Join(r.dataDir, library.ChatsDir)
	want := map[string]bool{}
	for k, u := range r.users {
		dir := filepath.Join(root, strconv.FormatInt(u.ID, 10))
		want[dir], want[filepath.Join(dir, library.UploadsDir)] = true, true
		doc := filepath.Join(dir, library.UploadsDir, chatFaultDoc)
		want[doc] = true
		if data, err := os.ReadFile(doc); err != nil || string(data) != string(r.docs[k]) {
			r.t.Errorf("user %d's document on disk: %d bytes, want %d (%v)", k, len(data), len(r.docs[k]), err)
		}
		snaps, _ := filepath.Glob(filepath.Join(dir, "index-*.snap"))
		if len(snaps) != 1 {
			r.t.Errorf("user %d's chat has %d index snapshots, want 1: %v", k, len(snaps), snaps)
		}
		for _, s := range snaps {
			want[s] = true
		}
	}
	filepath.WalkDir(root, func(path string, _ os.DirEntry, err error) error {
		if err == nil && path != root && !want[path] {
			rel, _ := filepath.Rel(r.dataDir, path)
			r.t.Errorf("left in the data directory: %s", rel)
		}
		return nil
	})
	if left, _ := filepath.Glob(filepath.Join(r.dataDir, library.UploadsDir, "*")); len(left) > 0 {
		r.t.Errorf("left among the shared documents: %v", left)
	}
}

// repairs are the log messages of what a start repairs.
var repairs = []string{
	"forgetting a chat document whose file is gone", "removed the folder of a chat without documents",
	"removed a chat file no record names", "removed a stale temporary upload", "removed a snapshot file left by an interrupted save",
}

// isRepair tells a log line of a repair.
func isRepair(line string) bool {
	return slices.ContainsFunc(repairs, func(m string) bool { return strings.Contains(line, m) })
}

// log prints what the run did: the kills, the repairs each start made,
// the confirmations and evictions.
func (r *chatFaultRun) log() {
	var lines []string
	evicted := 0
	for i, p := range r.procs {
		for _, l := range strings.Split(p.logs.String(), "\n") {
			if isRepair(l) {
				lines = append(lines, fmt.Sprintf("  process %d: %s", i+1, l))
			}
		}
		evicted += strings.Count(p.logs.String(), `msg="chat library evicted"`)
	}
	words := make([][]string, len(r.users))
	for _, m := range r.fake.AllMessages() {
		if k := int(m.Chat - chatFaultUser); isConfirmation(m.Text) && k >= 0 && k < len(r.users) {
			words[k] = append(words[k], strings.Fields(m.Text)[0])
		}
	}
	r.t.Logf("chat documents under SIGKILL: %d processes, an upload takes %v once downloaded, %d chat libraries evicted\n  %s\n  repairs at start:\n%s\n  confirmations each user saw: %v",
		len(r.procs), r.addTook, evicted, strings.Join(r.kills, "\n  "), strings.Join(lines, "\n"), words)
	for k, w := range words {
		if !slices.Contains(w, "Added") {
			r.t.Errorf("user %d added %s once and was never told it was added, only %v", k, chatFaultDoc, w)
		}
	}
	if evicted == 0 {
		r.t.Error("no chat library was evicted: the budget did not bite")
	}
}
