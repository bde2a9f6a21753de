package bot

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/citebot/citebot/bot/telegramtest"
)

// TestScrubberCatchesEveryForm: the token URL-encoded (upper or lower case
// %3A) and the secret part after the colon alone are scrubbed too.
func TestScrubberCatchesEveryForm(t *testing.T) {
	_, secret, _ := strings.Cut(testToken, ":")
	id, _, _ := strings.Cut(testToken, ":")
	s := newScrubber(testToken)
	tests := []struct{ name, in string }{
		{"plain", "GET /bot" + testToken + "/getMe"},
		{"query escaped", "token=" + id + "%3A" + secret},
		{"lower-case escape", "token=" + id + "%3a" + secret},
		{"secret alone", "key " + secret + " leaked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.String(tt.in)
			if strings.Contains(got, secret) || !strings.Contains(got, redacted) {
				t.Errorf("String(%q) = %q", tt.in, got)
			}
			if err := s.Error(fmt.Errorf("call: %w", errors.New(tt.in))); strings.Contains(err.Error(), secret) {
				t.Errorf("Error kept the secret: %v", err)
			}
			var buf telegramtest.LogBuffer
			slog.New(redactHandler{inner: slog.NewTextHandler(&buf, nil), s: s}).Info(tt.in, "v", tt.in)
			if strings.Contains(buf.String(), secret) {
				t.Errorf("logged: %s", buf.String())
			}
		})
	}
}
