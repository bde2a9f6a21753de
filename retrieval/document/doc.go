// Package document turns files into documents with numbered paragraphs and
// the passages retrieval indexes. Every offset it hands out is a byte offset
// into [Document.Text], so a quote can always be shown as Text[Start:End].
//
// # Design
//
// Loading ([Load], [Parse]) reads UTF-8 .txt and .md files, strips a BOM,
// normalises CRLF and rejects empty, binary or invalid UTF-8 input with an
// error that names the file. PDF files go through the extractor in
// retrieval/pdf, which lays their text out as hard-wrapped lines, and then
// through the same rebuilder. With no paths the bundled sample ([Sample],
// [SampleName], embedded with go:embed) is used. [IsSupportedFile] and
// [ErrUnsupportedFileType] are the one list of document types.
//
// Paragraph rebuilding recognises two shapes:
//
//   - PDF-extracted hard-wrapped text such as the sample: every line is
//     followed by a blank line, a paragraph's last line ends with trailing
//     whitespace, and page breaks add extra blank lines mid-paragraph. Lines
//     of one paragraph are joined: CJK to CJK with no space, Latin words with
//     one space. The short blocks before the first body paragraph are the
//     heading (title and subtitle), joined into one paragraph numbered 0
//     (shown as ¶0) with Heading set.
//   - Blank-line separated paragraphs of one or several lines each. Markdown
//     headings (# Title) become paragraphs with Heading set and number 0; the
//     body paragraphs after them carry the heading text as Section.
//
// Body paragraphs are numbered 1..N per document in reading order; the
// rebuilt paragraphs joined by a blank line form [Document.Text].
//
// A [Passage] is the retrieval unit ([Passages]): one paragraph or, when a
// paragraph is longer than the passage limit, a sentence-aligned window of
// it that keeps the paragraph number. [ChunkerVersion] names these rules in
// index snapshots.
//
// [Limits] bound what a document set may cost once indexed: passages per
// document and an estimate of the memory of building the index, checked
// by [Limits.Parse], [Limits.Load] and [Budget] before anything is
// embedded, with a [*LimitError] that names the limit's setting. Parsing
// within limits keeps no more paragraphs than they allow, so memory
// follows a file's bytes, not its paragraph count.
//
// Everything here is safe for concurrent use (a [Budget] excepted); a
// [Document] is immutable once parsed.
package document
