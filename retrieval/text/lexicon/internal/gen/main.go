// Command gen builds the lexicon's embedded data file from CC-CEDICT. It is
// run by `go generate ./retrieval/text/lexicon/` at development time; the
// program that ships only reads its output.
//
// Usage:
//
//	go run ./internal/gen -in ../../../../shared/dict/cedict_ts.u8.gz -out lexicon.gz
//
// The output is gzip-compressed UTF-8 text (see the lexicon package's
// data.go for the format): the CC-CEDICT header, one line per simplified
// headword (sorted, for lookup by binary search) of at most maxRunes Han characters with its traditional form,
// its toneless reading when it is a proper noun and up to maxGlosses
// cleaned glosses, then one line per pinyin syllable with the characters
// read that way. Its output is the same for the same input.
package main

import (
	"bufio"
	"cmp"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"log"
	"maps"
	"os"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/citebot/citebot/retrieval/text/lexicon"
)

const (
	maxRunes    = 6  // longest headword kept
	maxGlossLen = 60 // longest gloss kept, in bytes
	// A sense (a gloss or a ";"-separated part of one) of a headword of up
	// to shortRunes characters keeps up to shortWords words, of a longer
	// one up to longWords (which leaves out most four-character idioms:
	// their glosses paraphrase).
	shortRunes = 3
	shortWords = 5
	longWords  = 4
)

// keepSenses returns the senses of gloss g (of a headword of n
// characters) that are short enough to translate a word, joined by "; ".
func keepSenses(g string, n int) string {
	limit := shortWords
	if n > shortRunes {
		limit = longWords
	}
	var kept []string
	for s := range strings.SplitSeq(g, "; ") {
		if len(strings.Fields(s)) <= limit {
			kept = append(kept, s)
		}
	}
	out := strings.Join(kept, "; ")
	for len(out) > maxGlossLen && len(kept) > 1 {
		kept = kept[:len(kept)-1]
		out = strings.Join(kept, "; ")
	}
	if len(out) > maxGlossLen {
		return ""
	}
	return out
}

// maxGlosses is how many glosses a headword of n characters keeps.
func maxGlosses(n int) int {
	if n <= 2 {
		return 3
	}
	return 2
}

func main() {
	in := flag.String("in", "", "CC-CEDICT file (cedict_ts.u8 or .gz)")
	out := flag.String("out", "lexicon.gz", "output file")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		log.Fatal(err)
	}
}

// headword is everything kept of one simplified headword.
type headword struct {
	simp, trad, name string
	glosses          []string
	// proper holds the glosses of proper-noun readings, listed after the
	// others (统一 is "to unify" before it is 7-Eleven).
	proper []string
	refs   []string
}

func run(in, out string) error {
	r, closeDict, err := lexicon.OpenDict(in)
	if err != nil {
		return err
	}
	defer closeDict()
	words, order, header, syll, err := read(r)
	if err != nil {
		return err
	}
	for _, hw := range words {
		hw.glosses = append(hw.glosses, hw.proper...)
	}
	resolve(words)
	tmp := out + ".tmp"
	w, err := os.Create(tmp)
	if err != nil {
		return err
	}
	zw, _ := gzip.NewWriterLevel(w, gzip.BestCompression)
	bw := bufio.NewWriter(zw)
	write(bw, words, order, header, syll)
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, out)
}

// read collects the headwords, in file order, the header lines and the
// syllable table.
func read(r io.Reader) (map[string]*headword, []string, []string, map[string][]rune, error) {
	words := make(map[string]*headword)
	var order, header []string
	syll := make(map[string][]rune)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			header = append(header, line)
			continue
		}
		e, ok, err := lexicon.ParseLine(line)
		if err != nil {
			return nil, nil, nil, nil, fmt.Errorf("line %d: %w", n, err)
		}
		if !ok || !commonHan(e.Simplified) || utf8.RuneCountInString(e.Simplified) > maxRunes {
			continue
		}
		if utf8.RuneCountInString(e.Simplified) == 1 {
			addSyllable(syll, e)
		}
		hw := words[e.Simplified]
		if hw == nil {
			hw = &headword{simp: e.Simplified}
			words[e.Simplified] = hw
			order = append(order, e.Simplified)
		}
		if e.Traditional != e.Simplified && hw.trad == "" {
			hw.trad = e.Traditional
		}
		if e.ProperNoun() && hw.name == "" && utf8.RuneCountInString(e.Simplified) > 1 {
			hw.name, _ = lexicon.Toneless(e.Pinyin)
		}
		for _, g := range e.Glosses {
			if ref, ok := lexicon.Reference(g); ok {
				hw.refs = append(hw.refs, ref)
				continue
			}
			c := keepSenses(lexicon.CleanGloss(g), utf8.RuneCountInString(e.Simplified))
			switch {
			case c == "" || slices.Contains(hw.glosses, c) || slices.Contains(hw.proper, c):
			case e.ProperNoun():
				hw.proper = append(hw.proper, c)
			default:
				hw.glosses = append(hw.glosses, c)
			}
		}
	}
	return words, order, header, syll, sc.Err()
}

