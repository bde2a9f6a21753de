package redact

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
)

const token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawXX"

func TestText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "/var/lib/citebot", "/var/lib/citebot"},
		{"url", "http://localhost:11434/v1", "http://localhost:11434/v1"},
		{"userinfo", "https://bob:pw@example.org/x", "https://REDACTED@example.org/x"},
		{"query", "https://example.org/x?token=abc&b=2", "https://example.org/x?b=REDACTED&token=REDACTED"},
		{"token in path", "https://example.org/bot" + token + "/hook", "https://example.org/botREDACTED/hook"},
		{"token alone", token, "REDACTED"},
		{"short id:secret is no token", "12:ab", "12:ab"},
		{"url in a message", `couldn't reach "https://u:p@h/x?k=v": refused`, `couldn't reach "https://REDACTED@h/x?k=REDACTED": refused`},
		{"unparsable url", "http://u:p@h/%zz?a=b", "http://REDACTED@h/%zz?REDACTED"},
		{"unparsable url without path", "http://u:p@h%zz", "http://REDACTED@h%zz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(tt.in); got != tt.want {
				t.Fatalf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestURL(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"everything", "http://u:p@h:1/v1/embeddings?key=k#f", "http://REDACTED@h:1/v1/embeddings?key=REDACTED#REDACTED"},
		{"nothing to remove", "https://api.example.org/v1", "https://api.example.org/v1"},
		{"no host", "/v1/chat", "/v1/chat"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := URL(tt.in); got != tt.want {
				t.Fatalf("URL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestScrubberCatchesEveryForm: a token URL-encoded (upper or lower case
// %3A) and its secret part after the colon alone are scrubbed too, from
// strings, errors and log records.
func TestScrubberCatchesEveryForm(t *testing.T) {
	id, secret, _ := strings.Cut(token, ":")
	s := New(token)
	tests := []struct{ name, in string }{
		{"plain", "GET /bot" + token + "/getMe"},
		{"query escaped", "token=" + id + "%3A" + secret},
		{"lower-case escape", "token=" + id + "%3a" + secret},
		{"secret alone", "key " + secret + " leaked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.String(tt.in)
			if strings.Contains(got, secret) || !strings.Contains(got, Redacted) {
				t.Errorf("String(%q) = %q", tt.in, got)
			}
			if err := s.Error(fmt.Errorf("call: %w", errors.New(tt.in))); strings.Contains(err.Error(), secret) {
				t.Errorf("Error kept the secret: %v", err)
			}
			var buf bytes.Buffer
			slog.New(s.Handler(slog.NewTextHandler(&buf, nil))).Info(tt.in, "v", tt.in)
			if strings.Contains(buf.String(), secret) {
				t.Errorf("logged: %s", buf.String())
			}
		})
	}
}

// TestScrubberSecrets: every secret of a Scrubber is removed, the longer
// first; empty secrets and the zero Scrubber remove nothing.
func TestScrubberSecrets(t *testing.T) {
	const key, password = "sk-test-0123456789abcdef", "hunter2-pw"
	tests := []struct {
		name string
		s    Scrubber
		in   string
		want string
	}{
		{"API key", New(key, password), "bad key " + key, "bad key REDACTED"},
		{"password in a URL", New(key, password), "Post http://bob:" + password + "@h", "Post http://bob:REDACTED@h"},
		{"query-escaped", New("a b+c/d=efgh"), "k=a+b%2Bc%2Fd%3Defgh", "k=REDACTED"},
		{"a secret inside another", New("abcdefgh", "abcdefgh-longer"), "x abcdefgh-longer y", "x REDACTED y"},
		{"empty secret", New(""), "nothing here", "nothing here"},
		{"zero Scrubber", Scrubber{}, "sk-" + key, "sk-" + key},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.String(tt.in); got != tt.want {
				t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestHandler: the handler scrubs the message, string, error, group and
// other attributes, and those added by With; a scrubbed error chain keeps
// its *url.Error for errors.As.
func TestHandler(t *testing.T) {
	var buf bytes.Buffer
	s := New(token)
	log := slog.New(s.Handler(slog.NewTextHandler(&buf, nil))).With("base", "http://x/bot"+token)
	err := fmt.Errorf("wrapped: %w", &url.Error{Op: "Post", URL: "http://x/bot" + token + "/getMe", Err: errors.New("refused")})
	log.Info("msg "+token, "err", err, "s", token, slog.Group("g", "q", url.QueryEscape(token)), "any", []string{token})
	if strings.Contains(buf.String(), token) || strings.Contains(buf.String(), url.QueryEscape(token)) {
		t.Errorf("token logged: %s", buf.String())
	}
	if strings.Count(buf.String(), Redacted) != 6 {
		t.Errorf("want 6 REDACTED: %s", buf.String())
	}
	scrubbed := s.Error(err)
	var ue *url.Error
	if !errors.As(scrubbed, &ue) || strings.Contains(scrubbed.Error(), token) || strings.Contains(ue.URL, token) {
		t.Errorf("scrubbed = %v", scrubbed)
	}
	if plain := errors.New("no secret"); s.Error(plain) != plain {
		t.Errorf("an error without the secret is not returned as it is")
	}
}

// FuzzText: whatever the text, Text leaves nothing shaped like a token.
func FuzzText(f *testing.F) {
	for _, v := range []string{"1,2, 3", "-5", "1e308", "NaN", "1h2m3.5s", token, "a,,b", " 7 ", "http://u:p@h/%zz?a=b"} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if got := Text(v); HasToken(got) {
			t.Fatalf("Text(%q) = %q keeps a token", v, got)
		}
	})
}

// FuzzScrubber: whatever the text around it, a Scrubber leaves no form of
// its secret in a string or an error.
func FuzzScrubber(f *testing.F) {
	f.Add("GET /bot", "/getMe")
	f.Add("token=123456789%3", "a")
	f.Fuzz(func(t *testing.T, before, after string) {
		_, secret, _ := strings.Cut(token, ":")
		s := New(token)
		in := before + token + after
		if got := s.String(in); strings.Contains(got, secret) {
			t.Fatalf("String(%q) = %q keeps the secret", in, got)
		}
		if got := s.Error(errors.New(in)).Error(); strings.Contains(got, secret) {
			t.Fatalf("Error(%q) = %q keeps the secret", in, got)
		}
	})
}
