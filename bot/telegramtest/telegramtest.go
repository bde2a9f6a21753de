// Package telegramtest is a fake Telegram Bot API for tests: the one fake
// that the bot's tests and citebot's end-to-end tests share.
//
// A [Server] answers like Telegram by default (getMe; sendMessage with
// increasing message ids, editMessageText, editMessageReplyMarkup and
// deleteMessage on the messages sent, with Telegram's errors, see [Server.Messages]; getUpdates
// with Telegram's offset rules and long polling, refused while a webhook is
// set; getFile and file downloads; sendMessageDraft, setMessageReaction
// and answerInlineQuery checked field by field, see [Server.Drafts];
// ephemeral messages and answerGuestQuery likewise, see
// [Server.Ephemerals] and [GuestMessage]; true for the rest), checks that
// every path carries the token, records every request and can be scripted
// per method with [Server.Respond].
//
// For fault tests it injects failures on a seeded schedule
// ([Server.SetFaults]: 429 with retry_after, 5xx, dropped connections,
// bad JSON, delays), lets a test act between a request's effect and its
// answer ([Server.BeforeAnswer]) and, with [Options.DeliverWebhook],
// delivers updates to a webhook and redelivers them on failure, like
// Telegram.
//
// It serves either on a loopback port, for code that dials [Server.URL]
// itself, or in process ([Options.InProcess]): then only [Server.Client]
// reaches it, no socket is opened, and the server works inside a
// testing/synctest bubble, where timers run on the bubble's fake clock.
package telegramtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Token looks like a real bot token, so that a leak is obvious.
const Token = "123456789:AAHfakeTOKENfor-tests_only9876543210"

// The identity getMe reports.
const (
	BotID       = 4242
	BotUserName = "CiteBot"
)

// inProcessURL is the base URL of an in-process server: only its Client
// can reach it.
const inProcessURL = "http://telegram.test"

// Options adjust a [Server]. The zero value is Telegram's behaviour for
// [Token] on a loopback port.
type Options struct {
	// Token is the bot token the server accepts; default [Token].
	Token string
	// InstantPolls makes getUpdates ignore its timeout and return at
	// once, like telegram-test-api.
	InstantPolls bool
	// InProcess serves requests only through [Server.Client], without a
	// socket, so that the server works inside a synctest bubble (create
	// it inside the bubble).
	InProcess bool
	// DeliverWebhook makes the server deliver updates to the webhook set
	// with setWebhook, as Telegram does (see [Server.Push]); without it a
	// webhook is only recorded. The webhook must be reachable over the
	// network: not from inside a synctest bubble.
	DeliverWebhook bool
}

// Server is a fake Bot API. It is safe for concurrent use.
type Server struct {
	tb     testing.TB
	opts   Options
	url    string
	srv    *httptest.Server // nil in process
	client *http.Client

	mu         sync.Mutex
	closed     bool
	reqs       []Request
	calls      map[string]int
	responders map[string]Responder
	updates    []json.RawMessage // not yet confirmed, in id order
	updateIDs  []int
	// updateChats are the updates' chats (see updateChat), for webhook
	// delivery in chat order.
	updateChats []int64
	nextMsgID   int
	nextUpdID   int
	files       map[string]File // by file_id
	changed     chan struct{}   // closed and replaced on every change
	messages    map[int]*Message
	drafts      []Draft
	rich        []RichMessage
	richDrafts  []RichDraft
	reactions   map[reactionKey]string
	later       laterAPI // Bot API 10.x: ephemeral messages, guest mode
	inline      []InlineAnswer
	webhookURL  string // set by setWebhook: getUpdates then fails
	webhook     webhookSettings

	faults       Faults
	beforeAnswer func(Request, *Response)
	delivery     *delivery // nil unless DeliverWebhook
}

// New starts a fake Bot API; [testing.TB.Cleanup] closes it.
func New(tb testing.TB, opts Options) *Server {
	tb.Helper()
	if opts.Token == "" {
		opts.Token = Token
	}
	s := &Server{
		tb:         tb,
		opts:       opts,
		calls:      make(map[string]int),
		responders: make(map[string]Responder),
		files:      make(map[string]File),
		messages:   make(map[int]*Message),
		reactions:  make(map[reactionKey]string),
		nextMsgID:  1000,
		nextUpdID:  1,
		changed:    make(chan struct{}),
	}
	if opts.InProcess {
		s.url = inProcessURL
		s.client = &http.Client{Transport: inProcess{s}}
	} else {
		s.srv = httptest.NewServer(s)
		s.url = s.srv.URL
		s.client = s.srv.Client()
	}
	if opts.DeliverWebhook {
		s.delivery = newDelivery(s)
	}
	tb.Cleanup(s.Close)
	return s
}

