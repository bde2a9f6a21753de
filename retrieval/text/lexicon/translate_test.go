package lexicon

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/citebot/citebot/retrieval/text"
)

// vocabulary returns a filter accepting what doc holds: every bigram of a
// Han string (its character when it has one), every word of another, in
// either script (tokens are folded).
func vocabulary(doc string) func(string) bool {
	set := make(map[string]bool)
	for _, t := range text.Tokens(doc) {
		set[t] = true
	}
	return func(s string) bool {
		s = text.Fold(s)
		rs := []rune(s)
		if len(rs) == 0 {
			return false
		}
		if !text.IsHan(rs[0]) {
			for _, w := range text.Tokens(s) {
				if !set[w] {
					return false
				}
			}
			return true
		}
		if len(rs) == 1 {
			return set[s]
		}
		for i := 0; i+1 < len(rs); i++ {
			if !set[string(rs[i:i+2])] {
				return false
			}
		}
		return true
	}
}

// alternatives returns each group's source and alternatives' texts.
func alternatives(q Query) map[string][]string {
	out := make(map[string][]string)
	for _, g := range q.Groups {
		for _, a := range g.Alts {
			out[g.Source] = append(out[g.Source], a.Text)
		}
	}
	return out
}

const (
	zhDoc = "长江十年禁渔全面实施。国务院总理李强、国务院副总理丁薛祥出席座谈会。重庆市委书记发言。" +
		"要扎实推进大气和土壤污染防治，加强流域防灾减灾能力。長江流域禁漁。"
	enDoc = "A ten-year fishing ban covers the Yangtze River. Markets grew; the air pollution control was tightened."
)

