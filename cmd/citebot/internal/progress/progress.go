// Package progress shows on stderr how far the reading of document files
// has come (OCR of a scan goes page by page, seconds a page): a bar with
// the time left on a terminal, plain log lines anywhere else ("reading
// scan.pdf: OCR page 12 of 40"), so that logs and CI output stay
// readable. It never writes to stdout, which may carry JSON.
package progress

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/citebot/citebot/retrieval/document"
	"github.com/citebot/citebot/retrieval/extract"
)

// Load is l.LoadFiles(ctx, paths) showing its progress on w (stderr)
// with a [Display] made by [New].
func Load(ctx context.Context, l document.Limits, paths []string, w io.Writer) ([]*document.Document, error) {
	d := New(w)
	defer d.Close()
	return l.LoadFiles(ctx, paths, d.Report)
}

// DefaultEvery is the least time between two plain lines about one
// file's pages; a new file or stage and the last page are always told.
const DefaultEvery = 5 * time.Second

// Display shows the progress of reading files. Its methods are safe for
// concurrent use; [Display.Report] fits document.Limits.LoadFiles.
type Display struct {
	w     io.Writer
	tty   bool
	every time.Duration
	now   func() time.Time

	mu        sync.Mutex
	file      string // the file and stage reported last
	stage     string
	lastDone  int
	lastPrint time.Time
	bar       *progressbar.ProgressBar // on a terminal; nil: none shown
}

// New returns a display writing to w: a bar when w is a terminal, plain
// lines otherwise.
func New(w io.Writer) *Display {
	f, ok := w.(*os.File)
	return &Display{w: w, tty: ok && term.IsTerminal(int(f.Fd())), every: DefaultEvery, now: time.Now}
}

// NewPlain returns a display writing plain lines to w, at most one per
// every about a file's pages, with the clock now.
func NewPlain(w io.Writer, every time.Duration, now func() time.Time) *Display {
	return &Display{w: w, every: every, now: now}
}

// Report shows that p of file is done.
func (d *Display) Report(file string, p extract.Progress) {
	d.mu.Lock()
	defer d.mu.Unlock()
	changed := file != d.file || p.Stage != d.stage
	if changed {
		d.finishBar()
		d.file, d.stage, d.lastDone = file, p.Stage, -1
	}
	if d.tty {
		d.showBar(file, p)
		return
	}
	now := d.now()
	last := p.Total > 0 && p.Done >= p.Total
	if !changed && (p.Done == d.lastDone || !last && now.Sub(d.lastPrint) < d.every) {
		return
	}
	d.lastDone, d.lastPrint = p.Done, now
	fmt.Fprintln(d.w, Line(file, p))
}

// Line is the plain line for p of file: "reading scan.pdf: OCR page 12
// of 40", or "reading scan.pdf: OCR" before pages are counted.
func Line(file string, p extract.Progress) string {
	s := "reading " + file
	if p.Stage != "" {
		s += ": " + p.Stage
	}
	if p.Total > 0 {
		s += fmt.Sprintf(" page %d of %d", min(p.Done, p.Total), p.Total)
	}
	return s
}

// showBar draws p on the terminal's bar, starting one for a new file or
// stage; d.mu must be held.
func (d *Display) showBar(file string, p extract.Progress) {
	if p.Total <= 0 {
		return
	}
	if d.bar == nil {
		d.bar = progressbar.NewOptions(p.Total,
			progressbar.OptionSetWriter(d.w),
			progressbar.OptionSetDescription(Line(file, extract.Progress{Stage: p.Stage})),
			progressbar.OptionSetWidth(30),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(d.w) }),
		)
	}
	if p.Total != d.bar.GetMax() {
		d.bar.ChangeMax(p.Total)
	}
	_ = d.bar.Set(min(p.Done, p.Total)) // only a write error, on stderr
}

// finishBar ends the bar being drawn, leaving the cursor on a new line;
// d.mu must be held.
func (d *Display) finishBar() {
	if d.bar == nil {
		return
	}
	if !d.bar.IsFinished() {
		_ = d.bar.Exit()
		fmt.Fprintln(d.w)
	}
	d.bar = nil
}

// Close ends the display: a bar left unfinished (the reading failed)
// gives way to a new line, so that what follows starts at its beginning.
func (d *Display) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.finishBar()
}
