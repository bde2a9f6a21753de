package retrieval

import (
	"container/heap"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/citebot/citebot/retrieval/text"
)

// BM25 parameters used by [Build]: the textbook values. A grid over k1
// 0.8-2.0 and b 0.5-0.9 on the eval sets moved recall@1 by less than half
// a point either way, with no setting better on every set, so they stay.
const (
	DefaultBM25K1 = 1.2
	DefaultBM25B  = 0.75
)

// bm25Params tunes the lexical retriever. Zero fields mean the defaults.
type bm25Params struct {
	// K1 controls term frequency saturation (default [DefaultBM25K1]).
	K1 float64
	// B controls document length normalisation, (0, 1] (default
	// [DefaultBM25B]).
	B float64
	// bigramsOnly drops single Han characters from the terms (for
	// measuring the tokenizer choice; see TestTokenizerChoice).
	bigramsOnly bool
}

func (p bm25Params) withDefaults() bm25Params {
	if p.K1 <= 0 {
		p.K1 = DefaultBM25K1
	}
	if p.B <= 0 {
		p.B = DefaultBM25B
	}
	p.B = min(p.B, 1)
	return p
}

// lexicalIndex is a BM25 index over passages, built once and then read-only:
// it is safe for concurrent use by multiple goroutines.
//
// Terms are the tokens of text.Tokens, identified by a 64-bit key (see
// tokenKey) so that Han characters and bigrams need no string hashing.
// Postings are stored flat: the postings of term t are docs[off[t]:off[t+1]]
// (ascending passage numbers) with impact[i] the precomputed BM25 term
// frequency factor tf*(k1+1)/(tf+k1*(1-b+b*len/avglen)) of that passage. A
// query multiplies it by the term's idf and accumulates per passage.
type lexicalIndex struct {
	params  bm25Params
	n       int
	terms   termTable
	idf     []float32
	off     []int64
	docs    []int32
	impact  []float32
	scratch sync.Pool // *lexScratch
}

type lexScratch struct {
	acc     []float32
	touched []int32
}

// scored is one result: passage number and score.
type scored struct {
	doc   int32
	score float32
}

// newLexicalIndex builds a BM25 index over texts, numbered by position.
func newLexicalIndex(texts []string, params bm25Params) *lexicalIndex {
	p := params.withDefaults()
	ix := &lexicalIndex{params: p, n: len(texts)}
	var bytes int
	for _, t := range texts {
		bytes += len(t)
	}

	// Pass 1: tokenise, intern terms and count each passage's term
	// frequencies into flat (term, tf) lists. lastDoc/slot find a term's
	// entry in the current passage's list without sorting or a map.
	var (
		df       []int32
		lastDoc  []int32                     // per term: passage number + 1 that last used it
		slotOf   []int32                     // per term: its index in the current passage's list
		pairTerm = make([]int32, 0, bytes/2) // about one distinct term per 2 bytes of Chinese
		pairTF   = make([]uint16, 0, bytes/2)
		docStart = make([]int64, len(texts)+1)
		lengths  = make([]int32, len(texts))
		keys     []uint64
		total    int64
	)
	for d, src := range texts {
		keys = appendTokenKeys(keys[:0], src, p.bigramsOnly)
		first := int32(len(pairTerm))
		for _, key := range keys {
			t, ok := ix.terms.get(key)
			if !ok {
				t = int32(len(df))
				ix.terms.put(key, t)
				df = append(df, 0)
				lastDoc = append(lastDoc, 0)
				slotOf = append(slotOf, 0)
			}
			if lastDoc[t] == int32(d+1) {
				if at := first + slotOf[t]; pairTF[at] < math.MaxUint16 {
					pairTF[at]++
				}
				continue
			}
			lastDoc[t] = int32(d + 1)
			slotOf[t] = int32(len(pairTerm)) - first
			pairTerm = append(pairTerm, t)
			pairTF = append(pairTF, 1)
			df[t]++
		}
		docStart[d+1] = int64(len(pairTerm))
		lengths[d] = int32(len(keys))
		total += int64(len(keys))
	}
	lastDoc, slotOf = nil, nil

	// Pass 2: lay the postings out by term, in passage order.
	nt := len(df)
	ix.off = make([]int64, nt+1)
	for t, c := range df {
		ix.off[t+1] = ix.off[t] + int64(c)
	}
	ix.docs = make([]int32, ix.off[nt])
	ix.impact = make([]float32, ix.off[nt])
	fill := slices.Clone(ix.off[:nt])
	avg := 1.0
	if len(texts) > 0 && total > 0 {
		avg = float64(total) / float64(len(texts))
	}
	k1, b := p.K1, p.B
	for d := range texts {
		norm := k1 * (1 - b + b*float64(lengths[d])/avg)
		for at := docStart[d]; at < docStart[d+1]; at++ {
			t, f := pairTerm[at], float64(pairTF[at])
			ix.docs[fill[t]] = int32(d)
			ix.impact[fill[t]] = float32(f * (k1 + 1) / (f + norm))
			fill[t]++
		}
	}

	ix.idf = make([]float32, nt)
	n := float64(len(texts))
	for t, c := range df {
		ix.idf[t] = float32(math.Log(1 + (n-float64(c)+0.5)/(float64(c)+0.5)))
	}
	ix.scratch.New = func() any {
		return &lexScratch{acc: make([]float32, ix.n)}
	}
	return ix
}

