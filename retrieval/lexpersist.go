package retrieval

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"sync"

	"github.com/citebot/citebot/retrieval/text"
	"github.com/citebot/citebot/retrieval/text/wordnet"
)

// The lexical section of a snapshot follows the vectors, so that a restart
// (or a `citebot eval`) reads the BM25 index instead of tokenising every
// passage again: the build is most of the start-up time of a small corpus
// and seconds at 100k passages. Layout (little-endian):
//
//	nt       uint32         terms
//	keys     nt × uint64    the token key of each term, by term number
//	idf      nt × float32
//	df       nt × int32     passages per term
//	off      (nt+1) × int64 where each term's postings start in data
//	data     off[nt] bytes  the compressed postings (see [postings])
//	norm     n × float64    the passages' BM25 length norms
//	sentOff  (n+1) × int32  the sentence ends of each passage ...
//	sentEnd  sentOff[n] × uint32 ... as byte offsets of its text
//
// Everything is checked on load (counts, offsets, every posting decoded
// against the passage count), beyond the file's checksum, so a snapshot
// that passes is one the query code can read without going out of range.
// The term table is rebuilt from the keys. The snapshot key includes
// [lexicalFingerprint], so a change of the tokenizer or of the sentence
// rules makes old snapshots stale rather than wrong.

// lexicalFormat names the section's layout and the BM25 parameters; bump
// it when either changes.
const lexicalFormat = "lexical-1"

// lexicalProbe exercises the tokenizer and the sentence rules: Han runs,
// Traditional characters and variants (script folding), words with case
// and width folding, numbers, abbreviations, decimals, quotes and mixed
// scripts.
const lexicalProbe = "长江经济带发展座谈会在武汉召开。Mr. Smith arrived in the U.S. at 3.5 p.m.; " +
	"ＧＤＰ增长６．５％，「共抓大保护、不搞大开发」！Is it 2018? Yes—e.g. COVID-19 and Ｘｉ’s “talk”…\n第二段。" +
	"坦贊鐵路於1976年通車，氷河。"

// lexicalFingerprint returns a hash of the lexical format, the BM25
// parameters, the lemma table, what the tokenizer and sentence splitter
// make of [lexicalProbe] and the script-folding table (every character
// the tokenizer may fold, with its fold). It goes into the snapshot key.
var lexicalFingerprint = sync.OnceValue(func() string {
	h := sha256.New()
	h.Write([]byte(lexicalFormat))
	fmt.Fprint(h, DefaultBM25K1, DefaultBM25B)
	fmt.Fprint(h, "lemmas", wordnet.Fingerprint())
	var b [8]byte
	for _, k := range appendTokenKeys(nil, lexicalProbe, false) {
		binary.LittleEndian.PutUint64(b[:], k)
		h.Write(b[:])
	}
	for r := rune(0x3400); r <= 0xFFFF; r++ {
		if f := text.FoldRune(r); f != r {
			binary.LittleEndian.PutUint64(b[:], uint64(r)<<32|uint64(f))
			h.Write(b[:])
		}
	}
	off, ends := sentenceEnds([]string{lexicalProbe})
	for _, e := range ends[off[0]:off[1]] {
		h.Write(strconv.AppendUint(b[:0], uint64(e), 10))
	}
	return fmt.Sprintf("%x", h.Sum(nil)[:16])
})

// termKeys returns the key of each term, by term number.
func (ix *lexicalIndex) termKeys() []uint64 {
	keys := make([]uint64, ix.terms.len())
	for i, k := range ix.terms.keys {
		if k != 0 {
			keys[ix.terms.vals[i]] = k
		}
	}
	return keys
}

// writeLexical writes the lexical section; errors surface at w.Flush.
func writeLexical(w *bufio.Writer, ix *lexicalIndex) {
	keys := ix.termKeys()
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(len(keys)))
	w.Write(b[:])
	for _, v := range []any{keys, ix.idf, ix.post.df, ix.post.off} {
		binary.Write(w, binary.LittleEndian, v)
	}
	w.Write(ix.post.data[:ix.post.off[len(keys)]])
	for _, v := range []any{ix.norm, ix.sentOff, ix.sentEnd} {
		binary.Write(w, binary.LittleEndian, v)
	}
}

// lexical reads the lexical section of a snapshot of passages whose texts
// are texts, checking only what bounds its allocations. It returns the
// index without its term table and the terms' keys: see
// [lexicalIndex.restore].
func (r *snapshotReader) lexical(texts []string) (*lexicalIndex, []uint64, error) {
	n := len(texts)
	var b [4]byte
	if _, err := io.ReadFull(r.body, b[:]); err != nil {
		return nil, nil, fmt.Errorf("%w: lexical terms: %v", errCorrupt, err)
	}
	nt := int(binary.LittleEndian.Uint32(b[:]))
	// Each term takes at least 25 bytes (key, idf, df, offset, a block
	// header): check before allocating.
	if int64(nt)*25 > r.size {
		return nil, nil, fmt.Errorf("%w: %d bytes cannot hold %d terms", errCorrupt, r.size, nt)
	}
	ix := &lexicalIndex{params: bm25Params{}.withDefaults(), n: n}
	keys := make([]uint64, nt)
	ix.idf, ix.post.df, ix.post.off = make([]float32, nt), make([]int32, nt), make([]int64, nt+1)
	if err := r.read("lexical terms", keys, ix.idf, ix.post.df, ix.post.off); err != nil {
		return nil, nil, err
	}
	size := ix.post.off[nt]
	if size < 0 || size > r.size {
		return nil, nil, fmt.Errorf("%w: postings of %d bytes", errCorrupt, size)
	}
	ix.post.data = make([]byte, size+postingPad)
	if _, err := io.ReadFull(r.body, ix.post.data[:size]); err != nil {
		return nil, nil, fmt.Errorf("%w: postings: %v", errCorrupt, err)
	}
	ix.norm, ix.sentOff = make([]float64, n), make([]int32, n+1)
	if err := r.read("passage norms", ix.norm, ix.sentOff); err != nil {
		return nil, nil, err
	}
	if err := checkSentences(ix.sentOff, r.size); err != nil {
		return nil, nil, err
	}
	ix.sentEnd = make([]uint32, ix.sentOff[n])
	if err := r.read("sentence ends", ix.sentEnd); err != nil {
		return nil, nil, err
	}
	return ix, keys, nil
}

