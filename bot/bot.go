// Package bot is citebot's Telegram transport: updates come in by long
// polling or webhook, questions go to an [Answerer], and answers go back as
// Telegram HTML with every quote in an expandable blockquote and a button per
// cited paragraph.
//
// The package knows only the domain types of package answer; it never sees
// retrieval or prompts.
//
// # Design
//
// Updates are fetched by the package's own polling loop ([Bot.Run]; backoff,
// retry_after, ctx) or received by its own webhook server (secret token
// checked on every request). Each update is routed to a per-chat queue: a
// bounded pool of workers ([Config.Workers]) answers different chats
// concurrently while updates of one chat are handled one at a time, in order.
// Answers for one user are serialised across chats as well.
//
// Every request aimed at a chat passes a per-chat gate: after a 429 the gate
// stays shut for retry_after seconds, and streaming edits are spaced by
// [Config.EditInterval]. Requests go through tgbotapi's MakeRequest with a
// per-call context; results are decoded leniently (the test emulator answers
// null or strings where Telegram answers objects).
//
// # Documents from chat
//
// When [Config.Library] is set, the users in [Config.Admins] can add a
// document by sending a .txt, .md or .pdf file to the bot in a private chat
// (getFile, then a download of at most [Config.MaxUploadBytes]) and remove
// one with /remove NAME. Source buttons name their document by a hash of
// its name, not by its position in [Answerer.Documents], so they stay
// right when the list changes.
//
// # Logs
//
// Each question gives one info record, msg "question", with chat_id,
// user_id, thread_id, latency_ms, mode, citations and outcome; the
// question's text is logged only at debug level (msg "question text").
//
// The bot token never reaches a log line or an error: [Token] prints as
// REDACTED (and a [Config] prints with its secrets redacted), every error
// from the transport is scrubbed, and the logger is wrapped in a handler
// that scrubs again.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/citebot/citebot/answer"
)

// Answerer answers questions about the loaded documents. The answer engine
// satisfies it. Implementations must be safe for concurrent use.
type Answerer interface {
	// Answer answers q. In LLM mode onPartial receives the answer text
	// written so far: each call carries the full text up to that point, not
	// a delta. In extractive mode onPartial is never called. onPartial must
	// not be called after Answer returns.
	Answer(ctx context.Context, q answer.Question, onPartial func(text string)) (answer.Answer, error)
	// Paragraph returns paragraph n of document doc; Passage.Text is the
	// whole paragraph.
	Paragraph(doc string, n int) (answer.Passage, bool)
	// Documents describes the loaded documents.
	Documents() []answer.DocInfo
}

// DocumentManager adds and removes documents at run time. Implementations
// index and persist the document before returning. They must be safe for
// concurrent use; after a call returns, [Answerer.Documents] reflects the
// change. Their errors are shown to the admin who asked, so they should be
// short, user-safe sentences (e.g. "bad.txt: not valid UTF-8 text").
type DocumentManager interface {
	// AddDocument adds the document called name (a file name without any
	// directory, as sent) whose content is data, and describes it.
	AddDocument(ctx context.Context, name string, data []byte) (answer.DocInfo, error)
	// RemoveDocument removes the document called name, as listed by
	// [Answerer.Documents].
	RemoveDocument(ctx context.Context, name string) error
}

// RateLimit is a per-user token bucket for questions.
type RateLimit struct {
	// PerMinute is the refill rate in questions per minute; 0 means the
	// default (10) and a negative value disables the limit.
	PerMinute float64
	// Burst is the bucket size; 0 means the default (5).
	Burst int
}

