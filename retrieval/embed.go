package retrieval

import (
	"context"
	"fmt"
	"math"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/philippgille/chromem-go"

	"github.com/citebot/citebot/retrieval/text"
)

// DefaultLocalDim is the dimension of [LocalEmbedder] vectors used when no
// other is configured. It was chosen on the eval sets (TestTuneHybrid): the
// hybrid ranking is the same from 256 to 1024 dimensions, but vector-only
// recall@1 falls 8-10 points from 384 to 256 (hash collisions), while each
// dimension costs 4 bytes per passage of memory and of scan per query.
const DefaultLocalDim = 384

// localEmbedderVersion changes whenever LocalEmbedder's output changes; it
// is part of [LocalEmbedderID].
const localEmbedderVersion = "v2"

// LocalEmbedder returns a deterministic embedding function that needs no
// model and no network: the text's character n-gram features are hashed
// into dim buckets (the "hashing trick") and the vector is L2-normalised.
//
// Features come from the tokens of text.TokenScanner (as BM25 sees them):
// Han characters and Han character bigrams, folded (text.Fold: a
// Traditional text and its Simplified form embed alike), lowercase words
// of other letters (without their combining marks) with their character
// trigrams, and digit runs. A feature's
// weight is 1+ln(tf), times a per-kind weight; very common Chinese function
// characters (的, 是, 了, ...) are down-weighted by a fixed list, since the
// embedder has no corpus statistics (no idf). Each feature's hash also picks
// a sign, so collisions cancel out on average instead of adding up.
//
// Similar vectors mean shared wording, not shared meaning: the local
// embedder complements BM25 with a differently weighted, length-normalised
// view of the same text; it cannot match an English question to Chinese
// text. dim values below 16 are raised to 16. The returned function is safe
// for concurrent use and never returns an error for valid UTF-8 or not.
func LocalEmbedder(dim int) chromem.EmbeddingFunc {
	f := newLocalFeaturizer(dim, defaultLocalWeights)
	return func(_ context.Context, src string) ([]float32, error) {
		return f.embed(src), nil
	}
}

// LocalEmbedderID returns the EmbedderID for LocalEmbedder(dim), for
// [Options.EmbedderID]. It includes a version that changes whenever the
// local embedder's output changes, so snapshots of older vectors are not
// reused.
func LocalEmbedderID(dim int) string {
	return fmt.Sprintf("local-%s-%d", localEmbedderVersion, max(dim, 16))
}

// localWeights are the per-kind feature weights of the local embedder.
type localWeights struct {
	Unigram, Bigram, Trigram float64 // Han n-grams
	Word, WordTrigram        float64 // other letters
	Digits                   float64
	StopChar                 float64 // factor for common function characters
	Sublinear                bool    // 1+ln(tf) instead of tf
}

// defaultLocalWeights were chosen on the eval sets (TestTuneHybrid): in a
// few hundred dimensions the many distinct bigrams collide, so the fewer
// single characters carry more signal (vector-only recall@1 on
// cmrc2018_trial 0.67 with unigram weight 0.5, 0.78 with 2); 1+ln(tf) beats
// raw tf, the stop-character factor beats none, Han trigrams only add
// collisions. The hybrid ranking moves by at most 0.001 across these.
var defaultLocalWeights = localWeights{
	Unigram: 2, Bigram: 1, Trigram: 0,
	Word: 1, WordTrigram: 0.5, Digits: 1,
	StopChar: 0.3, Sublinear: true,
}

type localFeaturizer struct {
	dim int
	w   localWeights
}

func newLocalFeaturizer(dim int, w localWeights) *localFeaturizer {
	return &localFeaturizer{dim: max(dim, 16), w: w}
}

// feature kinds, mixed into the hash so equal strings of different kinds
// land in different buckets.
const (
	featUni byte = iota + 1
	featBi
	featTri
	featWord
	featWordTri
	featDigits
)

// hashFeature is FNV-1a (64-bit) over the kind byte and the feature text.
func hashFeature[T string | []byte](kind byte, s T) uint64 {
	h := uint64(14695981039346656037)
	h ^= uint64(kind)
	h *= 1099511628211
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	// Finalise (from splitmix64) so low bits are well mixed for the modulo.
	h ^= h >> 31
	h *= 0x7fb5d329728ea185
	h ^= h >> 27
	return h
}

type weightedHash struct {
	h uint64
	w float32
}

// appendFeatures appends the hashed features of src with their kind
// weights to sc.feats, one entry per occurrence: the tokens of
// text.TokenScanner, Han characters with their bigrams (and trigrams),
// words with their character trigrams, digit runs.
func (f *localFeaturizer) appendFeatures(sc *embedScratch, src string) {
	w := f.w
	ts := text.NewTokenScanner(src)
	var last text.Token
	han, folded := src, false // the text Han features are cut from
	for tok, ok := ts.Next(); ok; tok, ok = ts.Next() {
		if tok.Kind != text.Han {
			f.addWords(sc, src, tok)
			last = tok
			continue
		}
		if tok.Folded && !folded {
			han, folded = text.Fold(src), true
		}
		sw := 1.0
		if isStopChar(tok.Rune) {
			sw = w.StopChar
		}
		addFeature(sc, featUni, han[tok.Start:tok.End], w.Unigram*sw)
		if tok.Prev >= 0 {
			addFeature(sc, featBi, han[tok.BigramStart():tok.End], w.Bigram)
			if last.Kind == text.Han && last.Prev >= 0 {
				addFeature(sc, featTri, han[last.BigramStart():tok.End], w.Trigram)
			}
		}
		last = tok
	}
}

