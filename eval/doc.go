// Package eval scores citebot on question sets exactly as
// testdata/eval/README.md defines.
//
// A question set is JSON Lines, one [Row] per line ([Load], [Parse]). Text
// is normalised by deleting all whitespace ([Normalize]); a passage is
// relevant when it contains any gold answer; recall@k is the share of
// answerable questions with a relevant passage in the top k; MRR@10 is the
// mean of 1/rank of the first relevant passage (0 if none in the top 10).
// Answers are scored on their quotes: quote_hit@1 is the share of
// answerable questions whose first quote contains a gold answer,
// quote_hit@any the share with any quote containing one, abstain_rate the
// share of unanswerable questions answered "not found",
// false_abstain_rate the share of answerable ones, whole_sentence_rate the
// share of first quotes made of whole sentences (not a window cut from a
// longer one), and, over rows that carry evidence sentences,
// evidence_hit@1 the share whose first quote holds a gold answer and
// overlaps an evidence sentence. [WriteResults] writes the per-question
// results as JSON Lines, to read why a question missed.
//
// One question becomes one [Result] ([Score]); a [Metrics] accumulates
// results overall and per row kind into [Scores]; a [Report] is what
// `citebot eval` prints. [Run] drives a whole set through two plain
// functions (search and answer), so the package imports neither the index
// nor the answer engine: the retrieval and answer tests use it without an
// import cycle, and cmd/citebot plugs the real ones in.
//
// Scoring functions are pure and safe for concurrent use; a [Metrics] is
// not.
package eval
