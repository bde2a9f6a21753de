package pdfread

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/citebot/citebot/retrieval/pdf/pdftest"
)

// FuzzReader opens a file and reads every object its cross-reference
// data lists, and the first bytes of every stream: whatever the file, the
// reader must return errors or panic with them, never crash or hang.
func FuzzReader(f *testing.F) {
	for _, x := range []func([]int, int) string{
		table("", "/Size 3"), table("7 1\n0000000009 00000 n \n", "/Size 8"), table("", "/Size 3 /Prev AT"),
		xrefStream("/Size 4 /W [1 4 2]"), xrefStream("/Size 4 /W [1 4 2] /Prev AT"),
	} {
		f.Add(testFile(basicObjects, x))
	}
	f.Add(testFile([]string{basicObjects[0], "", objStm("/Extends 4 0 R", "9", "null"), objStm("", "2", "<< /Type /Pages /Count 7 >>")},
		compressed(map[int]int{2: 3})))
	for _, c := range pdftest.Hostile() {
		if !strings.Contains(c.Name, "40 MB") {
			f.Add(c.Build())
		}
	}
	f.Add(pdftest.PaddedPages(3, 100))
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := NewReader(bytes.NewReader(raw), int64(len(raw)))
		if err != nil {
			return
		}
		for id := range r.xref {
			readObject(r, objptr{uint32(id), r.xref[id].ptr.gen})
		}
	})
}

// readObject resolves the object ptr and reads the first bytes of it if
// it is a stream, recovering the reader's panics.
func readObject(r *Reader, ptr objptr) {
	defer func() { recover() }()
	v := r.resolve(objptr{}, ptr)
	_ = v.String()
	if v.Kind() == Stream {
		io.Copy(io.Discard, io.LimitReader(v.Reader(), 1<<20))
	}
}
