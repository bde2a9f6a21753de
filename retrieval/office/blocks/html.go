package blocks

import (
	"fmt"
	"strings"

	"golang.org/x/net/html"
)

// MaxHTMLDepth is the deepest element nesting [FromHTML] reads.
const MaxHTMLDepth = 512

// ErrTooDeep means an HTML tree nests elements deeper than
// [MaxHTMLDepth]; it wraps [ErrTooLarge].
var ErrTooDeep = fmt.Errorf("%w: the elements nest too deeply", ErrTooLarge)

// FromHTML writes the blocks of the HTML or XHTML tree under root to w:
// h1-h6 as headings, p, li, dt, dd, blockquote, div and the other block
// elements as paragraphs, each table row as one block (nested tables
// flattened into their cell), pre as a code block, br as a soft line
// break. Scripts, styles, forms, embedded media, hidden elements and the
// footnotes and note marks of e-books (epub:type or role noteref,
// footnote, endnote) are left out. It returns the first error of w or
// ErrTooDeep.
func FromHTML(w *Writer, root *html.Node) error {
	c := &htmlConv{w: w, para: w.NewPara()}
	c.walk(root, 0)
	c.flush()
	if c.err != nil {
		return c.err
	}
	return w.Err()
}

// htmlConv holds the state of one [FromHTML] walk.
type htmlConv struct {
	w     *Writer
	para  *Para // the block being collected outside tables
	level int   // heading level of para, 0 for a body block
	table int   // depth of open tables
	row   []*Para
	cell  *Para // the cell being collected in the outermost table
	err   error
}

// target returns the Para that text goes to.
func (c *htmlConv) target() *Para {
	if c.table > 0 && c.cell != nil {
		return c.cell
	}
	return c.para
}

// flush writes the block collected in para.
func (c *htmlConv) flush() {
	if c.level > 0 {
		c.w.Heading(c.level, c.para)
	} else {
		c.w.Paragraph(c.para)
	}
	c.para.Reset()
}

func (c *htmlConv) walk(n *html.Node, depth int) {
	if depth > MaxHTMLDepth {
		c.err = ErrTooDeep
		return
	}
	switch n.Type {
	case html.TextNode:
		c.target().HTMLText(n.Data)
		return
	case html.DocumentNode:
		c.children(n, depth)
		return
	case html.ElementNode:
	default:
		return
	}
	name := n.Data
	if i := strings.IndexByte(name, ':'); i >= 0 { // a prefixed XHTML name
		name = name[i+1:]
	}
	name = strings.ToLower(name)
	switch {
	case skipped[name] || hidden(n):
		return
	case name == "br":
		c.target().Break()
	case name == "table":
		c.tableElem(n, depth)
	case name == "tr" && c.table == 1:
		c.row = c.row[:0]
		c.cell = nil
		c.children(n, depth)
		c.w.Row(c.row)
		c.row, c.cell = c.row[:0], nil
	case (name == "td" || name == "th") && c.table == 1:
		c.cell = c.w.NewPara()
		c.row = append(c.row, c.cell)
		c.children(n, depth)
		c.cell = nil
	case name == "caption" && c.table == 1 && c.cell == nil:
		c.flush()
		c.children(n, depth)
		c.flush()
	case c.table > 0 && (blockElems[name] || name == "tr" || name == "td" || name == "th" || headingLevel(name) > 0):
		c.target().Break()
		c.children(n, depth)
		c.target().Break()
	case name == "pre":
		c.flush()
		var b strings.Builder
		preText(&b, n, depth)
		c.w.Code(b.String())
	case headingLevel(name) > 0:
		c.flush()
		c.level = headingLevel(name)
		c.children(n, depth)
		c.flush()
		c.level = 0
	case blockElems[name]:
		c.flush()
		c.children(n, depth)
		c.flush()
	default:
		c.children(n, depth)
	}
}

func (c *htmlConv) children(n *html.Node, depth int) {
	for ch := n.FirstChild; ch != nil && c.err == nil; ch = ch.NextSibling {
		c.walk(ch, depth+1)
	}
}

// tableElem walks a table: the outermost one writes a block per row, a
// nested one adds its text to the cell it is in.
func (c *htmlConv) tableElem(n *html.Node, depth int) {
	if c.table == 0 {
		c.flush()
	}
	c.table++
	c.children(n, depth)
	c.table--
	if c.table == 0 {
		c.w.Row(c.row) // cells outside a row, in a malformed XHTML table
		c.flush()
		c.row, c.cell = nil, nil
	} else {
		c.target().Break()
	}
}

// preText writes the text under n to b, br elements as line feeds.
func preText(b *strings.Builder, n *html.Node, depth int) {
	if depth > MaxHTMLDepth {
		return
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		switch {
		case ch.Type == html.TextNode:
			b.WriteString(ch.Data)
		case ch.Type != html.ElementNode || skipped[strings.ToLower(ch.Data)] || hidden(ch):
		case strings.EqualFold(ch.Data, "br"):
			b.WriteByte('\n')
		default:
			preText(b, ch, depth+1)
		}
	}
}

// headingLevel returns N for the element name hN (1..6), else 0.
func headingLevel(name string) int {
	if len(name) == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6' {
		return int(name[1] - '0')
	}
	return 0
}

// hidden reports whether the element n is not shown as text: the hidden
// attribute, aria-hidden="true", or an e-book's note or note mark.
func hidden(n *html.Node) bool {
	for _, a := range n.Attr {
		key := strings.ToLower(a.Key)
		if a.Namespace != "" {
			key = a.Namespace + ":" + key
		}
		switch key {
		case "hidden":
			return true
		case "aria-hidden":
			if strings.EqualFold(strings.TrimSpace(a.Val), "true") {
				return true
			}
		case "epub:type", "role":
			for _, t := range strings.Fields(strings.ToLower(a.Val)) {
				if noteTypes[strings.TrimPrefix(t, "doc-")] {
					return true
				}
			}
		}
	}
	return false
}

// noteTypes are the epub:type and role values (without "doc-") of notes
// and note marks.
var noteTypes = map[string]bool{
	"noteref": true, "footnote": true, "footnotes": true, "endnote": true,
	"endnotes": true, "rearnote": true, "rearnotes": true,
}

// skipped are the elements whose content is not document text.
var skipped = map[string]bool{
	"head": true, "title": true, "script": true, "style": true, "noscript": true,
	"template": true, "svg": true, "iframe": true, "object": true, "embed": true,
	"canvas": true, "video": true, "audio": true, "select": true, "button": true,
	"input": true, "textarea": true, "rt": true, "rp": true, "img": true,
	"link": true, "meta": true, "base": true,
}

// blockElems are the elements that start and end a block.
var blockElems = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true,
	"body": true, "caption": true, "center": true, "dd": true, "details": true,
	"dialog": true, "dir": true, "div": true, "dl": true, "dt": true,
	"fieldset": true, "figcaption": true, "figure": true, "footer": true,
	"form": true, "header": true, "hgroup": true, "hr": true, "html": true,
	"legend": true, "li": true, "listing": true, "main": true, "menu": true,
	"nav": true, "ol": true, "p": true, "section": true, "summary": true,
	"ul": true, "tbody": true, "thead": true, "tfoot": true, "plaintext": true,
	"xmp": true,
}
