package pdfread

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// testFile builds a PDF: the header, objects 1..n in order, then the
// cross-reference part that xref writes given the objects' offsets and
// its own offset, then startxref.
func testFile(objects []string, xref func(offsets []int, at int) string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.5\n")
	var offsets []int
	for i, o := range objects {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	at := b.Len()
	b.WriteString(xref(offsets, at))
	fmt.Fprintf(&b, "startxref\n%d\n%%%%EOF\n", at)
	return b.Bytes()
}

// basicObjects are a catalog and an empty page tree.
var basicObjects = []string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>"}

// table returns a cross-reference table of the offsets (from object 1),
// then extra subsections, then a trailer with the extra entries.
func table(sections, trailer string) func([]int, int) string {
	return func(offsets []int, at int) string {
		var b strings.Builder
		fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
		for _, off := range offsets {
			fmt.Fprintf(&b, "%010d 00000 n \n", off)
		}
		b.WriteString(sections)
		fmt.Fprintf(&b, "trailer\n<< /Root 1 0 R %s >>\n", strings.ReplaceAll(trailer, "AT", fmt.Sprint(at)))
		return b.String()
	}
}

// xrefStream returns a cross-reference stream (object len(offsets)+1) of
// the offsets and itself with the dictionary entries dict ("AT" stands
// for its offset), its entries 7 bytes each (/W [1 4 2]).
func xrefStream(dict string) func([]int, int) string {
	return func(offsets []int, at int) string {
		var data []byte
		entry := func(typ byte, off int) {
			data = append(data, typ, byte(off>>24), byte(off>>16), byte(off>>8), byte(off), 0, 0)
		}
		entry(0, 0)
		for _, off := range append(offsets, at) {
			entry(1, off)
		}
		dict = strings.ReplaceAll(dict, "AT", fmt.Sprint(at))
		return fmt.Sprintf("%d 0 obj\n<< /Type /XRef /Root 1 0 R /Length %d %s >>\nstream\n%s\nendstream\nendobj\n",
			len(offsets)+1, len(data), dict, data)
	}
}

func TestNewReaderXref(t *testing.T) {
	prevChain := func(n int) func([]int, int) string {
		return func(offsets []int, at int) string {
			one := table("", "/Size 3 /Prev 0000000000")(offsets, at)
			var b strings.Builder
			for i := range n {
				b.WriteString(table("", fmt.Sprintf("/Size 3 /Prev %010d", at+(i+1)%n*len(one)))(offsets, at))
			}
			return b.String()
		}
	}
	tests := []struct {
		name  string
		xref  func([]int, int) string
		want  string // the error's start, or "" for none
		limit bool   // the error wraps ErrLimit
	}{
		{"table", table("", "/Size 3"), "", false},
		{"table with a later subsection", table("7 1\n0000000009 00000 n \n", "/Size 8"), "", false},
		{"count not a number", table("7 x\n", "/Size 3"), "malformed PDF: malformed xref table", false},
		{"negative start", table("-5 1\n0000000009 00000 n \n", "/Size 3"), "malformed PDF: cross-reference section -5 1", false},
		{"negative count", table("5 -1\n", "/Size 3"), "malformed PDF: cross-reference section 5 -1", false},
		{"start past the file's size", table("100000 1\n0000000009 00000 n \n", "/Size 3"), "malformed PDF: objects numbered past ", false},
		{"start past MaxObjects", table("3000000 1\n0000000009 00000 n \n", "/Size 3"), "malformed PDF: " + ErrLimit.Error() + ": objects numbered past 2097152", true},
		{"start and count overflow", table("9223372036854775807 1\n", "/Size 3"), "malformed PDF: " + ErrLimit.Error(), true},
		{"entry of another kind", table("5 1\n0000000009 00000 x \n", "/Size 3"), "malformed PDF: malformed xref table", false},
		{"entry cut short", table("5 2\n0000000009 00000 n \n", "/Size 3"), "malformed PDF: malformed xref table", false},
		{"no Size", table("", ""), "malformed PDF: trailer missing /Size entry", false},
		{"Prev not a number", table("", "/Size 3 /Prev /Here"), "malformed PDF: xref Prev is not integer", false},
		{"Prev to itself", table("", "/Size 3 /Prev AT"), "malformed PDF: xref Prev chain loops at offset ", false},
		{"Prev loop of three", prevChain(3), "malformed PDF: xref Prev chain loops at offset ", false},
		{"Prev to an object", table("", "/Size 3 /Prev 9"), "malformed PDF: xref Prev does not point to xref", false},
		{"Prev chain too long", prevChain(maxSections + 1), ErrLimit.Error() + ": more than 1024 cross-reference sections", true},
		{"stream", xrefStream("/Size 4 /W [1 4 2]"), "", false},
		{"stream W of two fields", xrefStream("/Size 4 /W [1 4]"), "malformed PDF: invalid W array", false},
		{"stream W field too wide", xrefStream("/Size 4 /W [1 9 2]"), "malformed PDF: invalid W array", false},
		{"stream W field negative", xrefStream("/Size 4 /W [1 -4 2]"), "malformed PDF: invalid W array", false},
		{"stream without W", xrefStream("/Size 4"), "malformed PDF: xref stream missing W array", false},
		{"stream Index of odd length", xrefStream("/Size 4 /W [1 4 2] /Index [0 4 7]"), "malformed PDF: invalid Index array", false},
		{"stream Index past MaxObjects", xrefStream("/Size 4 /W [1 4 2] /Index [0 3 5000000 1]"), "malformed PDF: " + ErrLimit.Error(), true},
		{"stream Size negative", xrefStream("/Size -1 /W [1 4 2]"), "malformed PDF: cross-reference section 0 -1", false},
		{"stream Size 1e9", xrefStream("/Size 1000000000 /W [1 4 2]"), "malformed PDF: " + ErrLimit.Error() + ": objects numbered past 2097152", true},
		{"stream without Size", xrefStream("/W [1 4 2]"), "malformed PDF: xref stream missing Size", false},
		{"stream Prev to itself", xrefStream("/Size 4 /W [1 4 2] /Prev AT"), "malformed PDF: xref Prev chain loops at offset ", false},
		{"stream of zero-width entries", xrefStream("/Size 4 /W [0 0 0] /Index [0 2000000]"), "malformed PDF: objects numbered past ", false},
		{"stream predictor too wide", xrefStream("/Size 4 /W [1 4 2] /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 99999999 >>"),
			ErrLimit.Error() + ": predictor of 99999999 columns", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := testFile(basicObjects, tc.xref)
			r, err := NewReader(bytes.NewReader(raw), int64(len(raw)))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("NewReader: %v", err)
				}
				if got := r.Trailer().Key("Root").Key("Pages").Key("Type").Name(); got != "Pages" {
					t.Errorf("page tree type = %q, want Pages", got)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("NewReader = %v, want %q...", err, tc.want)
			}
			if errors.Is(err, ErrLimit) != tc.limit {
				t.Errorf("errors.Is(%v, ErrLimit) = %v, want %v", err, !tc.limit, tc.limit)
			}
		})
	}
}

