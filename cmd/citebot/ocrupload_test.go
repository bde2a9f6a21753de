package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/bot/telegramtest"
	"github.com/citebot/citebot/retrieval/ocr/ocrtest"
)

// statusEditGap is the least time between two edits of an upload's
// status message that the bot promises (bot/intake.go's statusEvery).
const statusEditGap = 3 * time.Second

// statusPage finds the page count in a status message ("OCR: page 12 of
// 40, about 3 min left").
var statusPage = regexp.MustCompile(`page (\d+) of (\d+)`)

// TestScannedUploadShowsProgress runs `serve` while an admin uploads a
// scanned PDF of 40 pages: the status message is edited with page counts
// that never go back (at least three different ones), never twice within
// statusEditGap and never to the text it has, then edited into the
// result; a question about one page's line is then answered with a
// citation of that page.
func TestScannedUploadShowsProgress(t *testing.T) {
	ocrtest.Require(t)
	const token = "4444:SCAN-SECRET"
	const pages = 40
	admin := telegramtest.User{ID: 701, Lang: "en"}
	f := telegramtest.New(t, telegramtest.Options{Token: token})
	t.Chdir(t.TempDir())
	raw := ocrtest.ScannedPages(t, ocrtest.NumberedPages(pages))
	env := map[string]string{"TELEGRAM_BOT_TOKEN": token, "CITEBOT_ADMINS": strconv.FormatInt(admin.ID, 10),
		"CITEBOT_RATE_PER_MINUTE": "0"}
	_, logs := serveAt(t, f.URL(), env)

	sent := time.Now()
	pushDocument(f, admin, "scan", "scan.pdf", raw)
	f.WaitFor(t, 5*time.Minute, "scan.pdf added", func(rs []telegramtest.Request) bool {
		for _, r := range rs {
			if r.ChatID() == admin.ID && strings.HasPrefix(r.Get("text"), "Added scan.pdf: ") {
				return true
			}
			if r.ChatID() == admin.ID && strings.HasPrefix(r.Get("text"), "Couldn't add") {
				t.Fatalf("scan.pdf refused: %s\n%s", r.Get("text"), logs.String())
			}
		}
		return false
	})
	t.Logf("%d pages (%d bytes) read by OCR and added in %v", pages, len(raw), time.Since(sent).Round(time.Millisecond))
	checkStatusMessage(t, f, admin.ID, pages)

	from := len(f.Requests())
	f.Push(telegramtest.PrivateMessage(admin, "What is on page 17 of the river notes?"))
	ans := waitText(t, f, from, admin.ID, "Page 17 of the river notes")
	if !regexp.MustCompile(`p\. 17 ¶\d+`).MatchString(ans) {
		t.Errorf("the answer does not cite page 17 (p. 17 ¶N): %s", ans)
	}
	t.Logf("answer: %s", ans)
}

// checkStatusMessage checks the status message of scan.pdf in chat: one
// sendMessage and its edits, the last of which is the result.
func checkStatusMessage(t *testing.T, f *telegramtest.Server, chat int64, pages int) {
	t.Helper()
	var id int
	for _, m := range f.Messages(chat) {
		if strings.HasPrefix(m.Text, "Added scan.pdf: ") {
			id = m.ID
		}
	}
	if id == 0 {
		t.Fatalf("the result was sent as a new message, not edited into the status message: %+v", f.Messages(chat))
	}
	var shown []telegramtest.Request // the status message's sendMessage, then its edits
	for _, r := range f.Requests("sendMessage", "editMessageText") {
		switch {
		case r.ChatID() != chat:
		case r.Method == "sendMessage" && strings.HasPrefix(r.Get("text"), "Reading scan.pdf…"):
			shown = append(shown, r)
		case r.Method == "editMessageText" && r.Get("message_id") == strconv.Itoa(id):
			shown = append(shown, r)
		}
	}
	if len(shown) < 2 || shown[0].Method != "sendMessage" {
		t.Fatalf("want the status message sent, then edited; got %s", telegramtest.Summary(shown))
	}
	var counts []int
	var gaps []string
	for i, r := range shown {
		text := r.Get("text")
		if r.Status != 200 {
			t.Errorf("status update %d (%q) answered %d", i, text, r.Status)
		}
		if i > 0 {
			gap := r.Time.Sub(shown[i-1].Time)
			gaps = append(gaps, gap.Round(10*time.Millisecond).String())
			if gap < statusEditGap {
				t.Errorf("status update %d (%q) came %v after the one before, want at least %v", i, text, gap, statusEditGap)
			}
			if text == shown[i-1].Get("text") {
				t.Errorf("status update %d repeats the text %q", i, text)
			}
		}
		if i < len(shown)-1 && !strings.HasPrefix(text, "Reading scan.pdf…") {
			t.Errorf("status update %d is %q, want Reading scan.pdf…", i, text)
		}
		if m := statusPage.FindStringSubmatch(text); m != nil {
			n, _ := strconv.Atoi(m[1])
			if total, _ := strconv.Atoi(m[2]); total != pages {
				t.Errorf("status update %d counts %d pages, want %d: %q", i, total, pages, text)
			}
			if len(counts) > 0 && n < counts[len(counts)-1] {
				t.Errorf("status update %d goes back to page %d after %d: %q", i, n, counts[len(counts)-1], text)
			}
			counts = append(counts, n)
		}
	}
	last := shown[len(shown)-1].Get("text")
	t.Logf("status message: %d updates, page counts %v, gaps %v, result %q", len(shown), counts, gaps, last)
	if !strings.HasPrefix(last, "Added scan.pdf: ") {
		t.Errorf("the last status update is %q, want the result", last)
	}
	distinct := map[int]bool{}
	for _, n := range counts {
		distinct[n] = true
	}
	if len(distinct) < 3 {
		t.Errorf("page counts %v: want at least 3 different ones", counts)
	}
}
