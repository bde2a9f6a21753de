package answer

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// normView is a normalised view of a text with a map back to the original
// byte offsets: byte i of s was produced by the original rune at
// [starts[i], ends[i]).
//
// Normalisation deletes whitespace, zero-width characters and quote marks
// (" ' “ ” ‘ ’ 「 」 『 』 ...), folds full-width ASCII (Ａ, ０, ，, ；, ：,
// （ ...) to ASCII, maps CJK punctuation to its ASCII counterpart (。 to .,
// 、 to ,, … to ...), and lowercases letters. Two texts that differ only in
// those respects have the same view.
type normView struct {
	s      string
	starts []int
	ends   []int
}

// normalize builds the normalised view of text.
func normalize(text string) normView {
	var b strings.Builder
	b.Grow(len(text))
	starts := make([]int, 0, len(text))
	ends := make([]int, 0, len(text))
	var buf [utf8.UTFMax * 3]byte
	for i, r := range text {
		size := utf8.RuneLen(r)
		if r == utf8.RuneError {
			_, size = utf8.DecodeRuneInString(text[i:])
		}
		out := foldRune(buf[:0], r)
		b.Write(out)
		for range out {
			starts = append(starts, i)
			ends = append(ends, i+size)
		}
	}
	return normView{s: b.String(), starts: starts, ends: ends}
}

// normString returns only the normalised string of text.
func normString(text string) string {
	var b strings.Builder
	var buf [utf8.UTFMax * 3]byte
	for _, r := range text {
		b.Write(foldRune(buf[:0], r))
	}
	return b.String()
}

// isQuoteMark reports whether r is a quotation mark of any script.
func isQuoteMark(r rune) bool {
	switch r {
	case '"', '\'', '`', '´', '‘', '’', '‚', '‛', '“', '”', '„', '‟', '«', '»',
		'「', '」', '『', '』', '〝', '〞', '〟', '＂', '＇', '﹁', '﹂', '﹃', '﹄':
		return true
	}
	return false
}

// isOpenQuote and isCloseQuote classify the directional quotation marks.
func isOpenQuote(r rune) bool { return strings.ContainsRune("‘“«「『〝﹁﹃", r) }

func isCloseQuote(r rune) bool { return strings.ContainsRune("’”»」』〞〟﹂﹄", r) }

// foldRune appends the normalised form of r to dst (nothing when r is
// deleted).
func foldRune(dst []byte, r rune) []byte {
	switch {
	case unicode.IsSpace(r), isQuoteMark(r):
		return dst
	case r == '\u200b', r == '\u200c', r == '\u200d', r == '\u2060', r == '\ufeff', r == '\u00ad':
		return dst
	case r >= 0xFF01 && r <= 0xFF5E:
		r -= 0xFEE0
	}
	switch r {
	case '。', '｡':
		r = '.'
	case '、', '､':
		r = ','
	case '〈', '《':
		r = '<'
	case '〉', '》':
		r = '>'
	case '【', '〔', '［':
		r = '['
	case '】', '〕', '］':
		r = ']'
	case '—', '–', '―', '‐', '‑', '‒', '−', '～', '〜':
		r = '-'
	case '·', '・', '‧', '•', '∙':
		r = '·'
	case '…':
		return append(dst, "..."...)
	case '‥':
		return append(dst, ".."...)
	}
	return utf8.AppendRune(dst, unicode.ToLower(r))
}

// isTrimmable reports whether b, a byte of a normalised string, is
// punctuation that a quote may carry at its ends without it counting
// against a match (a model's closing 。 where the document has ；).
func isTrimmable(b byte) bool {
	return strings.IndexByte(",.;:!?-·…", b) >= 0
}

// minQuoteRunes is the shortest normalised quote the matcher accepts: a
// single character matches almost anywhere and proves nothing.
const minQuoteRunes = 2

// quoteFragments normalises a model's quote and splits it at ellipses into
// the fragments to look for, longest first, each trimmed of punctuation at
// its ends. Fragments shorter than minQuoteRunes are dropped.
func quoteFragments(quote string) []string {
	nq := normString(quote)
	var out []string
	for _, f := range strings.Split(nq, "..") {
		f = strings.TrimFunc(f, func(r rune) bool { return r < utf8.RuneSelf && isTrimmable(byte(r)) })
		if utf8.RuneCountInString(f) < minQuoteRunes || !hasWordRune(f) {
			continue
		}
		out = append(out, f)
	}
	// Longest first, stable.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && len(out[j]) > len(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func hasWordRune(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// locate finds quote in text, tolerating the differences normalisation
// removes, and returns the byte span [start, end) of text it matched. view
// must be normalize(text). A quote with ellipses matches by its longest
// fragment found; the sentence punctuation a quote ends with is kept when
// the document has it too. The span never starts or ends inside a rune, and when the
// span opens a quotation mark whose closing mark follows at once (or the
// reverse), the mark is included.
func locate(text string, view normView, quote string) (start, end int, ok bool) {
	nq := normString(quote)
	for _, f := range quoteFragments(quote) {
		j := strings.Index(view.s, f)
		if j < 0 {
			continue
		}
		k := j + len(f)
		// Keep the punctuation the quote ended with when the document has
		// the same (up to width) right there.
		if tail := strings.TrimPrefix(nq, strings.TrimRight(nq, ",.;:!?")); tail != "" && strings.HasSuffix(nq, f+tail) &&
			strings.HasPrefix(view.s[k:], tail) {
			k += len(tail)
		}
		start, end = view.starts[j], view.ends[k-1]
		start, end = balanceQuotes(text, start, end)
		return start, end, true
	}
	return 0, 0, false
}

// balanceQuotes widens [start, end) by one quotation mark on either side when
// the span holds an unmatched opening or closing mark and the matching mark
// sits right outside it.
func balanceQuotes(text string, start, end int) (int, int) {
	open, closed := 0, 0
	for _, r := range text[start:end] {
		switch {
		case isOpenQuote(r):
			open++
		case isCloseQuote(r):
			if open > 0 {
				open--
			} else {
				closed++
			}
		}
	}
	if open > 0 {
		if r, size := utf8.DecodeRuneInString(text[end:]); isCloseQuote(r) {
			end += size
		}
	}
	if closed > 0 {
		if r, size := utf8.DecodeLastRuneInString(text[:start]); isOpenQuote(r) {
			start -= size
		}
	}
	if strings.Count(text[start:end], `"`)%2 == 1 {
		if strings.HasPrefix(text[end:], `"`) {
			end++
		} else if strings.HasSuffix(text[:start], `"`) {
			start--
		}
	}
	return start, end
}
