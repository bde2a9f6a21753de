package ocr

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// pdfPagesAtOnce is how many pages [PDF] renders and reads at a time.
const pdfPagesAtOnce = 2

// pdfinfoTimeout bounds the run of pdfinfo that counts the pages.
const pdfinfoTimeout = 30 * time.Second

// PDF returns the text of every page of the PDF raw, read by OCR, as
// hard-wrapped lines with a form feed '\f' starting each page after the
// first, and the number of pages. Pages are rendered in grey at
// [Options.DPI] and read two at a time; the languages are chosen on the
// first page with text (see [Options.Languages]). progress, which may be
// nil, is called after each page with the pages done so far, never by two
// goroutines at once.
func PDF(ctx context.Context, info Info, raw []byte, opts Options, progress Progress) (string, int, error) {
	if !info.PDFAvailable() {
		return "", 0, ErrUnavailable
	}
	langs, err := opts.languages(info)
	if err != nil {
		return "", 0, err
	}
	dir, err := os.MkdirTemp("", "citebot-ocr-")
	if err != nil {
		return "", 0, fmt.Errorf("couldn't store PDF for OCR: %w", err)
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		return "", 0, fmt.Errorf("couldn't store PDF for OCR: %w", err)
	}
	sizes, err := pageSizes(ctx, info, file)
	if err != nil {
		return "", 0, err
	}
	total := len(sizes)
	if opts.MaxPages > 0 && total > opts.MaxPages {
		return "", total, fmt.Errorf("%w: %d pages (limit %d)", ErrTooLarge, total, opts.MaxPages)
	}
	dpi := opts.DPI
	if dpi <= 0 {
		dpi = defaultDPI
	}
	p := &pdfReader{reader: reader{info: info, langs: langs}, file: file, dpi: dpi, sizes: sizes,
		pages: make([]string, total), progress: progress}
	if err := p.readAll(ctx); err != nil {
		return "", total, err
	}
	return joinPages(p.pages), total, nil
}

// pageSizes returns the size of each page of the PDF file in points
// (1/72 inch), from pdfinfo.
func pageSizes(ctx context.Context, info Info, file string) ([][2]float64, error) {
	out, err := run(ctx, pdfinfoTimeout, info.Pdfinfo, "-f", "1", "-l", strconv.Itoa(math.MaxInt32), file)
	if err != nil {
		return nil, fmt.Errorf("couldn't count PDF pages: %w", err)
	}
	sizes, err := parsePDFInfo(string(out))
	if err != nil {
		return nil, fmt.Errorf("couldn't count PDF pages: %w", err)
	}
	return sizes, nil
}

// maxPDFPages bounds the page count read from pdfinfo's output.
const maxPDFPages = 1 << 20

// parsePDFInfo returns the size of each page listed in the output of
// "pdfinfo -f 1 -l N": the line "Pages: N" and, for each page, "Page N
// size: W x H pts". A page whose size is missing or unreadable gets A4.
func parsePDFInfo(out string) ([][2]float64, error) {
	var sizes [][2]float64
	found := false
	for l := range strings.Lines(out) {
		if v, ok := strings.CutPrefix(l, "Pages:"); ok && !found {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < 0 || n > maxPDFPages {
				return nil, fmt.Errorf("pdfinfo: bad page count %q", truncate(strings.TrimSpace(v), 40))
			}
			sizes, found = make([][2]float64, n), true
			for i := range sizes {
				sizes[i] = [2]float64{595, 842}
			}
			continue
		}
		var page int
		var w, h float64
		if _, err := fmt.Sscanf(l, "Page %d size: %g x %g", &page, &w, &h); err == nil &&
			page >= 1 && page <= len(sizes) && w > 0 && h > 0 && w < 1e6 && h < 1e6 {
			sizes[page-1] = [2]float64{w, h}
		}
	}
	if !found {
		return nil, errors.New("pdfinfo: no page count")
	}
	return sizes, nil
}

// pageDPI returns the resolution to render a page of size points at: dpi,
// or less when that would make an image of more than [MaxPixels] pixels.
func pageDPI(dpi int, size [2]float64) int {
	pixels := size[0] / 72 * size[1] / 72 * float64(dpi) * float64(dpi)
	if pixels <= MaxPixels {
		return dpi
	}
	return max(1, int(float64(dpi)*math.Sqrt(MaxPixels/pixels)))
}

// pdfReader reads the pages of one PDF file.
type pdfReader struct {
	reader
	file     string
	dpi      int
	sizes    [][2]float64 // each page's size, points
	pages    []string     // the text of each page, in order
	progress Progress

	mu   sync.Mutex // serialises done and progress calls
	done int
}

// readAll reads every page into p.pages: one at a time until the
// languages are chosen, then [pdfPagesAtOnce] at a time.
func (p *pdfReader) readAll(ctx context.Context) error {
	next := 0
	for ; next < len(p.pages) && p.langs == ""; next++ {
		if err := p.readPage(ctx, next); err != nil {
			return err
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(pdfPagesAtOnce)
	for i := next; i < len(p.pages) && gctx.Err() == nil; i++ {
		g.Go(func() error { return p.readPage(gctx, i) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

// readPage renders page i (0-based) and reads it into p.pages[i].
func (p *pdfReader) readPage(ctx context.Context, i int) error {
	prefix := filepath.Join(filepath.Dir(p.file), "page"+strconv.Itoa(i+1))
	n, dpi := strconv.Itoa(i+1), pageDPI(p.dpi, p.sizes[i])
	if _, err := run(ctx, 0, p.info.Pdftoppm, "-r", strconv.Itoa(dpi), "-gray",
		"-f", n, "-l", n, "-singlefile", p.file, prefix); err != nil {
		return fmt.Errorf("couldn't render PDF page %d: %w", i+1, err)
	}
	image := prefix + ".pgm"
	defer os.Remove(image)
	lines, err := p.read(ctx, image, dpi)
	if err != nil {
		return fmt.Errorf("page %d: %w", i+1, err)
	}
	p.pages[i] = shapePage(lines)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if p.progress != nil {
		p.progress(p.done, len(p.pages))
	}
	return nil
}
