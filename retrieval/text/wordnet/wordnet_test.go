package wordnet

import (
	"slices"
	"strings"
	"testing"

	"github.com/citebot/citebot/retrieval/text/wordnet/internal/morph"
)

func TestLemma(t *testing.T) {
	for _, tc := range []struct{ word, want string }{
		// Regular inflections, by the detachment rules.
		{"fires", "fire"}, {"died", "die"}, {"cities", "city"}, {"churches", "church"},
		{"larger", "large"}, {"largest", "large"}, {"located", "locate"}, {"women", "woman"},
		// Irregular forms, from the exception lists.
		{"went", "go"}, {"children", "child"}, {"written", "write"}, {"was", "be"}, {"better", "good"},
		// Forms two lemmas share, and lemmas that mostly inflect another.
		{"does", "do"}, {"saw", "see"}, {"left", "leave"}, {"running", "run"},
		{"building", "build"}, {"buildings", "build"},
		// Lemmas that stay.
		{"data", "data"}, {"evening", "evening"}, {"news", "news"}, {"species", "species"}, {"fire", "fire"},
		// Short words are read through the exception lists only.
		{"as", "as"}, {"us", "us"}, {"its", "its"}, {"is", "be"},
		// Not a lowercase ASCII word, or unknown.
		{"", ""}, {"x", "x"}, {"Fires", "Fires"}, {"2018", "2018"}, {"长江", "长江"}, {"cafés", "cafés"}, {"zzzqxs", "zzzqxs"},
	} {
		if got := Lemma(tc.word); got != tc.want {
			t.Errorf("Lemma(%q) = %q, want %q", tc.word, got, tc.want)
		}
	}
}

// TestLemmaIdempotent checks that the lemma of every word and form of the
// table is its own lemma, so that a document and a question that inflect
// a word differently meet on one term.
func TestLemmaIdempotent(t *testing.T) {
	tb, err := get()
	if err != nil {
		t.Fatal(err)
	}
	check := func(w string) {
		if l := Lemma(w); Lemma(l) != l {
			t.Errorf("Lemma(%q) = %q, whose lemma is %q", w, l, Lemma(l))
		}
	}
	for w := range tb.pos {
		check(w)
		for _, r := range morph.Rules {
			if f, ok := r.Form(w); ok {
				check(f)
			}
		}
	}
	for w := range tb.exception {
		check(w)
	}
}

func FuzzLemma(f *testing.F) {
	for _, s := range []string{"fires", "went", "buildings", "as", "", "Ｘ", "caféing", "aaaaies", "sses", "menmen"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, w string) {
		l := Lemma(w)
		if !morph.IsWord(w) && l != w {
			t.Fatalf("Lemma(%q) = %q: not a lowercase word, want it unchanged", w, l)
		}
		if morph.IsWord(w) && !morph.IsWord(l) {
			t.Fatalf("Lemma(%q) = %q: not a word", w, l)
		}
		if Lemma(l) != l {
			t.Fatalf("Lemma(%q) = %q, whose lemma is %q", w, l, Lemma(l))
		}
	})
}

// related returns the words of Related(w) with their relations.
func related(w string) map[string]Relation {
	out := map[string]Relation{}
	for _, r := range Related(w) {
		out[r.Word] = r.Kind
	}
	return out
}

func TestRelated(t *testing.T) {
	for _, tc := range []struct {
		word string
		want map[string]Relation
		not  []string
	}{
		{"die", map[string]Relation{"death": Derivation, "perish": Synonym}, []string{"die", "dying"}},
		{"died", map[string]Relation{"death": Derivation, "perish": Synonym}, []string{"die"}},
		{"height", map[string]Relation{"tall": Attribute, "tallness": Synonym}, []string{"height"}},
		{"tall", map[string]Relation{"height": Attribute, "tallness": Derivation}, nil},
		{"homeless", map[string]Relation{"homelessness": Derivation}, nil},
		{"car", map[string]Relation{"automobile": Synonym}, []string{"car"}},
	} {
		got := related(tc.word)
		for w, kind := range tc.want {
			if got[w] != kind {
				t.Errorf("Related(%q): %q has relation %d, want %d (all: %v)", tc.word, w, got[w], kind, Related(tc.word))
			}
		}
		for _, w := range tc.not {
			if _, ok := got[w]; ok {
				t.Errorf("Related(%q) holds %q", tc.word, w)
			}
		}
	}
	for _, w := range []string{"zzzqxs", "", "GDP", "the"} {
		if got := Related(w); got != nil {
			t.Errorf("Related(%q) = %v, want nil", w, got)
		}
	}
	rs := Related("go")
	if !slices.IsSortedFunc(rs, func(a, b Weighted) int {
		switch {
		case a.Weight > b.Weight:
			return -1
		case a.Weight < b.Weight:
			return 1
		}
		return 0
	}) {
		t.Errorf("Related(go) not heaviest first: %v", rs)
	}
	for _, r := range rs {
		if r.Weight <= 0 || r.Weight > 1 || Lemma(r.Word) != r.Word {
			t.Errorf("Related(go): %+v is not a lemma of weight in (0, 1]", r)
		}
	}
}

