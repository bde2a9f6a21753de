// Copyright 2014 The Go Authors.  All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package pdfread

// maxDifferences is the most entries of a /Differences array read.
const maxDifferences = 1 << 16

// A Font represent a font in a PDF file.
// The methods interpret a Font dictionary stored in V.
type Font struct {
	V   Value
	enc TextEncoding
}

// Encoder returns the encoding between font code point sequences and
// UTF-8: by the font's /Encoding name or /Differences, else
// PDFDocEncoding. The font's ToUnicode map is not read: the caller
// parses it. The encoding is cached on the Font.
func (f *Font) Encoder() TextEncoding {
	if f.enc == nil {
		f.enc = f.getEncoder()
	}
	return f.enc
}

func (f Font) getEncoder() TextEncoding {
	enc := f.V.Key("Encoding")
	switch enc.Kind() {
	case Name:
		switch enc.Name() {
		case "WinAnsiEncoding":
			return &byteEncoder{&winAnsiEncoding}
		case "MacRomanEncoding":
			return &byteEncoder{&macRomanEncoding}
		case "Identity-H":
			return &byteEncoder{&pdfDocEncoding}
		case "UniGB-UCS2-H":
			return &ucs2Encoder{}
		default:
			return &nopEncoder{}
		}
	case Dict:
		return newDictEncoder(enc.Key("Differences"))
	case Null:
		return &byteEncoder{&pdfDocEncoding}
	default:
		return &nopEncoder{}
	}
}

// newDictEncoder returns the encoding of a /Differences array: each code
// named by a glyph the reader knows becomes that glyph's character (the
// first name given to a code wins), every other code its own value. It
// reads at most maxDifferences entries.
func newDictEncoder(differences Value) TextEncoding {
	table := new([256]rune)
	set := new([256]bool)
	n := -1
	for j := range min(differences.Len(), maxDifferences) {
		x := differences.Index(j)
		if x.Kind() == Integer {
			n = int(x.Int64())
			continue
		}
		if x.Kind() != Name {
			continue
		}
		if n >= 0 && n < 256 && !set[n] {
			if r := glyphRune(x.Name()); r != 0 {
				table[n], set[n] = r, true
			}
		}
		n++
	}
	for i := range table {
		if !set[i] {
			table[i] = rune(i)
		}
	}
	return &byteEncoder{table}
}

// A TextEncoding represents a mapping between
// font code points and UTF-8 text.
type TextEncoding interface {
	// Decode returns the UTF-8 text corresponding to
	// the sequence of code points in raw.
	Decode(raw string) (text string)
}

type nopEncoder struct {
}

func (e *nopEncoder) Decode(raw string) (text string) {
	return raw
}

type ucs2Encoder struct{}

func (e *ucs2Encoder) Decode(raw string) (text string) {
	return utf16Decode(raw)
}

type byteEncoder struct {
	table *[256]rune
}

func (e *byteEncoder) Decode(raw string) (text string) {
	r := make([]rune, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		r = append(r, e.table[raw[i]])
	}
	return string(r)
}
