package lexicon

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// lexiconData is the generated lexicon (see gen.go): gzip-compressed UTF-8
// text derived from CC-CEDICT (CC BY-SA 4.0, see LICENSE-CC-CEDICT.md).
// Lines are
//
//	# ...                              the CC-CEDICT header, then a note
//	&ABAB...                           simplified/traditional character pairs
//	SIMP \t TRAD \t NAME \t GLOSS/GLOSS  one per simplified headword, sorted
//	%syllable \t CHARS                 the characters read that way
//
// TRAD is empty when the character pairs convert SIMP into it; NAME is
// the toneless reading of a proper noun ("chongqing"), else empty.
//
//go:embed lexicon.gz
var lexiconData []byte

// DataSize is the size in bytes of the embedded lexicon data.
func DataSize() int { return len(lexiconData) }

// entry is one headword of the lexicon.
type entry struct {
	simp, trad string
	// glosses are the headword's glosses separated by "/" (see
	// [entry.eachGloss]).
	glosses string
}

// eachGloss calls fn with the index and text of each gloss of e.
func (e entry) eachGloss(fn func(i int, g string)) {
	rest := e.glosses
	for i := 0; rest != ""; i++ {
		g, r, _ := strings.Cut(rest, "/")
		fn(i, g)
		rest = r
	}
}

// posting is a headword with the weight of one English key in its
// glosses.
type posting struct {
	e int32
	w float32
}

// lexicon is the loaded data, read-only after load.
type lexicon struct {
	entries []entry
	// The entries are sorted by simplified headword; byTrad lists those
	// written otherwise in Traditional, sorted by that form (see
	// [lexicon.lookup]).
	byTrad []int32
	// words lists, for an English stem, the headwords whose glosses hold
	// it; phrases, for the stems of a whole sense of two words or more
	// joined by spaces, the headwords with that sense. Both are built on
	// first use (see [lexicon.english]).
	words, phrases postingIndex
	englishOnce    sync.Once
	// names maps a proper noun's toneless reading to its headwords.
	names map[string][]int32
	// syllables maps a toneless pinyin syllable to its characters.
	syllables map[string][]rune
	toTrad    map[rune]rune
	maxRunes  int
}

var (
	loadOnce sync.Once
	loaded   *lexicon
	loadErr  error
)

// get returns the lexicon, loading it on first use.
func get() (*lexicon, error) {
	loadOnce.Do(func() { loaded, loadErr = parseData(lexiconData) })
	return loaded, loadErr
}

// Load loads the embedded lexicon now (it is otherwise loaded by the first
// translation) and reports a damaged data file.
func Load() error {
	_, err := get()
	return err
}

// parseData reads the lexicon data (see lexiconData).
func parseData(data []byte) (*lexicon, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("lexicon: %w", err)
	}
	lx := &lexicon{
		names:     make(map[string][]int32),
		syllables: make(map[string][]rune, 420), toTrad: make(map[rune]rune),
	}
	// A gzip member ends with its uncompressed size (mod 2³²).
	var buf bytes.Buffer
	if n := len(data); n >= 4 {
		buf.Grow(int(binary.LittleEndian.Uint32(data[n-4:])&(1<<26-1)) + 1)
	}
	if _, err := io.Copy(&buf, zr); err != nil {
		return nil, fmt.Errorf("lexicon: %w", err)
	}
	raw := buf.Bytes()
	lx.entries = make([]entry, 0, bytes.Count(raw, []byte{'\n'}))
	// One string for all: every headword and gloss is a part of it.
	for line := range strings.Lines(string(raw)) {
		if err := lx.parseLine(strings.TrimSuffix(line, "\n")); err != nil {
			return nil, err
		}
	}
	if len(lx.entries) == 0 {
		return nil, fmt.Errorf("lexicon: no entries")
	}
	if !slices.IsSortedFunc(lx.entries, func(a, b entry) int { return strings.Compare(a.simp, b.simp) }) {
		return nil, fmt.Errorf("lexicon: headwords out of order")
	}
	slices.SortFunc(lx.byTrad, func(a, b int32) int { return strings.Compare(lx.entries[a].trad, lx.entries[b].trad) })
	return lx, nil
}

