package retrieval

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"
	"github.com/google/go-cmp/cmp"
	"github.com/ledongthuc/pdf"
)

// pdfLayout describes a PDF that writePDF generates.
type pdfLayout struct {
	title, subtitle string
	paragraphs      []string
	// font is the body font: a core font ("Helvetica", "Times") or, with
	// fontFile set, the family name for that TrueType file.
	font, fontFile string
	align          string  // MultiCell alignment: "J" or "L"
	gap            float64 // space between paragraphs, mm
	// breakBefore is the paragraph (0-based) that starts near the bottom of
	// the first page, so that it continues on the next one; -1 for none.
	breakBefore int
	pageNumbers bool   // a "Page N" footer
	userPass    string // with protect: the password needed to open the file
	protect     bool   // encrypt with the owner password "owner"
	compress    bool
	// breakAnywhere wraps the paragraphs in the test, at any character,
	// rather than in MultiCell: fpdf drops the character where it breaks
	// a line of CJK text.
	breakAnywhere bool
}

// fixedTime makes generated PDFs reproducible.
var fixedTime = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// writePDF returns the PDF described by l.
func writePDF(tb testing.TB, l pdfLayout) []byte {
	tb.Helper()
	doc := fpdf.New("P", "mm", "A4", "")
	doc.SetCreationDate(fixedTime)
	doc.SetModificationDate(fixedTime)
	doc.SetCatalogSort(true)
	doc.SetCompression(l.compress)
	if l.protect {
		doc.SetProtection(fpdf.CnProtectPrint, l.userPass, "owner")
	}
	font, tr := l.font, func(s string) string { return s }
	if l.fontFile != "" {
		ttf, err := os.ReadFile(l.fontFile)
		if err != nil {
			tb.Fatal(err)
		}
		doc.AddUTF8FontFromBytes(font, "", ttf)
		doc.AddUTF8FontFromBytes(font, "B", ttf)
	} else {
		tr = doc.UnicodeTranslatorFromDescriptor("") // UTF-8 to cp1252
	}
	if l.pageNumbers {
		doc.SetFooterFunc(func() {
			doc.SetY(-15)
			doc.SetFont(font, "", 9)
			doc.CellFormat(0, 10, fmt.Sprintf("Page %d", doc.PageNo()), "", 0, "C", false, 0, "")
		})
	}
	doc.AddPage()
	doc.SetFont(font, "B", 18)
	doc.MultiCell(0, 9, tr(l.title), "", "L", false)
	if l.subtitle != "" {
		doc.SetFont(font, "", 14)
		doc.MultiCell(0, 7, tr(l.subtitle), "", "L", false)
	}
	doc.Ln(6)
	doc.SetFont(font, "", 11)
	for i, p := range l.paragraphs {
		if i == l.breakBefore {
			doc.SetY(270)
		}
		if l.breakAnywhere {
			p = strings.Join(wrapText(doc, p, 185), "\n")
		}
		doc.MultiCell(0, 5.5, tr(p), "", l.align, false)
		if l.gap > 0 {
			doc.Ln(l.gap)
		}
	}
	var buf bytes.Buffer
	if err := doc.Output(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// wrapText splits text into lines at most width wide (in doc's unit and
// current font), breaking anywhere.
func wrapText(doc *fpdf.Fpdf, text string, width float64) []string {
	var lines []string
	line := ""
	for _, r := range text {
		if line != "" && doc.GetStringWidth(line+string(r)) > width {
			lines = append(lines, line)
			line = ""
		}
		line += string(r)
	}
	return append(lines, line)
}

// latinParagraphs are body paragraphs that wrap over several lines.
var latinParagraphs = []string{
	"The river has been watched by the same families for more than two hundred years. Every spring they walk the banks from the mill to the old stone bridge, counting the nests of the herons and writing down where the water has cut into the fields since the autumn before.",
	"Their notebooks are kept in the village hall, in a cupboard that smells of paper and wax. Anyone may read them: a farmer who wants to know when the meadow last flooded, a child with a school project, or a scientist from the city who drove out on a Sunday.",
	"In the dry summer of 1976 the river almost stopped. The notebooks record dead fish below the weir, a café owner who carried buckets to the trout pool, and the first meeting of what later became the river trust. It is the longest entry in the whole collection.",
	"Today the trust has forty members and a small grant from the council. It still counts herons.",
}

// latinHeading is the title and subtitle, joined as the rebuilder joins them.
const latinHeading = "The Keepers of the River Notes from a small watershed"

func TestParsePDFLatin(t *testing.T) {
	want := []rebuiltParagraph{headingPara(latinHeading)}
	for i, p := range latinParagraphs {
		want = append(want, bodyPara(i+1, p))
	}
	base := pdfLayout{
		title: "The Keepers of the River", subtitle: "Notes from a small watershed",
		paragraphs: latinParagraphs, font: "Helvetica", align: "J", gap: 4, breakBefore: -1, compress: true,
	}
	tests := []struct {
		name  string
		edit  func(*pdfLayout)
		check func(t *testing.T, pages [][]string)
	}{
		{"justified with space between paragraphs", func(*pdfLayout) {}, nil},
		{"justified without space between paragraphs", func(l *pdfLayout) { l.gap = 0 }, nil},
		{"ragged right without space between paragraphs", func(l *pdfLayout) { l.align, l.gap = "L", 0 }, nil},
		{"Times, uncompressed", func(l *pdfLayout) { l.font, l.compress = "Times", false }, nil},
		{"paragraph across a page break, page numbers", func(l *pdfLayout) { l.breakBefore, l.pageNumbers = 2, true },
			func(t *testing.T, pages [][]string) {
				// The third paragraph starts at the foot of page 1 and
				// continues at the top of page 2, below the page numbers.
				if len(pages) != 2 || len(pages[1]) < 2 {
					t.Fatalf("pages = %q, want two", pages)
				}
				last, next := pages[0][len(pages[0])-2], pages[1][0]
				if !strings.HasPrefix(latinParagraphs[2], last) || !strings.Contains(latinParagraphs[2], " "+next+" ") {
					t.Errorf("page 1 ends with %q, page 2 starts with %q: want paragraph 3 split between them", last, next)
				}
				if got := pages[0][len(pages[0])-1]; got != "Page 1" {
					t.Errorf("page 1 ends with %q, want its number", got)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := base
			tc.edit(&l)
			raw := writePDF(t, l)
			checkPDFParagraphs(t, "keepers.pdf", raw, want)
			if tc.check != nil {
				tc.check(t, pdfPageLines(t, raw))
			}
		})
	}
}

// checkPDFParagraphs parses the PDF raw as name and compares its paragraphs
// with want.
func checkPDFParagraphs(tb testing.TB, name string, raw []byte, want []rebuiltParagraph) {
	tb.Helper()
	doc, err := ParseDocument(name, raw)
	if err != nil {
		tb.Fatal(err)
	}
	checkDocument(tb, doc)
	if diff := cmp.Diff(want, rebuilt(doc)); diff != "" {
		text, _ := extractPDF(name, raw)
		tb.Errorf("paragraphs mismatch (-want +got):\n%s\nextracted text:\n%s", diff, text)
	}
	sum := sha256.Sum256(raw)
	if doc.Name != name || doc.Hash != hex.EncodeToString(sum[:]) {
		tb.Errorf("Name, Hash = %q, %q; want %q and the SHA-256 of the PDF", doc.Name, doc.Hash, name)
	}
}

// pdfPageLines returns the text lines of each page of the PDF raw, before
// page numbers are dropped and paragraphs marked.
func pdfPageLines(tb testing.TB, raw []byte) [][]string {
	tb.Helper()
	r, err := pdf.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		tb.Fatal(err)
	}
	pages, err := pdfPages(r)
	if err != nil {
		tb.Fatal(err)
	}
	x := newPDFExtractor()
	var out [][]string
	for _, p := range pages {
		runs, err := x.pageRuns(p)
		if err != nil {
			tb.Fatal(err)
		}
		var lines []string
		for _, l := range pageLines(runs) {
			lines = append(lines, l.text)
		}
		out = append(out, lines)
	}
	return out
}

// cjkFont is a TrueType font with CJK characters, from the Debian package
// fonts-droid-fallback. fpdf embeds TrueType (not TrueType collection)
// fonts only.
const cjkFont = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"

func TestParsePDFCJK(t *testing.T) {
	if _, err := os.Stat(cjkFont); err != nil {
		// CI installs the font: there, a missing font is a failure.
		if os.Getenv("CI") != "" {
			t.Fatalf("CJK font missing (apt-get install fonts-droid-fallback): %v", err)
		}
		t.Skipf("CJK font not installed (apt-get install fonts-droid-fallback): %v", err)
	}
	paragraphs := []string{
		"中共中央总书记、国家主席、中央军委主席习近平12日下午在江西省南昌市主持召开进一步推动长江经济带高质量发展座谈会并发表重要讲话。他强调，要完整、准确、全面贯彻新发展理念，坚持共抓大保护、不搞大开发，坚持生态优先、绿色发展。",
		"习近平在江西调研期间专门召开这次座谈会。座谈会上，国家发展改革委主任郑栅洁、重庆市委书记袁家军先后发言，就推动长江经济带高质量发展汇报工作情况、提出意见建议。",
		"长江经济带发展战略实施近8年来，沿江省市和中央有关部门认真贯彻落实党中央决策部署，坚持共抓大保护、不搞大开发，坚持生态优先、绿色发展，扎实推进长江生态环境保护修复，积极促进经济社会发展全面绿色转型，决心之大、力度之大前所未有，长江经济带发展发生了重大变化。",
		"总的看，长江经济带发展成就有目共睹。",
	}
	want := []rebuiltParagraph{headingPara("进一步推动长江经济带高质量发展座谈会纪要")}
	for i, p := range paragraphs {
		want = append(want, bodyPara(i+1, p))
	}
	base := pdfLayout{
		title: "进一步推动长江经济带高质量发展", subtitle: "座谈会纪要", paragraphs: paragraphs,
		font: "DroidSansFallback", fontFile: cjkFont, align: "L", breakBefore: -1, compress: true, breakAnywhere: true,
	}
	tests := []struct {
		name string
		edit func(*pdfLayout)
	}{
		{"without space between paragraphs", func(*pdfLayout) {}},
		{"with space between paragraphs", func(l *pdfLayout) { l.gap = 4 }},
		{"paragraph across a page break, page numbers", func(l *pdfLayout) { l.breakBefore, l.pageNumbers = 2, true }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := base
			tc.edit(&l)
			checkPDFParagraphs(t, "yangtze.pdf", writePDF(t, l), want)
		})
	}
}

// scannedPDF returns a PDF whose one page holds only an image.
func scannedPDF(tb testing.TB) []byte {
	tb.Helper()
	img := image.NewGray(image.Rect(0, 0, 64, 64))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	var encoded bytes.Buffer
	if err := png.Encode(&encoded, img); err != nil {
		tb.Fatal(err)
	}
	doc := fpdf.New("P", "mm", "A4", "")
	doc.SetCreationDate(fixedTime)
	opts := fpdf.ImageOptions{ImageType: "PNG"}
	doc.RegisterImageOptionsReader("scan", opts, &encoded)
	doc.AddPage()
	doc.ImageOptions("scan", 10, 10, 190, 0, false, opts, 0, "")
	var buf bytes.Buffer
	if err := doc.Output(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestParsePDFErrors(t *testing.T) {
	latin := writePDF(t, pdfLayout{
		title: "Title", paragraphs: latinParagraphs, font: "Helvetica", align: "J", breakBefore: -1, compress: true,
	})
	protected := func(userPass string) []byte {
		return writePDF(t, pdfLayout{
			title: "Title", paragraphs: latinParagraphs, font: "Helvetica", align: "J", breakBefore: -1,
			compress: true, protect: true, userPass: userPass,
		})
	}
	damaged := bytes.Clone(latin)
	clear(damaged[len(damaged)/4 : len(damaged)/2])
	random := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	const name = "report.pdf"
	tests := []struct {
		name string
		raw  []byte
		want string // the error, or its start when it ends in "("
		is   error
	}{
		{"encrypted with a password", protected("secret"), name + ": encrypted PDF is not supported; save an unencrypted copy", ErrEncryptedPDF},
		// The reader opens it, but decrypts 40-bit RC4 wrongly.
		{"encrypted without a user password", protected(""), name + ": encrypted PDF is not supported; save an unencrypted copy", ErrEncryptedPDF},
		{"truncated", latin[:len(latin)/2], name + ": not a readable PDF (not a PDF file: missing %%EOF)", ErrUnreadablePDF},
		{"damaged", damaged, name + ": not a readable PDF (", ErrUnreadablePDF},
		{"random bytes", random, name + ": not a readable PDF (not a PDF file: invalid header)", ErrUnreadablePDF},
		{"empty", nil, name + ": not a readable PDF (not a PDF file: invalid header)", ErrUnreadablePDF},
		{"text file", []byte("Just text.\n"), name + ": not a readable PDF (not a PDF file: invalid header)", ErrUnreadablePDF},
		{"scanned", scannedPDF(t), name + ": PDF has no text layer (scanned?)", ErrNoTextLayer},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := ParseDocument(name, tc.raw)
			if err == nil {
				t.Fatalf("ParseDocument = %d paragraphs, want an error", len(doc.Paragraphs))
			}
			checkPDFError(t, err, tc.want, tc.is)
		})
	}
}

// checkPDFError fails tb unless err is want (or, when want ends in "(",
// starts with it), is one line and wraps is.
func checkPDFError(tb testing.TB, err error, want string, is error) {
	tb.Helper()
	msg := err.Error()
	if prefix, ok := strings.CutSuffix(want, "("); ok {
		if !strings.HasPrefix(msg, prefix+"(") || !strings.HasSuffix(msg, ")") {
			tb.Errorf("error = %q, want %q...)", msg, want)
		}
	} else if msg != want {
		tb.Errorf("error = %q, want %q", msg, want)
	}
	if strings.ContainsAny(msg, "\n\r") {
		tb.Errorf("error %q is more than one line", msg)
	}
	if !errors.Is(err, is) {
		tb.Errorf("error %q is not %q", msg, is)
	}
}

func TestLoadDocumentsPDF(t *testing.T) {
	dir := t.TempDir()
	raw := writePDF(t, pdfLayout{
		title: "The Keepers of the River", subtitle: "Notes from a small watershed",
		paragraphs: latinParagraphs, font: "Helvetica", align: "J", breakBefore: -1, compress: true,
	})
	writeDocFile(t, dir, "docs/keepers.PDF", string(raw))
	writeDocFile(t, dir, "docs/notes.txt", "Notes.")
	docs, err := LoadDocuments([]string{filepath.Join(dir, "docs")})
	if err != nil {
		t.Fatal(err)
	}
	if got := docNames(docs); strings.Join(got, ",") != "keepers.PDF,notes.txt" {
		t.Fatalf("loaded %q, want keepers.PDF and notes.txt", got)
	}
	sum := sha256.Sum256(raw)
	if got := docs[0]; got.Hash != hex.EncodeToString(sum[:]) || got.BodyParagraphs() != len(latinParagraphs) {
		t.Errorf("keepers.PDF has hash %s and %d paragraphs, want the file's SHA-256 and %d", got.Hash, got.BodyParagraphs(), len(latinParagraphs))
	}

	broken := writeDocFile(t, dir, "broken.pdf", string(raw[:len(raw)/2]))
	_, err = LoadDocuments([]string{broken})
	if err == nil {
		t.Fatal("LoadDocuments of a truncated PDF succeeded")
	}
	checkPDFError(t, err, broken+": not a readable PDF (not a PDF file: missing %%EOF)", ErrUnreadablePDF)
}

func TestLayoutPDFText(t *testing.T) {
	// line returns a line of 12-point text at baseline y from x0 to x1,
	// its runes all of the same width.
	line := func(text string, y, x0, x1 float64) textLine {
		runes := []rune(text)
		word := 1
		if !isWide(runes[0]) {
			word = len(strings.Fields(text)[0])
		}
		wordEnd := x0 + (x1-x0)*float64(word)/float64(len(runes))
		return textLine{text: text, x0: x0, x1: x1, y: y, size: 12, wordEnd: wordEnd}
	}
	tests := []struct {
		name  string
		pages [][]textLine
		want  string
	}{
		{"first-line indents", [][]textLine{{
			line("One two three", 700, 96, 500), line("four.", 686, 72, 100),
			line("Five six seven", 672, 96, 500), line("eight nine ten", 658, 72, 500), line("eleven.", 644, 72, 300),
		}}, "One two three\n\nfour. \n\nFive six seven\n\neight nine ten\n\neleven. \n\n"},
		{"a short line ends a paragraph; page numbers dropped", [][]textLine{
			{line("1", 780, 290, 296), line("Alpha beta gamma", 700, 72, 500), line("delta.", 686, 72, 110), line("Epsilon zeta eta", 672, 72, 500), line("- 1 -", 40, 290, 310)},
			{line("theta iota kappa", 700, 72, 500), line("lambda.", 686, 72, 120), line("Page 2 of 2", 40, 280, 330)},
		}, "Alpha beta gamma\n\ndelta. \n\nEpsilon zeta eta\n\ntheta iota kappa\n\nlambda. \n\n"},
		{"a larger gap ends a paragraph", [][]textLine{{
			line("Alpha beta gamma", 700, 72, 500), line("delta epsilon zeta", 686, 72, 500),
			line("Eta theta iota", 664, 72, 500), line("kappa lambda mu", 650, 72, 500),
		}}, "Alpha beta gamma\n\ndelta epsilon zeta \n\nEta theta iota\n\nkappa lambda mu \n\n"},
		{"CJK: a line one character short is not the end", [][]textLine{{
			line("一二三四五六七八九十", 700, 72, 192), line("一二三四五六七八九", 686, 72, 180),
			line("十一二。", 672, 72, 120), line("一二三四五六七八九十", 658, 72, 192), line("一。", 644, 72, 96),
		}}, "一二三四五六七八九十\n\n一二三四五六七八九\n\n十一二。 \n\n一二三四五六七八九十\n\n一。 \n\n"},
		{"running heads and feet dropped", [][]textLine{
			{line("Annual Report", 780, 72, 160), line("Alpha beta gamma", 700, 72, 500), line("delta epsilon zeta", 686, 72, 500), line("Draft 1", 30, 72, 110)},
			{line("Annual Report", 780, 72, 160), line("eta theta.", 700, 72, 130), line("Iota kappa lambda", 686, 72, 500), line("Draft 2", 30, 72, 110)},
			{line("Annual Report", 780, 72, 160), line("mu nu xi", 700, 72, 500), line("omicron.", 686, 72, 120), line("Draft 3", 30, 72, 110)},
		}, "Alpha beta gamma\n\ndelta epsilon zeta\n\neta theta. \n\nIota kappa lambda\n\nmu nu xi\n\nomicron. \n\n"},
		{"a justified block narrower than the column", [][]textLine{{
			line("Aaa bbb ccc", 700, 72, 500), line("ddd.", 686, 72, 120),
			line("Eee fff ggg", 672, 100, 400), line("hhh iii jjj", 658, 100, 400), line("kkk.", 644, 100, 200),
			line("Lll mmm nnn", 630, 72, 500), line("ooo.", 616, 72, 110),
		}}, "Aaa bbb ccc\n\nddd. \n\nEee fff ggg\n\nhhh iii jjj\n\nkkk. \n\nLll mmm nnn\n\nooo. \n\n"},
		{"no lines", [][]textLine{nil, nil}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for i := range tc.pages {
				for j := range tc.pages[i] {
					tc.pages[i][j].page = i
				}
			}
			if got := layoutPDFText(tc.pages); got != tc.want {
				t.Errorf("layoutPDFText =\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestParseToUnicode(t *testing.T) {
	cmap := `/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CMapName /Test def
2 begincodespacerange
<00> <7F>
<8000> <FFFF>
endcodespacerange
2 beginbfchar
<41> <0042>
<8001> <D83DDE00>
endbfchar
3 beginbfrange
<61> <63> <0078>
<9000> <9002> [<4E00> <4E8C> <0066 0069>]
<A000> <AFFF> <6C00>
endbfrange
endcmap
CMapName currentdict /CMap defineresource pop
end
end`
	m := parseToUnicode([]byte(cmap))
	if m == nil {
		t.Fatal("parseToUnicode = nil")
	}
	tests := []struct{ raw, want string }{
		{"A", "B"},
		{"\x80\x01", "😀"},
		{"abc", "xyz"},
		{"\x90\x00\x90\x01\x90\x02", "一二fi"},
		{"\xA0\x5F\xAF\xFF", "\u6C5F\u7BFF"},
		{"d\x80\x02", "\uFFFD\uFFFD"},
	}
	for _, tc := range tests {
		if got := m.Decode(tc.raw); got != tc.want {
			t.Errorf("Decode(%q) = %q, want %q", tc.raw, got, tc.want)
		}
	}
	if m := parseToUnicode([]byte("begincmap endcmap")); m != nil {
		t.Errorf("parseToUnicode of an empty CMap = %+v, want nil", m)
	}
}

func FuzzExtractPDF(f *testing.F) {
	plain := writePDF(f, pdfLayout{
		title: "Title", paragraphs: latinParagraphs[:2], font: "Helvetica", align: "J", breakBefore: -1, pageNumbers: true,
	})
	packed := writePDF(f, pdfLayout{
		title: "Title", paragraphs: latinParagraphs, font: "Times", align: "L", breakBefore: 2, compress: true,
	})
	for _, seed := range [][]byte{
		plain, packed,
		plain[:len(plain)/2], plain[:len(plain)-20], packed[len(packed)/3:],
		[]byte("%PDF-1.4\n%%EOF\n"),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		const name = "fuzz.pdf"
		doc, err := ParseDocument(name, raw)
		if err != nil {
			msg := err.Error()
			if strings.ContainsAny(msg, "\n\r") || !strings.HasPrefix(msg, name+": ") {
				t.Fatalf("error %q is not one line starting with the name", msg)
			}
			if !errors.Is(err, ErrUnreadablePDF) && !errors.Is(err, ErrEncryptedPDF) && !errors.Is(err, ErrNoTextLayer) {
				t.Fatalf("error %q is none of the PDF errors", msg)
			}
			return
		}
		checkDocument(t, doc)
		if !utf8.ValidString(doc.Text) {
			t.Fatalf("text is not valid UTF-8: %q", doc.Text)
		}
	})
}

// identityCMap maps two-byte codes to the same UTF-16 code units, as fpdf
// writes it.
const identityCMap = `/CIDInit /ProcSet findresource begin 12 dict begin begincmap
1 begincodespacerange <0000> <FFFF> endcodespacerange
1 beginbfrange <0000> <FFFF> <0000> endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end`

// minimalPDF returns a one-page PDF whose page draws content with the fonts
// F1 (Helvetica, without widths) and F2 (a composite font with the
// ToUnicode CMap cmap) and can draw the form X1, which draws itself.
func minimalPDF(content, cmap string) []byte {
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
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

func TestExtractPDFContent(t *testing.T) {
	tests := []struct {
		name, content string
		want          [][]string
	}{
		{"word spaces by TJ adjustments, kerning joined", "BT /F1 12 Tf 72 700 Td [(Hello)-300(world,)] TJ [( W)80(ide)] TJ ET", [][]string{{"Hello world, Wide"}}},
		{"separate Tj runs on one baseline", "BT /F1 12 Tf 72 700 Td (left) Tj 100 0 Td (right) Tj ET", [][]string{{"left right"}}},
		{"lines sorted top to bottom", "BT /F1 12 Tf 72 600 Td (second) Tj ET BT /F1 12 Tf 72 700 Td (first) Tj ET", [][]string{{"first", "second"}}},
		{"Tm, TL, T* and the quote operators", "BT /F1 12 Tf 14 TL 1 0 0 1 72 700 Tm (one) Tj T* (two) Tj (three) ' 1 0 (four) \" ET", [][]string{{"one", "two", "three", "four"}}},
		{"scaled by cm inside q Q", "q 2 0 0 2 0 0 cm BT /F1 6 Tf 36 350 Td (big) Tj ET Q BT /F1 12 Tf 72 680 Td (small) Tj ET", [][]string{{"big", "small"}}},
		{"composite font with a ToUnicode range", "BT /F2 12 Tf 72 700 Td <4E2D65870041> Tj ET", [][]string{{"中文A"}}},
		{"a form that draws itself stops", "/X1 Do", [][]string{{"form"}}},
		{"CJK characters spread out, and apart", "BT /F2 12 Tf 72 700 Td [<4E2D> -300 <6587>] TJ ET BT /F2 12 Tf 72 680 Td [<4E2D> -700 <6587>] TJ ET", [][]string{{"中文", "中 文"}}},
		{"fake bold is drawn once", "BT /F1 12 Tf 72 700 Td (bold) Tj ET BT /F1 12 Tf 72.3 700 Td (bold) Tj ET", [][]string{{"bold"}}},
		{"a hex string left open at the end", "BT /F1 12 Tf 72 700 Td (ok) Tj ET 0<", [][]string{{"ok"}}},
		{"an inline image is skipped", "BI /W 4 /H 1 /BPC 8 /CS /G ID \x00(Tj)EI\xff EI BT /F1 12 Tf 72 700 Td (after) Tj ET", [][]string{{"after"}}},
		{"nested arrays and dictionaries", "/P <</MCID 0 /A [1 [2 (x)]] /D <<>> >> BDC BT /F1 12 Tf 72 700 Td [[(no)] (ye) (s\\051)] TJ ET EMC", [][]string{{"yes)"}}},
		{"unknown font and operators are harmless", "BT /F9 12 Tf 72 700 Td (plain) Tj 1 2 3 zz ET Tj TJ Tf", [][]string{{"plain"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := pdfPageLines(t, minimalPDF(tc.content, identityCMap))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("lines mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzExtractPDFContent fuzzes the page content and the ToUnicode CMap of a
// well-formed PDF, which reaches deeper than mutating whole files, whose
// cross-reference offsets most mutations break.
func FuzzExtractPDFContent(f *testing.F) {
	f.Add("BT /F1 12 Tf 72 700 Td [(Hello)-300(world)] TJ T* (two) ' ET /X1 Do", identityCMap)
	f.Add("q 2 0 0 2 0 0 cm BT /F2 6 Tf 1 0 0 1 36 350 Tm <4E2D6587> Tj ET Q", identityCMap)
	f.Add("AL01+3\xcds 0 Tf 0\x00\x04\x00\x000m 0\x10002Fs\xea\xf9+3\xcds0<)", "\x80") // hung the reader's lexer
	f.Add("BT /F2 12 Tf 72 700 Td <00410042> Tj ET", `2 begincodespacerange <00> <7F> <8000> <FFFF> endcodespacerange
2 beginbfchar <41> <0042> <8001> <D83DDE00> endbfchar
2 beginbfrange <61> <63> <0078> <9000> <9002> [<4E00> <4E8C> <0066 0069>] endbfrange`)
	f.Fuzz(func(t *testing.T, content, cmap string) {
		const name = "fuzz.pdf"
		doc, err := ParseDocument(name, minimalPDF(content, cmap))
		if err != nil {
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r") || !strings.HasPrefix(msg, name+": ") {
				t.Fatalf("error %q is not one line starting with the name", msg)
			}
			return
		}
		checkDocument(t, doc)
		if !utf8.ValidString(doc.Text) {
			t.Fatalf("text is not valid UTF-8: %q", doc.Text)
		}
	})
}

func BenchmarkParsePDF(b *testing.B) {
	var paragraphs []string
	for len(paragraphs) < 1000 {
		paragraphs = append(paragraphs, latinParagraphs...)
	}
	raw := writePDF(b, pdfLayout{
		title: "The Keepers of the River", paragraphs: paragraphs, font: "Helvetica", align: "J", gap: 2,
		breakBefore: -1, pageNumbers: true, compress: true,
	})
	pages := len(pdfPageLines(b, raw))
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := ParseDocument("keepers.pdf", raw); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(pages), "pages")
}
