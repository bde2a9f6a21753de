package bot

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

const (
	// emptyPollPause spaces polls that came back empty at once: the test
	// emulator ignores timeout and would otherwise be asked ~1000 times a
	// second. A real long poll that waited its timeout is not delayed.
	emptyPollPause = 200 * time.Millisecond
	minBackoff     = 500 * time.Millisecond
	maxBackoff     = 30 * time.Second
	commitTimeout  = 5 * time.Second
)

var allowedUpdates = []string{"message", "callback_query"}

// poll fetches updates with getUpdates until ctx is done and hands them to
// d. It returns the offset that confirms every update it received.
func (b *Bot) poll(ctx context.Context, d *dispatcher) int {
	// A webhook left set would make getUpdates fail with 409.
	if _, err := b.call(ctx, "deleteWebhook", nil, requestTimeout); err != nil {
		b.log.Debug("deleteWebhook failed", "err", err)
	}
	b.log.Info("polling for updates", "timeout", b.pollTimeout)
	timeout := strconv.Itoa(int(b.pollTimeout / time.Second))
	offset, failures := 0, 0
	for ctx.Err() == nil {
		if d.room(ctx) != nil {
			break
		}
		p := tgbotapi.Params{"timeout": timeout, "limit": "100"}
		p.AddNonZero("offset", offset)
		_ = p.AddInterface("allowed_updates", allowedUpdates)
		start := time.Now()
		res, err := b.call(ctx, "getUpdates", p, b.pollTimeout+10*time.Second)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			b.polled(false)
			failures++
			wait := backoff(failures)
			if ra, ok := retryAfter(err); ok {
				wait = ra
			}
			b.log.Warn("getUpdates failed", "err", err, "retry_in", wait)
			if sleep(ctx, wait) != nil {
				break
			}
			continue
		}
		b.polled(true)
		failures = 0
		updates, next := b.decodeUpdates(res)
		for _, u := range updates {
			d.dispatch(u)
		}
		offset = max(offset, next)
		if next == 0 && time.Since(start) < time.Second {
			if sleep(ctx, emptyPollPause) != nil {
				break
			}
		}
	}
	return offset
}

// polled reports a poll (or the webhook's registration) to [Hooks.OnPoll].
func (b *Bot) polled(ok bool) {
	if f := b.hooks.OnPoll; f != nil {
		f(ok)
	}
}

// backoff returns the wait after n consecutive failures: exponential from
// minBackoff to maxBackoff, with jitter.
func backoff(n int) time.Duration {
	d := maxBackoff
	if n < 10 {
		d = min(minBackoff<<(n-1), maxBackoff)
	}
	return d/2 + rand.N(d/2+1)
}

// decodeUpdates decodes a getUpdates result. An update that does not decode
// is logged and skipped, but still counted in next (the offset that
// confirms everything received), so that it is not fetched forever. next
// is 0 when there was no update.
func (b *Bot) decodeUpdates(res json.RawMessage) (updates []Update, next int) {
	var raws []json.RawMessage
	if err := json.Unmarshal(res, &raws); err != nil {
		b.log.Warn("getUpdates result is not a list", "err", err)
		return nil, 0
	}
	for _, raw := range raws {
		var u Update
		if err := json.Unmarshal(raw, &u); err != nil {
			var id struct {
				UpdateID int `json:"update_id"`
			}
			_ = json.Unmarshal(raw, &id)
			b.log.Warn("skipping an update that does not decode", "update_id", id.UpdateID, "err", err)
			next = max(next, id.UpdateID+1)
			continue
		}
		updates = append(updates, u)
		next = max(next, u.UpdateID+1)
	}
	return updates, next
}

// commitOffset confirms the updates handled to Telegram with one last
// getUpdates (offset, timeout 0), so that a restart does not receive them
// again. Updates dropped unfinished at shutdown are not confirmed: the
// offset stops at the first of them.
func (b *Bot) commitOffset(next int, d *dispatcher) {
	if first, ok := d.firstPending(); ok && first < next {
		b.log.Warn("some updates were not finished and will be delivered again", "first", first)
		next = first
	}
	if next == 0 {
		return
	}
	p := tgbotapi.Params{"offset": strconv.Itoa(next), "timeout": "0", "limit": "1"}
	_ = p.AddInterface("allowed_updates", allowedUpdates)
	if _, err := b.call(context.Background(), "getUpdates", p, commitTimeout); err != nil {
		b.log.Warn("couldn't confirm the last updates to Telegram", "offset", next, "err", err)
		return
	}
	b.log.Info("confirmed updates to Telegram", "offset", next)
}

// commandMenu is the command menu, in English and Chinese.
var commandMenu = []struct{ command, en, zh string }{
	{"ask", "Ask a question about the document", "就文档提问"},
	{"source", "Show a paragraph: /source N", "查看段落：/source N"},
	{"docs", "List the documents and their paragraphs", "文档列表及段数"},
	{"about", "The documents I answer from", "我所依据的文档"},
	{"help", "How to use this bot", "使用说明"},
}

// setCommands registers the command menu, in English (the default) and
// Chinese. Failure (the emulator answers 500) is logged and harmless.
func (b *Bot) setCommands(ctx context.Context) {
	for _, lang := range []string{"", "zh"} {
		cmds := make([]tgbotapi.BotCommand, len(commandMenu))
		for i, c := range commandMenu {
			cmds[i] = tgbotapi.BotCommand{Command: c.command, Description: c.en}
			if lang == "zh" {
				cmds[i].Description = c.zh
			}
		}
		p := tgbotapi.Params{}
		_ = p.AddInterface("commands", cmds)
		p.AddNonEmpty("language_code", lang)
		if _, err := b.call(ctx, "setMyCommands", p, requestTimeout); err != nil {
			b.log.Warn("setMyCommands failed (the command menu may be missing)", "lang", lang, "err", err)
		}
	}
}
