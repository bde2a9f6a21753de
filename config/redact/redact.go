// Package redact keeps secrets out of what citebot shows: errors, logs,
// `citebot config`. It does so in two ways. [Text] knows no secret: it
// removes what looks like one from any text (the credentials, query
// values and fragment of every URL, anything shaped like a Telegram bot
// token). A [Scrubber] knows its secrets (the bot token, an API key) and
// removes each in every spelling a URL gives it, from strings, from the
// text of every error in a chain and from every log record. Both replace
// what they remove with [Redacted]; both are safe for concurrent use.
package redact

import (
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// Redacted is what stands in for a removed secret.
const Redacted = "REDACTED"

// botToken matches a Telegram bot token (id:secret) inside any text.
var botToken = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\d+:[A-Za-z0-9_-]{30,}`) })

// urlInText matches an absolute URL inside a message.
var urlInText = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>]+`) })

// HasToken reports whether s holds something shaped like a Telegram bot
// token, which [Text] would remove.
func HasToken(s string) bool { return botToken().MatchString(s) }

// Text returns s, a value or a message, safe to show in an error, a log
// or `citebot config`: every URL in it loses its credentials as [URL]
// says, and anything that looks like a Telegram bot token is replaced by
// [Redacted].
func Text(s string) string {
	s = botToken().ReplaceAllString(s, Redacted)
	s = urlInText().ReplaceAllStringFunc(s, URL)
	return botToken().ReplaceAllString(s, Redacted)
}

// URL returns the URL raw with its userinfo, the values of its query and
// its fragment replaced by [Redacted]; a URL that does not parse loses
// its userinfo and everything from its query on. A string without a host
// is returned as it is.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return unparsedURL(raw)
	}
	if u.Host == "" {
		return raw
	}
	if u.User != nil {
		u.User = url.User(Redacted)
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			q[k] = []string{Redacted}
		}
		u.RawQuery = q.Encode()
	}
	if u.Fragment != "" {
		u.Fragment = Redacted
	}
	return u.String()
}

// unparsedURL removes what may be credentials from a URL that does not
// parse: userinfo, and everything from the query on.
func unparsedURL(v string) string {
	if i := strings.IndexAny(v, "?#"); i >= 0 {
		v = v[:i+1] + Redacted
	}
	scheme, rest, _ := strings.Cut(v, "://")
	host, path, _ := strings.Cut(rest, "/")
	if i := strings.LastIndex(host, "@"); i >= 0 {
		host = Redacted + host[i:]
	}
	v = scheme + "://" + host
	if path != "" || strings.Contains(rest, "/") {
		v += "/" + path
	}
	return v
}
