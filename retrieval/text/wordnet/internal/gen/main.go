// Command gen builds the wordnet package's embedded table from the WordNet
// 3.0 database (Debian's wordnet-base, /usr/share/wordnet). It is run by
// `go generate ./retrieval/text/wordnet/` at development time; the program
// that ships only reads its output.
//
// Usage:
//
//	go run ./internal/gen -dict /usr/share/wordnet -out wordnet.gz
//
// The output is gzip-compressed text (see the wordnet package's data.go
// for the format): the WordNet licence, the one-word lemmas with their
// parts of speech, the exceptions to the detachment rules, the synonym
// sets, derivationally related forms and attributes. Its output is the
// same for the same input.
package main

import (
	"bufio"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/citebot/citebot/retrieval/text/wordnet/internal/morph"
)

// maxSense is the last sense of a word (by frequency, in the index's
// order) whose synonyms and attributes the table keeps: later senses are
// rare, and their synonyms mostly noise for a question.
const maxSense = 3

// posFiles are the suffixes of the index, data and exception files.
var posFiles = []struct {
	name string
	pos  morph.POS
}{{"noun", morph.Noun}, {"verb", morph.Verb}, {"adj", morph.Adj}, {"adv", morph.Adv}}

func main() {
	dict := flag.String("dict", "/usr/share/wordnet", "WordNet database folder (index.*, data.*, *.exc, cntlist.rev)")
	out := flag.String("out", "wordnet.gz", "output file")
	flag.Parse()
	if err := run(*dict, *out); err != nil {
		log.Fatal(err)
	}
}

// run reads the database in dict and writes the table to out.
func run(dict, out string) error {
	db, err := readDB(dict)
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	zw, err := gzip.NewWriterLevel(f, gzip.BestCompression)
	if err != nil {
		return err
	}
	if err := db.write(zw); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}

// synKey names a synset: its part of speech's file and byte offset.
type synKey struct {
	pos    morph.POS
	offset int64
}

// wordPOS is a word in one part of speech.
type wordPOS struct {
	word string
	pos  morph.POS
}

// db is what the generator reads of the database.
type db struct {
	// lemmas are the one-word lemmas and their parts of speech.
	lemmas map[string]morph.POS
	// senses lists each lemma's synsets, most frequent first.
	senses  map[wordPOS][]int64
	synsets map[synKey]synset
	// exc lists, per irregular form, its lemmas (nouns, verbs,
	// adjectives, adverbs in that order).
	exc map[string][]wordPOS
	// counts is how often each lemma was tagged in each part of speech.
	counts map[wordPOS]int
	// licence is the licence header of the database files.
	licence []string
}

// readDB reads the index, data, exception and count files of dict.
func readDB(dict string) (*db, error) {
	d := &db{
		lemmas: map[string]morph.POS{}, senses: map[wordPOS][]int64{}, synsets: map[synKey]synset{},
		exc: map[string][]wordPOS{}, counts: map[wordPOS]int{},
	}
	for _, pf := range posFiles {
		if err := eachLine(filepath.Join(dict, "index."+pf.name), func(line string) error {
			if isLicenceLine(line) {
				if pf.pos == morph.Noun {
					d.licence = append(d.licence, strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(line), "0123456789")))
				}
				return nil
			}
			e, err := parseIndexLine(line)
			if err != nil || !morph.IsWord(e.lemma) {
				return err
			}
			d.lemmas[e.lemma] |= e.pos
			d.senses[wordPOS{e.lemma, e.pos}] = e.offsets
			return nil
		}); err != nil {
			return nil, err
		}
		if err := eachLine(filepath.Join(dict, "data."+pf.name), func(line string) error {
			if isLicenceLine(line) {
				return nil
			}
			s, err := parseDataLine(line)
			if err != nil {
				return err
			}
			d.synsets[synKey{pf.pos, s.offset}] = s
			return nil
		}); err != nil {
			return nil, err
		}
		if err := eachLine(filepath.Join(dict, pf.name+".exc"), func(line string) error {
			form, lemmas, err := parseExcLine(line)
			if err != nil {
				return err
			}
			for _, l := range lemmas {
				d.exc[form] = append(d.exc[form], wordPOS{l, pf.pos})
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	err := eachLine(filepath.Join(dict, "cntlist.rev"), func(line string) error {
		lemma, pos, n, err := parseCountLine(line)
		d.counts[wordPOS{lemma, pos}] += n
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(d.lemmas) == 0 || len(d.synsets) == 0 {
		return nil, fmt.Errorf("no WordNet database in %s", dict)
	}
	return d, nil
}

// eachLine calls fn with each line of the file at path (without its line
// end), stopping at the first error.
func eachLine(path string, fn func(string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if line := sc.Text(); line != "" {
			if err := fn(line); err != nil {
				return fmt.Errorf("%s:%d: %w", path, n, err)
			}
		}
	}
	return sc.Err()
}

// write writes the table (see the wordnet package's data.go).
func (d *db) write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for _, l := range d.licence {
		fmt.Fprintf(bw, "# %s\n", l)
	}
	fmt.Fprintln(bw, "# Derived from WordNet 3.0 by citebot's retrieval/text/wordnet/internal/gen: one-word lemmas, exceptions, synonyms, derivations, attributes.")
	for _, w := range sortedKeys(d.lemmas) {
		fmt.Fprintf(bw, "%s\t%s\n", w, posString(d.lemmas[w]))
	}
	overrides := d.overrides()
	if err := d.checkLemmas(overrides); err != nil {
		return err
	}
	for _, o := range overrides {
		fmt.Fprintf(bw, "=%s\t%s\n", o[0], o[1])
	}
	for _, s := range d.synonymSets() {
		fmt.Fprintf(bw, "~%s\n", s)
	}
	for _, rel := range []struct {
		mark string
		m    map[string][]string
	}{{"+", d.derivations()}, {"*", d.attributes()}} {
		for _, w := range sortedKeys(rel.m) {
			fmt.Fprintf(bw, "%s%s\t%s\n", rel.mark, w, strings.Join(rel.m[w], " "))
		}
	}
	return bw.Flush()
}

// posString writes parts of speech as WordNet's letters (n, v, a, r).
func posString(p morph.POS) string {
	var b strings.Builder
	for i, c := range "nvar" {
		if p&(1<<i) != 0 {
			b.WriteRune(c)
		}
	}
	return b.String()
}
