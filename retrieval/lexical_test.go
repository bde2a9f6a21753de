package retrieval

import (
	"math"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/citebot/citebot/retrieval/text"
)

var lexTexts = []string{
	"长江经济带发展战略实施近8年来，生态环境保护发生了转折性变化。",
	"上海市委书记陈吉宁先后发言。",
	"要毫不动摇坚持共抓大保护、不搞大开发，完善横向生态保护补偿机制。",
	"臺灣海峽位於臺灣與中國大陸之間。",
	"Nexon developed the game in Korea.",
	"生态优先、绿色发展，以科技创新为引领。生态环境保护和经济社会发展。",
}

// referenceBM25 scores query against texts the slow, obvious way, for
// checking the inverted index.
func referenceBM25(texts []string, query string, k1, b float64) []float64 {
	docs := make([][]string, len(texts))
	total := 0
	for i, t := range texts {
		docs[i] = text.Tokens(t)
		total += len(docs[i])
	}
	avg := float64(total) / float64(len(texts))
	n := float64(len(texts))
	scores := make([]float64, len(texts))
	for _, term := range text.Tokens(stripQuestionWords(query)) {
		df := 0
		for _, d := range docs {
			if slices.Contains(d, term) {
				df++
			}
		}
		if df == 0 {
			continue
		}
		idf := math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5))
		for i, d := range docs {
			tf := 0.0
			for _, tok := range d {
				if tok == term {
					tf++
				}
			}
			if tf > 0 {
				scores[i] += idf * tf * (k1 + 1) / (tf + k1*(1-b+b*float64(len(d))/avg))
			}
		}
	}
	return scores
}

func TestLexicalMatchesReference(t *testing.T) {
	ix := newLexicalIndex(lexTexts, bm25Params{})
	for _, query := range []string{
		"生态环境保护取得了什么成就？",
		"上海市委书记是谁？",
		"臺灣海峽在哪裡",
		"who developed the game",
		"生态生态保护", // a repeated term counts twice
	} {
		t.Run(query, func(t *testing.T) {
			want := referenceBM25(lexTexts, query, DefaultBM25K1, DefaultBM25B)
			hits := ix.search(query, len(lexTexts))
			got := make([]float64, len(lexTexts))
			for _, h := range hits {
				got[h.doc] = float64(h.score)
			}
			for d := range lexTexts {
				if math.Abs(got[d]-want[d]) > 1e-4 {
					t.Errorf("passage %d: search score %.5f, reference %.5f", d, got[d], want[d])
				}
			}
			for i := 1; i < len(hits); i++ {
				if worse(hits[i-1], hits[i]) {
					t.Errorf("hits out of order: %v", hits)
				}
			}
		})
	}
}

func TestLexicalTopKAndTies(t *testing.T) {
	texts := []string{"苹果", "香蕉", "苹果", "苹果", "橘子"}
	ix := newLexicalIndex(texts, bm25Params{})
	got := ix.search("苹果", 2)
	want := []int32{0, 2} // equal scores: lower passage first
	if len(got) != 2 || got[0].doc != want[0] || got[1].doc != want[1] {
		t.Fatalf("search = %v, want passages %v", got, want)
	}
	if hits := ix.search("葡萄", 5); len(hits) != 0 {
		t.Errorf("unknown term returned %v", hits)
	}
	if hits := ix.search("什么？", 5); len(hits) != 0 {
		t.Errorf("question words alone returned %v", hits)
	}
	if hits := ix.search("苹果", 0); hits != nil {
		t.Errorf("k=0 returned %v", hits)
	}
	empty := newLexicalIndex(nil, bm25Params{})
	if hits := empty.search("苹果", 3); hits != nil {
		t.Errorf("empty index returned %v", hits)
	}
}

