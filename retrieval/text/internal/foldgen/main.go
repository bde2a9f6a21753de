// Command foldgen builds retrieval/text's script-folding table from
// CC-CEDICT. It is run by `go generate ./retrieval/text/` at development
// time; the program that ships only compiles its output.
//
// Usage:
//
//	go run ./internal/foldgen -in ../../../shared/dict/cedict_ts.u8.gz -out fold_table.go
//
// The table maps single characters to the character they fold to:
//
//   - every Traditional character of a one-character entry whose
//     Simplified form differs (鐵 铁, 於 于), unless it is a Simplified
//     character in its own right: more often kept in a Simplified form
//     than written otherwise (宁, 么 and 覆 stay), or kept in
//     maxSimplified Simplified forms or more (著 in 著名, 乾 in 乾隆),
//     counted over the characters of every entry, aligned one to one
//     where both forms have the same length. A character with several
//     Simplified forms (餘: 余 or 馀) takes the one its words use most
//     often; a tie goes to the form listed first;
//   - every character all of whose one-character entries are variant
//     notes pointing to one other character ("variant of 冰": 氷 冰) and
//     that no longer entry uses.
//
// Only pairs of Han characters of the Basic Multilingual Plane with
// UTF-8 encodings of the same length are kept, so folding never moves a
// byte offset. Chains are followed to their end (a character folding to
// one that folds in turn takes that one's fold), so folding twice equals
// folding once. The output is the same for the same
// input.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"io"
	"log"
	"maps"
	"os"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/citebot/citebot/retrieval/text/lexicon"
)

func main() {
	in := flag.String("in", "", "CC-CEDICT file (cedict_ts.u8 or .gz)")
	out := flag.String("out", "fold_table.go", "output Go file")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		log.Fatal(err)
	}
}

func run(in, out string) error {
	r, closeDict, err := lexicon.OpenDict(in)
	if err != nil {
		return err
	}
	defer closeDict()
	d, err := read(r)
	if err != nil {
		return err
	}
	src, err := generate(d.table(), d.date, d.entries)
	if err != nil {
		return err
	}
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, src, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, out)
}

// dict is what foldgen keeps of CC-CEDICT.
type dict struct {
	// cands lists, per Traditional character, its other Simplified
	// forms in file order.
	cands map[rune][]rune
	// counts counts the aligned character pairs of all entries, changed
	// how often a Traditional character is written otherwise; simp counts
	// the characters of the Simplified forms, inWords those of the forms
	// of two characters or more.
	counts        map[[2]rune]int
	changed, simp map[rune]int
	inWords       map[rune]int
	// variants maps a character to the target of its variant notes, or
	// to -1 when it has an entry that is not such a note or notes
	// pointing to different characters.
	variants map[rune]rune
	// date and entries are the source's metadata (#! lines).
	date, entries string
}

// read collects the pairs and notes of CC-CEDICT lines.
func read(r io.Reader) (*dict, error) {
	d := &dict{
		cands: make(map[rune][]rune), counts: make(map[[2]rune]int), variants: make(map[rune]rune),
		changed: make(map[rune]int), simp: make(map[rune]int), inWords: make(map[rune]int),
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "#! date="); ok {
			d.date = v
		}
		if v, ok := strings.CutPrefix(line, "#! entries="); ok {
			d.entries = v
		}
		e, ok, err := lexicon.ParseLine(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if ok {
			d.add(e)
		}
	}
	return d, sc.Err()
}

// add records one entry.
func (d *dict) add(e lexicon.Entry) {
	t, s := []rune(e.Traditional), []rune(e.Simplified)
	for _, r := range s {
		d.simp[r]++
		if len(s) > 1 {
			d.inWords[r]++
		}
	}
	if len(t) == len(s) {
		for i := range t {
			if t[i] != s[i] {
				d.counts[[2]rune{t[i], s[i]}]++
				d.changed[t[i]]++
			}
		}
	}
	if len(t) != 1 || len(s) != 1 {
		return
	}
	if t[0] != s[0] {
		if !slices.Contains(d.cands[t[0]], s[0]) {
			d.cands[t[0]] = append(d.cands[t[0]], s[0])
		}
		return
	}
	target := rune(-1)
	for _, g := range e.Glosses {
		v, ok := variantOf(g)
		if !ok {
			d.variants[t[0]] = -1
			return
		}
		if target >= 0 && v != target {
			d.variants[t[0]] = -1
			return
		}
		target = v
	}
	if prev, seen := d.variants[t[0]]; !seen || prev == target {
		d.variants[t[0]] = target
	} else {
		d.variants[t[0]] = -1
	}
}