// addWords adds the features of a Word or Number token. A word's
// combining marks (e plus U+0301 for é) are dropped and split it, as the
// embedder has always read words: its vectors, and the snapshots that hold
// them, stay the same.
func (f *localFeaturizer) addWords(sc *embedScratch, src string, tok text.Token) {
	word := src[tok.Start:tok.End]
	if !tok.Folded && (tok.Kind == text.Number || isASCII(word)) {
		addWord(f, sc, tok.Kind, word)
		return
	}
	sc.fold = text.AppendFolded(sc.fold[:0], word)
	start := 0
	for i, r := range string(sc.fold) {
		if unicode.Is(unicode.Mn, r) {
			if start < i {
				addWord(f, sc, tok.Kind, sc.fold[start:i])
			}
			start = i + utf8.RuneLen(r)
		}
	}
	if start < len(sc.fold) {
		addWord(f, sc, tok.Kind, sc.fold[start:])
	}
}

// isASCII reports whether s is all ASCII.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// addWord adds the features of a Word (the word and the character
// trigrams of "<word>") or a Number (the digits).
func addWord[T string | []byte](f *localFeaturizer, sc *embedScratch, kind text.TokenKind, word T) {
	if kind == text.Number {
		addFeature(sc, featDigits, word, f.w.Digits)
		return
	}
	addFeature(sc, featWord, word, f.w.Word)
	if f.w.WordTrigram == 0 {
		return
	}
	sc.pad = append(append(append(sc.pad[:0], '<'), word...), '>')
	sc.runeAt = sc.runeAt[:0]
	for i := range string(sc.pad) {
		sc.runeAt = append(sc.runeAt, i)
	}
	sc.runeAt = append(sc.runeAt, len(sc.pad))
	for i := 0; i+3 < len(sc.runeAt); i++ {
		addFeature(sc, featWordTri, sc.pad[sc.runeAt[i]:sc.runeAt[i+3]], f.w.WordTrigram)
	}
}

// embedScratch holds one embedding's working memory, pooled.
type embedScratch struct {
	feats  []weightedHash
	fold   []byte // a folded word
	pad    []byte // "<word>"
	runeAt []int  // rune offsets in pad
	keys   []uint64
	count  []int32
	wt     []float32
}

// addFeature appends feature s of kind with weight to sc.feats, unless the
// weight is 0.
func addFeature[T string | []byte](sc *embedScratch, kind byte, s T, weight float64) {
	if weight != 0 {
		sc.feats = append(sc.feats, weightedHash{hashFeature(kind, s), float32(weight)})
	}
}

var embedScratchPool = sync.Pool{New: func() any { return new(embedScratch) }}

// embed returns the normalised hashed feature vector of text. Text without
// features gets a fixed unit vector, so the result is always unit length.
// Term frequencies are counted in a small open-addressing table.
func (f *localFeaturizer) embed(src string) []float32 {
	vec := make([]float32, f.dim)
	sc := embedScratchPool.Get().(*embedScratch)
	defer embedScratchPool.Put(sc)
	sc.feats = sc.feats[:0]
	f.appendFeatures(sc, src)
	size := 64
	for size < 2*len(sc.feats) {
		size *= 2
	}
	if cap(sc.keys) < size {
		sc.keys, sc.count, sc.wt = make([]uint64, size), make([]int32, size), make([]float32, size)
	}
	keys, count, wt := sc.keys[:size], sc.count[:size], sc.wt[:size]
	clear(count)
	mask := uint64(size - 1)
	for _, ft := range sc.feats {
		i := ft.h & mask
		for count[i] != 0 && keys[i] != ft.h {
			i = (i + 1) & mask
		}
		keys[i], wt[i] = ft.h, ft.w
		count[i]++
	}
	dim := uint64(f.dim)
	for i, c := range count {
		if c == 0 {
			continue
		}
		tf := float64(c)
		switch {
		case !f.w.Sublinear:
		case int(c) < len(sublinearTF):
			tf = sublinearTF[c]
		default:
			tf = 1 + math.Log(tf)
		}
		h := keys[i]
		v := float32(tf) * wt[i]
		if h>>63 == 1 {
			v = -v
		}
		vec[(h>>1)%dim] += v
	}
	if !Normalize(vec) {
		vec[0] = 1
	}
	return vec
}

// Normalize scales v to unit length in place, as chromem-go requires of
// an EmbeddingFunc's vectors. It reports false, leaving v unusable, when v
// is zero or not finite.
func Normalize(v []float32) bool {
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	if sum == 0 || math.IsNaN(sum) || math.IsInf(sum, 0) {
		return false
	}
	inv := 1 / math.Sqrt(sum)
	for i := range v {
		v[i] = float32(float64(v[i]) * inv)
	}
	return true
}

// stopChars are the frequent characters the local embedder down-weights
// (text.EmbedStopChars), as a bitset over the Basic Multilingual Plane.
var stopChars = func() *[1 << 10]uint64 {
	var set [1 << 10]uint64
	for _, r := range text.EmbedStopChars {
		set[r>>6] |= 1 << (r & 63)
	}
	return &set
}()

// isStopChar reports whether r is one of stopChars.
func isStopChar(r rune) bool {
	return r < 1<<16 && stopChars[r>>6]&(1<<(r&63)) != 0
}

// sublinearTF[tf] is 1+ln(tf) for small tf.
var sublinearTF = func() (t [64]float64) {
	for tf := 1; tf < len(t); tf++ {
		t[tf] = 1 + math.Log(float64(tf))
	}
	return t
}()
