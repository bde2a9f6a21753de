package lexicon

import (
	"slices"
	"strings"
	"testing"
)

func TestParseLine(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		want       Entry
		ok, err    bool
	}{
		{"entry", "長江 长江 [Chang2 Jiang1] /Yangtze River, or Chang Jiang/",
			Entry{"長江", "长江", "Chang2 Jiang1", []string{"Yangtze River, or Chang Jiang"}}, true, false},
		{"several glosses, CRLF", "禁漁 禁渔 [jin4 yu2] /ban on fishing/closed season/\r\n",
			Entry{"禁漁", "禁渔", "jin4 yu2", []string{"ban on fishing", "closed season"}}, true, false},
		{"comment", "# CC-CEDICT", Entry{}, false, false},
		{"metadata", "#! entries=124260", Entry{}, false, false},
		{"blank", "   ", Entry{}, false, false},
		{"no pinyin", "長江 长江 /Yangtze/", Entry{}, false, true},
		{"unclosed pinyin", "長江 长江 [Chang2 /Yangtze/", Entry{}, false, true},
		{"no glosses", "長江 长江 [Chang2 Jiang1] //", Entry{}, false, true},
		{"no slashes", "長江 长江 [Chang2 Jiang1] Yangtze", Entry{}, false, true},
		{"one headword", "長江 [Chang2 Jiang1] /Yangtze/", Entry{}, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok, err := ParseLine(tc.line)
			if ok != tc.ok || (err != nil) != tc.err {
				t.Fatalf("ParseLine(%q) ok %v err %v, want ok %v err %v", tc.line, ok, err, tc.ok, tc.err)
			}
			if got.Traditional != tc.want.Traditional || got.Simplified != tc.want.Simplified ||
				got.Pinyin != tc.want.Pinyin || !slices.Equal(got.Glosses, tc.want.Glosses) {
				t.Errorf("ParseLine(%q) = %+v, want %+v", tc.line, got, tc.want)
			}
		})
	}
}

func FuzzParseLine(f *testing.F) {
	for _, s := range []string{
		"長江 长江 [Chang2 Jiang1] /Yangtze River, or Chang Jiang/",
		"江西 江西 [Jiang1 xi1] /see 江西省[Jiang1 xi1 Sheng3]/",
		"# comment", "", "a b [c] /d/e/", "a b [] //", "a b [c]/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		e, ok, err := ParseLine(line)
		if ok && err != nil {
			t.Fatalf("ok with error %v", err)
		}
		if !ok {
			return
		}
		if e.Traditional == "" || e.Simplified == "" || len(e.Glosses) == 0 {
			t.Fatalf("entry %+v lacks a part", e)
		}
		for _, g := range e.Glosses {
			if g == "" || strings.Contains(g, "/") {
				t.Fatalf("gloss %q of %q", g, line)
			}
		}
		_ = CleanGloss(e.Glosses[0])
		_, _ = Reference(e.Glosses[0])
		_, _ = Toneless(e.Pinyin)
	})
}

func TestCleanGloss(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"to pollute; to contaminate (lit. and fig.)", "to pollute; to contaminate"},
		{"Jiangxi Province, capital Nanchang 南昌市[Nan2 chang1 Shi4] (abbr. to 灨|赣[Gan4])", "Jiangxi Province, capital Nanchang"},
		{"CL:個|个[ge4]", ""},
		{"variant of 強|强[qiang2]", ""},
		{"surname Li", ""},
		{"see 江西省[Jiang1 xi1 Sheng3]", ""},
		{"Taiwan pr. [jiang4]", ""},
		{"fig. to lead the way", "to lead the way"},
		{"(economics) market", "market"},
		{"(only) 好", ""},
	} {
		if got := CleanGloss(tc.in); got != tc.want {
			t.Errorf("CleanGloss(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestReference(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"see 江西省[Jiang1 xi1 Sheng3]", "江西省", true},
		{"abbr. for 長江經濟帶|长江经济带[Chang2 Jiang1 Jing1 ji4 dai4]", "长江经济带", true},
		{"see also 水", "", false},
		{"to see", "", false},
		{"see Taiwan", "", false},
	} {
		got, ok := Reference(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Reference(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestToneless(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"Chong2 qing4", "chongqing", true},
		{"nu:3 er2", "nver", true},
		{"B chao1", "bchao", true},
		{"ji1 ·", "", false},
	} {
		got, ok := Toneless(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Toneless(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
