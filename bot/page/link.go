package page

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"time"
)

// Kind says where a link opens.
type Kind byte

const (
	// Browser links (/p/TOKEN) open in any browser: whoever holds one may
	// read the page until it expires.
	Browser Kind = 'p'
	// App links (/app/TOKEN) open as a Telegram Mini App and only for the
	// Telegram user whose private chat the link was made for.
	App Kind = 'a'
)

// Span is a cited range of a document's text, in byte offsets.
type Span struct{ Start, End int }

// Token is the content of a signed link.
type Token struct {
	Kind    Kind
	Expires time.Time // second precision
	// Chat is the chat the link was made for (0: the command line).
	Chat int64
	// Doc is the document name; Version the version of its text.
	Doc     string
	Version version
	// Spans are the answer's citations in Doc; Focus indexes the one the
	// link is for.
	Spans []Span
	Focus int
}

const (
	tokenFormat = 1
	macSize     = 16
	// maxTokenChars bounds what is decoded at all.
	maxTokenChars = 2048
	// maxSpans bounds the spans of one link.
	maxSpans = 64
	macLabel = "citebot page link\x00"
)

// Token errors. Both are answered with 403.
var (
	ErrInvalid = errors.New("page: invalid link")
	ErrExpired = errors.New("page: link expired")
)

// sign returns the token's text: base64url(payload || MAC).
func (t Token) sign(key []byte) string {
	b := []byte{tokenFormat, byte(t.Kind)}
	b = binary.AppendUvarint(b, uint64(t.Expires.Unix()))
	b = binary.AppendVarint(b, t.Chat)
	b = append(b, t.Version[:]...)
	b = binary.AppendUvarint(b, uint64(len(t.Doc)))
	b = append(b, t.Doc...)
	b = binary.AppendUvarint(b, uint64(t.Focus))
	b = binary.AppendUvarint(b, uint64(len(t.Spans)))
	for _, s := range t.Spans {
		b = binary.AppendUvarint(b, uint64(s.Start))
		b = binary.AppendUvarint(b, uint64(s.End-s.Start))
	}
	b = append(b, mac(key, b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

func mac(key, payload []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(macLabel))
	h.Write(payload)
	return h.Sum(nil)[:macSize]
}

// parseToken checks s's MAC under key and decodes it. It returns
// ErrInvalid for anything but a well-formed token signed with key, and
// ErrExpired for one whose expiry is before now. No field is read before
// the MAC is checked.
func parseToken(s string, key []byte, now time.Time) (Token, error) {
	if len(s) > maxTokenChars {
		return Token{}, ErrInvalid
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(raw) < macSize+2 {
		return Token{}, ErrInvalid
	}
	payload, sum := raw[:len(raw)-macSize], raw[len(raw)-macSize:]
	if !hmac.Equal(sum, mac(key, payload)) {
		return Token{}, ErrInvalid
	}
	t, ok := decodePayload(payload)
	if !ok {
		return Token{}, ErrInvalid
	}
	if !now.Before(t.Expires) {
		return Token{}, ErrExpired
	}
	return t, nil
}

// decodePayload decodes a signed payload; ok is false when it is not one
// this version writes.
func decodePayload(b []byte) (t Token, ok bool) {
	r := reader{b: b}
	if r.byte() != tokenFormat {
		return Token{}, false
	}
	t.Kind = Kind(r.byte())
	exp := r.uvarint()
	t.Chat = r.varint()
	copy(t.Version[:], r.bytes(versionSize))
	t.Doc = string(r.bytes(int(r.uvarint())))
	t.Focus = int(r.uvarint())
	n := r.uvarint()
	if r.bad || n == 0 || n > maxSpans || (t.Kind != Browser && t.Kind != App) || exp > 1<<40 {
		return Token{}, false
	}
	t.Expires = time.Unix(int64(exp), 0)
	for range n {
		start := r.uvarint()
		size := r.uvarint()
		if start > 1<<40 || size > 1<<40 {
			return Token{}, false
		}
		t.Spans = append(t.Spans, Span{Start: int(start), End: int(start + size)})
	}
	if r.bad || len(r.b) != 0 || t.Focus >= len(t.Spans) {
		return Token{}, false
	}
	return t, true
}

// reader reads a payload; bad is set once a read runs past the end.
type reader struct {
	b   []byte
	bad bool
}

func (r *reader) byte() byte {
	if len(r.b) < 1 {
		r.bad = true
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) bytes(n int) []byte {
	if n < 0 || n > len(r.b) {
		r.bad = true
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) uvarint() uint64 { return readVarint(r, binary.Uvarint) }

func (r *reader) varint() int64 { return readVarint(r, binary.Varint) }

// readVarint reads one varint with decode (binary.Uvarint or Varint),
// marking r bad when there is none.
func readVarint[T uint64 | int64](r *reader, decode func([]byte) (T, int)) T {
	v, n := decode(r.b)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return v
}
