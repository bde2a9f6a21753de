// Package text holds the rules about text that retrieval and the answer
// engine share, one copy each: the sentence splitter for Chinese and
// English and clause splitting, the BM25 tokenizer (CJK character bigrams
// plus single characters, lowercase Latin words and numbers), script
// folding (Traditional and variant characters to Simplified, fold.go, from
// a table generated from CC-CEDICT), a language guess, and the word lists
// (question words, function words) in words.go. It imports nothing of
// citebot's and is safe for concurrent use.
package text

// Span is a half-open byte range [Start, End) of a string.
type Span struct{ Start, End int }