// appendTokenKeys appends the keys (see tokenKey) of text.Tokens(text)
// to dst, without building the Han tokens as strings: Han runes are keyed
// directly, runs of other letters and digits go through
// text.AppendTokens. With bigramsOnly single Han characters are left
// out.
func appendTokenKeys(dst []uint64, src string, bigramsOnly bool) []uint64 {
	var toks []string
	wordStart := -1
	flushWord := func(end int) {
		if wordStart < 0 {
			return
		}
		toks = text.AppendTokens(toks[:0], src[wordStart:end])
		for _, tok := range toks {
			dst = append(dst, tokenKey(tok))
		}
		wordStart = -1
	}
	prev := rune(-1)
	for i, r := range src {
		if text.IsHan(r) {
			flushWord(i)
			if !bigramsOnly {
				dst = append(dst, uint64(r))
			}
			if prev >= 0 {
				dst = append(dst, bigramKey(prev, r))
			}
			prev = r
			continue
		}
		prev = -1
		if isWordRune(r) {
			if wordStart < 0 {
				wordStart = i
			}
			continue
		}
		flushWord(i)
	}
	flushWord(len(src))
	return dst
}

// isWordRune reports whether a non-Han rune belongs to a word or number
// token (text.AppendTokens decides how a run of them splits).
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// search returns the k best passages for query by BM25, best first; ties
// go to the lower passage number. Passages sharing no term with the query
// are not returned.
func (ix *lexicalIndex) search(query string, k int) []scored {
	if k <= 0 || ix.n == 0 {
		return nil
	}
	return ix.searchPrepared(ix.prepare(query), k)
}

// searchPrepared is search for a prepared query.
func (ix *lexicalIndex) searchPrepared(q *lexQuery, k int) []scored {
	if k <= 0 || len(q.terms) == 0 {
		return nil
	}
	s := ix.scratch.Get().(*lexScratch)
	acc, touched := s.acc, s.touched[:0]
	for i, t := range q.terms {
		w := q.weights[i]
		lo, hi := ix.off[t], ix.off[t+1]
		docs, imp := ix.docs[lo:hi], ix.impact[lo:hi]
		for j, d := range docs {
			if acc[d] == 0 {
				touched = append(touched, d)
			}
			acc[d] += w * imp[j]
		}
	}
	hits := topK(acc, touched, k)
	for _, d := range touched {
		acc[d] = 0
	}
	s.touched = touched
	ix.scratch.Put(s)
	return hits
}

