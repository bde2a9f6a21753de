package answer

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLocate(t *testing.T) {
	const doc = "他强调，要坚定推进长江“十年禁渔”，巩固禁渔成果。完善横向生态保护补偿机制（试点）；推进 AI 应用。"
	tests := []struct {
		name  string
		text  string
		quote string
		want  string // "" means not found
	}{
		{"exact", doc, "坚定推进长江“十年禁渔”", "坚定推进长江“十年禁渔”"},
		{"quote marks differ", doc, `坚定推进长江"十年禁渔"`, "坚定推进长江“十年禁渔”"},
		{"corner quote marks", doc, "坚定推进长江「十年禁渔」", "坚定推进长江“十年禁渔”"},
		{"quote marks missing", doc, "坚定推进长江十年禁渔", "坚定推进长江“十年禁渔”"},
		{"opening mark balanced", doc, "长江“十年禁渔", "长江“十年禁渔”"},
		{"half-width punctuation", doc, "要坚定推进长江“十年禁渔”,巩固禁渔成果.", "要坚定推进长江“十年禁渔”，巩固禁渔成果。"},
		{"parentheses and semicolon", doc, "补偿机制(试点);推进", "补偿机制（试点）；推进"},
		{"whitespace", doc, "坚定 推进\n长江", "坚定推进长江"},
		{"document whitespace", doc, "推进AI应用", "推进 AI 应用"},
		{"full-width letters", doc, "推进 ＡＩ 应用", "推进 AI 应用"},
		{"case", doc, "推进 ai 应用", "推进 AI 应用"},
		{"trailing punctuation differs", doc, "巩固禁渔成果！", "巩固禁渔成果"},
		{"trailing punctuation kept", doc, "巩固禁渔成果.", "巩固禁渔成果。"},
		{"trailing run", "「很好。」后", "很好。」", "很好。"},
		{"ellipsis keeps longest fragment", doc, "要坚定推进……完善横向生态保护补偿机制", "完善横向生态保护补偿机制"},
		{"ascii ellipsis", doc, "坚定推进...巩固禁渔成果", "巩固禁渔成果"},
		{"fabricated", doc, "会议开了三天", ""},
		{"single character", doc, "渔", ""},
		{"punctuation only", doc, "，。；", ""},
		{"empty", doc, "", ""},
		{"english", "The Yangtze  River is long. It flows east.", "the yangtze river is long", "The Yangtze  River is long"},
		{"english curly quotes", `He said "go now" and left.`, "He said “go now”", `He said "go now"`},
		{"fullwidth digits", "体重约只有8公斤重。", "约只有８公斤重", "约只有8公斤重"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, e, ok := locate(tt.text, normalize(tt.text), tt.quote)
			got := ""
			if ok {
				got = tt.text[s:e]
			}
			if got != tt.want {
				t.Errorf("locate(%q) = %q, want %q", tt.quote, got, tt.want)
			}
		})
	}
}

func TestNormalizeMapsBack(t *testing.T) {
	text := "Ａ，“b”　c…。\xffd"
	v := normalize(text)
	if len(v.starts) != len(v.s) || len(v.ends) != len(v.s) {
		t.Fatalf("map lengths %d/%d for %d bytes", len(v.starts), len(v.ends), len(v.s))
	}
	if v.s != "a,bc....\ufffdd" {
		t.Errorf("normalised %q", v.s)
	}
	for i := range v.s {
		if v.starts[i] < 0 || v.ends[i] > len(text) || v.starts[i] >= v.ends[i] {
			t.Errorf("byte %d maps to [%d, %d)", i, v.starts[i], v.ends[i])
		}
	}
}

func FuzzLocate(f *testing.F) {
	f.Add("他强调，要坚定推进长江“十年禁渔”，巩固禁渔成果。", "坚定推进长江\"十年禁渔\"")
	f.Add("a  b\tc", "A B C")
	f.Add("「『x』」y", "x」y")
	f.Add("补偿机制（试点）；推进", "机制(试点)")
	f.Add("……abc……", "...abc")
	f.Add("\xff\xfeab", "ab")
	f.Fuzz(func(t *testing.T, text, quote string) {
		s, e, ok := locate(text, normalize(text), quote)
		if !ok {
			return
		}
		if s < 0 || e > len(text) || s >= e {
			t.Fatalf("span [%d, %d) outside text of %d bytes", s, e, len(text))
		}
		if utf8.ValidString(text) && (!utf8.RuneStart(text[s]) || (e < len(text) && !utf8.RuneStart(text[e]))) {
			t.Fatalf("span [%d, %d) splits a rune", s, e)
		}
		got := normString(text[s:e])
		if got == "" || !strings.Contains(normString(quote), got) {
			t.Fatalf("text[%d:%d] = %q (normalised %q) is not part of quote %q (normalised %q)",
				s, e, text[s:e], got, quote, normString(quote))
		}
	})
}
