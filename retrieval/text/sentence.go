package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sentences splits text into sentences and returns their byte spans in
// order. The spans cover every non-space character of text; each is trimmed
// of surrounding white space and empty sentences are omitted.
//
// A sentence ends:
//
//   - after a Chinese terminator 。！？；… (a run of them, such as "……" or
//     "？！", stays together);
//   - after an English . ! or ? that is followed by white space or the end
//     of the text; a '.' does not end a sentence when the next word starts
//     with a lowercase letter ("e.g. this"), when it follows a single letter
//     or a title such as Mr, Dr or No, or when it is inside a token
//     ("3.14", "example.com");
//   - at a line break.
//
// Closing quotes and brackets (”’」』）) and the like) after a terminator
// belong to the sentence they close. Sentences is safe for concurrent use.
func Sentences(text string) []Span {
	var spans []Span
	start := 0
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		next := i + size
		switch {
		case r == '\n':
			spans = appendTrimmed(spans, text, start, next)
			start = next
		case isSentenceTerminatorCJK(r) || r == '!' || r == '?' || r == '.':
			// Decide once for the whole run of terminators, so that long
			// runs ("......") cost linear time.
			runEnd := skipTerminators(text, i)
			end := skipClosers(text, runEnd)
			if !runEndsSentence(text, i, runEnd, end) {
				next = runEnd
				break
			}
			spans = appendTrimmed(spans, text, start, end)
			start, next = end, end
		}
		i = next
	}
	return appendTrimmed(spans, text, start, len(text))
}

// Clauses splits text into clauses: first into [Sentences], then each
// sentence at the clause marks ，、：；and the ASCII , : ; (an ASCII mark
// splits only when white space, a CJK character or the end follows it, so
// "1,000" and "12:30" stay whole). Each mark stays with the clause before
// it. The spans are byte offsets into text, trimmed, in order and never
// empty. Clauses is safe for concurrent use.
func Clauses(text string) []Span {
	var spans []Span
	for _, s := range Sentences(text) {
		start := s.Start
		for i := s.Start; i < s.End; {
			r, size := utf8.DecodeRuneInString(text[i:s.End])
			next := i + size
			split := false
			switch r {
			case '，', '、', '：', '；', '﹐', '﹑':
				split = true
			case ',', ':', ';':
				rest := text[next:s.End]
				split = rest == "" || startsWithSpace(rest) || startsWithWide(rest)
			}
			if split {
				next = skipClosers(text[:s.End], next)
				spans = appendTrimmed(spans, text, start, next)
				start = next
			}
			i = next
		}
		spans = appendTrimmed(spans, text, start, s.End)
	}
	return spans
}

// appendTrimmed appends text[start:end] trimmed of white space to spans,
// unless nothing is left.
func appendTrimmed(spans []Span, text string, start, end int) []Span {
	s := text[start:end]
	trimmedLeft := strings.TrimLeftFunc(s, unicode.IsSpace)
	start += len(s) - len(trimmedLeft)
	trimmed := strings.TrimRightFunc(trimmedLeft, unicode.IsSpace)
	if trimmed == "" {
		return spans
	}
	return append(spans, Span{Start: start, End: start + len(trimmed)})
}

// runEndsSentence reports whether the run of terminators text[i:runEnd],
// followed by closers up to end, ends a sentence: always for a Chinese
// terminator other than '…'; for ! and ? when white space, a CJK character
// or the end follows; for '…' after a CJK character; else (for '.' and '…'
// in English) as decided by endsEnglishSentence.
func runEndsSentence(text string, i, runEnd, end int) bool {
	bang, ellipsis := false, false
	for _, r := range text[i:runEnd] {
		switch r {
		case '!', '?':
			bang = true
		case '…':
			ellipsis = true
		case '.':
		default:
			return true
		}
	}
	rest := text[end:]
	if bang && (rest == "" || startsWithWide(rest)) {
		return true
	}
	if bang && startsWithSpace(rest) {
		// `"Is it over?" she asked.`: a lowercase word after the mark
		// goes on with the sentence, unless a line break intervenes.
		after := strings.TrimLeftFunc(rest, unicode.IsSpace)
		r, _ := utf8.DecodeRuneInString(after)
		return !unicode.IsLower(r) || strings.ContainsRune(rest[:len(rest)-len(after)], '\n')
	}
	if ellipsis && afterWideRune(text, i) {
		return true
	}
	return endsEnglishSentence(text, i, end)
}

// isSentenceTerminatorCJK reports whether r always ends a Chinese sentence.
func isSentenceTerminatorCJK(r rune) bool {
	switch r {
	case '。', '！', '？', '；', '…', '｡', '‼', '⁇', '⁈', '⁉':
		return true
	}
	return false
}

// skipTerminators returns the offset after the run of sentence terminators
// (Chinese or ASCII) starting at i.
func skipTerminators(text string, i int) int {
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isSentenceTerminatorCJK(r) && r != '.' && r != '!' && r != '?' {
			break
		}
		i += size
	}
	return i
}

