package redact

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
)

// Scrubber removes known secrets from strings, errors and log records:
// each secret as is, in all the spellings a URL can give it (":" escaped
// as %3A or %3a) and, for a secret of the form id:secret (a Telegram bot
// token), the part after the colon on its own, which is what makes a
// token usable (the part before it is the public bot id). The zero value
// scrubs nothing. It is safe for concurrent use.
type Scrubber struct {
	forms []string // longest first
}

// minBareSecret is the shortest secret part scrubbed on its own: a
// shorter one (never a real token's) would redact ordinary words.
const minBareSecret = 8

// New returns a Scrubber of secrets; empty ones are ignored. A secret must
// be long enough not to be an ordinary word: callers leave out short
// values that are no secrets.
func New(secrets ...string) Scrubber {
	var forms []string
	add := func(f string) {
		if f != "" && !slices.Contains(forms, f) {
			forms = append(forms, f)
		}
	}
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		add(secret)
		add(url.PathEscape(secret))
		add(url.QueryEscape(secret))
		add(strings.ReplaceAll(url.QueryEscape(secret), "%3A", "%3a"))
		if _, bare, ok := strings.Cut(secret, ":"); ok && len(bare) >= minBareSecret {
			add(bare)
			add(url.QueryEscape(bare))
		}
	}
	slices.SortStableFunc(forms, func(a, b string) int { return len(b) - len(a) })
	return Scrubber{forms: forms}
}

// String returns str with every form of every secret replaced by
// [Redacted].
func (s Scrubber) String(str string) string {
	for _, f := range s.forms {
		str = strings.ReplaceAll(str, f, Redacted)
	}
	return str
}

// contains reports whether str holds a form of a secret.
func (s Scrubber) contains(str string) bool {
	for _, f := range s.forms {
		if strings.Contains(str, f) {
			return true
		}
	}
	return false
}

// Error returns err with the secrets removed from its text and from the text
// of every error in its chain. errors.Is and errors.As still work for the
// wrapped errors: a *url.Error is rebuilt with a scrubbed URL, other errors
// whose text holds the secret are wrapped in a redactedError. An err whose
// text does not contain the secret is returned as is.
func (s Scrubber) Error(err error) error {
	if err == nil || !s.contains(err.Error()) {
		return err
	}
	// Only the outermost error is inspected here; the rest of the chain is
	// scrubbed by the recursion.
	if ue, ok := err.(*url.Error); ok {
		return &url.Error{Op: ue.Op, URL: s.String(ue.URL), Err: s.Error(ue.Err)}
	}
	return &redactedError{msg: s.String(err.Error()), err: s.Error(errors.Unwrap(err))}
}

// redactedError carries a scrubbed message in place of an error whose text
// held a secret; Unwrap gives the (also scrubbed) rest of the chain.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// Handler returns a [slog.Handler] that removes the secrets from the
// message and from every attribute of a record before passing it on to
// inner: a last line of defence, as errors are scrubbed where they are
// made.
func (s Scrubber) Handler(inner slog.Handler) slog.Handler {
	return redactHandler{inner: inner, s: s}
}

// redactHandler is the handler of [Scrubber.Handler].
type redactHandler struct {
	inner slog.Handler
	s     Scrubber
}

func (h redactHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h redactHandler) Handle(ctx context.Context, r slog.Record) error {
	nr := slog.NewRecord(r.Time, r.Level, h.s.String(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		nr.AddAttrs(h.attr(a))
		return true
	})
	return h.inner.Handle(ctx, nr)
}

func (h redactHandler) WithAttrs(as []slog.Attr) slog.Handler {
	out := make([]slog.Attr, len(as))
	for i, a := range as {
		out[i] = h.attr(a)
	}
	return redactHandler{inner: h.inner.WithAttrs(out), s: h.s}
}

func (h redactHandler) WithGroup(name string) slog.Handler {
	return redactHandler{inner: h.inner.WithGroup(name), s: h.s}
}

func (h redactHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.s.String(v.String()))
	case slog.KindGroup:
		g := v.Group()
		out := make([]slog.Attr, len(g))
		for i, ga := range g {
			out[i] = h.attr(ga)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(out...)}
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, h.s.String(err.Error()))
		}
		return slog.String(a.Key, h.s.String(fmt.Sprint(v.Any())))
	default:
		return slog.Attr{Key: a.Key, Value: v}
	}
}
