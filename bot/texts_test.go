package bot

import (
	"fmt"
	"strings"
	"testing"
)

func TestParagraphCount(t *testing.T) {
	tests := []struct {
		lang string
		n    int
		want string
	}{
		{"en", 0, "0 paragraphs"},
		{"en", 1, "1 paragraph"},
		{"en", 2, "2 paragraphs"},
		{"zh", 1, "1 段"},
		{"zh", 12, "12 段"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.lang, tc.n), func(t *testing.T) {
			if got := texts[tc.lang].paragraphCount(tc.n); got != tc.want {
				t.Errorf("paragraphCount(%d) in %s = %q, want %q", tc.n, tc.lang, got, tc.want)
			}
		})
	}
	for lang, tt := range texts {
		for _, got := range []string{
			fmt.Sprintf(tt.aboutLine, "notes.txt", tt.paragraphCount(1)),
			fmt.Sprintf(tt.docsLine, 1, "notes.txt", tt.paragraphCount(1)),
			fmt.Sprintf(tt.added, "notes.txt", tt.paragraphCount(1)),
		} {
			if want := tt.paragraphCount(1); !containsAll(got, "notes.txt", want) {
				t.Errorf("%s: %q lacks the name or %q", lang, got, want)
			}
		}
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