// topK selects the k highest scores among the touched passages with a
// min-heap of size k, then sorts them best first (ties: lower number first).
func topK(acc []float32, touched []int32, k int) []scored {
	h := make(scoredHeap, 0, min(k, len(touched)))
	for _, d := range touched {
		sc := acc[d]
		if len(h) < k {
			heap.Push(&h, scored{d, sc})
			continue
		}
		if worse(h[0], scored{d, sc}) {
			h[0] = scored{d, sc}
			heap.Fix(&h, 0)
		}
	}
	slices.SortFunc(h, compareScored)
	return h
}

// compareScored orders best first (ties: lower number first).
func compareScored(a, b scored) int {
	if worse(a, b) {
		return 1
	}
	if worse(b, a) {
		return -1
	}
	return 0
}

// worse reports whether a ranks below b.
func worse(a, b scored) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	return a.doc > b.doc
}

// scoredHeap is a min-heap: the worst kept hit is at the top.
type scoredHeap []scored

func (h scoredHeap) Len() int           { return len(h) }
func (h scoredHeap) Less(i, j int) bool { return worse(h[i], h[j]) }
func (h scoredHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *scoredHeap) Push(x any)        { *h = append(*h, x.(scored)) }
func (h *scoredHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// lexQuery is a query prepared once for scoring several passages.
type lexQuery struct {
	terms   []int32
	weights []float32
	// slot maps a query token's key (see tokenKey) to its index in terms.
	slot map[uint64]int32
	// filter is a 1024-bit Bloom filter over the keys in slot, so that
	// scanning a passage rejects most of its tokens without a map lookup.
	filter [16]uint64
	// idfSum is the summed idf of the distinct query terms.
	idfSum float64
	// text is the query without question words.
	src string
	// runes and runeIDF are the query's runes and their weights for
	// phraseMatch (see preparePhrases); runeSum sums the positive weights.
	runes   []rune
	runeIDF []float64
	runeSum float64
	// runeAt lists the query positions of each phrase rune; runeFilter is
	// a 4096-bit filter over those runes.
	runeAt     map[rune][]int32
	runeFilter [64]uint64
}

// questionWords are Chinese interrogatives and question particles. They
// say what kind of answer is wanted, not what it is about, and match
// passages only by accident, so queries drop them (measured on the eval
// sets: +0.6 point recall@1 on cmrc2018_trial, neutral on drcd_dev). A lone
// 何 is kept: it is a common surname (何立峰).
var questionWords = strings.NewReplacer(
	"什么", " ", "什麼", " ", "甚麼", " ", "甚么", " ",
	"哪些", " ", "哪個", " ", "哪个", " ", "哪一", " ", "哪", " ",
	"谁", " ", "誰", " ", "多少", " ", "几", " ", "幾", " ",
	"為何", " ", "为何", " ", "如何", " ", "何时", " ", "何時", " ", "何地", " ",
	"何人", " ", "何种", " ", "何種", " ", "何年", " ",
	"怎么", " ", "怎麼", " ", "怎样", " ", "怎樣", " ",
	"吗", " ", "嗎", " ", "呢", " ",
)

// stripQuestionWords replaces questionWords in query with spaces.
func stripQuestionWords(query string) string { return questionWords.Replace(query) }

// prepare strips question words from query, tokenises it and looks its
// terms up. A term repeated in the query counts once per occurrence.
func (ix *lexicalIndex) prepare(query string) *lexQuery {
	query = stripQuestionWords(query)
	q := &lexQuery{slot: make(map[uint64]int32), src: query}
	for _, key := range appendTokenKeys(nil, query, ix.params.bigramsOnly) {
		t, ok := ix.terms.get(key)
		if !ok {
			continue
		}
		if i, ok := q.slot[key]; ok {
			q.weights[i] += ix.idf[t]
			continue
		}
		q.slot[key] = int32(len(q.terms))
		b := filterBit(key)
		q.filter[b/64] |= 1 << (b % 64)
		q.terms = append(q.terms, t)
		q.weights = append(q.weights, ix.idf[t])
		q.idfSum += float64(ix.idf[t])
	}
	return q
}

// tokenKey maps a token to a 64-bit key without hashing Han tokens: a
// single Han character is its code point, a bigram packs both code points,
// any other token is its FNV-1a hash with the top bit set.
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
	h := uint64(14695981039346656037)
	for i := 0; i < len(tok); i++ {
		h ^= uint64(tok[i])
		h *= 1099511628211
	}
	return h | 1<<63
}

