package bot

import (
	"fmt"
	"time"

	"github.com/citebot/citebot/answer"
)

// intakeTexts are the words of the document intake in one language.
type intakeTexts struct {
	queued      string // %s name
	busy        string // %s name: the queue is full
	reading     string // %s name: no page count yet
	pages       string // %s stage, %d done, %d total
	soon        string // less than a minute left
	left        string // %d minutes left
	interrupted string // %s name
	docsReading string // %s name, %s pages ("" when unknown)
	docsPages   string // %s stage, %d done, %d total
	docsQueued  string // %s name
	// stages translates the stages the reader reports; others are shown
	// as they come.
	stages map[string]string
}

var uploadTexts = map[string]intakeTexts{
	"en": {
		queued:      "%s is queued: another document is being read; yours starts after it.",
		busy:        "Too many documents are waiting to be read. Please send %s again in a few minutes.",
		reading:     "Reading %s…",
		pages:       "%s: page %d of %d",
		soon:        "less than a minute left",
		left:        "about %d min left",
		interrupted: "The bot is restarting: reading %s goes on when it is back.",
		docsReading: "%s — being read%s",
		docsPages:   " (%s page %d of %d)",
		docsQueued:  "%s — waiting to be read",
		stages:      map[string]string{},
	},
	"zh": {
		queued:      "%s 已排队：另一份文档正在读取，读完后就轮到它。",
		busy:        "等待读取的文档太多了，请过几分钟再发送 %s。",
		reading:     "正在读取 %s…",
		pages:       "%s：第 %d 页，共 %d 页",
		soon:        "不到 1 分钟",
		left:        "约还需 %d 分钟",
		interrupted: "机器人正在重启：重启后会继续读取 %s。",
		docsReading: "%s — 正在读取%s",
		docsPages:   "（%s 第 %d/%d 页）",
		docsQueued:  "%s — 等待读取",
		stages:      map[string]string{"OCR": "文字识别", "reading": "读取"},
	},
}

// stageName returns the stage as shown in lang.
func (it intakeTexts) stageName(stage string) string {
	if s, ok := it.stages[stage]; ok {
		return s
	}
	return stage
}

// statusText is the status message of a document being read: its name,
// and once pages are counted the stage, the page reached and the time
// left at the pace so far ("OCR: page 12 of 40, about 3 min left").
func statusText(lang, name string, j *readJob) string {
	it := uploadTexts[lang]
	p, done, elapsed := j.progress()
	text := fmt.Sprintf(it.reading, name)
	if p.Total <= 0 {
		return text
	}
	text += "\n" + fmt.Sprintf(it.pages, it.stageName(p.Stage), min(p.Done, p.Total), p.Total)
	if left, ok := timeLeft(done, p.Total-p.Done, elapsed); ok {
		sep := ", "
		if lang == "zh" {
			sep = "，"
		}
		text += sep + it.leftText(left)
	}
	return text
}

// timeLeft estimates the time the rest units take when done units took
// elapsed; ok is false until a unit is done.
func timeLeft(done, rest int, elapsed time.Duration) (time.Duration, bool) {
	if done <= 0 || rest <= 0 || elapsed <= 0 {
		return 0, false
	}
	return time.Duration(float64(elapsed) / float64(done) * float64(rest)), true
}

// leftText says how long is left: under a minute, else in whole minutes.
func (it intakeTexts) leftText(d time.Duration) string {
	if d < time.Minute {
		return it.soon
	}
	return fmt.Sprintf(it.left, int(d.Round(time.Minute)/time.Minute))
}

// readingLines are the /docs lines of the documents being read and
// waiting.
func readingLines(lang string, uploads []uploadStatus) []string {
	it := uploadTexts[lang]
	lines := make([]string, 0, len(uploads))
	for _, u := range uploads {
		if u.Queued {
			lines = append(lines, fmt.Sprintf(it.docsQueued, u.Name))
			continue
		}
		lines = append(lines, fmt.Sprintf(it.docsReading, u.Name, pagesNote(it, u.Progress)))
	}
	return lines
}

// pagesNote is " (OCR page 12 of 40)", or "" before pages are counted.
func pagesNote(it intakeTexts, p answer.Progress) string {
	if p.Total <= 0 {
		return ""
	}
	return fmt.Sprintf(it.docsPages, it.stageName(p.Stage), min(p.Done, p.Total), p.Total)
}