func TestParseText(t *testing.T) {
	const good = "# licence\n" +
		"car\tn\nauto\tn\nautomobile\tn\ndie\tnv\ndeath\tn\n" +
		"=went\tgo\n" +
		"~car1 auto1 automobile1\n" +
		"+die\tdeath\n+death\tdie\n" +
		"*height\ttall\n"
	p := parseText(good)
	if p.err != nil {
		t.Fatal(p.err)
	}
	if p.pos["die"] != morph.Noun|morph.Verb || p.exception["went"] != "go" || len(p.sets) != 1 ||
		!slices.Equal(p.derived["die"], []string{"death"}) || !slices.Equal(p.attrs["height"], []string{"tall"}) {
		t.Errorf("parsed %+v", p.table)
	}
	if refs := p.synonyms["auto"]; len(refs) != 1 || refs[0].rank != 1 {
		t.Errorf("synonym refs of auto: %v", refs)
	}
	for _, bad := range []string{
		"car\n",              // no parts of speech
		"car\tq\n",           // unknown part of speech
		"Car\tn\n",           // not lowercase
		"=went\n",            // no lemma
		"=went\tgo away\n",   // not a word
		"~car1\n",            // one word
		"~car0 auto1\n",      // sense 0
		"~car auto1\n",       // no sense number
		"~car1 auto999\n",    // sense out of range
		"+die\t\n",           // no related word
		"*height\ttall 3d\n", // not a word
	} {
		if p := parseText(bad); p.err == nil {
			t.Errorf("parseText(%q): no error", bad)
		}
	}
	if _, err := parseData([]byte("not gzip")); err == nil {
		t.Error("parseData of non-gzip data: no error")
	}
}

func FuzzParseText(f *testing.F) {
	f.Add("car\tn\n=went\tgo\n~car1 auto2\n+die\tdeath\n*height\ttall\n")
	f.Add("# x\n\n~a1\n")
	f.Add("=\t\n+\t\n*x\t \n")
	f.Fuzz(func(t *testing.T, src string) {
		p := parseText(src)
		if p.err != nil {
			return
		}
		for form, l := range p.exception {
			if !morph.IsWord(form) || !morph.IsWord(l) {
				t.Fatalf("exception %q -> %q accepted", form, l)
			}
		}
		for _, set := range p.sets {
			if len(set) < 2 {
				t.Fatalf("set %v accepted", set)
			}
		}
		if strings.Count(src, "\n~") == 0 && !strings.HasPrefix(src, "~") && len(p.sets) > 0 {
			t.Fatalf("sets %v from no set line", p.sets)
		}
	})
}

func TestDataSize(t *testing.T) {
	if n := DataSize(); n < 100_000 || n > 2<<20 {
		t.Errorf("embedded table is %d bytes, want between 100 kB and 2 MB", n)
	}
	if err := Load(); err != nil {
		t.Fatal(err)
	}
	if fp := Fingerprint(); len(fp) != 16 {
		t.Errorf("Fingerprint() = %q", fp)
	}
}

// BenchmarkLoad measures parsing the embedded table (what the first use
// of a process pays).
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := parseData(tableData); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLemma measures Lemma over the words of a sentence.
func BenchmarkLemma(b *testing.B) {
	words := strings.Fields("the normans were the people who in the tenth and eleventh centuries gave their name to normandy a region in france")
	if err := Load(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		for _, w := range words {
			Lemma(w)
		}
	}
}
