package office

import (
	"encoding/xml"
	"fmt"
	"io"

	"github.com/citebot/citebot/retrieval/office/blocks"
)

// flow turns the paragraphs and tables of a word-processor body, read as
// a token stream, into blocks: a paragraph is a block of its own, the
// paragraphs of a table cell are the cell's text, a table nested in a cell
// is flattened into that cell, and a paragraph nested in another (a text
// box) is a block written before the one around it.
type flow struct {
	w      *blocks.Writer
	paras  []flowPara     // open paragraphs, innermost last
	tables int            // open tables
	row    []*blocks.Para // cells of the row open in the outermost table
	cell   *blocks.Para   // the cell open in the outermost table
}

// flowPara is one open paragraph.
type flowPara struct {
	p      *blocks.Para
	level  int  // heading level, levelSkip for a paragraph left out
	inCell bool // p is a table cell's text, written with its row
}

func newFlow() *flow { return &flow{w: blocks.NewWriter(MaxText)} }

// startPara opens a paragraph of the heading level (0 for body text): a
// new block, or more text of the open table cell.
func (f *flow) startPara(level int) {
	if f.tables > 0 && f.cell != nil {
		f.cell.Break()
		f.paras = append(f.paras, flowPara{p: f.cell, inCell: true})
		return
	}
	f.paras = append(f.paras, flowPara{p: f.w.NewPara(), level: level})
}

// setLevel sets the heading level of the innermost open paragraph.
func (f *flow) setLevel(level int) {
	if n := len(f.paras); n > 0 && !f.paras[n-1].inCell {
		f.paras[n-1].level = level
	}
}

// endPara closes the innermost open paragraph and writes it.
func (f *flow) endPara() {
	if len(f.paras) == 0 {
		return
	}
	top := f.paras[len(f.paras)-1]
	f.paras = f.paras[:len(f.paras)-1]
	switch {
	case top.inCell || top.level == levelSkip:
	case top.level > 0:
		f.w.Heading(top.level, top.p)
	default:
		f.w.Paragraph(top.p)
	}
}

// para returns the innermost open paragraph's text, or nil outside one.
func (f *flow) para() *blocks.Para {
	if len(f.paras) == 0 {
		return nil
	}
	return f.paras[len(f.paras)-1].p
}

// text adds a run of text to the open paragraph.
func (f *flow) text(s string) {
	if p := f.para(); p != nil {
		p.Text(s)
	}
}

// space adds a space (a tab, a space element) to the open paragraph.
func (f *flow) space() {
	if p := f.para(); p != nil {
		p.Space()
	}
}

// lineBreak adds a soft line break to the open paragraph.
func (f *flow) lineBreak() {
	if p := f.para(); p != nil {
		p.Break()
	}
}

func (f *flow) startTable() {
	f.tables++
	if f.tables == 1 {
		f.row, f.cell = nil, nil
	}
}

func (f *flow) endTable() {
	if f.tables == 0 {
		return
	}
	f.tables--
	if f.tables == 0 {
		f.row, f.cell = nil, nil
	} else if f.cell != nil {
		f.cell.Break()
	}
}

func (f *flow) startRow() {
	if f.tables == 1 {
		f.row, f.cell = f.row[:0], nil
	}
}

func (f *flow) endRow() {
	if f.tables == 1 {
		f.w.Row(f.row)
		f.row, f.cell = f.row[:0], nil
	}
}

func (f *flow) startCell() {
	switch {
	case f.tables == 1:
		f.cell = f.w.NewPara()
		f.row = append(f.row, f.cell)
	case f.cell != nil:
		f.cell.Break()
	}
}

func (f *flow) endCell() {
	if f.tables == 1 {
		f.cell = nil
	}
}

// finish returns the text written, its errors saying what format of
// document (such as "a Word document") has no text or too much.
func (f *flow) finish(format string) (string, error) {
	text, err := f.w.Text()
	if err != nil {
		return "", fmt.Errorf("%s: %w", format, err)
	}
	return text, nil
}

// walk passes each token of s to handle, up to the end of the part, and
// stops at the first error of s, of handle or of the writer.
func (f *flow) walk(s *xmlStream, handle func(xml.Token) error) error {
	for {
		tok, err := s.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := handle(tok); err != nil {
			return err
		}
		if err := f.w.Err(); err != nil {
			return err
		}
	}
}

// expectRoot reads the start of the root element of s and returns
// ErrNotDocument unless it is the element local in a namespace that inNS
// accepts.
func expectRoot(s *xmlStream, inNS func(xml.Name) bool, local, format string) error {
	for {
		tok, err := s.next()
		if err == io.EOF {
			return fmt.Errorf("%w: not %s (%s is empty)", ErrNotDocument, format, s.part)
		}
		if err != nil {
			return err
		}
		if se, ok := tok.(xml.StartElement); ok {
			if !inNS(se.Name) || se.Name.Local != local {
				return fmt.Errorf("%w: not %s (%s holds %s)", ErrNotDocument, format, s.part, se.Name.Local)
			}
			return nil
		}
	}
}
