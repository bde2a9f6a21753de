package fetch

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode"
)

// MaxURL is the longest link, in bytes, [ParseURL] accepts.
const MaxURL = 4096

// ParseURL reads the link a user typed: s trimmed of spaces, with an
// http or https scheme, a host, an optional port from 1 to 65535 and no
// user name or password. Text without a scheme ("example.org/page",
// "example.org:8080/x") is read as https; such a bare host must have a
// dot between two labels, so that a word is not taken for a host. The fragment is
// dropped (it is never sent). Every error wraps [ErrScheme] and never
// repeats a user name, password or query.
func ParseURL(s string) (*url.URL, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("%w: the link is empty", ErrScheme)
	}
	if len(s) > MaxURL {
		return nil, fmt.Errorf("%w: the link is longer than %d characters", ErrScheme, MaxURL)
	}
	bare := !hasScheme(s)
	if bare {
		if scheme, ok := otherScheme(s); ok {
			return nil, fmt.Errorf("%w: %q links are not fetched", ErrScheme, scheme)
		}
		s = "https://" + strings.TrimPrefix(s, "//")
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%w: the link is malformed", ErrScheme)
	}
	if err := checkURL(u); err != nil {
		return nil, err
	}
	if host := u.Hostname(); bare && !strings.Contains(strings.Trim(host, "."), ".") && !strings.Contains(host, ":") {
		return nil, fmt.Errorf("%w: %q is not a host name", ErrScheme, u.Hostname())
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// checkURL returns an error wrapping [ErrScheme] unless u is an
// absolute http or https URL with a host, a valid port and no user
// information. Redirects are checked with it too.
func checkURL(u *url.URL) error {
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%w: %q links are not fetched", ErrScheme, safeScheme(u.Scheme))
	case u.User != nil:
		return fmt.Errorf("%w: links with a user name or password are refused", ErrScheme)
	case u.Opaque != "" || u.Hostname() == "":
		return fmt.Errorf("%w: the link has no host", ErrScheme)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("%w: port %.10s is out of range", ErrScheme, p)
		}
	}
	return nil
}

// hasScheme reports whether s starts with "scheme://".
func hasScheme(s string) bool {
	i := strings.Index(s, "://")
	return i > 0 && validScheme(s[:i])
}

// otherScheme reports whether s, which has no "://", starts with a
// scheme such as "mailto:" or "javascript:" rather than "host:port".
func otherScheme(s string) (string, bool) {
	i := strings.IndexByte(s, ':')
	if i <= 0 || !validScheme(s[:i]) {
		return "", false
	}
	rest := s[i+1:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if port := rest[:end]; port != "" && strings.Trim(port, "0123456789") == "" {
		return "", false // host:port
	}
	return safeScheme(s[:i]), true
}

// validScheme reports whether s is a URL scheme (RFC 3986).
func validScheme(s string) bool {
	for i, r := range s {
		switch {
		case r < unicode.MaxASCII && unicode.IsLetter(r):
		case i > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return s != ""
}

// safeScheme is a scheme as errors show it: lowercase and short.
func safeScheme(s string) string {
	s = strings.ToLower(s)
	if len(s) > 20 {
		s = s[:20]
	}
	return s
}

// IsURL reports whether a whole chat message is one web link: after
// trimming spaces it holds no space and starts with "http://",
// "https://" or "www." (case-insensitively), and [ParseURL] accepts
// it. A bare "example.org/x" is not taken for a link here, as a message
// like "Node.js" or "e.g." is more likely a question than a link.
func IsURL(s string) bool {
	s = strings.TrimSpace(s)
	if strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		return false
	}
	lower := strings.ToLower(s)
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "www.") {
		return false
	}
	_, err := ParseURL(s)
	return err == nil
}

// maxShownPath is the most bytes of a URL's path errors show.
const maxShownPath = 200

// redact returns u as errors show it: scheme://host/path, without user
// information, query or fragment, the path cut to maxShownPath bytes.
func redact(u *url.URL) string {
	if u == nil {
		return "(no link)"
	}
	p := u.EscapedPath()
	if len(p) > maxShownPath {
		p = p[:maxShownPath] + "..."
	}
	return u.Scheme + "://" + u.Host + p
}
