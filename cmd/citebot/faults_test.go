package main

// The fault suite (`make faults`): the real citebot binary serves 500
// questions from 100 chats (private chats, and groups with /ask or a
// mention) against a fake Bot API that fails like a flaky network and a
// busy Telegram (telegramtest.Faults, seeded), while the test kills it
// (SIGKILL, at a random moment or right after Telegram accepted a
// sendMessage) and stops it (SIGTERM) mid-answer and restarts it on the
// same data directory. It does so three times: long polling, webhook (the
// fake delivers and redelivers like Telegram), and long polling with a
// fake model server whose streams break and hang. Then it heals the
// network, stops citebot and counts what the chats show, printing the
// table with t.Logf: every question must be answered exactly once, with
// no placeholder or partial text left and nothing left pending in the
// store.
//
// The one duplicate the bot's "# Delivery" documentation allows (the
// process dies between Telegram accepting a sendMessage and the store
// recording its id) is recognised, not guessed: right after each stop the
// test reads the store and notes the messages Telegram accepted from that
// process, for updates still pending, whose ids the store does not hold.
// A duplicate answer (or an orphaned partial text, a group answer's first
// streamed message) is allowed only when its first copy is such a message
// at a SIGKILL; it is counted apart. A placeholder without content
// ("正在查找…") is never allowed: the bot no longer sends one.

import (
	"fmt"
	"math/rand/v2"
	"net"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/citebot/citebot/bot/store"
	"github.com/citebot/citebot/bot/telegramtest"
)

const (
	faultSeed      = 20250611
	faultToken     = "5151:FAULT-SUITE-token"
	faultChats     = 100
	faultPrivate   = 70 // the rest are groups, asked with /ask or a mention
	faultPerChat   = 5  // questions per chat
	faultWaves     = 10
	faultGroupSize = 3 // members asking in each group
)

// faultQuestions are questions about the bundled sample document that the
// extractive engine answers with quotes (from testdata/eval/seed_dev.jsonl).
var faultQuestions = []string{
	"这次座谈会的名称是什么？", "哪位国务院副总理出席了座谈会？", "上海市委书记是谁？",
	"生态环境保护和修复取得了什么成就？", "推动长江经济带高质量发展根本上依赖什么？",
	"生态保护补偿机制方面有什么要求？", "如何推动产业链发展？", "对外开放方面有什么要求？",
	"耕地保护有什么要求？", "中央有关部门应该支持哪些项目？", "长江十年禁渔有什么要求？",
}

// faultRates is the network the suite runs on: about one request in five
// fails or is slow. sendMessage gets no ResetAfter: a send whose answer
// is lost although Telegram accepted it cannot be told from one it
// refused, and that is not the window the Delivery documentation names.
func faultRates() telegramtest.Faults {
	all := telegramtest.Rates{TooManyRequests: 0.04, ServerError: 0.03, Reset: 0.02, ResetAfter: 0.02, BadJSON: 0.02, Delay: 0.08}
	send := all
	send.ResetAfter = 0
	return telegramtest.Faults{
		Seed: faultSeed, All: all, Methods: map[string]telegramtest.Rates{"sendMessage": send},
		RetryAfter: 1, MaxDelay: 300 * time.Millisecond,
	}
}

// stopKind is how a citebot process ended.
type stopKind string

const (
	stopKill     stopKind = "SIGKILL at a random moment"
	stopKillSend stopKind = "SIGKILL right after Telegram accepted a sendMessage"
	stopTerm     stopKind = "SIGTERM"
	stopSelf     stopKind = "exited by itself"
	stopFinal    stopKind = "final SIGTERM (network healed)"
)

// faultPlan is what happens after each wave of questions.
var faultPlan = [faultWaves]stopKind{"", stopKill, stopKillSend, stopTerm, stopKill, stopKillSend, stopTerm, stopKill, stopKillSend, stopTerm}

