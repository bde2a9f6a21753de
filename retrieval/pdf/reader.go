package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	lpdf "github.com/ledongthuc/pdf"
)

// readText is [Extract] without the error wrapping; it reports whether the
// file is encrypted, and returns panics of the reader as errors.
func readText(raw []byte) (text string, encrypted bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			text, err = "", fmt.Errorf("%v", r)
		}
	}()
	r, err := lpdf.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		// A file that declares encryption and cannot be opened needs a
		// password or uses an unsupported cipher.
		encrypted = errors.Is(err, lpdf.ErrInvalidPassword) || bytes.Contains(raw, []byte("/Encrypt"))
		return "", encrypted, err
	}
	encrypted = r.Trailer().Key("Encrypt").Kind() != lpdf.Null
	pages, err := readPages(r)
	if err != nil {
		return "", encrypted, err
	}
	x := newExtractor()
	lines := make([][]textLine, 0, len(pages))
	for i, p := range pages {
		runs, err := x.pageRuns(p)
		if err != nil {
			return "", encrypted, fmt.Errorf("page %d: %w", i+1, err)
		}
		lines = append(lines, pageLines(runs))
	}
	if x.bad > 0 && 4*x.bad > x.good+x.bad {
		return "", encrypted, errors.New("its text cannot be decoded: fonts without a Unicode map")
	}
	text = layoutText(lines)
	if text == "" {
		return "", encrypted, ErrNoTextLayer
	}
	return text, encrypted, nil
}

// page is a leaf of the page tree with the resources it inherits.
type page struct {
	v, resources lpdf.Value
}

// readPages returns the pages of r in order. It walks the page tree itself,
// carrying inherited resources down, so that a cyclic or absurdly large
// tree ends in an error rather than a loop.
func readPages(r *lpdf.Reader) ([]page, error) {
	root := r.Trailer().Key("Root").Key("Pages")
	if root.Kind() != lpdf.Dict {
		return nil, errors.New("no page tree")
	}
	var pages []page
	nodes := 0
	var walk func(node, res lpdf.Value, depth int) error
	walk = func(node, res lpdf.Value, depth int) error {
		if nodes++; nodes > maxPageNodes || depth > maxTreeDepth {
			return errors.New("page tree too large or cyclic")
		}
		if node.Kind() != lpdf.Dict {
			return nil
		}
		if own := node.Key("Resources"); own.Kind() == lpdf.Dict {
			res = own
		}
		kids := node.Key("Kids")
		if typ := node.Key("Type").Name(); typ == "Pages" || (typ != "Page" && kids.Kind() == lpdf.Array) {
			for i := range kids.Len() {
				if err := walk(kids.Index(i), res, depth+1); err != nil {
					return err
				}
			}
			return nil
		}
		if len(pages) == maxPages {
			return fmt.Errorf("more than %d pages", maxPages)
		}
		pages = append(pages, page{v: node, resources: res})
		return nil
	}
	if err := walk(root, lpdf.Value{}, 0); err != nil {
		return nil, err
	}
	return pages, nil
}

// extractor collects the text runs of pages; it carries the document's
// budgets across pages.
type extractor struct {
	content   int              // decompressed content bytes left
	text      int              // text bytes left
	formCalls int              // form XObjects drawn
	good, bad int              // runes kept and runes that could not be decoded
	fonts     map[string]*font // by the text of their dictionary
	runs      []textRun
}

// newExtractor returns an extractor with the budgets of one document.
func newExtractor() *extractor {
	return &extractor{content: maxContent, text: MaxBytes, fonts: make(map[string]*font)}
}

// pageRuns returns the text runs of page p. A panic of the reader while it
// reads the page is returned as an error.
func (x *extractor) pageRuns(p page) (runs []textRun, err error) {
	defer func() {
		if r := recover(); r != nil {
			runs, err = nil, fmt.Errorf("%v", r)
		}
	}()
	x.runs = nil
	g := graphics{ctm: identity, scale: 1, resources: p.resources}
	if err := x.interpret(p.v.Key("Contents"), g); err != nil {
		return nil, err
	}
	return x.runs, nil
}

// load copies the decompressed stream, or array of streams, v to w (the
// streams of an array separated by a line break), charging its size to
// the content budget. It fails when the budget is exhausted or a stream
// cannot be read.
func (x *extractor) load(v lpdf.Value, w io.Writer) error {
	streams := []lpdf.Value{v}
	if v.Kind() == lpdf.Array {
		streams = arrayValues(v, v.Len())
	}
	for i, s := range streams {
		if s.Kind() != lpdf.Stream {
			return errors.New("content is not a stream")
		}
		if i > 0 {
			io.WriteString(w, "\n")
		}
		rc := s.Reader()
		n, err := io.Copy(w, io.LimitReader(rc, int64(x.content)+1))
		rc.Close()
		if err != nil {
			return fmt.Errorf("content stream: %w", err)
		}
		if n > int64(x.content) {
			return fmt.Errorf("content larger than %d bytes decompressed", maxContent)
		}
		x.content -= int(n)
	}
	return nil
}

// valueNumbers returns the numbers in the array v, if it holds only
// numbers (at most limit of them).
func valueNumbers(v lpdf.Value, limit int) ([]float64, bool) {
	nums := make([]float64, 0, min(v.Len(), limit))
	for _, x := range arrayValues(v, limit) {
		if k := x.Kind(); k != lpdf.Integer && k != lpdf.Real {
			return nil, false
		}
		nums = append(nums, x.Float64())
	}
	return nums, true
}

// arrayValues returns the elements of the array v, at most limit.
func arrayValues(v lpdf.Value, limit int) []lpdf.Value {
	n := min(v.Len(), limit)
	out := make([]lpdf.Value, n)
	for i := range out {
		out[i] = v.Index(i)
	}
	return out
}
