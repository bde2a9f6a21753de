package bot

import (
	"fmt"
	"strings"
	"testing"

	"github.com/citebot/citebot/answer"
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
		if ocr := tt.docSummary(answer.DocInfo{Paragraphs: 3, OCR: true}); !strings.HasPrefix(ocr, tt.paragraphCount(3)) || !strings.Contains(ocr, "OCR") {
			t.Errorf("%s: docSummary of a document read by OCR = %q", lang, ocr)
		}
		if plain := tt.docSummary(answer.DocInfo{Paragraphs: 3}); plain != tt.paragraphCount(3) {
			t.Errorf("%s: docSummary = %q, want the paragraph count only", lang, plain)
		}
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
