// Package page is citebot's document page: a read-only copy of a document
// with a citation's exact words highlighted, opened from every citation by
// a link (a URL button, `ask --json`'s "url") or inside Telegram as a Mini
// App (a web_app button in private chats).
//
// # Design
//
// The page never sees retrieval: it reads documents through [Library], a
// one-method interface it declares and cmd wires to the live document set,
// which hands out a document's rebuilt text and its paragraphs (byte
// offsets, headings marked). Citations come as answer.Citation.
//
// Links are capabilities. [Links.For] turns an answer's citations into one
// URL each: /p/TOKEN for a browser, /app/TOKEN for the Mini App. The token
// is the base64url of a small binary payload (kind, expiry, chat, document
// name, document version, the cited span and the other spans of the same
// answer in that document) followed by a 16-byte HMAC-SHA256 of it under
// the server's key (see [Key]). The MAC is checked before any field is
// read, so nothing unsigned is ever parsed; a tampered, truncated or
// expired token gets a short 403 page with no document text. There is no
// listing endpoint and no way to name a document other than through a
// signed token, so a chat's links reach only the documents its own
// answers cited (its /use scope), and a link of one chat cannot be bent to
// another document.
//
// The document version in a token is the first 8 bytes of the SHA-256 of
// the document's rebuilt text, not the library's generation number: the
// generation counts changes of the whole set and restarts at 1, while the
// text hash names exactly the text the offsets index into. A link is served
// while the library holds that text under that name; once the document is
// replaced or removed it gets a short "document changed" page (410), never
// another text with the old offsets.
//
// The Mini App path is two steps, because Telegram hands initData to the
// page only in the URL fragment, which browsers do not send: GET
// /app/TOKEN (token checked) returns a bootstrap page with no document
// text whose few lines of script post the fragment's tgWebAppData and
// theme parameters to the same URL; POST /app/TOKEN checks the token, then
// initData ([ValidateInitData]: HMAC-SHA256 keyed from the bot token as
// Telegram documents, and its age), then that the Telegram user is the chat
// the link was made for, and only then renders the page, in Telegram's
// theme colours.
//
// Rendering ([Render]) is one html/template with embedded CSS and one
// inline script of a few lines (scroll the cited span into view, tell
// Telegram the app is ready and may take the full height), both allowed
// by a per-response CSP nonce:
// every paragraph in reading order, headings as headings, body paragraphs
// with ¶ anchors, the cited span in <mark id="c"> and the answer's other
// spans in <mark class="o">. All document text goes through the template's
// escaping. Responses carry a strict Content-Security-Policy, no-referrer,
// nosniff and no-store.
//
// A page is written to the response while it is rendered, never whole in
// memory, with long paragraphs escaped in runs of a few kilobytes; at most
// [Server.MaxRenders] pages are rendered at once, and a request that
// finds no free slot within [Server.RenderWait] gets 503 with a
// Retry-After.
//
// A [Server] and [Links] are safe for concurrent use.
package page

import (
	"crypto/sha256"
	"sync"
)

// Document is what the page shows of one document.
type Document struct {
	// Name identifies the document in citations.
	Name string
	// Text is the rebuilt text all offsets index into.
	Text string
	// Paragraphs are the document's paragraphs in reading order.
	Paragraphs []Paragraph
	// OCR says the text was recognised from page images: the page warns
	// that it may hold recognition errors.
	OCR bool
}

// Paragraph is one paragraph of a [Document].
type Paragraph struct {
	// N is the body paragraph number (1..); 0 for a heading.
	N int
	// Heading marks a title or heading.
	Heading bool
	// Start and End are byte offsets into [Document.Text].
	Start, End int
	// Page is the page the paragraph starts on in a paged document (PDF,
	// OCR), from 1; 0 when the document has no pages.
	Page int
}

// Library gives the current text of a document as a chat sees it (the
// shared documents and the chat's own): a link made for one chat never
// opens another chat's document. Document must be safe for concurrent
// use; ok is false for a document the chat cannot see.
type Library interface {
	Document(chat int64, name string) (d Document, ok bool)
}

// versionSize is the length in bytes of a document version in a token.
const versionSize = 8

// version is a document text's version: the first bytes of its SHA-256.
type version [versionSize]byte

// versions caches the version of each document's text, so that a large
// document is hashed once per text, not once per request.
type versions struct {
	mu sync.Mutex
	m  map[string]versionEntry
}

type versionEntry struct {
	text string
	v    version
}

// of returns the version of d's text.
func (vs *versions) of(d Document) version {
	vs.mu.Lock()
	e, ok := vs.m[d.Name]
	vs.mu.Unlock()
	// Comparing the same string (one snapshot's text) is a pointer check.
	if ok && e.text == d.Text {
		return e.v
	}
	sum := sha256.Sum256([]byte(d.Text))
	var v version
	copy(v[:], sum[:])
	vs.mu.Lock()
	if vs.m == nil {
		vs.m = map[string]versionEntry{}
	}
	if len(vs.m) > 1024 {
		clear(vs.m)
	}
	vs.m[d.Name] = versionEntry{text: d.Text, v: v}
	vs.mu.Unlock()
	return v
}
