package retrieval

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/eval"
	"github.com/citebot/citebot/retrieval/document"
	"github.com/citebot/citebot/retrieval/text/lexicon"
)

// crossLingualRows returns seed_dev's answerable English rows (questions
// in English about the Chinese sample document).
func crossLingualRows(tb testing.TB) []eval.Row {
	tb.Helper()
	rows, err := eval.Load(filepath.Join("..", "testdata", "eval", "seed_dev.jsonl"))
	if err != nil {
		tb.Fatal(err)
	}
	var out []eval.Row
	for _, r := range rows {
		if strings.HasPrefix(r.Kind, "en-") && r.Answerable() {
			out = append(out, r)
		}
	}
	if len(out) < 10 {
		tb.Fatalf("seed_dev has %d answerable English rows, want at least 10", len(out))
	}
	return out
}

// TestEvalCrossLingualRetrieval is the floor on English questions about
// the Chinese sample document (recall@3 >= 0.85), per method.
func TestEvalCrossLingualRetrieval(t *testing.T) {
	rows := crossLingualRows(t)
	ix, _, err := Build(context.Background(), []*document.Document{document.Sample()}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := evalSet{Name: "seed_dev-en", Docs: ix.Documents(), Questions: rows}
	for _, tc := range []struct {
		method string
		r3     float64
	}{{MethodHybrid, 0.85}, {MethodLexical, 0.85}} {
		t.Run(tc.method, func(t *testing.T) {
			start := time.Now()
			got := scoreIndex(t, ix, s, tc.method)
			t.Logf("%s: %s (%v per question)", tc.method, formatScores(got), time.Since(start)/time.Duration(len(rows)))
			if got.Recall3 < tc.r3 {
				t.Errorf("%s recall@3 %.3f, want >= %.2f", tc.method, got.Recall3, tc.r3)
			}
		})
	}
}

func TestCrossLingualSearch(t *testing.T) {
	zh, err := document.Parse("zh.txt", []byte("长江保护\n\n长江流域重点水域实行十年禁渔，渔民全部退捕上岸。\n\n上海市委书记陈吉宁发言，介绍城市更新。\n\n会议要求加强大气污染防治，改善空气质量。\n"))
	if err != nil {
		t.Fatal(err)
	}
	en, err := document.Parse("en.txt", []byte("Yangtze notes\n\nA ten-year fishing ban covers the key waters of the Yangtze River basin.\n\nThe mayor opened the new bridge over the river.\n\nThe meeting asked for stronger control of air pollution.\n"))
	if err != nil {
		t.Fatal(err)
	}
	zhIx, _, err := Build(context.Background(), []*document.Document{zh}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	enIx, _, err := Build(context.Background(), []*document.Document{en}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, query string
		ix          *Index
		want        string // the top passage holds it
	}{
		{"en about zh", "How long is the fishing ban?", zhIx, "十年禁渔"},
		{"en about zh, name", "What did Chen Jining talk about?", zhIx, "陈吉宁"},
		{"en about zh, phrase", "What about air pollution?", zhIx, "大气污染"},
		{"zh about en", "长江禁渔多少年？", enIx, "fishing ban"},
		{"zh about en, pollution", "空气污染怎么办？", enIx, "air pollution"},
	} {
		for _, method := range []string{MethodHybrid, MethodLexical} {
			t.Run(tc.name+"/"+method, func(t *testing.T) {
				hits, err := tc.ix.SearchWith(context.Background(), tc.query, 3, method)
				if err != nil {
					t.Fatal(err)
				}
				if len(hits) == 0 || !strings.Contains(hits[0].Text, tc.want) {
					t.Fatalf("top hit %v, want one holding %q", hits, tc.want)
				}
				if !slices.Contains(hits[0].Sources, SourceLexical) {
					t.Errorf("top hit sources %v, want lexical among them", hits[0].Sources)
				}
			})
		}
	}
	// A question in the corpus language is searched as before.
	if q := zhIx.translate("长江禁渔多少年？"); q != nil {
		t.Errorf("a Chinese query on a Chinese index was translated: %+v", q.tr)
	}
	if got := zhIx.corpusLang() + enIx.corpusLang(); got != "zhen" {
		t.Errorf("corpus languages %q, want zh and en", got)
	}
}

// TestGroupIsOneTerm checks the structured BM25: the alternatives of one
// word count as one term, so a passage holding two renderings of one word
// does not beat one holding renderings of two words, and the group's idf
// is that of the union of its alternatives' passages.
func TestGroupIsOneTerm(t *testing.T) {
	texts := []string{"市场和市区的市场", "市场禁渔", "天气晴朗", "天气很好", "今天下雨"}
	lx := newLexicalIndex(texts, bm25Params{})
	tr := lexicon.Query{Groups: []lexicon.Group{
		{Source: "market", Weight: 1, Alts: []lexicon.Alternative{{Text: "市场", Weight: 1}, {Text: "市区", Weight: 0.6}}},
		{Source: "fishing ban", Weight: 1, Alts: []lexicon.Alternative{{Text: "禁渔", Weight: 1}, {Text: "不存在的词", Weight: 1}}},
	}}
	q := lx.prepareGroups(tr)
	if q == nil || len(q.groups) != 2 || len(q.groups[1].alts) != 1 {
		t.Fatalf("prepared groups %+v, want 2 groups, the second with 1 alternative the index holds", q)
	}
	s := lx.accumulateGroups(q)
	top := s.top(5)
	if len(top) != 2 || top[0].doc != 1 || top[1].doc != 0 {
		t.Fatalf("ranking %v, want passage 1 (two words) before passage 0 (one word, twice)", top)
	}
	// Group 1's passages are {0, 1}: its idf is that of df 2 of 5.
	wantIDF := math.Log(1 + (5-2+0.5)/(2+0.5))
	if got := q.groups[0].weight; math.Abs(got-wantIDF) > 1e-9 {
		t.Errorf("group weight %v, want idf %v", got, wantIDF)
	}
	for _, s := range []struct {
		text string
		want bool
	}{{"市场", true}, {"禁渔", true}, {"市", true}, {"市禁", false}, {"market", false}} {
		if got := lx.has(s.text); got != s.want {
			t.Errorf("has(%q) = %v, want %v", s.text, got, s.want)
		}
	}
}

// TestCrossLingualMixedCorpus checks that in a corpus of both languages a
// question finds the passages of its own language too: the question's
// words the index holds are alternatives of their groups.
func TestCrossLingualMixedCorpus(t *testing.T) {
	zh, err := document.Parse("zh.txt", []byte("长江保护\n\n长江流域重点水域实行十年禁渔。\n\n会议要求加强大气污染防治。\n\n上海市委书记陈吉宁发言。\n"))
	if err != nil {
		t.Fatal(err)
	}
	en, err := document.Parse("en.txt", []byte("Bridges\n\nThe mayor opened the new bridge over the river.\n"))
	if err != nil {
		t.Fatal(err)
	}
	ix, _, err := Build(context.Background(), []*document.Document{zh, en}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for query, want := range map[string]string{
		"Who opened the new bridge?":   "bridge",
		"How long is the fishing ban?": "禁渔",
	} {
		hits, err := ix.Search(context.Background(), query, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 || !strings.Contains(hits[0].Text, want) {
			t.Errorf("%q: top hit %v, want one holding %q", query, hits, want)
		}
	}
}
