// Package retrieval turns documents into ranked passages: it loads text files,
// rebuilds their paragraphs, splits long paragraphs into sentence-aligned
// passages, embeds and indexes them (chromem-go for vectors, BM25 for words)
// and answers searches with a fused ranking.
//
// # Design
//
// Loading ([LoadDocuments], [ParseDocument]) reads UTF-8 .txt and .md files,
// strips a BOM, normalises CRLF and rejects empty, binary or invalid UTF-8
// input with an error that names the file. PDF files go through a pure-Go
// text extractor (pdf.go) that lays text rows out as hard-wrapped text with
// paragraph ends marked, then through the same rebuilder; encrypted, broken
// and image-only PDFs get a one-line error. With no paths the bundled sample
// document ([SampleName], embedded with go:embed) is used.
//
// Paragraph rebuilding recognises two shapes:
//
//   - PDF-extracted hard-wrapped text such as the sample: every line is
//     followed by a blank line, a paragraph's last line ends with trailing
//     whitespace, and page breaks add extra blank lines mid-paragraph. Lines
//     of one paragraph are joined: CJK to CJK with no space, Latin words with
//     one space. The short blocks before the first body paragraph are the
//     heading (title and subtitle); they are joined into one paragraph with
//     number 0 (shown as ¶0) and Heading set.
//   - Blank-line separated paragraphs of one or several lines each. Markdown
//     headings (# Title) become paragraphs with Heading set and number 0; the
//     body paragraphs after them carry the heading text as Section.
//
// Body paragraphs are numbered 1..N per document in reading order. The
// rebuilt paragraphs, joined by a blank line, form [Document.Text]: every
// offset in this package (Paragraph, Passage, Hit) is a byte offset into that
// string, so a quote can always be shown as Text[Start:End].
//
// A passage ([Passage]) is the retrieval unit: one paragraph, or, when a
// paragraph is longer than the passage limit, a sentence-aligned window of it
// that keeps the paragraph number. Heading paragraphs are passages too.
//
// The [Index] holds a BM25 index over CJK character bigrams plus single
// characters and lowercase Latin words (see package segment), and a chromem-go
// collection of embeddings, scanned as one contiguous matrix. [Index.Search]
// merges the top lexical and vector candidates and re-scores each with its
// normalised BM25 score, the share of the query the best single sentence
// covers, the longest shared phrase, the query share inside shared phrases,
// and the cosine similarity (weights tuned on the shared eval sets as wholes;
// reciprocal rank fusion was measured and lost to BM25 alone). Each [Hit]
// reports which retrievers found it.
//
// Embedders are chromem-go EmbeddingFuncs: [LocalEmbedder] (hashed character
// n-grams, deterministic, no network) and [OpenAIEmbedder] (any
// OpenAI-compatible /v1/embeddings endpoint, batched, retried).
//
// The index persists under a data directory as one snapshot file keyed by the
// documents' content hashes, the embedder and model, and [ChunkerVersion]; it
// is written to a temporary file and renamed into place. A missing, stale or
// corrupt snapshot is rebuilt (and, when corrupt, logged), never fatal.
package retrieval
