// Package morph holds WordNet's detachment rules (the suffix rules of its
// morphy function), shared by the wordnet package, which applies them to
// words, and its generator, which applies them backwards to lemmas to find
// the forms two lemmas share.
package morph

import "strings"

// POS is a WordNet part of speech as a bit, so a word's parts of speech
// fit one byte.
type POS uint8

// The parts of speech.
const (
	Noun POS = 1 << iota
	Verb
	Adj
	Adv
)

// Rule is one detachment rule: a form ending in Suffix may be the lemma
// ending in Ending instead, when that lemma is a word of part of speech
// POS.
type Rule struct {
	POS            POS
	Suffix, Ending string
}

// Rules are WordNet's detachment rules in morphy's order: nouns, verbs,
// adjectives (adverbs have none).
var Rules = []Rule{
	{Noun, "s", ""}, {Noun, "ses", "s"}, {Noun, "xes", "x"}, {Noun, "zes", "z"},
	{Noun, "ches", "ch"}, {Noun, "shes", "sh"}, {Noun, "men", "man"}, {Noun, "ies", "y"},
	{Verb, "s", ""}, {Verb, "ies", "y"}, {Verb, "es", "e"}, {Verb, "es", ""},
	{Verb, "ed", "e"}, {Verb, "ed", ""}, {Verb, "ing", "e"}, {Verb, "ing", ""},
	{Adj, "er", ""}, {Adj, "est", ""}, {Adj, "er", "e"}, {Adj, "est", "e"},
}

// Shortest form and base a rule may join: the rules would otherwise read
// function words as plurals of letters and abbreviations (as -> a,
// its -> it, us -> u).
const (
	MinForm = 4
	MinBase = 2
)

// Base returns the lemma that rule r detaches from form, or ok false when
// the rule does not apply (form lacks the suffix, or form or lemma is too
// short).
func (r Rule) Base(form string) (base string, ok bool) {
	stem, found := strings.CutSuffix(form, r.Suffix)
	if !found || len(form) < MinForm {
		return "", false
	}
	base = stem + r.Ending
	if len(base) < MinBase || base == form {
		return "", false
	}
	return base, true
}

// Form returns the form that rule r derives from lemma, or ok false when
// the rule cannot give lemma (lemma does not end in r.Ending) or the
// form would be too short: the inverse of [Rule.Base].
func (r Rule) Form(lemma string) (form string, ok bool) {
	stem, found := strings.CutSuffix(lemma, r.Ending)
	if !found {
		return "", false
	}
	form = stem + r.Suffix
	if b, ok := r.Base(form); !ok || b != lemma {
		return "", false
	}
	return form, true
}

// IsWord reports whether s is a word the table keeps: two or more ASCII
// lowercase letters (WordNet's collocations, hyphenated and dotted forms
// are not tokens of one word).
func IsWord(s string) bool {
	if len(s) < 2 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// Default returns the lemma of form by the rules alone: form itself when
// it is a lemma (pos reports a word's parts of speech, 0 for none), else
// the first base a rule gives that is a lemma of the rule's part of
// speech, else form. The wordnet table lists the forms whose lemma is
// another (irregular forms, forms two lemmas share, lemmas that are
// mostly an inflection of another) as exceptions to it.
func Default(form string, pos func(string) POS) string {
	if pos(form) != 0 {
		return form
	}
	for _, r := range Rules {
		if b, ok := r.Base(form); ok && pos(b)&r.POS != 0 {
			return b
		}
	}
	return form
}
