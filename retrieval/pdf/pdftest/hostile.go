package pdftest

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"sort"
	"strings"
)

// Case is a hostile PDF file: small, but built to make a PDF reader that
// trusts its cross-reference data recurse, allocate or loop without end.
type Case struct {
	Name string
	// Hazard says what the file does to a reader without guards.
	Hazard string
	// Build returns the file; it is a function because one case
	// compresses 40 MB.
	Build func() []byte
}

// Hostile returns the hostile cases: each attacks one step of reading a
// PDF's structure (cross-reference sections, object streams, the page
// tree, font encodings). None of them holds anything else wrong.
func Hostile() []Case {
	return []Case{
		{"object stream inside itself", "resolving an object recurses without end (stack overflow)", objStmInsideItself},
		{"object streams inside each other", "resolving an object recurses without end (stack overflow)", objStmsInsideEachOther},
		{"object stream length inside itself", "reading the stream's length recurses without end (stack overflow)", objStmLengthInsideItself},
		{"xref section at object 1e8", "allocates a table of 1e8 entries (3 GB)", func() []byte { return xrefSectionAt(100_000_000) }},
		{"xref section at object 1e9", "allocates a table of 1e9 entries (out of memory)", func() []byte { return xrefSectionAt(1_000_000_000) }},
		{"xref stream of size 1e9", "allocates a table of 1e9 entries (out of memory)", xrefStreamSize},
		{"xref stream index at object 1e9", "allocates a table of 1e9 entries (out of memory)", xrefStreamIndex},
		{"xref stream of zero-width entries", "reads 1e9 entries from no data (out of memory)", xrefStreamZeroWidth},
		{"xref Prev to itself", "reads the same section forever", func() []byte { return xrefPrevLoop(1) }},
		{"xref Prev loop of two", "reads the same two sections forever", func() []byte { return xrefPrevLoop(2) }},
		{"xref stream Prev to itself", "reads the same section forever", xrefStreamPrevLoop},
		{"object stream Extends itself", "searches the same stream forever", func() []byte { return extendsLoop(1) }},
		{"object stream Extends loop of two", "searches the same two streams forever", func() []byte { return extendsLoop(2) }},
		{"hex string open at the end of an object stream", "reads past the end of the stream forever", openHexString},
		{"predictor with 1e12 columns", "allocates two buffers of 1e12 bytes (out of memory)", hugePredictor},
		{"2,000 pages behind 40 MB of padding", "inflates 40 MB for every object it looks up (minutes)",
			func() []byte { return PaddedPages(2000, 40<<20) }},
	}
}

// Costly returns well-formed files that cost a reader dearly if it
// searches its structures again for every use: a reader must read them
// quickly, or refuse them as too large.
func Costly() []Case {
	return []Case{
		{"font with a huge Differences array", "searches 500,000 differences for every character drawn", hugeDifferences},
		{"2,000 pages behind 12 MB of padding", "inflates 12 MB for every object it looks up (minutes)",
			func() []byte { return PaddedPages(2000, 12<<20) }},
	}
}

