package page

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/answer"
)

// secretWords are in the test document's body and must never appear in
// a refusal.
const secretWords = "机密的第三段"

// testDocument is a small document: a title, a heading, three paragraphs
// (one holding markup that must be shown as text).
func testDocument() Document {
	paras := []struct {
		text    string
		heading bool
	}{
		{"测试文件 Title", true},
		{"第一段：引言。", false},
		{"Section two", true},
		{"第二段 holds <script>alert(1)</script> & \"quotes\".", false},
		{secretWords + "，结束。", false},
	}
	var d Document
	d.Name = "test <doc>.txt"
	n := 0
	for i, p := range paras {
		if i > 0 {
			d.Text += "\n\n"
		}
		par := Paragraph{Heading: p.heading, Start: len(d.Text)}
		if !p.heading {
			n++
			par.N = n
		}
		d.Text += p.text
		par.End = len(d.Text)
		d.Paragraphs = append(d.Paragraphs, par)
	}
	return d
}

// span returns the byte span of the first quote in d.
func span(tb testing.TB, d Document, quote string) Span {
	tb.Helper()
	i := strings.Index(d.Text, quote)
	if i < 0 {
		tb.Fatalf("%q not in the document", quote)
	}
	return Span{i, i + len(quote)}
}

const testBotToken = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ0123456789"

func testServer(lib Library) *Server {
	return &Server{Key: testKey, Library: lib, BotToken: testBotToken, Now: func() time.Time { return testNow }}
}

