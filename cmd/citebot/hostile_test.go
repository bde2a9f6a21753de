package main

import (
	"cmp"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/citebot/citebot/bot/telegramtest"
	"github.com/citebot/citebot/retrieval/pdf/pdftest"
)

// crashChildSetting, when GODEBUG holds it, makes every extraction child
// of this test binary crash (a stack overflow, a fatal error that recover
// cannot catch) before it reads its request. GODEBUG is one of the
// variables a child inherits, and the Go runtime ignores settings it does
// not know.
const crashChildSetting = "citebottestcrashchild=1"

// The child side of crashChildSetting: init runs in the extraction child
// (this test binary started again) before TestMain hands it the request.
func init() {
	if os.Getenv("CITEBOT_EXTRACT_CHILD") == "1" && strings.Contains(os.Getenv("GODEBUG"), crashChildSetting) {
		debug.SetMaxStack(8 << 20)
		overflowStack(0)
	}
}

// overflowStack recurses until the stack overflows.
func overflowStack(n int) int {
	var frame [128]byte
	frame[n%len(frame)] = byte(n)
	//lint:ignore SA5007 the endless recursion is the point: it crashes the child.
	return overflowStack(n+1) + int(frame[0])
}

// Bounds of TestHostileUploadsKeepServing.
const (
	refusalWithin   = 20 * time.Second // from an upload to its refusal
	answerWithin    = 15 * time.Second // from a question to its answer
	rssGrowthBound  = 300 << 20        // serve's (the test process's) RSS growth, bytes
	rssSampleEvery  = 50 * time.Millisecond
	restartQuietFor = 3 * time.Second // how long a restart is watched for replays
)

// TestHostileUploadsKeepServing runs `serve` while an admin uploads every
// hostile PDF of pdftest, one after another, and then a file whose
// extraction child crashes, and another user keeps asking about the
// bundled sample: each upload is refused within refusalWithin, every
// question is answered (some while an upload is being read), and the
// test process's RSS grows by less than rssGrowthBound. After a restart
// on the same data directory the refused uploads are neither downloaded
// nor refused again, and a new question is answered.
func TestHostileUploadsKeepServing(t *testing.T) {
	const token = "4343:HOSTILE-SECRET"
	admin, reader := telegramtest.User{ID: 601, Lang: "en"}, telegramtest.User{ID: 602, Lang: "zh-hans"}
	f := telegramtest.New(t, telegramtest.Options{Token: token})
	t.Chdir(t.TempDir())
	env := map[string]string{"TELEGRAM_BOT_TOKEN": token, "CITEBOT_ADMINS": strconv.FormatInt(admin.ID, 10),
		"CITEBOT_RATE_PER_MINUTE": "0"}

	stop, logs := serveAt(t, f.URL(), env)
	q := &asker{f: f, user: reader, question: "长江十年禁渔有什么要求？", want: "十年禁渔"}
	first, ok := q.ask(2 * answerWithin)
	if !ok {
		t.Fatalf("the first question was not answered in %v:\n%s", 2*answerWithin, logs.String())
	}
	t.Logf("first answer (index loaded) in %v", first.took().Round(time.Millisecond))
	rss := startRSSSampler(t, os.Getpid())
	q.start()

	var reads []span
	for i, c := range pdftest.Hostile() {
		raw := c.Build()
		name := fmt.Sprintf("hostile-%02d.pdf", i+1)
		read, text := uploadRefused(t, f, admin, name, raw)
		reads = append(reads, read)
		t.Logf("%-48s %6d bytes, refused in %6v: %q", c.Name, len(raw), read.took().Round(time.Millisecond), text)
	}
	reads = append(reads, crashedChildRefused(t, f, admin, logs))

	q.waitAnswers(q.answered() + 2)
	q.stop()
	peak, base := rss.stop()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err != nil {
		t.Fatal(err)
	}
	asked := q.spans()
	during := 0
	for _, a := range asked {
		if slices.ContainsFunc(reads, a.within) {
			during++
		}
	}
	slowest := slices.MaxFunc(asked, func(a, b span) int { return cmp.Compare(a.took(), b.took()) })
	t.Logf("%d questions answered, %d of them asked and answered while an upload was read, slowest in %v",
		len(asked), during, slowest.took().Round(time.Millisecond))
	t.Logf("RSS %d MB after the index loaded, peak %d MB (+%d MB); largest child peak RSS %d MB",
		base>>20, peak>>20, (peak-base)>>20, ru.Maxrss>>10)
	if err := q.err(); err != nil {
		t.Errorf("%v\n%s", err, logs.String())
	}
	if during == 0 {
		t.Errorf("no question was asked and answered while an upload was read")
	}
	if peak-base >= rssGrowthBound {
		t.Errorf("RSS grew by %d MB, want under %d MB", (peak-base)>>20, rssGrowthBound>>20)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve: %v\n%s", err, logs.String())
	}
	restartAnswersWithoutReplay(t, f, env, reader)
}

