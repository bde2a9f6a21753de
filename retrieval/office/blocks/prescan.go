package blocks

import (
	"bytes"
	"fmt"

	"golang.org/x/net/html"
)

// Prescan tokenizes the HTML page and returns an error wrapping
// [ErrTooLarge] when it has more than maxElements start tags or, by an
// estimate of the tree the HTML parser would build, nests elements deeper
// than maxDepth. The parser of golang.org/x/net/html takes time
// proportional to the depth for every element, so a deep or huge page
// must be refused before it runs. The estimate follows end tags and the
// implied ends of p, li, dt, dd, option, tr, td and th (see closedBy).
func Prescan(page []byte, maxElements, maxDepth int) error {
	z := html.NewTokenizer(bytes.NewReader(page))
	z.SetMaxBuf(0)
	var stack []string
	elements := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return nil
		case html.StartTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if elements++; elements > maxElements {
				return fmt.Errorf("%w: more than %d elements", ErrTooLarge, maxElements)
			}
			if voidElements[tag] {
				continue
			}
			for n := len(stack); n > 0 && closedBy(stack[n-1], tag); n-- {
				stack = stack[:n-1]
			}
			stack = append(stack, tag)
			if len(stack) > maxDepth {
				return fmt.Errorf("%w: elements nested more than %d deep", ErrTooLarge, maxDepth)
			}
		case html.SelfClosingTagToken:
			if elements++; elements > maxElements {
				return fmt.Errorf("%w: more than %d elements", ErrTooLarge, maxElements)
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			for i := len(stack) - 1; i >= 0; i-- {
				if stack[i] == string(name) {
					stack = stack[:i]
					break
				}
			}
		}
	}
}

// voidElements have no content and no end tag.
var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true,
	"img": true, "input": true, "link": true, "meta": true, "source": true,
	"track": true, "wbr": true, "param": true, "keygen": true, "frame": true,
	"basefont": true, "bgsound": true, "image": true,
}

// closedBy reports whether a start tag of tag closes the element open
// at the top of the stack, as the HTML parser closes it.
func closedBy(open, tag string) bool {
	switch tag {
	case "li":
		return open == "li" || open == "p"
	case "dt", "dd":
		return open == "dt" || open == "dd" || open == "p"
	case "tr":
		return open == "tr" || open == "td" || open == "th" || open == "p"
	case "td", "th":
		return open == "td" || open == "th" || open == "p"
	case "option":
		return open == "option"
	}
	return open == "p" && closesP[tag]
}

// closesP are the elements whose start tag closes an open p.
var closesP = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true,
	"div": true, "dl": true, "fieldset": true, "footer": true, "form": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"header": true, "hr": true, "main": true, "nav": true, "ol": true,
	"pre": true, "section": true, "table": true, "ul": true, "li": true,
	"dd": true, "dt": true, "figure": true, "figcaption": true, "details": true,
	"p": true,
}
