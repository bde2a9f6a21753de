package office

import (
	"encoding/xml"

	"strconv"
	"strings"
)

// levelSkip marks a paragraph style whose paragraphs are not body text
// (table of contents entries).
const levelSkip = -1

// docxStyle is what a paragraph style says about its paragraphs.
type docxStyle struct {
	name, basedOn string
	outline       int // w:outlineLvl + 1, 0 when not set
}

// docxStyleLevels reads styles.xml and returns the heading level of each
// paragraph style id that has one (1 for Title and for "heading 1" or an
// outline level of 0, ...) and levelSkip for table-of-contents styles. An
// unreadable styles part gives no levels.
func docxStyleLevels(a *archive, part string) map[string]int {
	data, err := a.read(part)
	if err != nil {
		return nil
	}
	styles := map[string]*docxStyle{}
	s := newXMLStream(part, data)
	var cur *docxStyle
	for {
		tok, err := s.next()
		if err != nil {
			break
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			if ee, ok := tok.(xml.EndElement); ok && ee.Name.Local == "style" {
				cur = nil
			}
			continue
		}
		switch se.Name.Local {
		case "style":
			if attr(se, "type") != "paragraph" || len(styles) >= MaxEntries {
				_ = s.skip()
				continue
			}
			cur = &docxStyle{}
			styles[attr(se, "styleId")] = cur
		case "name":
			if cur != nil {
				cur.name = attr(se, "val")
			}
		case "basedOn":
			if cur != nil {
				cur.basedOn = attr(se, "val")
			}
		case "outlineLvl":
			if cur != nil {
				cur.outline = outlineLevel(attr(se, "val"))
			}
		case "rPr", "tblPr", "pPrChange", "rPrChange":
			_ = s.skip()
		}
	}
	levels := make(map[string]int, len(styles))
	for id := range styles {
		if l := styleLevel(styles, id); l != 0 {
			levels[id] = l
		}
	}
	return levels
}

// styleLevel returns the level of the style id, following basedOn a few
// steps for an outline level.
func styleLevel(styles map[string]*docxStyle, id string) int {
	for range 10 {
		st := styles[id]
		if st == nil {
			return 0
		}
		if l := namedLevel(st.name); l != 0 {
			return l
		}
		if l := namedLevel(id); l != 0 {
			return l
		}
		if st.outline != 0 {
			return st.outline
		}
		id = st.basedOn
	}
	return 0
}

// namedLevel returns the level a built-in style name or id stands for:
// "Title" 1, "heading N" or "HeadingN" N, "toc N" or "TOCN" levelSkip.
func namedLevel(name string) int {
	n := strings.ToLower(strings.ReplaceAll(name, " ", ""))
	switch {
	case n == "title":
		return 1
	case strings.HasPrefix(n, "heading"):
		if l, err := strconv.Atoi(n[len("heading"):]); err == nil && l >= 1 && l <= 9 {
			return l
		}
	case strings.HasPrefix(n, "toc"):
		if _, err := strconv.Atoi(n[len("toc"):]); err == nil || n == "tocheading" {
			return levelSkip
		}
	}
	return 0
}

// outlineLevel returns w:outlineLvl's value plus one for 0..8, else 0
// (9 is body text).
func outlineLevel(val string) int {
	l, err := strconv.Atoi(val)
	if err != nil || l < 0 || l > 8 {
		return 0
	}
	return l + 1
}
