package retrieval

import (
	"math"
	"unicode/utf8"

	"github.com/citebot/citebot/retrieval/text"
)

// passageFeatures are the text features of one passage for a query that
// the hybrid ranking weighs (see [fusionParams]), each a share in [0, 1].
type passageFeatures struct {
	// sentence is the largest share of the query's idf mass that one
	// sentence of the passage contains, each distinct query term counted
	// once per sentence.
	sentence float64
	// longest is the weight of the longest phrase (common substring) the
	// passage shares with the query, covered the weight of the query runes
	// inside shared phrases of two runes or more, both as shares of the
	// query's rune weight (see [phraseQuery]).
	longest, covered float64
}

// phraseQuery is a query's runes prepared for phrase matching.
type phraseQuery struct {
	// runes are the query's runes; weight[i] is the idf of runes[i] as a
	// one-rune term (Han characters, single digits and letters), 0 for
	// such a rune without a term, and -1 for a rune that cannot be in a
	// phrase (punctuation, spaces, other scripts). sum adds the positive
	// weights.
	runes  []rune
	weight []float64
	sum    float64
	// enc[i] is the UTF-8 encoding of runes[i] (a slice of the folded
	// query), so a phrase extends by comparing bytes (see [foldedAt]).
	enc []string
	// filter holds the phrase runes: a passage rune outside it can be
	// part of no query term and no shared phrase. hasASCII reports an
	// ASCII letter or digit among them.
	filter   text.RuneFilter
	hasASCII bool
	// The positions of a phrase rune r in runes are
	// order[groupLo[g]:groupLo[g+1]] for g = groups[r]; unigram[g] is the
	// index of r as a query term in the lexQuery's terms, or -1.
	groups termTable
	// slot[r&4095] is 1 + the group of the one phrase rune r with those
	// low bits, 0 for none and -1 when several share them (see
	// [phraseQuery.group]); grune[g] is the rune of group g.
	slot    [4096]int16
	grune   []rune
	groupLo []int32
	order   []int32
	unigram []int32
	ints    []int32 // the array of group, groupLo, order and unigram
}

