package page

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/citebot/citebot/answer"
)

var (
	testKey = []byte("0123456789abcdef0123456789abcdef")
	testNow = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
)

func testToken() Token {
	return Token{
		Kind: Browser, Expires: testNow.Add(time.Hour), Chat: -100123, Doc: "报告.txt",
		Version: version{1, 2, 3, 4, 5, 6, 7, 8}, Spans: []Span{{10, 20}, {0, 3}, {40, 41}}, Focus: 1,
	}
}

func TestTokenRoundTrip(t *testing.T) {
	for _, tok := range []Token{
		testToken(),
		{Kind: App, Expires: testNow.Add(30 * 24 * time.Hour), Chat: 42, Doc: "a.md", Spans: []Span{{0, 1}}},
		{Kind: Browser, Expires: testNow.Add(time.Second), Doc: strings.Repeat("x", 255), Spans: []Span{{1 << 30, 1<<30 + 5}}},
	} {
		got, err := parseToken(tok.sign(testKey), testKey, testNow)
		if err != nil {
			t.Fatalf("parseToken(%+v): %v", tok, err)
		}
		if diff := cmp.Diff(tok, got); diff != "" {
			t.Errorf("round trip mismatch (-want +got):\n%s", diff)
		}
	}
}

func TestParseTokenRefuses(t *testing.T) {
	good := testToken().sign(testKey)
	raw, _ := base64.RawURLEncoding.DecodeString(good)
	flip := func(i int) string {
		b := []byte(string(raw))
		b[i] ^= 1
		return base64.RawURLEncoding.EncodeToString(b)
	}
	expired := testToken()
	expired.Expires = testNow
	noSpans := testToken()
	noSpans.Spans, noSpans.Focus = nil, 0
	badFocus := testToken()
	badFocus.Focus = 3
	badKind := testToken()
	badKind.Kind = 'x'
	tests := []struct {
		name, token string
		want        error
	}{
		{"empty", "", ErrInvalid},
		{"not base64", "%%%%", ErrInvalid},
		{"padded base64", good + "=", ErrInvalid},
		{"too long", strings.Repeat("A", maxTokenChars+1), ErrInvalid},
		{"other key", testToken().sign([]byte("another key of thirty-two bytes!")), ErrInvalid},
		{"payload byte flipped", flip(5), ErrInvalid},
		{"document name flipped", flip(20), ErrInvalid},
		{"MAC flipped", flip(len(raw) - 1), ErrInvalid},
		{"truncated", base64.RawURLEncoding.EncodeToString(raw[:len(raw)-1]), ErrInvalid},
		{"extended", base64.RawURLEncoding.EncodeToString(append(raw[:len(raw):len(raw)], 0)), ErrInvalid},
		{"expired", expired.sign(testKey), ErrExpired},
		{"no spans", noSpans.sign(testKey), ErrInvalid},
		{"focus out of range", badFocus.sign(testKey), ErrInvalid},
		{"unknown kind", badKind.sign(testKey), ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := parseToken(tt.token, testKey, testNow); !errors.Is(err, tt.want) {
				t.Errorf("parseToken = %v, want %v", err, tt.want)
			}
		})
	}
}

// FuzzParseToken checks that no input panics and that whatever is
// accepted is exactly a token signed with the key.
func FuzzParseToken(f *testing.F) {
	f.Add(testToken().sign(testKey))
	f.Add("")
	f.Add("AAAA")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := parseToken(s, testKey, testNow)
		if err != nil {
			return
		}
		if again := tok.sign(testKey); again != s {
			t.Errorf("accepted %q, which signs again as %q", s, again)
		}
	})
}

// FuzzTokenPayload signs arbitrary payloads, so that the decoder behind
// the MAC check is exercised too: it must not panic, and what it accepts
// must survive encoding and decoding again unchanged.
func FuzzTokenPayload(f *testing.F) {
	raw, _ := base64.RawURLEncoding.DecodeString(testToken().sign(testKey))
	f.Add(raw[:len(raw)-macSize])
	f.Add([]byte{tokenFormat, 'p'})
	f.Fuzz(func(t *testing.T, payload []byte) {
		s := base64.RawURLEncoding.EncodeToString(append(payload[:len(payload):len(payload)], mac(testKey, payload)...))
		tok, err := parseToken(s, testKey, testNow)
		if err != nil {
			return
		}
		again, err := parseToken(tok.sign(testKey), testKey, testNow)
		if err != nil {
			t.Fatalf("payload %x decodes to %+v, whose own token is refused: %v", payload, tok, err)
		}
		if diff := cmp.Diff(tok, again); diff != "" {
			t.Errorf("payload %x: re-encoded token differs (-first +again):\n%s", payload, diff)
		}
	})
}