func (lx *lexicon) parseLine(line string) error {
	switch {
	case line == "" || line[0] == '#':
	case line[0] == '&':
		rs := []rune(line[1:])
		for i := 0; i+1 < len(rs); i += 2 {
			lx.toTrad[rs[i]] = rs[i+1]
		}
	case line[0] == '%':
		syl, chars, ok := strings.Cut(line[1:], "\t")
		if !ok {
			return fmt.Errorf("lexicon: bad syllable line %q", line)
		}
		lx.syllables[syl] = []rune(chars)
	default:
		simp, rest, ok1 := strings.Cut(line, "\t")
		trad, rest, ok2 := strings.Cut(rest, "\t")
		name, glosses, ok3 := strings.Cut(rest, "\t")
		if !ok1 || !ok2 || !ok3 || simp == "" || strings.Contains(glosses, "\t") {
			return fmt.Errorf("lexicon: bad entry line %q", line)
		}
		lx.add(simp, trad, name, glosses)
	}
	return nil
}

// add indexes one headword.
func (lx *lexicon) add(simp, trad, name, glosses string) {
	if trad == "" {
		trad = lx.convert(simp)
	}
	e := entry{simp: simp, trad: trad, glosses: glosses}
	i := int32(len(lx.entries))
	lx.entries = append(lx.entries, e)
	if trad != simp {
		lx.byTrad = append(lx.byTrad, i)
	}
	lx.maxRunes = max(lx.maxRunes, utf8.RuneCountInString(simp))
	if name != "" {
		lx.names[name] = append(lx.names[name], i)
	}
}

// glossDecay lowers the weight of each later gloss of a headword: the
// first gloss is its most common meaning.
const glossDecay = 0.85

// postingIndex maps keys to lists of weighted headwords, stored flat.
type postingIndex struct {
	ids  map[string]int32
	off  []int32 // the postings of key id are list[off[id]:off[id+1]]
	list []posting
}

// get returns the postings of key.
func (x *postingIndex) get(key string) []posting {
	id, ok := x.ids[key]
	if !ok {
		return nil
	}
	return x.list[x.off[id]:x.off[id+1]]
}

// indexBuilder collects (key, headword, weight) triples, in headword order.
type indexBuilder struct {
	ids      map[string]int32
	keys     []int32
	postings []posting
}

func newIndexBuilder(n int) *indexBuilder {
	return &indexBuilder{ids: make(map[string]int32, n)}
}

// add records that headword e has key with weight w.
func (b *indexBuilder) add(key string, e int32, w float32) {
	id, ok := b.ids[key]
	if !ok {
		id = int32(len(b.ids))
		b.ids[key] = id
	}
	b.keys = append(b.keys, id)
	b.postings = append(b.postings, posting{e, w})
}

// addBytes is add for a key in a reused buffer: its bytes are copied
// only the first time.
func (b *indexBuilder) addBytes(key []byte, e int32, w float32) {
	id, ok := b.ids[string(key)]
	if !ok {
		id = int32(len(b.ids))
		b.ids[string(key)] = id
	}
	b.keys = append(b.keys, id)
	b.postings = append(b.postings, posting{e, w})
}

// build lays the postings out by key, keeping one posting (the largest
// weight) per headword and key.
func (b *indexBuilder) build() postingIndex {
	x := postingIndex{ids: b.ids, off: make([]int32, len(b.ids)+1)}
	for _, id := range b.keys {
		x.off[id+1]++
	}
	for i := range len(b.ids) {
		x.off[i+1] += x.off[i]
	}
	fill := slices.Clone(x.off[:len(b.ids)])
	x.list = make([]posting, len(b.postings))
	for i, id := range b.keys {
		x.list[fill[id]] = b.postings[i]
		fill[id]++
	}
	// Headwords come in order: a repeated one is next to its first.
	out := x.list[:0]
	start := int32(0)
	for id := range len(b.ids) {
		lo, hi := x.off[id], x.off[id+1]
		x.off[id] = start
		for _, p := range x.list[lo:hi] {
			if n := len(out); n > int(start) && out[n-1].e == p.e {
				out[n-1].w = max(out[n-1].w, p.w)
				continue
			}
			out = append(out, p)
		}
		start = int32(len(out))
	}
	x.off[len(b.ids)] = start
	x.list = slices.Clip(out)
	return x
}

