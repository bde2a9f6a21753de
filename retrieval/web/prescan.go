package web

import (
	"bytes"
	"fmt"

	"golang.org/x/net/html"
)

// prescan tokenizes the page and returns an error wrapping ErrTooLarge
// when it has more than MaxElements start tags or, by an estimate of the
// tree the HTML parser would build, nests elements deeper than
// MaxDepth. The parser takes time proportional to the depth
// for every element, so deep or huge pages must be refused before it
// runs. The estimate follows end tags and the implied ends of p, li, dt,
// dd, option, tr, td and th.
func prescan(page []byte) error {
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
			if elements++; elements > MaxElements {
				return fmt.Errorf("%w: the page has more than %d elements", ErrTooLarge, MaxElements)
			}
			if voidElements[tag] {
				continue
			}
			if n := len(stack); n > 0 && (stack[n-1] == tag && impliedEnd[tag] || stack[n-1] == "p" && closesP[tag]) {
				stack = stack[:n-1]
			}
			stack = append(stack, tag)
			if len(stack) > MaxDepth {
				return fmt.Errorf("%w: the page nests elements more than %d deep", ErrTooLarge, MaxDepth)
			}
		case html.SelfClosingTagToken:
			if elements++; elements > MaxElements {
				return fmt.Errorf("%w: the page has more than %d elements", ErrTooLarge, MaxElements)
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

// impliedEnd are the elements that a start tag of the same name closes.
var impliedEnd = map[string]bool{
	"p": true, "li": true, "dt": true, "dd": true, "option": true, "tr": true,
	"td": true, "th": true,
}

// closesP are the elements whose start tag closes an open p.
var closesP = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true,
	"div": true, "dl": true, "fieldset": true, "footer": true, "form": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"header": true, "hr": true, "main": true, "nav": true, "ol": true,
	"pre": true, "section": true, "table": true, "ul": true, "li": true,
	"dd": true, "dt": true, "figure": true, "figcaption": true, "details": true,
}
