package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
)

// ErrCharset means the page's character set is unknown or unsupported.
var ErrCharset = errors.New("unknown character set")

// maxMetaScan is how far into a page [declaredCharset] looks for a meta
// element naming the character set.
const maxMetaScan = 64 << 10

// toUTF8 returns the page raw decoded to UTF-8: by its byte order mark,
// else by the character set its meta element declares, else as UTF-8 when
// it is valid UTF-8. A page that declares nothing and is not UTF-8 is
// refused: guessing would make quotes of the wrong characters.
func toUTF8(raw []byte) ([]byte, error) {
	var enc encoding.Encoding
	switch {
	case bytes.HasPrefix(raw, []byte{0xEF, 0xBB, 0xBF}):
		return raw[3:], nil
	case bytes.HasPrefix(raw, []byte{0xFE, 0xFF}):
		enc = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
	case bytes.HasPrefix(raw, []byte{0xFF, 0xFE}):
		enc = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)
	default:
		label := declaredCharset(raw)
		if label == "" {
			if !utf8.Valid(raw) {
				return nil, fmt.Errorf("%w: the page declares no character set (meta charset) and is not UTF-8", ErrCharset)
			}
			return raw, nil
		}
		e, name := charset.Lookup(label)
		if e == nil {
			return nil, fmt.Errorf("%w: %.40q", ErrCharset, label)
		}
		if name == "utf-8" || strings.HasPrefix(name, "utf-16") {
			// A page read as bytes cannot be UTF-16 without a byte
			// order mark: the declaration is wrong, as HTML says.
			return raw, nil
		}
		enc = e
	}
	// A decoded page is at most three times as large as the bytes.
	out, err := io.ReadAll(io.LimitReader(enc.NewDecoder().Reader(bytes.NewReader(raw)), 3*int64(len(raw))+16))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCharset, err)
	}
	return out, nil
}

// declaredCharset returns the character set named by the first meta
// element of the page's head (<meta charset> or <meta http-equiv
// content-type>), looking at most [maxMetaScan] bytes in, or "".
func declaredCharset(raw []byte) string {
	z := html.NewTokenizer(bytes.NewReader(raw[:min(len(raw), maxMetaScan)]))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "body":
				return ""
			case "meta":
				if label := metaCharset(z, hasAttr); label != "" {
					return label
				}
			}
		}
	}
}

// metaCharset returns the character set a meta tag names, or "".
func metaCharset(z *html.Tokenizer, hasAttr bool) string {
	var content string
	httpEquiv := false
	for hasAttr {
		var k, v []byte
		k, v, hasAttr = z.TagAttr()
		switch strings.ToLower(string(k)) {
		case "charset":
			return strings.TrimSpace(string(v))
		case "http-equiv":
			httpEquiv = strings.EqualFold(strings.TrimSpace(string(v)), "content-type")
		case "content":
			content = string(v)
		}
	}
	if !httpEquiv {
		return ""
	}
	i := strings.Index(strings.ToLower(content), "charset=")
	if i < 0 {
		return ""
	}
	label := content[i+len("charset="):]
	if j := strings.IndexAny(label, "; "); j >= 0 {
		label = label[:j]
	}
	return strings.Trim(label, `"' `)
}