// english returns lx with its English indexes built, once.
func (lx *lexicon) english() *lexicon {
	lx.englishOnce.Do(lx.buildEnglish)
	return lx
}

// buildEnglish indexes every gloss sense: each of its content word stems
// gets the headword with weight decay/(number of content words), and a
// sense of several words gets it under its stems, sorted and joined, with
// weight decay (so "fishing ban" finds "ban on fishing").
func (lx *lexicon) buildEnglish() {
	words, phrases := newIndexBuilder(40000), newIndexBuilder(60000)
	var sc stemScanner
	for i, e := range lx.entries {
		e.eachGloss(func(gi int, g string) {
			decay := math.Pow(glossDecay, float64(gi))
			eachSense(g, func(sense string) bool {
				stems := sc.stems(sense)
				if len(stems) == 0 {
					return true
				}
				w := float32(decay / float64(len(stems)))
				for _, st := range stems {
					words.add(st, int32(i), w)
				}
				if len(stems) > 1 {
					phrases.addBytes(sc.joined(), int32(i), float32(decay))
				}
				return true
			})
		})
	}
	lx.words, lx.phrases = words.build(), phrases.build()
}

// eachSense calls fn with each sense of a gloss: its parts separated by
// "; " or ", " ("Yangtze River, or Chang Jiang"); fn returns false to
// stop.
func eachSense(g string, fn func(sense string) bool) {
	for g != "" {
		i := strings.IndexByte(g, ';')
		if j := strings.IndexByte(g, ','); j >= 0 && (i < 0 || j < i) {
			i = j
		}
		if i < 0 {
			fn(g)
			return
		}
		if !fn(g[:i]) {
			return
		}
		g = strings.TrimLeft(g[i+1:], " ")
	}
}

// lookup returns the entry of a simplified or traditional headword (of
// equal forms, the simplified one's).
func (lx *lexicon) lookup(hw string) (int32, bool) {
	i, ok := slices.BinarySearchFunc(lx.entries, hw, func(e entry, hw string) int { return strings.Compare(e.simp, hw) })
	if ok {
		return int32(i), true
	}
	j, ok := slices.BinarySearchFunc(lx.byTrad, hw, func(e int32, hw string) int { return strings.Compare(lx.entries[e].trad, hw) })
	if ok {
		return lx.byTrad[j], true
	}
	return 0, false
}

// mustLookup returns the entry of a headword known to be in the lexicon.
func (lx *lexicon) mustLookup(hw string) int32 {
	i, _ := lx.lookup(hw)
	return i
}

// convert writes a simplified headword in traditional characters.
func (lx *lexicon) convert(simp string) string {
	return strings.Map(func(r rune) rune {
		if t, ok := lx.toTrad[r]; ok {
			return t
		}
		return r
	}, simp)
}

// senseFor returns the first sense of e holding key, a stem or a phrase
// key (see [phraseKey]), or else its first sense, without a leading "to ",
// for a gloss line.
func (e entry) senseFor(key string) string {
	if key != "" {
		var sc stemScanner
		found := ""
		e.eachGloss(func(_ int, g string) {
			eachSense(g, func(sense string) bool {
				stems := sc.stems(sense)
				if slices.Contains(stems, key) || len(stems) > 1 && string(sc.joined()) == key {
					found = strings.TrimPrefix(sense, "to ")
				}
				return found == ""
			})
		})
		if found != "" {
			return found
		}
	}
	return e.firstSense()
}

// firstSense returns the first sense of e's first gloss.
func (e entry) firstSense() string {
	first, _, _ := strings.Cut(e.glosses, "/")
	s, _, _ := strings.Cut(first, "; ")
	return strings.TrimPrefix(s, "to ")
}
