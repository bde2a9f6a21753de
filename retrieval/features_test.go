package retrieval

import (
	"strings"
	"testing"
)

// TestFeatureBoundHoldsForEveryPassage: for every question of two eval
// sets (Chinese and English-heavy) and every passage, the bound from the
// terms a passage holds is at least its weighted features, and the
// pruning that relies on it stays exact (see TestHybridBoundsAreExact).
func TestFeatureBoundHoldsForEveryPassage(t *testing.T) {
	sets := loadEvalSets(t)
	extra := []string{"COVID-19疫苗2021年", "A.D. 1066 Norman", "长江经济带GDP总量", "上海市委书记陈吉宁", "3.5亿元", "“共抓大保护”"}
	for _, s := range sets[:2] {
		ix := buildEvalIndex(t, s, Options{})
		qs := extra
		for _, q := range s.Questions[:min(len(s.Questions), 150)] {
			qs = append(qs, q.Question)
		}
		f := ix.fusion
		tight, total := 0.0, 0.0
		for _, question := range qs {
			if strings.TrimSpace(question) == "" {
				continue
			}
			q := ix.lex.prepare(question)
			ix.lex.preparePhrases(q)
			ix.lex.setFeatureBounds(q, f.Sentence, f.Longest, f.Covered)
			sc := ix.lex.getScratch()
			ix.lex.accumulate(q, sc)
			fs := q.featureScratch()
			for d := range ix.passages {
				ft := ix.lex.features(q, int32(d), ix.passages[d].Text, fs)
				got := f.Sentence*ft.sentence + f.Longest*ft.longest + f.Covered*ft.covered
				b := q.bound.of(sc.mask(int32(d)))
				if got > b+1e-9 {
					t.Fatalf("%s %q passage %d: features %.6f above the bound %.6f (%+v)", s.Name, question, d, got, b, ft)
				}
				tight += got
				total += b
			}
			ix.lex.putScratch(sc)
		}
		t.Logf("%s: features are %.0f%% of their bounds", s.Name, 100*tight/total)
	}
}
