package retrieval

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
)

// PDF documents are read in three steps. extractPDF opens the file with the
// pure-Go reader github.com/ledongthuc/pdf (its object parser, stream
// filters, decryption and simple font encodings) and interprets the content
// stream of every page itself (contentOps, pdfExtractor.interpret),
// collecting text runs with their baseline position and extent: the
// reader's own text layout ignores Td moves and misplaces composite fonts,
// its ToUnicode ranges garble codes past 256 and its content lexer loops
// forever on a hex string left open at the end of a stream. pageLines
// groups the runs of a page into rows (by baseline, then left to right) and
// layoutPDFText decides where paragraphs end. The result is hard-wrapped
// text, one line per row, which rebuildHardWrapped turns into paragraphs as
// it does text that other tools extracted from PDFs.
//
// The reader panics on some malformed input; every panic becomes an error.
// Work is bounded: at most maxPDFPages pages, MaxDocumentBytes of
// decompressed content streams and of text, form XObjects nested at most
// maxPDFFormDepth deep and drawn at most maxPDFFormCalls times.

// Errors returned (wrapped, with the file name) for PDF documents by
// [ParseDocument] and [LoadDocuments]; branch on them with errors.Is.
var (
	// ErrEncryptedPDF means the PDF is encrypted and needs a password, or
	// uses a cipher the reader does not decrypt correctly.
	ErrEncryptedPDF = errors.New("encrypted PDF is not supported; save an unencrypted copy")
	// ErrUnreadablePDF means the file is not a PDF, is damaged or truncated,
	// or uses features the reader does not support; the error adds the
	// reason in parentheses.
	ErrUnreadablePDF = errors.New("not a readable PDF")
	// ErrNoTextLayer means the PDF has pages but no text on them, as a
	// scanned document without OCR.
	ErrNoTextLayer = errors.New("PDF has no text layer (scanned?)")
)

// Limits of the work spent on one PDF.
const (
	maxPDFPages       = 5000             // pages read
	maxPDFPageNodes   = 4 * maxPDFPages  // page tree nodes visited
	maxPDFTreeDepth   = 64               // page tree depth
	maxPDFContent     = MaxDocumentBytes // decompressed content streams, in bytes
	maxPDFFormDepth   = 8                // nesting of form XObjects
	maxPDFFormCalls   = 10000            // form XObjects drawn
	maxPDFStateDepth  = 256              // nesting of q/Q graphics states
	maxPDFWidthValues = 1 << 16          // entries read from a font's width array
	maxPDFReasonBytes = 160              // length of a reason in an error
)

// isPDFName reports whether name has the .pdf extension, in any case.
func isPDFName(name string) bool {
	return len(name) >= 4 && strings.EqualFold(name[len(name)-4:], ".pdf")
}

// parsePDF is parseDocument for a PDF file: label names the file in
// errors, name is the document name.
func parsePDF(label, name string, raw []byte) (*Document, error) {
	src, err := extractPDF(label, raw)
	if err != nil {
		return nil, err
	}
	w := newParagraphWriter(len(src), strings.Count(src, " \n")+1)
	rebuildHardWrapped(src, w)
	text, paras := w.finish()
	if len(paras) == 0 {
		return nil, fmt.Errorf("%s: %w", label, ErrNoTextLayer)
	}
	return newDocument(name, raw, text, paras), nil
}

// extractPDF returns the text of the PDF raw as hard-wrapped lines in the
// shape rebuildHardWrapped reads: one line per row of text, in page order
// and top to bottom, each followed by a blank line; the last line of a
// paragraph ends with a space. Errors are one line, start with name and
// wrap [ErrEncryptedPDF], [ErrUnreadablePDF] or [ErrNoTextLayer].
//
// An encrypted PDF that opens with the empty user password (one that only
// restricts permissions) is read; if that fails, for instance because the
// reader decrypts it wrongly (it does so with 40-bit RC4 keys), the error
// is [ErrEncryptedPDF].
func extractPDF(name string, raw []byte) (string, error) {
	if len(raw) > MaxDocumentBytes {
		return "", fmt.Errorf("%s: file too large (%d bytes, limit %d)", name, len(raw), MaxDocumentBytes)
	}
	text, encrypted, err := readPDFText(raw)
	switch {
	case err == nil:
		return text, nil
	case encrypted:
		return "", fmt.Errorf("%s: %w", name, ErrEncryptedPDF)
	case errors.Is(err, ErrNoTextLayer):
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return "", unreadablePDF(name, err.Error())
}

// readPDFText is extractPDF without the error wrapping; it reports whether
// the file is encrypted, and returns panics of the reader as errors.
func readPDFText(raw []byte) (text string, encrypted bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			text, err = "", fmt.Errorf("%v", r)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		// A file that declares encryption and cannot be opened needs a
		// password or uses an unsupported cipher.
		encrypted = errors.Is(err, pdf.ErrInvalidPassword) || bytes.Contains(raw, []byte("/Encrypt"))
		return "", encrypted, err
	}
	encrypted = r.Trailer().Key("Encrypt").Kind() != pdf.Null
	pages, err := pdfPages(r)
	if err != nil {
		return "", encrypted, err
	}
	x := newPDFExtractor()
	lines := make([][]textLine, 0, len(pages))
	for i, p := range pages {
		runs, err := x.pageRuns(p)
		if err != nil {
			return "", encrypted, fmt.Errorf("page %d: %w", i+1, err)
		}
		lines = append(lines, pageLines(runs))
	}
	if x.bad > 0 && 4*x.bad > x.good+x.bad {
		return "", encrypted, errors.New("its text cannot be decoded: fonts without a Unicode map")
	}
	text = layoutPDFText(lines)
	if text == "" {
		return "", encrypted, ErrNoTextLayer
	}
	return text, encrypted, nil
}