// phraseRune reports whether r can be part of a shared phrase.
func phraseRune(r rune) bool {
	return text.IsHan(r) || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

// preparePhrases sets q.phrases, once.
func (ix *lexicalIndex) preparePhrases(q *lexQuery) {
	if q.phrases != nil {
		return
	}
	pq := &q.phraseBuf
	for _, r := range pq.runes { // the last query's slots
		pq.slot[r&4095] = 0
	}
	pq.runes, pq.grune = pq.runes[:0], pq.grune[:0]
	for _, r := range q.src {
		pq.runes = append(pq.runes, r)
	}
	n := len(pq.runes)
	pq.weight, pq.enc = zeroed(pq.weight, n), zeroed(pq.enc, n)
	pq.groups.reset(n)
	pq.filter, pq.hasASCII, pq.sum = text.RuneFilter{}, false, 0
	// One block for the per-rune and per-group int32 slices.
	pq.ints = zeroed(pq.ints, 5*n+1)
	ints := pq.ints[:0]
	carve := func(l int) []int32 {
		ints = ints[:len(ints)+l]
		return ints[len(ints)-l : len(ints) : len(ints)]
	}
	group, count := carve(n), carve(n)[:0]
	pq.unigram = carve(n)[:0]
	i := -1
	for at, r := range q.src { // the runes of runes, with their offsets
		i++
		_, size := utf8.DecodeRuneInString(q.src[at:])
		pq.enc[i] = q.src[at : at+size]
		if !phraseRune(r) {
			pq.weight[i], group[i] = -1, -1
			continue
		}
		g, ok := pq.groups.get(uint64(r))
		if !ok {
			g = int32(len(count))
			pq.groups.put(uint64(r), g)
			pq.grune = append(pq.grune, r)
			switch at := &pq.slot[r&4095]; {
			case *at == 0 && g < math.MaxInt16:
				*at = int16(g + 1)
			default:
				*at = -1
			}
			count = append(count, 0)
			pq.unigram = append(pq.unigram, q.termIndex(uint64(r)))
		}
		group[i] = g
		count[g]++
		pq.filter.Add(r)
		pq.hasASCII = pq.hasASCII || r < utf8.RuneSelf
		if t, ok := ix.terms.get(runeKey(r)); ok {
			pq.weight[i] = float64(ix.idf[t])
			pq.sum += pq.weight[i]
		}
	}
	pq.groupLo = carve(len(count) + 1)
	for g, c := range count {
		pq.groupLo[g+1] = pq.groupLo[g] + c
	}
	pq.order = carve(int(pq.groupLo[len(count)]))
	fill := append(count[:0], pq.groupLo[:len(count)]...)
	for i, g := range group {
		if g >= 0 {
			pq.order[fill[g]] = int32(i)
			fill[g]++
		}
	}
	q.phrases = pq
}

// group returns the group of phrase rune r: one table read and a
// comparison unless another phrase rune shares r's low bits.
func (pq *phraseQuery) group(r rune) (int32, bool) {
	switch s := pq.slot[r&4095]; {
	case s > 0:
		g := int32(s - 1)
		return g, pq.grune[g] == r
	case s == 0:
		return 0, false
	}
	return pq.groups.get(uint64(r))
}

// termIndex returns the index in q.terms of the term with key, or -1.
func (q *lexQuery) termIndex(key uint64) int32 {
	if i, ok := q.slots.get(key); ok {
		return i
	}
	return -1
}

// runeKey is the key of a phrase rune as a one-rune term: a Han character,
// or a digit or lowercased letter as a word.
func runeKey(r rune) uint64 {
	if text.IsHan(r) {
		return uint64(r)
	}
	if r >= 'A' && r <= 'Z' {
		r += 'a' - 'A'
	}
	return wordKey(string(r))
}

// featureScratch is one query's working memory for [lexicalIndex.features],
// reused across its candidates.
type featureScratch struct {
	seen  []int32 // per query term: the sentence stamp that last counted it
	stamp int32
	best  []int32 // per query rune: the longest shared phrase ending there
	cover []bool  // per query rune: inside a shared phrase of 2+ runes
	keys  keyScanner
}

// featureScratch returns q's feature scratch (q prepared with
// preparePhrases), zeroed.
func (q *lexQuery) featureScratch() *featureScratch {
	fs, n := &q.fs, len(q.phrases.runes)
	fs.seen, fs.best, fs.cover, fs.stamp = zeroed(fs.seen, len(q.terms)), zeroed(fs.best, n), zeroed(fs.cover, n), 0
	fs.keys.cache = true
	return fs
}

// features computes the features of passage d, whose text is src, for q
// (prepared with preparePhrases) in one pass over the passage's tokens,
// skipping the Han characters that are not in the query (and the words,
// unless the query has some). Sentences end where text.Sentences ends them
// (precomputed at build).
func (ix *lexicalIndex) features(q *lexQuery, d int32, src string, fs *featureScratch) passageFeatures {
	pq := q.phrases
	clear(fs.best)
	ends := ix.sentences(d)
	var cur, best float64
	fs.stamp++
	si, prevEnd, prevRune := 0, 0, rune(-1)
	sc := text.NewTokenScanner(src)
	sc.Keep(&pq.filter, q.hasWords || pq.hasASCII)
	for tok, ok := sc.Next(); ok; tok, ok = sc.Next() {
		for si < len(ends) && tok.Start >= int(ends[si]) {
			best, cur = max(best, cur), 0
			fs.stamp++
			si++
		}
		// prevRune is the passage rune before the token when known, else
		// -1; match uses it only to skip work.
		if tok.Start != prevEnd {
			prevRune = -1
		}
		prevEnd = tok.End
		if tok.Kind != text.Han {
			if i, ok := q.slots.get(fs.keys.wordKey(src, tok)); ok {
				cur += ix.termHit(q, fs, i)
			}
			prevRune = pq.matchWord(src, tok, prevRune, fs.best)
			continue
		}
		g, ok := pq.group(tok.Rune)
		if !ok {
			prevRune = tok.Rune // a false positive of the filter
			continue
		}
		if i := pq.unigram[g]; i >= 0 {
			cur += ix.termHit(q, fs, i)
		}
		if tok.Prev >= 0 {
			prevRune = tok.Prev
			if pq.filter.Has(tok.Prev) {
				if i, ok := q.slots.get(bigramKey(tok.Prev, tok.Rune)); ok {
					cur += ix.termHit(q, fs, i)
				}
			}
		}
		pq.match(src, tok.End, g, prevRune, fs.best)
		prevRune = tok.Rune
	}
	var f passageFeatures
	if q.idfSum > 0 {
		f.sentence = max(best, cur) / q.idfSum
	}
	f.longest, f.covered = pq.shares(fs.best, fs.cover)
	return f
}

// termHit returns the idf of query term i the first time the current
// sentence holds it, else 0 (always 0 for a related word of query
// expansion).
func (ix *lexicalIndex) termHit(q *lexQuery, fs *featureScratch, i int32) float64 {
	if fs.seen[i] == fs.stamp || int(i) >= q.own {
		return 0
	}
	fs.seen[i] = fs.stamp
	return float64(ix.idf[q.terms[i]])
}

// matchWord runs match for the phrase runes (ASCII letters and digits) of
// a Word or Number token and returns its last rune.
func (pq *phraseQuery) matchWord(src string, tok text.Token, prev rune, best []int32) rune {
	for i := tok.Start; i < tok.End; {
		r, size := rune(src[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(src[i:])
		} else if pq.filter.Has(r) {
			if g, ok := pq.group(r); ok {
				pq.match(src, i+1, g, prev, best)
			}
		}
		prev = r
		i += size
	}
	return prev
}

// match records in best the shared phrases that start at a passage rune of
// group g (ending at byte end of src, after the rune prev): for each
// position i of the rune in the query, the maximal common substring from
// there on. A match that continues one starting earlier (prev is the
// query rune before i) is skipped: its lengths are below those of the
// earlier one.
func (pq *phraseQuery) match(src string, end int, g int32, prev rune, best []int32) {
	qr, qw, enc := pq.runes, pq.weight, pq.enc
	for _, i32 := range pq.order[pq.groupLo[g]:pq.groupLo[g+1]] {
		i := int(i32)
		if i > 0 && qw[i-1] >= 0 && prev == qr[i-1] {
			continue // inside a match that starts earlier
		}
		k, pos := 1, end
		for i+k < len(qr) && qw[i+k] >= 0 && foldedAt(src, pos, enc[i+k], qr[i+k]) {
			pos += len(enc[i+k])
			k++
		}
		for t := range k {
			best[i+t] = max(best[i+t], int32(t+1))
		}
	}
}

// foldedAt reports whether src[pos:] starts with a rune that folds to the
// folded rune r, whose encoding is e: the same bytes, else a rune of
// another script (text.FoldRune keeps the encoded length).
func foldedAt(src string, pos int, e string, r rune) bool {
	if hasPrefixAt(src, pos, e) {
		return true
	}
	if pos+len(e) > len(src) || src[pos] < utf8.RuneSelf {
		return false
	}
	p, size := utf8.DecodeRuneInString(src[pos:])
	return size == len(e) && text.FoldRune(p) == r
}

// hasPrefixAt reports whether src[pos:] starts with the rune encoding e.
func hasPrefixAt(src string, pos int, e string) bool {
	if pos+len(e) > len(src) {
		return false
	}
	for j := 0; j < len(e); j++ {
		if src[pos+j] != e[j] {
			return false
		}
	}
	return true
}

// shares turns the longest match ending at each query rune into the
// longest and covered features; cover is scratch.
func (pq *phraseQuery) shares(best []int32, cover []bool) (longest, covered float64) {
	if pq.sum == 0 {
		return 0, 0
	}
	clear(cover)
	qw := pq.weight
	for i, l := range best {
		w := 0.0
		for t := i - int(l) + 1; t <= i; t++ {
			w += max(qw[t], 0)
			if l >= 2 && !cover[t] {
				cover[t] = true
				covered += max(qw[t], 0)
			}
		}
		longest = max(longest, w)
	}
	return longest / pq.sum, covered / pq.sum
}

// featureBound bounds a passage's weighted features from which query terms
// it holds (a bit mask over the first 64 of q.terms, see
// [lexScratch.mask]), so that for any passage d with features f,
//
//	sentence*f.sentence + longest*f.longest + covered*f.covered
//	    <= featureBound.of(mask of d).
//
// The best sentence holds at most the terms the passage holds, so its
// share is at most their idf share. A Han query rune is inside a shared
// phrase of two runes or more only if the passage holds the query bigram
// to its left or to its right; a shared phrase lies inside a run of query
// runes whose neighbouring bigrams the passage all holds, so longest is at
// most the heaviest such run (or the heaviest single rune it holds).
// Links next to an ASCII letter or digit (no bigram terms there) and terms
// past the 64th count as held.
type featureBound struct {
	sentence []float64 // per term: its share of the sentence bound
	always   float64   // the sentence shares of terms past the 64th
	// Per query rune i (see [phraseQuery]): longest[i] and covered[i] its
	// phrase weight times the fusion weight over the query's rune weight;
	// link[i]
	// tells whether the passage can continue a phrase from rune i to
	// i+1: linkNever, linkAlways, or the bigram term's index in q.terms;
	// single[i] is the index of the rune as a one-rune term, or linkAlways.
	longest, covered []float64
	link, single     []int32
}

const (
	linkNever  = -2
	linkAlways = -1
)

// setFeatureBounds sets q.bound (q prepared with preparePhrases) for the
// fusion weights sentence, longest and covered.
func (ix *lexicalIndex) setFeatureBounds(q *lexQuery, sentence, longest, covered float64) {
	fb := &q.boundBuf
	fb.sentence, fb.always = zeroed(fb.sentence, len(q.terms)), 0
	fb.longest, fb.covered, fb.link, fb.single = fb.longest[:0], fb.covered[:0], fb.link[:0], fb.single[:0]
	if q.idfSum > 0 {
		for i, t := range q.terms[:q.own] {
			fb.sentence[i] = sentence * float64(ix.idf[t]) / q.idfSum
			if i >= 64 {
				fb.always += fb.sentence[i]
			}
		}
	}
	q.bound = fb
	pq := q.phrases
	if pq.sum == 0 {
		return
	}
	qr, qw := pq.runes, pq.weight
	n := len(qr)
	fb.longest, fb.covered = zeroed(fb.longest, n), zeroed(fb.covered, n)
	fb.link, fb.single = zeroed(fb.link, n), zeroed(fb.single, n)
	for i, r := range qr {
		fb.longest[i] = longest * max(qw[i], 0) / pq.sum
		fb.covered[i] = covered * max(qw[i], 0) / pq.sum
		fb.single[i] = linkAlways
		if qw[i] >= 0 && r >= utf8.RuneSelf {
			fb.single[i] = trackable(q.termIndex(runeKey(r)))
		}
		fb.link[i] = linkNever
		switch {
		case i+1 == n || qw[i] < 0 || qw[i+1] < 0:
		case r < utf8.RuneSelf || qr[i+1] < utf8.RuneSelf:
			fb.link[i] = linkAlways
		default:
			if t := q.termIndex(bigramKey(r, qr[i+1])); t >= 0 {
				fb.link[i] = trackable(t)
			}
		}
	}
}

// trackable returns the term index t as a mask bit, or linkAlways for a
// term past the mask (or -1: no term, which only a rune of weight 0 has).
func trackable(t int32) int32 {
	if t < 0 || t >= 64 {
		return linkAlways
	}
	return t
}

// held reports whether a passage with term mask m may hold link or
// single-rune entry x.
func held(x int32, m uint64) bool {
	return x == linkAlways || x >= 0 && m&(1<<x) != 0
}

// of returns the bound for a passage whose held terms are mask m.
func (fb *featureBound) of(m uint64) float64 {
	b := fb.always
	for i := range min(len(fb.sentence), 64) {
		if m&(1<<i) != 0 {
			b += fb.sentence[i]
		}
	}
	// run is the weight of the run of linked runes ending at rune i.
	longest, covered, run := 0.0, 0.0, 0.0
	prevLinked := false
	for i := range fb.link {
		linked := held(fb.link[i], m)
		switch {
		case prevLinked:
			run += fb.longest[i]
		case linked || held(fb.single[i], m):
			run = fb.longest[i]
		default:
			run = 0
		}
		if prevLinked || linked {
			covered += fb.covered[i]
		}
		longest = max(longest, run)
		prevLinked = linked
	}
	return b + longest + covered
}
