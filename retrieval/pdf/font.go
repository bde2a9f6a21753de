package pdf

import (
	"bytes"
	"fmt"
	"unicode"
	"unicode/utf8"

	lpdf "github.com/citebot/citebot/retrieval/pdf/internal/pdfread"
	"github.com/citebot/citebot/retrieval/text"
)

// resourceFonts loads the fonts of one resource dictionary on first use.
type resourceFonts struct {
	x         *extractor
	resources lpdf.Value
	fonts     map[string]*font
}

// get returns the font called name, or a font with the PDFDocEncoding and
// estimated widths when there is none.
func (s *resourceFonts) get(name string) *font {
	if f, ok := s.fonts[name]; ok {
		return f
	}
	if s.fonts == nil {
		s.fonts = make(map[string]*font)
	}
	var v lpdf.Value
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

// font is what text extraction needs of a font: how to decode its
// strings and how wide its glyphs are.
type font struct {
	enc       lpdf.TextEncoding
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
func (x *extractor) loadFont(v lpdf.Value) *font {
	f := &font{unit: 0.001, estimated: true}
	cmap := v.Key("ToUnicode")
	if cmap.Kind() == lpdf.Stream {
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
		rf := lpdf.Font{V: v}
		if enc := v.Key("Encoding"); cmap.Kind() == lpdf.Stream && (enc.Kind() == lpdf.Null || enc.Name() == "Identity-H") {
			rf = lpdf.Font{}
		}
		f.enc = rf.Encoder()
	}
	switch v.Key("Subtype").Name() {
	case "Type0":
		f.twoByte = true
		desc := v.Key("DescendantFonts").Index(0)
		f.missing = 1000
		if dw := desc.Key("DW"); dw.Kind() == lpdf.Integer || dw.Kind() == lpdf.Real {
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
	if widths := v.Key("Widths"); widths.Kind() == lpdf.Array && widths.Len() > 0 {
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
// up one by one) into cidRanges; at most maxWidthValues entries in all.
func (f *font) readCIDWidths(w lpdf.Value) {
	f.cidWidths = make(map[int]float64)
	budget := maxWidthValues
	for i := 0; i+1 < w.Len() && budget > 0; {
		first := w.Index(i)
		if first.Kind() != lpdf.Integer {
			return
		}
		c := int(first.Int64())
		if next := w.Index(i + 1); next.Kind() == lpdf.Array {
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
func (f *font) decode(raw string) (text string) {
	defer func() {
		if recover() != nil {
			text = string(utf8.RuneError)
		}
	}()
	return f.enc.Decode(raw)
}

// width returns the width of the glyph of code, in glyph units.
func (f *font) width(code int) float64 {
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
func (f *font) advance(raw, shown string, size, tc, tw float64) (total, word float64, open bool) {
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
			if text.IsWide(r) {
				done, word = true, total
			}
		}
	}
	if f.estimated {
		for _, r := range shown {
			w := 500.0
			if r == ' ' {
				w = 250
			} else if text.IsWide(r) {
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
