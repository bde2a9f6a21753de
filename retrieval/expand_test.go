package retrieval

import (
	"slices"
	"testing"
)

// TestWordKeysAreLemmas checks that the index keys an English word by its
// lemma, so inflections meet, and leaves numbers and Han text alone.
func TestWordKeysAreLemmas(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"fires died cities went", "fire die city go"},
		{"The Buildings", "the build"},
		{"长江 2018 GDP", "长江 2018 gdp"},
	} {
		if ka, kb := appendTokenKeys(nil, tc.a, false), appendTokenKeys(nil, tc.b, false); !slices.Equal(ka, kb) {
			t.Errorf("keys of %q %v, of %q %v: want equal", tc.a, ka, tc.b, kb)
		}
	}
	if slices.Equal(appendTokenKeys(nil, "news", false), appendTokenKeys(nil, "new", false)) {
		t.Error("news and new share a key")
	}
	// A scanner with a cache gives the keys one without gives.
	ks := keyScanner{cache: true}
	for range 2 {
		if got, want := ks.appendKeys(nil, "Fires fires FIRES", false), appendTokenKeys(nil, "fire fire fire", false); !slices.Equal(got, want) {
			t.Errorf("cached keys %v, want %v", got, want)
		}
	}
}

var expandTexts = []string{
	"The tower has a height of 300 metres and was finished in 1889.",
	"The tower is painted every seven years by a team of workers.",
	"Many people visit the tower each year to see the city.",
	"A fire broke out in the old town and several houses burnt down.",
}

func TestLemmaSearch(t *testing.T) {
	ix := newLexicalIndex(expandTexts, bm25Params{})
	for query, want := range map[string]int32{
		"When did the fires break out?": 3, // fires, broke: fire, break
		"How tall is the tower?":        0, // tall: height, by expansion
	} {
		got := ix.search(query, 1)
		if len(got) == 0 || got[0].doc != want {
			t.Errorf("search(%q) = %v, want passage %d first", query, got, want)
		}
	}
}

func TestExpand(t *testing.T) {
	ix := newLexicalIndex(expandTexts, bm25Params{})
	q := ix.prepare("How tall is the tower?")
	defer ix.release(q)
	if q.own == len(q.terms) {
		t.Fatalf("no related terms added: %d terms", len(q.terms))
	}
	height, ok := ix.terms.get(wordKey("height"))
	if !ok {
		t.Fatal("index lacks height")
	}
	i := slices.Index(q.terms, height)
	if i < q.own {
		t.Fatalf("height is term %d, own terms %d", i, q.own)
	}
	if w := q.weights[i]; w <= 0 || w >= ix.idf[height] {
		t.Errorf("height weighs %v, want in (0, idf %v)", w, ix.idf[height])
	}
	// Related words weigh nothing in the sentence feature.
	if f := features("tall", "Its height is 300 metres."); f.sentence != 0 {
		t.Errorf("sentence feature %v from a related word alone", f.sentence)
	}
	// Questions in other languages are not expanded.
	zq := ix.prepare("塔有多高 tall?")
	defer ix.release(zq)
	if zq.own != len(zq.terms) {
		t.Errorf("Chinese question expanded: %d of %d terms its own", zq.own, len(zq.terms))
	}
}
