// Package blocks writes the Markdown-style text that the office and web
// readers return and retrieval/document rebuilds into paragraphs: one
// block per paragraph, blocks separated by one blank line, headings as
// "# Heading" (one '#' per level), table rows as one block with cells
// joined by " | ", preformatted text as a fenced code block.
//
// A [Para] collects the text of one block: runs are joined as they come,
// without inventing spaces; white space is collapsed to one space; a soft
// line break is a space between Latin words and nothing next to a CJK
// character (the rule retrieval/document joins lines with). A [Writer]
// joins finished blocks and bounds the bytes written. [FromHTML] turns an
// HTML or XHTML tree into blocks.
//
// A Writer and its Paras are not safe for concurrent use.
package blocks

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/citebot/citebot/retrieval/text"
)

// Errors of [Writer.Text].
var (
	// ErrTooLarge means the text passed the Writer's size limit; the
	// readers also wrap it for their other limits.
	ErrTooLarge = errors.New("the document is too large or too complex")
	// ErrNoText means no block had any text.
	ErrNoText = errors.New("no text")
)

// gap is the separator a Para owes before its next character.
type gap uint8

const (
	gapNone  gap = iota
	gapSpace     // white space: one space
	gapBreak     // soft line break: a space unless a CJK character is on either side
)

// Para collects the text of one block. Make one with [Writer.NewPara].
type Para struct {
	w    *Writer
	b    strings.Builder
	last rune // the last rune written, 0 when empty
	gap  gap
}

// Text appends s as one run: no space is put between it and the text
// before it unless white space is there; a run of white space (NBSP and
// tabs included) becomes one space.
func (p *Para) Text(s string) { p.write(s, false) }

// HTMLText appends s as HTML text: like [Para.Text], except that white
// space holding a line feed is a soft line break (see [Para.Break]), as a
// browser renders a line break in the source between two CJK characters
// as nothing.
func (p *Para) HTMLText(s string) { p.write(s, true) }

// Space adds a space before the next text (collapsed with others).
func (p *Para) Space() { p.gap = max(p.gap, gapSpace) }

// Break adds a soft line break before the next text: a space between
// Latin words, nothing when the character before or after it is CJK.
func (p *Para) Break() { p.gap = gapBreak }

// Len returns the number of bytes of text collected.
func (p *Para) Len() int { return p.b.Len() }

// String returns the text collected, trimmed.
func (p *Para) String() string { return p.b.String() }

// Reset empties p for the next block.
func (p *Para) Reset() {
	p.b.Reset()
	p.last, p.gap = 0, gapNone
}

func (p *Para) write(s string, html bool) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if isSpace(r) {
			j, brk := i, false
			for j < len(s) {
				r2, n := utf8.DecodeRuneInString(s[j:])
				if !isSpace(r2) {
					break
				}
				brk = brk || (html && (r2 == '\n' || r2 == '\r'))
				j += n
			}
			if brk {
				p.Break()
			} else {
				p.Space()
			}
			i = j
			continue
		}
		if isControl(r) {
			i += size
			continue
		}
		j := i + size
		for j < len(s) {
			r2, n := utf8.DecodeRuneInString(s[j:])
			if isSpace(r2) || isControl(r2) {
				break
			}
			j += n
		}
		p.writeWord(s[i:j], r)
		i = j
	}
}

// writeWord writes word (no white space; first rune first) after the
// pending separator.
func (p *Para) writeWord(word string, first rune) {
	if p.w.err != nil {
		return
	}
	if p.b.Len() > 0 {
		switch p.gap {
		case gapSpace:
			p.b.WriteByte(' ')
			p.w.used++
		case gapBreak:
			if !text.IsWide(p.last) && !text.IsWide(first) {
				p.b.WriteByte(' ')
				p.w.used++
			}
		}
	}
	p.gap = gapNone
	if !utf8.ValidString(word) {
		word = strings.ToValidUTF8(word, "\uFFFD")
	}
	p.w.used += len(word)
	if p.w.used > p.w.max {
		p.w.err = ErrTooLarge
		return
	}
	p.b.WriteString(word)
	p.last, _ = utf8.DecodeLastRuneInString(word)
}

// isSpace reports whether r is white space: Unicode white space, tabs,
// line ends, form feeds and NBSP included.
func isSpace(r rune) bool { return unicode.IsSpace(r) }

// isControl reports whether r is a control character that is not white
// space; such characters are dropped from the text.
func isControl(r rune) bool {
	return (r < 0x20 || (r >= 0x7F && r < 0xA0)) && !unicode.IsSpace(r)
}

// Writer joins blocks into the Markdown-style text. The zero value is not
// usable: make one with [NewWriter].
type Writer struct {
	out strings.Builder
	// lastHeading is the text of the last block when it is a heading.
	lastHeading string
	max         int
	used        int // bytes written into Paras and block marks
	err         error
}

// NewWriter returns a Writer that refuses to write more than max bytes of
// text.
func NewWriter(max int) *Writer { return &Writer{max: max} }

// NewPara returns an empty Para whose text counts against w's limit.
func (w *Writer) NewPara() *Para { return &Para{w: w} }

// Paragraph writes p as a body block, if it has text.
func (w *Writer) Paragraph(p *Para) { w.block("", p.String()) }

// Heading writes p as a heading of level (1..6; clamped), if it has text
// and the block before it is not a heading with the same text (a page
// title repeated as the article's first heading is written once).
func (w *Writer) Heading(level int, p *Para) {
	s := p.String()
	if s == "" || s == w.lastHeading {
		return
	}
	level = min(max(level, 1), 6)
	w.block(strings.Repeat("#", level)+" ", s)
	w.lastHeading = s
}

// Row writes a table row: the cells that have text joined by " | ".
func (w *Writer) Row(cells []*Para) {
	var b strings.Builder
	for _, c := range cells {
		if c.Len() == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(" | ")
		}
		b.WriteString(c.String())
	}
	w.block("", b.String())
}

// Code writes preformatted text as a fenced code block: its lines kept,
// trailing white space and blank lines at either end removed.
func (w *Writer) Code(s string) {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	var b strings.Builder
	longest := 0
	for _, line := range lines {
		line = strings.TrimRightFunc(strings.ReplaceAll(line, "\t", "    "), unicode.IsSpace)
		if line == "" && b.Len() == 0 {
			continue
		}
		longest = max(longest, longestRun(line, '`'))
		b.WriteString(line)
		b.WriteByte('\n')
	}
	body := strings.TrimRight(b.String(), "\n")
	if body == "" {
		return
	}
	fence := strings.Repeat("`", max(3, longest+1))
	w.block("", fence+"\n"+body+"\n"+fence)
}

// longestRun returns the length of the longest run of c in s.
func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

func (w *Writer) block(mark, s string) {
	if s == "" || w.err != nil {
		return
	}
	w.used += len(mark) + 2
	if w.out.Len()+len(mark)+len(s)+2 > w.max || w.used > w.max {
		w.err = ErrTooLarge
		return
	}
	if w.out.Len() > 0 {
		w.out.WriteString("\n\n")
	}
	w.out.WriteString(mark)
	w.out.WriteString(s)
	w.lastHeading = ""
}

// Err returns ErrTooLarge once the limit has been passed, else nil.
func (w *Writer) Err() error { return w.err }

// Text returns the blocks written, or ErrTooLarge, or ErrNoText when
// there are none.
func (w *Writer) Text() (string, error) {
	if w.err != nil {
		return "", w.err
	}
	if w.out.Len() == 0 {
		return "", ErrNoText
	}
	return w.out.String(), nil
}
