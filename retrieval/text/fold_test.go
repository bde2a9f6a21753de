package text

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestFoldRune(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    rune
		want rune
	}{
		{"traditional", '鐵', '铁'},
		{"traditional, common", '於', '于'},
		{"one of several simplified forms, the most used", '餘', '余'},
		{"through a chain (乹 乾)", '乹', '乾'},
		{"variant", '氷', '冰'},
		{"extension A", '㐅', '五'},
		{"simplified stays", '铁', '铁'},
		{"a simplified character that is also a traditional one stays", '么', '么'},
		{"宁 stays", '宁', '宁'},
		{"麼", '麼', '么'},
		{"a Simplified character in its own right stays (著名)", '著', '著'},
		{"乾 stays (乾隆)", '乾', '乾'},
		{"ascii", 'a', 'a'},
		{"kana", 'か', 'か'},
		{"extension B", '𠀀', '𠀀'},
		{"negative", -1, -1},
		{"past the plane", 0x10FFFF, 0x10FFFF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := FoldRune(tc.r); got != tc.want {
				t.Errorf("FoldRune(%q) = %q, want %q", tc.r, got, tc.want)
			}
		})
	}
}

func TestFold(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"坦贊鐵路是怎麼回事", "坦赞铁路是怎么回事"},
		{"坦赞铁路", "坦赞铁路"},
		{"臺灣，Taiwan 2024年", "台湾，Taiwan 2024年"},
		{"鐵\xff路", "铁\xff路"},
		{"\xe9\x90鐵", "\xe9\x90铁"},
	} {
		if got := Fold(tc.in); got != tc.want {
			t.Errorf("Fold(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	s := "长江经济带"
	if got := Fold(s); got != s || testing.AllocsPerRun(10, func() { Fold(s) }) != 0 {
		t.Errorf("Fold of a text that does not fold allocates or changes it: %q", got)
	}
}

// TestFoldTable checks the generated table's invariants: each pair folds
// within the bitmap to a character of the same encoded length that folds
// no further, and foldSources inverts it.
func TestFoldTable(t *testing.T) {
	rs := []rune(foldPairs)
	if len(rs)%2 != 0 || len(rs) < 2000 {
		t.Fatalf("%d runes in foldPairs", len(rs))
	}
	for i := 0; i < len(rs); i += 2 {
		from, to := rs[i], rs[i+1]
		if i > 0 && from <= rs[i-2] {
			t.Errorf("%q after %q: out of order", from, rs[i-2])
		}
		if !unicode.Is(unicode.Han, from) || !unicode.Is(unicode.Han, to) || utf8.RuneLen(from) != utf8.RuneLen(to) {
			t.Errorf("pair %q %q", from, to)
		}
		if got := FoldRune(from); got != to {
			t.Errorf("FoldRune(%q) = %q, want %q", from, got, to)
		}
		if FoldRune(to) != to {
			t.Errorf("%q folds to %q, which folds to %q", from, to, FoldRune(to))
		}
		found := false
		for _, p := range foldSources(to) {
			found = found || rune(p) == from
		}
		if !found {
			t.Errorf("foldSources(%q) lacks %q", to, from)
		}
	}
}

// TestWordListsFolded: the word lists hold the folded form of each of
// their entries, so a folded token or question finds them.
func TestWordListsFolded(t *testing.T) {
	for name, chars := range map[string]string{
		"InterrogativeChars": InterrogativeChars, "FunctionChars": FunctionChars,
		"EmbedStopChars": EmbedStopChars, "MeasureWords": MeasureWords,
	} {
		for _, r := range chars {
			if !strings.ContainsRune(chars, FoldRune(r)) {
				t.Errorf("%s holds %q but not its fold %q", name, r, FoldRune(r))
			}
		}
	}
	for name, words := range map[string][]string{"Interrogatives": Interrogatives, "FollowupWords": FollowupWords} {
		for _, w := range words {
			if !slices.Contains(words, Fold(w)) {
				t.Errorf("%s holds %q but not its fold %q", name, w, Fold(w))
			}
		}
	}
}

func TestRuneFilterFolds(t *testing.T) {
	var f RuneFilter
	f.Add('铁')
	for _, r := range "铁鐵鉄" {
		if FoldRune(r) == '铁' && !f.Has(r) {
			t.Errorf("a filter of 铁 lacks %q", r)
		}
	}
	if !f.Has('鐵') {
		t.Error("a filter of 铁 lacks 鐵")
	}
}

// FuzzFold: folding keeps the length and offsets of a text, is idempotent,
// and the tokens of a text are those of its fold, at the same spans.
func FuzzFold(f *testing.F) {
	for _, s := range append(slices.Clone(scanSeeds), "乹乾干 著着", "鐵\xff路", "㐅㑳䦉") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		folded := Fold(src)
		if len(folded) != len(src) || Fold(folded) != folded {
			t.Fatalf("Fold(%q) = %q (len %d, %d), folded again %q", src, folded, len(src), len(folded), Fold(folded))
		}
		for i, r := range src {
			if f, _ := utf8.DecodeRuneInString(folded[i:]); f != FoldRune(r) {
				t.Fatalf("%q at %d: %q, want %q", src, i, f, FoldRune(r))
			}
		}
		a, b := NewTokenScanner(src), NewTokenScanner(folded)
		for {
			ta, oka := a.Next()
			tb, okb := b.Next()
			if oka != okb {
				t.Fatalf("%q: token count differs from its fold's", src)
			}
			if !oka {
				break
			}
			if ta.Kind != tb.Kind || ta.Start != tb.Start || ta.End != tb.End || ta.Rune != tb.Rune || ta.Prev != tb.Prev {
				t.Fatalf("%q: token %+v, of the fold %+v", src, ta, tb)
			}
			if ta.Kind == Han && ta.Prev >= 0 && ta.BigramStart() < 0 {
				t.Fatalf("%q: bigram of %+v starts before the text", src, ta)
			}
		}
		if !slices.Equal(Tokens(src), Tokens(folded)) {
			t.Fatalf("%q: tokens %q, of the fold %q", src, Tokens(src), Tokens(folded))
		}
	})
}

func TestIsTraditional(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"長江十年禁漁有什麼要求？", true},
		{"館長是誰？", true},
		{"长江十年禁渔有什么要求？", false},
		{"坦赞铁路是怎么回事", false},
		{"What about 長江?", true},
		{"Hello", false},
		{"", false},
	} {
		if got := IsTraditional(tc.s); got != tc.want {
			t.Errorf("IsTraditional(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}
