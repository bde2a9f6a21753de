package retrieval

import (
	"unicode/utf8"

	"github.com/citebot/citebot/retrieval/text"
	"github.com/citebot/citebot/retrieval/text/wordnet"
)

// Token keys. Every BM25 token (see text.Tokens) is identified by a 64-bit
// key, so that Han characters and bigrams need no string hashing: a single
// Han character is its code point, a bigram packs both code points with bit
// 62 set, any other token is its FNV-1a hash with bit 63 set. A word is
// keyed by its lemma (wordnet.Lemma: fires and fired are the term fire),
// so a question's inflection need not be the document's.

// tokenKey returns the key of a token given as a string.
func tokenKey(tok string) uint64 {
	r1, n1 := utf8.DecodeRuneInString(tok)
	if n1 == len(tok) && text.IsHan(r1) {
		return uint64(r1)
	}
	if n1 < len(tok) && text.IsHan(r1) {
		r2, n2 := utf8.DecodeRuneInString(tok[n1:])
		if n1+n2 == len(tok) && text.IsHan(r2) {
			return bigramKey(r1, r2)
		}
	}
	return lemmaKey(tok)
}

// lemmaKey is the key of a Word or Number token: that of its lemma.
func lemmaKey(tok string) uint64 {
	return wordKey(wordnet.Lemma(tok))
}

// bigramKey is the key of the Han bigram r1r2.
func bigramKey(r1, r2 rune) uint64 { return 1<<62 | uint64(r1)<<24 | uint64(r2) }

// wordKey is the key of a Word or Number token: FNV-1a with the top bit set.
func wordKey[T string | []byte](tok T) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(tok); i++ {
		h ^= uint64(tok[i])
		h *= 1099511628211
	}
	return h | 1<<63
}

// keyScanner turns the tokens of a text into keys. The zero value is
// ready; fold is scratch for words that need folding. A scanner that
// reads many texts (a build, a pooled query's features) sets cache: it
// then keeps the lemma keys of the words it has seen in lemmas, by their
// surface keys.
type keyScanner struct {
	fold   []byte
	cache  bool
	lemmas map[uint64]uint64
}

// maxCachedLemmas bounds a keyScanner's cache: a scanner that reads many
// passages (a build, a pooled query's features) starts afresh past it.
const maxCachedLemmas = 1 << 16

// wordKey returns the key of the Word or Number tok of src (that of its
// lemma, see [lemmaKey]).
func (k *keyScanner) wordKey(src string, tok text.Token) uint64 {
	span := src[tok.Start:tok.End]
	var key uint64
	if tok.Folded {
		k.fold = text.AppendFolded(k.fold[:0], span)
		key = wordKey(k.fold)
	} else {
		key = wordKey(span)
	}
	if tok.Kind != text.Word {
		return key
	}
	if l, ok := k.lemmas[key]; ok {
		return l
	}
	w := span
	if tok.Folded {
		w = string(k.fold)
	}
	l := lemmaKey(w)
	if k.cache {
		if k.lemmas == nil || len(k.lemmas) >= maxCachedLemmas {
			k.lemmas = make(map[uint64]uint64, 256)
		}
		k.lemmas[key] = l
	}
	return l
}

// appendKeys appends the keys of text.Tokens(src) to dst, in order,
// without building the tokens as strings. With bigramsOnly single Han
// characters are left out.
func (k *keyScanner) appendKeys(dst []uint64, src string, bigramsOnly bool) []uint64 {
	sc := text.NewTokenScanner(src)
	for tok, ok := sc.Next(); ok; tok, ok = sc.Next() {
		if tok.Kind != text.Han {
			dst = append(dst, k.wordKey(src, tok))
			continue
		}
		if !bigramsOnly {
			dst = append(dst, uint64(tok.Rune))
		}
		if tok.Prev >= 0 {
			dst = append(dst, bigramKey(tok.Prev, tok.Rune))
		}
	}
	return dst
}

// appendTokenKeys appends the keys of text.Tokens(src) to dst (see
// [keyScanner.appendKeys]).
func appendTokenKeys(dst []uint64, src string, bigramsOnly bool) []uint64 {
	var k keyScanner
	return k.appendKeys(dst, src, bigramsOnly)
}

// termTable maps token keys (never 0) to int32 values: open addressing
// with linear probing, kept at most half full. It is faster than a Go map
// for the tens of millions of lookups of a large build, and small enough
// to make one per query.
type termTable struct {
	keys []uint64
	vals []int32
	n    int
}

// newTermTable returns a table sized for n keys.
func newTermTable(n int) termTable {
	size := 16
	for size < 2*n {
		size *= 2
	}
	return termTable{keys: make([]uint64, size), vals: make([]int32, size)}
}

// reset empties t and sizes it for n keys, reusing its arrays when they
// are large enough (a pooled query's table).
func (t *termTable) reset(n int) {
	size := 16
	for size < 2*n {
		size *= 2
	}
	if cap(t.keys) < size {
		*t = newTermTable(n)
		return
	}
	t.keys, t.vals, t.n = t.keys[:size], t.vals[:size], 0
	clear(t.keys)
}

// zeroed returns s resized to n zero elements, reusing its array when it
// is large enough.
func zeroed[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

func termSlot(key uint64) uint64 { return (key * 0x9E3779B97F4A7C15) >> 32 }

func (t *termTable) get(key uint64) (int32, bool) {
	if len(t.keys) == 0 {
		return 0, false
	}
	mask := uint64(len(t.keys) - 1)
	for i := termSlot(key) & mask; ; i = (i + 1) & mask {
		switch t.keys[i] {
		case key:
			return t.vals[i], true
		case 0:
			return 0, false
		}
	}
}

// put adds a key that is not in the table.
func (t *termTable) put(key uint64, val int32) {
	if 2*(t.n+1) > len(t.keys) {
		t.grow()
	}
	mask := uint64(len(t.keys) - 1)
	i := termSlot(key) & mask
	for t.keys[i] != 0 {
		i = (i + 1) & mask
	}
	t.keys[i], t.vals[i] = key, val
	t.n++
}

// grow doubles the table (to at least 1024 slots).
func (t *termTable) grow() {
	old, oldVals := t.keys, t.vals
	size := max(1024, 2*len(old))
	t.keys, t.vals, t.n = make([]uint64, size), make([]int32, size), 0
	for i, k := range old {
		if k != 0 {
			t.put(k, oldVals[i])
		}
	}
}

// compact shrinks a table built by growing to the smallest size that
// keeps it at most three quarters full (still short probes), for an
// index that only reads it from now on.
func (t *termTable) compact() {
	c := newCompactTable(t.n)
	if len(c.keys) >= len(t.keys) {
		return
	}
	for i, k := range t.keys {
		if k != 0 {
			c.add(k, t.vals[i])
		}
	}
	*t = c
}

// newCompactTable returns a table for exactly n keys, at most three
// quarters full once they are added with [termTable.add].
func newCompactTable(n int) termTable {
	size := 16
	for 3*size < 4*n {
		size *= 2
	}
	return termTable{keys: make([]uint64, size), vals: make([]int32, size)}
}

// add puts a key (not 0) into a table that has room for it without
// growing, and reports false if the key was already there.
func (t *termTable) add(key uint64, val int32) bool {
	mask := uint64(len(t.keys) - 1)
	i := termSlot(key) & mask
	for ; t.keys[i] != 0; i = (i + 1) & mask {
		if t.keys[i] == key {
			return false
		}
	}
	t.keys[i], t.vals[i] = key, val
	t.n++
	return true
}

// len returns the number of keys.
func (t *termTable) len() int { return t.n }
