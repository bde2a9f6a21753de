package config

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/url"
	"strings"
	"time"
)

// check returns what is wrong with the value p points to and how to fix
// it, or "" when it is fine.
type check func(p any) string

// Validate checks every setting and returns every problem found, each
// naming the setting as the user set it (flag, variable or file key and
// line) and the fix. Secrets never appear in its errors and URLs are
// scrubbed of credentials.
func (c Config) Validate() error {
	var errs []error
	for i := range settings {
		s := &settings[i]
		if s.field == nil || s.check == nil {
			continue
		}
		p := s.field(&c)
		fix := s.check(p)
		if fix == "" {
			continue
		}
		if _, secret := p.(*Secret); secret {
			errs = append(errs, fmt.Errorf("%s: %s", c.nameOf(s), fix))
			continue
		}
		errs = append(errs, fmt.Errorf("%s = %s: %s", c.nameOf(s), shownValue(p), fix))
	}
	errs = append(errs, c.validateServer()...)
	return errors.Join(errs...)
}

// validateServer checks the rules that span settings: what the openai
// embedder and a chat model need.
func (c Config) validateServer() []error {
	var errs []error
	server := "set " + lookup("openai_base_url").spellings() + " for a local server, or OPENAI_API_KEY for OpenAI"
	if c.Embedder == "openai" {
		if c.EmbedModel == "" {
			errs = append(errs, fmt.Errorf("%s = openai needs %s, e.g. text-embedding-3-small or nomic-embed-text",
				c.nameOf(lookup("embedder")), lookup("embed_model").spellings()))
		}
		if c.OpenAIBaseURL == "" && c.OpenAIAPIKey == "" {
			errs = append(errs, fmt.Errorf("%s = openai needs a model server: %s", c.nameOf(lookup("embedder")), server))
		}
	}
	if c.Model != "" && c.OpenAIBaseURL == "" && c.OpenAIAPIKey == "" {
		errs = append(errs, fmt.Errorf("%s = %s needs a model server: %s", c.nameOf(lookup("model")), shown(c.Model), server))
	}
	if c.ContextWindow > 0 && c.MaxCompletionTokens > c.ContextWindow/2 {
		errs = append(errs, fmt.Errorf("%s = %d leaves too little of %s = %d for the prompt: use at most half of it",
			c.nameOf(lookup("max_completion_tokens")), c.MaxCompletionTokens, c.nameOf(lookup("context_window")), c.ContextWindow))
	}
	return errs
}

// ValidateServe checks the settings `citebot serve` needs on top of
// [Config.Validate].
func (c Config) ValidateServe() error {
	if c.TelegramToken == "" {
		return errors.New("no Telegram bot token: set TELEGRAM_BOT_TOKEN (from @BotFather) or pass --telegram-token")
	}
	return nil
}

// ParseLevel parses a log level name: debug, info, warn or error.
func ParseLevel(s string) (slog.Level, error) {
	var l slog.Level
	err := l.UnmarshalText([]byte(s))
	return l, err
}

// shownValue is a field's value for an error: scrubbed, and quoted when it
// is text.
func shownValue(p any) string {
	switch p := p.(type) {
	case *string:
		return shown(*p)
	case *time.Duration:
		return formatDuration(*p)
	}
	return formatValue(p)
}

// between accepts integers in lo..hi.
func between[T int | int64](lo, hi T) check {
	return func(p any) string {
		if n := *p.(*T); n < lo || n > hi {
			return fmt.Sprintf("use %d..%d", lo, hi)
		}
		return ""
	}
}

// positive accepts durations above zero: 0 has no meaning for the
// timeouts and intervals that use it.
func positive(p any) string {
	if *p.(*time.Duration) <= 0 {
		return "use a positive duration such as 1.5s, 30s or 10m"
	}
	return ""
}

// positiveUpTo accepts durations above zero and at most hi.
func positiveUpTo(hi time.Duration) check {
	return func(p any) string {
		if d := *p.(*time.Duration); d <= 0 || d > hi {
			return "use a positive duration up to " + formatDuration(hi) + ", such as 30s"
		}
		return ""
	}
}

// weight accepts a vector weight in (0, 10]. 0 cannot turn the vectors
// off (the ranking always blends them); `search --retriever lexical` does.
func weight(p any) string {
	if f := *p.(*float64); math.IsNaN(f) || f <= 0 || f > 10 {
		return "use a weight above 0 and at most 10 (the default 0.1 suits the local embedder); to rank without vectors use search --retriever lexical"
	}
	return ""
}

// rate accepts a finite rate of 0 (unlimited) or more.
func rate(p any) string {
	if f := *p.(*float64); math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return "use 0 (unlimited) or a positive number of questions per minute"
	}
	return ""
}

// oneOf accepts the listed words.
func oneOf(words ...string) check {
	return func(p any) string {
		for _, w := range words {
			if *p.(*string) == w {
				return ""
			}
		}
		return "use " + strings.Join(words, " or ")
	}
}

// optional accepts the empty string (off) and checks anything else.
func optional(ch check) check {
	return func(p any) string {
		if *p.(*string) == "" {
			return ""
		}
		return ch(p)
	}
}

// httpURL accepts an absolute http or https URL.
func httpURL(p any) string {
	u, err := url.Parse(*p.(*string))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "not an http(s) URL; use one such as https://example.org/path"
	}
	return ""
}

// hostPort accepts a listen address such as :8443 or 127.0.0.1:9090.
func hostPort(p any) string {
	if _, port, err := net.SplitHostPort(*p.(*string)); err != nil || port == "" {
		return "use host:port, such as :8443 or 127.0.0.1:9090"
	}
	return ""
}

// webhookSecret accepts what Telegram accepts as a secret_token, or empty
// (a random one).
func webhookSecret(p any) string {
	s := string(*p.(*Secret))
	if len(s) > 256 || strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	}) >= 0 {
		return "use 1-256 characters of A-Z, a-z, 0-9, _ and -, or leave it empty for a random one"
	}
	return ""
}

// logLevel accepts a level [ParseLevel] knows.
func logLevel(p any) string {
	if _, err := ParseLevel(*p.(*string)); err != nil {
		return "use debug, info, warn or error"
	}
	return ""
}
