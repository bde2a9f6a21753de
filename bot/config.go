package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot/store"
	"github.com/citebot/citebot/config"
)

// Config is the bot's settings: plain values, used as given. Package
// config owns the type, its defaults and checks; the bot has none of its
// own, and a zero number turns a feature off or makes it unlimited.
type Config = config.Telegram

// Deps are what a [Bot] works with besides its settings.
type Deps struct {
	// Answerer answers the questions; required.
	Answerer Answerer
	// Documents adds and removes the shared documents, sent by admins in
	// a private chat; nil disables that.
	Documents DocumentManager
	// Libraries, when set, gives each chat documents of its own beside
	// the shared ones (Config.ChatUploads says who may add them); each
	// chat is then answered by its own Answerer. Answerer stays the
	// shared documents' (inline queries of users without documents).
	Libraries Libraries
	// Fetch, when set, fetches the page or file of a link for /add URL,
	// guarded against private addresses, and names it; its errors are
	// shown to the user. nil: /add is off.
	Fetch func(ctx context.Context, url string) (name string, data []byte, err error)
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
	// Store is the durable inbox (see package store); required. The
	// caller opens and closes it.
	Store *store.Store
	// CitationLinks, when set, returns the document page link of each
	// citation of an answer for chat (see package bot/page), "" for none;
	// webApp says they open as a Mini App (private chats). A cited
	// paragraph's button then opens the page instead of sending the
	// paragraph.
	CitationLinks func(a answer.Answer, chat int64, private bool) (urls []string, webApp bool)
	// Generation, when set, returns the document set's generation, stored
	// with each answer's feedback.
	Generation func() uint64
}

// validate rejects settings that make no sense; every error names the
// setting.
func validate(cfg Config, d Deps) error {
	tok := cfg.TelegramToken.Reveal()
	if tok == "" {
		return errors.New("bot token is empty")
	}
	if strings.ContainsAny(tok, "/%?# \t\r\n") {
		return errors.New("bot token contains characters a token cannot have")
	}
	if !isHTTPURL(cfg.TelegramAPI) {
		return fmt.Errorf("API base %q is not an http(s) URL", cfg.TelegramAPI)
	}
	if d.Answerer == nil {
		return errors.New("bot needs an Answerer")
	}
	if d.Store == nil {
		return errors.New("bot needs a Store (the durable inbox)")
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
