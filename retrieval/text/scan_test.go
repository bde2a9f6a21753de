package text

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// referenceTokens is the tokenizer as it was before TokenScanner, kept to
// check that the scanner draws exactly the same tokens; Han tokens are
// cut from the folded text (Fold keeps the offsets).
func referenceTokens(text string) []string {
	dst := []string{}
	folded := Fold(text)
	prevHan := -1
	wordStart, wordKind := -1, 0
	var buf []byte
	needCopy := false
	flush := func(end int) {
		if wordStart < 0 {
			return
		}
		if needCopy {
			dst = append(dst, string(buf))
		} else {
			dst = append(dst, text[wordStart:end])
		}
		wordStart, wordKind, buf, needCopy = -1, 0, buf[:0], false
	}
	for i, r := range text {
		if IsHan(r) {
			flush(i)
			size := utf8.RuneLen(r)
			dst = append(dst, folded[i:i+size])
			if prevHan >= 0 {
				dst = append(dst, folded[prevHan:i+size])
			}
			prevHan = i
			continue
		}
		prevHan = -1
		folded := foldWidth(r)
		kind := 0
		switch {
		case folded >= '0' && folded <= '9', unicode.IsDigit(folded):
			kind = 2
		case unicode.IsLetter(folded) || (wordKind == 1 && unicode.Is(unicode.Mn, folded)):
			kind = 1
		}
		if kind != wordKind {
			flush(i)
		}
		if kind == 0 {
			continue
		}
		if wordStart < 0 {
			wordStart, wordKind = i, kind
		}
		lower := unicode.ToLower(folded)
		if lower != r && !needCopy {
			needCopy = true
			buf = append(buf[:0], text[wordStart:i]...)
		}
		if needCopy {
			buf = utf8.AppendRune(buf, lower)
		}
	}
	flush(len(text))
	return dst
}

var scanSeeds = []string{
	"", "长江经济带发展战略实施近8年来", "臺灣海峽位於臺灣與中國大陸之間。", "Nexon developed the game in Korea.",
	"ＡＢＣ１２３ x", "𠀀𠀁 e\u0301cole", "a\xffb长", "A330和iPhone6", "Café naïve ΑΒΓ Ωμέγα", "3.14 example.com",
	"\u0301abc", "١٢٣abc", "ｶﾀｶﾅ かな 長\n江",
	"“引号”……——、《书名》（括号）：；【注】「」〇々‰′ﾠ￥１２Ａ",
	"坦贊鐵路是怎麼回事？㑳㐅 乾隆 著名 \xe9\x90 鐵", "後來，臺灣的颱風", "沈陽 宁静 么 麽麼",
}

func TestTokenScannerMatchesReference(t *testing.T) {
	for _, src := range scanSeeds {
		if diff := cmp.Diff(referenceTokens(src), Tokens(src)); diff != "" {
			t.Errorf("%q: tokens mismatch (-reference +scanner):\n%s", src, diff)
		}
	}
}

func FuzzTokenScanner(f *testing.F) {
	for _, s := range scanSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if want, got := referenceTokens(src), Tokens(src); !slices.Equal(want, got) {
			t.Fatalf("%q: tokens %q, reference %q", src, got, want)
		}
	})
}

