// Package bot is citebot's Telegram transport: updates come in by long
// polling or webhook, questions go to an [Answerer], and answers go back as
// Telegram HTML with every quote in an expandable blockquote and a button per
// cited paragraph.
//
// The package knows only the domain types of package answer; it never sees
// retrieval, prompts or the document library. What it does is reported
// through [Hooks], never read off its HTTP traffic.
//
// # Design
//
// [New] takes plain settings ([Config], whose defaults package config
// owns) and what the bot works with ([Deps]). Updates are fetched by the
// package's own polling loop ([Bot.Run]; backoff, retry_after, ctx) or
// received by its own webhook server (secret token checked on every
// request). Each update is routed to a per-chat queue: a bounded pool of
// workers ([Config.Workers]) answers different chats concurrently while
// updates of one chat are handled one at a time, in order. Answers for one
// user are serialised across chats as well; a question waiting for its
// user's earlier answer waits before taking a worker, not on one.
//
// Every request aimed at a chat passes a per-chat gate: after a 429 the gate
// stays shut for retry_after seconds, and streaming edits are spaced by
// [Config.EditInterval]. Each request is a typed value, one struct per
// Bot API method (params.go), encoded into form fields by one encoder whose
// error fails the request before anything is sent; requests go through
// tgbotapi's MakeRequest with a per-call context; results are decoded
// leniently (the test emulator answers null or strings where Telegram
// answers objects).
//
// # Delivery
//
// Updates pass through a durable inbox, [Deps.Store]. An update is written
// to the store before it is confirmed to Telegram (the next getUpdates
// offset passes only stored ids) or acknowledged (the webhook answers 200
// only once the update is stored, 503 when it cannot store it or its queue
// is full, so that Telegram delivers it again). It is marked done only
// after its answer was delivered, Telegram refused the answer for good,
// or the update was deliberately dropped (not addressed to the bot,
// refused by the allowlists or the rate limit, not decodable). A
// redelivery is recognised by its update_id and its content (SHA-256 of
// its canonical JSON), dropped and logged at debug level: Telegram's ids
// start again (another token on the same data directory, a Bot API server
// restarted, a random id after a week without updates), so an id stored
// before with other content is a new update.
//
// Every message the bot sends, edits into an answer or deletes is retried
// until it goes through, within a five-minute budget per request: after a
// 429 when retry_after says, after a transient failure (a 5xx, a dropped
// connection, a timeout, an answer that does not decode) with backoff. A
// 4xx other than 429 is Telegram's final word: an answer refused that way
// is logged as an error and its update marked done. An answer still
// failing when the budget is spent is logged as an error and its update
// left pending, like one cut short by a stop: the next start delivers it.
// (Streaming edits are not retried beyond 429s: the next edit replaces
// them.)
//
// The id of every message sent for an update is queued for the store as
// soon as Telegram accepts it, and committed with the other writes queued
// meanwhile in one synced transaction (a group commit, see package store),
// always before the update's "done". On start, unfinished updates are
// replayed in per-chat order, and the messages they had sent are edited
// instead of sent again: an edit that fails transiently is retried, "not
// modified" counts as done, and only a message Telegram says is gone or
// can't be edited is replaced by a new one (one that can't be edited is
// deleted first, so it never stays beside its replacement). An update
// stored longer ago than [Config.ReplayMaxAge] gets a short "please ask
// again" instead. The start of every handling is committed to the store
// before the handling begins (and taken back when a stop interrupts it):
// an update found unfinished after crashes cut its handling short twice
// is likely what brings the process down, so it is not handled a third
// time but answered "Sorry, this message could not be processed." and
// logged as a warning. A store commit that fails on the disk is tried
// again with backoff (five tries within about 1.5 s) before the write is
// reported failed.
//
// The guarantee: no update is lost by a stop, a crash or a power loss
// (every commit is synced), and each is answered at least once (or, after
// two crashes in its handling, apologised for). An answer can appear twice
// in these cases, and only these:
//
//   - The process dies after Telegram accepted a sendMessage and before the
//     commit recording its id ended. That window runs from Telegram's
//     acceptance, through the answer's way back, to the end of the next
//     commit (a commit in progress finishes first): about one to two
//     commits, a couple of milliseconds on a local disk, during which
//     the messages of several busy chats can be in flight at once. The
//     replay does not know such a message and sends another. No message
//     is sent before there is content (see "Progress"), so there is no
//     empty placeholder to orphan; but with a model, in a group (or a
//     private chat whose drafts failed), the message can be the first text
//     of a streamed answer: it then stays in the chat as verified partial
//     text ending " …", beside the answer the replay sends. (Private chats
//     stream through drafts, which vanish by themselves.)
//   - A sendMessage is retried after its connection broke, timed out or
//     answered garbage after Telegram had accepted it. Nothing tells that
//     apart from a request that never arrived, so the retry sends a second
//     copy (an edit or a deletion retried that way is harmless).
//   - A message that should become the answer (the placeholder, or a
//     message recorded before a restart) can be neither edited nor
//     deleted: Telegram refuses both, or, for the placeholder, both still
//     fail when their budgets are spent. The answer is then sent anew
//     beside it. (A recorded message that was deleted before the replay is
//     sent anew too: the user sees the answer again, once.)
//   - The disk keeps failing through every try of the commits recording an
//     answered update: the id of its message and its "done" are both lost,
//     so the next start answers it again in a new message. (When only
//     "done" is lost, the replay edits the recorded message: nothing new
//     appears.)
//   - Telegram delivers an update again after the store pruned it (it
//     keeps the 10,000 newest done updates), or with other content (say,
//     fields a Bot API upgrade added between the two deliveries): it is
//     taken for a new update and answered again.
//
// A replay also asks the [Answerer] again and may repeat other effects (a
// document sent again is replaced, not added twice).
//
// On a stop, answers still running after [Config.ShutdownTimeout] are
// cancelled, but a sendMessage already under way is let finish (within
// its request timeout), so that its id is recorded; a streamed message
// they leave is edited to a short
// "interrupted" note (never left as partial text), and the replay after
// the restart edits that same message into the answer. An answer left
// pending because its retries ran out has its message edited the same way.
//
// # Progress
//
// While an answer is made the chat sees "typing…" and, in a group, a 👀
// reaction on the question (taken off once the answer is there). In LLM
// mode the verified text the engine streams is shown in a private chat as
// an ephemeral draft (sendMessageDraft) that the answer's one sendMessage
// replaces, and in a group or topic as one message sent with the first
// text and edited as it grows, then into the answer (see stream). When
// Telegram refuses drafts, private chats stream by edits too. Reactions
// and drafts are best effort: a server without them (the test emulator)
// changes nothing else.
//
// # Buttons, feedback, per-chat documents, inline mode
//
// Under each answer are its ¶ buttons and 👍/👎. A ¶ tap shows the
// paragraph: in a private chat as a new message, in a group as an
// ephemeral message that only the user who tapped sees (see
// ephemeral.go), or where Telegram refuses those, inside the answer's
// message (an edit; a second tap hides it), from the answers the bot keeps
// in memory (see callback.go). A vote is stored per user and
// answer in the store with a copy of the answer, reported to
// [Hooks.OnFeedback], and listed to admins by /feedback; 👎 offers one tap
// of reasons (see feedback.go). /use NAME… restricts a chat's questions to
// some documents ([answer.Question.Docs]), stored as the chat's settings
// (see scope.go). Inline queries get up to three results (see inline.go).
// Button presses and inline queries are rate limited per user at
// callbackRate times the question rate. A mention in a chat the bot has
// not joined (guest mode) is answered once, from the shared documents
// only (see guest.go).
//
// # Documents from chat
//
// When [Deps.Documents] is set, the users in [Config.Admins] can add a
// document by sending a file to the bot in a private chat (getFile, then a
// download of at most [Config.MaxUploadBytes]) and remove one with
// /remove NAME. Which file names and types are accepted is the
// [DocumentManager]'s decision. Files are read one at a time off the
// chat's queue, a few more waiting, with a status message for a slow
// one (OCR) that the result replaces; the update stays unfinished until
// the reading ends (see intake.go). Source buttons name their document by a
// hash of its name, not by its position in [Answerer.Documents], so they
// stay right when the list changes.
//
// # Logs
//
// Each question gives one info record, msg "question", with chat_id,
// user_id, thread_id, latency_ms, mode, citations and outcome (the
// [QuestionEvent] that [Hooks.OnQuestion] receives); the question's text is
// logged only at debug level (msg "question text").
//
// The bot token never reaches a log line or an error: it is a
// config.Secret, every error from the transport is scrubbed, and the
// logger is wrapped in a handler that scrubs again.
package bot

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot/store"
	"github.com/citebot/citebot/config/redact"
)

