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
const localEmbedderVersion = "v1"

// LocalEmbedder returns a deterministic embedding function that needs no
// model and no network: the text's character n-gram features are hashed
// into dim buckets (the "hashing trick") and the vector is L2-normalised.
//
// Features are Han characters and Han character bigrams, lowercase words of
// other letters with their character trigrams, and digit runs. A feature's
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
func hashFeature(kind byte, s string) uint64 {
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

// appendFeatures appends the hashed features of text with their kind
// weights to out, one entry per occurrence.
func (f *localFeaturizer) appendFeatures(out []weightedHash, src string) []weightedHash {
	w := f.w
	add := func(kind byte, s string, weight float64) {
		if weight != 0 {
			out = append(out, weightedHash{hashFeature(kind, s), float32(weight)})
		}
	}
	// Han runs: positions of the last two Han runes.
	p1, p2 := -1, -1 // start of previous Han rune, and of the one before
	wordStart, wordKind := -1, 0
	var lowered []byte
	flushWord := func(end int) {
		if wordStart < 0 {
			return
		}
		word := string(lowered)
		if wordKind == 2 {
			add(featDigits, word, w.Digits)
		} else {
			add(featWord, word, w.Word)
			if w.WordTrigram != 0 {
				padded := "<" + word + ">"
				// Trigrams over runes.
				var idx []int
				for i := range padded {
					idx = append(idx, i)
				}
				idx = append(idx, len(padded))
				for i := 0; i+3 < len(idx); i++ {
					add(featWordTri, padded[idx[i]:idx[i+3]], w.WordTrigram)
				}
			}
		}
		wordStart, wordKind, lowered = -1, 0, lowered[:0]
	}
	for i, r := range src {
		if text.IsHan(r) {
			flushWord(i)
			end := i + utf8.RuneLen(r)
			sw := 1.0
			if stopChars[r] {
				sw = w.StopChar
			}
			add(featUni, src[i:end], w.Unigram*sw)
			if p1 >= 0 {
				add(featBi, src[p1:end], w.Bigram)
				if p2 >= 0 {
					add(featTri, src[p2:end], w.Trigram)
				}
			}
			p2, p1 = p1, i
			continue
		}
		p1, p2 = -1, -1
		if r >= 0xFF01 && r <= 0xFF5E {
			r -= 0xFEE0
		}
		kind := 0
		switch {
		case unicode.IsDigit(r):
			kind = 2
		case unicode.IsLetter(r):
			kind = 1
		}
		if kind != wordKind {
			flushWord(i)
		}
		if kind == 0 {
			continue
		}
		if wordStart < 0 {
			wordStart, wordKind = i, kind
		}
		lowered = utf8.AppendRune(lowered, unicode.ToLower(r))
	}
	flushWord(len(src))
	return out
}

// embedScratch holds one embedding's working memory, pooled.
type embedScratch struct {
	feats []weightedHash
	keys  []uint64
	count []int32
	wt    []float32
}

var embedScratchPool = sync.Pool{New: func() any { return new(embedScratch) }}

// embed returns the normalised hashed feature vector of text. Text without
// features gets a fixed unit vector, so the result is always unit length.
// Term frequencies are counted in a small open-addressing table.
func (f *localFeaturizer) embed(src string) []float32 {
	vec := make([]float32, f.dim)
	sc := embedScratchPool.Get().(*embedScratch)
	defer embedScratchPool.Put(sc)
	sc.feats = f.appendFeatures(sc.feats[:0], src)
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
		if f.w.Sublinear {
			tf = 1 + math.Log(tf)
		}
		h := keys[i]
		v := float32(tf) * wt[i]
		if h>>63 == 1 {
			v = -v
		}
		vec[(h>>1)%dim] += v
	}
	if !normalizeInPlace(vec) {
		vec[0] = 1
	}
	return vec
}

// normalizeInPlace scales v to unit length; it reports false for a zero
// vector.
func normalizeInPlace(v []float32) bool {
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

// stopChars are frequent Chinese function characters, Simplified and
// Traditional, down-weighted by the local embedder.
var stopChars = func() map[rune]bool {
	m := make(map[rune]bool)
	for _, r := range "的了是在和与及或也而且就都又把被对为于以之其这那个些有无不没一上下中到从向给让使将由等着过吗呢吧啊么什哪谁何几多少如怎样们他她它我你您此各所并该要会能可已及並與為於這個們對從給讓將過嗎麼誰幾樣該會並則即亦乃" {
		m[r] = true
	}
	return m
}()
