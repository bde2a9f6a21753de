package office

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/citebot/citebot/retrieval/office/blocks"
	"golang.org/x/net/html"
)

// Limits of one XHTML document of an e-book.
const (
	// maxXHTMLNodes is the most nodes of one document's tree.
	maxXHTMLNodes = 1 << 20
	// maxHTMLFallback is the largest document parsed as HTML when it is
	// not well-formed XML.
	maxHTMLFallback = 8 << 20
)

// nsOPS is the namespace of the epub:type attribute.
const nsOPS = "http://www.idpf.org/2007/ops"

// errNotXML means an XHTML document is not well-formed.
var errNotXML = errors.New("not well-formed")

// parseXHTML returns the tree of the XHTML document part with content
// data. It reads it as XML (leniently: HTML entities and unclosed empty
// elements are accepted), and as HTML when that fails.
func parseXHTML(part string, data []byte) (*html.Node, error) {
	root, err := xmlTree(part, data)
	if !errors.Is(err, errNotXML) {
		return root, err
	}
	if len(data) > maxHTMLFallback {
		return nil, fmt.Errorf("%w: %s is not well-formed and larger than %d MiB", ErrDamaged, part, maxHTMLFallback>>20)
	}
	if err := blocks.Prescan(data, maxXHTMLNodes, MaxDepth); err != nil {
		return nil, fmt.Errorf("%s: %w", part, err)
	}
	root, err = html.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrDamaged, part, err)
	}
	return root, nil
}

// xmlTree builds the tree of an XHTML document from its XML tokens,
// element names and attribute keys without namespace prefixes except
// epub:type.
func xmlTree(part string, data []byte) (*html.Node, error) {
	s := newXMLStream(part, data)
	s.d.Strict = false
	s.d.AutoClose = xml.HTMLAutoClose
	s.d.Entity = xml.HTMLEntity
	root := &html.Node{Type: html.DocumentNode}
	cur, nodes := root, 0
	for {
		tok, err := s.next()
		if err == io.EOF {
			return root, nil
		}
		if errors.Is(err, ErrDamaged) {
			return nil, fmt.Errorf("%w: %w", errNotXML, err)
		}
		if err != nil {
			return nil, err
		}
		if nodes++; nodes > maxXHTMLNodes {
			return nil, fmt.Errorf("%w: %s has more than %d elements and texts", ErrTooLarge, part, maxXHTMLNodes)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &html.Node{Type: html.ElementNode, Data: strings.ToLower(t.Name.Local)}
			for _, a := range t.Attr {
				key := a.Name.Local
				if a.Name.Space == nsOPS || a.Name.Space == "epub" {
					key = "epub:" + key
				}
				n.Attr = append(n.Attr, html.Attribute{Key: key, Val: a.Value})
			}
			cur.AppendChild(n)
			cur = n
		case xml.EndElement:
			if cur.Parent != nil {
				cur = cur.Parent
			}
		case xml.CharData:
			cur.AppendChild(&html.Node{Type: html.TextNode, Data: string(t)})
		}
	}
}
