package page

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Server serves the document pages. Set Key and Library; the zero values
// of the other fields are usable. It is safe for concurrent use.
type Server struct {
	// Key checks the links' signatures (see [Key]).
	Key []byte
	// Library gives the documents' current text.
	Library Library
	// BotToken checks Mini App initData; empty: app links are refused.
	BotToken string
	// InitDataMaxAge is how old initData may be (default 1 hour).
	InitDataMaxAge time.Duration
	// Logger receives refusals at debug level, never a token or initData
	// (default: discarded).
	Logger *slog.Logger
	// Now returns the current time (default time.Now).
	Now func() time.Time
	// MaxRenders bounds the pages rendered at once (default
	// [DefaultMaxRenders]); a page is written to the response as it is
	// rendered, so each render holds little more than its document's
	// paragraph list.
	MaxRenders int
	// RenderWait is how long a request waits for a render slot before it
	// is answered 503 with a Retry-After (default 10 seconds).
	RenderWait time.Duration

	versions  versions
	slotsOnce sync.Once
	slots     chan struct{}
}

// DefaultMaxRenders is the default of [Server.MaxRenders].
const DefaultMaxRenders = 4

// retryAfterSeconds is the Retry-After of a 503 when every render slot
// stays busy.
const retryAfterSeconds = 5

// maxFormBytes bounds a Mini App POST body.
const maxFormBytes = 16 << 10

// Handler returns the page's HTTP handler: GET /p/TOKEN, GET and POST
// /app/TOKEN; everything else is 404.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /p/{token}", withHeaders(s.browser))
	mux.Handle("GET /app/{token}", withHeaders(s.appStart))
	mux.Handle("POST /app/{token}", withHeaders(s.appPage))
	mux.Handle("/", withHeaders(func(w http.ResponseWriter, r *http.Request, nonce string) {
		s.short(w, http.StatusNotFound, nonce, "Not found", "Nothing here. 此处没有内容。")
	}))
	return mux
}

// withHeaders sets the security headers of every response, with a fresh
// CSP nonce that the page's one style and one script carry.
func withHeaders(h func(w http.ResponseWriter, r *http.Request, nonce string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 16)
		rand.Read(b)
		nonce := base64.RawURLEncoding.EncodeToString(b)
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'nonce-"+nonce+"'; script-src 'nonce-"+nonce+
			"'; form-action 'self'; base-uri 'none'; frame-ancestors https://web.telegram.org")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Cache-Control", "no-store")
		hd.Set("Content-Type", "text/html; charset=utf-8")
		h(w, r, nonce)
	})
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Server) log() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// browser serves GET /p/TOKEN.
func (s *Server) browser(w http.ResponseWriter, r *http.Request, nonce string) {
	t, ok := s.token(w, r, nonce, Browser)
	if ok {
		s.render(w, r, nonce, t, nil)
	}
}

// appStart serves GET /app/TOKEN: the bootstrap page that posts the URL
// fragment's initData back; it holds no document text.
func (s *Server) appStart(w http.ResponseWriter, r *http.Request, nonce string) {
	if _, ok := s.token(w, r, nonce, App); !ok {
		return
	}
	w.WriteHeader(http.StatusOK)
	renderMessage(w, message{Nonce: nonce, Title: "citebot", Action: r.URL.Path + "#c",
		Lines: []string{"Open this page from its button in Telegram. 请在 Telegram 中点按钮打开此页。"}})
}

// appPage serves POST /app/TOKEN: the page, for the user the link was
// made for, once initData checks out.
func (s *Server) appPage(w http.ResponseWriter, r *http.Request, nonce string) {
	t, ok := s.token(w, r, nonce, App)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.deny(w, nonce, "bad form", err)
		return
	}
	maxAge := s.InitDataMaxAge
	if maxAge <= 0 {
		maxAge = time.Hour
	}
	init, err := ValidateInitData(r.PostForm.Get("init"), s.BotToken, maxAge, s.now())
	if err == nil && init.UserID != t.Chat {
		err = errors.New("page: initData names another user than the link's chat")
	}
	if err != nil {
		s.deny(w, nonce, "initData refused", err)
		return
	}
	s.render(w, r, nonce, t, ParseTheme(r.PostForm.Get("theme")))
}

