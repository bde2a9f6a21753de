package config

import (
	"log/slog"
	"strconv"
	"strings"

	"github.com/citebot/citebot/config/redact"
)

// Secret is a string that never prints: fmt, slog, JSON and YAML show
// REDACTED (or nothing when it is empty). Use [Secret.Reveal] at the one
// place that must send it.
type Secret string

// String implements fmt.Stringer.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redact.Redacted
}

// GoString implements fmt.GoStringer so %#v redacts too.
func (s Secret) GoString() string { return strconv.Quote(s.String()) }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText redacts the secret in JSON and YAML output.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Reveal returns the secret value, for the one place that must send it.
func (s Secret) Reveal() string { return string(s) }

// Scrub returns s, a value or a message, safe to show in an error, a log
// or `citebot config`: it is [redact.Text], which removes the credentials
// of every URL and anything shaped like a Telegram bot token.
func Scrub(s string) string { return redact.Text(s) }

// shown quotes a scrubbed user value for an error message, shortened to a
// readable length. The quoted text is scrubbed again: quoting turns a
// control character into digits ("\x10"), which can make what follows
// look like a token.
func shown(v string) string {
	v = redact.Text(v)
	const max = 60
	if r := []rune(v); len(r) > max {
		v = string(r[:max]) + "…"
	}
	return redact.Text(strconv.Quote(strings.ToValidUTF8(v, "\uFFFD")))
}
