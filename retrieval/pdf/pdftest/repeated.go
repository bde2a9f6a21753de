package pdftest

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"
)

// Repeated returns a PDF of pages pages that all draw one content stream,
// stored once and compressed with FlateDecode: content, with the font F1
// (Helvetica), repeated copies times. A small file that costs much to
// read, for tests of the extractor's limits: "BT /F1 1 Tf 0 0 Td (a) Tj
// ET\n" seven million times is 200 MB drawn from a 480 KB file.
func Repeated(pages int, content string, copies int) []byte {
	return repeated(pages, 1, content, copies)
}

// RepeatedStreams is [Repeated] with one page whose content is an array
// that names the one stream streams times.
func RepeatedStreams(streams int, content string, copies int) []byte {
	return repeated(1, streams, content, copies)
}

// repeated returns a PDF of pages pages, each drawing the content stream
// (content repeated copies times) streams times.
func repeated(pages, streams int, content string, copies int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	var offsets []int
	object := func(body string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	// 1 catalog, 2 page tree, 3 font, 4 content, 5.. pages.
	var kids strings.Builder
	for i := range pages {
		fmt.Fprintf(&kids, "%d 0 R ", 5+i)
	}
	object("<< /Type /Catalog /Pages 2 0 R >>")
	object(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids.String(), pages))
	object("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	packed := deflate(content, copies)
	offsets = append(offsets, b.Len())
	fmt.Fprintf(&b, "4 0 obj\n<< /Filter /FlateDecode /Length %d >>\nstream\n", len(packed))
	b.Write(packed)
	b.WriteString("\nendstream\nendobj\n")
	contents := "4 0 R"
	if streams > 1 {
		contents = "[" + strings.Repeat("4 0 R ", streams) + "]"
	}
	for range pages {
		object("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents " + contents +
			" /Resources << /Font << /F1 3 0 R >> >> >>")
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}

// deflate returns content repeated copies times, zlib-compressed.
func deflate(content string, copies int) []byte {
	var packed bytes.Buffer
	zw := zlib.NewWriter(&packed)
	per := max(1, 4096/max(1, len(content)))
	chunk := strings.Repeat(content, per)
	for n := copies; n > 0; n -= per {
		zw.Write([]byte(chunk[:min(n, per)*len(content)]))
	}
	zw.Close()
	return packed.Bytes()
}
