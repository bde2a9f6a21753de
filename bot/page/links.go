package page

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/citebot/citebot/answer"
)

// Links makes the signed links of citations. Set every field but Now
// (default time.Now). It is safe for concurrent use once set. A nil
// *Links makes no links.
type Links struct {
	// Base is the public URL the page is reached at, e.g.
	// "https://citebot.example.org"; links are Base + "/p/..." or
	// Base + "/app/...".
	Base string
	// Key signs the links (see [Key]).
	Key []byte
	// TTL is how long a link stays valid.
	TTL time.Duration
	// Library gives the documents' current text.
	Library Library
	// Now returns the current time (default time.Now).
	Now func() time.Time

	versions versions
}

// For returns one URL per citation of a (in a.Citations' order), for
// chat (0: the command line), opening as kind: "" for a citation whose
// quote is not the library's current text at its offsets (a document
// changed or removed since the answer). Citations of the same document
// are marked together on each other's pages.
func (l *Links) For(a answer.Answer, chat int64, kind Kind) []string {
	if l == nil || len(a.Citations) == 0 {
		return nil
	}
	out := make([]string, len(a.Citations))
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	exp := now().Add(l.TTL).Truncate(time.Second)
	docs := map[string]Document{}
	for i, c := range a.Citations {
		d, ok := docs[c.Doc]
		if !ok {
			if d, ok = l.Library.Document(chat, c.Doc); !ok {
				continue
			}
			docs[c.Doc] = d
		}
		if !quoteAt(d, c) {
			continue
		}
		t := Token{Kind: kind, Expires: exp, Chat: chat, Doc: d.Name, Version: l.versions.of(d),
			Spans: []Span{{c.Start, c.End}}}
		for j, o := range a.Citations {
			if j != i && o.Doc == c.Doc && quoteAt(d, o) && len(t.Spans) < maxSpans {
				t.Spans = append(t.Spans, Span{o.Start, o.End})
			}
		}
		out[i] = l.url(t)
	}
	return out
}

// ForChat returns [Links.For] for a Telegram chat: Mini App links in a
// private chat (when Base is https, as Telegram requires; app is then
// true), browser links elsewhere.
func (l *Links) ForChat(a answer.Answer, chat int64, private bool) (urls []string, app bool) {
	if l == nil {
		return nil, false
	}
	app = private && strings.HasPrefix(l.Base, "https://")
	kind := Browser
	if app {
		kind = App
	}
	return l.For(a, chat, kind), app
}

// quoteAt reports whether c's quote is d's text at c's offsets.
func quoteAt(d Document, c answer.Citation) bool {
	return c.Start >= 0 && c.Start < c.End && c.End <= len(d.Text) && d.Text[c.Start:c.End] == c.Quote
}

// url returns the URL of t's page.
func (l *Links) url(t Token) string {
	base := strings.TrimRight(l.Base, "/")
	if t.Kind == App {
		return base + "/app/" + t.sign(l.Key)
	}
	return base + "/p/" + t.sign(l.Key) + "#c"
}

// KeyFile is the file under the data directory that holds the generated
// link key.
const KeyFile = "page.key"

// minKeyBytes is the shortest key accepted.
const minKeyBytes = 16

// Key returns the link signing key: configured (a string of at least 16
// bytes) when not empty, else the one stored in dir/KeyFile, created with
// 32 random bytes (hex, mode 0600) on first use. Links stay valid across
// restarts as long as the key does; changing it revokes every link.
func Key(configured, dir string) ([]byte, error) {
	if configured != "" {
		if len(configured) < minKeyBytes {
			return nil, fmt.Errorf("the page key must be at least %d bytes", minKeyBytes)
		}
		return []byte(configured), nil
	}
	path := filepath.Join(dir, KeyFile)
	b, err := os.ReadFile(path)
	if err == nil {
		k, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(k) < minKeyBytes {
			return nil, fmt.Errorf("%s: not a key of at least %d hex-encoded bytes; remove it to make a new one", path, minKeyBytes)
		}
		return k, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read page key: %w", err)
	}
	k := make([]byte, 32)
	rand.Read(k)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("save page key: %w", err)
	}
	// Written whole to a temporary file, then linked into place: another
	// process starting at the same moment sees no key or the whole key.
	f, err := os.CreateTemp(dir, ".page-key-*")
	if err != nil {
		return nil, fmt.Errorf("save page key: %w", err)
	}
	defer os.Remove(f.Name())
	_, err = f.WriteString(hex.EncodeToString(k) + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(f.Name(), path)
	}
	if errors.Is(err, os.ErrExist) {
		return Key("", dir) // made meanwhile by another process
	}
	if err != nil {
		return nil, fmt.Errorf("save page key: %w", err)
	}
	return k, nil
}