// unreadablePDF returns the one-line [ErrUnreadablePDF] error for the file
// name with reason, shortened to one line of at most maxPDFReasonBytes.
func unreadablePDF(name, reason string) error {
	reason = strings.Join(strings.FieldsFunc(reason, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
	reason = strings.ToValidUTF8(reason, "?")
	if len(reason) > maxPDFReasonBytes {
		cut := maxPDFReasonBytes
		for cut > 0 && !utf8.RuneStart(reason[cut]) {
			cut--
		}
		reason = reason[:cut] + "…"
	}
	return fmt.Errorf("%s: %w (%s)", name, ErrUnreadablePDF, reason)
}

// pdfPage is a leaf of the page tree with the resources it inherits.
type pdfPage struct {
	v, resources pdf.Value
}

// pdfPages returns the pages of r in order. It walks the page tree itself,
// carrying inherited resources down, so that a cyclic or absurdly large
// tree ends in an error rather than a loop.
func pdfPages(r *pdf.Reader) ([]pdfPage, error) {
	root := r.Trailer().Key("Root").Key("Pages")
	if root.Kind() != pdf.Dict {
		return nil, errors.New("no page tree")
	}
	var pages []pdfPage
	nodes := 0
	var walk func(node, res pdf.Value, depth int) error
	walk = func(node, res pdf.Value, depth int) error {
		if nodes++; nodes > maxPDFPageNodes || depth > maxPDFTreeDepth {
			return errors.New("page tree too large or cyclic")
		}
		if node.Kind() != pdf.Dict {
			return nil
		}
		if own := node.Key("Resources"); own.Kind() == pdf.Dict {
			res = own
		}
		kids := node.Key("Kids")
		if typ := node.Key("Type").Name(); typ == "Pages" || (typ != "Page" && kids.Kind() == pdf.Array) {
			for i := range kids.Len() {
				if err := walk(kids.Index(i), res, depth+1); err != nil {
					return err
				}
			}
			return nil
		}
		if len(pages) == maxPDFPages {
			return fmt.Errorf("more than %d pages", maxPDFPages)
		}
		pages = append(pages, pdfPage{v: node, resources: res})
		return nil
	}
	if err := walk(root, pdf.Value{}, 0); err != nil {
		return nil, err
	}
	return pages, nil
}

// affine is a PDF transformation matrix [a b c d e f]: a point (x, y) maps
// to (a*x + c*y + e, b*x + d*y + f).
type affine [6]float64

// identity is the identity matrix.
var identity = affine{1, 0, 0, 1, 0, 0}

// then returns the transformation m followed by n (m × n in PDF terms).
func (m affine) then(n affine) affine {
	return affine{
		m[0]*n[0] + m[1]*n[2],
		m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2],
		m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4],
		m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

// apply returns the image of the point (x, y).
func (m affine) apply(x, y float64) (float64, float64) {
	return m[0]*x + m[2]*y + m[4], m[1]*x + m[3]*y + m[5]
}

// translation returns the matrix that moves by (tx, ty).
func translation(tx, ty float64) affine { return affine{1, 0, 0, 1, tx, ty} }

// matrixOf returns nums as a matrix when ok and they are six finite
// numbers.
func matrixOf(nums []float64, ok bool) (affine, bool) {
	if !ok || len(nums) != 6 {
		return identity, false
	}
	var m affine
	for i, x := range nums {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return identity, false
		}
		m[i] = x
	}
	return m, true
}

// valueNumbers returns the numbers in the array v, if it holds only
// numbers (at most limit of them).
func valueNumbers(v pdf.Value, limit int) ([]float64, bool) {
	nums := make([]float64, 0, min(v.Len(), limit))
	for _, x := range arrayValues(v, limit) {
		if k := x.Kind(); k != pdf.Integer && k != pdf.Real {
			return nil, false
		}
		nums = append(nums, x.Float64())
	}
	return nums, true
}

// arrayValues returns the elements of the array v, at most limit.
func arrayValues(v pdf.Value, limit int) []pdf.Value {
	n := min(v.Len(), limit)
	out := make([]pdf.Value, n)
	for i := range out {
		out[i] = v.Index(i)
	}
	return out
}

// textRun is a string drawn on a page, in page space (points, Y up).
type textRun struct {
	text      string
	x0, x1    float64 // start and end of its baseline
	y         float64 // its baseline
	size      float64 // font size
	estimated bool    // x1 comes from estimated glyph widths
	// wordEnd is where the run's first word (its first character when that
	// is CJK) ends; wordOpen says the word may go on in the next run.
	wordEnd  float64
	wordOpen bool
}

// pdfExtractor collects the text runs of pages; it carries the document's
// budgets across pages.
type pdfExtractor struct {
	content   int                 // decompressed content bytes left
	text      int                 // text bytes left
	formCalls int                 // form XObjects drawn
	good, bad int                 // runes kept and runes that could not be decoded
	fonts     map[string]*pdfFont // by the text of their dictionary
	runs      []textRun
}

// newPDFExtractor returns an extractor with the budgets of one document.
func newPDFExtractor() *pdfExtractor {
	return &pdfExtractor{content: maxPDFContent, text: MaxDocumentBytes, fonts: make(map[string]*pdfFont)}
}

// pdfGraphics is the part of the graphics state that text extraction
// needs: the transformation and the text parameters (PDF 32000 §9.3).
type pdfGraphics struct {
	ctm                  affine
	font                 *pdfFont
	size                 float64   // Tfs
	charSpace, wordSpace float64   // Tc, Tw
	scale, leading, rise float64   // Tz/100, TL, Ts
	fonts                *pdfFonts // of resources
	resources            pdf.Value // of the page or form being drawn
	formDepth            int       // forms being drawn
	textMatrix           *affine   // Tm, of the content stream being run
}

// pageRuns returns the text runs of page p. A panic of the reader while it
// reads the page is returned as an error.
func (x *pdfExtractor) pageRuns(p pdfPage) (runs []textRun, err error) {
	defer func() {
		if r := recover(); r != nil {
			runs, err = nil, fmt.Errorf("%v", r)
		}
	}()
	x.runs = nil
	g := pdfGraphics{ctm: identity, scale: 1, resources: p.resources}
	if err := x.interpret(p.v.Key("Contents"), g); err != nil {
		return nil, err
	}
	return x.runs, nil
}

// load copies the decompressed stream, or array of streams, v to w (the
// streams of an array separated by a line break), charging its size to
// the content budget. It fails when the budget is exhausted or a stream
// cannot be read.
func (x *pdfExtractor) load(v pdf.Value, w io.Writer) error {
	streams := []pdf.Value{v}
	if v.Kind() == pdf.Array {
		streams = arrayValues(v, v.Len())
	}
	for i, s := range streams {
		if s.Kind() != pdf.Stream {
			return errors.New("content is not a stream")
		}
		if i > 0 {
			io.WriteString(w, "\n")
		}
		rc := s.Reader()
		n, err := io.Copy(w, io.LimitReader(rc, int64(x.content)+1))
		rc.Close()
		if err != nil {
			return fmt.Errorf("content stream: %w", err)
		}
		if n > int64(x.content) {
			return fmt.Errorf("content larger than %d bytes decompressed", maxPDFContent)
		}
		x.content -= int(n)
	}
	return nil
}

// interpret runs the content stream (or array of streams) content with
// the graphics state g, appending the text it draws to x.runs.
func (x *pdfExtractor) interpret(content pdf.Value, g pdfGraphics) error {
	if k := content.Kind(); k != pdf.Stream && k != pdf.Array {
		return nil // an empty page
	}
	var data bytes.Buffer
	if err := x.load(content, &data); err != nil {
		return err
	}
	g.fonts = &pdfFonts{x: x, resources: g.resources}
	var tm, tlm affine = identity, identity // text and text line matrices
	g.textMatrix = &tm
	var saved []pdfGraphics
	unsaved := 0 // q operators beyond maxPDFStateDepth
	var failure error
	contentOps(data.Bytes(), func(op string, args []operand) bool {
		switch op {
		case "q":
			if len(saved) < maxPDFStateDepth {
				saved = append(saved, g)
			} else {
				unsaved++
			}
		case "Q":
			if unsaved > 0 {
				unsaved--
			} else if n := len(saved); n > 0 {
				g, saved = saved[n-1], saved[:n-1]
			}
		case "cm":
			if m, ok := matrixOf(operandNumbers(args)); ok {
				g.ctm = m.then(g.ctm)
			}
		case "BT":
			tm, tlm = identity, identity
		case "Tc", "Tw", "Tz", "TL", "Ts":
			if len(args) == 1 && args[0].kind == 'n' {
				g.setTextParameter(op, args[0].num)
			}
		case "Tf":
			if len(args) == 2 && args[0].kind == '/' {
				g.font, g.size = g.fonts.get(args[0].s), args[1].number()
			}
		case "Td", "TD":
			if len(args) == 2 {
				tx, ty := args[0].number(), args[1].number()
				if op == "TD" {
					g.leading = -ty
				}
				tlm = translation(tx, ty).then(tlm)
				tm = tlm
			}
		case "Tm":
			if m, ok := matrixOf(operandNumbers(args)); ok {
				tm, tlm = m, m
			}
		case "T*":
			tlm = translation(0, -g.leading).then(tlm)
			tm = tlm
		case "Tj", "'", "\"":
			if n := len(args); n == 0 || (op == "\"" && n != 3) {
				break
			}
			if op == "\"" {
				g.wordSpace, g.charSpace = args[0].number(), args[1].number()
			}
			if op != "Tj" {
				tlm = translation(0, -g.leading).then(tlm)
				tm = tlm
			}
			if s := args[len(args)-1]; s.kind == 's' {
				failure = x.show(&g, s.s)
			}
		case "TJ":
			if len(args) != 1 {
				break
			}
			for _, v := range args[0].arr {
				switch v.kind {
				case 's':
					failure = x.show(&g, v.s)
				case 'n':
					tm = translation(-v.num/1000*g.size*g.scale, 0).then(tm)
				}
				if failure != nil {
					break
				}
			}
		case "Do":
			if len(args) == 1 && args[0].kind == '/' {
				failure = x.drawForm(g, args[0].s)
			}
		}
		return failure == nil
	})
	return failure
}

// setTextParameter sets the text state parameter of the operator op.
func (g *pdfGraphics) setTextParameter(op string, v float64) {
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
func (x *pdfExtractor) drawForm(g pdfGraphics, name string) error {
	form := g.resources.Key("XObject").Key(name)
	if form.Kind() != pdf.Stream || form.Key("Subtype").Name() != "Form" || g.formDepth >= maxPDFFormDepth {
		return nil
	}
	if x.formCalls++; x.formCalls > maxPDFFormCalls {
		return fmt.Errorf("more than %d form XObjects drawn", maxPDFFormCalls)
	}
	if m, ok := matrixOf(valueNumbers(form.Key("Matrix"), 6)); ok {
		g.ctm = m.then(g.ctm)
	}
	if res := form.Key("Resources"); res.Kind() == pdf.Dict {
		g.resources = res
	}
	g.formDepth++
	return x.interpret(form, g)
}

// show records the string raw drawn with the text state of g and advances
// the text matrix past it.
func (x *pdfExtractor) show(g *pdfGraphics, raw string) error {
	f := g.font
	if f == nil {
		f = g.fonts.get("")
	}
	text := x.clean(f.decode(raw))
	if x.text -= len(text); x.text < 0 {
		return fmt.Errorf("more than %d bytes of text", MaxDocumentBytes)
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
	x.runs = append(x.runs, textRun{
		text: text, x0: x0, x1: max(x0, x1), y: y, size: math.Abs(size), estimated: f.estimated,
		wordEnd: wordEnd, wordOpen: wordOpen,
	})
	return nil
}

// clean returns decoded text with line breaks and tabs turned into spaces
// and control characters, replacement characters and invalid bytes (text
// the font could not decode) removed, counting good and bad runes.
func (x *pdfExtractor) clean(s string) string {
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

// pdfFonts loads the fonts of one resource dictionary on first use.
type pdfFonts struct {
	x         *pdfExtractor
	resources pdf.Value
	fonts     map[string]*pdfFont
}

// get returns the font called name, or a font with the PDFDocEncoding and
// estimated widths when there is none.
func (s *pdfFonts) get(name string) *pdfFont {
	if f, ok := s.fonts[name]; ok {
		return f
	}
	if s.fonts == nil {
		s.fonts = make(map[string]*pdfFont)
	}
	var v pdf.Value
	if name != "" {
		v = s.resources.Key("Font").Key(name)
	}
	// Fonts are shared by pages; the dictionary's text (with references to
	// its parts) identifies one.
	key := v.String()
	f, ok := s.x.fonts[key]
	if !ok {
		f = s.x.loadFont(v)
		s.x.fonts[key] = f
	}
	s.fonts[name] = f
	return f
}

// pdfFont is what text extraction needs of a font: how to decode its
// strings and how wide its glyphs are.
type pdfFont struct {
	enc       pdf.TextEncoding
	twoByte   bool    // codes are two bytes (composite fonts)
	unit      float64 // text space units per glyph width unit
	first     int     // code of widths[0]
	widths    []float64
	cidWidths map[int]float64
	cidRanges []cidRange
	missing   float64 // width of a code without one
	estimated bool    // no widths: estimate them from the text
}

// cidRange gives the codes first..last the width w.
type cidRange struct {
	first, last int
	w           float64
}

// loadFont reads the font dictionary v (which may be null).
func (x *pdfExtractor) loadFont(v pdf.Value) *pdfFont {
	f := &pdfFont{unit: 0.001, estimated: true}
	cmap := v.Key("ToUnicode")
	if cmap.Kind() == pdf.Stream {
		var data bytes.Buffer
		if err := x.load(cmap, &data); err != nil {
			panic(fmt.Errorf("font %s: ToUnicode %w", v.Key("BaseFont").Name(), err))
		}
		if m := parseToUnicode(data.Bytes()); m != nil {
			f.enc = m
		}
	}
	if f.enc == nil {
		// The reader's encodings: by the Encoding name or differences,
		// else the ToUnicode map, which it would interpret with a lexer
		// that loops forever on some malformed maps; so when there is one
		// that parseToUnicode did not read, PDFDocEncoding instead.
		font := pdf.Font{V: v}
		if enc := v.Key("Encoding"); cmap.Kind() == pdf.Stream && (enc.Kind() == pdf.Null || enc.Name() == "Identity-H") {
			font = pdf.Font{}
		}
		f.enc = font.Encoder()
	}
	switch v.Key("Subtype").Name() {
	case "Type0":
		f.twoByte = true
		desc := v.Key("DescendantFonts").Index(0)
		f.missing = 1000
		if dw := desc.Key("DW"); dw.Kind() == pdf.Integer || dw.Kind() == pdf.Real {
			f.missing = dw.Float64()
		}
		f.readCIDWidths(desc.Key("W"))
		// Widths are indexed by CID, which equals the code only with the
		// Identity encodings.
		enc := v.Key("Encoding").Name()
		f.estimated = enc != "Identity-H" && enc != "Identity-V"
		return f
	case "Type3":
		if m, ok := matrixOf(valueNumbers(v.Key("FontMatrix"), 6)); ok && m[0] > 0 {
			f.unit = m[0]
		}
	}
	if widths := v.Key("Widths"); widths.Kind() == pdf.Array && widths.Len() > 0 {
		f.first = int(v.Key("FirstChar").Int64())
		for _, w := range arrayValues(widths, 256) {
			f.widths = append(f.widths, w.Float64())
		}
		f.missing = v.Key("FontDescriptor").Key("MissingWidth").Float64()
		f.estimated = false
	} else if std, avg := standardWidths(v.Key("BaseFont").Name()); std != nil {
		f.first, f.widths, f.missing, f.estimated = ' ', std, avg, false
	}
	return f
}

// readCIDWidths reads the W array of a CIDFont: "c [w1 w2 ...]" gives
// codes from c on their widths, "c1 c2 w" gives codes c1..c2 the width w.
// Ranges of up to 256 codes go into the map, larger ones (rare, and looked
// up one by one) into cidRanges; at most maxPDFWidthValues entries in all.
func (f *pdfFont) readCIDWidths(w pdf.Value) {
	f.cidWidths = make(map[int]float64)
	budget := maxPDFWidthValues
	for i := 0; i+1 < w.Len() && budget > 0; {
		first := w.Index(i)
		if first.Kind() != pdf.Integer {
			return
		}
		c := int(first.Int64())
		if next := w.Index(i + 1); next.Kind() == pdf.Array {
			for j, v := range arrayValues(next, budget) {
				f.cidWidths[c+j] = v.Float64()
			}
			budget -= next.Len()
			i += 2
			continue
		}
		last, width := int(w.Index(i+1).Int64()), w.Index(i+2).Float64()
		if n := last - c + 1; n > 0 && n <= 256 && n <= budget {
			for code := c; code <= last; code++ {
				f.cidWidths[code] = width
			}
			budget -= n
		} else {
			f.cidRanges = append(f.cidRanges, cidRange{c, last, width})
			budget--
		}
		i += 3
	}
}

// decode returns the text of the string raw; a panic of the decoder on a
// malformed map yields a replacement character, counted as undecodable.
func (f *pdfFont) decode(raw string) (text string) {
	defer func() {
		if recover() != nil {
			text = string(utf8.RuneError)
		}
	}()
	return f.enc.Decode(raw)
}

// width returns the width of the glyph of code, in glyph units.
func (f *pdfFont) width(code int) float64 {
	if f.twoByte {
		if w, ok := f.cidWidths[code]; ok {
			return w
		}
		for _, r := range f.cidRanges {
			if r.first <= code && code <= r.last {
				return r.w
			}
		}
		return f.missing
	}
	if i := code - f.first; i >= 0 && i < len(f.widths) {
		return f.widths[i]
	}
	return f.missing
}

// advance returns the horizontal advance, in unscaled text space units, of
// the string raw with the decoded text, drawn at size with the character
// and word spacing tc and tw (PDF 32000 §9.4.4), and the advance to the end
// of its first word (or first CJK character), which is open when the string
// ends within that word. Without widths it estimates them from text: a full
// em for CJK characters, a quarter for a space, half an em for anything
// else.
func (f *pdfFont) advance(raw, text string, size, tc, tw float64) (total, word float64, open bool) {
	started, done := false, false
	// glyph adds a glyph of advance w showing r.
	glyph := func(w float64, r rune) {
		space := unicode.IsSpace(r)
		if !done && space && started {
			done, word = true, total
		}
		total += w
		if !done && !space {
			started = true
			if isWide(r) {
				done, word = true, total
			}
		}
	}
	if f.estimated {
		for _, r := range text {
			w := 500.0
			if r == ' ' {
				w = 250
			} else if isWide(r) {
				w = 1000
			}
			if w *= 0.001 * size; r == ' ' {
				w += tw
			}
			glyph(w+tc, r)
		}
	} else {
		step := 1
		if f.twoByte {
			step = 2
		}
		for i := 0; i+step <= len(raw); i += step {
			code, w := int(raw[i]), 0.0
			if f.twoByte {
				code = code<<8 | int(raw[i+1])
			} else if code == ' ' {
				w = tw
			}
			w += f.width(code)*f.unit*size + tc
			r := ' '
			if !done { // the glyph's text matters only within the first word
				r, _ = utf8.DecodeRuneInString(f.decode(raw[i : i+step]))
			}
			glyph(w, r)
		}
	}
	if !done {
		word = total
	}
	return total, word, !done
}

// unicodeMap is a font's ToUnicode CMap (PDF 32000 §9.10.3): it maps
// character codes of one to four bytes to text. The reader has its own, but
// that one adds a range's offset to the last byte only, which garbles
// ranges over more than 256 codes, such as <0000> <FFFF> <0000> (written
// by fpdf and others for Unicode-ordered fonts).
type unicodeMap struct {
	spaces  []codeSpace       // shortest codes first
	chars   map[uint64]string // by codeKey
	ranges  []unicodeRange    // too large to expand into chars
	codeLen int               // code length when no code space matches
}

// codeSpace is a range of codes of n bytes.
type codeSpace struct {
	n      int
	lo, hi uint32
}

// unicodeRange maps the codes lo..hi of n bytes to dst, with its last rune
// incremented by the code's offset from lo.
type unicodeRange struct {
	n      int
	lo, hi uint32
	dst    []rune
}

// Limits of a unicodeMap: the codes it expands into its map and the ranges
// it keeps (and searches one by one).
const (
	maxCMapEntries = 1 << 17
	maxCMapRanges  = 1 << 10
)

// codeKey returns the key of the code of n bytes in unicodeMap.chars.
func codeKey(n int, code uint32) uint64 { return uint64(n)<<32 | uint64(code) }

// bigEndian returns the bytes of s (at most four) as a number.
func bigEndian(s string) uint32 {
	var c uint32
	for i := 0; i < len(s); i++ {
		c = c<<8 | uint32(s[i])
	}
	return c
}

// utf16Text returns the UTF-16BE bytes s as text.
func utf16Text(s string) []rune {
	units := make([]uint16, 0, len(s)/2)
	for i := 0; i+1 < len(s); i += 2 {
		units = append(units, uint16(s[i])<<8|uint16(s[i+1]))
	}
	return utf16.Decode(units)
}

// parseToUnicode returns the ToUnicode CMap in data, or nil when it maps
// no code. It reads the code space, bfchar and bfrange sections and skips
// everything else.
func parseToUnicode(data []byte) *unicodeMap {
	m := &unicodeMap{chars: make(map[uint64]string)}
	lengths := [5]int{}
	contentOps(data, func(op string, args []operand) bool {
		switch op {
		case "endcodespacerange":
			for i := 0; i+1 < len(args); i += 2 {
				lo, hi := args[i], args[i+1]
				if n := len(lo.s); lo.kind == 's' && hi.kind == 's' && n >= 1 && n <= 4 && len(hi.s) == n {
					m.spaces = append(m.spaces, codeSpace{n, bigEndian(lo.s), bigEndian(hi.s)})
				}
			}
		case "endbfchar":
			for i := 0; i+1 < len(args); i += 2 {
				src, dst := args[i], args[i+1]
				if n := len(src.s); src.kind == 's' && dst.kind == 's' && n >= 1 && n <= 4 && len(m.chars) < maxCMapEntries {
					m.chars[codeKey(n, bigEndian(src.s))] = string(utf16Text(dst.s))
					lengths[n]++
				}
			}
		case "endbfrange":
			for i := 0; i+2 < len(args); i += 3 {
				m.addRange(args[i], args[i+1], args[i+2])
				if n := len(args[i].s); n >= 1 && n <= 4 {
					lengths[n]++
				}
			}
		}
		return true
	})
	if len(m.chars) == 0 && len(m.ranges) == 0 {
		return nil
	}
	slices.SortStableFunc(m.spaces, func(a, b codeSpace) int { return a.n - b.n })
	m.codeLen = 1
	for n := 2; n <= 4; n++ {
		if lengths[n] > lengths[m.codeLen] {
			m.codeLen = n
		}
	}
	return m
}

// addRange adds the bfrange entry lo hi dst, where dst is a hex string or
// an array of them.
func (m *unicodeMap) addRange(lo, hi, dst operand) {
	n := len(lo.s)
	if lo.kind != 's' || hi.kind != 's' || n < 1 || n > 4 || len(hi.s) != n {
		return
	}
	first, last := bigEndian(lo.s), bigEndian(hi.s)
	if last < first {
		return
	}
	switch dst.kind {
	case '[':
		for i, d := range dst.arr {
			if uint64(first)+uint64(i) > uint64(last) || len(m.chars) >= maxCMapEntries {
				break
			}
			if d.kind == 's' {
				m.chars[codeKey(n, first+uint32(i))] = string(utf16Text(d.s))
			}
		}
	case 's':
		base := utf16Text(dst.s)
		if len(base) == 0 {
			return
		}
		if last-first >= 256 || len(m.chars)+int(last-first) >= maxCMapEntries {
			if len(m.ranges) < maxCMapRanges {
				m.ranges = append(m.ranges, unicodeRange{n, first, last, base})
			}
			return
		}
		for c := first; c <= last; c++ {
			m.chars[codeKey(n, c)] = string(offsetLast(base, c-first))
		}
	}
}

// offsetLast returns runes with its last rune incremented by d, or a
// replacement character when that is not a valid rune.
func offsetLast(runes []rune, d uint32) []rune {
	out := slices.Clone(runes)
	r := int64(out[len(out)-1]) + int64(d)
	if r > unicode.MaxRune || (r >= 0xD800 && r <= 0xDFFF) {
		return []rune{utf8.RuneError}
	}
	out[len(out)-1] = rune(r)
	return out
}

// Decode returns the text of the codes in raw; a code the map does not
// know becomes a replacement character. It implements pdf.TextEncoding.
func (m *unicodeMap) Decode(raw string) string {
	var b strings.Builder
	for len(raw) > 0 {
		n := m.codeLength(raw)
		code := bigEndian(raw[:n])
		raw = raw[n:]
		if s, ok := m.chars[codeKey(n, code)]; ok {
			b.WriteString(s)
			continue
		}
		found := false
		for _, r := range m.ranges {
			if r.n == n && r.lo <= code && code <= r.hi {
				b.WriteString(string(offsetLast(r.dst, code-r.lo)))
				found = true
				break
			}
		}
		if !found {
			b.WriteRune(utf8.RuneError)
		}
	}
	return b.String()
}

// codeLength returns the length of the code at the start of raw: that of
// the first code space range it falls in, else the usual code length.
func (m *unicodeMap) codeLength(raw string) int {
	for _, s := range m.spaces {
		if s.n <= len(raw) {
			if c := bigEndian(raw[:s.n]); s.lo <= c && c <= s.hi {
				return s.n
			}
		}
	}
	return min(m.codeLen, len(raw))
}

// Content streams (and CMaps, which share their syntax) are split into
// operators and operands here rather than by the reader's interpreter,
// whose lexer loops forever on a hex string left open at the end of a
// stream.

// operand is an operand in a content stream.
type operand struct {
	kind byte    // 'n' number, 's' string, '/' name, '[' array, '?' other
	num  float64 // a number
	s    string  // the bytes of a string, a name without its slash
	arr  []operand
}

// number returns the operand's value if it is a number, else 0.
func (o operand) number() float64 {
	if o.kind != 'n' {
		return 0
	}
	return o.num
}

// operandNumbers returns the values of args, if they are all numbers.
func operandNumbers(args []operand) ([]float64, bool) {
	nums := make([]float64, len(args))
	for i, a := range args {
		if a.kind != 'n' {
			return nil, false
		}
		nums[i] = a.num
	}
	return nums, true
}

// Limits of content stream parsing.
const (
	maxContentNesting  = 32      // nesting of arrays
	maxContentOperands = 1 << 16 // operands of one operator, elements of one array
)

// contentOps calls do with each operator of the content stream data and
// its operands, until do returns false. do must not keep args. Operators
// inside arrays, dictionaries (which become '?' operands), inline images
// (BI ... ID data EI) and comments are skipped; malformed input never
// stops the scan early.
func contentOps(data []byte, do func(op string, args []operand) bool) {
	l := contentLexer{data: data}
	var args []operand
	var arrays [][]operand // the open arrays, innermost last
	deep := 0              // open arrays beyond maxContentNesting
	push := func(o operand) {
		if n := len(arrays); n > 0 {
			if len(arrays[n-1]) < maxContentOperands {
				arrays[n-1] = append(arrays[n-1], o)
			}
		} else if len(args) < maxContentOperands {
			args = append(args, o)
		}
	}
	for {
		l.skipSpace()
		if l.pos >= len(data) {
			return
		}
		switch c := data[l.pos]; {
		case c == '(':
			push(operand{kind: 's', s: l.literal()})
		case c == '<' && l.at(1) == '<':
			l.skipDict()
			push(operand{kind: '?'})
		case c == '<':
			push(operand{kind: 's', s: l.hex()})
		case c == '[':
			l.pos++
			if deep > 0 || len(arrays) == maxContentNesting {
				deep++
			} else {
				arrays = append(arrays, nil)
			}
		case c == ']':
			l.pos++
			if deep > 0 {
				deep--
			} else if n := len(arrays); n > 0 {
				a := arrays[n-1]
				arrays = arrays[:n-1]
				push(operand{kind: '[', arr: a})
			}
		case c == '/':
			l.pos++
			push(operand{kind: '/', s: l.word()})
		case isPDFDelimiter(c): // a stray ), >, { or }
			l.pos++
		default:
			w := l.word()
			switch {
			case c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9'):
				if f, err := strconv.ParseFloat(w, 64); err == nil && !math.IsInf(f, 0) {
					push(operand{kind: 'n', num: f})
				} else {
					push(operand{kind: '?'})
				}
			case w == "true" || w == "false" || w == "null":
				push(operand{kind: '?'})
			case len(arrays) > 0 || deep > 0:
				// An operator inside an array: malformed, ignored.
			case w == "BI":
				l.skipInlineImage()
				args = args[:0]
			default:
				if !do(w, args) {
					return
				}
				args = args[:0]
			}
		}
	}
}

// contentLexer reads the tokens of a content stream.
type contentLexer struct {
	data []byte
	pos  int
}

// isPDFSpace reports whether c is white space (PDF 32000 §7.2.2).
func isPDFSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

// isPDFDelimiter reports whether c is a delimiter (PDF 32000 §7.2.2).
func isPDFDelimiter(c byte) bool {
	return strings.IndexByte("()<>[]{}/%", c) >= 0
}

// at returns the byte i after the current one, or 0 past the end.
func (l *contentLexer) at(i int) byte {
	if l.pos+i < len(l.data) {
		return l.data[l.pos+i]
	}
	return 0
}

// skipSpace skips white space and comments.
func (l *contentLexer) skipSpace() {
	for l.pos < len(l.data) {
		switch c := l.data[l.pos]; {
		case c == '%':
			for l.pos < len(l.data) && l.data[l.pos] != '\n' && l.data[l.pos] != '\r' {
				l.pos++
			}
		case isPDFSpace(c):
			l.pos++
		default:
			return
		}
	}
}

// word reads a regular token (a number, name or operator) up to white space
// or a delimiter.
func (l *contentLexer) word() string {
	start := l.pos
	for l.pos < len(l.data) && !isPDFSpace(l.data[l.pos]) && !isPDFDelimiter(l.data[l.pos]) {
		l.pos++
	}
	return string(l.data[start:l.pos])
}

// literal reads a literal string, from its '(' to the matching ')' or the
// end, decoding escapes (PDF 32000 §7.3.4.2).
func (l *contentLexer) literal() string {
	var b []byte
	depth := 0
	for l.pos < len(l.data) {
		c := l.data[l.pos]
		l.pos++
		switch c {
		case '(':
			if depth++; depth == 1 {
				continue
			}
		case ')':
			if depth--; depth == 0 {
				return string(b)
			}
		case '\\':
			if l.pos >= len(l.data) {
				return string(b)
			}
			c = l.data[l.pos]
			l.pos++
			switch c {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r':
				if l.at(0) == '\n' {
					l.pos++
				}
				continue
			case '\n':
				continue
			case '0', '1', '2', '3', '4', '5', '6', '7':
				v := c - '0'
				for i := 0; i < 2 && l.at(0) >= '0' && l.at(0) <= '7'; i++ {
					v = v<<3 | (l.at(0) - '0')
					l.pos++
				}
				c = v
			}
		}
		b = append(b, c)
	}
	return string(b)
}

// hex reads a hex string, from its '<' to the '>' or the end.
func (l *contentLexer) hex() string {
	l.pos++
	end := bytes.IndexByte(l.data[l.pos:], '>')
	if end < 0 {
		end = len(l.data) - l.pos
	}
	h := decodeHex(l.data[l.pos : l.pos+end])
	l.pos = min(len(l.data), l.pos+end+1)
	return h
}

// skipDict skips a dictionary, from its "<<" to the matching ">>" or the
// end.
func (l *contentLexer) skipDict() {
	depth := 0
	for {
		l.skipSpace()
		if l.pos >= len(l.data) {
			return
		}
		switch c := l.data[l.pos]; {
		case c == '<' && l.at(1) == '<':
			depth++
			l.pos += 2
		case c == '>' && l.at(1) == '>':
			l.pos += 2
			if depth--; depth == 0 {
				return
			}
		case c == '<':
			l.hex()
		case c == '(':
			l.literal()
		case isPDFDelimiter(c):
			l.pos++
		default:
			l.word()
		}
	}
}

// skipInlineImage skips an inline image after its BI operator: the
// parameters up to ID, one white-space byte and the data up to an EI
// between white space (PDF 32000 §8.9.7).
func (l *contentLexer) skipInlineImage() {
	for {
		l.skipSpace()
		if l.pos >= len(l.data) {
			return
		}
		switch c := l.data[l.pos]; {
		case c == '<' && l.at(1) == '<':
			l.skipDict()
		case c == '<':
			l.hex()
		case c == '(':
			l.literal()
		case isPDFDelimiter(c):
			l.pos++
		default:
			if l.word() == "ID" {
				l.pos++
				for l.pos < len(l.data) {
					i := bytes.Index(l.data[l.pos:], []byte("EI"))
					if i < 0 {
						l.pos = len(l.data)
						return
					}
					l.pos += i + 2
					if i > 0 && isPDFSpace(l.data[l.pos-3]) && (l.pos == len(l.data) || isPDFSpace(l.data[l.pos])) {
						return
					}
				}
				return
			}
		}
	}
}

// decodeHex returns the bytes of the hex digits in h, ignoring white space
// and other bytes; an odd last digit is followed by 0 (PDF 32000 §7.3.4.3).
func decodeHex(h []byte) string {
	out := make([]byte, 0, len(h)/2+1)
	half, odd := byte(0), false
	for _, c := range h {
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			continue
		}
		if odd {
			out = append(out, half<<4|v)
		} else {
			half = v
		}
		odd = !odd
	}
	if odd {
		out = append(out, half<<4)
	}
	return string(out)
}

// textLine is one row of text on a page.
type textLine struct {
	text      string
	page      int
	x0, x1    float64 // extent of the baseline
	y         float64 // the baseline
	size      float64 // the largest font size in the row
	estimated bool    // some of its widths are estimated
	wordEnd   float64 // where its first word ends
}

// pageLines groups the runs of one page into rows: runs whose baselines are
// within 0.4 em of the row's first run, top to bottom, joined left to right.
// A space is put between two runs that are apart by more than spaceGap and
// carry none; a run that repeats the previous one at the same place (fake
// bold) is dropped. Rows with no text are left out.
func pageLines(runs []textRun) []textLine {
	slices.SortStableFunc(runs, func(a, b textRun) int {
		if a.y != b.y {
			if a.y > b.y {
				return -1
			}
			return 1
		}
		return 0
	})
	var lines []textLine
	for i := 0; i < len(runs); {
		j := i + 1
		for j < len(runs) && runs[i].y-runs[j].y <= 0.4*max(runs[i].size, runs[j].size) {
			j++
		}
		row := runs[i:j]
		slices.SortStableFunc(row, func(a, b textRun) int {
			switch {
			case a.x0 < b.x0:
				return -1
			case a.x0 > b.x0:
				return 1
			}
			return 0
		})
		if l, ok := joinRow(row); ok {
			lines = append(lines, l)
		}
		i = j
	}
	return lines
}

// joinRow joins the runs of one row, sorted left to right, into a line.
func joinRow(row []textRun) (textLine, bool) {
	var b strings.Builder
	l := textLine{y: row[0].y, x0: math.Inf(1), x1: math.Inf(-1)}
	var prev *textRun
	wordDone := false // the first word of the line is complete
	for i := range row {
		r := &row[i]
		if prev != nil && r.text == prev.text && math.Abs(r.x0-prev.x0) < 0.1*r.size {
			continue
		}
		spaced := strings.HasSuffix(b.String(), " ") || strings.HasPrefix(r.text, " ")
		if prev != nil && r.x0-prev.x1 > spaceGap(b.String(), r.text)*max(r.size, prev.size) && b.Len() > 0 && !spaced {
			b.WriteByte(' ')
			spaced = true
		}
		b.WriteString(r.text)
		prev = r
		if strings.TrimSpace(r.text) == "" {
			continue
		}
		if started := !math.IsInf(l.x0, 1); started && spaced {
			wordDone = true
		}
		if !wordDone {
			l.wordEnd, wordDone = r.wordEnd, !r.wordOpen
		}
		l.x0, l.x1 = min(l.x0, r.x0), max(l.x1, r.x1)
		l.size = max(l.size, r.size)
		l.estimated = l.estimated || r.estimated
	}
	l.text = strings.TrimSpace(b.String())
	l.size = max(l.size, 1) // a zero font size would break the layout
	return l, l.text != ""
}

// spaceGap returns the gap, in ems, between text before and text after
// that stands for a space: 0.18, or 0.5 between CJK characters, which are
// often spread out to fill a line.
func spaceGap(before, after string) float64 {
	last, _ := utf8.DecodeLastRuneInString(before)
	first, _ := utf8.DecodeRuneInString(after)
	if isWide(last) && isWide(first) {
		return 0.5
	}
	return 0.18
}

// pageNumber matches a line that holds only a page number: "7", "- 7 -",
// "Page 7", "Page 7 of 9", "7 / 9", "第7页", "第 7 页 共 9 页".
var pageNumber = regexp.MustCompile(`^(?i:(?:page|p\.)\s*)?[-–—\s]*\d{1,5}[-–—\s]*(?:(?:/|of)\s*\d{1,5})?$|^第\s*\d{1,5}\s*页(?:\s*[，,]?\s*共\s*\d{1,5}\s*页)?$`)

// layoutPDFText returns the lines of the pages as hard-wrapped text (see
// extractPDF). Running heads and feet (see runningLines) and page numbers
// alone on the first or last line of a page are dropped. A paragraph ends
// after a line when
//
//   - the next line's font size differs by more than 15%;
//   - on the same page, the gap to the next baseline is clearly (30%) larger
//     than the usual line spacing;
//   - the next line is indented (a first-line indent) and this one is not;
//   - the line stops short of the column's right edge by more than the
//     width of the next line's first word (which would have fitted), and,
//     if it fills most (60%) of the column and does not end a sentence,
//     does not end where the line before or after it ends (as the lines of
//     a justified block narrower than the column do): the last line of a
//     paragraph, in justified and ragged-right text alike. The column is
//     measured per page: its left edge is the most common line start, its
//     width the 90th percentile of the line widths of the document.
func layoutPDFText(pages [][]textLine) string {
	running := runningLines(pages)
	var lines []textLine
	for i, page := range pages {
		for j, l := range page {
			edge := j == 0 || j == len(page)-1
			if running[[2]int{i, j}] || (edge && len(page) > 1 && pageNumber.MatchString(l.text)) {
				continue
			}
			l.page = i
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return ""
	}
	left := leftEdges(lines, len(pages))
	width, spacing := columnWidth(lines, left), lineSpacing(lines)
	var b strings.Builder
	for i, l := range lines {
		b.WriteString(l.text)
		if i == len(lines)-1 || endsParagraph(lines, i, left, width, spacing) {
			b.WriteByte(' ')
		}
		b.WriteString("\n\n")
	}
	return b.String()
}

// runningLines returns the running heads and feet of pages, by page and
// line index: among the first and last two lines of each page, those that
// recur, at the same height and with the same text but for their numbers,
// on three pages or more.
func runningLines(pages [][]textLine) map[[2]int]bool {
	type key struct {
		text string
		y    float64
	}
	keyOf := func(l textLine) key {
		return key{strings.Map(func(r rune) rune {
			if unicode.IsDigit(r) {
				return '#'
			}
			return r
		}, l.text), math.Round(l.y)}
	}
	edges := func(page []textLine) []int {
		var out []int
		for j := range page {
			if j < 2 || j >= len(page)-2 {
				out = append(out, j)
			}
		}
		return out
	}
	count := make(map[key]int)
	for _, page := range pages {
		seen := make(map[key]bool)
		for _, j := range edges(page) {
			if k := keyOf(page[j]); !seen[k] {
				seen[k] = true
				count[k]++
			}
		}
	}
	running := make(map[[2]int]bool)
	for i, page := range pages {
		for _, j := range edges(page) {
			if count[keyOf(page[j])] >= 3 {
				running[[2]int{i, j}] = true
			}
		}
	}
	return running
}

// endsParagraph reports whether a paragraph ends after lines[i]; see
// layoutPDFText.
func endsParagraph(lines []textLine, i int, left []float64, width, spacing float64) bool {
	a, b := lines[i], lines[i+1]
	if math.Abs(a.size-b.size) > 0.15*max(a.size, b.size) {
		return true
	}
	if a.page == b.page && spacing > 0 && (a.y-b.y)/a.size > 1.3*spacing {
		return true
	}
	if b.x0-left[b.page] > 0.8*b.size && a.x0-left[a.page] < 0.5*a.size {
		return true
	}
	if a.estimated || b.estimated || width <= 0 {
		return false
	}
	alignedWith := func(o textLine) bool {
		return o.page == a.page && math.Abs(o.size-a.size) <= 0.15*a.size && math.Abs(o.x1-a.x1) < 0.05*a.size
	}
	if a.x1-a.x0 > 0.6*width && !endsSentence(a.text) && ((i > 0 && alignedWith(lines[i-1])) || alignedWith(b)) {
		return false
	}
	room := left[a.page] + width - a.x1
	return room > firstWordWidth(b)+0.5*a.size
}

// firstWordWidth returns the width of the first word of l (its first
// character when that is CJK).
func firstWordWidth(l textLine) float64 {
	return max(0, l.wordEnd-l.x0)
}

// leftEdges returns the left edge of the text column of each page: the most
// common line start (to a point) on pages with three lines or more, else
// that of the whole document.
func leftEdges(lines []textLine, pages int) []float64 {
	mode := func(ls []textLine) float64 {
		count := make(map[float64]int)
		best, n := math.Inf(1), 0
		for _, l := range ls {
			x := math.Round(l.x0)
			count[x]++
			if c := count[x]; c > n || (c == n && x < best) {
				best, n = x, c
			}
		}
		return best
	}
	all := mode(lines)
	left := make([]float64, pages)
	for i := range left {
		left[i] = all
	}
	for i := 0; i < len(lines); {
		j := i
		for j < len(lines) && lines[j].page == lines[i].page {
			j++
		}
		if j-i >= 3 {
			left[lines[i].page] = mode(lines[i:j])
		}
		i = j
	}
	return left
}

// columnWidth returns the 90th percentile of the widths (from the page's
// left edge) of the lines with known glyph widths, or 0.
func columnWidth(lines []textLine, left []float64) float64 {
	var widths []float64
	for _, l := range lines {
		if !l.estimated {
			widths = append(widths, l.x1-left[l.page])
		}
	}
	return percentile(widths, 0.9)
}

// lineSpacing returns the usual baseline distance between consecutive
// lines of the same size on a page, in ems: the 25th percentile, as most
// gaps are within paragraphs. It returns 0 when there are no such lines.
func lineSpacing(lines []textLine) float64 {
	var gaps []float64
	for i := 1; i < len(lines); i++ {
		a, b := lines[i-1], lines[i]
		if a.page == b.page && a.size > 0 && math.Abs(a.size-b.size) <= 0.15*a.size && a.y > b.y {
			gaps = append(gaps, (a.y-b.y)/a.size)
		}
	}
	return percentile(gaps, 0.25)
}

// percentile returns the p-quantile (0..1) of xs (by the nearest rank), or
// 0 when xs is empty. It sorts xs.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	return xs[min(len(xs)-1, int(p*float64(len(xs))))]
}

// standardWidths returns the widths of the printable ASCII codes (from 32)
// of the standard font called base (Helvetica, Times, Courier and their
// usual substitutes Arial and Times New Roman; bold by its own table,
// italics like upright) and the width to use for other codes. PDF files
// may omit the widths of these fonts. It returns nil for other fonts.
func standardWidths(base string) ([]float64, float64) {
	if i := strings.IndexByte(base, '+'); i >= 0 {
		base = base[i+1:] // a subset tag
	}
	name := strings.ToLower(base)
	bold := strings.Contains(name, "bold")
	var table *[95]float64
	switch {
	case strings.HasPrefix(name, "courier"):
		return slices.Repeat([]float64{600}, 95), 600
	case strings.HasPrefix(name, "helvetica") || strings.HasPrefix(name, "arial"):
		table = &helveticaWidths
		if bold {
			table = &helveticaBoldWidths
		}
	case strings.HasPrefix(name, "times"):
		table = &timesWidths
		if bold {
			table = &timesBoldWidths
		}
	default:
		return nil, 0
	}
	return table[:], table['n'-' ']
}

// Widths of the printable ASCII characters ' '..'~' of the standard fonts,
// from their Adobe font metrics.
var (
	helveticaWidths = [95]float64{
		278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
		556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
		1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
		667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
		333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
		556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
	}
	helveticaBoldWidths = [95]float64{
		278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
		556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
		975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
		667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
		333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
		611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
	}
	timesWidths = [95]float64{
		250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250, 278,
		500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444,
		921, 722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722,
		556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611, 333, 278, 333, 469, 500,
		333, 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500,
		500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480, 200, 480, 541,
	}
	timesBoldWidths = [95]float64{
		250, 333, 555, 500, 500, 1000, 833, 278, 333, 333, 500, 570, 250, 333, 250, 278,
		500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 333, 333, 570, 570, 570, 500,
		930, 722, 667, 722, 722, 667, 611, 778, 778, 389, 500, 778, 667, 944, 722, 778,
		611, 778, 722, 556, 667, 722, 722, 1000, 722, 722, 667, 333, 278, 333, 581, 500,
		333, 500, 556, 444, 556, 444, 333, 500, 556, 278, 333, 556, 278, 833, 556, 500,
		556, 556, 444, 389, 333, 556, 500, 722, 500, 500, 444, 394, 220, 394, 520,
	}
)
