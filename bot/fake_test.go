package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citebot/citebot/answer"
)

// testToken looks like a real token so that a leak would be obvious.
const testToken = "123456789:AAHfakeTOKENfor-tests_only9876543210"

// fakeRequest is one request the fake Bot API received.
type fakeRequest struct {
	Method string
	Params url.Values
	Time   time.Time
	// Status is the HTTP status the fake answered.
	Status int
}

func (r fakeRequest) Get(key string) string { return r.Params.Get(key) }

func (r fakeRequest) ChatID() int64 {
	id, _ := strconv.ParseInt(r.Params.Get("chat_id"), 10, 64)
	return id
}

// JSON decodes a JSON-valued parameter (reply_markup, reply_parameters…).
func (r fakeRequest) JSON(t testing.TB, key string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.Params.Get(key)), v); err != nil {
		t.Fatalf("%s param %s = %q: %v", r.Method, key, r.Params.Get(key), err)
	}
}

// fakeResponse is a scripted answer: an HTTP status and a raw body.
type fakeResponse struct {
	Status int
	Body   string
}

func apiErrorResponse(code int, description string, retryAfter int) *fakeResponse {
	body := map[string]any{"ok": false, "error_code": code, "description": description}
	if retryAfter > 0 {
		body["parameters"] = map[string]any{"retry_after": retryAfter}
	}
	b, _ := json.Marshal(body)
	return &fakeResponse{Status: code, Body: string(b)}
}

// fakeScript decides the answer to the n-th call (1-based) of a method; nil
// means the default behaviour.
type fakeScript func(r fakeRequest, n int) *fakeResponse

// fakeAPI is an httptest fake of the Bot API. It records every request,
// checks the path carries the token, answers like Telegram by default
// (getMe, sendMessage with increasing message ids, getUpdates with offset
// confirmation and long polling, true for the rest) and can be scripted
// per method. It is safe for concurrent use.
type fakeAPI struct {
	t     testing.TB
	srv   *httptest.Server
	token string

	mu        sync.Mutex
	reqs      []fakeRequest
	calls     map[string]int
	scripts   map[string]fakeScript
	updates   []json.RawMessage // not yet confirmed, in id order
	updateIDs []int
	nextMsgID int
	nextUpdID int
	files     map[string]fakeFile // by file_id
	// instantPolls makes getUpdates ignore timeout, like telegram-test-api.
	instantPolls bool
	changed      chan struct{}
}

func newFakeAPI(t testing.TB) *fakeAPI {
	t.Helper()
	f := &fakeAPI{
		t:         t,
		token:     testToken,
		calls:     make(map[string]int),
		scripts:   make(map[string]fakeScript),
		nextMsgID: 1000,
		nextUpdID: 1,
		changed:   make(chan struct{}),
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) URL() string { return f.srv.URL }

// notify wakes waiters; f.mu must be held.
func (f *fakeAPI) notify() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// script sets the behaviour of method.
func (f *fakeAPI) script(method string, s fakeScript) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scripts[method] = s
}

// fakeFile is a file the fake serves through getFile and the download
// endpoint /file/bot<token>/<Path>.
type fakeFile struct {
	Path string
	Data []byte
	// Size is the file_size getFile reports: 0 means len(Data), -1 omits
	// it (Telegram may).
	Size int
	// Chunked sends the body without Content-Length; Hangup closes the
	// connection without an answer.
	Chunked, Hangup bool
}

// addFile makes file_id id downloadable.
func (f *fakeAPI) addFile(id string, file fakeFile) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.files == nil {
		f.files = make(map[string]fakeFile)
	}
	f.files[id] = file
}

// fileByPath returns the file served at path.
func (f *fakeAPI) fileByPath(path string) (fakeFile, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, file := range f.files {
		if file.Path == path {
			return file, true
		}
	}
	return fakeFile{}, false
}

// serveFile answers a download, recorded as method "download" with the
// path in param "path". A wrong token or path is a 404, as on Telegram.
func (f *fakeAPI) serveFile(w http.ResponseWriter, r *http.Request) {
	prefix := "/file/bot" + f.token + "/"
	file, found := fakeFile{}, false
	path, tokenOK := strings.CutPrefix(r.URL.Path, prefix)
	if tokenOK && r.Method == http.MethodGet {
		file, found = f.fileByPath(path)
	}
	status := http.StatusOK
	if !found {
		status = http.StatusNotFound
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, fakeRequest{Method: "download", Params: url.Values{"path": {path}}, Time: time.Now(), Status: status})
	f.notify()
	f.mu.Unlock()
	switch {
	case !found:
		writeResponse(w, apiErrorResponse(404, "Not Found", 0))
	case file.Hangup:
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	case file.Chunked:
		w.WriteHeader(http.StatusOK)
		for chunk := range slices.Chunk(file.Data, 512) {
			w.Write(chunk)
			http.NewResponseController(w).Flush()
		}
	default:
		w.Header().Set("Content-Length", strconv.Itoa(len(file.Data)))
		w.Write(file.Data)
	}
}

