package lexicon

import "testing"

func TestIsNameSyllable(t *testing.T) {
	for _, tc := range []struct {
		w    string
		want bool
	}{
		{"Xi", true}, {"Li", true}, {"Wang", true},
		{"xi", false},    // not capitalised: a word, not a name
		{"Green", false}, // not a syllable
		{"X", false},     // too short to be one
		{"", false},
	} {
		if got := IsNameSyllable(tc.w); got != tc.want {
			t.Errorf("IsNameSyllable(%q) = %v, want %v", tc.w, got, tc.want)
		}
	}
}
