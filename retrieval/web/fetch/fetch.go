package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Errors of [Get] and [ParseURL]. Each is wrapped with a detail (the
// limit passed, the status code, the refused type or address) into a
// short sentence a user may see; branch on them with errors.Is.
var (
	// ErrScheme means the link is not a usable http or https URL: another
	// scheme, a user name or password in it, no host, a bad port.
	ErrScheme = errors.New("not a usable http or https link")
	// ErrBlocked means the link, or a redirect, leads to an address
	// that is not public: loopback, private, link-local, and the like.
	ErrBlocked = errors.New("the link leads to a private or local network address")
	// ErrTooLarge means the document is larger than Options.MaxBytes.
	ErrTooLarge = errors.New("the document is too large")
	// ErrTimeout means the fetch took longer than Options.Timeout.
	ErrTimeout = errors.New("the download took too long")
	// ErrUnsupported means the server sent a type of document citebot
	// does not read.
	ErrUnsupported = errors.New("the link is not to a document type citebot reads")
	// ErrHTTPStatus means the server answered with an error status, or
	// redirected too often, instead of sending the document.
	ErrHTTPStatus = errors.New("the server did not send the document")
)

// Options configure [Get]. The zero value is usable: every zero field
// takes its default.
type Options struct {
	// MaxBytes is the largest body read (0: DefaultMaxBytes).
	MaxBytes int64
	// Timeout bounds the whole fetch, redirects and body included
	// (0: DefaultTimeout).
	Timeout time.Duration
	// MaxRedirects is the most redirects followed (0: DefaultMaxRedirects).
	MaxRedirects int
	// AllowPrivate lets the fetch connect to any address, loopback and
	// private ones included. It is for tests against local servers.
	AllowPrivate bool
	// Resolver looks up host names (nil: net.DefaultResolver).
	Resolver Resolver
	// UserAgent is the User-Agent header (empty: DefaultUserAgent).
	UserAgent string

	// Allow are ip:port addresses treated as public despite their
	// range: a test server's, one intranet host (unparsable entries are
	// ignored; config checks them). A redirect to any other private
	// address, or another port, stays refused.
	Allow []string
}

// Defaults of [Options].
const (
	DefaultMaxBytes     = 20 << 20
	DefaultTimeout      = 30 * time.Second
	DefaultMaxRedirects = 5
	DefaultUserAgent    = "citebot (+document fetch)"
)

// withDefaults returns o with its zero fields set to their defaults.
func (o Options) withDefaults() Options {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = DefaultMaxRedirects
	}
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	return o
}

// Result is a fetched document.
type Result struct {
	// Name is a file name for the document with an extension the intake
	// reads (document.IsSupportedFile); see the package comment.
	Name string
	// ContentType is the media type the server declared, without
	// parameters, lowercase.
	ContentType string
	// Data is the body, at most Options.MaxBytes bytes.
	Data []byte
	// URL is the final URL, after redirects. It may hold a query with a
	// token: log it no more than the link the user sent.
	URL string
}

// errTimedOut is the cause of the fetch's context when Options.Timeout
// passes, telling it apart from the caller's own cancellation.
var errTimedOut = errors.New("fetch timeout")

// Get fetches the document at rawURL (read by [ParseURL]) within opts,
// as the package comment describes. Its errors wrap one of the package's
// Err values, or the caller's context error, or are a connection
// failure; none contains the link's query. Get is safe for concurrent
// use.
func Get(ctx context.Context, rawURL string, opts Options) (Result, error) {
	u, err := ParseURL(rawURL)
	if err != nil {
		return Result{}, err
	}
	opts = opts.withDefaults()
	fctx, cancel := context.WithTimeoutCause(ctx, opts.Timeout, errTimedOut)
	defer cancel()
	client, done := newClient(opts)
	defer done()
	res, err := get(fctx, client, u, opts)
	if err != nil {
		return Result{}, outcome(ctx, fctx, opts, u, err)
	}
	return res, nil
}

// newClient returns the client of one fetch, and a function to release
// it. Its transport ignores proxy settings (a proxy would dial for it,
// past the guard) and dials through the guard.
func newClient(opts Options) (*http.Client, func()) {
	g := guard{allowPrivate: opts.AllowPrivate, exempt: parseAddrs(opts.Allow)}
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            g.dialer(opts.Resolver),
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    dialTimeout,
		DisableKeepAlives:      true,
		MaxResponseHeaderBytes: 64 << 10,
	}
	client := &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > opts.MaxRedirects {
				return fmt.Errorf("%w: it redirected more than %d times", ErrHTTPStatus, opts.MaxRedirects)
			}
			if err := checkURL(req.URL); err != nil {
				return fmt.Errorf("%w (in a redirect)", err)
			}
			return nil
		},
	}
	return client, tr.CloseIdleConnections
}

