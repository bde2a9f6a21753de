package lexicon

import (
	"slices"
	"strings"
	"unicode"

	"github.com/citebot/citebot/retrieval/text"
)

// glossStop are words of glosses and questions that translate nothing,
// beyond text.EnglishStop: CC-CEDICT's placeholders (sb, sth, one's) and
// generic question words.
var glossStop = map[string]bool{
	"sb": true, "sth": true, "one": true, "one's": true, "oneself": true, "etc": true, "e.g": true,
	"kind": true, "sort": true, "type": true, "thing": true, "things": true, "way": true, "done": true,
	"being": true, "get": true, "got": true, "make": true, "made": true, "used": true, "use": true,
	"up": true, "out": true, "off": true, "over": true, "very": true, "between": true, "each": true,
	"other": true, "such": true, "something": true, "someone": true, "somebody": true, "person": true,
	"an": true, "abbr": true, "e": true, "g": true, "s": true, "am": true, "become": true, "becomes": true,
	"according": true, "happen": true, "happened": true, "mention": true, "mentioned": true,
	"mentions": true, "describe": true, "described": true, "role": true, "what's": true,
}

// stopWords are text.EnglishStop and glossStop in one set.
var stopWords = func() map[string]bool {
	m := make(map[string]bool, len(text.EnglishStop)+len(glossStop))
	for _, set := range []map[string]bool{text.EnglishStop, glossStop} {
		for w := range set {
			m[w] = true
		}
	}
	return m
}()

// stopWord reports whether the lowercase word w translates nothing.
func stopWord(w string) bool { return stopWords[w] }

// englishWord is a word of a text with its place.
type englishWord struct {
	w     string // as written
	lower string
	// gap reports a stop word or punctuation between this word and the
	// previous content word.
	gap bool
}

// eachWord calls fn for each word of s (a run of letters and digits,
// with apostrophes inside it; a trailing 's dropped), with whether
// punctuation other than spaces and hyphens came before it since the
// previous word.
func eachWord(s string, fn func(w string, punct bool)) {
	start, punct := -1, false
	flush := func(end int) {
		w := strings.Trim(s[start:end], "'")
		w = strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "'S")
		if w != "" {
			fn(w, punct)
			punct = false
		}
		start = -1
	}
	for i, r := range s {
		word := r < 0x2E80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) || r == '\'' && start >= 0
		switch {
		case word && start < 0:
			start = i
		case word:
		case start >= 0:
			flush(i)
			punct = punct || r != ' ' && r != '-'
		default:
			punct = punct || r != ' ' && r != '-'
		}
	}
	if start >= 0 {
		flush(len(s))
	}
}

// lowerASCII lowercases w, without copying when it has no capital.
func lowerASCII(w string) string {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return strings.ToLower(w)
		}
	}
	return w
}

// contentWords returns the content words of an English text, in order.
func contentWords(s string) []englishWord {
	var out []englishWord
	gap := false
	eachWord(s, func(w string, punct bool) {
		lower := lowerASCII(w)
		if stopWord(lower) {
			gap = true
			return
		}
		out = append(out, englishWord{w: w, lower: lower, gap: gap || punct})
		gap = false
	})
	return out
}

// stemScanner finds the content word stems of gloss senses, reusing its
// memory from one sense to the next.
type stemScanner struct {
	out  []string
	join []byte
}

// stems returns the stems of the content words of sense; the slice is
// reused by the next call.
func (sc *stemScanner) stems(sense string) []string {
	sc.out = sc.out[:0]
	eachWord(sense, func(w string, _ bool) {
		if lower := lowerASCII(w); !stopWord(lower) {
			sc.out = append(sc.out, stem(lower))
		}
	})
	return sc.out
}

// joined returns the last stems sorted and joined by spaces: the key of
// a phrase (see [phraseKey]); the slice is reused.
func (sc *stemScanner) joined() []byte {
	sc.join = sc.join[:0]
	slices.Sort(sc.out)
	for i, s := range sc.out {
		if i > 0 {
			sc.join = append(sc.join, ' ')
		}
		sc.join = append(sc.join, s...)
	}
	return sc.join
}

// phraseKey returns the key of a phrase of stems: sorted, joined by
// spaces. It sorts stems.
func phraseKey(stems []string) string {
	slices.Sort(stems)
	return strings.Join(stems, " ")
}

