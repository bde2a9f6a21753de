package pdf

import (
	"math"
	"regexp"
	"strings"
	"sync"
	"unicode"
)

// Page furniture: the running heads and feet and the page numbers that
// layoutText drops, since they are not part of the text's flow.

// pageNumber matches a line that holds only a page number: "7", "- 7 -",
// "Page 7", "Page 7 of 9", "7 / 9", "第7页", "第 7 页 共 9 页".
var pageNumber = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?i:(?:page|p\.)\s*)?[-–—\s]*\d{1,5}[-–—\s]*(?:(?:/|of)\s*\d{1,5})?$|^第\s*\d{1,5}\s*页(?:\s*[，,]?\s*共\s*\d{1,5}\s*页)?$`)
})

// runningLines returns the running heads and feet of pages, by page and
// line index: among the first and last two lines of each page, those that
// recur, at the same height and with the same text but for their numbers,
// on three pages or more.
func runningLines(pages [][]textLine) map[[2]int]bool {
	type key struct {
		text string
		y    float64
	}
	keyOf := func(l textLine) key {
		return key{strings.Map(func(r rune) rune {
			if unicode.IsDigit(r) {
				return '#'
			}
			return r
		}, l.text), math.Round(l.y)}
	}
	edges := func(page []textLine) []int {
		var out []int
		for j := range page {
			if j < 2 || j >= len(page)-2 {
				out = append(out, j)
			}
		}
		return out
	}
	count := make(map[key]int)
	for _, page := range pages {
		seen := make(map[key]bool)
		for _, j := range edges(page) {
			if k := keyOf(page[j]); !seen[k] {
				seen[k] = true
				count[k]++
			}
		}
	}
	running := make(map[[2]int]bool)
	for i, page := range pages {
		for _, j := range edges(page) {
			if count[keyOf(page[j])] >= 3 {
				running[[2]int{i, j}] = true
			}
		}
	}
	return running
}
