// Package web reads the main content of a saved web page (.html, .htm):
// navigation, sidebars, footers, scripts and styles are not document
// text. It removes navigation elements (nav, role="navigation"), finds
// the article with a readability library
// (codeberg.org/readeck/go-readability) and returns Markdown-style text
// in the shape retrieval/office describes, written by
// retrieval/office/blocks: the page's title (as readability finds it) as a
// "# " heading, then the article's headings, paragraphs, list items, table
// rows and preformatted text as blocks; an article heading that repeats
// the title is written once.
//
// The page is decoded to UTF-8 by its byte order mark or the character
// set its meta element declares; a page that declares none and is not
// UTF-8 is refused with [ErrCharset]. A page larger than [MaxPage], with
// more than [MaxElements] elements or nested deeper than [MaxDepth] is
// refused before the HTML parser runs (its time grows with the nesting
// for every element), with an error wrapping [ErrTooLarge]; one without
// text gives [ErrNoText].
//
// [HTML] is safe for concurrent use.
package web

import (
	"bytes"
	"fmt"
	"strings"

	"codeberg.org/readeck/go-readability/v2"
	"github.com/citebot/citebot/retrieval/office/blocks"
	"golang.org/x/net/html"
)

// Limits of [HTML].
const (
	// MaxPage is the largest page read, in bytes.
	MaxPage = 32 << 20
	// MaxElements is the most elements a page may have.
	MaxElements = 100_000
	// MaxDepth is the deepest element nesting of a page. Finding the
	// article takes time that grows with elements times depth.
	MaxDepth = 256
	// MaxText is the most bytes of text returned.
	MaxText = 32 << 20
)

// Errors of [HTML].
var (
	// ErrTooLarge means the page passed one of the limits.
	ErrTooLarge = blocks.ErrTooLarge
	// ErrNoText means the page has no main content.
	ErrNoText = blocks.ErrNoText
)

// HTML returns the main content of the web page raw as Markdown-style text.
func HTML(raw []byte) (string, error) {
	if len(raw) > MaxPage {
		return "", fmt.Errorf("%w: the page is larger than %d MiB", ErrTooLarge, MaxPage>>20)
	}
	page, err := toUTF8(raw)
	if err != nil {
		return "", err
	}
	if err := blocks.Prescan(page, MaxElements, MaxDepth); err != nil {
		return "", fmt.Errorf("web page: %w", err)
	}
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return "", fmt.Errorf("couldn't parse the page: %w", err)
	}
	if err := checkTree(doc); err != nil {
		return "", err
	}
	removeNavigation(doc)
	parser := readability.NewParser()
	parser.MaxElemsToParse = MaxElements
	article, err := parser.ParseAndMutate(doc, nil)
	if err != nil {
		return "", fmt.Errorf("couldn't find the page's content: %w", err)
	}
	if article.Node == nil {
		return "", fmt.Errorf("web page: %w", ErrNoText)
	}
	w := blocks.NewWriter(MaxText)
	title := w.NewPara()
	title.Text(article.Title())
	w.Heading(1, title)
	if err := blocks.FromHTML(w, article.Node); err != nil {
		return "", fmt.Errorf("web page: %w", err)
	}
	text, err := w.Text()
	if err != nil {
		return "", fmt.Errorf("web page: %w", err)
	}
	if text == "# "+title.String() {
		return "", fmt.Errorf("web page: %w", ErrNoText)
	}
	return text, nil
}

// checkTree returns an error wrapping ErrTooLarge when the tree under doc
// has more than MaxElements elements or nests deeper than
// MaxDepth. It walks without recursion.
func checkTree(doc *html.Node) error {
	elements, depth := 0, 0
	for n := doc; n != nil; {
		if n.Type == html.ElementNode {
			if elements++; elements > MaxElements {
				return fmt.Errorf("%w: the page has more than %d elements", ErrTooLarge, MaxElements)
			}
		}
		if n.FirstChild != nil {
			n = n.FirstChild
			if depth++; depth > MaxDepth {
				return fmt.Errorf("%w: the page nests elements more than %d deep", ErrTooLarge, MaxDepth)
			}
			continue
		}
		for n != nil && n.NextSibling == nil {
			n = n.Parent
			depth--
		}
		if n != nil {
			n = n.NextSibling
		}
	}
	return nil
}

// removeNavigation removes the navigation elements (nav, role=navigation)
// from the tree under doc: menus are never document text, and on a page
// without an article readability would take them for one.
func removeNavigation(doc *html.Node) {
	var navs []*html.Node
	for n := doc; n != nil; {
		if n.Type == html.ElementNode && isNavigation(n) {
			navs = append(navs, n)
		} else if n.FirstChild != nil {
			n = n.FirstChild
			continue
		}
		for n != nil && n.NextSibling == nil {
			n = n.Parent
		}
		if n != nil {
			n = n.NextSibling
		}
	}
	for _, n := range navs {
		n.Parent.RemoveChild(n)
	}
}

// isNavigation reports whether the element n is a navigation menu.
func isNavigation(n *html.Node) bool {
	if n.Data == "nav" {
		return true
	}
	for _, a := range n.Attr {
		if a.Key == "role" && strings.EqualFold(strings.TrimSpace(a.Val), "navigation") {
			return true
		}
	}
	return false
}