// Answerer answers questions about the loaded documents (see
// [answer.Answerer]); the answer engine satisfies it.
type Answerer = answer.Answerer

// Libraries gives each chat its documents: the shared ones and those the
// chat added itself, which no other chat sees. Implementations must be
// safe for concurrent use; their errors are shown to users like
// [DocumentManager]'s. A refusal over a quota carries a Quota method (see
// quotaError).
type Libraries interface {
	// Answerer returns the answerer of chat: the shared documents and
	// the chat's own (loaded first when they are not in memory).
	Answerer(ctx context.Context, chat int64) (answer.Answerer, error)
	// AddOwn reads, indexes and stores a document user sent to chat,
	// replacing one of the same name (replaced true); progress as in
	// [DocumentManager.AddDocument].
	AddOwn(ctx context.Context, chat, user int64, name string, data []byte, progress func(answer.Progress)) (info answer.DocInfo, replaced bool, err error)
	// RemoveOwn removes chat's own document name.
	RemoveOwn(ctx context.Context, chat int64, name string) error
	// Forget removes all of chat's own documents and says how many.
	Forget(chat int64) (int, error)
	// CleanName returns the name a file is added under, or why not (see
	// [DocumentManager.CleanName]).
	CleanName(fileName string) (string, error)
	// Owner reports whether name is one of chat's own documents and who
	// added it.
	Owner(chat int64, name string) (uploader int64, own bool)
}