// getFile answers getFile for a file added with addFile.
func (f *fakeAPI) getFile(r fakeRequest) *fakeResponse {
	f.mu.Lock()
	file, found := f.files[r.Get("file_id")]
	f.mu.Unlock()
	if !found {
		return apiErrorResponse(400, "Bad Request: invalid file_id", 0)
	}
	res := map[string]any{"file_id": r.Get("file_id"), "file_unique_id": "u" + r.Get("file_id"), "file_path": file.Path}
	switch {
	case file.Size == 0:
		res["file_size"] = len(file.Data)
	case file.Size > 0:
		res["file_size"] = file.Size
	}
	return ok(res)
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/file/") {
		f.serveFile(w, r)
		return
	}
	prefix := "/bot" + f.token + "/"
	if !strings.HasPrefix(r.URL.Path, prefix) || r.Method != http.MethodPost {
		writeResponse(w, apiErrorResponse(401, "Unauthorized", 0))
		return
	}
	method := strings.TrimPrefix(r.URL.Path, prefix)
	body, _ := io.ReadAll(r.Body)
	params, _ := url.ParseQuery(string(body))
	req := fakeRequest{Method: method, Params: params, Time: time.Now()}

	f.mu.Lock()
	f.calls[method]++
	n := f.calls[method]
	s := f.scripts[method]
	f.mu.Unlock()

	var resp *fakeResponse
	if s != nil {
		resp = s(req, n)
	}
	if resp == nil {
		resp = f.defaultResponse(r.Context(), req)
	}
	req.Status = resp.Status
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	f.notify()
	f.mu.Unlock()
	writeResponse(w, resp)
}

func writeResponse(w http.ResponseWriter, r *fakeResponse) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(r.Status)
	io.WriteString(w, r.Body)
}

func ok(result any) *fakeResponse {
	b, _ := json.Marshal(map[string]any{"ok": true, "result": result})
	return &fakeResponse{Status: 200, Body: string(b)}
}

func (f *fakeAPI) defaultResponse(ctx context.Context, r fakeRequest) *fakeResponse {
	switch r.Method {
	case "getMe":
		return ok(map[string]any{"id": 4242, "is_bot": true, "first_name": "Cite", "username": "CiteBot"})
	case "sendMessage":
		f.mu.Lock()
		f.nextMsgID++
		id := f.nextMsgID
		f.mu.Unlock()
		return ok(map[string]any{
			"message_id": id, "date": time.Now().Unix(), "text": r.Get("text"),
			"chat": map[string]any{"id": r.ChatID(), "type": "private"},
			"from": map[string]any{"id": 4242, "is_bot": true, "first_name": "Cite", "username": "CiteBot"},
		})
	case "getUpdates":
		return f.getUpdates(ctx, r)
	case "getFile":
		return f.getFile(r)
	default:
		return ok(true)
	}
}

// getUpdates confirms updates below offset and returns the rest, waiting
// up to timeout for one to arrive.
func (f *fakeAPI) getUpdates(ctx context.Context, r fakeRequest) *fakeResponse {
	offset, _ := strconv.Atoi(r.Get("offset"))
	limit, _ := strconv.Atoi(r.Get("limit"))
	if limit <= 0 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(r.Get("timeout"))
	deadline := time.After(time.Duration(timeout) * time.Second)
	for {
		f.mu.Lock()
		for len(f.updateIDs) > 0 && f.updateIDs[0] < offset {
			f.updates, f.updateIDs = f.updates[1:], f.updateIDs[1:]
		}
		n := min(limit, len(f.updates))
		out := append([]json.RawMessage{}, f.updates[:n]...)
		ch, instant := f.changed, f.instantPolls
		f.mu.Unlock()
		if n > 0 || timeout == 0 || instant {
			return ok(out)
		}
		select {
		case <-ch:
		case <-deadline:
			return ok(out)
		case <-ctx.Done():
			return ok(out)
		}
	}
}

