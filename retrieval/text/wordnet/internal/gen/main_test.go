package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/citebot/citebot/retrieval/text/wordnet/internal/morph"
)

func TestParseIndexLine(t *testing.T) {
	e, err := parseIndexLine("height n 4 3 @ ~ = 4 4 05137165 13940456 05002352 05131647  ")
	if err != nil {
		t.Fatal(err)
	}
	if e.lemma != "height" || e.pos != morph.Noun || !slices.Equal(e.offsets, []int64{5137165, 13940456, 5002352, 5131647}) {
		t.Errorf("parsed %+v", e)
	}
	if e, err := parseIndexLine("able a 1 0 1 1 00001740"); err != nil || e.pos != morph.Adj || len(e.offsets) != 1 {
		t.Errorf("no pointers: %+v, %v", e, err)
	}
	for _, bad := range []string{
		"",
		"height n 4 3 @ ~ = 4 4 05137165 13940456 05002352",    // fewer offsets than declared
		"height x 1 0 1 1 05137165",                            // unknown part of speech
		"height n 1 0 1 1 0513x165",                            // bad offset
		"height n 1 0 1 1 -5",                                  // negative offset
		"height n z 0 1 1 05137165",                            // bad count
		"height n 0 0 1 1",                                     // no synsets
		"height n 1 -1 1 1 05137165",                           // negative pointer count
		"height n 1 9999999999999999999999 1 1 05137165 1 2 3", // overflowing count
	} {
		if _, err := parseIndexLine(bad); err == nil {
			t.Errorf("parseIndexLine(%q): no error", bad)
		}
	}
}

func TestParseDataLine(t *testing.T) {
	s, err := parseDataLine("00020103 00 s 02 outback(a) 0 remote 0 003 & 00019874 a 0000 + 05085165 n 0202 + 08505110 n 0101 | inaccessible; \"a remote village\"  ")
	if err != nil {
		t.Fatal(err)
	}
	if s.offset != 20103 || s.pos != morph.Adj || !slices.Equal(s.words, []string{"outback", "remote"}) || len(s.ptrs) != 3 {
		t.Fatalf("parsed %+v", s)
	}
	if p := s.ptrs[1]; p.symbol != "+" || p.offset != 5085165 || p.pos != morph.Noun || p.source != 2 || p.target != 2 {
		t.Errorf("pointer %+v", p)
	}
	v, err := parseDataLine("00001740 29 v 04 breathe 0 take_a_breath 0 respire 0 suspire 3 002 + 03110322 a 0301 ^ 00004227 v 0000 01 + 02 00 | draw air")
	if err != nil || !slices.Equal(v.words, []string{"breathe", "take_a_breath", "respire", "suspire"}) || v.ptrs[0].source != 3 || v.ptrs[0].target != 1 {
		t.Errorf("verb line: %+v, %v", v, err)
	}
	if s, err := parseDataLine("00000001 03 n 01 Paris 0 000 | the capital"); err != nil || s.words[0] != "paris" {
		t.Errorf("capitalised word: %+v, %v", s, err)
	}
	for _, bad := range []string{
		"",
		"00020103 00 q 01 remote 0 000 | x", // unknown part of speech
		"00020103 00 a 00 000 | x",          // no words
		"00020103 00 a 0g remote 0 000 | x", // bad word count
		"00020103 00 a 03 remote 0 000 | x", // fewer words than declared
		"00020103 00 a 01 remote 0 002 + 05085165 n 0202 | x", // fewer pointers than declared
		"00020103 00 a 01 remote 0 001 + 05085165 q 0202 | x", // bad pointer part of speech
		"00020103 00 a 01 remote 0 001 + 05085165 n 02 | x",   // short source/target
		"00020103 00 a 01 remote 0 001 + 0508516x n 0202 | x", // bad pointer offset
		"00020103 00 a 01 remote 0 -01 | x",                   // negative pointer count
		"x0020103 00 a 01 remote 0 000 | x",                   // bad offset
	} {
		if _, err := parseDataLine(bad); err == nil {
			t.Errorf("parseDataLine(%q): no error", bad)
		}
	}
}

func TestParseExcAndCountLines(t *testing.T) {
	if form, lemmas, err := parseExcLine("axes ax axis"); err != nil || form != "axes" || !slices.Equal(lemmas, []string{"ax", "axis"}) {
		t.Errorf("parseExcLine: %q %v %v", form, lemmas, err)
	}
	if _, _, err := parseExcLine("axes"); err == nil {
		t.Error("parseExcLine of a form alone: no error")
	}
	if l, pos, n, err := parseCountLine("Leave%2:38:01:: 1 417"); err != nil || l != "leave" || pos != morph.Verb || n != 417 {
		t.Errorf("parseCountLine: %q %v %d %v", l, pos, n, err)
	}
	if _, pos, _, err := parseCountLine("tall%5:00:00:high:02 1 3"); err != nil || pos != morph.Adj {
		t.Errorf("satellite: %v %v", pos, err)
	}
	for _, bad := range []string{"", "leave 1 417", "leave%9:38:01:: 1 417", "%2:38:01:: 1 4", "leave%2:38:01:: 1 -4", "leave% 1 4", "leave%2 1 x", "a b c d"} {
		if _, _, _, err := parseCountLine(bad); err == nil {
			t.Errorf("parseCountLine(%q): no error", bad)
		}
	}
}