// TestFaults runs the fault suite; see the top of this file.
func TestFaults(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the fault suite runs citebot as a child process and kills it with SIGKILL: Linux only")
	}
	if testing.Short() {
		t.Skip("the fault suite builds citebot and serves 1500 questions under faults (one to two minutes): skipped in -short mode")
	}
	bin := buildCitebot(t)
	for _, tt := range []struct {
		name           string
		webhook, model bool
	}{
		{"polling", false, false},
		{"webhook", true, false},
		{"polling with a model", false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newFaultRun(t, bin, tt.webhook, tt.model)
			r.run()
			tally := r.tally()
			tally.log(t, tt.name, r)
			tally.check(t, r)
		})
	}
}

// question is one question asked in the suite.
type question struct {
	chat     int64
	msgID    int // the user's message
	updateID int
	text     string
}

// faultRun is one run of the suite, polling or webhook.
type faultRun struct {
	t        *testing.T
	bin, dir string
	dataDir  string
	webhook  bool
	env      []string
	fake     *telegramtest.Server
	model    *fakeModel // nil: extractive
	rng      *rand.Rand

	proc     *child
	genStart time.Time // when proc started
	logs     []*telegramtest.LogBuffer
	stops    map[stopKind]int
	selfExit []string // the last log line of each process that exited by itself
	// window holds the bot messages Telegram had accepted, for an update
	// still pending, when the process that sent them stopped before the
	// store recorded them: the Delivery documentation's window.
	window     map[int]stopKind
	questions  []*question
	byMsg      map[int]*question
	byUpdate   map[int]*question
	chatter    map[int]bool // group messages not addressed to the bot
	armed      atomic.Pointer[func()]
	pendingEnd int         // updates still pending in the store after the final stop
	replyOf    map[int]int // bot message -> the message it replies to, once the run is over
}

func newFaultRun(t *testing.T, bin string, webhook, model bool) *faultRun {
	r := &faultRun{
		t: t, bin: bin, dir: t.TempDir(), webhook: webhook,
		fake:  telegramtest.New(t, telegramtest.Options{Token: faultToken, DeliverWebhook: webhook}),
		rng:   rand.New(rand.NewPCG(faultSeed, 1)),
		stops: map[stopKind]int{}, window: map[int]stopKind{},
		byMsg: map[int]*question{}, byUpdate: map[int]*question{}, chatter: map[int]bool{},
	}
	r.dataDir = filepath.Join(r.dir, "data")
	r.env = []string{
		"TELEGRAM_BOT_TOKEN=" + faultToken,
		"CITEBOT_TELEGRAM_API=" + r.fake.URL(),
		"CITEBOT_DATA_DIR=" + r.dataDir,
		"CITEBOT_RATE_PER_MINUTE=0",
		"CITEBOT_SHUTDOWN_TIMEOUT=1s",
		"CITEBOT_LOG_LEVEL=info",
		// The suite counts answers by sendMessage: the HTML path.
		"CITEBOT_RICH_MESSAGES=off",
	}
	if model {
		r.model = newFakeModel(t, faultSeed)
		r.env = append(r.env, "CITEBOT_MODEL=fault-model", "OPENAI_BASE_URL="+r.model.BaseURL(),
			"CITEBOT_MODEL_TIMEOUT=2s", "CITEBOT_EDIT_INTERVAL=200ms", "CITEBOT_WORKERS=16")
	}
	if webhook {
		addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
		r.env = append(r.env, "CITEBOT_WEBHOOK_URL=http://"+addr+"/telegram", "CITEBOT_WEBHOOK_LISTEN="+addr)
	}
	r.fake.BeforeAnswer(func(req telegramtest.Request, resp *telegramtest.Response) {
		if req.Method == "sendMessage" && resp.Status == 200 {
			if kill := r.armed.Swap(nil); kill != nil {
				(*kill)()
			}
		}
	})
	return r
}