// Config configures a [Bot]. The zero value plus a Token is usable: New
// applies the defaults named on each field. A Config prints (fmt, slog)
// with Token and WebhookSecret redacted.
type Config struct {
	// Token is the bot token from @BotFather. It prints as REDACTED.
	Token Token
	// APIBase is the Bot API server, default "https://api.telegram.org".
	// Requests go to APIBase + "/bot<token>/<method>".
	APIBase string
	// HTTPClient makes every request; default a client keeping a
	// connection per worker alive. Each call carries its own context and
	// deadline, so no client Timeout is needed; if the client has one,
	// PollTimeout is shortened to fit inside it.
	HTTPClient *http.Client
	// PollTimeout is the getUpdates long-poll timeout, default 30s.
	PollTimeout time.Duration
	// Workers bounds how many updates are handled at once, default 16.
	Workers int
	// EditInterval is the minimum time between two edits of messages in one
	// chat while an answer streams, default 1.5s.
	EditInterval time.Duration
	// MemoryTurns is how many earlier turns a follow-up carries, default 3;
	// negative disables conversation memory.
	MemoryTurns int
	// MemoryTTL is how long a conversation is remembered after its last
	// turn, default 15 minutes.
	MemoryTTL time.Duration
	// AllowedChats and AllowedUsers restrict who is answered. Both empty:
	// everyone. Otherwise a message is answered when its chat is in
	// AllowedChats or its sender is in AllowedUsers; others get one polite
	// refusal per chat, then silence.
	AllowedChats []int64
	AllowedUsers []int64
	// RateLimit limits questions per user; see [RateLimit] for defaults.
	RateLimit RateLimit
	// MaxQuestionRunes is the longest question accepted, default 1000.
	MaxQuestionRunes int
	// OnRateLimited, when set, is called each time a question is refused
	// by the per-user rate limit, e.g. to count it in a metric. It is
	// called on the handling goroutine, so it must be quick and safe for
	// concurrent use.
	OnRateLimited func()
	// Admins are the user ids that may add documents (by sending a .txt,
	// .md or .pdf file) and remove them (/remove NAME) in a private chat
	// with the bot. Admins are answered whatever the allowlists say.
	Admins []int64
	// MaxUploadBytes is the largest document accepted from chat, default
	// 20 MiB (the most the public Bot API lets a bot download).
	MaxUploadBytes int64
	// Library adds and removes documents sent by admins; nil disables
	// uploads and /remove.
	Library DocumentManager
	// KeywordPrefix, when set, makes a group message that starts with it
	// (case-insensitively) a question, e.g. "?" or "citebot,".
	KeywordPrefix string
	// ShutdownTimeout is how long Run lets in-flight answers finish after
	// its context is cancelled, default 15s.
	ShutdownTimeout time.Duration
	// Logger receives the bot's logs, default slog.Default(). It is wrapped
	// so that the token is scrubbed from every record.
	Logger *slog.Logger
	// WebhookURL, when set, makes Run receive updates by webhook instead of
	// long polling: it registers this public URL with setWebhook and serves
	// WebhookListen (default ":8443") itself. WebhookSecret is the
	// secret_token Telegram sends back in X-Telegram-Bot-Api-Secret-Token;
	// when empty a random one is generated.
	WebhookURL    string
	WebhookListen string
	WebhookSecret string
}

const (
	defaultAPIBase          = "https://api.telegram.org"
	defaultPollTimeout      = 30 * time.Second
	defaultWorkers          = 16
	defaultEditInterval     = 1500 * time.Millisecond
	defaultMemoryTTL        = 15 * time.Minute
	defaultMemoryTurns      = 3
	defaultRatePerMinute    = 10
	defaultRateBurst        = 5
	defaultMaxQuestionRunes = 1000
	defaultShutdownTimeout  = 15 * time.Second
	defaultWebhookListen    = ":8443"
	defaultMaxUploadBytes   = 20 << 20

	// requestTimeout bounds every request except getUpdates.
	requestTimeout = 30 * time.Second
	// maxConversations bounds the memory, limiter and refusal tables.
	maxConversations = 10000
)

// withDefaults returns cfg with every zero field set to its default.
func (cfg Config) withDefaults() Config {
	if cfg.APIBase == "" {
		cfg.APIBase = defaultAPIBase
	}
	cfg.APIBase = strings.TrimRight(cfg.APIBase, "/")
	if cfg.Workers <= 0 {
		cfg.Workers = defaultWorkers
	}
	if cfg.HTTPClient == nil {
		// Keep a connection per worker alive: the default transport keeps
		// two per host and would reconnect (TLS) under load.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = cfg.Workers + 2
		cfg.HTTPClient = &http.Client{Transport: tr}
	}
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = defaultPollTimeout
	}
	if t := cfg.HTTPClient.Timeout; t > 0 && cfg.PollTimeout > t-5*time.Second {
		cfg.PollTimeout = max(t-5*time.Second, 0)
	}
	if cfg.EditInterval <= 0 {
		cfg.EditInterval = defaultEditInterval
	}
	if cfg.MemoryTTL <= 0 {
		cfg.MemoryTTL = defaultMemoryTTL
	}
	if cfg.MemoryTurns == 0 {
		cfg.MemoryTurns = defaultMemoryTurns
	}
	if cfg.RateLimit.PerMinute == 0 {
		cfg.RateLimit.PerMinute = defaultRatePerMinute
	}
	if cfg.RateLimit.Burst <= 0 {
		cfg.RateLimit.Burst = defaultRateBurst
	}
	if cfg.MaxQuestionRunes <= 0 {
		cfg.MaxQuestionRunes = defaultMaxQuestionRunes
	}
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = defaultMaxUploadBytes
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = defaultShutdownTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.WebhookURL != "" && cfg.WebhookListen == "" {
		cfg.WebhookListen = defaultWebhookListen
	}
	return cfg
}