// objStm returns an object stream holding the objects (number, text),
// with the extra dictionary entries (which may replace its /N).
func objStm(extra string, objects ...string) string {
	var head, body strings.Builder
	for i := 0; i < len(objects); i += 2 {
		fmt.Fprintf(&head, "%s %d ", objects[i], body.Len())
		body.WriteString(objects[i+1] + "\n")
	}
	var packed bytes.Buffer
	zw := zlib.NewWriter(&packed)
	zw.Write([]byte(head.String() + body.String()))
	zw.Close()
	if !strings.Contains(extra, "/N ") {
		extra += fmt.Sprintf(" /N %d", len(objects)/2)
	}
	return fmt.Sprintf("<< /Type /ObjStm /First %d /Filter /FlateDecode /Length %d %s >>\nstream\n%s\nendstream",
		head.Len(), packed.Len(), extra, packed.Bytes())
}

// compressed returns a cross-reference stream listing objects 1..n as
// plain objects but those in where (object number -> object stream).
func compressed(where map[int]int) func([]int, int) string {
	return func(offsets []int, at int) string {
		var data []byte
		entry := func(typ byte, a, b int) {
			data = append(data, typ, byte(a>>24), byte(a>>16), byte(a>>8), byte(a), byte(b>>8), byte(b))
		}
		entry(0, 0, 0)
		for i, off := range offsets {
			if s, ok := where[i+1]; ok {
				entry(2, s, 0)
			} else {
				entry(1, off, 0)
			}
		}
		entry(1, at, 0)
		n := len(offsets) + 1
		return fmt.Sprintf("%d 0 obj\n<< /Type /XRef /Root 1 0 R /Size %d /W [1 4 2] /Length %d >>\nstream\n%s\nendstream\nendobj\n",
			n, n+1, len(data), data)
	}
}

func TestObjectStreams(t *testing.T) {
	// Object 2, the page tree, and 3, its count, are in object streams.
	tests := []struct {
		name    string
		objects []string
		where   map[int]int
		want    string // the panic, or "" for none
	}{
		{"in a stream", []string{basicObjects[0], "", objStm("", "2", "<< /Type /Pages /Count 7 >>")},
			map[int]int{2: 3}, ""},
		{"in a stream and its count too", []string{basicObjects[0], "", "", objStm("", "2", "<< /Type /Pages /Count 3 0 R >>", "3", "7")},
			map[int]int{2: 4, 3: 4}, ""},
		{"in the stream another extends", []string{basicObjects[0], "", objStm("/Extends 4 0 R", "9", "null"), objStm("", "2", "<< /Type /Pages /Count 7 >>")},
			map[int]int{2: 3}, ""},
		{"not in the stream", []string{basicObjects[0], "", objStm("", "9", "null")}, map[int]int{2: 3}, "cannot find object in stream"},
		{"in a stream inside a stream", []string{basicObjects[0], "", objStm("", "2", "<< >>")}, map[int]int{2: 3, 3: 3},
			"malformed PDF: object stream 3 is inside an object stream"},
		{"in a stream whose N is inside it", []string{basicObjects[0], "", objStm("/N 4 0 R", "2", "<< >>", "4", "2"), ""},
			map[int]int{2: 3, 4: 3}, "malformed PDF: object stream 3 refers to an object inside itself"},
		{"in a stream that extends itself", []string{basicObjects[0], "", objStm("/Extends 3 0 R", "9", "null")}, map[int]int{2: 3},
			"malformed PDF: object stream 3 extends itself"},
		{"in a stream that is not one", []string{basicObjects[0], "", "<< /Type /Pages >>"}, map[int]int{2: 3}, "not a stream"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := testFile(tc.objects, compressed(tc.where))
			r, err := NewReader(bytes.NewReader(raw), int64(len(raw)))
			if err != nil {
				t.Fatal(err)
			}
			got := func() (msg string) {
				defer func() {
					if p := recover(); p != nil {
						msg = fmt.Sprint(p)
					}
				}()
				pages := r.Trailer().Key("Root").Key("Pages")
				if pages.Key("Type").Name() != "Pages" || pages.Key("Count").Int64() != 7 {
					return "wrong page tree: " + pages.String()
				}
				return ""
			}()
			if got != tc.want {
				t.Errorf("reading the page tree: %q, want %q", got, tc.want)
			}
		})
	}
}