// crashedChildRefused uploads a valid PDF while every extraction child
// crashes at start: it is refused as a damaged file and the log says
// why; then the same file is read as usual. It returns the span of the
// refused reading.
func crashedChildRefused(t *testing.T, f *telegramtest.Server, admin telegramtest.User, logs *telegramtest.LogBuffer) span {
	t.Helper()
	valid := pdftest.Write(t, pdftest.Latin())
	godebug := os.Getenv("GODEBUG")
	t.Setenv("GODEBUG", strings.TrimPrefix(godebug+","+crashChildSetting, ","))
	read, text := uploadRefused(t, f, admin, "crash.pdf", valid)
	os.Setenv("GODEBUG", godebug)
	t.Logf("%-48s %6d bytes, refused in %6v: %q", "valid PDF, the child crashes", len(valid), read.took().Round(time.Millisecond), text)
	if want := "Couldn't add crash.pdf: couldn't read crash.pdf: the file is damaged or too complex"; text != want {
		t.Errorf("a crashed child's refusal is %q, want %q", text, want)
	}
	if !strings.Contains(logs.String(), "fatal error: stack overflow") {
		t.Errorf("the log does not say why the child died:\n%s", logs.String())
	}
	from := len(f.Requests())
	pushDocument(f, admin, "after-crash", "after-crash.pdf", valid)
	waitText(t, f, from, admin.ID, "Added after-crash.pdf")
	return read
}

// restartAnswersWithoutReplay starts serve again on the same data
// directory: a new question from u is answered, and nothing is
// downloaded or refused again in the restartQuietFor after.
func restartAnswersWithoutReplay(t *testing.T, f *telegramtest.Server, env map[string]string, u telegramtest.User) {
	t.Helper()
	restart := len(f.Requests())
	_, logs := serveAt(t, f.URL(), env)
	f.Push(telegramtest.PrivateMessage(u, "上海市委书记是谁？"))
	waitText(t, f, restart, u.ID, "陈吉宁")
	time.Sleep(restartQuietFor)
	for _, r := range f.Requests()[restart:] {
		if r.Method == "download" || strings.Contains(r.Get("text"), "Couldn't add") {
			t.Errorf("after the restart an upload was handled again: %s %v\n%s", r.Method, r.Params, logs.String())
		}
	}
}

// span is the time from a request to its reply.
type span struct{ from, to time.Time }

func (s span) took() time.Duration { return s.to.Sub(s.from) }

// within reports whether s lies inside o.
func (s span) within(o span) bool { return !s.from.Before(o.from) && !s.to.After(o.to) }

// pushDocument makes raw downloadable as file id and sends it as name
// from u.
func pushDocument(f *telegramtest.Server, u telegramtest.User, id, name string, raw []byte) {
	f.AddFile(id, telegramtest.File{Path: "documents/" + name, Data: raw})
	up := telegramtest.DocumentMessage(u, id, name, len(raw))
	up["message"].(map[string]any)["document"].(map[string]any)["mime_type"] = "application/pdf"
	f.Push(up)
}

