// Copyright 2014 The Go Authors.  All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package pdfread reads the objects of PDF files: cross-reference
// sections, indirect objects, object streams, stream filters, decryption
// and simple font encodings.
//
// It is a fork of github.com/ledongthuc/pdf (itself rsc.io/pdf), under the
// BSD licence in LICENSE, reduced to what package pdf uses and guarded
// against hostile files: the work and memory a file can cost are bounded
// whatever its cross-reference data says. Object numbers are at most
// [MaxObjects] (and no more than the file's size allows); /Prev and
// /Extends chains are followed once per section or stream; an object
// stream is read at most once, holds at most maxObjStream bytes
// decompressed, and may not be inside an object stream or refer to an
// object inside itself; resolving references nests at most
// maxResolveDepth deep. Past a limit of size the reader returns or panics
// with an error that wraps [ErrLimit]; a malformed file gives other
// errors, or panics that the caller recovers.
//
// A [Reader] and its [Value]s are not safe for concurrent use: values
// load objects through the reader's caches.
package pdfread

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// MaxObjects is the most objects a file may number: a cross-reference
// section past it is refused with [ErrLimit]. The reader keeps 32 bytes
// per object number, so the table takes at most 64 MB.
const MaxObjects = 1 << 21

// Limits of the work spent on the structure of one file.
const (
	maxSections     = 1024     // cross-reference sections in a /Prev chain
	maxObjStream    = 16 << 20 // decompressed bytes of one object stream
	maxObjStreams   = 64 << 20 // decompressed bytes of all object streams
	maxExtends      = 64       // object streams in an /Extends chain
	maxResolveDepth = 32       // nesting of references resolved to read one object
	maxColumns      = 1 << 20  // /Columns of a PNG predictor
	maxFieldWidth   = 8        // bytes of a cross-reference stream field
)

// ErrLimit is wrapped by the errors (returned or panicked) of a file
// that exceeds a limit of the reader.
var ErrLimit = errors.New("PDF exceeds a limit of the reader")

// limitError returns an error wrapping [ErrLimit] with the limit passed.
func limitError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrLimit, fmt.Sprintf(format, args...))
}

// A Reader is a single PDF file open for reading.
type Reader struct {
	f          io.ReaderAt
	end        int64
	xref       []xref
	trailer    dict
	trailerptr objptr
	key        []byte
	useAES     bool

	entries     int                   // cross-reference entries read
	streams     map[objptr]*objStream // object streams read, by reference
	loading     map[objptr]bool       // object streams being read
	streamBytes int                   // decompressed bytes of streams
	depth       int                   // nesting of resolve
	prevSeen    map[int64]bool        // offsets of cross-reference sections read
}

type xref struct {
	ptr      objptr
	inStream bool
	stream   objptr
	offset   int64
}

// NewReader opens a file for reading, using the data in f with the given
// total size. An encrypted file is opened with the empty password; when
// that fails, the error is [ErrInvalidPassword] or says why.
func NewReader(f io.ReaderAt, size int64) (r *Reader, err error) {
	defer func() {
		if x := recover(); x != nil {
			r = nil
			if e, ok := x.(error); ok {
				err = e
			} else {
				err = fmt.Errorf("malformed PDF: %v", x)
			}
		}
	}()
	buf := make([]byte, 10)
	f.ReadAt(buf, 0)
	if !bytes.HasPrefix(buf, []byte("%PDF-1.")) || buf[7] < '0' || buf[7] > '7' || buf[8] != '\r' && buf[8] != '\n' {
		return nil, fmt.Errorf("not a PDF file: invalid header")
	}
	end := size
	const endChunk = 100
	buf = make([]byte, endChunk)
	f.ReadAt(buf, end-endChunk)
	buf = bytes.TrimRight(buf, "\r\n\t ")
	if !bytes.HasSuffix(buf, []byte("%%EOF")) {
		return nil, fmt.Errorf("not a PDF file: missing %%%%EOF")
	}
	i := findLastLine(buf, "startxref")
	if i < 0 {
		return nil, fmt.Errorf("malformed PDF file: missing final startxref")
	}
	r = &Reader{
		f:        f,
		end:      end,
		streams:  make(map[objptr]*objStream),
		loading:  make(map[objptr]bool),
		prevSeen: make(map[int64]bool),
	}
	pos := end - endChunk + int64(i)
	b := newBuffer(io.NewSectionReader(f, pos, end-pos), pos)
	if b.readToken() != keyword("startxref") {
		return nil, fmt.Errorf("malformed PDF file: missing startxref")
	}
	startxref, ok := b.readToken().(int64)
	if !ok {
		return nil, fmt.Errorf("malformed PDF file: startxref not followed by integer")
	}
	r.prevSeen[startxref] = true
	b = newBuffer(io.NewSectionReader(r.f, startxref, r.end-startxref), startxref)
	xref, trailerptr, trailer, err := readXref(r, b)
	if err != nil {
		return nil, err
	}
	r.xref = xref
	r.trailer = trailer
	r.trailerptr = trailerptr
	if trailer["Encrypt"] == nil {
		return r, nil
	}
	if err := r.initEncrypt(""); err != nil {
		return nil, err
	}
	return r, nil
}

// Trailer returns the file's Trailer value.
func (r *Reader) Trailer() Value {
	return Value{r, r.trailerptr, r.trailer}
}

func findLastLine(buf []byte, s string) int {
	bs := []byte(s)
	max := len(buf)
	for {
		i := bytes.LastIndex(buf[:max], bs)
		if i <= 0 || i+len(bs) >= len(buf) {
			return -1
		}
		if (buf[i-1] == '\n' || buf[i-1] == '\r') && (buf[i+len(bs)] == '\n' || buf[i+len(bs)] == '\r') {
			return i
		}
		max = i
	}
}
