package bot

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/citebot/citebot/answer"
)

// handle handles one update; a panic is recovered, logged and, for a
// message addressed to the bot, answered with an apology. It reports false
// when ctx was cancelled before the update's answer was delivered, so that
// the update is left to be delivered again.
func (b *Bot) handle(ctx context.Context, u Update) (finished bool) {
	end := b.beginAttempt(u) // counts the handlings a crash cuts short
	defer func() { end(finished) }()
	defer func() {
		if r := recover(); r != nil {
			b.log.Error("panic while handling an update", "update_id", u.UpdateID,
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			b.apologiseAfterPanic(ctx, u)
			finished = true // it would panic again
		}
	}()
	switch {
	case u.expired:
		return b.handleExpired(ctx, u)
	case u.CallbackQuery != nil:
		b.handleCallback(ctx, u)
	case u.InlineQuery != nil:
		b.handleInline(ctx, u)
	case u.Guest != nil:
		return b.handleGuest(ctx, u)
	case u.Stopped != nil:
		b.stopGeneration(*u.Stopped)
	case u.Message != nil:
		return b.handleMessage(ctx, u)
	}
	return true
}

func (b *Bot) apologiseAfterPanic(ctx context.Context, u Update) {
	defer func() { _ = recover() }()
	if b.request(u).kind == reqNone {
		return
	}
	m := u.Message
	b.reply(ctx, replyTarget(u, m), texts[userLang(m.From.LanguageCode, m.Text)].apology)
}

// langText is the part of a message's text that tells the language to
// reply in: all of it, except for commands whose arguments are document
// names or links ("/remove 章程.txt" from an English speaker is answered
// in English).
func langText(req request, text string) string {
	switch req.kind {
	case reqSource, reqRemove, reqUse, reqAdd:
		return ""
	}
	return text
}

// handleMessage answers a message addressed to the bot (see route). It
// reports false when a question, a document change or a command's reply
// was not delivered because ctx ended it or its retries ran out. Admins
// are served whatever the allowlists say.
func (b *Bot) handleMessage(ctx context.Context, u Update) bool {
	m := u.Message
	req := b.request(u)
	if req.kind == reqNone {
		return true
	}
	t := replyTarget(u, m)
	lang := userLang(m.From.LanguageCode, langText(req, m.Text))
	tt := texts[lang]
	if !b.isAdmin(m.From.ID) && !b.access.allowed(m.Chat.ID, m.From.ID) {
		if req.kind == reqQuestion {
			b.reportQuestion(ctx, t, m.From.ID, req.text, QuestionEvent{Outcome: OutcomeRefused})
		}
		if b.access.firstRefusal(m.Chat.ID) {
			b.log.Info("refusing a chat not on the allowlist", "chat", m.Chat.ID, "user", m.From.ID)
			b.reply(ctx, t, tt.refused)
		}
		return true
	}
	private := m.Chat.Type == "private"
	ans := b.answer
	if req.kind == reqStart || req.kind == reqHelp || req.kind == reqAbout || req.kind == reqDocs {
		ans = b.answererFor(ctx, t.chat)
	}
	switch req.kind {
	case reqStart, reqHelp:
		adminLimit := ""
		if private && b.canManage(m.From.ID) {
			adminLimit = formatSize(b.cfg.MaxUploadBytes, lang)
		}
		return b.reply(ctx, t, helpText(lang, req.kind == reqHelp, ans.Documents(), b.self.UserName, b.cfg.KeywordPrefix, b.mem.span(), adminLimit, b.ownLimit(m)))
	case reqAbout:
		return b.reply(ctx, t, aboutText(lang, ans.Documents()))
	case reqDocs:
		return b.reply(ctx, t, b.docsReply(ctx, m, lang, ans.Documents()))
	case reqUse:
		return b.use(ctx, m, t, lang, req.text)
	case reqSource:
		b.source(ctx, t, m.From.ID, lang, req.text)
	case reqRemove:
		return b.removeDocument(ctx, u, t, lang, req.text)
	case reqDocument:
		return b.addDocument(ctx, u, t)
	case reqAdd:
		return b.addURL(ctx, u, t, lang, req.text)
	case reqForget:
		return b.forget(ctx, m, t, lang)
	case reqUnknownCommand:
		return b.reply(ctx, t, tt.unknownCmd)
	case reqEmpty:
		return b.reply(ctx, t, tt.emptyQuestion)
	case reqGreet:
		return b.reply(ctx, t, fmt.Sprintf(tt.greet, "@"+b.self.UserName))
	case reqFeedback:
		switch {
		case !b.isAdmin(m.From.ID):
			return b.reply(ctx, t, tt.unknownCmd)
		case !private:
			// The list quotes other chats' questions, private ones too.
			return b.reply(ctx, t, tt.feedbackOnly)
		}
		return b.reply(ctx, t, b.feedbackText(lang))
	case reqNew:
		b.mem.forget(convKey{chat: t.chat, thread: topicThread(u), user: m.From.ID})
		return b.reply(ctx, t, tt.newChat)
	case reqQuestion:
		return b.ask(ctx, u, t, req.text)
	}
	return true
}

// reply sends plain text (escaped) and logs a failure. It reports whether
// the reply is settled: sent, or refused by Telegram for good; false when
// ctx (the shutdown) cut it short or its retries ran out, so that a
// caller may leave the update pending.
func (b *Bot) reply(ctx context.Context, t target, text string) bool {
	_, err := b.sendHTML(ctx, t, escapeHTML(text), nil)
	if err == nil {
		return true
	}
	b.log.Warn("couldn't send a reply", "chat", t.chat, "err", err)
	return ctx.Err() == nil && permanent(err)
}

// ask answers a question: length and rate checks, conversation memory,
// progress display, rendering and delivery. (One answer per user at a time
// is the caller's business: see [Bot.turn].) It reports the question once
// whatever happens (see reportQuestion) and returns false when ctx ended it
// before the answer was delivered.
func (b *Bot) ask(ctx context.Context, u Update, t target, question string) bool {
	m := u.Message
	start := time.Now()
	// Deferred so that a panicking engine is reported as an error too.
	ev := QuestionEvent{Outcome: OutcomeError}
	defer func() {
		ev.Latency = time.Since(start)
		b.reportQuestion(ctx, t, m.From.ID, question, ev)
	}()
	lang := userLang(m.From.LanguageCode, question)
	if refusal, ok := b.admit(ctx, t, m.From.ID, lang, question); !ok {
		ev.Outcome = refusal
		return true
	}
	return b.answerQuestion(ctx, u, t, lang, question, &ev)
}

// admit applies the length limit and the user's rate limit, telling the
// user when a question is refused. ok is false with the refusal's outcome.
func (b *Bot) admit(ctx context.Context, t target, user int64, lang, question string) (refusal Outcome, ok bool) {
	refusal, say, ok := b.admission(user, lang, question)
	switch {
	case ok:
	case say != "":
		b.reply(ctx, t, say)
	default:
		// Told once this window: later questions get a reaction, not silence.
		b.setReaction(ctx, t.chat, t.replyTo, reactionLater)
	}
	return refusal, ok
}

// admission applies the length limit and the user's rate limit to a
// question. ok is false with the refusal's outcome and what to tell the
// user: "" when they were told to wait already in this window.
func (b *Bot) admission(user int64, lang, question string) (refusal Outcome, say string, ok bool) {
	tt := texts[lang]
	if n := b.cfg.MaxQuestionRunes; n > 0 && utf8.RuneCountInString(question) > n {
		return OutcomeTooLong, fmt.Sprintf(tt.tooLong, n), false
	}
	if ok, warn, wait := b.limits.allow(user, time.Now()); !ok {
		if warn {
			say = fmt.Sprintf(tt.rateLimited, int(wait.Seconds()+0.999))
		}
		return OutcomeRateLimited, say, false
	}
	return "", "", true
}

// answerQuestion asks the Answerer with the conversation's history, shows
// progress, delivers the answer and remembers the turn, filling in ev. It
// reports false when ctx ended it before the answer was delivered.
func (b *Bot) answerQuestion(ctx context.Context, u Update, t target, lang, question string, ev *QuestionEvent) bool {
	m := u.Message
	key := convKey{chat: t.chat, thread: topicThread(u), user: m.From.ID}
	replyTo := 0
	if repliesToBot(u, b.self) {
		replyTo = m.ReplyToMessage.MessageID
	}
	history := b.mem.history(key, replyTo, m.Chat.Type == "private", time.Now())
	ev.History = len(history)

	react := 0
	if m.Chat.Type != "private" {
		react = m.MessageID
	}
	private := m.Chat.Type == "private"
	s := b.startStream(ctx, t, lang, private, react)
	defer s.unreact()
	actx, stopped := b.stoppable(ctx, t, s.draftID, private)
	defer stopped()
	still := b.awaitReading(ctx, t.chat)
	ans := b.answererFor(ctx, t.chat)
	q := answer.Question{Text: question, History: history, Docs: b.chatScope(t.chat, ans.Documents())}
	a, placeholder, err := b.answerWithProgress(actx, s, ans, q)
	if stopped() && ctx.Err() == nil {
		a, err = stoppedAnswer(a, err, s.text(), lang), nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return b.interrupted(ctx, t, placeholder, lang, ev, err)
		}
		b.log.Error("couldn't answer", "chat", t.chat, "user", m.From.ID, "err", err)
		if _, err := b.deliver(ctx, t, placeholder, escapeHTML(texts[lang].apology), nil); err != nil {
			b.log.Warn("couldn't send the apology", "chat", t.chat, "err", err)
		}
		return true
	}
	ev.Mode, ev.Citations = a.Mode, len(a.Citations)
	if a.NotFound && len(q.Docs) > 0 {
		a.Notice = strings.TrimSpace(a.Notice + "\n" + fmt.Sprintf(chatDocTexts[lang].searchedOnly, strings.Join(q.Docs, ", ")))
	}
	if len(still) > 0 {
		a.Notice = strings.TrimSpace(a.Notice + "\n" + fmt.Sprintf(chatDocTexts[lang].stillReading, strings.Join(still, ", ")))
	}
	docs := ans.Documents()
	html, kb := renderAnswer(a, docs), b.keyboard(a, docs, t.chat, private)
	if !a.Smalltalk { // a friendly reply to "thanks" has nothing to vote on
		kb = withFeedback(kb)
	}
	ids, lastHTML, err := b.deliverAnswer(ctx, t, placeholder, private, a, docs, html, kb)
	if err != nil {
		if ctx.Err() != nil {
			return b.interrupted(ctx, t, placeholder, lang, ev, err)
		}
		if permanent(err) {
			b.log.Error("couldn't send the answer: telegram refused it for good, not retrying", "chat", t.chat, "err", err)
			return true
		}
		// The retries ran out: the replay after the next start delivers it.
		b.log.Error("couldn't send the answer within the retry budget: it stays pending for the next start", "chat", t.chat, "err", err)
		b.finishPlaceholder(ctx, t, placeholder, lang)
		return false
	}
	ev.Outcome, ev.Messages = outcomeOf(a), len(ids)
	b.recordAnswer(t, question, a, ids, lastHTML, kb)
	b.mem.record(key, history, answer.Turn{Question: question, Answer: a.Text}, ids, time.Now())
	return true
}

