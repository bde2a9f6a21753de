package extract

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// cacheVersion is part of every cache file's name: raising it, when the
// readers change what they return, leaves the old files unread.
const cacheVersion = 1

// Temporary cache files are named tempPattern while they are written;
// [Extractor.Clean] removes those older than staleTemp.
const (
	tempPattern = ".extract-*.tmp"
	staleTemp   = time.Minute
)

// cacheKey returns the name of the cache file of the file raw read as
// kind: the SHA-256 of raw, the kind, for the kinds OCR may read the OCR
// options, and the cache version. It returns "" when e has no CacheDir.
func (e *Extractor) cacheKey(kind Kind, raw []byte, opts Options) string {
	if e.CacheDir == "" {
		return ""
	}
	sum := sha256.Sum256(raw)
	key := hex.EncodeToString(sum[:]) + "-" + string(kind)
	if kind == PDF || kind == Image {
		o, _ := json.Marshal(opts.OCROptions)
		sum := sha256.Sum256(fmt.Appendf(nil, "%t|%s", opts.OCR.Available(), o))
		key += "-ocr" + hex.EncodeToString(sum[:4])
	}
	return fmt.Sprintf("%s-v%d.json", key, cacheVersion)
}

// cached returns the result cached under key, if a readable one of kind
// is there.
func (e *Extractor) cached(key string, kind Kind) (Result, bool) {
	if key == "" {
		return Result{}, false
	}
	b, err := os.ReadFile(filepath.Join(e.CacheDir, key))
	if err != nil {
		return Result{}, false
	}
	var res Result
	if err := json.Unmarshal(b, &res); err != nil || res.Kind != kind {
		return Result{}, false // rewritten once read again
	}
	return res, true
}

// store caches res under key, writing a temporary file and renaming it so
// that a reader never sees half a file. A cache that cannot be written is
// no cache: errors are dropped.
func (e *Extractor) store(key string, res Result) {
	if key == "" {
		return
	}
	b, err := json.Marshal(res)
	if err != nil || os.MkdirAll(e.CacheDir, 0o755) != nil {
		return
	}
	f, err := os.CreateTemp(e.CacheDir, tempPattern)
	if err != nil {
		return
	}
	_, werr := f.Write(b)
	if cerr := f.Close(); werr != nil || cerr != nil || os.Rename(f.Name(), filepath.Join(e.CacheDir, key)) != nil {
		os.Remove(f.Name())
	}
}

// Clean removes the temporary files of cache writes that did not finish
// (the process stopped while writing), those more than a minute old. Call
// it once at start; with no CacheDir it does nothing.
func (e *Extractor) Clean() error {
	if e == nil || e.CacheDir == "" {
		return nil
	}
	temps, err := filepath.Glob(filepath.Join(e.CacheDir, tempPattern))
	if err != nil {
		return err
	}
	for _, name := range temps {
		info, err := os.Stat(name)
		if err == nil && time.Since(info.ModTime()) > staleTemp && strings.HasSuffix(name, ".tmp") {
			if err := os.Remove(name); err != nil {
				return fmt.Errorf("clean extraction cache: %w", err)
			}
		}
	}
	return nil
}

// Forget deletes what the cache holds of the file raw, read as any kind
// with any options: a document deleted by its owner leaves no copy of its
// text behind.
func (e *Extractor) Forget(raw []byte) {
	if e == nil || e.CacheDir == "" {
		return
	}
	sum := sha256.Sum256(raw)
	files, _ := filepath.Glob(filepath.Join(e.CacheDir, hex.EncodeToString(sum[:])+"-*"))
	for _, f := range files {
		os.Remove(f)
	}
}
