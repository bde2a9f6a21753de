package office

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html/charset"
)

// xmlStream reads the tokens of one XML part, refusing nesting deeper
// than [MaxDepth]. Errors name the part.
type xmlStream struct {
	d     *xml.Decoder
	part  string
	depth int // elements open
}

// newXMLStream returns a stream of the XML part named part with content
// data; declared encodings other than UTF-8 are decoded.
func newXMLStream(part string, data []byte) *xmlStream {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.CharsetReader = charset.NewReaderLabel
	return &xmlStream{d: d, part: part}
}

// next returns the next token, or io.EOF at the end of the part. The
// token is valid until the following call.
func (s *xmlStream) next() (xml.Token, error) {
	tok, err := s.d.Token()
	if err != nil {
		if err == io.EOF {
			if s.depth > 0 {
				return nil, fmt.Errorf("%w: %s: unexpected end", ErrDamaged, s.part)
			}
			return nil, io.EOF
		}
		if errors.Is(err, ErrTooLarge) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %s: %v", ErrDamaged, s.part, err)
	}
	switch tok.(type) {
	case xml.StartElement:
		s.depth++
		if s.depth > MaxDepth {
			return nil, fmt.Errorf("%w: %s nests elements more than %d deep", ErrTooLarge, s.part, MaxDepth)
		}
	case xml.EndElement:
		s.depth--
	}
	return tok, nil
}

// skip reads to the end of the element whose start was just read.
func (s *xmlStream) skip() error {
	end := s.depth - 1
	for s.depth > end {
		if _, err := s.next(); err != nil {
			return err
		}
	}
	return nil
}

// text returns the character data up to the end of the element whose
// start was just read, the text of child elements included.
func (s *xmlStream) text() (string, error) {
	end := s.depth - 1
	var b strings.Builder
	for s.depth > end {
		tok, err := s.next()
		if err != nil {
			return "", err
		}
		if cd, ok := tok.(xml.CharData); ok {
			if b.Len()+len(cd) > MaxText {
				return "", fmt.Errorf("%w: %s: text longer than %d MiB", ErrTooLarge, s.part, MaxText>>20)
			}
			b.Write(cd)
		}
	}
	return b.String(), nil
}

// attr returns the value of the attribute of se with the local name
// local (any namespace), or "".
func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// attrNS returns the value of the attribute of se named space:local, or "".
func attrNS(se xml.StartElement, space, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local && a.Name.Space == space {
			return a.Value
		}
	}
	return ""
}
