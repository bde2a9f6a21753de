package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
)

const redacted = "REDACTED"

// scrubber removes a secret (the bot token) from strings and errors: the
// token as is, in all the spellings a URL can give it (":" escaped as
// %3A or %3a), and the secret part after the colon on its own, which is
// what makes a token usable (the part before it is the public bot id).
// The zero value scrubs nothing. It is safe for concurrent use.
type scrubber struct {
	forms []string // longest first
}

// minBareSecret is the shortest secret part scrubbed on its own: a
// shorter one (never a real token's) would redact ordinary words.
const minBareSecret = 8

func newScrubber(secret string) scrubber {
	if secret == "" {
		return scrubber{}
	}
	forms := []string{secret}
	add := func(f string) {
		if f != "" && !slices.Contains(forms, f) {
			forms = append(forms, f)
		}
	}
	add(url.PathEscape(secret))
	add(url.QueryEscape(secret))
	add(strings.ReplaceAll(url.QueryEscape(secret), "%3A", "%3a"))
	if _, bare, ok := strings.Cut(secret, ":"); ok && len(bare) >= minBareSecret {
		add(bare)
		add(url.QueryEscape(bare))
	}
	slices.SortStableFunc(forms, func(a, b string) int { return len(b) - len(a) })
	return scrubber{forms: forms}
}

// String returns s with every form of the secret replaced by REDACTED.
func (s scrubber) String(str string) string {
	for _, f := range s.forms {
		str = strings.ReplaceAll(str, f, redacted)
	}
	return str
}

func (s scrubber) contains(str string) bool {
	for _, f := range s.forms {
		if strings.Contains(str, f) {
			return true
		}
	}
	return false
}

// Error returns err with the secret removed from its text and from the text
// of every error in its chain. errors.Is and errors.As still work for the
// wrapped errors: a *url.Error is rebuilt with a scrubbed URL, other errors
// whose text holds the secret are wrapped in a redactedError. An err whose
// text does not contain the secret is returned as is.
func (s scrubber) Error(err error) error {
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
// held the token; Unwrap gives the (also scrubbed) rest of the chain.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redactHandler is a [slog.Handler] that scrubs the token from the message
// and from every attribute before passing the record on: a last line of
// defence, the code also scrubs errors where they are made.
type redactHandler struct {
	inner slog.Handler
	s     scrubber
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