func TestStripQuestionWords(t *testing.T) {
	tests := []struct{ in, want string }{
		{"上海市委书记是谁？", "上海市委书记 ？"},
		{"臺灣的首都在哪裡？", "臺灣的首都在 ？"},
		{"何立峰出席了吗", "何立峰出席了 "},
		{"为何如此", " 如此"},
		{"请问谁赢了", "  赢了"},
		{"为什么", " "}, // not 为 and 什么
	}
	for _, tt := range tests {
		if got := stripQuestionWords(tt.in); got != tt.want {
			t.Errorf("stripQuestionWords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestTokenKeys checks that the index's key tokenizer sees exactly the
// tokens of text.Tokens.
func TestTokenKeys(t *testing.T) {
	for _, src := range append(slices.Clone(lexTexts), "", "ＡＢＣ１２３ x", "𠀀𠀁 e\u0301cole", "a\xffb长") {
		var want []uint64
		for _, tok := range text.Tokens(src) {
			want = append(want, tokenKey(tok))
		}
		if diff := cmp.Diff(want, appendTokenKeys(nil, src, false)); diff != "" {
			t.Errorf("%q: keys mismatch (-want +got):\n%s", src, diff)
		}
	}
}

func FuzzTokenKeys(f *testing.F) {
	for _, s := range lexTexts {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		var want []uint64
		for _, tok := range text.Tokens(src) {
			want = append(want, tokenKey(tok))
		}
		if got := appendTokenKeys(nil, src, false); !slices.Equal(want, got) {
			t.Fatalf("%q: keys %v, want %v", src, got, want)
		}
	})
}

// features returns the features of a text for query, indexing the text
// as the last passage beside lexTexts (so the idf are those of lexTexts).
func features(query, passage string) passageFeatures {
	ix := newLexicalIndex(append(slices.Clone(lexTexts), passage), bm25Params{})
	q := ix.prepare(query)
	ix.preparePhrases(q)
	return ix.features(q, int32(len(lexTexts)), passage, q.featureScratch())
}

func TestSentenceCoverage(t *testing.T) {
	const q = "生态环境保护"
	if full := features(q, "生态环境保护").sentence; math.Abs(full-1) > 1e-9 {
		t.Errorf("coverage of the query itself = %v, want 1", full)
	}
	split := features(q, "生态很好。环境保护。").sentence
	joined := features(q, "生态很好，环境保护。").sentence
	if !(split < joined && joined < 1) {
		t.Errorf("coverage split %v, joined %v: want split < joined < 1", split, joined)
	}
	if got := features(q, "Nexon developed the game.").sentence; got != 0 {
		t.Errorf("unrelated coverage = %v", got)
	}
	if got := features("苹果", "生态").sentence; got != 0 {
		t.Errorf("coverage for an unknown query = %v", got)
	}
	// Sentences end where text.Sentences ends them: not inside 3.14, but
	// at a line break.
	if a, b := features("developed 14", "Nexon developed 3.14 games."), features("developed 14", "Nexon developed\n14 games."); !(a.sentence > b.sentence) {
		t.Errorf("coverage across 3.14 %v, across a line break %v: want the first higher", a.sentence, b.sentence)
	}
}

func TestPhraseMatch(t *testing.T) {
	const q = "完善横向生态保护补偿机制？"
	copied := features(q, "要完善横向生态保护补偿机制。")
	scattered := features(q, "机制、补偿、保护、生态、横向、完善")
	chars := features(q, "制偿补护保态生向横善完")
	if math.Abs(copied.longest-1) > 1e-9 {
		t.Errorf("longest for the copied phrase = %v, want 1", copied.longest)
	}
	if !(chars.longest < scattered.longest && scattered.longest < copied.longest) {
		t.Errorf("longest: chars %v, scattered %v, copied %v: want increasing", chars.longest, scattered.longest, copied.longest)
	}
	if chars.covered != 0 || scattered.covered < 0.9 {
		t.Errorf("covered: chars %v (want 0), scattered %v (want ~1)", chars.covered, scattered.covered)
	}
	// Latin letters and digits match case-sensitively, inside words too.
	if f := features("型号A330发布", "空客A330客机"); f.longest <= features("型号A330发布", "空客a330客机").longest {
		t.Errorf("A330 matched no better than a330: %+v", f)
	}
}

// TestScriptFolding: a question in one script scores a passage in the
// other as it scores the passage in its own script, in BM25 and in the
// sentence and phrase features alike.
func TestScriptFolding(t *testing.T) {
	ix := newLexicalIndex(lexTexts, bm25Params{})
	trad, simp := ix.search("臺灣海峽在哪裡", 3), ix.search("台湾海峡在哪里", 3)
	if len(trad) == 0 || !slices.Equal(trad, simp) {
		t.Errorf("Traditional question %v, Simplified %v: want the same hits", trad, simp)
	}
	for _, tc := range []struct{ q, passage string }{
		{"坦赞铁路是怎么回事", "坦贊鐵路是連接坦尚尼亞和尚比亞的鐵路。"},
		{"坦贊鐵路是怎麼回事", "坦赞铁路是连接坦桑尼亚和赞比亚的铁路。"},
	} {
		got, want := features(tc.q, tc.passage), features(text.Fold(tc.q), text.Fold(tc.passage))
		if got != want || got.longest < 0.5 || got.sentence == 0 {
			t.Errorf("%q on %q: features %+v, want %+v as in one script", tc.q, tc.passage, got, want)
		}
	}
}

func TestTermTable(t *testing.T) {
	var tt termTable
	if _, ok := tt.get(42); ok {
		t.Fatal("empty table found a key")
	}
	for i := range 5000 {
		tt.put(uint64(i)*7919+1, int32(i))
	}
	for i := range 5000 {
		if v, ok := tt.get(uint64(i)*7919 + 1); !ok || v != int32(i) {
			t.Fatalf("get(%d) = %d, %v", i, v, ok)
		}
	}
	if _, ok := tt.get(2); ok {
		t.Error("found a missing key")
	}
	if tt.len() != 5000 {
		t.Errorf("len = %d", tt.len())
	}
}
