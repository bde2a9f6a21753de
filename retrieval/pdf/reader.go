package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	lpdf "github.com/citebot/citebot/retrieval/pdf/internal/pdfread"
)

// readText is [Extract] without the error wrapping, stopping at deadline
// (none when it is zero);
// it reports whether the file is encrypted, and returns panics of the
// reader as errors.
func readText(raw []byte, deadline time.Time) (text string, encrypted bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			text, err = "", panicError(r)
		}
	}()
	r, err := lpdf.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if errors.Is(err, lpdf.ErrLimit) {
		return "", false, readerLimit(err)
	}
	if err != nil {
		// A file that declares encryption and cannot be opened needs a
		// password or uses an unsupported cipher.
		encrypted = errors.Is(err, lpdf.ErrInvalidPassword) || bytes.Contains(raw, []byte("/Encrypt"))
		return "", encrypted, err
	}
	encrypted = r.Trailer().Key("Encrypt").Kind() != lpdf.Null
	x := newExtractor(deadline)
	pages, err := readPages(r, x)
	if err != nil {
		return "", encrypted, err
	}
	lines := make([][]textLine, 0, len(pages))
	for i, p := range pages {
		runs, err := x.pageRuns(p)
		if err == nil {
			err = x.checkDeadline()
		}
		var page []textLine
		if err == nil {
			page = pageLines(runs)
			err = x.charge(page)
		}
		if errors.Is(err, ErrTooLarge) {
			return "", encrypted, err // the limit says enough
		}
		if err != nil {
			return "", encrypted, fmt.Errorf("page %d: %w", i+1, err)
		}
		lines = append(lines, page)
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
// tree ends in an error rather than a loop; it checks the deadline of x
// at every node.
func readPages(r *lpdf.Reader, x *extractor) ([]page, error) {
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
		if err := x.checkDeadline(); err != nil {
			return err
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
		if len(pages) == MaxPages {
			return tooLarge("more than %d pages", MaxPages)
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
	text      int              // text bytes left (lines are charged lineBytes each)
	formCalls int              // form XObjects drawn
	good, bad int              // runes kept and runes that could not be decoded
	fonts     map[string]*font // by the text of their dictionary
	runs      []textRun
	deadline  time.Time // when the work must stop, if not zero
	ops       int       // content operators run
}

// newExtractor returns an extractor with the budgets of one document,
// whose work stops at deadline (none when it is zero).
func newExtractor(deadline time.Time) *extractor {
	return &extractor{content: maxContent, text: maxText, fonts: make(map[string]*font), deadline: deadline}
}

// checkDeadline returns [ErrTooLarge] once the deadline has passed.
func (x *extractor) checkDeadline() error {
	if !x.deadline.IsZero() && time.Now().After(x.deadline) {
		return tooLarge("reading took over %v", MaxDuration)
	}
	return nil
}

// charge charges the lines of a page to the text budget: their text was
// charged as it was drawn, their structure costs lineBytes each.
func (x *extractor) charge(lines []textLine) error {
	if x.text -= len(lines) * lineBytes; x.text < 0 {
		return tooLarge("more than %d MB of text", maxText>>20)
	}
	return nil
}

// panicError returns the value r of a recovered panic as an error: itself
// when it is one, so that a limit reached inside the extractor (a font's
// ToUnicode map too large) keeps its [ErrTooLarge], and an [ErrTooLarge]
// error for a limit of the reader.
func panicError(r any) error {
	err, ok := r.(error)
	switch {
	case ok && errors.Is(err, ErrTooLarge):
		return err
	case ok && errors.Is(err, lpdf.ErrLimit):
		return readerLimit(err)
	}
	return fmt.Errorf("%v", r)
}

// readerLimit returns the [ErrTooLarge] error for the error err of the
// reader, which wraps [lpdf.ErrLimit].
func readerLimit(err error) error {
	_, limit, _ := strings.Cut(err.Error(), lpdf.ErrLimit.Error()+": ")
	return tooLarge("%s", limit)
}

// pageRuns returns the text runs of page p. A panic of the reader while it
// reads the page is returned as an error.
func (x *extractor) pageRuns(p page) (runs []textRun, err error) {
	defer func() {
		if r := recover(); r != nil {
			runs, err = nil, panicError(r)
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
// the content budget. It fails when the budget is exhausted, the streams
// decompress to more than maxStream bytes together, or one cannot be read.
func (x *extractor) load(v lpdf.Value, w io.Writer) error {
	streams := []lpdf.Value{v}
	if v.Kind() == lpdf.Array {
		streams = arrayValues(v, v.Len())
	}
	left := maxStream // of this content, however many streams hold it
	for i, s := range streams {
		if s.Kind() != lpdf.Stream {
			return errors.New("content is not a stream")
		}
		if i > 0 {
			io.WriteString(w, "\n")
		}
		limit := min(x.content, left)
		rc := s.Reader()
		n, err := io.Copy(deadlineWriter{w, x}, io.LimitReader(rc, int64(limit)+1))
		rc.Close()
		switch {
		case errors.Is(err, ErrTooLarge):
			return err
		case err != nil:
			return fmt.Errorf("content stream: %w", err)
		case n > int64(limit) && limit == left:
			return tooLarge("content stream over %d MB decompressed", maxStream>>20)
		case n > int64(limit):
			return tooLarge("more than %d MB of content streams decompressed", maxContent>>20)
		}
		x.content -= int(n)
		left -= int(n)
	}
	return nil
}

// deadlineWriter is a writer that fails with [ErrTooLarge] once the
// extractor's deadline has passed, so that decompressing a stream stops in
// time.
type deadlineWriter struct {
	w io.Writer
	x *extractor
}

func (d deadlineWriter) Write(p []byte) (int, error) {
	if err := d.x.checkDeadline(); err != nil {
		return 0, err
	}
	return d.w.Write(p)
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
