package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/citebot/citebot/retrieval/text/wordnet/internal/morph"
)

// The parsers of WordNet's database files (see wndb(5WN)). Every line is
// checked against the counts it declares; a malformed line is an error,
// not a guess.

// indexEntry is one line of an index.POS file: a lemma and its synsets
// (byte offsets into data.POS), most frequent sense first.
type indexEntry struct {
	lemma   string
	pos     morph.POS
	offsets []int64
}

// posLetters maps WordNet's part-of-speech letters to parts of speech; s
// (an adjective satellite) counts as an adjective.
var posLetters = map[string]morph.POS{"n": morph.Noun, "v": morph.Verb, "a": morph.Adj, "s": morph.Adj, "r": morph.Adv}

// isLicenceLine reports whether line is part of the licence header that
// opens every index and data file: lines starting with two spaces.
func isLicenceLine(line string) bool { return strings.HasPrefix(line, "  ") }

// parseIndexLine parses a line of an index file:
//
//	lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt synset_offset...
func parseIndexLine(line string) (indexEntry, error) {
	f := strings.Fields(line)
	if len(f) < 6 {
		return indexEntry{}, fmt.Errorf("index line %.40q: too few fields", line)
	}
	pos, ok := posLetters[f[1]]
	if !ok {
		return indexEntry{}, fmt.Errorf("index line %.40q: unknown part of speech %q", line, f[1])
	}
	nsyn, err1 := strconv.Atoi(f[2])
	nptr, err2 := strconv.Atoi(f[3])
	if err1 != nil || err2 != nil || nsyn < 1 || nptr < 0 || nsyn > len(f) || nptr > len(f) || 4+nptr+2+nsyn != len(f) {
		return indexEntry{}, fmt.Errorf("index line %.40q: counts do not match its fields", line)
	}
	e := indexEntry{lemma: f[0], pos: pos, offsets: make([]int64, nsyn)}
	for i, s := range f[4+nptr+2:] {
		off, err := strconv.ParseInt(s, 10, 64)
		if err != nil || off < 0 {
			return indexEntry{}, fmt.Errorf("index line %.40q: bad offset %q", line, s)
		}
		e.offsets[i] = off
	}
	return e, nil
}

// synset is one line of a data file: its words (lowercase, without the
// adjective markers) and pointers.
type synset struct {
	offset int64
	pos    morph.POS
	words  []string
	ptrs   []pointer
}

// pointer is a relation from a synset (source 0) or one of its words
// (source = word number from 1) to another synset or one of its words.
type pointer struct {
	symbol         string
	offset         int64
	pos            morph.POS
	source, target int
}

// parseDataLine parses the part before the gloss of a line of a data file:
//
//	offset lex_filenum ss_type w_cnt [word lex_id]... p_cnt [symbol offset pos src/tgt]... [frames] | gloss
//
// w_cnt and the source/target numbers are hexadecimal.
func parseDataLine(line string) (synset, error) {
	head, _, _ := strings.Cut(line, " | ")
	f := strings.Fields(head)
	bad := func(why string) (synset, error) {
		return synset{}, fmt.Errorf("data line %.40q: %s", line, why)
	}
	if len(f) < 6 {
		return bad("too few fields")
	}
	off, err := strconv.ParseInt(f[0], 10, 64)
	pos, ok := posLetters[f[2]]
	nw, err2 := strconv.ParseUint(f[3], 16, 8)
	if err != nil || off < 0 || !ok || err2 != nil || nw == 0 {
		return bad("bad header")
	}
	at := 4 + 2*int(nw)
	if at >= len(f) {
		return bad("fewer words than declared")
	}
	s := synset{offset: off, pos: pos, words: make([]string, nw)}
	for i := range s.words {
		w := strings.ToLower(f[4+2*i])
		if p := strings.IndexByte(w, '('); p > 0 && strings.HasSuffix(w, ")") {
			w = w[:p] // an adjective's position marker: (a), (p), (ip)
		}
		s.words[i] = w
	}
	np, err := strconv.Atoi(f[at])
	if err != nil || np < 0 || np > len(f) || at+1+4*np > len(f) {
		return bad("pointer count does not match its fields")
	}
	for i := range np {
		p, err := parsePointer(f[at+1+4*i : at+5+4*i])
		if err != nil {
			return bad(err.Error())
		}
		s.ptrs = append(s.ptrs, p)
	}
	return s, nil
}

// parsePointer parses the four fields of a pointer.
func parsePointer(f []string) (pointer, error) {
	off, err := strconv.ParseInt(f[1], 10, 64)
	pos, ok := posLetters[f[2]]
	st, err2 := strconv.ParseUint(f[3], 16, 16)
	if err != nil || off < 0 || !ok || err2 != nil || len(f[3]) != 4 {
		return pointer{}, fmt.Errorf("bad pointer %q", strings.Join(f, " "))
	}
	return pointer{symbol: f[0], offset: off, pos: pos, source: int(st >> 8), target: int(st & 0xFF)}, nil
}

// parseExcLine parses a line of an exception list: an irregular form and
// its lemmas.
func parseExcLine(line string) (form string, lemmas []string, err error) {
	f := strings.Fields(line)
	if len(f) < 2 {
		return "", nil, fmt.Errorf("exception line %.40q: want a form and its lemmas", line)
	}
	return f[0], f[1:], nil
}

// senseTypes maps the synset type digit of a sense key to its part of
// speech (5 is an adjective satellite).
var senseTypes = map[byte]morph.POS{'1': morph.Noun, '2': morph.Verb, '3': morph.Adj, '4': morph.Adv, '5': morph.Adj}

// parseCountLine parses a line of cntlist.rev: a sense key
// (lemma%type:...), the sense number and how often the sense was tagged
// in the semantic concordance. It returns the key's lemma, its part of
// speech and the count.
func parseCountLine(line string) (lemma string, pos morph.POS, count int, err error) {
	f := strings.Fields(line)
	if len(f) != 3 {
		return "", 0, 0, fmt.Errorf("count line %.40q: want 3 fields", line)
	}
	lemma, key, ok := strings.Cut(f[0], "%")
	count, err = strconv.Atoi(f[2])
	if ok = ok && key != ""; ok {
		pos, ok = senseTypes[key[0]]
	}
	if !ok || lemma == "" || err != nil || count < 0 {
		return "", 0, 0, fmt.Errorf("count line %.40q: bad sense key or count", line)
	}
	return strings.ToLower(lemma), pos, count, nil
}