// PaddedPages returns a PDF of pages pages that each draw the same five
// lines with a font (the first and last two are running heads and feet,
// the third is text); the pages and the font are in one object stream,
// after padding bytes of spaces. The page tree and the content stream are
// plain objects.
func PaddedPages(pages, padding int) []byte {
	b := newBuilder()
	b.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	var kids strings.Builder
	for i := range pages {
		fmt.Fprintf(&kids, "%d 0 R ", 10+i)
	}
	b.obj(2, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids.String(), pages))
	b.stream(3, "", []byte("BT /F1 12 Tf 72 700 Td (One.) Tj 0 -14 Td (Two.) Tj 0 -14 Td (Three, the text.) Tj "+
		"0 -14 Td (Four.) Tj 0 -14 Td (Five.) Tj ET"))
	members := []member{{5, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"}}
	for i := range pages {
		members = append(members, member{10 + i, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R " +
			"/Resources << /Font << /F1 5 0 R >> >> >>"})
	}
	b.objStm(4, "", padding, members)
	entries := map[int]entry{1: b.plain(1), 2: b.plain(2), 3: b.plain(3), 4: b.plain(4)}
	for i, m := range members {
		entries[m.id] = entry{2, 4, i}
	}
	return b.xrefStream(6, "", entries)
}

// pagesInStream writes the catalog (object 1) and returns its entry, for
// files whose page tree (object 2) is in an object stream.
func pagesInStream(b *builder) map[int]entry {
	b.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	return map[int]entry{1: b.plain(1)}
}

// treeDict is the page tree dictionary of the files that hide it.
const treeDict = "<< /Type /Pages /Kids [] /Count 0 >>"

// objStmInsideItself: the page tree is in object stream 3, which the
// cross-reference stream says is inside itself.
func objStmInsideItself() []byte {
	b := newBuilder()
	entries := pagesInStream(b)
	b.objStm(3, "", 0, []member{{2, treeDict}})
	entries[2] = entry{2, 3, 0}
	entries[3] = entry{2, 3, 1}
	return b.xrefStream(4, "", entries)
}

// objStmsInsideEachOther: object streams 3 and 4 each inside the other.
func objStmsInsideEachOther() []byte {
	b := newBuilder()
	entries := pagesInStream(b)
	b.objStm(3, "", 0, []member{{2, treeDict}})
	b.objStm(4, "", 0, []member{{5, "null"}})
	entries[2] = entry{2, 3, 0}
	entries[3] = entry{2, 4, 1}
	entries[4] = entry{2, 3, 1}
	return b.xrefStream(5, "", entries)
}

// objStmLengthInsideItself: object stream 3 is a plain object, but its
// /Length is object 5, which is inside it.
func objStmLengthInsideItself() []byte {
	b := newBuilder()
	entries := pagesInStream(b)
	b.objStm(3, "/Length 5 0 R", 0, []member{{2, treeDict}, {5, "100"}})
	entries[2] = entry{2, 3, 0}
	entries[3] = b.plain(3)
	entries[5] = entry{2, 3, 1}
	return b.xrefStream(4, "", entries)
}

// xrefSectionAt returns a PDF whose cross-reference table has a second
// subsection of one entry that starts at object start.
func xrefSectionAt(start int) []byte {
	b := newBuilder()
	b.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	b.obj(2, treeDict)
	off := b.b.Len()
	fmt.Fprintf(&b.b, "xref\n0 3\n0000000000 65535 f \n%010d 00000 n \n%010d 00000 n \n", b.offsets[1], b.offsets[2])
	fmt.Fprintf(&b.b, "%d 1\n%010d 00000 n \n", start, b.offsets[1])
	fmt.Fprintf(&b.b, "trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", off)
	return b.b.Bytes()
}

// xrefStreamSize: a cross-reference stream that declares /Size 1e9.
func xrefStreamSize() []byte {
	b := newBuilder()
	b.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	b.obj(2, treeDict)
	return b.xrefStreamSized(3, 1_000_000_000, "", map[int]entry{1: b.plain(1), 2: b.plain(2)})
}

// xrefStreamIndex: a cross-reference stream with a subsection at 1e9.
func xrefStreamIndex() []byte {
	b := newBuilder()
	b.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	b.obj(2, treeDict)
	// Entries 0-3 (3 is the stream), then the fifth at 1e9 (a copy of 1).
	return b.xrefStreamSized(3, 5, "/Index [0 4 1000000000 1]", map[int]entry{1: b.plain(1), 2: b.plain(2), 4: b.plain(1)})
}

// xrefStreamZeroWidth: a cross-reference stream whose entries take no
// bytes (/W [0 0 0]) and that declares 1e9 of them.
func xrefStreamZeroWidth() []byte {
	b := newBuilder()
	b.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	b.obj(2, treeDict)
	off := b.b.Len()
	b.stream(3, "/Type /XRef /Size 3 /W [0 0 0] /Index [0 1000000000] /Root 1 0 R", nil)
	return b.startxref(off)
}

// xrefPrevLoop returns a PDF whose cross-reference tables (n of them)
// name each other in /Prev in a loop.
func xrefPrevLoop(n int) []byte {
	b := newBuilder()
	b.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	b.obj(2, treeDict)
	// Each section is the same length; section i names section i+1 (mod n).
	section := func(prev int) string {
		return fmt.Sprintf("xref\n0 3\n0000000000 65535 f \n%010d 00000 n \n%010d 00000 n \ntrailer\n<< /Size 3 /Root 1 0 R /Prev %010d >>\n",
			b.offsets[1], b.offsets[2], prev)
	}
	first := b.b.Len()
	size := len(section(0))
	for i := range n {
		b.b.WriteString(section(first + (i+1)%n*size))
	}
	return b.startxref(first)
}

// xrefStreamPrevLoop: a cross-reference stream whose /Prev is itself.
func xrefStreamPrevLoop() []byte {
	b := newBuilder()
	b.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	b.obj(2, treeDict)
	off := b.b.Len()
	return b.xrefStream(3, fmt.Sprintf("/Prev %d", off), map[int]entry{1: b.plain(1), 2: b.plain(2)})
}

// extendsLoop returns a PDF whose page tree is listed in object stream 3
// but is not in it; stream 3 extends the next of n streams, the last
// extends stream 3.
func extendsLoop(n int) []byte {
	b := newBuilder()
	entries := pagesInStream(b)
	for i := range n {
		id := 3 + i
		b.objStm(id, fmt.Sprintf("/Extends %d 0 R", 3+(i+1)%n), 0, []member{{20 + i, "null"}})
		entries[id] = b.plain(id)
		entries[20+i] = entry{2, id, 0}
	}
	entries[2] = entry{2, 3, 5}
	return b.xrefStream(10, "", entries)
}

// openHexString: the page tree, in an object stream, is a hex string that
// the stream ends before closing.
func openHexString() []byte {
	b := newBuilder()
	entries := pagesInStream(b)
	b.objStm(3, "", 0, []member{{2, "<41"}})
	entries[2] = entry{2, 3, 0}
	entries[3] = b.plain(3)
	return b.xrefStream(4, "", entries)
}

// hugePredictor: the page's content stream declares a PNG predictor with
// 1e12 columns.
func hugePredictor() []byte {
	b := newBuilder()
	b.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	b.obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	b.obj(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>")
	b.stream(4, "/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 1000000000000 >>", deflate("\x02BT ET", 1))
	return b.xrefTable(4)
}

// hugeDifferences: a font whose /Differences array has 500,000 names
// no reader knows, drawing a string of 100,000 characters.
func hugeDifferences() []byte {
	b := newBuilder()
	b.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	b.obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	b.obj(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>")
	b.stream(4, "/Filter /FlateDecode", deflate("BT /F1 12 Tf 72 700 Td ("+strings.Repeat("A", 100_000)+") Tj ET", 1))
	b.obj(5, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Differences [0 "+
		strings.Repeat("/zz ", 500_000)+"] >> >>")
	return b.xrefTable(5)
}

// builder writes the hostile files: objects with the given numbers, in
// the order written, then a cross-reference section.
type builder struct {
	b       bytes.Buffer
	offsets map[int]int
}

func newBuilder() *builder {
	b := &builder{offsets: make(map[int]int)}
	b.b.WriteString("%PDF-1.5\n")
	return b
}

// obj writes object id with body.
func (b *builder) obj(id int, body string) {
	b.offsets[id] = b.b.Len()
	fmt.Fprintf(&b.b, "%d 0 obj\n%s\nendobj\n", id, body)
}

// stream writes object id as a stream with data and the entries dict
// besides /Length.
func (b *builder) stream(id int, dict string, data []byte) {
	b.offsets[id] = b.b.Len()
	if !strings.Contains(dict, "/Length") {
		dict += fmt.Sprintf(" /Length %d", len(data))
	}
	fmt.Fprintf(&b.b, "%d 0 obj\n<< %s >>\nstream\n", id, dict)
	b.b.Write(data)
	b.b.WriteString("\nendstream\nendobj\n")
}

// member is an object inside an object stream.
type member struct {
	id   int
	body string
}

// objStm writes object id as a compressed object stream holding members,
// with padding spaces between its offset table and its first object and
// the entries dict besides the required ones.
func (b *builder) objStm(id int, dict string, padding int, members []member) {
	var head, body strings.Builder
	for _, m := range members {
		fmt.Fprintf(&head, "%d %d ", m.id, body.Len())
		body.WriteString(m.body + "\n")
	}
	var packed bytes.Buffer
	zw := zlib.NewWriter(&packed)
	zw.Write([]byte(head.String()))
	spaces := bytes.Repeat([]byte(" "), 64<<10)
	for n := padding; n > 0; n -= len(spaces) {
		zw.Write(spaces[:min(n, len(spaces))])
	}
	zw.Write([]byte(body.String()))
	zw.Close()
	b.stream(id, fmt.Sprintf("/Type /ObjStm /N %d /First %d /Filter /FlateDecode %s", len(members), head.Len()+padding, dict), packed.Bytes())
}

// entry is a cross-reference stream entry: type 1 (offset, generation)
// or type 2 (object stream, index).
type entry struct{ typ, a, b int }

// plain returns the type 1 entry of object id, written already.
func (b *builder) plain(id int) entry { return entry{1, b.offsets[id], 0} }

// xrefStream writes object id as the cross-reference stream listing
// entries (and itself), with the extra dictionary entries, and ends the
// file.
func (b *builder) xrefStream(id int, extra string, entries map[int]entry) []byte {
	size := id + 1
	for n := range entries {
		size = max(size, n+1)
	}
	return b.xrefStreamSized(id, size, extra, entries)
}

// xrefStreamSized is xrefStream with /Size size; it lists the entries
// 0..len-1 (or all of them up to id).
func (b *builder) xrefStreamSized(id, size int, extra string, entries map[int]entry) []byte {
	off := b.b.Len()
	entries[id] = entry{1, off, 0}
	ids := make([]int, 0, len(entries))
	for n := range entries {
		ids = append(ids, n)
	}
	sort.Ints(ids)
	var data []byte
	for n := 0; n <= ids[len(ids)-1]; n++ {
		e := entries[n] // a missing one is free (type 0)
		data = append(data, byte(e.typ), byte(e.a>>24), byte(e.a>>16), byte(e.a>>8), byte(e.a), byte(e.b>>8), byte(e.b))
	}
	dict := fmt.Sprintf("/Type /XRef /Size %d /W [1 4 2] /Root 1 0 R %s", size, extra)
	b.stream(id, dict, data)
	return b.startxref(off)
}

// xrefTable writes the cross-reference table of objects 1..last, the
// trailer, and ends the file.
func (b *builder) xrefTable(last int) []byte {
	off := b.b.Len()
	fmt.Fprintf(&b.b, "xref\n0 %d\n0000000000 65535 f \n", last+1)
	for id := 1; id <= last; id++ {
		fmt.Fprintf(&b.b, "%010d 00000 n \n", b.offsets[id])
	}
	fmt.Fprintf(&b.b, "trailer\n<< /Size %d /Root 1 0 R >>\n", last+1)
	return b.startxref(off)
}

// startxref ends the file with the offset of its last cross-reference
// section.
func (b *builder) startxref(off int) []byte {
	fmt.Fprintf(&b.b, "startxref\n%d\n%%%%EOF\n", off)
	return b.b.Bytes()
}