// stem reduces a lowercase English word to a crude stem, the same for its
// common inflections (plural -s/-es/-ies, -ed, -ing) and derivations
// (-ation, -ion, -ment, -ity, -ly, -al) and a final e: produce, produced,
// producing -> produc; pollute, pollution -> pollut; region, regional ->
// region. Both sides of every lookup are stemmed alike, so a stem that is
// not a word does no harm; two words sharing a stem can.
func stem(w string) string {
	if base, ok := irregular[w]; ok {
		w = base
	}
	n := len(w)
	switch {
	case n > 4 && strings.HasSuffix(w, "ies"):
		w = w[:n-3] + "y"
	case n > 4 && strings.HasSuffix(w, "ied"):
		w = w[:n-3] + "y"
	case n > 4 && (strings.HasSuffix(w, "sses") || strings.HasSuffix(w, "shes") || strings.HasSuffix(w, "ches") || strings.HasSuffix(w, "xes")):
		w = w[:n-2]
	case n > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		w = w[:n-1]
	case n > 5 && strings.HasSuffix(w, "ing"):
		w = undouble(w[:n-3])
	case n > 4 && strings.HasSuffix(w, "ed"):
		w = undouble(w[:n-2])
	}
	for range 2 {
		cut := false
		for _, suf := range derivations {
			if len(w)-len(suf) >= 4 && strings.HasSuffix(w, suf) {
				w, cut = w[:len(w)-len(suf)], true
				break
			}
		}
		if !cut {
			break
		}
	}
	if len(w) > 3 && strings.HasSuffix(w, "e") {
		w = w[:len(w)-1]
	}
	return w
}

// irregular maps common irregular verb forms to their base form (glosses
// write verbs as "to hold").
var irregular = map[string]string{
	"held": "hold", "spoke": "speak", "spoken": "speak", "made": "make", "built": "build", "took": "take",
	"taken": "take", "gave": "give", "given": "give", "won": "win", "led": "lead", "met": "meet", "began": "begin",
	"begun": "begin", "became": "become", "brought": "bring", "chose": "choose", "chosen": "choose", "found": "find",
	"grew": "grow", "grown": "grow", "kept": "keep", "left": "leave", "lost": "lose", "paid": "pay", "ran": "run",
	"saw": "see", "seen": "see", "sent": "send", "sold": "sell", "stood": "stand", "taught": "teach",
	"thought": "think", "told": "tell", "went": "go", "gone": "go", "wrote": "write", "written": "write",
	"fell": "fall", "fallen": "fall", "felt": "feel", "drew": "draw", "drawn": "draw", "drove": "drive",
	"driven": "drive", "rose": "rise", "risen": "rise", "shown": "show", "fought": "fight", "sought": "seek",
	"caught": "catch", "struck": "strike", "laid": "lay", "bought": "buy", "understood": "understand",
	"meant": "mean", "heard": "hear", "known": "know", "knew": "know", "broke": "break", "broken": "break",
	"spent": "spend", "lent": "lend", "froze": "freeze",
}

// derivations are the suffixes stem removes, longest first.
var derivations = []string{"ation", "ment", "ion", "ity", "ly", "al"}

// undouble drops the second of two equal final consonants (planned ->
// plann -> plan).
func undouble(w string) string {
	n := len(w)
	if n > 3 && w[n-1] == w[n-2] && !strings.ContainsRune("aeiouls", rune(w[n-1])) {
		return w[:n-1]
	}
	return w
}

// inflections returns w and its common inflected forms, for finding a
// gloss word in an English document.
func inflections(w string) []string {
	out := []string{w}
	add := func(s string) { out = append(out, s) }
	switch {
	case strings.HasSuffix(w, "y") && len(w) > 2 && !strings.ContainsRune("aeiou", rune(w[len(w)-2])):
		base := w[:len(w)-1]
		add(base + "ies")
		add(base + "ied")
	case strings.HasSuffix(w, "s") || strings.HasSuffix(w, "sh") || strings.HasSuffix(w, "ch") || strings.HasSuffix(w, "x"):
		add(w + "es")
	default:
		add(w + "s")
	}
	if strings.HasSuffix(w, "e") {
		add(w + "d")
		add(w[:len(w)-1] + "ing")
	} else {
		add(w + "ed")
		add(w + "ing")
	}
	return out
}
