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

// TestPooledQueryFeatures: a query taken from the pool after others (its
// memory reused, the rune slots of the last query cleared) has the
// features of a fresh one, and the slot table's fast path agrees with
// the hash lookup it stands in for, including for runes that share their
// low bits (生 U+751F and 蔟 U+851F).
func TestPooledQueryFeatures(t *testing.T) {
	s := loadEvalSets(t)[0]
	ix := buildEvalIndex(t, s, Options{})
	qs := []string{"生蔟生态蔟", "长江经济带GDP总量", "A.D. 1066 Norman"}
	for _, q := range s.Questions[:min(len(s.Questions), 60)] {
		qs = append(qs, q.Question)
	}
	fresh := func(question string, hashOnly bool) *lexQuery {
		q := ix.lex.prepare(question)
		q.phraseBuf, q.phrases = phraseQuery{}, nil
		ix.lex.preparePhrases(q)
		if hashOnly {
			for i := range q.phrases.slot {
				q.phrases.slot[i] = -1
			}
		}
		return q
	}
	for i, question := range qs {
		if strings.TrimSpace(question) == "" {
			continue
		}
		// The pool hands back the query released on the last round.
		pooled := ix.lex.prepare(question)
		ix.lex.preparePhrases(pooled)
		want, slow := fresh(question, false), fresh(question, true)
		for d := range ix.passages {
			text := ix.passages[d].Text
			got := ix.lex.features(pooled, int32(d), text, pooled.featureScratch())
			if w := ix.lex.features(want, int32(d), text, want.featureScratch()); got != w {
				t.Fatalf("question %d %q passage %d: pooled features %+v, fresh %+v", i, question, d, got, w)
			}
			if w := ix.lex.features(slow, int32(d), text, slow.featureScratch()); got != w {
				t.Fatalf("question %d %q passage %d: slot features %+v, hash lookup %+v", i, question, d, got, w)
			}
		}
		ix.lex.release(pooled)
	}
	if g, ok := fresh("生蔟", false).phrases.group('蔟'); !ok || g != 1 {
		t.Errorf("group of 蔟 after 生 (same low bits) = %d, %v; want 1, true", g, ok)
	}
}
