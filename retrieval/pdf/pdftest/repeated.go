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
	w := newWriter()
	// 1 catalog, 2 page tree, 3 font, 4 content, 5.. pages.
	var kids strings.Builder
	for i := range pages {
		fmt.Fprintf(&kids, "%d 0 R ", 5+i)
	}
	w.object("<< /Type /Catalog /Pages 2 0 R >>")
	w.object(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids.String(), pages))
	w.object("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	packed := deflate(content, copies)
	w.begin() // 4
	fmt.Fprintf(&w.b, "<< /Filter /FlateDecode /Length %d >>\nstream\n", len(packed))
	w.b.Write(packed)
	w.b.WriteString("\nendstream\nendobj\n")
	contents := "4 0 R"
	if streams > 1 {
		contents = "[" + strings.Repeat("4 0 R ", streams) + "]"
	}
	for range pages {
		w.object("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents " + contents +
			" /Resources << /Font << /F1 3 0 R >> >> >>")
	}
	return w.finish()
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