// DocumentManager adds and removes documents at run time. Implementations
// must be safe for concurrent use. Their errors are shown to the admin who
// asked, so they should be short, user-safe sentences (e.g. "bad.txt: not
// valid UTF-8 text").
type DocumentManager interface {
	// CleanName returns the name a file sent as fileName is added under,
	// or why it is refused (an unusable name, an unsupported type). The bot
	// calls it before downloading the file.
	CleanName(fileName string) (string, error)
	// AddDocument reads, indexes and persists the document called name
	// (as returned by CleanName) whose content is data, and describes it.
	// Reading may take minutes (OCR of a scan): it reports how far it has
	// come to progress (never nil), from its own goroutine, as often as
	// it likes. After it returns, [Answerer.Documents] lists the document.
	AddDocument(ctx context.Context, name string, data []byte, progress func(answer.Progress)) (answer.DocInfo, error)
	// RemoveDocument removes the document called name, as listed by
	// [Answerer.Documents].
	RemoveDocument(ctx context.Context, name string) error
}

const (
	// pollTimeout is the getUpdates long-poll timeout.
	pollTimeout = 30 * time.Second
	// requestTimeout bounds every request except getUpdates.
	requestTimeout = 30 * time.Second
	// maxConversations bounds the memory, limiter and refusal tables.
	maxConversations = 10000
	// callbackRate is how many button presses the rate limit allows per
	// question it allows.
	callbackRate = 4
)