func TestTranslate(t *testing.T) {
	for _, tc := range []struct {
		name, question, to, doc string
		want                    map[string]string // source -> an alternative it must have
		unknown                 []string
	}{
		{"words", "How long is the fishing ban?", "zh", zhDoc, map[string]string{"fishing ban": "禁渔"}, nil},
		{"names by reading and by pinyin", "What did Li Qiang and Ding Xuexiang say in Chongqing?", "zh", zhDoc,
			map[string]string{"Li Qiang": "李强", "Ding Xuexiang": "丁薛祥", "Chongqing": "重庆"}, nil},
		{"phrase", "How can disaster prevention improve?", "zh", zhDoc, map[string]string{"disaster prevention": "防灾"}, nil},
		{"inflection and derivation", "What about soil pollution?", "zh", zhDoc, map[string]string{"soil": "土壤", "pollution": "污染"}, nil},
		// Found by folding: the Simplified form stands for both.
		{"traditional document", "Is fishing banned?", "zh", "長江流域禁漁。", map[string]string{"fishing banned": "禁渔"}, nil},
		{"unknown word", "Who is the mayor?", "zh", zhDoc, nil, []string{"mayor"}},
		{"chinese to english", "长江禁渔多少年？", "en", enDoc, map[string]string{"长江": "yangtze river", "禁渔": "ban fishing"}, nil},
		{"chinese to english, inflection", "市场怎么样？", "en", enDoc, map[string]string{"市场": "markets"}, nil},
		{"latin words stay", "GDP是多少？", "en", "The GDP grew.", map[string]string{"GDP": "gdp"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := Translate(tc.question, tc.to, vocabulary(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			got := alternatives(q)
			for src, alt := range tc.want {
				if !slices.Contains(got[src], alt) {
					t.Errorf("%s -> %v, want %q among them (all: %v)", src, got[src], alt, got)
				}
			}
			for _, u := range tc.unknown {
				if !slices.Contains(q.Unknown, u) {
					t.Errorf("unknown %v, want %q among them", q.Unknown, u)
				}
			}
			checkQuery(t, q, vocabulary(tc.doc))
		})
	}
}

// checkQuery asserts the invariants of a translation: every group has
// 1..maxAlts distinct alternatives the filter accepts, weighted in (0, 1]
// with the best at 1, and a positive weight.
func checkQuery(tb testing.TB, q Query, has func(string) bool) {
	tb.Helper()
	for _, g := range q.Groups {
		if len(g.Alts) == 0 || len(g.Alts) > maxAlts || g.Weight <= 0 || g.Source == "" {
			tb.Fatalf("group %+v", g)
		}
		seen := make(map[string]bool)
		for i, a := range g.Alts {
			if a.Weight <= 0 || a.Weight > 1 || (i == 0) != (a.Weight == 1) && i == 0 || seen[a.Text] || !utf8.ValidString(a.Text) {
				tb.Fatalf("group %q alternative %d %+v", g.Source, i, a)
			}
			seen[a.Text] = true
			if has != nil && !has(a.Text) {
				tb.Fatalf("group %q alternative %q not accepted by the filter", g.Source, a.Text)
			}
		}
	}
}

func TestTranslateSameLanguage(t *testing.T) {
	for _, tc := range []struct{ q, to string }{{"长江禁渔", "zh"}, {"fishing ban", "en"}, {"fishing ban", "fr"}} {
		q, err := Translate(tc.q, tc.to, nil)
		if err != nil || len(q.Groups) != 0 || len(q.Unknown) != 0 {
			t.Errorf("Translate(%q, %q) = %+v, %v; want nothing", tc.q, tc.to, q, err)
		}
	}
}

func TestTranslateWithoutFilter(t *testing.T) {
	q, err := Translate("What about the fishing ban on the Yangtze River?", "zh", nil)
	if err != nil {
		t.Fatal(err)
	}
	checkQuery(t, q, nil)
	if got := alternatives(q); !slices.Contains(got["fishing ban"], "禁渔") && !slices.Contains(got["ban"], "禁") {
		t.Errorf("alternatives %v lack 禁渔", got)
	}
	if !strings.Contains(q.Texts(), "长江") {
		t.Errorf("Texts() = %q, want 长江 in it", q.Texts())
	}
}

// TestTranslateScripts: a filter that folds scripts (as the index's does)
// gets one alternative for a word's two forms; one that reads the text as
// it is gets the form the text uses.
func TestTranslateScripts(t *testing.T) {
	const doc = "長江流域禁漁。"
	folding, err := Translate("Is fishing banned?", "zh", vocabulary(doc))
	if err != nil {
		t.Fatal(err)
	}
	if got := alternatives(folding)["fishing banned"]; !slices.Contains(got, "禁渔") || slices.Contains(got, "禁漁") {
		t.Errorf("folding filter: alternatives %v, want 禁渔 alone", got)
	}
	verbatim, err := Translate("Is fishing banned?", "zh", func(s string) bool { return strings.Contains(doc, s) })
	if err != nil {
		t.Fatal(err)
	}
	if got := alternatives(verbatim)["fishing banned"]; !slices.Contains(got, "禁漁") {
		t.Errorf("verbatim filter: alternatives %v, want 禁漁", got)
	}
	// A name spelt in pinyin: one spelling per folded form.
	const names = "上海市委書記陳吉寧發言。"
	folding, _ = Translate("What did Chen Jining say?", "zh", vocabulary(names))
	if got := alternatives(folding)["Chen Jining"]; len(got) != 1 || text.Fold(got[0]) != "陈吉宁" {
		t.Errorf("folding filter: alternatives %v, want one spelling of 陈吉宁", got)
	}
	verbatim, _ = Translate("What did Chen Jining say?", "zh", func(s string) bool { return strings.Contains(names, s) })
	if got := alternatives(verbatim)["Chen Jining"]; !slices.Equal(got, []string{"陳吉寧"}) {
		t.Errorf("verbatim filter: alternatives %v, want 陳吉寧", got)
	}
}

func FuzzTranslate(f *testing.F) {
	for _, s := range []string{
		"What did Li Qiang say about the unified national market?", "长江禁渔多少年？", "GDP是多少？",
		"Who's the mayor of Nanchang's capital?", "", "'''", "A-B C'D", "长江 River 禁渔 ban",
	} {
		f.Add(s, true)
	}
	zh, en := vocabulary(zhDoc), vocabulary(enDoc)
	f.Fuzz(func(t *testing.T, question string, filter bool) {
		for _, to := range []string{"zh", "en"} {
			var has func(string) bool
			if filter {
				has = map[string]func(string) bool{"zh": zh, "en": en}[to]
			}
			q, err := Translate(question, to, has)
			if err != nil {
				t.Fatal(err)
			}
			checkQuery(t, q, has)
		}
	})
}

func TestStem(t *testing.T) {
	for _, family := range [][]string{
		{"pollute", "pollutes", "polluted", "polluting", "pollution"},
		{"produce", "produced", "producing", "produces"},
		{"plan", "plans", "planned", "planning"},
		{"region", "regions", "regional"},
		{"priority", "priorities"},
		{"implement", "implemented", "implementation"},
		{"culture", "cultural"},
		{"hold", "held", "holds", "holding"},
		{"speak", "spoke", "spoken", "speaks"},
	} {
		for _, w := range family[1:] {
			if stem(w) != stem(family[0]) {
				t.Errorf("stem(%q) = %q, stem(%q) = %q: want equal", w, stem(w), family[0], stem(family[0]))
			}
		}
	}
	for _, pair := range [][2]string{{"nation", "nature"}, {"bus", "be"}, {"ban", "bank"}} {
		if stem(pair[0]) == stem(pair[1]) {
			t.Errorf("stem(%q) == stem(%q) = %q", pair[0], pair[1], stem(pair[0]))
		}
	}
}

func TestSplitPinyin(t *testing.T) {
	lx, err := get()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"xuexiang", []string{"xue", "xiang"}},
		{"chongqing", []string{"chong", "qing"}},
		{"li", []string{"li"}},
		{"party", nil},
		{"yangtze", nil},
		{"", nil},
	} {
		got, ok := lx.splitPinyin(tc.in)
		if ok != (tc.want != nil) || !slices.Equal(got, tc.want) {
			t.Errorf("splitPinyin(%q) = %v, %v; want %v", tc.in, got, ok, tc.want)
		}
	}
}

func TestData(t *testing.T) {
	if err := Load(); err != nil {
		t.Fatal(err)
	}
	lx, _ := get()
	if n := len(lx.entries); n < 90000 {
		t.Errorf("%d headwords, want at least 90000", n)
	}
	if n := DataSize(); n > 2<<20 {
		t.Errorf("embedded lexicon is %d bytes, want at most 2 MiB", n)
	}
	for simp, trad := range map[string]string{"长江": "長江", "禁渔": "禁漁", "发展": "發展"} {
		i, ok := lx.lookup(simp)
		j, _ := lx.lookup(trad)
		if !ok || lx.entries[i].trad != trad || j != i {
			t.Errorf("%s: traditional %q, want %q", simp, lx.entries[i].trad, trad)
		}
	}
	if !Renders("pollution", "zh") || Renders("qwzx", "zh") || !Renders("污染", "en") {
		t.Error("Renders disagrees with the lexicon")
	}
}