// get does the request and reads the response.
func get(ctx context.Context, client *http.Client, u *url.URL, opts Options) (Result, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Result{}, fmt.Errorf("%w: the link is malformed", ErrScheme)
	}
	req.Header.Set("User-Agent", opts.UserAgent)
	req.Header.Set("Accept", acceptHeader())
	resp, err := client.Do(req)
	if err != nil {
		return Result{}, err
	}
	defer resp.Body.Close()
	final := resp.Request.URL
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return Result{}, fmt.Errorf("%w: %s answered HTTP %s", ErrHTTPStatus, redact(final), statusText(resp.StatusCode))
	}
	ctype, name, err := classify(final, resp.Header)
	if err != nil {
		return Result{}, err
	}
	if resp.ContentLength > opts.MaxBytes {
		return Result{}, tooLarge(opts.MaxBytes)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, opts.MaxBytes+1))
	if err != nil {
		return Result{}, err
	}
	if int64(len(data)) > opts.MaxBytes {
		return Result{}, tooLarge(opts.MaxBytes)
	}
	return Result{Name: name, ContentType: ctype, Data: data, URL: withoutFragment(final)}, nil
}

// classify returns the media type of a response and the document's
// name, or an error wrapping [ErrUnsupported]. A missing or unparsable
// Content-Type counts as application/octet-stream.
func classify(u *url.URL, h http.Header) (ctype, name string, err error) {
	ctype, _, perr := mime.ParseMediaType(h.Get("Content-Type"))
	if perr != nil {
		ctype = octetStream
	}
	ctype = strings.ToLower(ctype)
	if _, ok := lookupType(ctype); !ok && ctype != octetStream {
		return "", "", fmt.Errorf("%w: the server sent %.60s", ErrUnsupported, ctype)
	}
	name = fileName(u, ctype, h.Get("Content-Disposition"))
	if name == "" {
		return "", "", fmt.Errorf("%w: the server sent %s without a file name citebot reads", ErrUnsupported, ctype)
	}
	return ctype, name, nil
}

// outcome turns an error of a fetch of u into the one Get returns:
// Options.Timeout passing gives [ErrTimeout], the caller's cancellation
// its context error; a refusal is returned as is; anything else is a
// connection error naming u without its query. The *url.Error the
// client wraps errors in is dropped, as it shows the whole URL.
func outcome(ctx, fctx context.Context, opts Options, u *url.URL, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("couldn't fetch %s: %w", redact(u), ctx.Err())
	}
	if context.Cause(fctx) == errTimedOut {
		return fmt.Errorf("%w: more than %s", ErrTimeout, opts.Timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var be *blockedError
	if errors.As(err, &be) {
		return be
	}
	for _, known := range []error{ErrScheme, ErrTooLarge, ErrUnsupported, ErrHTTPStatus} {
		if errors.Is(err, known) {
			return err
		}
	}
	return fmt.Errorf("couldn't fetch %s: %w", redact(u), err)
}

// tooLarge is the ErrTooLarge of a body over limit bytes.
func tooLarge(limit int64) error {
	return fmt.Errorf("%w: it is larger than %s", ErrTooLarge, formatBytes(limit))
}

// formatBytes writes n bytes in MB (2^20 bytes) if it is at least one.
func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", n)
}

// statusText is "404 Not Found".
func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	return fmt.Sprint(code)
}

// withoutFragment returns u as a string without user information or
// fragment.
func withoutFragment(u *url.URL) string {
	c := *u
	c.User, c.Fragment, c.RawFragment = nil, "", ""
	return c.String()
}

// Func returns Get with opts as the function the bot's /add calls: the
// document's name and bytes.
func Func(opts Options) func(ctx context.Context, url string) (name string, data []byte, err error) {
	return func(ctx context.Context, url string) (string, []byte, error) {
		r, err := Get(ctx, url, opts)
		return r.Name, r.Data, err
	}
}

// parseAddrs parses the ip:port addresses of Options.Allow.
func parseAddrs(addrs []string) []netip.AddrPort {
	var out []netip.AddrPort
	for _, a := range addrs {
		if ap, err := netip.ParseAddrPort(strings.TrimSpace(a)); err == nil {
			out = append(out, netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()))
		}
	}
	return out
}
