package wordnet

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/citebot/citebot/retrieval/text/wordnet/internal/morph"
)

// tableData is the generated table (see gen.go): gzip-compressed text
// derived from WordNet 3.0 (see LICENSE-WordNet.md). Lines are
//
//	# ...                  the WordNet licence, then a note
//	WORD \t POS            a one-word lemma and its parts of speech (n v a r)
//	=FORM \t LEMMA         an exception to the detachment rules
//	~WORDn WORDn ...       a synonym set, each word with its sense number
//	+WORD \t WORD WORD ... derivationally related forms
//	*WORD \t WORD WORD ... attributes (a noun and its adjectives)
//
// Words are two or more ASCII lowercase letters; lemma lines come first.
//
//go:embed wordnet.gz
var tableData []byte

// DataSize is the size in bytes of the embedded table.
func DataSize() int { return len(tableData) }

// Fingerprint returns a hash of the embedded table: it changes whenever
// the table does, so an index keyed by lemmas can tell it was built with
// another table.
var Fingerprint = sync.OnceValue(func() string {
	sum := sha256.Sum256(tableData)
	return hex.EncodeToString(sum[:8])
})

// table is the parsed data, read-only after parsing.
type table struct {
	pos       map[string]morph.POS
	exception map[string]string
	// synonyms lists, per word, its synonym sets with its sense number
	// in each; sets holds the sets' members.
	synonyms map[string][]setRef
	sets     [][]member
	derived  map[string][]string
	attrs    map[string][]string
}

// setRef is a word's sense in a synonym set.
type setRef struct {
	set  int32
	rank uint8
}

// member is a word of a synonym set with its sense number there.
type member struct {
	word string
	rank uint8
}

var (
	loadOnce sync.Once
	loaded   *table
	loadErr  error
)

// get returns the table, parsing it on first use.
func get() (*table, error) {
	loadOnce.Do(func() { loaded, loadErr = parseData(tableData) })
	return loaded, loadErr
}

// Load parses the embedded table now (it is otherwise parsed on first use)
// and reports a damaged one.
func Load() error {
	_, err := get()
	return err
}

// parseData reads the table (see tableData).
func parseData(data []byte) (*table, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("wordnet: %w", err)
	}
	// A gzip member ends with its uncompressed size (mod 2³²).
	var buf bytes.Buffer
	if n := len(data); n >= 4 {
		buf.Grow(int(binary.LittleEndian.Uint32(data[n-4:])&(1<<26-1)) + 1)
	}
	if _, err := io.Copy(&buf, zr); err != nil {
		return nil, fmt.Errorf("wordnet: %w", err)
	}
	t := parseText(buf.String())
	if t.err != nil {
		return nil, t.err
	}
	if len(t.pos) == 0 {
		return nil, fmt.Errorf("wordnet: no lemmas")
	}
	return &t.table, nil
}

// parser is the state of parseText.
type parser struct {
	table
	err error
}

// parseText parses the uncompressed table; the words of the table are
// substrings of src.
func parseText(src string) *parser {
	p := &parser{table: table{
		// Sized for the generated table, which has about these many.
		pos: make(map[string]morph.POS, 80000), exception: make(map[string]string, 14000),
		synonyms: make(map[string][]setRef, 44000), derived: make(map[string][]string, 26000), attrs: map[string][]string{},
	}}
	for n := 1; src != "" && p.err == nil; n++ {
		var line string
		line, src, _ = strings.Cut(src, "\n")
		if err := p.line(line); err != nil {
			p.err = fmt.Errorf("wordnet: line %d: %w", n, err)
		}
	}
	return p
}

// line parses one line of the table.
func (p *parser) line(line string) error {
	if line == "" || line[0] == '#' {
		return nil
	}
	switch line[0] {
	case '=':
		form, lemma, ok := strings.Cut(line[1:], "\t")
		if !ok || !morph.IsWord(form) || !morph.IsWord(lemma) {
			return fmt.Errorf("bad exception %.40q", line)
		}
		p.exception[form] = lemma
	case '~':
		return p.synonymSet(line[1:])
	case '+', '*':
		word, rest, ok := strings.Cut(line[1:], "\t")
		words := strings.Fields(rest)
		if !ok || !morph.IsWord(word) || len(words) == 0 || !allWords(words) {
			return fmt.Errorf("bad relation %.40q", line)
		}
		if line[0] == '+' {
			p.derived[word] = words
		} else {
			p.attrs[word] = words
		}
	default:
		word, letters, ok := strings.Cut(line, "\t")
		pos, okPOS := parsePOS(letters)
		if !ok || !okPOS || !morph.IsWord(word) {
			return fmt.Errorf("bad lemma %.40q", line)
		}
		p.pos[word] = pos
	}
	return nil
}

// synonymSet parses the members of a synonym set ("car1 auto1").
func (p *parser) synonymSet(s string) error {
	set := int32(len(p.sets))
	var members []member
	for _, f := range strings.Fields(s) {
		word := strings.TrimRight(f, "0123456789")
		rank, err := strconv.ParseUint(f[len(word):], 10, 8)
		if err != nil || rank == 0 || !morph.IsWord(word) {
			return fmt.Errorf("bad synonym %.40q", f)
		}
		members = append(members, member{word, uint8(rank)})
		p.synonyms[word] = append(p.synonyms[word], setRef{set, uint8(rank)})
	}
	if len(members) < 2 {
		return fmt.Errorf("synonym set of %d words", len(members))
	}
	p.sets = append(p.sets, members)
	return nil
}

// parsePOS reads parts of speech written as WordNet's letters.
func parsePOS(letters string) (morph.POS, bool) {
	var pos morph.POS
	for _, c := range letters {
		i := strings.IndexRune("nvar", c)
		if i < 0 {
			return 0, false
		}
		pos |= 1 << i
	}
	return pos, pos != 0
}

func allWords(words []string) bool {
	for _, w := range words {
		if !morph.IsWord(w) {
			return false
		}
	}
	return true
}