// Bot answers Telegram messages with cited answers. Create it with [New] and
// start it with [Bot.Run]. Its methods are safe for concurrent use.
type Bot struct {
	cfg         Config
	answer      Answerer
	docs        DocumentManager // nil: no uploads of shared documents
	libs        Libraries       // nil: no chat libraries
	fetch       func(ctx context.Context, url string) (name string, data []byte, err error)
	intake      intake // reads the documents admins send
	hooks       Hooks
	client      *http.Client
	pollTimeout time.Duration
	log         *slog.Logger
	scrub       redact.Scrubber
	api         *tgbotapi.BotAPI
	self        identity

	gates  *chatGates
	mem    *memory
	limits *userLimits
	access *access
	admins map[int64]bool
	userMu *keyedMutex
	// cbLimits limit button presses per user, like limits questions,
	// callbackRate times as many (a reader taps ¶ open and shut, votes,
	// gives a reason).
	cbLimits *userLimits
	secret   string
	webhook  atomic.Pointer[net.Addr]

	st         *store.Store
	finished   atomic.Int64 // updates finished, for pruning
	badSecrets *throttle    // warnings about requests without the secret
	// draftsRefused is set once Telegram answered that it has no
	// sendMessageDraft (see methodMissing): private chats then stream by
	// edits (see stream).
	draftsRefused atomic.Bool
	// ephemeral remembers the chats refusing ephemeral messages (see
	// ephemeral.go).
	ephemeral refusedChats
	// rich holds the chats refusing rich messages and the answers a stop
	// button can end.
	rich richState
	// links are the citations' page links (Deps.CitationLinks), or nil.
	links func(a answer.Answer, chat int64, private bool) ([]string, bool)
	// generation is Deps.Generation (nil: unknown); answers are the
	// latest answers, for their buttons.
	generation func() uint64
	answers    *answerMemory
	chats      chatSettings // per-chat settings (/use), cached
}

// identity is who the bot is, from getMe.
type identity struct {
	ID       int64
	UserName string
}

// New checks cfg and asks the server who the bot is (getMe). It uses the
// settings as given and rejects nonsense (no token, fewer than one worker,
// negative limits). Its errors never contain the token.
func New(cfg Config, d Deps) (*Bot, error) {
	if err := validate(cfg, d); err != nil {
		return nil, err
	}
	cfg.TelegramAPI = strings.TrimRight(cfg.TelegramAPI, "/")
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.HTTPClient == nil {
		// Keep a connection per worker alive: the default transport keeps
		// two per host and would reconnect (TLS) under load.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = cfg.Workers + 2
		d.HTTPClient = &http.Client{Transport: tr}
	}
	s := redact.New(cfg.TelegramToken.Reveal())
	b := &Bot{
		cfg: cfg, answer: d.Answerer, docs: d.Documents, libs: d.Libraries, fetch: d.Fetch, hooks: d.Hooks, client: d.HTTPClient,
		pollTimeout: pollTimeout,
		log:         slog.New(s.Handler(d.Logger.Handler())),
		scrub:       s,
		gates:       newChatGates(),
		mem:         newMemory(cfg.MemoryTurns, cfg.MemoryTTL, maxConversations),
		limits:      newUserLimits(cfg.RatePerMinute, cfg.RateBurst, maxConversations),
		access:      newAccess(cfg.AllowedChats, cfg.AllowedUsers, maxConversations),
		admins:      make(map[int64]bool, len(cfg.Admins)),
		userMu:      newKeyedMutex(),
		cbLimits:    newUserLimits(cfg.RatePerMinute*callbackRate, cfg.RateBurst*callbackRate, maxConversations),
		secret:      cfg.WebhookSecret.Reveal(),
		st:          d.Store,
		badSecrets:  &throttle{every: time.Minute},
		links:       d.CitationLinks,
		generation:  d.Generation,
		answers:     newAnswerMemory(),
		chats:       chatSettings{cache: newLRU[int64, store.ChatSettings](maxConversations)},
	}
	if t := b.client.Timeout; t > 0 {
		b.pollTimeout = max(min(pollTimeout, t-5*time.Second), 0)
	}
	for _, id := range cfg.Admins {
		b.admins[id] = true
	}
	if cfg.WebhookURL != "" && b.secret == "" {
		b.secret = randomSecret()
	}
	if err := b.getMe(); err != nil {
		return nil, err
	}
	b.log.Info("telegram bot ready", "id", b.self.ID, "username", b.self.UserName, "api", cfg.TelegramAPI)
	return b, nil
}

// getMe makes the tgbotapi client, which asks who the bot is.
func (b *Bot) getMe() error {
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	endpoint := strings.ReplaceAll(b.cfg.TelegramAPI, "%", "%%") + "/bot%s/%s"
	doer := &ctxDoer{ctx: ctx, c: b.client}
	api, err := tgbotapi.NewBotAPIWithClient(b.cfg.TelegramToken.Reveal(), endpoint, doer)
	if err != nil {
		b.reportAPIError(context.Background(), "getMe", doer.status, err)
		return fmt.Errorf("couldn't get bot identity (getMe): %w", b.scrub.Error(err))
	}
	api.Client = b.client // call gives each request its own context
	b.api = api
	b.self = identity{ID: api.Self.ID, UserName: api.Self.UserName}
	return nil
}