func bigramKey(r1, r2 rune) uint64 { return 1<<62 | uint64(r1)<<24 | uint64(r2) }

func filterBit(key uint64) uint64 { return (key * 0x9E3779B97F4A7C15) >> 54 }

// scoreDoc returns the BM25 score of passage d for q, finding d in each
// term's postings by binary search.
func (ix *lexicalIndex) scoreDoc(q *lexQuery, d int32) float32 {
	var s float32
	for i, t := range q.terms {
		lo, hi := ix.off[t], ix.off[t+1]
		if j, ok := slices.BinarySearch(ix.docs[lo:hi], d); ok {
			s += q.weights[i] * ix.impact[lo+int64(j)]
		}
	}
	return s
}

// sentenceCoverage returns the largest share of q's idf mass that one
// sentence of a passage contains, each distinct query term counted once per
// sentence; 0 for a query without known terms. runes is the passage text
// as runes. Sentences end at Chinese and English terminators and line
// breaks. It produces the same tokens as text.Tokens.
func (ix *lexicalIndex) sentenceCoverage(q *lexQuery, runes []rune) float64 {
	if q.idfSum == 0 {
		return 0
	}
	ix.preparePhrases(q) // for runeFilter
	var seenBuf [64]int32
	seen := seenBuf[:0]
	if len(q.terms) <= len(seenBuf) {
		seen = seenBuf[:len(q.terms)]
	} else {
		seen = make([]int32, len(q.terms))
	}
	sent := int32(1)
	var cur, best float64
	hit := func(key uint64) {
		b := filterBit(key)
		if q.filter[b/64]&(1<<(b%64)) == 0 {
			return
		}
		if i, ok := q.slot[key]; ok && seen[i] != sent {
			seen[i] = sent
			cur += float64(ix.idf[q.terms[i]])
		}
	}
	var toks []string
	wordStart := -1
	flushWord := func(end int) {
		if wordStart < 0 {
			return
		}
		toks = text.AppendTokens(toks[:0], string(runes[wordStart:end]))
		for _, tok := range toks {
			hit(tokenKey(tok))
		}
		wordStart = -1
	}
	// A Han rune absent from the query can be part of no query term: the
	// rune filter skips most of the text without looking terms up.
	prev, prevIn := rune(-1), false
	for i, r := range runes {
		if text.IsHan(r) {
			flushWord(i)
			in := q.runeFilter[(r&4095)/64]&(1<<(r&63)) != 0
			if in {
				hit(uint64(r))
				if prevIn {
					hit(bigramKey(prev, r))
				}
			}
			prev, prevIn = r, in
			continue
		}
		prev, prevIn = -1, false
		if isWordRune(r) {
			if wordStart < 0 {
				wordStart = i
			}
			continue
		}
		flushWord(i)
		switch {
		case r == '.' && i+1 < len(runes) && runes[i+1] != ' ' && runes[i+1] != '\n':
			// 3.14, example.com: not an end
		case r == '.' || r == '!' || r == '?' || r == ';' || r == '\n' || sentenceEnd(r):
			best = max(best, cur)
			cur = 0
			sent++
		}
	}
	flushWord(len(runes))
	best = max(best, cur)
	return best / q.idfSum
}

// sentenceEnd reports whether a non-ASCII rune ends a sentence.
func sentenceEnd(r rune) bool {
	switch r {
	case '。', '！', '？', '；', '…', '．':
		return true
	}
	return false
}

