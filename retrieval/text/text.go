// Package segment holds the text primitives shared by retrieval and answer:
// a sentence splitter for Chinese and English, clause splitting, the BM25
// tokenizer (CJK character bigrams plus single characters, lowercase Latin
// words and numbers) and a language guess. It has no dependencies and is
// safe for concurrent use.
package text

// Span is a half-open byte range [Start, End) of a string.
type Span struct{ Start, End int }
