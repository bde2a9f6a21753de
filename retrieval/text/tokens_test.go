package text

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"empty", "", []string{}},
		{"punctuation only", "，。！？、“”《》 …", []string{}},
		{"simplified", "长江经济带", []string{"长", "江", "长江", "经", "江经", "济", "经济", "带", "济带"}},
		{"traditional folded", "臺灣海峽", []string{"台", "湾", "台湾", "海", "湾海", "峡", "海峡"}},
		{"folded after a simplified character", "海峽", []string{"海", "峡", "海峡"}},
		{"variant folded", "氷河", []string{"冰", "河", "冰河"}},
		{"single han", "江", []string{"江"}},
		{"punctuation breaks bigrams", "长江，黄河", []string{"长", "江", "长江", "黄", "河", "黄河"}},
		{"latin lowercased", "Nexon发行", []string{"nexon", "发", "行", "发行"}},
		{"digits separate from han", "12日下午", []string{"12", "日", "下", "日下", "午", "下午"}},
		{"digits separate from letters", "A330和iPhone6", []string{"a", "330", "和", "iphone", "6"}},
		{"fullwidth folded", "ＡＢＣ１２３", []string{"abc", "123"}},
		{"decimal splits", "3.14", []string{"3", "14"}},
		{"english", "What did Li Qiang say?", []string{"what", "did", "li", "qiang", "say"}},
		{"accents kept", "Café naïve", []string{"café", "naïve"}},
		{"extension B han", "𠀀𠀁", []string{"𠀀", "𠀁", "𠀀𠀁"}},
		{"newline breaks bigram", "长\n江", []string{"长", "江"}},
		{"invalid utf8 dropped", "a\xffb", []string{"a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Tokens(tt.text)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Tokens(%q) mismatch (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

func TestAppendTokensKeepsPrefix(t *testing.T) {
	dst := []string{"x"}
	got := AppendTokens(dst, "长江")
	if diff := cmp.Diff([]string{"x", "长", "江", "长江"}, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestIsHan(t *testing.T) {
	tests := []struct {
		r    rune
		want bool
	}{
		{'长', true}, {'臺', true}, {'〇', true}, {'𠀀', true}, {'々', true},
		{'a', false}, {'1', false}, {'，', false}, {'あ', false}, {'한', false}, {'Ａ', false},
	}
	for _, tt := range tests {
		if got := IsHan(tt.r); got != tt.want {
			t.Errorf("IsHan(%q) = %v, want %v", tt.r, got, tt.want)
		}
	}
}

func TestLang(t *testing.T) {
	tests := []struct {
		text, want string
	}{
		{"长江经济带是什么？", "zh"},
		{"臺灣的首都在哪裡？", "zh"},
		{"iPhone是什么", "zh"},
		{"What did Li Qiang say about the unified national market?", "en"},
		{"What did 李强 say about the market?", "en"},
		{"李强 said the market", "zh"},
		{"", "en"},
		{"12345 ？", "en"},
	}
	for _, tt := range tests {
		if got := Lang(tt.text); got != tt.want {
			t.Errorf("Lang(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func FuzzTokens(f *testing.F) {
	for _, s := range []string{"", "长江经济带高质量发展", "臺灣", "Nexon 4分钟", "ＡＢＣ１２３", "a\xffb", "𠀀𠀁", "e\u0301cole"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		toks := Tokens(text)
		han := 0
		for _, r := range text {
			if IsHan(r) {
				han++
			}
		}
		n := 0
		for _, tok := range toks {
			if tok == "" {
				t.Fatalf("empty token in %q", toks)
			}
			if !utf8.ValidString(tok) {
				t.Fatalf("invalid UTF-8 token %q", tok)
			}
			if r, size := utf8.DecodeRuneInString(tok); size == len(tok) && IsHan(r) {
				n++
			}
			if strings.ContainsFunc(tok, func(r rune) bool { return r == ' ' || r == '\n' }) {
				t.Fatalf("token %q contains a space", tok)
			}
		}
		if n != han {
			t.Fatalf("%d single Han tokens for %d Han characters in %q", n, han, text)
		}
		_ = Lang(text)
	})
}
