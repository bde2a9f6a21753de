// Package retrieval turns documents into ranked passages: it splits the
// documents of package document into passages, embeds and indexes them
// (chromem-go for vectors, BM25 for words) and answers searches with a
// fused ranking.
//
// # Design
//
// Loading, paragraph rebuilding and passage splitting live in
// retrieval/document; every offset (Paragraph, Passage, Hit) is a byte
// offset into [document.Document.Text]. Tokens, sentences and the word
// lists shared with the answer engine live in retrieval/text.
//
// [Build] (index.go) splits the documents into passages and builds, side by
// side, the two halves of an [Index]:
//
//   - a BM25 index (lexical.go) over the tokens of text.TokenScanner: CJK
//     character bigrams plus single characters, lowercase words and digit
//     runs, keyed without hashing Han (termtable.go), with postings
//     compressed to about 10 bits each (postings.go);
//   - the passages' embeddings (vectors.go: [LocalEmbedder] in embed.go,
//     or any chromem-go EmbeddingFunc) in a chromem-go collection, the
//     store of record of vectors and metadata (collection.go). The
//     collection's Embedding slices are the rows of one contiguous matrix
//     that a query scans (scan.go, with an AVX2 kernel on amd64): the
//     vectors are held once.
//
// [Index.Search] (search.go, fusion.go) merges the top BM25 and vector
// candidates and re-scores each with its normalised BM25 score, the share
// of the query the best single sentence covers, the longest shared phrase,
// the query share inside shared phrases (features.go) and the cosine
// similarity (weights tuned on the shared eval sets as wholes; reciprocal
// rank fusion was measured and lost to BM25 alone). Reading a candidate's
// text is most of a query's cost, so candidates are scored in order of an
// upper bound on their score and those that cannot rank are skipped; the
// result is the one scoring every candidate would give. Each [Hit] reports
// which retrievers found it.
//
// The index persists under a data directory as one snapshot file
// (persist.go, lexpersist.go) holding the vectors and the BM25 index
// (terms, postings, length norms, sentence ends), keyed by the documents'
// content hashes, the embedder and model, [document.ChunkerVersion], the
// passage limit and a fingerprint of the tokenizer; it is written to a
// temporary file and renamed into place. A start with unchanged inputs
// reads both halves back and neither embeds nor tokenises. A missing,
// stale or corrupt snapshot is rebuilt (and, when corrupt, logged), never
// fatal.
//
// Benchmarks beside the tests (bench_test.go) measure queries on the eval
// corpora and at 1k, 10k and 100k passages, and the heap an index holds.
package retrieval