// uploadRefused sends raw as name from admin and waits for the reply
// that it couldn't be added, in a new message or in the status message;
// it returns the span from the upload to that reply, and the reply. The
// test fails unless the reply comes within refusalWithin and is one line
// naming the file.
func uploadRefused(t *testing.T, f *telegramtest.Server, admin telegramtest.User, name string, raw []byte) (span, string) {
	t.Helper()
	from := len(f.Requests())
	sent := time.Now()
	pushDocument(f, admin, strings.TrimSuffix(name, ".pdf"), name, raw)
	want := "Couldn't add " + name + ": "
	var got telegramtest.Request
	f.WaitFor(t, 2*refusalWithin, "the refusal of "+name, func(rs []telegramtest.Request) bool {
		for _, r := range rs[min(from, len(rs)):] {
			if (r.Method == "sendMessage" || r.Method == "editMessageText") && r.ChatID() == admin.ID &&
				strings.HasPrefix(r.Get("text"), want) {
				got = r
				return true
			}
		}
		return false
	})
	read, text := span{sent, got.Time}, got.Get("text")
	if read.took() > refusalWithin {
		t.Errorf("%s was refused after %v, want within %v", name, read.took().Round(time.Millisecond), refusalWithin)
	}
	if strings.Contains(text, "\n") || strings.Contains(text, "internal error") {
		t.Errorf("%s: the refusal is not a clear line: %q", name, text)
	}
	return read, text
}

// asker is a user who asks the same question again and again, each
// soon after the previous one is answered, recording when each was asked
// and answered. Its methods are safe for concurrent use.
type asker struct {
	f              *telegramtest.Server
	user           telegramtest.User
	question, want string // want: the answer contains it

	mu       sync.Mutex
	answers  []span
	failure  error
	quit     chan struct{}
	finished chan struct{}
}

// askPause is the pause between an answer and the next question.
const askPause = 20 * time.Millisecond

// ask sends the question and waits up to timeout for an answer to it (a
// sendMessage to the user's chat containing want, after the question).
func (a *asker) ask(timeout time.Duration) (span, bool) {
	from := len(a.f.Requests())
	start := time.Now()
	a.f.Push(telegramtest.PrivateMessage(a.user, a.question))
	for time.Since(start) < timeout {
		rs := a.f.Requests()
		for _, r := range rs[min(from, len(rs)):] {
			if (r.Method == "sendMessage" || r.Method == "sendRichMessage") && r.ChatID() == a.user.ID && strings.Contains(r.Text(), a.want) {
				return span{start, r.Time}, true
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return span{start, time.Now()}, false
}

// start asks in the background until stop.
func (a *asker) start() {
	a.quit, a.finished = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(a.finished)
		for {
			s, ok := a.ask(answerWithin)
			a.mu.Lock()
			if ok {
				a.answers = append(a.answers, s)
			} else {
				a.failure = fmt.Errorf("question %d (%q) was not answered within %v", len(a.answers)+1, a.question, answerWithin)
			}
			a.mu.Unlock()
			if !ok {
				return
			}
			select {
			case <-a.quit:
				return
			case <-time.After(askPause):
			}
		}
	}()
}

// stop stops asking, once the question under way is answered.
func (a *asker) stop() {
	close(a.quit)
	<-a.finished
}

// answered returns how many questions were answered.
func (a *asker) answered() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.answers)
}

// waitAnswers waits until n questions are answered or asking failed.
func (a *asker) waitAnswers(n int) {
	for a.answered() < n {
		select {
		case <-a.finished:
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// spans returns when each answered question was asked and answered.
func (a *asker) spans() []span {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.answers)
}

// err returns why asking stopped early, nil if it did not.
func (a *asker) err() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.failure
}

// rssSampler records a process's resident set size until stopped.
type rssSampler struct {
	base, peak int64
	quit, done chan struct{}
}

// startRSSSampler starts sampling the VmRSS of process pid every
// rssSampleEvery.
func startRSSSampler(t *testing.T, pid int) *rssSampler {
	t.Helper()
	base, err := vmRSS(pid)
	if err != nil {
		t.Skipf("no /proc/%d/status: %v", pid, err)
	}
	s := &rssSampler{base: base, peak: base, quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for {
			select {
			case <-s.quit:
				return
			case <-time.After(rssSampleEvery):
			}
			if n, err := vmRSS(pid); err == nil {
				s.peak = max(s.peak, n)
			}
		}
	}()
	return s
}

// stop stops sampling and returns the peak and the first sample.
func (s *rssSampler) stop() (peak, base int64) {
	close(s.quit)
	<-s.done
	return s.peak, s.base
}

// vmRSS returns the VmRSS of process pid, in bytes.
func vmRSS(pid int) (int64, error) {
	kb := procStatus(pid, "VmRSS:")
	if kb == 0 {
		return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
	}
	return kb << 10, nil
}
