package pdf

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	lpdf "github.com/citebot/citebot/retrieval/pdf/internal/pdfread"
)

// graphics is the part of the graphics state that text extraction needs:
// the transformation and the text parameters (PDF 32000 §9.3).
type graphics struct {
	ctm                  affine
	font                 *font
	size                 float64        // Tfs
	charSpace, wordSpace float64        // Tc, Tw
	scale, leading, rise float64        // Tz/100, TL, Ts
	fonts                *resourceFonts // of resources
	resources            lpdf.Value     // of the page or form being drawn
	formDepth            int            // forms being drawn
	textMatrix           *affine        // Tm, of the content stream being run
}

// streamRun is the state of one content stream being interpreted.
type streamRun struct {
	x       *extractor
	g       graphics
	tm, tlm affine     // text and text line matrices
	saved   []graphics // by q
	unsaved int        // q operators beyond maxStateDepth
	failure error      // that stops the stream
}

// interpret runs the content stream (or array of streams) content with
// the graphics state g, appending the text it draws to x.runs.
func (x *extractor) interpret(content lpdf.Value, g graphics) error {
	if k := content.Kind(); k != lpdf.Stream && k != lpdf.Array {
		return nil // an empty page
	}
	var data bytes.Buffer
	if err := x.load(content, &data); err != nil {
		return err
	}
	s := &streamRun{x: x, g: g, tm: identity, tlm: identity}
	s.g.fonts = &resourceFonts{x: x, resources: g.resources}
	s.g.textMatrix = &s.tm
	contentOps(data.Bytes(), s.do)
	return s.failure
}

// do runs the operator op with its operands args; it returns false when
// the stream must stop.
func (s *streamRun) do(op string, args []operand) bool {
	if s.x.ops++; s.x.ops > maxOps {
		s.failure = tooLarge("more than %d content operators", maxOps)
		return false
	}
	if s.x.ops%deadlineEvery == 0 {
		if s.failure = s.x.checkDeadline(); s.failure != nil {
			return false
		}
	}
	switch op {
	case "q", "Q", "cm":
		s.graphicsState(op, args)
	case "BT", "Td", "TD", "Tm", "T*":
		s.position(op, args)
	case "Tc", "Tw", "Tz", "TL", "Ts":
		if len(args) == 1 && args[0].kind == 'n' {
			s.g.setTextParameter(op, args[0].num)
		}
	case "Tf":
		if len(args) == 2 && args[0].kind == '/' {
			s.g.font, s.g.size = s.g.fonts.get(args[0].s), args[1].number()
		}
	case "Tj", "'", "\"":
		s.showString(op, args)
	case "TJ":
		if len(args) == 1 {
			s.showArray(args[0].arr)
		}
	case "Do":
		if len(args) == 1 && args[0].kind == '/' {
			s.failure = s.x.drawForm(s.g, args[0].s)
		}
	}
	return s.failure == nil
}

// graphicsState runs the operators q, Q and cm, which save, restore and
// transform the graphics state.
func (s *streamRun) graphicsState(op string, args []operand) {
	switch op {
	case "q":
		if len(s.saved) < maxStateDepth {
			s.saved = append(s.saved, s.g)
		} else {
			s.unsaved++
		}
	case "Q":
		if s.unsaved > 0 {
			s.unsaved--
		} else if n := len(s.saved); n > 0 {
			s.g, s.saved = s.saved[n-1], s.saved[:n-1]
		}
	case "cm":
		if m, ok := matrixOf(operandNumbers(args)); ok {
			s.g.ctm = m.then(s.g.ctm)
		}
	}
}

// position runs the operators BT, Td, TD, Tm and T*, which set the text
// and text line matrices.
func (s *streamRun) position(op string, args []operand) {
	switch op {
	case "BT":
		s.tm, s.tlm = identity, identity
	case "Td", "TD":
		if len(args) == 2 {
			tx, ty := args[0].number(), args[1].number()
			if op == "TD" {
				s.g.leading = -ty
			}
			s.moveLine(tx, ty)
		}
	case "Tm":
		if m, ok := matrixOf(operandNumbers(args)); ok {
			s.tm, s.tlm = m, m
		}
	case "T*":
		s.moveLine(0, -s.g.leading)
	}
}