func FuzzParseIndexLine(f *testing.F) {
	f.Add("height n 4 3 @ ~ = 4 4 05137165 13940456 05002352 05131647")
	f.Add("able a 1 0 1 1 00001740")
	f.Fuzz(func(t *testing.T, line string) {
		e, err := parseIndexLine(line)
		if err == nil && (len(e.offsets) == 0 || e.pos == 0 || e.lemma == "") {
			t.Fatalf("%q: accepted %+v", line, e)
		}
	})
}

func FuzzParseDataLine(f *testing.F) {
	f.Add("00020103 00 s 02 outback(a) 0 remote 0 003 & 00019874 a 0000 + 05085165 n 0202 + 08505110 n 0101 | inaccessible")
	f.Add("00001740 29 v 04 breathe 0 take_a_breath 0 respire 0 suspire 3 002 + 03110322 a 0301 ^ 00004227 v 0000 01 + 02 00 | draw air")
	f.Fuzz(func(t *testing.T, line string) {
		s, err := parseDataLine(line)
		if err != nil {
			return
		}
		if len(s.words) == 0 || s.pos == 0 {
			t.Fatalf("%q: accepted %+v", line, s)
		}
		for _, p := range s.ptrs {
			if p.source > 0xFF || p.target > 0xFF || p.offset < 0 || p.pos == 0 {
				t.Fatalf("%q: pointer %+v", line, p)
			}
		}
	})
}

func FuzzParseCountLine(f *testing.F) {
	f.Add("leave%2:38:01:: 1 417")
	f.Add("tall%5:00:00:high:02 1 3")
	f.Fuzz(func(t *testing.T, line string) {
		l, pos, n, err := parseCountLine(line)
		if err == nil && (l == "" || pos == 0 || n < 0 || l != strings.ToLower(l)) {
			t.Fatalf("%q: accepted %q %v %d", line, l, pos, n)
		}
	})
}

// testDB is a small database: saw is a noun and a verb but mostly the
// past of see; evening is a noun, not the verb even, which is rare.
func testDB() *db {
	return &db{
		lemmas: map[string]morph.POS{
			"saw": morph.Noun | morph.Verb, "see": morph.Verb, "evening": morph.Noun, "even": morph.Verb | morph.Adv | morph.Adj,
			"building": morph.Noun, "build": morph.Verb, "doe": morph.Noun, "do": morph.Verb,
		},
		exc: map[string][]wordPOS{"saw": {{"see", morph.Verb}}},
		counts: map[wordPOS]int{
			{"saw", morph.Noun}: 1, {"see", morph.Verb}: 1250, {"evening", morph.Noun}: 30, {"even", morph.Verb}: 2,
			{"even", morph.Adv}: 300, {"building", morph.Noun}: 54, {"build", morph.Verb}: 141, {"do", morph.Verb}: 976,
		},
	}
}

func TestLemmaOf(t *testing.T) {
	d := testDB()
	for form, want := range map[string]string{
		"saw": "see", "evening": "evening", "building": "build", "buildings": "build", "does": "do", "sees": "see", "xyzs": "xyzs",
	} {
		if got := d.lemmaOf(form); got != want {
			t.Errorf("lemmaOf(%q) = %q, want %q", form, got, want)
		}
	}
	overrides := d.overrides()
	if err := d.checkLemmas(overrides); err != nil {
		t.Error(err)
	}
	want := [][2]string{{"building", "build"}, {"buildings", "build"}, {"saw", "see"}}
	var got [][2]string
	for _, o := range overrides {
		if o[0] == "building" || o[0] == "buildings" || o[0] == "saw" || o[0] == "evening" {
			got = append(got, o)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("overrides %v, want %v among them", got, want)
	}
}

// TestGeneratedDataCurrent regenerates the table from the WordNet
// database and compares it with the embedded file: run `go generate
// ./retrieval/text/wordnet/` after changing the generator. It skips when
// the database (Debian's wordnet-base) is not installed, except under
// CI=1.
func TestGeneratedDataCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("regenerating takes a few seconds")
	}
	const dict = "/usr/share/wordnet"
	if _, err := os.Stat(filepath.Join(dict, "index.noun")); err != nil {
		if os.Getenv("CI") == "1" {
			t.Fatalf("WordNet database not found (apt-get install wordnet-base): %v", err)
		}
		t.Skipf("WordNet database not found: %v", err)
	}
	out := filepath.Join(t.TempDir(), "wordnet.gz")
	if err := run(dict, out); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "wordnet.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("wordnet.gz is stale (%d bytes generated, %d embedded): run go generate ./retrieval/text/wordnet/", len(got), len(want))
	}
}
