// Package wordnet reads English words through WordNet 3.0: the lemma of an
// inflected form ([Lemma]: fires -> fire, died -> die, children -> child)
// and the lemmas related to a word ([Related]: its derivationally related
// forms, the adjectives a noun is the attribute of, its synonyms).
//
// The table is generated from the WordNet database by internal/gen (`go
// generate ./retrieval/text/wordnet/`, reading Debian's wordnet-base) and
// embedded gzip-compressed; it is parsed on first use.
//
// A lemma is found as WordNet's morphy finds one, with one answer per
// word since a token has no part of speech: a word that is a lemma stays
// itself, else the first detachment rule (-s, -es, -ies, -ed, -ing, -er,
// -est, -men; see internal/morph) that leaves a lemma of the rule's part
// of speech gives it. The generator lists the exceptions to that: the
// irregular forms of WordNet's exception lists (went -> go), the forms
// two lemmas share (does: do, not doe) and the lemmas that mostly stand
// for an inflection of another (saw -> see, left -> leave, running ->
// run, but data and evening stay), each decided by how often the readings
// were tagged in WordNet's semantic concordance (cntlist.rev). Words of
// fewer than four letters are only read through the exception lists, so
// as, us and its are not taken for plurals of letters.
//
// Related words keep to each word's first three senses (by frequency),
// so die gives decease and perish but not the die of a game.
//
// Everything is safe for concurrent use. The WordNet 3.0 licence and
// attribution are in LICENSE-WordNet.md beside this file.
package wordnet
