package office

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Namespaces of OpenDocument.
const (
	nsOffice = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
	nsText   = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
	nsTable  = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
	nsStyle  = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
	nsSVG    = "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
)

// odtMimePrefix starts the media type of OpenDocument text documents and
// their templates and master documents.
const odtMimePrefix = "application/vnd.oasis.opendocument.text"

// ODT returns the body text of an OpenDocument text document (see the
// package documentation for the shape of the text and the errors).
func ODT(raw []byte) (string, error) {
	const format = "an OpenDocument text"
	a, err := openArchive(raw, format)
	if err != nil {
		return "", err
	}
	if mime, err := a.read("mimetype"); err == nil {
		if m := string(bytes.TrimSpace(mime)); !strings.HasPrefix(m, odtMimePrefix) {
			return "", fmt.Errorf("%w: not %s (its media type is %.80q)", ErrNotDocument, format, m)
		}
	}
	data, err := a.read("content.xml")
	if errors.Is(err, errMissing) {
		return "", fmt.Errorf("%w: not %s (no content.xml)", ErrNotDocument, format)
	}
	if err != nil {
		return "", err
	}
	c := &odtConv{flow: newFlow(), styles: map[string]odtStyle{}}
	if styles, err := a.read("styles.xml"); err == nil {
		_ = c.readStyles(newXMLStream("styles.xml", styles))
	}
	if err := c.read(newXMLStream("content.xml", data)); err != nil {
		return "", err
	}
	return c.finish(format)
}

// odtConv holds the state of one content.xml walk.
type odtConv struct {
	*flow
	styles map[string]odtStyle // paragraph styles by name
	inBody bool                // within office:text
}

// odtStyle is what a paragraph style says about its paragraphs.
type odtStyle struct {
	parent  string
	outline int // style:default-outline-level
}

// odtSkipped are OpenDocument text elements whose content is not body
// text: notes, comments, tracked changes (deleted text), generated
// indexes, declarations and ruby annotations.
var odtSkipped = map[string]bool{
	"note": true, "tracked-changes": true, "table-of-content": true,
	"illustration-index": true, "table-index": true, "object-index": true,
	"user-index": true, "alphabetical-index": true, "bibliography": true,
	"sequence-decls": true, "variable-decls": true, "user-field-decls": true,
	"dde-connection-decls": true, "ruby-text": true,
}

// read walks content.xml in s and writes the blocks of its office:text.
func (c *odtConv) read(s *xmlStream) error {
	inOffice := func(n xml.Name) bool { return n.Space == nsOffice }
	if err := expectRoot(s, inOffice, "document-content", "an OpenDocument text"); err != nil {
		return err
	}
	return c.walk(s, func(tok xml.Token) error {
		switch t := tok.(type) {
		case xml.StartElement:
			return c.start(s, t)
		case xml.EndElement:
			c.end(t.Name)
		case xml.CharData:
			if c.inBody {
				c.text(string(t))
			}
		}
		return nil
	})
}

// start handles the start of an element.
func (c *odtConv) start(s *xmlStream, se xml.StartElement) error {
	n := se.Name
	switch {
	case n.Space == nsOffice && n.Local == "automatic-styles":
		return c.readStyles(s)
	case n.Space == nsOffice && n.Local == "text":
		c.inBody = true
	case n.Space == nsOffice && (n.Local == "annotation" || n.Local == "forms"),
		n.Space == nsSVG && (n.Local == "title" || n.Local == "desc"),
		n.Space == nsTable && (n.Local == "covered-table-cell" || n.Local == "table-columns" || n.Local == "table-column"),
		n.Space == nsText && odtSkipped[n.Local]:
		return s.skip()
	case !c.inBody:
	case n.Space == nsText:
		c.startText(se)
	case n.Space == nsTable:
		switch n.Local {
		case "table":
			c.startTable()
		case "table-row":
			c.startRow()
		case "table-cell":
			c.startCell()
		}
	}
	return nil
}

// startText handles the start of an element in the text namespace.
func (c *odtConv) startText(se xml.StartElement) {
	switch se.Name.Local {
	case "h":
		level := 1
		if l, err := strconv.Atoi(attrNS(se, nsText, "outline-level")); err == nil && l > 0 {
			level = l
		}
		c.startPara(level)
	case "p":
		c.startPara(c.styleLevel(attrNS(se, nsText, "style-name")))
	case "s", "tab":
		c.space()
	case "line-break":
		c.lineBreak()
	}
}

// end handles the end of an element.
func (c *odtConv) end(n xml.Name) {
	switch {
	case n.Space == nsOffice && n.Local == "text":
		c.inBody = false
	case n.Space == nsText && (n.Local == "h" || n.Local == "p"):
		c.endPara()
	case n.Space == nsTable && n.Local == "table":
		c.endTable()
	case n.Space == nsTable && n.Local == "table-row":
		c.endRow()
	case n.Space == nsTable && n.Local == "table-cell":
		c.endCell()
	}
}

// readStyles reads the paragraph styles of the styles part in s, or of
// the office:automatic-styles element just started in content.xml.
func (c *odtConv) readStyles(s *xmlStream) error {
	depth := s.depth
	for s.depth >= depth {
		tok, err := s.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Space != nsStyle || se.Name.Local != "style" || len(c.styles) >= MaxEntries {
			continue
		}
		st := odtStyle{parent: attrNS(se, nsStyle, "parent-style-name")}
		if l, err := strconv.Atoi(attrNS(se, nsStyle, "default-outline-level")); err == nil && l > 0 {
			st.outline = l
		}
		name := attrNS(se, nsStyle, "name")
		if strings.EqualFold(name, "Title") {
			st.outline = 1
		}
		c.styles[name] = st
	}
	return nil
}

// styleLevel returns the heading level of the paragraph style name: 1 for
// Title, the default outline level of a heading style, following parent
// styles a few steps; 0 for body text.
func (c *odtConv) styleLevel(name string) int {
	for range 10 {
		st, ok := c.styles[name]
		if !ok {
			return 0
		}
		if st.outline > 0 {
			return st.outline
		}
		name = st.parent
	}
	return 0
}