// URL returns the base URL of the API: requests go to
// URL/bot<token>/<method>, downloads to URL/file/bot<token>/<path>.
func (s *Server) URL() string { return s.url }

// Client returns an HTTP client that reaches the server; for an
// in-process server, the only one.
func (s *Server) Client() *http.Client { return s.client }

// Close stops the server: from then on requests fail as if nothing
// listened (connection refused). It may be called more than once.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	s.notify()
	s.mu.Unlock()
	if s.delivery != nil {
		s.delivery.stop()
	}
	if s.srv != nil {
		s.srv.Close()
	}
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// notify wakes waiters; s.mu must be held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Responder decides the answer to the n-th call (1-based) of a method;
// nil means the default behaviour.
type Responder func(r Request, n int) *Response

// Respond sets how method is answered.
func (s *Server) Respond(method string, fn Responder) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.responders[method] = fn
}

// ServeHTTP answers one Bot API request or file download.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/file/") {
		s.serveFile(w, r)
		return
	}
	method, ok := strings.CutPrefix(r.URL.Path, "/bot"+s.opts.Token+"/")
	if !ok || r.Method != http.MethodPost {
		APIError(http.StatusUnauthorized, "Unauthorized", 0).write(w)
		return
	}
	body, _ := io.ReadAll(r.Body)
	params, _ := url.ParseQuery(string(body))
	req := Request{Method: method, Params: params, Time: time.Now()}

	s.mu.Lock()
	s.calls[method]++
	n, fn := s.calls[method], s.responders[method]
	fault, before := s.faults.decide(method, n), s.beforeAnswer
	s.mu.Unlock()
	req.Fault = fault.Kind
	if !pause(r.Context(), fault.Delay) || fault.Kind == Reset {
		s.record(req) // Status 0: no answer
		hangUp(w)
		return
	}
	resp := faultResponse(fault, n)
	if resp == nil {
		if fn != nil {
			resp = fn(req, n)
		}
		if resp == nil {
			resp = s.defaultResponse(r, req)
		}
		if before != nil {
			before(req, resp)
		}
	}
	if fault.Kind == ResetAfter {
		s.record(req)
		hangUp(w)
		return
	}
	req.Status = resp.Status
	s.record(req)
	resp.write(w)
}

// record adds a request to the log.
func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, r)
	s.notify()
}

// identity is the bot as getMe and sendMessage describe it.
func identity() map[string]any {
	return map[string]any{"id": BotID, "is_bot": true, "first_name": "Cite", "username": BotUserName}
}

func (s *Server) defaultResponse(hr *http.Request, r Request) *Response {
	if h, ok := methods[r.Method]; ok {
		return h(s, r)
	}
	switch r.Method {
	case "getMe":
		return OK(identity())
	case "setWebhook", "deleteWebhook":
		s.setWebhook(r)
		return OK(true)
	case "getUpdates":
		return s.getUpdates(hr, r)
	}
	return OK(true)
}

// methods are the Bot API methods the fake keeps state for, by name.
var methods = map[string]func(*Server, Request) *Response{
	"sendMessage": (*Server).sendMessage, "editMessageText": (*Server).editMessageText,
	"editMessageReplyMarkup": (*Server).editMessageReplyMarkup, "deleteMessage": (*Server).deleteMessage,
	"getFile": (*Server).getFile, "sendMessageDraft": (*Server).sendMessageDraft,
	"setMessageReaction": (*Server).setMessageReaction, "answerInlineQuery": (*Server).answerInlineQuery,
	"sendRichMessage": (*Server).sendRichMessage, "sendRichMessageDraft": (*Server).sendRichMessageDraft,
}

// Response is a scripted answer: an HTTP status and a raw body, of
// ContentType (default application/json).
type Response struct {
	Status      int
	Body        string
	ContentType string
}

// OK is a successful answer carrying result.
func OK(result any) *Response {
	b, _ := json.Marshal(map[string]any{"ok": true, "result": result})
	return &Response{Status: http.StatusOK, Body: string(b)}
}

// APIError is a Bot API error answer; retryAfter > 0 adds
// parameters.retry_after (seconds), as a 429 carries.
func APIError(code int, description string, retryAfter int) *Response {
	body := map[string]any{"ok": false, "error_code": code, "description": description}
	if retryAfter > 0 {
		body["parameters"] = map[string]any{"retry_after": retryAfter}
	}
	b, _ := json.Marshal(body)
	return &Response{Status: code, Body: string(b)}
}

func (r *Response) write(w http.ResponseWriter) {
	ct := r.ContentType
	if ct == "" {
		ct = "application/json"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(r.Body)))
	w.WriteHeader(r.Status)
	io.WriteString(w, r.Body)
}
