package pdftest

import (
	"bytes"
	"fmt"
	"os"
	"testing"
)

// LatinParagraphs are body paragraphs that wrap over several lines.
var LatinParagraphs = []string{
	"The river has been watched by the same families for more than two hundred years. Every spring they walk the banks from the mill to the old stone bridge, counting the nests of the herons and writing down where the water has cut into the fields since the autumn before.",
	"Their notebooks are kept in the village hall, in a cupboard that smells of paper and wax. Anyone may read them: a farmer who wants to know when the meadow last flooded, a child with a school project, or a scientist from the city who drove out on a Sunday.",
	"In the dry summer of 1976 the river almost stopped. The notebooks record dead fish below the weir, a café owner who carried buckets to the trout pool, and the first meeting of what later became the river trust. It is the longest entry in the whole collection.",
	"Today the trust has forty members and a small grant from the council. It still counts herons.",
}

// Latin returns the layout of a justified document in Helvetica: a title,
// a subtitle and [LatinParagraphs], with space between paragraphs,
// compressed.
func Latin() Layout {
	return Layout{
		Title: "The Keepers of the River", Subtitle: "Notes from a small watershed", Paragraphs: LatinParagraphs,
		Font: "Helvetica", Align: "J", Gap: 4, BreakBefore: -1, Compress: true,
	}
}

// CJKFont is a TrueType font with CJK characters, from the Debian package
// fonts-droid-fallback. fpdf embeds TrueType (not TrueType collection)
// fonts only.
const CJKFont = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"

// RequireCJKFont skips tb when [CJKFont] is not installed, or fails it
// when the environment variable CI is set: CI installs the font.
func RequireCJKFont(tb testing.TB) {
	tb.Helper()
	if _, err := os.Stat(CJKFont); err != nil {
		// CI installs the font: there, a missing font is a failure.
		if os.Getenv("CI") != "" {
			tb.Fatalf("CJK font missing (apt-get install fonts-droid-fallback): %v", err)
		}
		tb.Skipf("CJK font not installed (apt-get install fonts-droid-fallback): %v", err)
	}
}

// cjkParagraphs are Chinese body paragraphs that wrap over several lines.
var cjkParagraphs = []string{
	"中共中央总书记、国家主席、中央军委主席习近平12日下午在江西省南昌市主持召开进一步推动长江经济带高质量发展座谈会并发表重要讲话。他强调，要完整、准确、全面贯彻新发展理念，坚持共抓大保护、不搞大开发，坚持生态优先、绿色发展。",
	"习近平在江西调研期间专门召开这次座谈会。座谈会上，国家发展改革委主任郑栅洁、重庆市委书记袁家军先后发言，就推动长江经济带高质量发展汇报工作情况、提出意见建议。",
	"长江经济带发展战略实施近8年来，沿江省市和中央有关部门认真贯彻落实党中央决策部署，坚持共抓大保护、不搞大开发，坚持生态优先、绿色发展，扎实推进长江生态环境保护修复，积极促进经济社会发展全面绿色转型，决心之大、力度之大前所未有，长江经济带发展发生了重大变化。",
	"总的看，长江经济带发展成就有目共睹。",
}

// CJK returns the layout of a ragged-right document in Chinese, in
// [CJKFont]: a title, a subtitle and four paragraphs that wrap over
// several lines, without space between paragraphs, compressed. Call
// [RequireCJKFont] first.
func CJK() Layout {
	return Layout{
		Title: "进一步推动长江经济带高质量发展", Subtitle: "座谈会纪要", Paragraphs: cjkParagraphs,
		Font: "DroidSansFallback", FontFile: CJKFont, Align: "L", BreakBefore: -1, Compress: true, BreakAnywhere: true,
	}
}

// IdentityCMap maps two-byte codes to the same UTF-16 code units, as fpdf
// writes it.
const IdentityCMap = `/CIDInit /ProcSet findresource begin 12 dict begin begincmap
1 begincodespacerange <0000> <FFFF> endcodespacerange
1 beginbfrange <0000> <FFFF> <0000> endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end`

// Minimal returns a one-page PDF whose page draws content with the fonts
// F1 (Helvetica, without widths) and F2 (a composite font with the
// ToUnicode CMap cmap) and can draw the form X1, which draws itself.
func Minimal(content, cmap string) []byte {
	stream := func(dict, data string) string {
		return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data)
	}
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R " +
			"/Resources << /Font << /F1 5 0 R /F2 6 0 R >> /XObject << /X1 8 0 R >> >> >>",
		stream("", content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		"<< /Type /Font /Subtype /Type0 /BaseFont /Test /Encoding /Identity-H /ToUnicode 7 0 R " +
			"/DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Test /DW 1000 /W [65 [500 600] 97 122 550] >>] >>",
		stream("", cmap),
		stream("/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> /XObject << /X1 8 0 R >> >>",
			"BT /F1 12 Tf 72 100 Td (form) Tj ET /X1 Do"),
	}
	w := newWriter()
	for _, o := range objects {
		w.object(o)
	}
	return w.finish()
}

// writer writes a PDF file: the header, numbered objects (1, 2, ...) and,
// in finish, the cross-reference table and trailer (object 1 is the
// catalog).
type writer struct {
	b       bytes.Buffer
	offsets []int
}

func newWriter() *writer {
	w := &writer{}
	w.b.WriteString("%PDF-1.4\n")
	return w
}

// object writes the next object with body.
func (w *writer) object(body string) {
	w.begin()
	fmt.Fprintf(&w.b, "%s\nendobj\n", body)
}

// begin starts the next object, for a body written by the caller, which
// must end it with "endobj".
func (w *writer) begin() {
	w.offsets = append(w.offsets, w.b.Len())
	fmt.Fprintf(&w.b, "%d 0 obj\n", len(w.offsets))
}

// finish writes the cross-reference table and trailer and returns the file.
func (w *writer) finish() []byte {
	xref := w.b.Len()
	fmt.Fprintf(&w.b, "xref\n0 %d\n0000000000 65535 f \n", len(w.offsets)+1)
	for _, off := range w.offsets {
		fmt.Fprintf(&w.b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&w.b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(w.offsets)+1, xref)
	return w.b.Bytes()
}
