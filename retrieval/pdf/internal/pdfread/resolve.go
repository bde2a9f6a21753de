// Copyright 2014 The Go Authors.  All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package pdfread

import (
	"bytes"
	"fmt"
	"io"
)

// objStream is an object stream, read once: its decompressed data and
// where each object it holds starts in it.
type objStream struct {
	data    []byte
	offsets map[uint32]int64 // by object number, from the start of data
	extends objptr           // the stream it extends, or zero
}

// resolve returns x as a Value; a reference is replaced by the object it
// names (null if there is none). Reading an object may resolve further
// references (of the object stream that holds it); they nest at most
// maxResolveDepth deep.
func (r *Reader) resolve(parent objptr, x interface{}) Value {
	if ptr, ok := x.(objptr); ok {
		if ptr.id >= uint32(len(r.xref)) {
			return Value{}
		}
		xref := r.xref[ptr.id]
		if xref.ptr != ptr || !xref.inStream && xref.offset == 0 {
			return Value{}
		}
		if r.depth >= maxResolveDepth {
			panic(fmt.Errorf("malformed PDF: references nested over %d deep", maxResolveDepth))
		}
		r.depth++
		defer func() { r.depth-- }()
		if xref.inStream {
			x = r.readCompressed(ptr, xref.stream)
		} else {
			x = r.readPlain(ptr, xref.offset)
		}
		parent = ptr
	}
	switch x := x.(type) {
	case nil, bool, int64, float64, name, dict, array, stream:
		return Value{r, parent, x}
	case string:
		return Value{r, parent, x}
	default:
		panic(fmt.Errorf("unexpected value type %T in resolve", x))
	}
}

// readPlain reads the object ptr at offset in the file.
func (r *Reader) readPlain(ptr objptr, offset int64) object {
	b := newBuffer(io.NewSectionReader(r.f, offset, r.end-offset), offset)
	b.key = r.key
	b.useAES = r.useAES
	obj := b.readObject()
	def, ok := obj.(objdef)
	if !ok {
		panic(fmt.Errorf("loading %v: found %T instead of objdef", ptr, obj))
	}
	if def.ptr != ptr {
		panic(fmt.Errorf("loading %v: found %v", ptr, def.ptr))
	}
	return def.obj
}

// readCompressed reads the object ptr from the object stream sptr or the
// streams it extends.
func (r *Reader) readCompressed(ptr, sptr objptr) object {
	seen := make(map[objptr]bool)
	for {
		if seen[sptr] {
			panic(fmt.Errorf("malformed PDF: object stream %d extends itself", sptr.id))
		}
		if seen[sptr] = true; len(seen) > maxExtends {
			panic(limitError("more than %d object streams extend each other", maxExtends))
		}
		s := r.objStream(sptr)
		if off, ok := s.offsets[ptr.id]; ok {
			if off < 0 || off >= int64(len(s.data)) {
				panic(fmt.Errorf("malformed PDF: object %d outside its object stream", ptr.id))
			}
			b := newBuffer(bytes.NewReader(s.data[off:]), off)
			b.allowEOF = true
			return b.readObject()
		}
		if s.extends == (objptr{}) {
			panic("cannot find object in stream")
		}
		sptr = s.extends
	}
}

// objStream returns the object stream sptr, reading it on first use. It
// panics when the stream is not a plain object (the standard forbids a
// stream inside an object stream), when reading it needs itself (its
// /Length is inside it, say), or when it is too large.
func (r *Reader) objStream(sptr objptr) *objStream {
	if s, ok := r.streams[sptr]; ok {
		return s
	}
	if r.loading[sptr] {
		panic(fmt.Errorf("malformed PDF: object stream %d refers to an object inside itself", sptr.id))
	}
	if int(sptr.id) < len(r.xref) && r.xref[sptr.id].inStream {
		panic(fmt.Errorf("malformed PDF: object stream %d is inside an object stream", sptr.id))
	}
	r.loading[sptr] = true
	defer delete(r.loading, sptr)
	strm := r.resolve(objptr{}, sptr)
	if strm.Kind() != Stream {
		panic("not a stream")
	}
	if strm.Key("Type").Name() != "ObjStm" {
		panic("not an object stream")
	}
	n := strm.Key("N").Int64()
	first := strm.Key("First").Int64()
	if first <= 0 {
		panic("missing First")
	}
	s := &objStream{data: r.streamData(strm, maxObjStream), offsets: make(map[uint32]int64)}
	if ext, ok := strm.data.(stream).hdr["Extends"].(objptr); ok {
		s.extends = ext
	}
	b := newBuffer(bytes.NewReader(s.data), 0)
	b.allowEOF = true
	for i := int64(0); i < n && !b.eof; i++ {
		id, _ := b.readToken().(int64)
		off, _ := b.readToken().(int64)
		if _, dup := s.offsets[uint32(id)]; !dup {
			s.offsets[uint32(id)] = first + off
		}
	}
	r.streams[sptr] = s
	return s
}

// streamData returns the decompressed data of the stream v, at most
// limit bytes, and counts it against maxObjStreams.
func (r *Reader) streamData(v Value, limit int) []byte {
	rc := v.Reader()
	defer rc.Close()
	var buf bytes.Buffer
	// A stream damaged at its end still gives the objects before the
	// damage, so a read error is not reported: an object past it is
	// missing.
	io.Copy(&buf, io.LimitReader(rc, int64(limit)+1))
	if buf.Len() > limit {
		panic(limitError("object stream over %d MB decompressed", limit>>20))
	}
	if r.streamBytes += buf.Len(); r.streamBytes > maxObjStreams {
		panic(limitError("object streams over %d MB decompressed", maxObjStreams>>20))
	}
	return buf.Bytes()
}