// read reads little-endian values into each of dst in turn (slices of
// uint64, int64, int32, uint32, float32 or float64), through one small
// buffer: binary.Read would allocate a copy of each, and a fresh page
// costs more than decoding it.
func (r *snapshotReader) read(what string, dst ...any) error {
	var buf [8 << 10]byte
	for _, d := range dst {
		var err error
		switch d := d.(type) {
		case []uint64:
			err = readLE(r.body, d, buf[:], 8, func(b []byte) uint64 { return binary.LittleEndian.Uint64(b) })
		case []int64:
			err = readLE(r.body, d, buf[:], 8, func(b []byte) int64 { return int64(binary.LittleEndian.Uint64(b)) })
		case []float64:
			err = readLE(r.body, d, buf[:], 8, func(b []byte) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b)) })
		case []int32:
			err = readLE(r.body, d, buf[:], 4, func(b []byte) int32 { return int32(binary.LittleEndian.Uint32(b)) })
		case []uint32:
			err = readLE(r.body, d, buf[:], 4, binary.LittleEndian.Uint32)
		case []float32:
			err = readLE(r.body, d, buf[:], 4, func(b []byte) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(b)) })
		default:
			panic(fmt.Sprintf("snapshotReader.read: %T", d))
		}
		if err != nil {
			return fmt.Errorf("%w: %s: %v", errCorrupt, what, err)
		}
	}
	return nil
}

// readLE fills dst with values of size bytes read from r through buf.
func readLE[T any](r io.Reader, dst []T, buf []byte, size int, decode func([]byte) T) error {
	per := len(buf) / size
	for i := 0; i < len(dst); i += per {
		n := min(per, len(dst)-i)
		if _, err := io.ReadFull(r, buf[:n*size]); err != nil {
			return err
		}
		for j := range n {
			dst[i+j] = decode(buf[j*size:])
		}
	}
	return nil
}

// checkSentences checks that the sentence offsets ascend from 0 and fit
// in a file of size bytes.
func checkSentences(off []int32, size int64) error {
	if off[0] != 0 {
		return fmt.Errorf("%w: sentence offsets", errCorrupt)
	}
	for d := range len(off) - 1 {
		if off[d+1] < off[d] {
			return fmt.Errorf("%w: sentence offsets of passage %d", errCorrupt, d)
		}
	}
	if n := off[len(off)-1]; int64(n)*4 > size {
		return fmt.Errorf("%w: %d sentence ends", errCorrupt, n)
	}
	return nil
}

// restore checks a read lexical index against its passages' texts, fills
// its term table from keys and readies it for queries.
func (ix *lexicalIndex) restore(keys []uint64, texts []string) error {
	for d, t := range texts {
		if x := ix.norm[d]; !(x > 0) || math.IsInf(x, 0) {
			return fmt.Errorf("%w: norm of passage %d", errCorrupt, d)
		}
		prev := uint32(0)
		for _, e := range ix.sentences(int32(d)) {
			if e < prev || int(e) > len(t) {
				return fmt.Errorf("%w: sentence end %d of passage %d", errCorrupt, e, d)
			}
			prev = e
		}
	}
	ix.terms = newCompactTable(len(keys))
	for t, k := range keys {
		if k == 0 || !ix.terms.add(k, int32(t)) {
			return fmt.Errorf("%w: term %d key", errCorrupt, t)
		}
		if x := ix.idf[t]; math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Errorf("%w: idf of term %d", errCorrupt, t)
		}
	}
	if err := ix.post.check(ix.n); err != nil {
		return err
	}
	ix.initScratch()
	return nil
}

// check decodes every term's postings and checks that they stay inside
// their bytes and list ascending passage numbers below n with frequencies
// up to 65536.
func (p *postings) check(n int) error {
	if p.off[0] != 0 {
		return fmt.Errorf("%w: postings offsets", errCorrupt)
	}
	var c postingCursor
	for t := range p.df {
		end := p.off[t+1]
		if df := p.df[t]; df < 1 || int(df) > n || end < p.off[t] {
			return fmt.Errorf("%w: postings of term %d", errCorrupt, t)
		}
		c.reset(p, int32(t))
		for c.left > 0 {
			if c.pos+2 > end || c.data[c.pos] > 32 || c.data[c.pos+1] > 16 {
				return fmt.Errorf("%w: postings block of term %d", errCorrupt, t)
			}
			k := int64(min(c.left, postingBlock))
			gapBits, tfBits := int64(c.data[c.pos]), int64(c.data[c.pos+1])
			if c.pos+2+(k*gapBits+7)/8+(k*tfBits+7)/8 > end {
				return fmt.Errorf("%w: postings block of term %d", errCorrupt, t)
			}
			prev := c.prev
			c.next()
			for _, d := range c.docs[:k] {
				if d <= prev || d >= int32(n) {
					return fmt.Errorf("%w: passage number in term %d", errCorrupt, t)
				}
				prev = d
			}
		}
		if c.pos != end {
			return fmt.Errorf("%w: postings length of term %d", errCorrupt, t)
		}
	}
	return nil
}
