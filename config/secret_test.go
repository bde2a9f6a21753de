package config

import (
	"strings"
	"testing"

	"github.com/citebot/citebot/config/redact"
)

const token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawXX"

// TestSecretsNeverInErrors sets bad values holding a token through every
// source and checks that no error shows it.
func TestSecretsNeverInErrors(t *testing.T) {
	tests := []struct {
		name  string
		apply func(*Config) error
	}{
		{"env url", func(c *Config) error {
			return c.ApplyEnv(env(map[string]string{"CITEBOT_WEBHOOK_URL": "ftp://u:" + token + "@x/" + token}))
		}},
		{"env number", func(c *Config) error { return c.ApplyEnv(env(map[string]string{"CITEBOT_TOP_K": token})) }},
		{"env secret", func(c *Config) error {
			return c.ApplyEnv(env(map[string]string{"CITEBOT_WEBHOOK_SECRET": token}))
		}},
		{"flag", func(c *Config) error { return flags(t, c, "serve", "--telegram-api", "nope/"+token) }},
		{"file secret of the wrong type", func(c *Config) error {
			return c.applyYAML([]byte("telegram_token: ["+token+"]\n"), "c.yaml")
		}},
		{"file key", func(c *Config) error { return c.applyYAML([]byte(`"`+token+`": 1`), "c.yaml") }},
		{"file url", func(c *Config) error {
			return c.applyYAML([]byte("openai_base_url: localhost/"+token+"\n"), "c.yaml")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			err := tt.apply(&c)
			if err == nil {
				err = c.Validate()
			}
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), "AAHdqTcv") {
				t.Fatalf("error shows the token: %v", err)
			}
		})
	}
}

// TestShownHidesQuotedTokens checks that quoting cannot make a value look
// like a token that scrubbing missed: "\x10" becomes the digits of an id.
func TestShownHidesQuotedTokens(t *testing.T) {
	for _, v := range []string{"\x10:" + strings.Repeat("0", 30), "\x00" + token[strings.Index(token, ":"):]} {
		if got := shown(v); redact.HasToken(got) {
			t.Errorf("shown(%q) = %s, which looks like a token", v, got)
		}
	}
}

func FuzzParseText(f *testing.F) {
	for _, s := range settings {
		f.Add(s.def)
	}
	for _, v := range []string{"1,2, 3", "-5", "1e308", "NaN", "1h2m3.5s", token, "a,,b", " 7 "} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if got := Scrub(v); redact.HasToken(got) {
			t.Fatalf("Scrub(%q) = %q keeps a token", v, got)
		}
		for i := range settings {
			s := &settings[i]
			if s.field == nil {
				continue
			}
			var a, b Config
			err := parseText(s.field(&a), v)
			if err != nil {
				if redact.HasToken(err.Error()) {
					t.Fatalf("%s: error shows a token: %v", s.key, err)
				}
				continue
			}
			if _, secret := s.field(&a).(*Secret); secret {
				continue // a secret prints REDACTED, by design
			}
			text := formatValue(s.field(&a))
			if redact.HasToken(text) {
				t.Fatalf("%s: %q prints a token: %q", s.key, v, text)
			}
			if Scrub(v) != v {
				continue // scrubbed values do not round-trip, by design
			}
			if err := parseText(s.field(&b), text); err != nil {
				t.Fatalf("%s: %q formats as %q, which does not parse: %v", s.key, v, text, err)
			}
			if formatValue(s.field(&b)) != text {
				t.Fatalf("%s: %q -> %q -> %q", s.key, v, text, formatValue(s.field(&b)))
			}
		}
	})
}
