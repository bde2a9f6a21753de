package answer

import (
	"strings"
	"testing"
)

func TestParagraphLabel(t *testing.T) {
	tests := []struct {
		name            string
		page, paragraph int
		want            string
	}{
		{"unpaged", 0, 12, "¶12"},
		{"unpaged heading", 0, 0, "¶0"},
		{"paged", 3, 12, "p. 3 ¶12"},
		{"paged heading", 1, 0, "p. 1 ¶0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ParagraphLabel(tc.page, tc.paragraph); got != tc.want {
				t.Errorf("ParagraphLabel(%d, %d) = %q, want %q", tc.page, tc.paragraph, got, tc.want)
			}
			if got := (Citation{Page: tc.page, Paragraph: tc.paragraph}).Label(); got != tc.want {
				t.Errorf("Citation.Label = %q, want %q", got, tc.want)
			}
			if got := (Passage{Page: tc.page, Paragraph: tc.paragraph}).Label(); got != tc.want {
				t.Errorf("Passage.Label = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPossiblyRelatedNamesTheLabel(t *testing.T) {
	for _, lang := range []string{"en", "zh"} {
		if got := possiblyRelated("p. 3 ¶11", lang); !strings.Contains(got, "p. 3 ¶11") {
			t.Errorf("possiblyRelated in %s = %q, want it to name p. 3 ¶11", lang, got)
		}
	}
}
