package main

// The chat libraries' memory bound measured on `citebot serve` itself: the
// built binary, run as a child process on a data directory holding 1,000
// chats with one ~100 KB document each, answers 2,000 questions sent to
// random chats through the Bot API fake, while the test samples the
// child's resident memory. The library's own test (TestShelfMemoryBound,
// `make bench-libraries`) measures the shelf in a test process and builds
// the corpus this test copies; run it first.

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/bot/telegramtest"
)

// The corpus TestShelfMemoryBound builds (library/shelf_bench_test.go):
// chat i is benchFirstChat+i, in a private chat with its user of the same
// id, and its document is report-%04d.txt.
const (
	serveBenchChats     = 1000
	serveBenchFirstChat = 1_000_000
	serveBenchCorpus    = "citebot-shelf-bench-v1-1000x100k"
	serveBenchQuestions = 2000
	serveBenchBudgetMB  = 256
)

func TestServeMemoryBound(t *testing.T) {
	if os.Getenv("CITEBOT_SLOW") != "1" || testing.Short() {
		t.Skip("asks 1,000 chat libraries through serve (minutes): set CITEBOT_SLOW=1 and run `make bench-libraries`")
	}
	corpus := filepath.Join(os.TempDir(), serveBenchCorpus)
	if _, err := os.Stat(filepath.Join(corpus, "complete")); err != nil {
		t.Fatalf("no chat corpus in %s: run TestShelfMemoryBound (make bench-libraries) first", corpus)
	}
	data := t.TempDir()
	if err := os.CopyFS(filepath.Join(data, "chats"), os.DirFS(filepath.Join(corpus, "chats"))); err != nil {
		t.Fatal(err)
	}
	db, err := os.ReadFile(filepath.Join(corpus, "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "citebot.db"), db, 0o600); err != nil {
		t.Fatal(err)
	}

	const token = "5353:MEMBENCH-token"
	f := telegramtest.New(t, telegramtest.Options{Token: token})
	bin := buildCitebot(t)
	c := startChild(t, bin, data, []string{"HOME=" + data, "PATH=" + os.Getenv("PATH"),
		"TELEGRAM_BOT_TOKEN=" + token, "CITEBOT_TELEGRAM_API=" + f.URL(), "CITEBOT_DATA_DIR=" + data,
		"CITEBOT_RATE_PER_MINUTE=0", "CITEBOT_RETENTION_DAYS=0", "CITEBOT_RICH_MESSAGES=off",
		"CITEBOT_LIBRARY_MEMORY_MB=" + strconv.Itoa(serveBenchBudgetMB)})
	for deadline := time.Now().Add(time.Minute); !strings.Contains(c.logs.String(), "polling for updates"); {
		if time.Now().After(deadline) || c.exited() {
			t.Fatalf("serve did not start polling:\n%s", c.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	rss := startRSSSampler(t, c.cmd.Process.Pid)

	rng := rand.New(rand.NewPCG(2026, 12))
	asked := make(map[int]bool)
	var recent []int
	var first, again []time.Duration
	cited := 0
	t0 := time.Now()
	for n := range serveBenchQuestions {
		i := rng.IntN(serveBenchChats)
		if len(recent) > 0 && rng.IntN(10) < 3 {
			i = recent[rng.IntN(len(recent))]
		}
		recent = append(recent, i)
		if len(recent) > 20 {
			recent = recent[1:]
		}
		chat := int64(serveBenchFirstChat + i)
		from := len(f.Requests())
		start := time.Now()
		f.Push(telegramtest.PrivateMessage(telegramtest.User{ID: chat, Lang: "en"}, fmt.Sprintf("Who is the keeper of archive %d?", i)))
		var answer telegramtest.Request
		f.WaitFor(t, time.Minute, fmt.Sprintf("the answer of question %d to chat %d", n, chat), func(rs []telegramtest.Request) bool {
			for _, q := range rs[min(from, len(rs)):] {
				if q.Method == "sendMessage" && q.Status == 200 && q.ChatID() == chat {
					answer = q
					return true
				}
			}
			return false
		})
		took := answer.Time.Sub(start)
		if asked[i] {
			again = append(again, took)
		} else {
			first = append(first, took)
		}
		asked[i] = true
		if strings.Contains(answer.Text(), fmt.Sprintf("report-%04d.txt", i)) {
			cited++
		}
	}
	took := time.Since(t0)
	peak, base := rss.stop()
	hwm := procStatus(c.cmd.Process.Pid, "VmHWM:") << 10
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	t.Logf("%d questions in %v: first to their chat (its index loaded from disk) %d, p50 %.1f ms, p95 %.1f ms; again %d, p50 %.1f ms, p95 %.1f ms",
		serveBenchQuestions, took.Round(time.Second), len(first), ms(percentile(first, 0.5)), ms(percentile(first, 0.95)),
		len(again), ms(percentile(again, 0.5)), ms(percentile(again, 0.95)))
	t.Logf("serve's resident memory: %d MiB before the questions, peak %d MiB sampled, VmHWM %d MiB (budget %d MiB + 100 MiB)",
		base>>20, peak>>20, hwm>>20, serveBenchBudgetMB)
	t.Logf("answers citing the chat's own document: %d of %d", cited, serveBenchQuestions)
	if limit := int64(serveBenchBudgetMB+100) << 20; hwm > limit {
		t.Errorf("serve's peak resident memory %d MiB, over the budget plus 100 MiB", hwm>>20)
	}
	if p95 := percentile(first, 0.95); p95 >= 300*time.Millisecond {
		t.Errorf("p95 of questions to chats not in memory %v, want under 300 ms", p95)
	}
	if cited < serveBenchQuestions*9/10 {
		t.Errorf("only %d of %d answers cite the chat's own document", cited, serveBenchQuestions)
	}
}

// procStatus returns a kB field (VmRSS:, VmHWM:) of process pid's
// /proc status, 0 when it cannot be read.
func procStatus(pid int, field string) int64 {
	fh, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}
