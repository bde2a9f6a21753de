package office

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"

	"github.com/citebot/citebot/retrieval/office/blocks"
	"golang.org/x/net/html"
)

// EPUB returns the text of an EPUB e-book (see the package documentation
// for the shape of the text and the errors): the XHTML documents of its
// spine in order, each one's headings, paragraphs, list items, quotes,
// table rows and preformatted text as blocks, so that a chapter starts
// with its heading. Spine items marked linear="no" and the navigation
// document (the table of contents) are left out, and so are footnotes and
// their marks (epub:type or role noteref, footnote, endnote).
func EPUB(raw []byte) (string, error) {
	const format = "an EPUB e-book"
	a, err := openArchive(raw, format)
	if err != nil {
		return "", err
	}
	if mime, err := a.read("mimetype"); err == nil {
		if m := string(bytes.TrimSpace(mime)); m != "application/epub+zip" {
			return "", fmt.Errorf("%w: not %s (its media type is %.80q)", ErrNotDocument, format, m)
		}
	}
	opf, err := epubRootfile(a)
	if err != nil {
		return "", err
	}
	data, err := a.read(opf)
	if errors.Is(err, errMissing) {
		return "", fmt.Errorf("%w: not %s (no package document %.200s)", ErrNotDocument, format, opf)
	}
	if err != nil {
		return "", err
	}
	chapters, err := epubSpine(newXMLStream(opf, data), path.Dir(opf))
	if err != nil {
		return "", err
	}
	f := newFlow()
	for _, ch := range chapters {
		data, err := a.read(ch)
		if errors.Is(err, errMissing) {
			continue // a broken spine entry: read the rest of the book
		}
		if err != nil {
			return "", err
		}
		root, err := parseXHTML(ch, data)
		if err != nil {
			return "", err
		}
		if err := blocks.FromHTML(f.w, bodyOf(root)); err != nil {
			return "", fmt.Errorf("%s: %w", ch, err)
		}
	}
	return f.finish(format)
}

// epubRootfile returns the archive path of the package document named by
// META-INF/container.xml.
func epubRootfile(a *archive) (string, error) {
	const container = "META-INF/container.xml"
	data, err := a.read(container)
	if errors.Is(err, errMissing) {
		return "", fmt.Errorf("%w: not an EPUB e-book (no %s)", ErrNotDocument, container)
	}
	if err != nil {
		return "", err
	}
	s := newXMLStream(container, data)
	for {
		tok, err := s.next()
		if err == io.EOF {
			return "", fmt.Errorf("%w: %s names no package document", ErrDamaged, container)
		}
		if err != nil {
			return "", err
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "rootfile" {
			if p := resolvePath("", unescapeHref(attr(se, "full-path"))); p != "" {
				return p, nil
			}
		}
	}
}

// epubItem is one manifest item of a package document.
type epubItem struct {
	href, mediaType, properties string
}

// epubSpine reads the package document in s, whose folder is dir, and
// returns the archive paths of the XHTML documents of its spine in
// reading order, without linear="no" items and the navigation document.
func epubSpine(s *xmlStream, dir string) ([]string, error) {
	items := map[string]epubItem{}
	var spine []string // idrefs
	for {
		tok, err := s.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "item":
			if len(items) < MaxEntries {
				items[attr(se, "id")] = epubItem{attr(se, "href"), attr(se, "media-type"), attr(se, "properties")}
			}
		case "itemref":
			if attr(se, "linear") != "no" && len(spine) < MaxChapters {
				spine = append(spine, attr(se, "idref"))
			}
		}
	}
	var paths []string
	for _, id := range spine {
		it, ok := items[id]
		if !ok || hasWord(it.properties, "nav") || !isXHTML(it) {
			continue
		}
		if p := resolvePath(dir, unescapeHref(it.href)); p != "" {
			paths = append(paths, p)
		}
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("%w: the EPUB's spine lists no XHTML document", ErrNoText)
	}
	return paths, nil
}

// isXHTML reports whether the manifest item is an XHTML or HTML document.
func isXHTML(it epubItem) bool {
	switch strings.ToLower(strings.TrimSpace(it.mediaType)) {
	case "application/xhtml+xml", "text/html", "application/x-dtbook+xml":
		return true
	case "":
		ext := strings.ToLower(path.Ext(it.href))
		return ext == ".xhtml" || ext == ".html" || ext == ".htm"
	}
	return false
}

// hasWord reports whether the space-separated list s holds word.
func hasWord(s, word string) bool {
	for _, w := range strings.Fields(s) {
		if w == word {
			return true
		}
	}
	return false
}

// unescapeHref returns the path of an href, %-escapes decoded.
func unescapeHref(href string) string {
	if i := strings.IndexAny(href, "#?"); i >= 0 {
		href = href[:i]
	}
	if p, err := url.PathUnescape(href); err == nil {
		return p
	}
	return href
}

// bodyOf returns the body element of an HTML tree, or root itself.
func bodyOf(root *html.Node) *html.Node {
	var body *html.Node
	var find func(n *html.Node, depth int)
	find = func(n *html.Node, depth int) {
		for ch := n.FirstChild; ch != nil && body == nil && depth < 4; ch = ch.NextSibling {
			if ch.Type == html.ElementNode && strings.EqualFold(localName(ch.Data), "body") {
				body = ch
				return
			}
			find(ch, depth+1)
		}
	}
	find(root, 0)
	if body == nil {
		return root
	}
	return body
}

// localName returns name without its namespace prefix.
func localName(name string) string {
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}