// UserName returns the bot's username as reported by getMe, without "@".
func (b *Bot) UserName() string { return b.self.UserName }

// WebhookAddr returns the address the webhook server listens on, or nil
// when Run is not serving a webhook (yet).
func (b *Bot) WebhookAddr() net.Addr {
	if p := b.webhook.Load(); p != nil {
		return *p
	}
	return nil
}

// Run receives and answers updates until ctx is cancelled: by webhook when
// [Config.WebhookURL] is set, else by long polling. It first replays the
// updates an earlier run left unfinished. On cancellation it stops
// receiving, lets in-flight answers finish within [Config.ShutdownTimeout]
// (the ones still running are interrupted and stay in the store for the
// next start), confirms the polled updates to Telegram, waits until the
// store has committed what was handled, and returns nil.
// It returns an error only when it cannot start.
func (b *Bot) Run(ctx context.Context) error {
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	d := newDispatcher(workCtx, b.cfg.Workers, b)
	b.prune()
	if err := b.replay(d); err != nil {
		return fmt.Errorf("couldn't replay unfinished updates: %w", err)
	}

	commandsDone := make(chan struct{})
	go func() {
		defer close(commandsDone)
		b.setCommands(ctx)
	}()
	defer func() { <-commandsDone }()

	next := 0 // the offset confirming every polled (and stored) update
	if b.cfg.WebhookURL != "" {
		if err := b.serveWebhook(ctx, d); err != nil {
			cancelWork()
			d.wait(time.Second)
			return err
		}
	} else {
		next = b.poll(ctx, d)
	}
	b.drain(d, cancelWork)
	if b.cfg.WebhookURL == "" {
		b.commitOffset(next)
	}
	if err := b.st.Flush(); err != nil {
		b.log.Warn("couldn't commit the last records of handled updates: they may be replayed on the next start", "err", err)
	}
	b.log.Info("telegram bot stopped")
	return nil
}

// finishTimeout bounds the edits that finish interrupted answers after
// the shutdown timeout cancelled them.
const finishTimeout = 3 * time.Second

// drain waits for queued and in-flight updates within ShutdownTimeout, then
// cancels what is left and lets it finish its placeholders.
func (b *Bot) drain(d *dispatcher, cancelWork context.CancelFunc) {
	deadline := time.Now().Add(b.cfg.ShutdownTimeout)
	if d.wait(b.cfg.ShutdownTimeout) && b.intake.wait(time.Until(deadline)) {
		return
	}
	b.log.Warn("shutdown timeout: cancelling unfinished answers; they stay in the store and are replayed on the next start",
		"pending", d.pendingCount())
	cancelWork()
	d.wait(finishTimeout + time.Second)
	b.intake.wait(finishTimeout + time.Second)
}

// HandleUpdate handles one update synchronously, outside any queue and
// outside the store: it waits for the user's turn like Run's workers do,
// then handles the update. Exported for tests and benchmarks. A panic is
// recovered and logged. A document sent to the bot is downloaded before it
// returns and read by the bot's intake afterwards.
func (b *Bot) HandleUpdate(ctx context.Context, u Update) {
	b.routeOnce(&u)
	release, err := b.turn(ctx, u)
	if err != nil {
		return
	}
	defer release()
	b.handle(ctx, u)
}

// turn waits until u may be handled: a question (a guest message too)
// waits until the answers to its sender (in any chat) are done, so that
// one user gets one answer at a time. Other updates go at once.
func (b *Bot) turn(ctx context.Context, u Update) (release func(), err error) {
	if g := u.Guest; g != nil && g.From != nil && !u.expired {
		return b.userMu.lock(ctx, g.From.ID)
	}
	if u.Message == nil || u.Message.From == nil || u.expired || b.request(u).kind != reqQuestion {
		return func() {}, nil
	}
	return b.userMu.lock(ctx, u.Message.From.ID)
}
