package document

import (
	"github.com/citebot/citebot/retrieval/extract"

	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// Limits bounds the memory a set of documents takes once indexed, so that
// memory follows the bytes of the files and not how many paragraphs they
// hold: every paragraph becomes at least one passage, and every passage
// costs an embedding vector and its share of the lexical index whatever
// its length (a 2.4 MB file of one-character paragraphs became 800,000
// passages and 2.7 GB). [Limits.Parse] and [Limits.Load] stop counting
// paragraphs into memory past the limits, and a [Budget] refuses a
// document that would take the set over them, before anything is
// embedded. The zero value has no limits.
//
// Passages are not merged across paragraphs to make tiny paragraphs
// cheaper: a passage is one paragraph or a window of one (see [Passages]),
// so that a citation's ¶N is always the paragraph it quotes, as the
// evaluation's scoring requires (testdata/eval/README.md).
type Limits struct {
	// MaxPassages is the most passages one document may have; 0: no
	// limit. It is the setting max_passages_per_document.
	MaxPassages int
	// MemoryBudget is the most memory, in bytes, that building the index
	// of the whole set may take, as [Limits.Estimate] reckons it; 0: no
	// limit. It is the setting memory_budget_mb.
	MemoryBudget int64
	// VectorDims is the dimensions of the embedding vectors, for the
	// estimate; 0 means [AssumedVectorDims].
	VectorDims int
	// MaxPassageRunes is the passage limit given to [Passages]; 0 means
	// [DefaultMaxPassageRunes].
	MaxPassageRunes int
	// Extractor reads files other than text and Markdown (PDF, Word,
	// web pages, e-books, images); nil: in this process, without OCR.
	Extractor *extract.Extractor
}

// The names of the settings behind [Limits], for error messages.
const (
	MaxPassagesSetting  = "max_passages_per_document"
	MemoryBudgetSetting = "memory_budget_mb"
)

// AssumedVectorDims is the vector size [Limits.Estimate] assumes when
// VectorDims is 0, as for a remote embedder whose size is not known before
// its first answer: that of OpenAI's text-embedding-3-small and many
// others.
const AssumedVectorDims = 1536

// The memory a document costs, measured as the peak RSS of `citebot
// index --doc FILE` (local embedder, 384 dimensions, fresh data dir); the
// costs per passage and per byte leave out the 14 MB peak of indexing the
// bundled sample (the runtime and the program):
//
//	file                                passages   text      peak RSS  per passage  per text byte
//	20,000 one-character paragraphs       20,000   0.06 MB    85 MB    3.5 KB
//	100,000 one-character paragraphs     100,000   0.3 MB    347 MB    3.3 KB
//	English, 40-160 words a paragraph      6,499   4.0 MB     72 MB    (3.5 KB)     8.8 B
//	cmrc2018_trial repeated 10 times       2,560   3.7 MB     64 MB    (3.5 KB)     11.3 B
//	drcd_dev repeated 5 times              5,005   6.5 MB    112 MB    (3.5 KB)     12.5 B
//
// (per text byte: what is left once the passages are charged 3.5 KB each).
// Check: drcd_dev repeated 12 times (12,012 passages, 15.6 MB of text) is
// estimated at 218 MB and peaks at 196 MB, the 14 MB included; 15 times is
// estimated at 273 MB and refused by the default budget of 256 MB.
// A passage holds its vector (dims*4 bytes) in the collection and again
// in the build's scratch and snapshot, with the garbage collector letting
// the heap grow to twice the live data; its Passage, chromem-go document
// and lexical entries take about 250 bytes live. Measured live (heap after
// the build and a GC) a tiny passage takes 1.8 KB at 384 dimensions, and
// a byte of text 1-2 bytes: the estimate, a peak, is about twice the
// memory the index keeps while it serves, so that a rebuild (the old index
// serving while the new one builds) fits in about 1.5 times the budget.
// Text costs the file, its normalised and rebuilt copies and the BM25
// build's tokenisation; CJK text, two tokens (a character and a bigram)
// per three bytes, costs the most.
const (
	vectorCopies    = 2   // vectors held per passage at the peak of a build
	passageOverhead = 450 // bytes per passage besides its vectors: 3.5 KB in all at 384 dimensions
	textOverhead    = 12  // bytes per byte of document text
)

// ErrOverLimit is wrapped by the errors of documents that pass their
// [Limits]; the error is a [*LimitError].
var ErrOverLimit = errors.New("over the document limits")

// LimitError reports a document that passes its [Limits].
type LimitError struct {
	// Doc is the document's name.
	Doc string
	// Setting is the setting whose limit is passed: [MaxPassagesSetting]
	// or [MemoryBudgetSetting].
	Setting string
	// Limit is the limit: passages, or bytes of memory.
	Limit int64
	// Need says what the document needs, e.g. "812345 paragraphs would
	// need ~2.8 GB".
	Need string
}

func (e *LimitError) Error() string {
	if e.Setting == MaxPassagesSetting {
		return fmt.Sprintf("%s: %s, over the limit of %d passages per document (%s)", e.Doc, e.Need, e.Limit, e.Setting)
	}
	return fmt.Sprintf("%s: %s, over the memory budget of %s (%s)", e.Doc, e.Need, formatBytes(e.Limit), e.Setting)
}

// Unwrap returns [ErrOverLimit].
func (e *LimitError) Unwrap() error { return ErrOverLimit }

// formatBytes returns n as "812 KB", "3.4 MB", "120 MB" or "2.1 GB", in
// units of 1024.
func formatBytes(n int64) string {
	const kb, mb, gb = 1 << 10, 1 << 20, 1 << 30
	switch {
	case n >= gb:
		return fmt.Sprintf("%.1f GB", float64(n)/gb)
	case n >= 10*mb:
		return fmt.Sprintf("%d MB", (n+mb/2)/mb)
	case n >= mb:
		return fmt.Sprintf("%.1f MB", float64(n)/mb)
	}
	return fmt.Sprintf("%d KB", (n+kb-1)/kb)
}

// none reports whether l sets no limit.
func (l Limits) none() bool { return l.MaxPassages <= 0 && l.MemoryBudget <= 0 }

func (l Limits) dims() int {
	if l.VectorDims > 0 {
		return l.VectorDims
	}
	return AssumedVectorDims
}

// passageBytes is the estimated cost of one passage, its text aside.
func (l Limits) passageBytes() int64 {
	return int64(vectorCopies*4*l.dims()) + passageOverhead
}

// estimate returns the memory passages passages over textBytes bytes of
// text take.
func (l Limits) estimate(passages, textBytes int) int64 {
	return int64(passages)*l.passageBytes() + int64(textBytes)*textOverhead
}

// Estimate returns the number of passages of doc (as [Passages] splits it
// at l.MaxPassageRunes) and the memory, in bytes, that building their
// index takes at its peak. It allocates no passages.
func (l Limits) Estimate(doc *Document) (passages int, bytes int64) {
	passages = countPassages(doc, l.MaxPassageRunes)
	return passages, l.estimate(passages, len(doc.Text))
}

// countPassages returns len(Passages(doc, maxRunes)) without building them.
func countPassages(doc *Document, maxRunes int) int {
	if maxRunes <= 0 {
		maxRunes = DefaultMaxPassageRunes
	}
	n := 0
	for _, p := range doc.Paragraphs {
		src := doc.Text[p.Start:p.End]
		if len(src) > maxRunes && utf8.RuneCountInString(src) > maxRunes {
			n += len(passageWindows(src, maxRunes))
		} else if strings.TrimSpace(src) != "" {
			n++
		}
	}
	return n
}

// maxParagraphs returns the most paragraphs a document may have within l
// (every paragraph is at least one passage), or 0 for no limit.
func (l Limits) maxParagraphs() int {
	n := l.MaxPassages
	if l.MemoryBudget > 0 {
		byBudget := int(max(1, min(l.MemoryBudget/l.passageBytes(), math.MaxInt32)))
		if n == 0 || byBudget < n {
			n = byBudget
		}
	}
	return n
}

// paragraphsError returns the error of a document name with paragraphs
// paragraphs, over l.maxParagraphs.
func (l Limits) paragraphsError(name string, paragraphs, textBytes int) error {
	if l.MaxPassages > 0 && paragraphs > l.MaxPassages {
		return &LimitError{Doc: name, Setting: MaxPassagesSetting, Limit: int64(l.MaxPassages),
			Need: fmt.Sprintf("%d paragraphs", paragraphs)}
	}
	return &LimitError{Doc: name, Setting: MemoryBudgetSetting, Limit: l.MemoryBudget,
		Need: fmt.Sprintf("%d paragraphs would need ~%s", paragraphs, formatBytes(l.estimate(paragraphs, textBytes)))}
}

// checkTextSize returns an error when textBytes bytes of text alone
// would pass the memory budget.
func (l Limits) checkTextSize(name string, textBytes int) error {
	if l.MemoryBudget <= 0 {
		return nil
	}
	if need := l.estimate(0, textBytes); need > l.MemoryBudget {
		return &LimitError{Doc: name, Setting: MemoryBudgetSetting, Limit: l.MemoryBudget,
			Need: fmt.Sprintf("%s of text would need ~%s", formatBytes(int64(textBytes)), formatBytes(need))}
	}
	return nil
}

// Check returns an error when a document of docs or the whole set passes
// l: the [*LimitError] of the first document that does, alone or with the
// documents before it.
func (l Limits) Check(docs []*Document) error {
	b := Budget{Limits: l}
	for _, d := range docs {
		if err := b.Add(d); err != nil {
			return err
		}
	}
	return nil
}

// Budget is the running total of a document set's estimated memory
// against its Limits, for a set assembled one document at a time. The zero
// value has no limits; a Budget is not safe for concurrent use.
type Budget struct {
	Limits Limits
	used   int64
	docs   int
}

// Add charges doc to the budget. It returns a [*LimitError], and charges
// nothing, when doc has more than Limits.MaxPassages passages or would
// take the set over Limits.MemoryBudget.
func (b *Budget) Add(doc *Document) error {
	l := b.Limits
	passages, need := l.Estimate(doc)
	if l.MaxPassages > 0 && passages > l.MaxPassages {
		return &LimitError{Doc: doc.Name, Setting: MaxPassagesSetting, Limit: int64(l.MaxPassages),
			Need: fmt.Sprintf("%d passages", passages)}
	}
	if l.MemoryBudget > 0 && b.used+need > l.MemoryBudget {
		what := fmt.Sprintf("%d passages would need ~%s", passages, formatBytes(need))
		switch b.docs {
		case 0:
		case 1:
			what += ", with the other document ~" + formatBytes(b.used+need)
		default:
			what += fmt.Sprintf(", with the %d other documents ~%s", b.docs, formatBytes(b.used+need))
		}
		return &LimitError{Doc: doc.Name, Setting: MemoryBudgetSetting, Limit: l.MemoryBudget, Need: what}
	}
	b.used += need
	b.docs++
	return nil
}

// Used returns the memory charged so far, in bytes.
func (b *Budget) Used() int64 { return b.used }