// addSyllable records the toneless reading of a one-character entry.
func addSyllable(syll map[string][]rune, e lexicon.Entry) {
	s, ok := lexicon.Toneless(e.Pinyin)
	if !ok || strings.Contains(e.Pinyin, " ") {
		return
	}
	for _, hw := range []string{e.Simplified, e.Traditional} {
		r, _ := utf8.DecodeRuneInString(hw)
		if commonHan(hw) && !slices.Contains(syll[s], r) {
			syll[s] = append(syll[s], r)
		}
	}
}

// resolve gives a headword without glosses of its own those of the
// headwords it refers to ("see 江西省"), as they were before resolving (so
// the result does not depend on the order of the map).
func resolve(words map[string]*headword) {
	own := make(map[string][]string, len(words))
	for s, hw := range words {
		own[s] = hw.glosses
	}
	for s, hw := range words {
		if len(own[s]) > 0 {
			continue
		}
		for _, ref := range hw.refs {
			for _, g := range own[ref] {
				if !slices.Contains(hw.glosses, g) {
					hw.glosses = append(hw.glosses, g)
				}
			}
		}
	}
}

func write(w *bufio.Writer, words map[string]*headword, order, header []string, syll map[string][]rune) {
	for _, h := range header {
		fmt.Fprintln(w, h)
	}
	fmt.Fprintln(w, "# Modified for citebot: glosses cleaned and cut, entries merged per simplified headword.")
	conv := charMap(words)
	var pairs []rune
	for _, s := range slices.Sorted(maps.Keys(conv)) {
		pairs = append(pairs, s, conv[s])
	}
	fmt.Fprintf(w, "&%s\n", string(pairs))
	for _, s := range slices.Sorted(slices.Values(order)) {
		hw := words[s]
		if len(hw.glosses) == 0 && hw.name == "" {
			continue
		}
		n := utf8.RuneCountInString(s)
		g := hw.glosses[:min(len(hw.glosses), maxGlosses(n))]
		trad := hw.trad
		if convert(s, conv) == trad || trad == "" {
			trad = ""
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", hw.simp, trad, hw.name, strings.Join(g, "/"))
	}
	for _, k := range slices.Sorted(maps.Keys(syll)) {
		fmt.Fprintf(w, "%%%s\t%s\n", k, string(syll[k]))
	}
}

// charMap returns, for each simplified character written otherwise in
// Traditional, its most frequent traditional form over the headwords.
func charMap(words map[string]*headword) map[rune]rune {
	counts := make(map[[2]rune]int)
	for _, hw := range words {
		if hw.trad == "" || utf8.RuneCountInString(hw.trad) != utf8.RuneCountInString(hw.simp) {
			continue
		}
		t := []rune(hw.trad)
		for i, r := range []rune(hw.simp) {
			counts[[2]rune{r, t[i]}]++
		}
	}
	best := make(map[rune]rune)
	bestN := make(map[rune]int)
	for _, p := range slices.SortedFunc(maps.Keys(counts), func(a, b [2]rune) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
	}) {
		if n := counts[p]; n > bestN[p[0]] {
			best[p[0]], bestN[p[0]] = p[1], n
		}
	}
	for s, t := range best {
		if s == t {
			delete(best, s)
		}
	}
	return best
}

// convert maps each character of s by conv.
func convert(s string, conv map[rune]rune) string {
	return strings.Map(func(r rune) rune {
		if t, ok := conv[r]; ok {
			return t
		}
		return r
	}, s)
}

// commonHan reports whether s is non-empty and made of characters of the
// CJK Unified Ideographs block (no extensions, radicals or symbols).
func commonHan(s string) bool {
	for _, r := range s {
		if r < 0x4E00 || r > 0x9FFF {
			return false
		}
	}
	return s != ""
}
