// Package lexicon translates a question's content words between English
// and Chinese without a model, for asking about a document in the other
// language. It imports only retrieval/text and is safe for concurrent use.
//
// # Design
//
// The data is a compact bilingual lexicon derived from CC-CEDICT (CC BY-SA
// 4.0, see LICENSE-CC-CEDICT.md), generated at development time by
// internal/gen (`go generate ./retrieval/text/lexicon/`) and embedded as
// lexicon.gz: one line per Simplified headword of at most six characters
// with its Traditional form (when a character map does not give it), its
// toneless reading when it is a proper noun, and its short glosses
// (classifier lists, variant notes, surnames and long explanations
// dropped; "see X" resolved to X's glosses); then the characters of each
// pinyin syllable. Nothing is read until the first translation (a
// sync.Once), so a process that never translates pays nothing; the
// English word index is built on the first English question.
//
// [Translate] turns a question into a [Query] of [Group]s, one per
// content word or phrase, each a list of weighted [Alternative]s that
// count as one term (a structured query):
//
//   - English to Chinese: capitalised runs are names first (a CC-CEDICT
//     proper noun by its reading, "Chongqing" -> 重庆; else pinyin spelt
//     with the document's own characters, "Li Qiang" -> 李强, which needs
//     the filter); then the longest run of 2-4 adjacent words that is a
//     whole gloss sense ("disaster prevention" -> 防灾; word order free,
//     "fishing ban" -> 禁渔 "ban on fishing"); then each word by every
//     gloss sense holding its stem, weighted by 1/(words in the sense),
//     0.85 per later gloss and 0.6 for a one-character headword.
//   - Chinese to English: question words are skipped, the rest is cut
//     into the longest headwords, and each becomes its senses of up to
//     three words, each word in the inflected form the document uses.
//
// A filter (has) keeps only the alternatives a document's vocabulary
// holds; of the rest each group keeps the best six within 30% of its best.
// English words are matched by a crude stemmer (stem) applied alike to
// glosses and questions.
package lexicon