// variantPrefixes introduce a variant note whose target is the same
// character in another shape ("erhua variant" and "euphemistic variant"
// are other words).
var variantPrefixes = []string{
	"variant of ", "old variant of ", "archaic variant of ", "ancient variant of ", "Japanese variant of ",
	"Taiwan variant of ", "popular variant of ", "less common variant of ", "obscure variant of ",
	"classical variant of ", "erroneous variant of ", "common erroneous variant of ",
	"nonstandard simplified variant of ", "unofficial variant of ",
}

// variantOf returns the one character a variant note points to: its
// Simplified form in "variant of 裏|里[li3]", the character in "variant of
// 冰[bing1]".
func variantOf(g string) (rune, bool) {
	for _, p := range variantPrefixes {
		rest, ok := strings.CutPrefix(g, p)
		if !ok {
			continue
		}
		if end := strings.IndexAny(rest, "[ ,;("); end >= 0 {
			rest = rest[:end]
		}
		if _, s, ok := strings.Cut(rest, "|"); ok {
			rest = s
		}
		r, size := utf8.DecodeRuneInString(rest)
		if size == 0 || size != len(rest) || !unicode.Is(unicode.Han, r) {
			return 0, false
		}
		return r, true
	}
	return 0, false
}

// foldable reports whether the pair from -> to may be in the table: two
// Han characters of the Basic Multilingual Plane, encoded in as many bytes.
func foldable(from, to rune) bool {
	return from != to && from <= 0xFFFF && to <= 0xFFFF && unicode.Is(unicode.Han, from) &&
		unicode.Is(unicode.Han, to) && utf8.RuneLen(from) == utf8.RuneLen(to)
}

// table returns the fold of every character that changes, chains
// followed to their end.
func (d *dict) table() map[rune]rune {
	next := make(map[rune]rune)
	for t, cs := range d.cands {
		if d.changed[t] < d.simp[t] || d.simp[t] >= maxSimplified {
			continue
		}
		best, bestN := rune(-1), -1
		for _, s := range cs {
			if n := d.counts[[2]rune{t, s}]; foldable(t, s) && n > bestN {
				best, bestN = s, n
			}
		}
		if best >= 0 {
			next[t] = best
		}
	}
	for v, target := range d.variants {
		if _, ok := next[v]; !ok && target >= 0 && d.inWords[v] == 0 && foldable(v, target) {
			next[v] = target
		}
	}
	out := make(map[rune]rune, len(next))
	for r := range next {
		if f := end(next, r); f != r {
			out[r] = f
		}
	}
	return out
}

// end follows next from r to a character that folds no further; in a
// cycle, to the cycle's smallest character.
func end(next map[rune]rune, r rune) rune {
	seen := []rune{r}
	for {
		n, ok := next[r]
		if !ok {
			return r
		}
		if i := slices.Index(seen, n); i >= 0 {
			return slices.Min(seen[i:])
		}
		seen = append(seen, n)
		r = n
	}
}

// maxSimplified is how many Simplified forms may use a character that
// still folds: one used in more is a Simplified character in its own right
// (著 in 著名, 乾 in 乾隆), and folding it would merge its words with
// those of a more common character (着, 干) in every Simplified text.
const maxSimplified = 10

// pairsPerLine is how many pairs one line of the generated string holds.
const pairsPerLine = 32

// generate returns the Go source of the table.
func generate(table map[rune]rune, date, entries string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("// Code generated by foldgen from CC-CEDICT; DO NOT EDIT.\n\n")
	b.WriteString("package text\n\n")
	fmt.Fprintf(&b, "// foldPairs is the script-folding table (see fold.go): %d pairs of a\n", len(table))
	b.WriteString("// character and the character it folds to, in code-point order of the\n")
	b.WriteString("// first. It is derived from CC-CEDICT (MDBG), CC BY-SA 4.0\n")
	b.WriteString("// (https://creativecommons.org/licenses/by-sa/4.0/; referenced work:\n")
	b.WriteString("// CEDICT, Copyright (C) 1997, 1998 Paul Andrew Denisowski), modified: only\n")
	b.WriteString("// single-character Traditional-Simplified pairs and variant notes are kept\n")
	fmt.Fprintf(&b, "// (data as of %s, %s entries; see lexicon/LICENSE-CC-CEDICT.md).\n", date, entries)
	b.WriteString("// This table stays under CC BY-SA 4.0.\n")
	b.WriteString("const foldPairs = \"\" +\n")
	keys := slices.Sorted(maps.Keys(table))
	for i := 0; i < len(keys); i += pairsPerLine {
		var line []rune
		for _, r := range keys[i:min(i+pairsPerLine, len(keys))] {
			line = append(line, r, table[r])
		}
		sep := " +"
		if i+pairsPerLine >= len(keys) {
			sep = ""
		}
		fmt.Fprintf(&b, "\t%q%s\n", string(line), sep)
	}
	return format.Source(b.Bytes())
}
