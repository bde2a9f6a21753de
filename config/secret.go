package config

import (
	"log/slog"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
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
	return redacted
}

// GoString implements fmt.GoStringer so %#v redacts too.
func (s Secret) GoString() string { return strconv.Quote(s.String()) }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText redacts the secret in JSON and YAML output.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Reveal returns the secret value, for the one place that must send it.
func (s Secret) Reveal() string { return string(s) }

const redacted = "REDACTED"

// botToken matches a Telegram bot token (id:secret) inside any text.
var botToken = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\d+:[A-Za-z0-9_-]{30,}`) })

// Scrub returns s, a value or a message, safe to show in an error, a log
// or `citebot config`: every URL in it loses its userinfo, query values
// and fragment, and anything that looks like a Telegram bot token is
// replaced by REDACTED. It is safe for concurrent use.
func Scrub(s string) string { return scrub(s) }

// urlInText matches an absolute URL inside a message.
var urlInText = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>]+`) })

func scrub(v string) string {
	v = botToken().ReplaceAllString(v, redacted)
	v = urlInText().ReplaceAllStringFunc(v, scrubURL)
	return botToken().ReplaceAllString(v, redacted)
}

// scrubURL removes the credentials of one URL.
func scrubURL(v string) string {
	u, err := url.Parse(v)
	if err != nil {
		return scrubUnparsedURL(v)
	}
	if u.Host == "" {
		return v
	}
	if u.User != nil {
		u.User = url.User(redacted)
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			q[k] = []string{redacted}
		}
		u.RawQuery = q.Encode()
	}
	if u.Fragment != "" {
		u.Fragment = redacted
	}
	return u.String()
}

// scrubUnparsedURL removes what may be credentials from a URL that does
// not parse: userinfo, and everything from the query on.
func scrubUnparsedURL(v string) string {
	if i := strings.IndexAny(v, "?#"); i >= 0 {
		v = v[:i+1] + redacted
	}
	scheme, rest, _ := strings.Cut(v, "://")
	host, path, _ := strings.Cut(rest, "/")
	if i := strings.LastIndex(host, "@"); i >= 0 {
		host = redacted + host[i:]
	}
	v = scheme + "://" + host
	if path != "" || strings.Contains(rest, "/") {
		v += "/" + path
	}
	return v
}

// shown quotes a scrubbed user value for an error message, shortened to a
// readable length. The quoted text is scrubbed again: quoting turns a
// control character into digits ("\x10"), which can make what follows
// look like a token.
func shown(v string) string {
	v = scrub(v)
	const max = 60
	if r := []rune(v); len(r) > max {
		v = string(r[:max]) + "…"
	}
	return scrub(strconv.Quote(strings.ToValidUTF8(v, "\uFFFD")))
}
