package office

import (
	"encoding/xml"
	"errors"
	"fmt"
	"path"
)

// Namespaces of WordprocessingML (transitional and strict) and of markup
// compatibility.
const (
	nsW       = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	nsWStrict = "http://purl.oclc.org/ooxml/wordprocessingml/main"
	nsMC      = "http://schemas.openxmlformats.org/markup-compatibility/2006"
)

// DOCX returns the body text of an Office Open XML document (see the
// package documentation for the shape of the text and the errors).
func DOCX(raw []byte) (string, error) {
	const format = "a Word document"
	a, err := openArchive(raw, format)
	if err != nil {
		return "", err
	}
	main := a.relTarget("", "/officeDocument")
	if main == "" || !a.has(main) {
		main = "word/document.xml"
	}
	data, err := a.read(main)
	if errors.Is(err, errMissing) {
		return "", fmt.Errorf("%w: not %s (no %s)", ErrNotDocument, format, main)
	}
	if err != nil {
		return "", err
	}
	stylesPart := a.relTarget(main, "/styles")
	if stylesPart == "" {
		stylesPart = path.Join(path.Dir(main), "styles.xml")
	}
	c := &docxConv{flow: newFlow(), styles: docxStyleLevels(a, stylesPart)}
	if err := c.read(newXMLStream(main, data)); err != nil {
		return "", err
	}
	return c.finish(format)
}

// docxConv holds the state of one document.xml walk.
type docxConv struct {
	*flow
	styles map[string]int // heading level by paragraph style id
	hidden bool           // the open run is hidden text (w:vanish)
}

// docxSkipped are WordprocessingML elements whose content is not body
// text: deleted and moved-away revisions, field codes, note and comment
// marks, properties and section settings.
var docxSkipped = map[string]bool{
	"del": true, "moveFrom": true, "delText": true, "instrText": true,
	"delInstrText": true, "footnoteReference": true, "endnoteReference": true,
	"commentReference": true, "annotationRef": true, "footnoteRef": true,
	"endnoteRef": true, "separator": true, "continuationSeparator": true,
	"sectPr": true, "sdtPr": true, "sdtEndPr": true, "tblPr": true,
	"tblGrid": true, "trPr": true, "tcPr": true, "tblPrEx": true,
	"rPrChange": true, "pPrChange": true, "fldData": true, "customXmlPr": true,
	"smartTagPr": true, "sym": true, "softHyphen": true,
}

// read walks the body in s and writes its blocks.
func (c *docxConv) read(s *xmlStream) error {
	if err := expectRoot(s, isW, "document", "a Word document"); err != nil {
		return err
	}
	return c.walk(s, func(tok xml.Token) error {
		switch t := tok.(type) {
		case xml.StartElement:
			return c.start(s, t)
		case xml.EndElement:
			if isW(t.Name) {
				c.end(t.Name.Local)
			}
		}
		return nil
	})
}

// isW reports whether name is in the WordprocessingML namespace.
func isW(name xml.Name) bool { return name.Space == nsW || name.Space == nsWStrict }

// start handles the start of an element.
func (c *docxConv) start(s *xmlStream, se xml.StartElement) error {
	if se.Name.Space == nsMC && se.Name.Local == "Fallback" {
		return s.skip() // the same content as the Choice read before it
	}
	if !isW(se.Name) {
		return nil
	}
	name := se.Name.Local
	switch {
	case docxSkipped[name]:
		return s.skip()
	case name == "p":
		c.startPara(0)
	case name == "pPr":
		return c.paraProps(s)
	case name == "rPr":
		return c.runProps(s)
	case name == "t":
		txt, err := s.text()
		if !c.hidden {
			c.text(txt)
		}
		return err
	case name == "tab" || name == "ptab":
		c.space()
	case name == "br" || name == "cr":
		c.lineBreak()
	case name == "noBreakHyphen":
		if !c.hidden {
			c.text("-")
		}
	case name == "tbl":
		c.startTable()
	case name == "tr":
		c.startRow()
	case name == "tc":
		c.startCell()
	}
	return nil
}

// end handles the end of a WordprocessingML element.
func (c *docxConv) end(name string) {
	switch name {
	case "p":
		c.endPara()
	case "r":
		c.hidden = false
	case "tbl":
		c.endTable()
	case "tr":
		c.endRow()
	case "tc":
		c.endCell()
	}
}

// paraProps reads a w:pPr: the paragraph's style and outline level.
func (c *docxConv) paraProps(s *xmlStream) error {
	depth := s.depth
	level := 0
	for s.depth >= depth {
		tok, err := s.next()
		if err != nil {
			return err
		}
		se, ok := tok.(xml.StartElement)
		if !ok || s.depth != depth+1 || !isW(se.Name) {
			continue
		}
		switch se.Name.Local {
		case "pStyle":
			if l := c.styles[attr(se, "val")]; l != 0 && level == 0 {
				level = l
			}
		case "outlineLvl":
			if l := outlineLevel(attr(se, "val")); l != 0 {
				level = l
			}
		}
	}
	c.setLevel(level)
	return nil
}

// runProps reads a w:rPr: whether the run is hidden text.
func (c *docxConv) runProps(s *xmlStream) error {
	depth := s.depth
	for s.depth >= depth {
		tok, err := s.next()
		if err != nil {
			return err
		}
		se, ok := tok.(xml.StartElement)
		if ok && s.depth == depth+1 && isW(se.Name) && se.Name.Local == "vanish" {
			switch attr(se, "val") {
			case "0", "false", "off":
			default:
				c.hidden = true
			}
		}
	}
	return nil
}
