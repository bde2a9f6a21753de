package ocr

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestChineseQuotes(t *testing.T) {
	for _, tc := range []struct {
		name, text, want string
	}{
		{"between CJK characters, by alternation", `生态"三位一体"保护 ` + "\n\n", "生态“三位一体”保护 \n\n"},
		{"after a colon and before a full stop", `他说："好"。 ` + "\n\n", "他说：“好”。 \n\n"},
		{"at a paragraph start and end", `"一江碧水" ` + "\n\n", "“一江碧水” \n\n"},
		{"beside a curly mark read right", `提出"两山”理念，"共抓"保护 ` + "\n\n", "提出“两山”理念，“共抓”保护 \n\n"},
		{"a closing mark read right", `提出“两山"理念 ` + "\n\n", "提出“两山”理念 \n\n"},
		{"a quotation over a line break", "提出\"两山\n\n理念\"要求 \n\n", "提出“两山\n\n理念”要求 \n\n"},
		{"a quotation over a page break", "提出\"两山\n\n\f理念\"要求 \n\n", "提出“两山\n\n\f理念”要求 \n\n"},
		{"a paragraph end closes an open quotation", "他说\"好 \n\n人说\"坏\"了 \n\n", "他说“好 \n\n人说“坏”了 \n\n"},
		{"a closing neighbour wins over the count", `“一”二"，三 ` + "\n\n", "“一”二”，三 \n\n"},
		{"Latin text in CJK text kept", `竹柏属（"Nageia"）。 ` + "\n\n", `竹柏属（"Nageia"）。 ` + "\n\n"},
		{"English text kept", `He said "yes" and left. ` + "\n\n", `He said "yes" and left. ` + "\n\n"},
		{"a lone mark", `"`, `"`},
		{"no marks", "长江 \n\n", "长江 \n\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, chineseQuotes(tc.text)); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWidenPunctuationPastQuotes(t *testing.T) {
	for _, tc := range []struct {
		name, text, want string
	}{
		{"after a curly closing mark", "“一江碧水”,", "“一江碧水”，"},
		{"after an ASCII closing mark", `"一江碧水";`, `"一江碧水"；`},
		{"English with curly marks kept", "“Hello”; he said", "“Hello”; he said"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := widenPunctuation(tc.text); got != tc.want {
				t.Errorf("widenPunctuation(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

// FuzzChineseQuotes checks that the quotation rule changes nothing but
// ASCII '"' and keeps the text valid.
func FuzzChineseQuotes(f *testing.F) {
	for _, s := range []string{`生态"三位一体"保护 ` + "\n\n", "\"\n\n \f\"一", `“"”"`, "\xff\"长"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		s = strings.ToValidUTF8(s, "")
		got := chineseQuotes(s)
		if utf8.RuneCountInString(got) != utf8.RuneCountInString(s) {
			t.Fatalf("chineseQuotes(%q) = %q: length changed", s, got)
		}
		want := []rune(s)
		for i, r := range []rune(got) {
			if r != want[i] && !(want[i] == '"' && (r == '“' || r == '”')) {
				t.Fatalf("chineseQuotes(%q) = %q: changed %q to %q", s, got, want[i], r)
			}
		}
	})
}