// interrupted ends an answer that ctx (the shutdown) cancelled: it is
// reported as interrupted, its placeholder is replaced with a short note
// (see finishPlaceholder), and it returns false: the update stays pending.
func (b *Bot) interrupted(ctx context.Context, t target, placeholder int, lang string, ev *QuestionEvent, err error) bool {
	ev.Outcome = OutcomeInterrupted
	b.log.Warn("answer interrupted by shutdown", "chat", t.chat, "err", err)
	b.finishPlaceholder(ctx, t, placeholder, lang)
	return false
}

// finishPlaceholder replaces the placeholder (if any) of an answer left
// pending with a short note, so that it never stays as partial text; the
// replay after the restart edits the same message into the answer. The
// edit has finishTimeout of its own, ctx being done or the network
// failing.
func (b *Bot) finishPlaceholder(ctx context.Context, t target, placeholder int, lang string) {
	if placeholder == 0 {
		return
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	if err := b.editMessage(fctx, t.chat, placeholder, escapeHTML(texts[lang].interrupted), true, nil); err != nil {
		b.log.Warn("couldn't finish an interrupted answer's placeholder", "chat", t.chat, "err", err)
	}
}

// reportQuestion logs one info record per question, msg "question", with
// chat_id, user_id, thread_id (in a forum topic), latency_ms, mode,
// citations and outcome, and never the question's text: that goes to a
// separate debug record, msg "question text". Then it passes ev to
// [Hooks.OnQuestion].
func (b *Bot) reportQuestion(ctx context.Context, t target, user int64, text string, ev QuestionEvent) {
	attrs := make([]slog.Attr, 0, 9)
	attrs = append(attrs, slog.Int64("chat_id", t.chat), slog.Int64("user_id", user))
	if t.thread != 0 {
		attrs = append(attrs, slog.Int("thread_id", t.thread))
	}
	attrs = append(attrs,
		slog.Int64("latency_ms", ev.Latency.Milliseconds()),
		slog.String("mode", string(ev.Mode)),
		slog.Int("citations", ev.Citations),
		slog.String("outcome", string(ev.Outcome)))
	if ev.Outcome.Delivered() {
		attrs = append(attrs, slog.Int("history", ev.History), slog.Int("messages", ev.Messages))
	}
	b.log.LogAttrs(ctx, slog.LevelInfo, "question", attrs...)
	b.log.LogAttrs(ctx, slog.LevelDebug, "question text",
		slog.Int64("chat_id", t.chat), slog.Int64("user_id", user), slog.String("text", text))
	if f := b.hooks.OnQuestion; f != nil {
		f(ev)
	}
}

// answerWithProgress asks the engine while s shows progress and returns
// the answer and the streamed message to replace, if any.
func (b *Bot) answerWithProgress(ctx context.Context, s *stream, ans Answerer, q answer.Question) (a answer.Answer, placeholder int, err error) {
	// Deferred so that a panicking engine does not leave progress running.
	defer func() { placeholder = s.stop() }()
	a, err = ans.Answer(ctx, q, s.partial)
	return a, 0, err
}

// aboutText tells what the bot is and lists the documents by title (with
// the file name /source and /use take); /docs gives the counts.
func aboutText(lang string, docs []answer.DocInfo) string {
	tt := texts[lang]
	lines := []string{tt.aboutIntro, ""}
	if len(docs) == 0 {
		return strings.Join(append(lines, tt.noDocuments), "\n")
	}
	lines = append(lines, tt.aboutHeader)
	for _, d := range docs {
		if docTitle(d) == d.Name {
			lines = append(lines, "• "+d.Name)
			continue
		}
		lines = append(lines, fmt.Sprintf(tt.aboutLine, docTitle(d), d.Name))
	}
	return strings.Join(lines, "\n")
}