// freePort returns a loopback port that was free a moment ago.
func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// run asks the questions wave by wave, stopping and restarting citebot
// after the waves as faultPlan says, waits for the answers, heals the
// network, waits again and stops citebot for good.
func (r *faultRun) run() {
	r.fake.SetFaults(faultRates())
	r.start()
	for i, wave := range r.waves() {
		r.restartIfExited()
		r.push(wave)
		time.Sleep(time.Duration(300+r.rng.IntN(400)) * time.Millisecond)
		if kind := faultPlan[i]; kind != "" {
			r.restartIfExited()
			r.stop(kind)
			time.Sleep(300 * time.Millisecond) // updates pile up meanwhile
			r.start()
		}
	}
	r.await(10 * time.Second)
	r.fake.SetFaults(telegramtest.Faults{})
	r.await(5 * time.Second)
	r.restartIfExited()
	r.stop(stopFinal)
}

// start starts a citebot process.
func (r *faultRun) start() {
	r.genStart = time.Now()
	r.proc = startChild(r.t, r.bin, r.dir, r.env)
	r.logs = append(r.logs, r.proc.logs)
}

// restartIfExited restarts citebot when it exited by itself (a startup
// request that failed makes it exit with status 1, for a supervisor to
// restart it).
func (r *faultRun) restartIfExited() {
	for r.proc.exited() && r.proc.signalled() == "" {
		lines := strings.Split(strings.TrimSpace(r.proc.logs.String()), "\n")
		r.selfExit = append(r.selfExit, lines[len(lines)-1])
		r.stops[stopSelf]++
		r.snapshot(stopSelf)
		if r.stops[stopSelf] > 20 {
			r.t.Fatalf("citebot keeps exiting by itself; last logs:\n%s", r.proc.logs.String())
		}
		time.Sleep(100 * time.Millisecond)
		r.start()
	}
}

// stop ends the running process the kind's way and reads the store.
func (r *faultRun) stop(kind stopKind) {
	p := r.proc
	switch kind {
	case stopKill:
		p.stop(syscall.SIGKILL, string(kind), 10*time.Second)
	case stopKillSend:
		fired := make(chan struct{})
		var once sync.Once
		kill := func() {
			once.Do(func() {
				p.stop(syscall.SIGKILL, string(kind), 10*time.Second)
				close(fired)
			})
		}
		r.armed.Store(&kill)
		select {
		case <-fired:
		case <-time.After(10 * time.Second):
			r.armed.Store(nil)
			kill()
			kind = stopKill // nothing was sent in 10 s
		}
	case stopTerm, stopFinal:
		if !p.stop(syscall.SIGTERM, string(kind), 30*time.Second) {
			r.t.Errorf("citebot did not stop within 30 s of SIGTERM; logs:\n%s", tail(p.logs.String(), 40))
		}
	}
	r.stops[kind]++
	pending := r.snapshot(kind)
	if kind == stopFinal {
		r.pendingEnd = pending
	}
}

// snapshot reads the store of the stopped process: the bot messages
// Telegram accepted from that process for a pending update whose id the
// store does not hold join r.window. It returns how many updates are
// pending.
func (r *faultRun) snapshot(kind stopKind) int {
	r.t.Helper()
	st, err := store.Open(filepath.Join(r.dataDir, store.FileName), store.Options{NoSync: true})
	if err != nil {
		r.t.Fatalf("after %s: %v", kind, err)
	}
	defer st.Close()
	pending, err := st.Pending()
	if err != nil {
		r.t.Fatalf("after %s: %v", kind, err)
	}
	recorded, pendingQ := map[int]bool{}, map[int]bool{}
	for _, u := range pending {
		for _, id := range u.Sent {
			recorded[id] = true
		}
		if q := r.byUpdate[u.ID]; q != nil {
			pendingQ[q.msgID] = true
		}
	}
	for _, m := range r.fake.AllMessages() {
		if _, seen := r.window[m.ID]; !seen && pendingQ[m.ReplyTo] && !recorded[m.ID] && !m.Sent.Before(r.genStart) {
			r.window[m.ID] = kind
		}
	}
	return len(pending)
}