// moveLine starts a new line at (tx, ty) from the start of the current
// one.
func (s *streamRun) moveLine(tx, ty float64) {
	s.tlm = translation(tx, ty).then(s.tlm)
	s.tm = s.tlm
}

// showString runs the operators Tj, ' and ", which show a string (the last
// operand), the last two on the next line.
func (s *streamRun) showString(op string, args []operand) {
	if n := len(args); n == 0 || (op == "\"" && n != 3) {
		return
	}
	if op == "\"" {
		s.g.wordSpace, s.g.charSpace = args[0].number(), args[1].number()
	}
	if op != "Tj" {
		s.moveLine(0, -s.g.leading)
	}
	if str := args[len(args)-1]; str.kind == 's' {
		s.failure = s.x.show(&s.g, str.s)
	}
}

// showArray runs the operand array of TJ: strings are shown, numbers move
// the text back by thousandths of an em.
func (s *streamRun) showArray(arr []operand) {
	for _, v := range arr {
		switch v.kind {
		case 's':
			s.failure = s.x.show(&s.g, v.s)
		case 'n':
			s.tm = translation(-v.num/1000*s.g.size*s.g.scale, 0).then(s.tm)
		}
		if s.failure != nil {
			return
		}
	}
}

// setTextParameter sets the text state parameter of the operator op.
func (g *graphics) setTextParameter(op string, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	switch op {
	case "Tc":
		g.charSpace = v
	case "Tw":
		g.wordSpace = v
	case "Tz":
		g.scale = v / 100
	case "TL":
		g.leading = v
	case "Ts":
		g.rise = v
	}
}

// drawForm interprets the form XObject called name in g's resources.
func (x *extractor) drawForm(g graphics, name string) error {
	form := g.resources.Key("XObject").Key(name)
	if form.Kind() != lpdf.Stream || form.Key("Subtype").Name() != "Form" || g.formDepth >= maxFormDepth {
		return nil
	}
	if x.formCalls++; x.formCalls > maxFormCalls {
		return fmt.Errorf("more than %d form XObjects drawn", maxFormCalls)
	}
	if m, ok := matrixOf(valueNumbers(form.Key("Matrix"), 6)); ok {
		g.ctm = m.then(g.ctm)
	}
	if res := form.Key("Resources"); res.Kind() == lpdf.Dict {
		g.resources = res
	}
	g.formDepth++
	return x.interpret(form, g)
}

// show records the string raw drawn with the text state of g and advances
// the text matrix past it.
func (x *extractor) show(g *graphics, raw string) error {
	f := g.font
	if f == nil {
		f = g.fonts.get("")
	}
	text := x.clean(f.decode(raw))
	if x.text -= len(text); x.text < 0 {
		return tooLarge("more than %d MB of text", maxText>>20)
	}
	advance, word, wordOpen := f.advance(raw, text, g.size, g.charSpace, g.wordSpace)
	advance, word = advance*g.scale, word*g.scale
	m := g.textMatrix.then(g.ctm)
	x0, y := m.apply(0, g.rise)
	x1, _ := m.apply(advance, g.rise)
	wordEnd, _ := m.apply(word, g.rise)
	*g.textMatrix = translation(advance, 0).then(*g.textMatrix)
	if text == "" {
		return nil
	}
	size := g.size * math.Hypot(m[2], m[3])
	if math.IsNaN(x0+x1+y+size+wordEnd) || math.IsInf(x0+x1+y+size+wordEnd, 0) {
		return nil
	}
	if len(x.runs) == maxPageRuns {
		return tooLarge("more than %d text runs on one page", maxPageRuns)
	}
	x.runs = append(x.runs, textRun{
		text: text, x0: x0, x1: max(x0, x1), y: y, size: math.Abs(size), estimated: f.estimated,
		wordEnd: wordEnd, wordOpen: wordOpen,
	})
	return nil
}

// clean returns decoded text with line breaks and tabs turned into spaces
// and control characters, replacement characters and invalid bytes (text
// the font could not decode) removed, counting good and bad runes.
func (x *extractor) clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\v' || r == 0x85 || r == 0x2028 || r == 0x2029:
			return ' '
		case r == utf8.RuneError || r < 0x20 || (r >= 0x7F && r < 0xA0):
			x.bad++
			return -1
		}
		if r != ' ' {
			x.good++
		}
		return r
	}, s)
}
