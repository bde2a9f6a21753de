package fetch

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" when refused
	}{
		{"https://example.org/a/b?q=1", "https://example.org/a/b?q=1"},
		{"  http://example.org  ", "http://example.org"},
		{"HTTPS://Example.org/x", "https://Example.org/x"},
		{"https://example.org/page#section", "https://example.org/page"},
		{"http://example.org:8080/x", "http://example.org:8080/x"},
		{"http://[2001:db8::1]:8443/", "http://[2001:db8::1]:8443/"},
		{"http://127.0.0.1/", "http://127.0.0.1/"}, // refused when dialed, not here
		{"http://localhost:9000/", "http://localhost:9000/"},
		{"example.org/x", "https://example.org/x"},
		{"example.org", "https://example.org"},
		{"example.org:8080/x", "https://example.org:8080/x"},
		{"www.example.org/a?b=c", "https://www.example.org/a?b=c"},
		{"//example.org/x", "https://example.org/x"},
		{"[2001:db8::1]/x", "https://[2001:db8::1]/x"},
		{"", ""},
		{"   ", ""},
		{"ftp://example.org/file.pdf", ""},
		{"file:///etc/passwd", ""},
		{"gopher://example.org/", ""},
		{"mailto:someone@example.org", ""},
		{"javascript:alert(1)", ""},
		{"data:text/html,<b>x</b>", ""},
		{"http://user:pass@example.org/", ""},
		{"http://user@example.org/", ""},
		{"https://:pass@example.org/", ""},
		{"http:///path", ""},
		{"http://:80/", ""},
		{"http:example.org", ""},
		{"http://example.org:0/", ""},
		{"http://example.org:65536/", ""},
		{"http://example.org:99999999999999999999/", ""},
		{"http://example.org:x/", ""},
		{"http://exa mple.org/", ""},
		{"http://example.org/\x7f", ""},
		{"localhost", ""},
		{"hello", ""},
		{"localhost:8080", ""},
		{"https://" + strings.Repeat("a", MaxURL), ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			u, err := ParseURL(tt.in)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("ParseURL(%q) = %s, want an error", tt.in, u)
				}
				if !errors.Is(err, ErrScheme) {
					t.Errorf("ParseURL(%q) error %v does not wrap ErrScheme", tt.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseURL(%q): %v", tt.in, err)
			}
			if got := u.String(); got != tt.want {
				t.Errorf("ParseURL(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseURLErrorsHideCredentials(t *testing.T) {
	for _, in := range []string{
		"http://alice:s3cret@example.org/",
		"https://s3cret@example.org/",
		"ftp://alice:s3cret@example.org/",
	} {
		_, err := ParseURL(in)
		if err == nil {
			t.Fatalf("ParseURL(%q) succeeded", in)
		}
		if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "alice") {
			t.Errorf("ParseURL(%q) error %q shows the credentials", in, err)
		}
	}
}

func TestIsURL(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"https://example.org/a", true},
		{"  http://example.org \n", true},
		{"HTTP://EXAMPLE.ORG", true},
		{"www.example.org/page", true},
		{"example.org/x", false},
		{"Node.js", false},
		{"e.g.", false},
		{"what is https://example.org about?", false},
		{"https://example.org/a https://example.org/b", false},
		{"https://example.org\nhttps://example.org/b", false},
		{"ftp://example.org/", false},
		{"http://user:pw@example.org/", false},
		{"https://", false},
		{"", false},
		{"www.", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := IsURL(tt.in); got != tt.want {
				t.Errorf("IsURL(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	u, err := url.Parse("https://bob:pw@example.org:8443/a/b%20c?token=abc#frag")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := redact(u), "https://example.org:8443/a/b%20c"; got != want {
		t.Errorf("redact = %q, want %q", got, want)
	}
	long, _ := url.Parse("https://example.org/" + strings.Repeat("x", 500))
	if got := redact(long); len(got) > len("https://example.org")+maxShownPath+3 {
		t.Errorf("redact of a long path is %d bytes", len(got))
	}
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"https://example.org/a?b=c#d", "example.org/x", "http://user:pass@host/",
		"javascript:alert(1)", "localhost:8080", "//x.org", "[::1]:80/x",
		"http://[fe80::1%25eth0]/", "HTTPS://A.B:65535", "http://a.b:0", "\thttp://x.y ",
		"mailto:a@b.c", "http:\\\\x.org", "https://%65xample.org/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseURL(s)
		if err != nil {
			if !errors.Is(err, ErrScheme) {
				t.Fatalf("ParseURL(%q) error %v does not wrap ErrScheme", s, err)
			}
			return
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			t.Fatalf("ParseURL(%q) scheme %q", s, u.Scheme)
		}
		if u.User != nil {
			t.Fatalf("ParseURL(%q) kept user information", s)
		}
		if u.Hostname() == "" || u.Opaque != "" {
			t.Fatalf("ParseURL(%q) = %s without a host", s, u)
		}
		// The URL the request is made from parses back to the same host.
		again, err := url.Parse(u.String())
		if err != nil || again.Host != u.Host || again.User != nil {
			t.Fatalf("ParseURL(%q) = %s, which reparses as %v (%v)", s, u, again, err)
		}
		if IsURL(s) && strings.ContainsAny(strings.TrimSpace(s), " \n\t") {
			t.Fatalf("IsURL(%q) with spaces inside", s)
		}
	})
}