// waves makes the questions, faultPerChat per chat in a seeded order, in
// faultWaves waves, each with some group chatter the bot must ignore.
func (r *faultRun) waves() [][]telegramtest.Update {
	type ask struct {
		u    telegramtest.Update
		chat int64
		text string
	}
	var asks []ask
	for c := range faultChats {
		for k := range faultPerChat {
			text := faultQuestions[r.rng.IntN(len(faultQuestions))]
			lang := []string{"zh-hans", "en", ""}[r.rng.IntN(3)]
			if c < faultPrivate {
				id := int64(7_000_000 + c)
				asks = append(asks, ask{telegramtest.PrivateMessage(telegramtest.User{ID: id, Lang: lang}, text), id, text})
				continue
			}
			g := c - faultPrivate
			chat, user := int64(-1_001_000_000_000-g), telegramtest.User{ID: int64(8_000_000 + g*faultGroupSize + k%faultGroupSize), Lang: lang}
			asked := "/ask " + text
			if k%2 == 1 {
				asked = "@" + telegramtest.BotUserName + " " + text
			}
			asks = append(asks, ask{telegramtest.GroupMessage(chat, user, asked), chat, text})
		}
	}
	r.rng.Shuffle(len(asks), func(i, j int) { asks[i], asks[j] = asks[j], asks[i] })
	waves := make([][]telegramtest.Update, faultWaves)
	per := len(asks) / faultWaves
	for i, a := range asks {
		w := min(i/per, faultWaves-1)
		q := &question{chat: a.chat, msgID: messageID(a.u), text: a.text}
		r.questions = append(r.questions, q)
		r.byMsg[q.msgID] = q
		waves[w] = append(waves[w], a.u)
	}
	for w := range waves {
		for range 3 {
			g := r.rng.IntN(faultChats - faultPrivate)
			u := telegramtest.GroupMessage(int64(-1_001_000_000_000-g), telegramtest.User{ID: int64(8_000_000 + g*faultGroupSize)}, "大家晚上好，今天讨论什么？")
			r.chatter[messageID(u)] = true
			waves[w] = append(waves[w], u)
		}
	}
	return waves
}

// messageID returns the message_id of a message update.
func messageID(u telegramtest.Update) int {
	return u["message"].(map[string]any)["message_id"].(int)
}

// push hands a wave to the fake Bot API and notes the update ids.
func (r *faultRun) push(wave []telegramtest.Update) {
	ids := r.fake.Push(wave...)
	for i, u := range wave {
		if q := r.byMsg[messageID(u)]; q != nil {
			q.updateID = ids[i]
			r.byUpdate[ids[i]] = q
		}
	}
}