// skipClosers returns the offset after the closing quotes and brackets
// starting at i. Straight quotes (" and ') count as closing only when the
// run of closers they are in is followed by white space or the end of text,
// as they may open the next sentence instead.
func skipClosers(text string, i int) int {
	j, firstStraight := i, -1
	for j < len(text) {
		r, size := utf8.DecodeRuneInString(text[j:])
		switch r {
		case '”', '’', '」', '』', '）', ')', ']', '】', '》', '〉', '〕', '〗', '〙', '｣', '］', '｝', '}', '»', '›':
		case '"', '\'', '＂', '＇':
			if firstStraight < 0 {
				firstStraight = j
			}
		default:
			if firstStraight >= 0 && !unicode.IsSpace(r) {
				return firstStraight
			}
			return j
		}
		j += size
	}
	return j
}

// sentenceTitles are words that are written with a '.' and almost never end
// a sentence (compared in lowercase).
var sentenceTitles = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "sr": true,
	"jr": true, "st": true, "mt": true, "no": true, "nos": true, "fig": true,
	"figs": true, "vs": true, "cf": true, "approx": true, "vol": true,
	"pp": true, "p": true, "ed": true, "eds": true, "ca": true, "gen": true,
	"gov": true, "sen": true, "rep": true, "col": true, "lt": true, "capt": true,
	"sgt": true, "rev": true, "hon": true, "pres": true, "messrs": true,
}

// sentenceOpeners are words that, capitalised after a dotted abbreviation
// ("in the U.S. The next year"), start a new sentence: the abbreviation
// ended the sentence too.
var sentenceOpeners = map[string]bool{
	"the": true, "a": true, "an": true, "it": true, "he": true, "she": true,
	"they": true, "we": true, "this": true, "these": true, "there": true,
	"his": true, "her": true, "its": true, "their": true, "but": true,
	"however": true, "after": true, "in": true, "on": true, "at": true,
	"when": true, "during": true, "since": true, "today": true,
}

// endsEnglishSentence reports whether the '.' (or '…') run at text[i:end]
// (terminators and closers) ends a sentence, following the rules described
// on [Sentences]. It looks back only over the word before i and forward
// over white space, so calling it once per run keeps splitting linear.
func endsEnglishSentence(text string, i, end int) bool {
	if end == len(text) {
		return true
	}
	rest := text[end:]
	if !startsWithSpace(rest) {
		// "3.14", "example.com", "Mr.Smith": inside a token. A Chinese
		// character right after the mark is taken as a new sentence.
		return startsWithWide(rest)
	}
	after := strings.TrimLeftFunc(rest, unicode.IsSpace)
	if strings.ContainsRune(rest[:len(rest)-len(after)], '\n') {
		return true
	}
	if r, _ := utf8.DecodeRuneInString(after); unicode.IsLower(r) {
		return false
	}
	// The word before the mark: a single letter ("J. K. Rowling"), a
	// dotted abbreviation ("U.S.") or a title ("Dr.") does not end a
	// sentence.
	word := text[:i]
	j := len(word)
	for j > 0 {
		r, size := utf8.DecodeLastRuneInString(word[:j])
		if !unicode.IsLetter(r) && r != '.' {
			break
		}
		j -= size
	}
	word = word[j:]
	if word == "" {
		return true
	}
	if isDottedAbbreviation(word) {
		// "U.S." or "A.D." may end a sentence too: it does when the next
		// word is a capitalised sentence opener ("The", "It").
		return strings.Contains(word, ".") && sentenceOpeners[strings.ToLower(firstWord(after))] &&
			unicode.IsUpper(firstRune(after))
	}
	return !sentenceTitles[strings.ToLower(word)]
}

// isDottedAbbreviation reports whether word (letters and dots, without the
// final dot) is a single letter or made of short dotted pieces such as
// "U.S", "e.g" or "Ph.D".
func isDottedAbbreviation(word string) bool {
	if utf8.RuneCountInString(word) == 1 {
		return true
	}
	if !strings.Contains(word, ".") {
		return false
	}
	for piece := range strings.SplitSeq(word, ".") {
		if n := utf8.RuneCountInString(piece); n == 0 || n > 2 {
			return false
		}
	}
	return true
}

// afterWideRune reports whether the rune before offset i is a CJK character.
func afterWideRune(text string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return isWideForSentence(r)
}

// startsWithSpace reports whether s starts with a white space rune.
func startsWithSpace(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return s != "" && unicode.IsSpace(r)
}

// startsWithWide reports whether s starts with a CJK character or CJK
// punctuation.
func startsWithWide(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return s != "" && isWideForSentence(r)
}

// isWideForSentence reports whether r is wide text ([IsWide]) or a Hangul
// syllable: Korean ends sentences without a space too.
func isWideForSentence(r rune) bool {
	return IsWide(r) || r >= 0xAC00 && r <= 0xD7A3
}

// firstWord returns the leading letters of s.
func firstWord(s string) string {
	end := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	if end < 0 {
		return s
	}
	return s[:end]
}

// firstRune returns the first rune of s (utf8.RuneError when empty).
func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}
