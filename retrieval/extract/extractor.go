package extract

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/citebot/citebot/retrieval/ocr"
)

// ChildLimits bound one extraction in a child process. The zero value
// holds the defaults.
type ChildLimits struct {
	Memory  int64         // address space beyond the Go runtime's at start, bytes; 0: 1 GiB
	CPU     time.Duration // CPU time; 0: 60 s
	Wall    time.Duration // wall-clock time of a file without OCR; 0: 2 min
	PerPage time.Duration // wall-clock time added per OCR page; 0: 30 s
	Output  int64         // bytes of text the child may return; 0: 64 MiB
}

// The defaults of [ChildLimits].
const (
	DefaultMemory = 1 << 30
	DefaultCPU    = 60 * time.Second
	// DefaultWall is a last resort behind the CPU limit and the readers'
	// own work limits, which refuse a file the same way at any load: on a
	// busy machine (two uploads read at once beside the answers) a large
	// file's minute of CPU can take well over its minute of wall clock.
	DefaultWall    = 2 * time.Minute
	DefaultPerPage = 30 * time.Second
	DefaultOutput  = 64 << 20
)

// withDefaults returns l with its zero fields set to the defaults.
func (l ChildLimits) withDefaults() ChildLimits {
	def := func(v, d int64) int64 {
		if v <= 0 {
			return d
		}
		return v
	}
	return ChildLimits{
		Memory:  def(l.Memory, DefaultMemory),
		CPU:     time.Duration(def(int64(l.CPU), int64(DefaultCPU))),
		Wall:    time.Duration(def(int64(l.Wall), int64(DefaultWall))),
		PerPage: time.Duration(def(int64(l.PerPage), int64(DefaultPerPage))),
		Output:  def(l.Output, DefaultOutput),
	}
}

// DefaultChildren is how many child processes an [Extractor] runs at once
// when Children is 0.
const DefaultChildren = 2

// Extractor reads files of every kind, isolated in a child process when
// Isolated is set, caching results in CacheDir when it is not empty. The
// zero value reads in this process without OCR or cache; a nil *Extractor
// is the zero value. An Extractor is safe for concurrent use; its fields
// must not change once it is in use.
type Extractor struct {
	Options
	// Isolated reads each file in a child process (see [Main]).
	Isolated bool
	// Limits bound each child process.
	Limits ChildLimits
	// Children is the most child processes run at once; 0:
	// [DefaultChildren]. Callers beyond it wait their turn.
	Children int
	// CacheDir is the directory of cached results; "": no cache.
	CacheDir string
	// DetectOCR sets Options.OCR to the OCR support found on this
	// machine ([ocr.Detect]) the first time a file other than text is
	// read, so that a run reading only text never starts Tesseract.
	DetectOCR bool

	once   sync.Once
	slots  chan struct{} // a semaphore of Children slots
	detect sync.Once
}

// options returns e's options, with the OCR support detected first when
// e.DetectOCR is set. Every use of e.Options goes through it.
func (e *Extractor) options(ctx context.Context) Options {
	if e.DetectOCR {
		// Not cut short by the first caller's ctx: the answer holds for
		// the whole run (Detect bounds its own programs).
		e.detect.Do(func() { e.Options.OCR = ocr.Detect(context.WithoutCancel(ctx)) })
	}
	return e.Options
}

// Extract returns the text of the file name with content raw. Text and
// Markdown files are returned as they are, with Kind set: retrieval/document
// checks and reads them itself. A file of another kind comes from the cache
// when it was read before with the same OCR options; else it is read as
// [File] reads it, in a child process when e.Isolated is set, and cached
// when that succeeds. progress (it may be nil) is called on the calling
// goroutine.
//
// A child that crashes, hangs or passes e.Limits gives a [*DamagedError];
// ctx ending kills it and returns the context's error. Errors are one line
// and name the file.
func (e *Extractor) Extract(ctx context.Context, name string, raw []byte, progress ProgressFunc) (Result, error) {
	kind, err := Sniff(name, raw)
	if err != nil {
		return Result{}, err
	}
	if kind == Text || kind == Markdown {
		return Result{Kind: kind, Text: string(raw)}, nil
	}
	if e == nil {
		return readKind(ctx, name, kind, raw, Options{}, progress)
	}
	opts := e.options(ctx)
	key := e.cacheKey(kind, raw, opts)
	if res, ok := e.cached(key, kind); ok {
		return res, nil
	}
	var res Result
	if e.Isolated {
		res, err = e.inChild(ctx, name, kind, raw, opts, progress)
	} else {
		res, err = readKind(ctx, name, kind, raw, opts, progress)
	}
	if err != nil {
		return Result{}, err
	}
	e.store(key, res)
	return res, nil
}

// acquire takes one of e's child slots, waiting for one within ctx.
func (e *Extractor) acquire(ctx context.Context) error {
	e.once.Do(func() {
		n := e.Children
		if n <= 0 {
			n = DefaultChildren
		}
		e.slots = make(chan struct{}, n)
	})
	select {
	case e.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// release gives back a slot taken by acquire.
func (e *Extractor) release() { <-e.slots }

// CacheDirName is the directory, in citebot's data directory, of the
// results [New]'s Extractor caches.
const CacheDirName = "extracted"

// New returns the Extractor citebot reads files with: isolated, with the
// OCR support found on this machine (detected when it first reads a file
// other than text) reading in languages (empty: chosen from the first page
// with text), caching results in dataDir/[CacheDirName]. It removes stale
// temporary files of the cache.
func New(dataDir string, languages []string) *Extractor {
	e := &Extractor{
		Options:   Options{OCROptions: ocr.Options{Languages: languages}},
		DetectOCR: true,
		Isolated:  true,
		CacheDir:  filepath.Join(dataDir, CacheDirName),
	}
	e.Clean()
	return e
}

// DescribeOCR describes the OCR support found on this machine
// ([ocr.Detect]) for people, as `citebot config` shows it (see
// [OCRStatus]).
func DescribeOCR(ctx context.Context) string { return OCRStatus(ocr.Detect(ctx)) }

// OCRStatus describes the OCR support info for people: "tesseract 5.3.0
// (chi_sim, chi_tra, eng)", with "images only: PDFs need poppler-utils"
// when pages cannot be rendered, or "not installed (see README)".
func OCRStatus(info ocr.Info) string {
	if !info.Available() {
		return "not installed (see README)"
	}
	version := info.Version
	if version == "" {
		version = "tesseract"
	}
	s := version + " (" + strings.Join(info.Languages, ", ") + ")"
	if !info.PDFAvailable() {
		s += "; images only: PDFs need poppler-utils"
	}
	return s
}