func TestTokenScannerSpans(t *testing.T) {
	src := "长江，ＡＢc 12日。鐵路局"
	type span struct {
		Kind       TokenKind
		Text       string
		Rune, Prev rune
		Folded     bool
		BigramText string
	}
	var got []span
	sc := NewTokenScanner(src)
	for tok, ok := sc.Next(); ok; tok, ok = sc.Next() {
		s := span{Kind: tok.Kind, Text: src[tok.Start:tok.End], Rune: tok.Rune, Prev: tok.Prev, Folded: tok.Folded}
		if tok.Kind == Han && tok.Prev >= 0 {
			s.BigramText = src[tok.BigramStart():tok.End]
		}
		got = append(got, s)
	}
	want := []span{
		{Kind: Han, Text: "长", Rune: '长', Prev: -1},
		{Kind: Han, Text: "江", Rune: '江', Prev: '长', BigramText: "长江"},
		{Kind: Word, Text: "ＡＢc", Prev: -1, Folded: true},
		{Kind: Number, Text: "12", Prev: -1},
		{Kind: Han, Text: "日", Rune: '日', Prev: -1},
		// Script folding: the span is the text's, Rune and Prev are folded.
		{Kind: Han, Text: "鐵", Rune: '铁', Prev: -1, Folded: true},
		{Kind: Han, Text: "路", Rune: '路', Prev: '铁', BigramText: "鐵路"},
		{Kind: Han, Text: "局", Rune: '局', Prev: '路', BigramText: "路局"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("spans mismatch (-want +got):\n%s", diff)
	}
	if got := string(AppendFolded(nil, "ＡＢc")); got != "abc" {
		t.Errorf("AppendFolded = %q, want abc", got)
	}
}

// BenchmarkTokenScanner scans mixed text and the first 64 KB of the
// Simplified (cmrc2018_trial) and Traditional (drcd_dev) eval corpora.
func BenchmarkTokenScanner(b *testing.B) {
	for _, tc := range []struct{ name, src string }{
		{"mixed", strings.Repeat(scanSeeds[1]+scanSeeds[2]+scanSeeds[3], 20)},
		{"simplified", benchCorpus(b, "cmrc2018_trial.txt")},
		{"traditional", benchCorpus(b, "drcd_dev.txt")},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.src)))
			for b.Loop() {
				sc := NewTokenScanner(tc.src)
				for _, ok := sc.Next(); ok; _, ok = sc.Next() {
				}
			}
		})
	}
}

// benchCorpus returns the first 64 KB of an eval corpus, cut at a line.
func benchCorpus(tb testing.TB, name string) string {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "eval", name))
	if err != nil {
		tb.Fatal(err)
	}
	src := string(raw[:min(len(raw), 64<<10)])
	return src[:strings.LastIndexByte(src, '\n')+1]
}

// keptTokens returns the tokens of src that Keep(f, words) lets through:
// from a full scan when filter is false, from the scanner itself when true.
func keptTokens(src string, f *RuneFilter, words, filter bool) []Token {
	var out []Token
	sc := NewTokenScanner(src)
	if filter {
		sc.Keep(f, words)
	}
	for tok, ok := sc.Next(); ok; tok, ok = sc.Next() {
		// The filter tests a character before folding.
		raw, _ := utf8.DecodeRuneInString(src[tok.Start:])
		if filter || tok.Kind == Han && f.Has(raw) || tok.Kind != Han && words {
			out = append(out, tok)
		}
	}
	return out
}

var keepFilter = func() *RuneFilter {
	var f RuneFilter
	for _, r := range "长江海峡8中国的台" {
		f.Add(r)
	}
	return &f
}()

// TestTokenScannerKeep: with Keep, Next returns exactly the tokens of a
// full scan that the filter and the words flag let through, Prev included.
func TestTokenScannerKeep(t *testing.T) {
	for _, src := range append(slices.Clone(scanSeeds), "长江经济带，长江。海峽 A330 长长江", "臺灣海峽，台灣颱風") {
		for _, words := range []bool{false, true} {
			want, got := keptTokens(src, keepFilter, words, false), keptTokens(src, keepFilter, words, true)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%q words %v: mismatch (-want +got):\n%s", src, words, diff)
			}
		}
	}
}

func FuzzTokenScannerKeep(f *testing.F) {
	for _, s := range scanSeeds {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, src string, words bool) {
		want, got := keptTokens(src, keepFilter, words, false), keptTokens(src, keepFilter, words, true)
		if !slices.Equal(want, got) {
			t.Fatalf("%q words %v: tokens %v, want %v", src, words, got, want)
		}
	})
}

// BenchmarkTokens tokenises the paragraphs of the first 64 KB of the
// Simplified and Traditional eval corpora into strings (a Traditional
// paragraph is folded into one copy first).
func BenchmarkTokens(b *testing.B) {
	for _, name := range []string{"cmrc2018_trial.txt", "drcd_dev.txt"} {
		src := benchCorpus(b, name)
		lines := strings.Split(src, "\n")
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			var dst []string
			for b.Loop() {
				for _, l := range lines {
					dst = AppendTokens(dst[:0], l)
				}
			}
		})
	}
}
