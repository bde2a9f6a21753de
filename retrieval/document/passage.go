package document

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/citebot/citebot/retrieval/text"
)

// ChunkerVersion identifies the paragraph rebuilding and passage splitting
// rules. Bump it whenever their output can change, so that persisted
// indexes are rebuilt.
const ChunkerVersion = "2"

// DefaultMaxPassageRunes is the default passage limit in runes; paragraphs
// up to this length are one passage each. Measured with the hybrid index on
// the eval sets (recall@1 with limits 400 / 600 / 800 / 1000 / unlimited):
// cmrc2018_trial 0.901 / 0.936 / 0.968 / 0.978 / 0.978, drcd_dev 0.944 /
// 0.950 / 0.957 / 0.961 / 0.961, since an answer in one window of a split
// paragraph is missed when the question's words are in another. At 1000
// every paragraph of those corpora (median 420-490 runes, longest 1036)
// except a handful stays whole, and passages stay small enough to quote
// from and to send several to a model.
const DefaultMaxPassageRunes = 1000

// Passages splits doc into passages, in document order: one per paragraph
// (headings included, with Paragraph 0), except that a paragraph longer
// than maxRunes runes is split into consecutive windows of whole sentences
// (see [text.Sentences]) of about equal length, none longer than
// maxRunes. A sentence longer than maxRunes is split at clauses, and a
// clause longer than that at the last space before the limit or, failing
// that, at the limit. Windows do not overlap; the white space between them
// belongs to none. maxRunes <= 0 means [DefaultMaxPassageRunes].
//
// Each passage's Text is doc.Text[Start:End] and its Page is its
// paragraph's ([Paragraph.Page]): a window of a paragraph that goes on
// across a page break has the page the paragraph starts on. IDs are
// "name#paragraph#window" with the body paragraph number and the 0-based
// window within it; headings, which all have number 0, get
// "name#0#k" where k counts the heading passages of the document from 0, so
// IDs are unique within the document.
//
// Passages is deterministic and safe for concurrent use.
func Passages(doc *Document, maxRunes int) []Passage {
	if maxRunes <= 0 {
		maxRunes = DefaultMaxPassageRunes
	}
	ps := make([]Passage, 0, len(doc.Paragraphs))
	headings := 0
	for _, p := range doc.Paragraphs {
		src := doc.Text[p.Start:p.End]
		for w, span := range passageWindows(src, maxRunes) {
			start, end := p.Start+span.Start, p.Start+span.End
			var id string
			if p.Heading {
				id = passageID(doc.Name, 0, headings)
				headings++
			} else {
				id = passageID(doc.Name, p.N, w)
			}
			ps = append(ps, Passage{
				ID:        id,
				Doc:       doc.Name,
				Paragraph: p.N,
				Page:      p.Page,
				Text:      doc.Text[start:end],
				Start:     start,
				End:       end,
			})
		}
	}
	return ps
}

// passageID returns "name#paragraph#window", as
// fmt.Sprintf("%s#%d#%d", name, paragraph, window) would, with one
// allocation.
func passageID(name string, paragraph, window int) string {
	var buf [42]byte
	nums := append(buf[:0], '#')
	nums = strconv.AppendInt(nums, int64(paragraph), 10)
	nums = append(nums, '#')
	nums = strconv.AppendInt(nums, int64(window), 10)
	var b strings.Builder
	b.Grow(len(name) + len(nums))
	b.WriteString(name)
	b.Write(nums)
	return b.String()
}

// passageWindows returns the windows of a paragraph's text as spans into
// it: the whole text when it fits in maxRunes runes, else sentence-aligned
// windows as described on [Passages].
func passageWindows(src string, maxRunes int) []text.Span {
	total := utf8.RuneCountInString(src)
	if total <= maxRunes {
		if strings.TrimSpace(src) == "" {
			return nil
		}
		return []text.Span{{Start: 0, End: len(src)}}
	}
	units := passageUnits(src, maxRunes)
	// Aim at windows of equal length: with k windows needed, close a
	// window once it reaches total/k runes.
	k := (total + maxRunes - 1) / maxRunes
	target := (total + k - 1) / k
	var windows []text.Span
	cur := text.Span{Start: -1}
	curRunes := 0
	for _, u := range units {
		if cur.Start >= 0 {
			grown := curRunes + utf8.RuneCountInString(src[cur.End:u.End])
			if grown <= maxRunes && curRunes < target {
				cur.End, curRunes = u.End, grown
				continue
			}
			windows = append(windows, cur)
		}
		cur, curRunes = u, utf8.RuneCountInString(src[u.Start:u.End])
	}
	if cur.Start >= 0 {
		windows = append(windows, cur)
	}
	return windows
}

// passageUnits returns the pieces windows are made of: the sentences of
// text, with a sentence longer than maxRunes split into clauses and a
// clause longer than maxRunes cut by cutRunes.
func passageUnits(src string, maxRunes int) []text.Span {
	var units []text.Span
	for _, s := range text.Sentences(src) {
		if utf8.RuneCountInString(src[s.Start:s.End]) <= maxRunes {
			units = append(units, s)
			continue
		}
		for _, c := range text.Clauses(src[s.Start:s.End]) {
			c = text.Span{Start: s.Start + c.Start, End: s.Start + c.End}
			if utf8.RuneCountInString(src[c.Start:c.End]) <= maxRunes {
				units = append(units, c)
				continue
			}
			units = cutRunes(units, src, c, maxRunes)
		}
	}
	return units
}

// cutRunes appends pieces of text[s.Start:s.End] of at most maxRunes runes
// to units, cutting after the last white space within the limit when it is
// in the second half of the piece, else at the limit, and trimming the
// pieces.
func cutRunes(units []text.Span, src string, s text.Span, maxRunes int) []text.Span {
	start := s.Start
	for start < s.End {
		end, n, lastSpace := start, 0, -1
		for end < s.End && n < maxRunes {
			r, size := utf8.DecodeRuneInString(src[end:s.End])
			end += size
			n++
			if unicode.IsSpace(r) && n > maxRunes/2 {
				lastSpace = end
			}
		}
		if end < s.End && lastSpace > 0 {
			end = lastSpace
		}
		piece := src[start:end]
		left := strings.TrimLeftFunc(piece, unicode.IsSpace)
		trimmed := strings.TrimRightFunc(left, unicode.IsSpace)
		if trimmed != "" {
			from := start + len(piece) - len(left)
			units = append(units, text.Span{Start: from, End: from + len(trimmed)})
		}
		start = end
	}
	return units
}