// push queues updates for getUpdates, giving each the next update_id, and
// returns the ids.
func (f *fakeAPI) push(updates ...map[string]any) []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []int
	for _, u := range updates {
		u["update_id"] = f.nextUpdID
		b, err := json.Marshal(u)
		if err != nil {
			f.t.Fatal(err)
		}
		f.updates = append(f.updates, b)
		f.updateIDs = append(f.updateIDs, f.nextUpdID)
		ids = append(ids, f.nextUpdID)
		f.nextUpdID++
	}
	f.notify()
	return ids
}

// requests returns the recorded requests of the given methods (all when
// none is given).
func (f *fakeAPI) requests(methods ...string) []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeRequest
	for _, r := range f.reqs {
		if len(methods) == 0 || contains(methods, r.Method) {
			out = append(out, r)
		}
	}
	return out
}

// last returns the last recorded request of method.
func (f *fakeAPI) last(method string) (fakeRequest, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.reqs) - 1; i >= 0; i-- {
		if f.reqs[i].Method == method {
			return f.reqs[i], true
		}
	}
	return fakeRequest{}, false
}

// sent returns the successful sendMessage requests to chat.
func (f *fakeAPI) sent(chat int64) []fakeRequest {
	var out []fakeRequest
	for _, r := range f.requests("sendMessage") {
		if r.ChatID() == chat && r.Status == 200 {
			out = append(out, r)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// waitFor waits until cond holds for the recorded requests.
func (f *fakeAPI) waitFor(t testing.TB, timeout time.Duration, what string, cond func([]fakeRequest) bool) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		f.mu.Lock()
		reqs := append([]fakeRequest{}, f.reqs...)
		ch := f.changed
		f.mu.Unlock()
		if cond(reqs) {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("timed out waiting for %s; %d requests: %s", what, len(reqs), summarize(reqs))
		}
	}
}

func summarize(reqs []fakeRequest) string {
	var sb strings.Builder
	for i, r := range reqs {
		if i > 40 {
			sb.WriteString(" …")
			break
		}
		fmt.Fprintf(&sb, " %s(%d)", r.Method, r.Status)
	}
	return sb.String()
}

// Update builders.

type user struct {
	ID   int64
	Lang string
	Bot  bool
}

func userJSON(u user) map[string]any {
	m := map[string]any{"id": u.ID, "is_bot": u.Bot, "first_name": "U" + strconv.FormatInt(u.ID, 10)}
	if u.Lang != "" {
		m["language_code"] = u.Lang
	}
	return m
}

var msgSeq struct {
	sync.Mutex
	n int
}

func nextMsgID() int {
	msgSeq.Lock()
	defer msgSeq.Unlock()
	msgSeq.n++
	return msgSeq.n
}

// privateMsg is a text message from u in their private chat.
func privateMsg(u user, text string) map[string]any {
	return map[string]any{"message": map[string]any{
		"message_id": nextMsgID(), "date": time.Now().Unix(), "text": text,
		"from": userJSON(u), "chat": map[string]any{"id": u.ID, "type": "private"},
	}}
}

// groupMsg is a text message from u in supergroup chat.
func groupMsg(chat int64, u user, text string) map[string]any {
	return map[string]any{"message": map[string]any{
		"message_id": nextMsgID(), "date": time.Now().Unix(), "text": text,
		"from": userJSON(u), "chat": map[string]any{"id": chat, "type": "supergroup", "title": "群"},
	}}
}

// docMsg is a file sent by u in their private chat; size 0 omits
// file_size.
func docMsg(u user, fileID, name string, size int) map[string]any {
	doc := map[string]any{"file_id": fileID, "file_unique_id": "u" + fileID, "file_name": name, "mime_type": "text/plain"}
	if size != 0 {
		doc["file_size"] = size
	}
	return map[string]any{"message": map[string]any{
		"message_id": nextMsgID(), "date": time.Now().Unix(), "document": doc,
		"from": userJSON(u), "chat": map[string]any{"id": u.ID, "type": "private"},
	}}
}

// with sets fields of the update's message.
func with(upd map[string]any, kv ...any) map[string]any {
	m := upd["message"].(map[string]any)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return upd
}

// decodeUpdate turns a builder map into an Update the way the bot decodes
// updates from the wire.
func decodeUpdate(t testing.TB, upd map[string]any) Update {
	t.Helper()
	if _, ok := upd["update_id"]; !ok {
		upd["update_id"] = nextMsgID()
	}
	b, err := json.Marshal(upd)
	if err != nil {
		t.Fatal(err)
	}
	var u Update
	if err := json.Unmarshal(b, &u); err != nil {
		t.Fatal(err)
	}
	return u
}

// fakeAnswerer is an Answerer whose Answer is a closure; by default it
// echoes the question with one citation.
type fakeAnswerer struct {
	docs   []answer.DocInfo
	paras  map[string]map[int]string
	answer func(ctx context.Context, q answer.Question, onPartial func(string)) (answer.Answer, error)

	mu        sync.Mutex
	questions []answer.Question
}

func newFakeAnswerer() *fakeAnswerer {
	return &fakeAnswerer{
		docs: []answer.DocInfo{{Name: "sample.txt", Paragraphs: 3}},
		paras: map[string]map[int]string{"sample.txt": {
			1: "The first paragraph.", 2: "The second paragraph, with <tags> & ampersands.", 3: "第三段。",
		}},
	}
}

func (a *fakeAnswerer) Answer(ctx context.Context, q answer.Question, onPartial func(string)) (answer.Answer, error) {
	a.mu.Lock()
	a.questions = append(a.questions, q)
	a.mu.Unlock()
	if a.answer != nil {
		return a.answer(ctx, q, onPartial)
	}
	return answer.Answer{
		Question: q.Text, Lang: "en", Mode: answer.Extractive,
		Text:      "Answer to: " + q.Text + " [1]",
		Citations: []answer.Citation{{N: 1, Doc: "sample.txt", Paragraph: 2, Quote: "The second paragraph"}},
	}, nil
}

func (a *fakeAnswerer) Paragraph(doc string, n int) (answer.Passage, bool) {
	text, ok := a.paras[doc][n]
	return answer.Passage{Doc: doc, Paragraph: n, Text: text}, ok
}

func (a *fakeAnswerer) Documents() []answer.DocInfo {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.docs)
}

