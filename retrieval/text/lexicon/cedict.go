package lexicon

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Entry is one line of CC-CEDICT: TRADITIONAL SIMPLIFIED [pin1 yin1]
// /gloss 1/gloss 2/.
type Entry struct {
	Traditional, Simplified string
	// Pinyin is the reading with tone numbers, syllables separated by
	// spaces, as written in the file.
	Pinyin  string
	Glosses []string
}

// ProperNoun reports whether the entry's reading starts with a capital
// letter, CC-CEDICT's mark of a proper noun.
func (e Entry) ProperNoun() bool {
	r, _ := utf8.DecodeRuneInString(e.Pinyin)
	return unicode.IsUpper(r)
}

// errLine reports a CC-CEDICT line that is not an entry.
var errLine = errors.New("not a CC-CEDICT entry line")

// ParseLine parses one CC-CEDICT line. Blank lines and comments (#) give
// ok false and no error; a malformed line gives an error. It never panics
// and accepts CRLF line ends.
func ParseLine(line string) (e Entry, ok bool, err error) {
	line = strings.TrimRight(line, "\r\n")
	if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
		return Entry{}, false, nil
	}
	trad, rest, ok1 := strings.Cut(line, " ")
	simp, rest, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 || trad == "" || simp == "" || !strings.HasPrefix(rest, "[") {
		return Entry{}, false, errLine
	}
	pinyin, rest, ok3 := strings.Cut(rest[1:], "]")
	rest = strings.TrimSpace(rest)
	if !ok3 || len(rest) < 2 || rest[0] != '/' || rest[len(rest)-1] != '/' {
		return Entry{}, false, errLine
	}
	e = Entry{Traditional: trad, Simplified: simp, Pinyin: pinyin}
	for g := range strings.SplitSeq(rest[1:len(rest)-1], "/") {
		if g = strings.TrimSpace(g); g != "" {
			e.Glosses = append(e.Glosses, g)
		}
	}
	if len(e.Glosses) == 0 {
		return Entry{}, false, errLine
	}
	return e, true, nil
}

// Reference returns the headword a gloss points to: "see 江西省[Jiang1 xi1
// Sheng3]" and "abbr. for 江西省[...]" refer to 江西省 (the simplified
// form of a TRADITIONAL|SIMPLIFIED pair). ok is false for any other gloss.
func Reference(gloss string) (headword string, ok bool) {
	for _, p := range []string{"see ", "abbr. for ", "abbr. of ", "same as "} {
		if rest, found := strings.CutPrefix(gloss, p); found {
			gloss, ok = rest, true
			break
		}
	}
	if !ok {
		return "", false
	}
	end := strings.IndexAny(gloss, "[ ,;(")
	if end < 0 {
		end = len(gloss)
	}
	hw := gloss[:end]
	if _, s, found := strings.Cut(hw, "|"); found {
		hw = s
	}
	if hw == "" || !allHan(hw) {
		return "", false
	}
	return hw, true
}

// CleanGloss returns a gloss as the lexicon keeps it, or "" for a gloss
// that translates nothing: classifier lists (CL:), variant and usage
// notes, surnames, cross-references, Taiwan readings. Parenthesised
// notes, Chinese text with its pinyin, and "lit."/"fig." markers are
// removed; ";"-separated senses are kept, one space after each ";".
func CleanGloss(g string) string {
	lower := strings.ToLower(g)
	for _, p := range []string{"cl:", "variant of", "old variant", "used in", "surname ", "see ", "see also",
		"abbr. for", "abbr. of", "same as", "taiwan pr.", "also pr.", "also written", "also called", "japanese variant",
		"erhua variant", "(old)", "archaic variant", "(dialect)"} {
		if strings.HasPrefix(lower, p) {
			return ""
		}
	}
	var b strings.Builder
	depth := 0
	skipPinyin := false
	for _, r := range g {
		switch {
		case r == '(':
			depth++
		case r == ')':
			depth = max(depth-1, 0)
		case depth > 0:
		case r == '[':
			skipPinyin = true
		case r == ']':
			skipPinyin = false
		case skipPinyin, unicode.Is(unicode.Han, r), r == '|':
		default:
			b.WriteRune(r)
		}
	}
	s := b.String()
	for _, m := range []string{"lit. ", "fig. ", "lit.", "fig."} {
		s = strings.ReplaceAll(s, m, "")
	}
	var parts []string
	for p := range strings.SplitSeq(s, ";") {
		if p = strings.Join(strings.Fields(p), " "); strings.IndexFunc(p, unicode.IsLetter) >= 0 {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "; ")
}

// allHan reports whether s is non-empty and all Han characters.
func allHan(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return s != ""
}

// Toneless returns a pinyin reading lowercased, without tone numbers and
// spaces ("Chong2 qing4" -> "chongqing"); u: becomes v. ok is false when
// the reading holds anything but Latin letters, digits and spaces.
func Toneless(pinyin string) (string, bool) {
	var b strings.Builder
	pinyin = strings.ReplaceAll(strings.ReplaceAll(pinyin, "u:", "v"), "U:", "V")
	for _, r := range pinyin {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + 'a' - 'A')
		case r >= '1' && r <= '5', r == ' ':
		default:
			return "", false
		}
	}
	return b.String(), b.Len() > 0
}

// OpenDict opens a CC-CEDICT file for the generators, plain
// (cedict_ts.u8) or gzipped (.gz); close closes it.
func OpenDict(path string) (r io.Reader, close func() error, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	if !strings.HasSuffix(path, ".gz") {
		return f, f.Close, nil
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("couldn't read %s: %w", path, err)
	}
	return zr, f.Close, nil
}