// fakeLibrary is a Library over fixed documents.
type fakeLibrary map[string]Document

func (f fakeLibrary) Document(_ int64, name string) (Document, bool) {
	d, ok := f[name]
	return d, ok
}

func TestLinksFor(t *testing.T) {
	d := testDocument()
	other := Document{Name: "other.txt", Text: "Other text.", Paragraphs: []Paragraph{{N: 1, Start: 0, End: 11}}}
	lib := fakeLibrary{d.Name: d, other.Name: other}
	l := &Links{Base: "https://pages.example.org/", Key: testKey, TTL: time.Hour, Library: lib, Now: func() time.Time { return testNow }}
	cite := func(n int, doc, quote string) answer.Citation {
		text := lib[doc].Text
		i := strings.Index(text, quote)
		if i < 0 {
			t.Fatalf("%q not in %s", quote, doc)
		}
		return answer.Citation{N: n, Doc: doc, Quote: quote, Start: i, End: i + len(quote)}
	}
	a := answer.Answer{Citations: []answer.Citation{
		cite(1, d.Name, "第二段"),
		cite(2, other.Name, "Other"),
		cite(3, d.Name, "<script>alert(1)</script>"),
		{N: 4, Doc: d.Name, Quote: "not at its offsets", Start: 0, End: 18},
		{N: 5, Doc: "gone.txt", Quote: "x", Start: 0, End: 1},
	}}
	urls := l.For(a, 7, Browser)
	if len(urls) != 5 || urls[3] != "" || urls[4] != "" {
		t.Fatalf("For = %q: want links for citations 1-3 only", urls)
	}
	for i, want := range []struct {
		doc   string
		spans int
	}{{d.Name, 2}, {other.Name, 1}, {d.Name, 2}} {
		u, ok := strings.CutPrefix(urls[i], "https://pages.example.org/p/")
		if !ok || !strings.HasSuffix(u, "#c") {
			t.Fatalf("url %d = %q", i, urls[i])
		}
		tok, err := parseToken(strings.TrimSuffix(u, "#c"), testKey, testNow)
		if err != nil {
			t.Fatal(err)
		}
		c := a.Citations[i]
		focus := tok.Spans[tok.Focus]
		if tok.Doc != want.doc || len(tok.Spans) != want.spans || focus != (Span{c.Start, c.End}) || tok.Chat != 7 ||
			!tok.Expires.Equal(testNow.Add(time.Hour)) {
			t.Errorf("citation %d: token %+v", c.N, tok)
		}
	}
	if got, app := l.ForChat(a, 7, true); !app || !strings.HasPrefix(got[0], "https://pages.example.org/app/") {
		t.Errorf("ForChat in a private chat = %q, want a Mini App link", got)
	}
	l.Base = "http://127.0.0.1:8080"
	if got, app := l.ForChat(a, 7, true); app || !strings.HasPrefix(got[0], "http://127.0.0.1:8080/p/") {
		t.Errorf("ForChat over http = %q, want a browser link (Telegram opens only https Mini Apps)", got)
	}
}

func TestKey(t *testing.T) {
	dir := t.TempDir()
	k1, err := Key("", dir)
	if err != nil || len(k1) != 32 {
		t.Fatalf("Key = %x, %v", k1, err)
	}
	k2, err := Key("", dir)
	if err != nil || string(k1) != string(k2) {
		t.Errorf("second Key = %x, %v; want the stored %x", k2, err, k1)
	}
	if k, err := Key("a configured key, long enough", dir); err != nil || string(k) != "a configured key, long enough" {
		t.Errorf("configured Key = %q, %v", k, err)
	}
	if _, err := Key("short", dir); err == nil {
		t.Error("a 5-byte key was accepted")
	}
}
