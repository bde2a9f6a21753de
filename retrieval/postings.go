package retrieval

import (
	"encoding/binary"
	"math/bits"
	"slices"
)

// postingBlock is the number of postings in a full compressed block.
const postingBlock = 128

// postings holds the postings of every term, compressed to about 10 bits
// each (a third of the 8 bytes of a passage number and a precomputed
// impact): term t occurs in df[t] passages, listed in ascending order with
// their term frequencies from data[off[t]] on, in blocks of postingBlock
// (the last one shorter). A block is
//
//	gapBits byte, tfBits byte,
//	the gaps, gapBits each, bit-packed little-endian, padded to a byte,
//	the term frequencies less one, tfBits each, likewise;
//
// where a gap is the passage number less the previous one less one (the
// first previous passage of a term is -1). A term found in every passage
// needs no gap bits, a block without repeated terms no tf bits. Impacts are
// computed when a query reads a posting (see [lexicalIndex.accumulate]).
type postings struct {
	data []byte
	off  []int64
	df   []int32
}

// postingPad is the zero tail of data that lets unpack read 4 bytes past
// the end of a block.
const postingPad = 8

// postingsBuilder appends terms' postings in term order.
type postingsBuilder struct {
	p    postings
	vals [postingBlock]uint32
}

// add appends the postings of the next term: passages docs (ascending)
// with term frequencies tfs (at least 1).
func (b *postingsBuilder) add(docs []int32, tfs []uint16) {
	b.p.off = append(b.p.off, int64(len(b.p.data)))
	b.p.df = append(b.p.df, int32(len(docs)))
	prev := int32(-1)
	for lo := 0; lo < len(docs); lo += postingBlock {
		hi := min(lo+postingBlock, len(docs))
		var gapOr, tfOr uint32
		for i, d := range docs[lo:hi] {
			b.vals[i] = uint32(d - prev - 1)
			gapOr |= b.vals[i]
			tfOr |= uint32(tfs[lo+i] - 1)
			prev = d
		}
		gapBits, tfBits := uint(bits.Len32(gapOr)), uint(bits.Len32(tfOr))
		b.p.data = append(b.p.data, byte(gapBits), byte(tfBits))
		b.p.data = appendPacked(b.p.data, b.vals[:hi-lo], gapBits)
		for i, tf := range tfs[lo:hi] {
			b.vals[i] = uint32(tf - 1)
		}
		b.p.data = appendPacked(b.p.data, b.vals[:hi-lo], tfBits)
	}
}

// finish closes the last term and returns the postings.
func (b *postingsBuilder) finish() postings {
	b.p.off = append(b.p.off, int64(len(b.p.data)))
	b.p.data = append(b.p.data, make([]byte, postingPad)...)
	if cap(b.p.data) > len(b.p.data)+len(b.p.data)/16 {
		b.p.data = slices.Clone(b.p.data) // drop the spare capacity
	}
	return b.p
}

// appendPacked appends vals, width bits each, to dst.
func appendPacked(dst []byte, vals []uint32, width uint) []byte {
	if width == 0 {
		return dst
	}
	var acc uint64
	var n uint
	for _, v := range vals {
		acc |= uint64(v) << n
		n += width
		for n >= 8 {
			dst = append(dst, byte(acc))
			acc >>= 8
			n -= 8
		}
	}
	if n > 0 {
		dst = append(dst, byte(acc))
	}
	return dst
}

// unpack reads len(dst) values of width bits from src, which must extend
// at least 4 bytes past the last value's bytes: values are read 32 bits at
// a time into a 64-bit buffer. With gaps each value v is a gap: dst gets
// the running passage number prev+v+1 instead.
func unpack[T int32 | uint32](dst []T, src []byte, width uint, gaps bool, prev T) {
	mask := uint64(1)<<width - 1
	var buf uint64
	var have uint
	j := 0
	for i := range dst {
		if have < width {
			buf |= uint64(binary.LittleEndian.Uint32(src[j:])) << have
			j += 4
			have += 32
		}
		v := T(buf & mask)
		if gaps {
			prev += v + 1
			v = prev
		}
		dst[i] = v
		buf >>= width
		have -= width
	}
}

// postingCursor decodes one term's postings a block at a time.
type postingCursor struct {
	data []byte
	pos  int64
	left int   // postings not yet decoded
	prev int32 // last passage decoded
	// docs and tfs hold the current block: passages and term frequencies
	// less one; hasTF is false when every frequency is one (tfs unset).
	docs  [postingBlock]int32
	tfs   [postingBlock]uint32
	hasTF bool
}

// reset places the cursor at the start of term t's postings.
func (c *postingCursor) reset(p *postings, t int32) {
	c.data, c.pos, c.left, c.prev = p.data, p.off[t], int(p.df[t]), -1
}

// next decodes the next block and returns its length (0 at the end).
func (c *postingCursor) next() int {
	n := min(c.left, postingBlock)
	if n == 0 {
		return 0
	}
	gapBits, tfBits := uint(c.data[c.pos]), uint(c.data[c.pos+1])
	c.pos += 2
	unpack(c.docs[:n], c.data[c.pos:], gapBits, true, c.prev)
	c.prev = c.docs[n-1]
	c.pos += int64((uint(n)*gapBits + 7) / 8)
	c.hasTF = tfBits != 0
	if c.hasTF {
		unpack(c.tfs[:n], c.data[c.pos:], tfBits, false, 0)
		c.pos += int64((uint(n)*tfBits + 7) / 8)
	}
	c.left -= n
	return n
}

// size returns the compressed bytes of term t's postings.
func (p *postings) size(t int32) int64 { return p.off[t+1] - p.off[t] }
