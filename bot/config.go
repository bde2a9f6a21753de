package bot

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/citebot/citebot/config"
)

// Config is the bot's settings: plain values, used as given. Package
// config owns their defaults and checks; the bot has none of its own. A
// zero number turns a feature off or makes it unlimited, as in package
// config. A Config prints with Token and WebhookSecret redacted
// ([config.Secret]).
type Config struct {
	// Token is the bot token from @BotFather.
	Token config.Secret
	// APIBase is the Bot API server, e.g. "https://api.telegram.org":
	// requests go to APIBase + "/bot<token>/<method>".
	APIBase string
	// Workers bounds how many updates are handled at once; at least 1.
	Workers int
	// EditInterval is the minimum time between two edits of messages in
	// one chat while an answer streams; 0: no spacing.
	EditInterval time.Duration
	// MemoryTurns is how many earlier turns a follow-up carries; 0: no
	// conversation memory. MemoryTTL is how long a conversation is
	// remembered after its last turn.
	MemoryTurns int
	MemoryTTL   time.Duration
	// AllowedChats and AllowedUsers restrict who is answered. Both empty:
	// everyone. Otherwise a message is answered when its chat is in
	// AllowedChats or its sender is in AllowedUsers; others get one polite
	// refusal per chat, then silence.
	AllowedChats []int64
	AllowedUsers []int64
	// RatePerMinute is each user's refill rate of questions per minute;
	// 0: unlimited. RateBurst is the bucket size, at least 1 when limited.
	RatePerMinute float64
	RateBurst     int
	// MaxQuestionRunes is the longest question accepted; 0: unlimited.
	MaxQuestionRunes int
	// KeywordPrefix, when set, makes a group message that starts with it
	// (case-insensitively) a question, e.g. "?" or "citebot,".
	KeywordPrefix string
	// ShutdownTimeout is how long Run lets in-flight answers finish after
	// its context is cancelled; 0: they are cancelled at once (and their
	// updates left to be delivered again).
	ShutdownTimeout time.Duration
	// Admins are the user ids that may add documents (by sending a file)
	// and remove them (/remove NAME) in a private chat with the bot, when
	// [Deps.Documents] is set. Admins are answered whatever the allowlists
	// say.
	Admins []int64
	// MaxUploadBytes is the largest document accepted from chat; at least
	// 1 when [Deps.Documents] is set.
	MaxUploadBytes int64
	// WebhookURL, when set, makes Run receive updates by webhook instead of
	// long polling: it registers this public URL with setWebhook and serves
	// WebhookListen itself. WebhookSecret is the secret_token Telegram sends
	// back in X-Telegram-Bot-Api-Secret-Token; when empty a random one is
	// generated.
	WebhookURL    string
	WebhookListen string
	WebhookSecret config.Secret
}

// Deps are what a [Bot] works with besides its settings.
type Deps struct {
	// Answerer answers the questions; required.
	Answerer Answerer
	// Documents adds and removes documents sent by admins; nil disables
	// uploads and /remove.
	Documents DocumentManager
	// Logger receives the bot's logs, default slog.Default(). It is
	// wrapped so that the token is scrubbed from every record.
	Logger *slog.Logger
	// HTTPClient makes every request; default a client keeping a
	// connection per worker alive. Each call carries its own context and
	// deadline, so no client Timeout is needed; if the client has one, the
	// long-poll timeout is shortened to fit inside it.
	HTTPClient *http.Client
	// Hooks report what happens, e.g. for metrics.
	Hooks Hooks
}

// validate rejects settings that make no sense; every error names the
// setting.
func (cfg Config) validate(d Deps) error {
	tok := cfg.Token.Reveal()
	if tok == "" {
		return errors.New("bot token is empty")
	}
	if strings.ContainsAny(tok, "/%?# \t\r\n") {
		return errors.New("bot token contains characters a token cannot have")
	}
	if !isHTTPURL(cfg.APIBase) {
		return fmt.Errorf("API base %q is not an http(s) URL", cfg.APIBase)
	}
	if d.Answerer == nil {
		return errors.New("bot needs an Answerer")
	}
	checks := []struct {
		bad  bool
		what string
	}{
		{cfg.Workers < 1, "workers must be at least 1"},
		{cfg.EditInterval < 0, "edit interval must not be negative"},
		{cfg.MemoryTurns < 0, "memory turns must not be negative (0: no memory)"},
		{cfg.MemoryTurns > 0 && cfg.MemoryTTL <= 0, "memory TTL must be positive when memory is on"},
		{cfg.RatePerMinute < 0, "rate per minute must not be negative (0: unlimited)"},
		{cfg.RatePerMinute > 0 && cfg.RateBurst < 1, "rate burst must be at least 1 when the rate is limited"},
		{cfg.MaxQuestionRunes < 0, "max question runes must not be negative (0: unlimited)"},
		{cfg.ShutdownTimeout < 0, "shutdown timeout must not be negative"},
		{d.Documents != nil && cfg.MaxUploadBytes < 1, "max upload bytes must be at least 1 when documents can be added"},
		{cfg.WebhookURL != "" && !isHTTPURL(cfg.WebhookURL), "webhook URL is not an http(s) URL"},
		{cfg.WebhookURL != "" && cfg.WebhookListen == "", "webhook listen address is empty"},
		{!validSecret(cfg.WebhookSecret.Reveal()), "webhook secret must be 1-256 characters of A-Z, a-z, 0-9, _ and -"},
	}
	for _, c := range checks {
		if c.bad {
			return errors.New(c.what)
		}
	}
	return nil
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// validSecret reports whether s is empty (a random one is made) or a
// secret_token Telegram accepts.
func validSecret(s string) bool {
	return len(s) <= 256 && strings.IndexFunc(s, notSecretChar) < 0
}

func notSecretChar(r rune) bool {
	return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-')
}