// setDocs replaces the document list.
func (a *fakeAnswerer) setDocs(docs []answer.DocInfo) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.docs = docs
}

// fakeLibrary is a DocumentManager recording its calls; it changes the
// fakeAnswerer's documents like the real one swaps the index.
type fakeLibrary struct {
	a *fakeAnswerer
	// paragraphs is the count an added document gets; addErr and
	// removeErr, when set, are returned instead.
	paragraphs        int
	addErr, removeErr error

	mu      sync.Mutex
	added   []addCall
	removed []string
}

type addCall struct {
	Name string
	Data []byte
}

func (l *fakeLibrary) AddDocument(ctx context.Context, name string, data []byte) (answer.DocInfo, error) {
	l.mu.Lock()
	l.added = append(l.added, addCall{name, slices.Clone(data)})
	l.mu.Unlock()
	if l.addErr != nil {
		return answer.DocInfo{}, l.addErr
	}
	info := answer.DocInfo{Name: name, Paragraphs: l.paragraphs}
	docs := slices.DeleteFunc(l.a.Documents(), func(d answer.DocInfo) bool { return d.Name == name })
	l.a.setDocs(append(docs, info))
	return info, nil
}

func (l *fakeLibrary) RemoveDocument(ctx context.Context, name string) error {
	l.mu.Lock()
	l.removed = append(l.removed, name)
	l.mu.Unlock()
	if l.removeErr != nil {
		return l.removeErr
	}
	l.a.setDocs(slices.DeleteFunc(l.a.Documents(), func(d answer.DocInfo) bool { return d.Name == name }))
	return nil
}

func (l *fakeLibrary) calls() (added []addCall, removed []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.added), slices.Clone(l.removed)
}

func (a *fakeAnswerer) asked() []answer.Question {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]answer.Question{}, a.questions...)
}

// syncBuffer is a bytes.Buffer safe for concurrent use, for captured logs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newTestBot makes a Bot talking to f, logging into the returned buffer at
// debug level. edit adjusts the config.
func newTestBot(t testing.TB, f *fakeAPI, a Answerer, edit func(*Config)) (*Bot, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	cfg := Config{
		Token:        testToken,
		APIBase:      f.URL(),
		PollTimeout:  2 * time.Second,
		EditInterval: 100 * time.Millisecond,
		Logger:       slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if edit != nil {
		edit(&cfg)
	}
	b, err := New(cfg, a)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if strings.Contains(logs.String(), testToken) {
			t.Errorf("the token appears in the logs")
		}
	})
	return b, logs
}

// runBot runs b until the returned stop function is called; stop returns
// Run's error.
func runBot(t testing.TB, b *Bot) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- b.Run(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-errc:
			case <-time.After(30 * time.Second):
				err = fmt.Errorf("Run did not return")
			}
		})
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}