// preparePhrases fills q's rune weights for [lexicalIndex.phraseMatch]:
// the idf of the rune as a one-rune term (Han characters, single digits),
// 0 for other letters and digits, -1 for punctuation and spaces.
func (ix *lexicalIndex) preparePhrases(q *lexQuery) {
	if q.runes != nil {
		return
	}
	q.runes = []rune(q.src)
	q.runeIDF = make([]float64, len(q.runes))
	q.runeAt = make(map[rune][]int32)
	var buf [utf8.UTFMax]byte
	for i, r := range q.runes {
		if !phraseRune(r) {
			q.runeIDF[i] = -1
			continue
		}
		q.runeAt[r] = append(q.runeAt[r], int32(i))
		q.runeFilter[(r&4095)/64] |= 1 << (r & 63)
		if t, ok := ix.terms.get(tokenKey(string(buf[:utf8.EncodeRune(buf[:], unicode.ToLower(r))]))); ok {
			q.runeIDF[i] = float64(ix.idf[t])
			q.runeSum += q.runeIDF[i]
		}
	}
}

// phraseRune reports whether r can be part of a shared phrase.
func phraseRune(r rune) bool {
	return text.IsHan(r) || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

// phraseMatch measures the phrases (common substrings) that the query
// shares with text, weighting each query rune by its idf:
//
//   - longest: the largest weight of a longest common substring ending at
//     some query rune, as a share of the query's weight;
//   - covered: the share of the query's weight inside common substrings of
//     at least two runes.
//
// A question copied from one sentence of the passage scores high on both,
// one that merely shares scattered characters scores low. It finds every
// maximal common substring from the passage runes p that occur in the
// query.
func (ix *lexicalIndex) phraseMatch(q *lexQuery, p []rune) (longest, covered float64) {
	ix.preparePhrases(q)
	if q.runeSum == 0 {
		return 0, 0
	}
	qr, qw := q.runes, q.runeIDF
	var bestBuf [128]int32
	best := bestBuf[:0]
	if len(qr) <= len(bestBuf) {
		best = bestBuf[:len(qr)]
	} else {
		best = make([]int32, len(qr))
	}
	for j, r := range p {
		if q.runeFilter[(r&4095)/64]&(1<<(r&63)) == 0 {
			continue
		}
		for _, i32 := range q.runeAt[r] {
			i := int(i32)
			if i > 0 && j > 0 && qw[i-1] >= 0 && p[j-1] == qr[i-1] {
				continue // inside a match that starts earlier
			}
			// A maximal common substring starts at (i, j).
			k := 1
			for i+k < len(qr) && j+k < len(p) && qw[i+k] >= 0 && qr[i+k] == p[j+k] {
				k++
			}
			for t := range k {
				best[i+t] = max(best[i+t], int32(t+1))
			}
		}
	}
	var cover uint64 // bit t: query rune t is inside a shared phrase of 2+ runes
	for i, l := range best {
		w := 0.0
		for t := i - int(l) + 1; t <= i; t++ {
			w += max(qw[t], 0)
			if l >= 2 && t < 64 && cover&(1<<t) == 0 {
				cover |= 1 << t
				covered += max(qw[t], 0)
			}
		}
		longest = max(longest, w)
	}
	return longest / q.runeSum, covered / q.runeSum
}

// postingsOf returns the number of postings a search for query reads.
func (ix *lexicalIndex) postingsOf(query string) int64 {
	var n int64
	for _, t := range ix.prepare(query).terms {
		n += ix.off[t+1] - ix.off[t]
	}
	return n
}

// termTable maps token keys (never 0) to term numbers: open addressing
// with linear probing, kept at most half full. It is faster than a Go map
// for the tens of millions of lookups of a large build.
type termTable struct {
	keys []uint64
	vals []int32
	n    int
}

func (t *termTable) slot(key uint64) uint64 {
	return (key * 0x9E3779B97F4A7C15) >> 32
}

func (t *termTable) get(key uint64) (int32, bool) {
	if len(t.keys) == 0 {
		return 0, false
	}
	mask := uint64(len(t.keys) - 1)
	for i := t.slot(key) & mask; ; i = (i + 1) & mask {
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
	i := t.slot(key) & mask
	for t.keys[i] != 0 {
		i = (i + 1) & mask
	}
	t.keys[i], t.vals[i] = key, val
	t.n++
}

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

// len returns the number of terms.
func (t *termTable) len() int { return t.n }
