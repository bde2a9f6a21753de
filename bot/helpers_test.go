package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot/store"
	"github.com/citebot/citebot/bot/telegramtest"
)

// testToken is the token the fake Bot API accepts.
const testToken = telegramtest.Token

// newFake returns an in-process fake Bot API: it works inside a synctest
// bubble when made there.
func newFake(tb testing.TB) *telegramtest.Server {
	tb.Helper()
	return telegramtest.New(tb, telegramtest.Options{InProcess: true})
}

// testConfig is the configuration the bot tests start from: package
// config's defaults where the tests do not care, short intervals and no
// rate limit where they do.
func testConfig(f *telegramtest.Server) Config {
	return Config{
		TelegramToken:    testToken,
		TelegramAPI:      f.URL(),
		Workers:          8,
		EditInterval:     100 * time.Millisecond,
		MemoryTurns:      4,
		MemoryTTL:        10 * time.Minute,
		RatePerMinute:    0,
		MaxQuestionRunes: 1000,
		ShutdownTimeout:  20 * time.Second,
		MaxUploadBytes:   20 << 20,
		WebhookListen:    ":8443",
	}
}

// newTestBot makes a Bot talking to f, logging into the returned buffer at
// debug level. edit adjusts the settings and dependencies. The test fails
// if the token ever reaches the logs.
func newTestBot(tb testing.TB, f *telegramtest.Server, a Answerer, edit func(*Config, *Deps)) (*Bot, *telegramtest.LogBuffer) {
	tb.Helper()
	logs := &telegramtest.LogBuffer{}
	cfg := testConfig(f)
	deps := Deps{
		Answerer:   a,
		HTTPClient: f.Client(),
		Logger:     slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if edit != nil {
		edit(&cfg, &deps)
	}
	if deps.Store == nil {
		deps.Store = openStore(tb, filepath.Join(tb.TempDir(), store.FileName))
	}
	b, err := New(cfg, deps)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if strings.Contains(logs.String(), testToken) {
			tb.Errorf("the token appears in the logs")
		}
	})
	return b, logs
}

// openStore opens the store at path for a test (without fsync); the
// test's cleanup closes it.
func openStore(tb testing.TB, path string) *store.Store {
	tb.Helper()
	st, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// runBot runs b until the returned stop function is called; stop returns
// Run's error.
func runBot(tb testing.TB, b *Bot) (stop func() error) {
	tb.Helper()
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
	tb.Cleanup(func() { _ = stop() })
	return stop
}

// decodeUpdate turns a built update into an Update the way the bot decodes
// updates from the wire.
func decodeUpdate(tb testing.TB, upd telegramtest.Update) Update {
	tb.Helper()
	if _, ok := upd["update_id"]; !ok {
		upd["update_id"] = telegramtest.NextID()
	}
	b, err := json.Marshal(upd)
	if err != nil {
		tb.Fatal(err)
	}
	var u Update
	if err := json.Unmarshal(b, &u); err != nil {
		tb.Fatal(err)
	}
	return u
}

// handle handles the built updates one after the other.
func handle(tb testing.TB, b *Bot, updates ...telegramtest.Update) {
	tb.Helper()
	for _, u := range updates {
		b.HandleUpdate(context.Background(), decodeUpdate(tb, u))
	}
}

// textsOf returns the text of each request.
func textsOf(rs []telegramtest.Request) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Get("text"))
	}
	return out
}

// fakeAnswerer is an Answerer whose Answer is a closure; by default it
// echoes the question with one citation.
type fakeAnswerer struct {
	paras  map[string]map[int]string
	answer func(ctx context.Context, q answer.Question, onPartial func(string)) (answer.Answer, error)

	mu        sync.Mutex
	docs      []answer.DocInfo
	questions []answer.Question
}

func newFakeAnswerer() *fakeAnswerer {
	return &fakeAnswerer{
		docs: []answer.DocInfo{{Name: "sample.txt", Paragraphs: 3, Title: "A Sample"}},
		paras: map[string]map[int]string{"sample.txt": {
			0: "A Sample", 1: "The first paragraph.", 2: "The second paragraph, with <tags> & ampersands.", 3: "第三段。",
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

func (a *fakeAnswerer) asked() []answer.Question {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.questions)
}

// fakeLibrary is a DocumentManager recording its calls; it changes the
// fakeAnswerer's documents like the real one swaps the index.
type fakeLibrary struct {
	a *fakeAnswerer
	// paragraphs is the count an added document gets; addErr and
	// removeErr, when set, are returned instead.
	paragraphs        int
	addErr, removeErr error
	// ocr marks an added document as read by OCR.
	ocr bool
	// read, when set, is called by AddDocument first, as the reading of
	// the document; its error is returned.
	read func(ctx context.Context, name string, progress func(answer.Progress)) error

	mu      sync.Mutex
	added   []addCall
	removed []string
}

type addCall struct {
	Name string
	Data []byte
}

// CleanName keeps the base name and accepts .txt, .md and .pdf, like
// package library (whose own tests pin its rules).
func (l *fakeLibrary) CleanName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = strings.TrimSpace(name[i+1:])
	}
	if name == "" {
		return "", errors.New("the document needs a file name such as notes.txt")
	}
	if !slices.Contains([]string{".txt", ".md", ".pdf"}, strings.ToLower(path.Ext(name))) {
		return "", fmt.Errorf("%s: unsupported file type, want .txt, .md or .pdf", name)
	}
	return name, nil
}

func (l *fakeLibrary) AddDocument(ctx context.Context, name string, data []byte, progress func(answer.Progress)) (answer.DocInfo, error) {
	l.mu.Lock()
	l.added = append(l.added, addCall{name, slices.Clone(data)})
	l.mu.Unlock()
	if l.read != nil {
		if err := l.read(ctx, name, progress); err != nil {
			return answer.DocInfo{}, err
		}
	}
	if l.addErr != nil {
		return answer.DocInfo{}, l.addErr
	}
	info := answer.DocInfo{Name: name, Paragraphs: l.paragraphs, OCR: l.ocr}
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