// token checks the request's token for kind, answering a refusal when it
// does not pass.
func (s *Server) token(w http.ResponseWriter, r *http.Request, nonce string, kind Kind) (Token, bool) {
	t, err := parseToken(r.PathValue("token"), s.Key, s.now())
	if err == nil && t.Kind != kind {
		err = ErrInvalid
	}
	if err != nil {
		s.deny(w, nonce, "link refused", err)
		return Token{}, false
	}
	return t, true
}

// render serves t's page, or "document changed" when the library no
// longer holds the text t was made for. At most MaxRenders pages are
// rendered at once; the page is written to w as it is rendered.
func (s *Server) render(w http.ResponseWriter, r *http.Request, nonce string, t Token, theme Theme) {
	release, ok := s.acquire(r)
	if !ok {
		s.log().Debug("page: every render slot busy")
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
		s.short(w, http.StatusServiceUnavailable, nonce, "Busy",
			"Too many pages are being shown right now. Try again in a few seconds.", "当前访问过多，请几秒后重试。")
		return
	}
	defer release()
	d, ok := s.Library.Document(t.Chat, t.Doc)
	if !ok || s.versions.of(d) != t.Version || !spansFit(d.Text, t.Spans) {
		s.log().Debug("page: document changed since the link was made")
		s.short(w, http.StatusGone, nonce, "Document changed",
			"The document changed or was removed after this link was made. Ask the bot again for a link to its current text.",
			"链接生成后文档已更改或删除。请重新向机器人提问以获取新链接。")
		return
	}
	w.WriteHeader(http.StatusOK)
	if err := Render(w, d, t, nonce, theme); err != nil {
		// The status is sent: the client sees a page cut short.
		s.log().Warn("page: couldn't render", "err", err)
	}
}

// acquire takes a render slot, waiting at most RenderWait and never past
// the request's end. release gives the slot back; ok is false when none
// was had.
func (s *Server) acquire(r *http.Request) (release func(), ok bool) {
	s.slotsOnce.Do(func() {
		n := s.MaxRenders
		if n <= 0 {
			n = DefaultMaxRenders
		}
		s.slots = make(chan struct{}, n)
	})
	select {
	case s.slots <- struct{}{}:
		return func() { <-s.slots }, true
	default:
	}
	wait := s.RenderWait
	if wait <= 0 {
		wait = 10 * time.Second
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case s.slots <- struct{}{}:
		return func() { <-s.slots }, true
	case <-timer.C:
	case <-r.Context().Done():
	}
	return nil, false
}

// spansFit reports whether every span lies inside text on character
// boundaries (always true for the text a link was made for).
func spansFit(text string, spans []Span) bool {
	for _, sp := range spans {
		if sp.Start < 0 || sp.Start > sp.End || sp.End > len(text) || !boundary(text, sp.Start) || !boundary(text, sp.End) {
			return false
		}
	}
	return true
}

func boundary(text string, i int) bool {
	return i == len(text) || text[i]&0xC0 != 0x80
}

// deny answers 403 with a short page.
func (s *Server) deny(w http.ResponseWriter, nonce, why string, err error) {
	s.log().Debug("page: "+why, "err", err)
	msg := "This link is not valid or has expired. Ask the bot again for a fresh link."
	if errors.Is(err, ErrExpired) {
		msg = "This link has expired. Ask the bot again for a fresh link."
	}
	s.short(w, http.StatusForbidden, nonce, "Link not valid", msg, "链接无效或已过期。请重新向机器人提问以获取新链接。")
}

// short writes a short page with no document text.
func (s *Server) short(w http.ResponseWriter, status int, nonce, title string, lines ...string) {
	w.WriteHeader(status)
	renderMessage(w, message{Nonce: nonce, Title: title, Lines: lines})
}