// await waits until every question has an answer, every update was
// delivered (by webhook) and the bot has been idle in the chats for a
// second and a half, or until quiet passes without a new answer,
// restarting citebot if it exits by itself.
func (r *faultRun) await(quiet time.Duration) {
	last, lastChange := -1, time.Now()
	for time.Since(lastChange) < quiet {
		r.restartIfExited()
		n := r.answeredCount()
		if n == len(r.questions) && (!r.webhook || len(r.fake.Unconfirmed()) == 0) && time.Since(r.lastChatRequest()) > 1500*time.Millisecond {
			return
		}
		if n != last {
			last, lastChange = n, time.Now()
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// lastChatRequest returns when the bot last sent, edited or deleted a
// message.
func (r *faultRun) lastChatRequest() time.Time {
	var last time.Time
	for _, req := range r.fake.Requests("sendMessage", "editMessageText", "deleteMessage") {
		if req.Time.After(last) {
			last = req.Time
		}
	}
	return last
}

// answeredCount counts the questions with at least one answer visible.
func (r *faultRun) answeredCount() int {
	seen := map[int]bool{}
	for _, m := range r.fake.AllMessages() {
		if !m.Deleted && isAnswer(m.Text) && r.byMsg[m.ReplyTo] != nil {
			seen[m.ReplyTo] = true
		}
	}
	return len(seen)
}

// notAnswers start the bot's messages that are not an answer (bot/texts.go):
// the note left by an interrupted answer, the apology for a failed one and
// the reply to a question replayed too late.
var notAnswers = []string{
	"Interrupted by a restart.", "回答因重启而中断。",
	"Sorry, something went wrong while answering.", "抱歉，回答时出了点问题",
	"Sorry, this took too long", "抱歉，耽搁太久",
}

// isAnswer tells an answer (with quotes, or the document's "not found"
// when the conversation's history led the engine elsewhere) from the
// bot's other messages.
func isAnswer(text string) bool {
	if isPlaceholder(text) {
		return false
	}
	for _, p := range notAnswers {
		if strings.HasPrefix(text, p) {
			return false
		}
	}
	return true
}

// isPlaceholder tells a message that still shows progress: a
// placeholder without content (isBarePlaceholder) or partial text (ending
// " …").
func isPlaceholder(text string) bool {
	return isBarePlaceholder(text) || strings.HasSuffix(text, " …")
}

// isBarePlaceholder tells the placeholders earlier versions sent before
// any content ("…", "正在查找…", "Looking…").
func isBarePlaceholder(text string) bool {
	switch strings.TrimSpace(text) {
	case "…", "正在查找…", "Looking…":
		return true
	}
	return false
}

// okCount counts the requests answered 200.
func okCount(reqs []telegramtest.Request) int {
	n := 0
	for _, r := range reqs {
		if r.Status == 200 {
			n++
		}
	}
	return n
}

// shorten returns s cut to n runes.
func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// faultTally is what the chats show at the end.
type faultTally struct {
	asked, once, twice, twiceInWindow, lost, others int
	placeholders, placeholdersInWindow              int // partial texts and bare placeholders
	bare                                            int // bare placeholders (never allowed)
	chatterReplies                                  int
	lostDetails, dupDetails, windowDetails          []string
	placeholderDetails, otherDetails                []string
	otherTexts                                      map[string]int
}

// tally classifies every question by the bot messages that reply to it.
func (r *faultRun) tally() faultTally {
	tl := faultTally{asked: len(r.questions), otherTexts: map[string]int{}}
	replies := map[int][]telegramtest.Message{}
	for _, m := range r.fake.AllMessages() {
		if m.Deleted {
			continue
		}
		if r.chatter[m.ReplyTo] {
			tl.chatterReplies++
		}
		replies[m.ReplyTo] = append(replies[m.ReplyTo], m)
	}
	for _, q := range r.questions {
		var answers []telegramtest.Message
		for _, m := range replies[q.msgID] {
			switch {
			case isAnswer(m.Text):
				answers = append(answers, m)
			case isBarePlaceholder(m.Text):
				tl.placeholders++
				tl.bare++
				tl.placeholderDetails = append(tl.placeholderDetails, fmt.Sprintf("message %d %q; %s", m.ID, shorten(m.Text, 30), r.history(q)))
			case isPlaceholder(m.Text) && r.inWindow(m.ID):
				// Sent by a process killed before it recorded the id: the
				// replay cannot know it, as with a duplicate answer.
				tl.placeholders++
				tl.placeholdersInWindow++
			case isPlaceholder(m.Text):
				tl.placeholders++
				tl.placeholderDetails = append(tl.placeholderDetails, fmt.Sprintf("message %d %q; %s", m.ID, shorten(m.Text, 30), r.history(q)))
				if len(tl.placeholderDetails) == 1 {
					tl.placeholderDetails = append(tl.placeholderDetails, "its chat in every process's logs:\n"+r.chatLogs(q.chat))
				}
			default:
				tl.others++
				tl.otherTexts[shorten(m.Text, 60)]++
				tl.otherDetails = append(tl.otherDetails, fmt.Sprintf("message %d; %s", m.ID, r.history(q)))
			}
		}
		switch n := len(answers); {
		case n == 0:
			tl.lost++
			tl.lostDetails = append(tl.lostDetails, r.history(q))
		case n == 1:
			tl.once++
		default:
			tl.twice++
			inWindow := 0
			for _, m := range answers {
				if r.inWindow(m.ID) {
					inWindow++
				}
			}
			if n-inWindow <= 1 {
				tl.twiceInWindow++
				if len(tl.windowDetails) < 3 {
					tl.windowDetails = append(tl.windowDetails, r.history(q))
				}
			} else {
				tl.dupDetails = append(tl.dupDetails, r.history(q))
			}
		}
	}
	return tl
}

// chatLogs returns the log lines of every process that name chat, each
// headed by its process's number.
func (r *faultRun) chatLogs(chat int64) string {
	var out []string
	id := strconv.FormatInt(chat, 10)
	for i, l := range r.logs {
		for _, line := range strings.Split(l.String(), "\n") {
			if strings.Contains(line, id) || strings.Contains(line, "stopped") || strings.Contains(line, "shutdown") {
				out = append(out, fmt.Sprintf("[%d] %s", i+1, line))
			}
		}
	}
	return strings.Join(out, "\n")
}

// inWindow reports whether Telegram accepted bot message id from a
// process that was killed (SIGKILL) before the store recorded the id.
func (r *faultRun) inWindow(id int) bool {
	k := r.window[id]
	return k == stopKill || k == stopKillSend
}

// history describes what happened to a question, for a failure: its
// update's deliveries and the requests that replied to it.
func (r *faultRun) history(q *question) string {
	var parts []string
	for _, req := range r.fake.Requests() {
		switch {
		case req.Method == "webhook" && req.Get("update_id") == strconv.Itoa(q.updateID):
			parts = append(parts, fmt.Sprintf("webhook(%d)", req.Status))
		case req.ChatID() == q.chat && (req.ReplyTo() == q.msgID || req.Method == "editMessageText" || req.Method == "deleteMessage"):
			if req.Method != "sendMessage" && !r.repliesTo(req, q) {
				continue
			}
			f := ""
			if req.Fault != telegramtest.NoFault {
				f = " " + req.Fault.String()
			}
			parts = append(parts, fmt.Sprintf("%s(%d%s) %s", req.Method, req.Status, f, req.Time.Format("15:04:05.000")))
		}
	}
	return fmt.Sprintf("chat %d update %d %q: %s", q.chat, q.updateID, q.text, strings.Join(parts, ", "))
}

// repliesTo reports whether an edit or deletion is about a message that
// replies to q.
func (r *faultRun) repliesTo(req telegramtest.Request, q *question) bool {
	if r.replyOf == nil {
		r.replyOf = map[int]int{}
		for _, m := range r.fake.AllMessages() {
			r.replyOf[m.ID] = m.ReplyTo
		}
	}
	id, _ := strconv.Atoi(req.Get("message_id"))
	return r.replyOf[id] == q.msgID
}

// log prints the table.
func (tl faultTally) log(t *testing.T, name string, r *faultRun) {
	t.Helper()
	faults := map[telegramtest.FaultKind]int{}
	reqs := r.fake.Requests()
	for _, req := range reqs {
		faults[req.Fault]++
	}
	var fs []string
	for k := telegramtest.TooManyRequests; k <= telegramtest.Delay; k++ {
		fs = append(fs, fmt.Sprintf("%s %d", k, faults[k]))
	}
	var stops []string
	for _, k := range []stopKind{stopKill, stopKillSend, stopTerm, stopSelf, stopFinal} {
		stops = append(stops, fmt.Sprintf("%s: %d", k, r.stops[k]))
	}
	windows := map[stopKind]int{}
	for _, k := range r.window {
		windows[k]++
	}
	var ws []string
	for _, k := range []stopKind{stopKill, stopKillSend, stopTerm, stopSelf, stopFinal} {
		ws = append(ws, fmt.Sprintf("%s: %d", k, windows[k]))
	}
	all := ""
	for _, l := range r.logs {
		all += l.String()
	}
	mode := "extractive"
	if r.model != nil {
		mode = fmt.Sprintf("with a model (requests by outcome: %v)", r.model.Outcomes())
	}
	t.Logf(`fault suite, %s (seed %d): %d questions from %d chats (%d private, %d groups), %s
  processes: %d; %s
  faults injected in %d requests: %s
  logged by citebot: %d "couldn't send the answer", %d "couldn't edit the message sent before the restart", %d replays
  | asked | answered once | answered twice | of which in the window | lost | placeholders or partial texts left | of which in the window | other messages left | pending in store at end |
  | %5d | %13d | %14d | %22d | %4d | %34d | %22d | %19d | %23d |
  streaming: %d drafts accepted (private chats), %d messages edited while streaming, %d reactions set
  ("in the window": the first copy was accepted by Telegram from a process SIGKILLed before its store recorded it, the case bot's "# Delivery" names)
  bot messages accepted by Telegram but not yet recorded in the store when their process stopped: %s
  replies to group chatter: %d`,
		name, faultSeed, tl.asked, faultChats, faultPrivate, faultChats-faultPrivate, mode,
		len(r.logs), strings.Join(stops, ", "),
		len(reqs), strings.Join(fs, ", "),
		strings.Count(all, "couldn't send the answer"), strings.Count(all, "couldn't edit the message sent before the restart"),
		strings.Count(all, "replaying unfinished updates"),
		tl.asked, tl.once, tl.twice, tl.twiceInWindow, tl.lost, tl.placeholders, tl.placeholdersInWindow, tl.others, r.pendingEnd,
		okCount(r.fake.Requests("sendMessageDraft")), okCount(r.fake.Requests("editMessageText")), okCount(r.fake.Requests("setMessageReaction")),
		strings.Join(ws, ", "), tl.chatterReplies)
	for _, s := range r.selfExit {
		t.Logf("  exited by itself: %s", s)
	}
	for txt, n := range tl.otherTexts {
		t.Logf("  other message left ×%d: %q", n, txt)
	}
	for _, d := range tl.otherDetails[:min(len(tl.otherDetails), 3)] {
		t.Logf("  other message left: %s", d)
	}
	for _, d := range tl.windowDetails {
		t.Logf("  duplicate in the Delivery window: %s", d)
	}
}

// check asserts the acceptance: nothing lost, no placeholder left, no
// duplicate outside the Delivery window.
func (tl faultTally) check(t *testing.T, r *faultRun) {
	t.Helper()
	show := func(details []string) string {
		return "\n  " + strings.Join(details[:min(len(details), 10)], "\n  ")
	}
	if tl.lost > 0 {
		t.Errorf("%d of %d questions lost (no answer in the chat); the first:%s", tl.lost, tl.asked, show(tl.lostDetails))
	}
	if n := tl.placeholders - tl.placeholdersInWindow; n > 0 {
		t.Errorf("%d placeholders or partial texts left outside the Delivery window (%d bare placeholders); the first:%s", n, tl.bare, show(tl.placeholderDetails))
	}
	if n := tl.twice - tl.twiceInWindow; n > 0 {
		t.Errorf("%d questions answered twice outside the Delivery window:%s", n, show(tl.dupDetails))
	}
	if r.pendingEnd > 0 {
		t.Errorf("%d updates still pending in the store after the final stop", r.pendingEnd)
	}
	if tl.chatterReplies > 0 {
		t.Errorf("the bot replied %d times to group messages not addressed to it", tl.chatterReplies)
	}
	if r.webhook {
		if n := len(r.fake.Unconfirmed()); n > 0 {
			t.Errorf("%d updates never acknowledged to the webhook", n)
		}
	}
	if t.Failed() {
		t.Logf("last process's logs:\n%s", tail(r.logs[len(r.logs)-1].String(), 30))
	}
}