func TestRender(t *testing.T) {
	d := testDocument()
	focus := span(t, d, "<script>alert(1)</script>")
	tok := Token{Expires: testNow.Add(time.Hour), Doc: d.Name, Spans: []Span{span(t, d, "引言"), focus}, Focus: 1}
	var b bytes.Buffer
	if err := Render(&b, d, tok, "NONCE", Theme{"--bg": "#000000"}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		`<html lang="zh">`,
		`<h1>测试文件 Title</h1>`,
		`<h2>Section two</h2>`,
		`<p id="p1"><a class="n" href="#p1">¶1</a>第一段：<mark class="o" data-start="16" data-end="18">引言</mark>。</p>`,
		`holds <mark id="c" class="f" data-start="44" data-end="69">&lt;script&gt;alert(1)&lt;/script&gt;</mark> &amp; &#34;quotes&#34;.`,
		`<title>test &lt;doc&gt;.txt</title>`,
		`<a href="#c">¶2</a>`,
		`<style nonce="NONCE">`, `<script nonce="NONCE">`,
		`:root{--bg:#000000;--bg2:#000000;}`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if n := strings.Count(page, "<script"); n != 1 {
		t.Errorf("page has %d <script elements, want only its own", n)
	}
	if weight := len(page) - len(d.Text); weight > 30<<10 {
		t.Errorf("page weight without the text: %d bytes, want under 30 KB", weight)
	}
}

func TestRenderOverlappingSpans(t *testing.T) {
	d := testDocument()
	p := d.Paragraphs[3]
	tok := Token{Expires: testNow, Doc: d.Name, Spans: []Span{{p.Start, p.Start + 9}, {p.Start + 3, p.End}}, Focus: 1}
	var b bytes.Buffer
	if err := Render(&b, d, tok, "n", nil); err != nil {
		t.Fatal(err)
	}
	marks := regexp.MustCompile(`<mark( id="c")? class="f" data-start="(\d+)" data-end="(\d+)">`).FindAllStringSubmatch(b.String(), -1)
	if len(marks) != 2 || marks[0][1] == "" || marks[1][1] != "" {
		t.Fatalf("focus marks %q: want two pieces, the first with id c", marks)
	}
	start, _ := strconv.Atoi(marks[0][2])
	end, _ := strconv.Atoi(marks[1][3])
	if mid := marks[0][3]; mid != marks[1][2] {
		t.Errorf("focus pieces are not contiguous: %q", marks)
	}
	if got, want := string([]rune(d.Text)[start:end]), d.Text[p.Start+3:p.End]; got != want {
		t.Errorf("focus marks cover %q, want %q", got, want)
	}
}

// get requests path from h with method and form.
func get(h http.Handler, method, path string, form url.Values) *httptest.ResponseRecorder {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, path, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func initData(user int64, authDate time.Time, token string) string {
	return SignInitData(url.Values{
		"auth_date": {strconv.FormatInt(authDate.Unix(), 10)},
		"query_id":  {"AAH"},
		"user":      {`{"id":` + strconv.FormatInt(user, 10) + `,"first_name":"Li"}`},
	}, token)
}

func TestServer(t *testing.T) {
	d := testDocument()
	lib := fakeLibrary{d.Name: d}
	s := testServer(lib)
	h := s.Handler()
	v := s.versions.of(d)
	focus := span(t, d, "结束")
	link := func(kind Kind, chat int64, mod func(*Token)) string {
		tok := Token{Kind: kind, Expires: testNow.Add(time.Hour), Chat: chat, Doc: d.Name, Version: v, Spans: []Span{focus}}
		if mod != nil {
			mod(&tok)
		}
		return tok.sign(testKey)
	}
	changed := d
	changed.Text = strings.Replace(d.Text, "引言", "序言", 1)
	tests := []struct {
		name, method, path string
		form               url.Values
		lib                Library
		status             int
	}{
		{"browser link", "GET", "/p/" + link(Browser, 0, nil), nil, lib, 200},
		{"tampered link", "GET", "/p/" + link(Browser, 0, nil)[:20] + "x" + link(Browser, 0, nil)[21:], nil, lib, 403},
		{"expired link", "GET", "/p/" + link(Browser, 0, func(t *Token) { t.Expires = testNow }), nil, lib, 403},
		{"link signed with another key", "GET", "/p/" + Token{Kind: Browser, Expires: testNow.Add(time.Hour), Doc: d.Name, Version: v, Spans: []Span{focus}}.sign([]byte("another key, as long as the test key")), nil, lib, 403},
		{"app link opened as browser link", "GET", "/p/" + link(App, 42, nil), nil, lib, 403},
		{"browser link opened as app", "GET", "/app/" + link(Browser, 42, nil), nil, lib, 403},
		{"document changed", "GET", "/p/" + link(Browser, 0, nil), nil, fakeLibrary{d.Name: changed}, 410},
		{"document removed", "GET", "/p/" + link(Browser, 0, nil), nil, fakeLibrary{}, 410},
		{"no listing", "GET", "/", nil, lib, 404},
		{"no listing under /p/", "GET", "/p/", nil, lib, 404},
		{"no other method", "POST", "/p/" + link(Browser, 0, nil), url.Values{}, lib, 404},
		{"app bootstrap", "GET", "/app/" + link(App, 42, nil), nil, lib, 200},
		{"app with its user's initData", "POST", "/app/" + link(App, 42, nil), url.Values{"init": {initData(42, testNow.Add(-time.Minute), testBotToken)}}, lib, 200},
		{"app with another user's initData", "POST", "/app/" + link(App, 42, nil), url.Values{"init": {initData(43, testNow.Add(-time.Minute), testBotToken)}}, lib, 403},
		{"app with initData of another bot", "POST", "/app/" + link(App, 42, nil), url.Values{"init": {initData(42, testNow.Add(-time.Minute), "654321:another-bot-token-0123456789abcdef")}}, lib, 403},
		{"app with old initData", "POST", "/app/" + link(App, 42, nil), url.Values{"init": {initData(42, testNow.Add(-2*time.Hour), testBotToken)}}, lib, 403},
		{"app without initData", "POST", "/app/" + link(App, 42, nil), url.Values{}, lib, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.Library = tt.lib
			w := get(h, tt.method, tt.path, tt.form)
			if w.Code != tt.status {
				t.Errorf("status %d, want %d", w.Code, tt.status)
			}
			body := w.Body.String()
			if shows := strings.Contains(body, secretWords); shows != (tt.status == 200 && !strings.HasPrefix(tt.name, "app bootstrap")) {
				t.Errorf("document text shown: %v (status %d)", shows, w.Code)
			}
			hd := w.Header()
			csp := hd.Get("Content-Security-Policy")
			if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'nonce-") ||
				hd.Get("Referrer-Policy") != "no-referrer" || hd.Get("X-Content-Type-Options") != "nosniff" || hd.Get("Cache-Control") != "no-store" {
				t.Errorf("security headers missing: %v", hd)
			}
			nonce := nonceRE.FindStringSubmatch(csp)[1]
			if strings.Contains(body, "<script") && !strings.Contains(body, `<script nonce="`+nonce+`">`) {
				t.Errorf("script without the response's nonce %q", nonce)
			}
		})
	}
}

var nonceRE = regexp.MustCompile(`'nonce-([^']+)'`)

// TestLinkReachesOnlyItsDocument checks that a chat's link cannot be bent
// to another document (of another chat's /use scope, say): the name in
// the token is signed, so changing it is refused with no text of either.
func TestLinkReachesOnlyItsDocument(t *testing.T) {
	mine := testDocument()
	theirs := testDocument()
	mine.Name, theirs.Name = "ours.txt", "them.txt"
	theirs.Text = strings.Replace(theirs.Text, "结束", "终了", 1)
	s := testServer(fakeLibrary{mine.Name: mine, theirs.Name: theirs})
	tok := Token{Kind: Browser, Expires: testNow.Add(time.Hour), Chat: -1001, Doc: mine.Name, Version: s.versions.of(mine), Spans: []Span{{0, 3}}}
	raw, _ := base64.RawURLEncoding.DecodeString(tok.sign(testKey))
	bent := strings.Replace(string(raw), "ours.txt", "them.txt", 1)
	if bent == string(raw) {
		t.Fatal("the document name is not in the token")
	}
	if w := get(s.Handler(), "GET", "/p/"+tok.sign(testKey), nil); w.Code != 200 || !strings.Contains(w.Body.String(), "结束") {
		t.Fatalf("own link: status %d", w.Code)
	}
	w := get(s.Handler(), "GET", "/p/"+base64.RawURLEncoding.EncodeToString([]byte(bent)), nil)
	if body := w.Body.String(); w.Code != 403 || strings.Contains(body, secretWords) || strings.Contains(body, "them.txt") {
		t.Errorf("link bent to another document: status %d, body %.200s", w.Code, body)
	}
}

func TestServerWithoutBotTokenRefusesApps(t *testing.T) {
	d := testDocument()
	s := testServer(fakeLibrary{d.Name: d})
	s.BotToken = ""
	tok := Token{Kind: App, Expires: testNow.Add(time.Hour), Chat: 42, Doc: d.Name, Version: s.versions.of(d), Spans: []Span{{0, 3}}}
	w := get(s.Handler(), "POST", "/app/"+tok.sign(testKey), url.Values{"init": {initData(42, testNow, "")}})
	if w.Code != 403 {
		t.Errorf("status %d, want 403", w.Code)
	}
}

// chatLibrary holds documents per chat, as the bot's chat libraries do.
type chatLibrary map[int64]fakeLibrary

func (c chatLibrary) Document(chat int64, name string) (Document, bool) {
	return c[chat].Document(chat, name)
}

// TestLinkStaysInItsChat: a correctly signed link of one chat opens its
// document; the same document name under another chat's token (which the
// signature forbids anyway) finds nothing, and links made for a chat that
// cannot see a document are not made at all.
func TestLinkStaysInItsChat(t *testing.T) {
	d := testDocument()
	lib := chatLibrary{7: {d.Name: d}}
	s := testServer(lib)
	mk := func(chat int64) string {
		tok := Token{Kind: Browser, Expires: testNow.Add(time.Hour), Chat: chat, Doc: d.Name, Version: s.versions.of(d), Spans: []Span{{0, 3}}}
		return "/p/" + tok.sign(testKey)
	}
	if w := get(s.Handler(), "GET", mk(7), nil); w.Code != 200 {
		t.Fatalf("own chat's link: status %d", w.Code)
	}
	if w := get(s.Handler(), "GET", mk(8), nil); w.Code == 200 || strings.Contains(w.Body.String(), "结束") {
		t.Errorf("another chat's link opened the document: status %d", w.Code)
	}
	links := &Links{Base: "https://example.org", Key: testKey, TTL: time.Hour, Library: lib, Now: func() time.Time { return testNow }}
	a := answer.Answer{Citations: []answer.Citation{{N: 1, Doc: d.Name, Start: 0, End: 3, Quote: d.Text[:3]}}}
	if urls := links.For(a, 7, Browser); len(urls) != 1 || urls[0] == "" {
		t.Errorf("links for the owning chat = %q", urls)
	}
	if urls := links.For(a, 8, Browser); len(urls) != 1 || urls[0] != "" {
		t.Errorf("links for another chat = %q, want none", urls)
	}
}