func (cfg Config) validate() error {
	tok := string(cfg.Token)
	if tok == "" {
		return errors.New("bot token is empty")
	}
	if strings.ContainsAny(tok, "/%?# \t\r\n") {
		return errors.New("bot token contains characters a token cannot have")
	}
	u, err := url.Parse(cfg.APIBase)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("API base %q is not an http(s) URL", cfg.APIBase)
	}
	if cfg.WebhookURL != "" {
		if u, err := url.Parse(cfg.WebhookURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return fmt.Errorf("webhook URL %q is not an http(s) URL", cfg.WebhookURL)
		}
	}
	if len(cfg.WebhookSecret) > 256 || strings.IndexFunc(cfg.WebhookSecret, notSecretChar) >= 0 {
		return errors.New("webhook secret must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
	}
	return nil
}

func notSecretChar(r rune) bool {
	return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-')
}

// Bot answers Telegram messages with cited answers. Create it with [New] and
// start it with [Bot.Run]. Its methods are safe for concurrent use.
type Bot struct {
	cfg    Config
	log    *slog.Logger
	scrub  scrubber
	api    *tgbotapi.BotAPI
	self   identity
	answer Answerer

	gates   *chatGates
	mem     *memory
	limits  *userLimits
	access  *access
	admins  map[int64]bool
	userMu  *keyedMutex
	secret  string
	webhook atomic.Pointer[net.Addr]
}

// identity is who the bot is, from getMe.
type identity struct {
	ID       int64
	UserName string
}

// New checks cfg, applies its defaults and asks the server who the bot is
// (getMe). Its errors never contain the token.
func New(cfg Config, a Answerer) (*Bot, error) {
	if a == nil {
		return nil, errors.New("bot needs an Answerer")
	}
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := newScrubber(string(cfg.Token))
	b := &Bot{
		cfg:    cfg,
		log:    slog.New(redactHandler{inner: cfg.Logger.Handler(), s: s}),
		scrub:  s,
		answer: a,
		gates:  newChatGates(),
		mem:    newMemory(cfg.MemoryTurns, cfg.MemoryTTL, maxConversations),
		limits: newUserLimits(cfg.RateLimit, maxConversations),
		access: newAccess(cfg.AllowedChats, cfg.AllowedUsers, maxConversations),
		admins: make(map[int64]bool, len(cfg.Admins)),
		userMu: newKeyedMutex(),
		secret: cfg.WebhookSecret,
	}
	for _, id := range cfg.Admins {
		b.admins[id] = true
	}
	if cfg.WebhookURL != "" && b.secret == "" {
		b.secret = randomSecret()
	}

	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	endpoint := strings.ReplaceAll(cfg.APIBase, "%", "%%") + "/bot%s/%s"
	api, err := tgbotapi.NewBotAPIWithClient(string(cfg.Token), endpoint, ctxDoer{ctx: ctx, c: cfg.HTTPClient})
	if err != nil {
		return nil, fmt.Errorf("couldn't get bot identity (getMe): %w", s.Error(err))
	}
	api.Client = cfg.HTTPClient
	b.api = api
	b.self = identity{ID: api.Self.ID, UserName: api.Self.UserName}
	b.log.Info("telegram bot ready", "id", b.self.ID, "username", b.self.UserName, "api", cfg.APIBase)
	return b, nil
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
// [Config.WebhookURL] is set, else by long polling. On cancellation it stops
// receiving, lets in-flight answers finish within [Config.ShutdownTimeout],
// confirms the last polled update to Telegram so that it is not delivered
// again, and returns nil. It returns an error only when it cannot start.
func (b *Bot) Run(ctx context.Context) error {
	commandsDone := make(chan struct{})
	go func() {
		defer close(commandsDone)
		b.setCommands(ctx)
	}()
	defer func() { <-commandsDone }()

	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	d := newDispatcher(workCtx, b.cfg.Workers, b.handle)

	next := 0 // the offset confirming every polled update
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
		b.commitOffset(next, d)
	}
	b.log.Info("telegram bot stopped")
	return nil
}

// drain waits for queued and in-flight updates within ShutdownTimeout, then
// cancels what is left.
func (b *Bot) drain(d *dispatcher, cancelWork context.CancelFunc) {
	if d.wait(b.cfg.ShutdownTimeout) {
		return
	}
	b.log.Warn("shutdown timeout: cancelling unfinished answers", "pending", d.pendingCount())
	cancelWork()
	d.wait(2 * time.Second)
}

// HandleUpdate handles one update synchronously, outside any queue: it is
// the entry point Run's workers use, exported for tests and benchmarks. A
// panic is recovered and logged.
func (b *Bot) HandleUpdate(ctx context.Context, u Update) {
	b.handle(ctx, u)
}
