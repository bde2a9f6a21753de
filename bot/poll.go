package bot

import (
	"context"
	"encoding/json"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/citebot/citebot/config/backoff"
)

const (
	// emptyPollPause spaces polls that came back empty at once: the test
	// emulator ignores timeout and would otherwise be asked ~1000 times a
	// second. A real long poll that waited its timeout is not delayed.
	emptyPollPause = 200 * time.Millisecond
	commitTimeout  = 5 * time.Second
)

// retryWaits spaces the tries of failed polls and of requests tried again
// after a transient failure: from half a second to 30 s, each wait drawn
// from the upper half of its step.
var retryWaits = backoff.Policy{First: 500 * time.Millisecond, Max: 30 * time.Second, Less: 0.5}

// allowedUpdates are the kinds of update the bot handles (see
// [Bot.handle]); Telegram sends no others.
var allowedUpdates = []string{"message", "callback_query", "inline_query", "guest_message", "stopped_message_generation"}

// poll fetches updates with getUpdates until ctx is done, stores them and
// hands the new ones to d. The offset of the next getUpdates, which
// confirms updates to Telegram, passes only updates already stored: when
// the store fails, the same updates are fetched again after a backoff. It
// returns the offset that confirms every update stored.
func (b *Bot) poll(ctx context.Context, d *dispatcher) int {
	// A webhook left set would make getUpdates fail with 409.
	if _, err := b.call(ctx, deleteWebhookParams{}, requestTimeout); err != nil {
		b.log.Debug("deleteWebhook failed", "err", err)
	}
	b.log.Info("polling for updates", "timeout", b.pollTimeout)
	offset, failures := 0, 0
	for ctx.Err() == nil {
		if d.room(ctx) != nil {
			break
		}
		start := time.Now()
		next, err := b.pollOnce(ctx, d, offset)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			failures++
			wait := retryWaits.Wait(failures)
			if ra, ok := retryAfter(err); ok {
				wait = ra
			}
			b.log.Warn("getUpdates failed", "err", err, "retry_in", wait)
			if backoff.Sleep(ctx, wait) != nil {
				break
			}
			continue
		}
		failures = 0
		offset = max(offset, next)
		if next == 0 && time.Since(start) < time.Second {
			if backoff.Sleep(ctx, emptyPollPause) != nil {
				break
			}
		}
	}
	return offset
}

// pollOnce makes one getUpdates call (confirming the updates below
// offset), stores what it returns and dispatches the new updates. next
// is the offset confirming them, 0 when there was none.
func (b *Bot) pollOnce(ctx context.Context, d *dispatcher, offset int) (next int, err error) {
	p := getUpdatesParams{Offset: offset, Limit: 100, Timeout: int(b.pollTimeout / time.Second), AllowedUpdates: allowedUpdates}
	res, err := b.call(ctx, p, b.pollTimeout+10*time.Second)
	if err != nil {
		if ctx.Err() == nil {
			b.polled(false)
		}
		return 0, err
	}
	b.polled(true)
	ins, next := b.decodeUpdates(res)
	if err := b.accept(ins, d); err != nil {
		b.log.Error("couldn't store updates: not confirming them to Telegram", "err", err)
		return 0, err
	}
	return next, nil
}

// polled reports a poll (or the webhook's registration) to [Hooks.OnPoll].
func (b *Bot) polled(ok bool) {
	if f := b.hooks.OnPoll; f != nil {
		f(ok)
	}
}

// decodeUpdates decodes a getUpdates result. An update that does not
// decode is logged and kept (it is stored as dropped, so that it is
// confirmed and not fetched forever). next is the offset confirming
// every update, 0 when there was none.
func (b *Bot) decodeUpdates(res json.RawMessage) (ins []incoming, next int) {
	var raws []json.RawMessage
	if err := json.Unmarshal(res, &raws); err != nil {
		b.log.Warn("getUpdates result is not a list", "err", err)
		return nil, 0
	}
	for _, raw := range raws {
		in, err := decodeIncoming(raw)
		if err != nil {
			b.log.Warn("skipping an update that does not decode", "update_id", in.id, "err", err)
		}
		ins = append(ins, in)
		next = max(next, in.id+1)
	}
	return ins, next
}

// commitOffset confirms the stored updates to Telegram with one last
// getUpdates (offset, timeout 0), so that a restart does not receive them
// again: the unfinished ones are replayed from the store.
func (b *Bot) commitOffset(next int) {
	if next == 0 {
		return
	}
	p := getUpdatesParams{Offset: next, Limit: 1, Timeout: 0, AllowedUpdates: allowedUpdates}
	if _, err := b.call(context.Background(), p, commitTimeout); err != nil {
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
	{"about", "What I am and the documents I answer from", "我是谁、依据哪些文档"},
	{"new", "Start a new conversation", "开始新的对话"},
	{"use", "Answer from some documents only: /use NAME", "只用部分文档：/use 文档名"},
	{"add", "Add a web page or document by link: /add LINK", "通过链接添加网页或文档：/add 链接"},
	{"forget", "Delete this chat's own documents", "删除本聊天自己的文档"},
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
		p := setMyCommandsParams{Commands: cmds, LanguageCode: lang}
		if _, err := b.call(ctx, p, requestTimeout); err != nil {
			b.log.Warn("setMyCommands failed (the command menu may be missing)", "lang", lang, "err", err)
		}
	}
}
