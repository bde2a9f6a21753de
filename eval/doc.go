// Package eval scores citebot on question sets exactly as
// testdata/eval/README.md defines.
//
// A question set is JSON Lines, one [Row] per line ([Load], [Parse]). Text
// is normalised by deleting all whitespace ([Normalize]); a passage is
// relevant when it contains any gold answer; recall@k is the share of
// answerable questions with a relevant passage in the top k; MRR@10 is the
// mean of 1/rank of the first relevant passage (0 if none in the top 10).
// Answers are scored on their first quote: quote_hit@1 is the share of
// answerable questions whose first quote contains a gold answer,
// abstain_rate the share of unanswerable questions answered "not found",
// false_abstain_rate the share of answerable ones.
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
