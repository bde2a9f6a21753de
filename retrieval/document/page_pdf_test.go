package document

import (
	"bytes"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/google/go-cmp/cmp"

	"github.com/citebot/citebot/retrieval/pdf/pdftest"
)

// pagedPDF returns a PDF in Helvetica of a title and the paragraphs of
// pages, each list of paragraphs on a new page; an empty list is an empty
// page. With across set, the last paragraph of the first page starts near
// its bottom and goes on on the second page, so that the second list starts
// the third page.
func pagedPDF(tb testing.TB, title string, pages [][]string, across bool) []byte {
	tb.Helper()
	doc := fpdf.New("P", "mm", "A4", "")
	doc.SetCreationDate(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))
	doc.SetModificationDate(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))
	tr := doc.UnicodeTranslatorFromDescriptor("") // UTF-8 to cp1252
	for i, paras := range pages {
		doc.AddPage()
		if i == 0 {
			doc.SetFont("Helvetica", "B", 18)
			doc.MultiCell(0, 9, tr(title), "", "L", false)
			doc.Ln(6)
		}
		doc.SetFont("Helvetica", "", 11)
		for j, p := range paras {
			if across && i == 0 && j == len(paras)-1 {
				doc.SetY(270)
			}
			doc.MultiCell(0, 5.5, tr(p), "", "J", false)
			doc.Ln(4)
		}
	}
	var buf bytes.Buffer
	if err := doc.Output(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestParsePDFPages(t *testing.T) {
	ps := pdftest.LatinParagraphs
	title := "The Keepers of the River"
	tests := []struct {
		name   string
		pages  [][]string
		across bool
		want   []pagedParagraph
		nPages int
	}{
		{
			name:   "one paragraph a page",
			pages:  [][]string{{ps[0]}, {ps[1]}, {ps[2]}},
			want:   []pagedParagraph{{0, 1, title}, {1, 1, ps[0]}, {2, 2, ps[1]}, {3, 3, ps[2]}},
			nPages: 3,
		},
		{
			name:   "a paragraph across a page break keeps its first page",
			pages:  [][]string{{ps[0], ps[1]}, {ps[2]}},
			across: true,
			want:   []pagedParagraph{{0, 1, title}, {1, 1, ps[0]}, {2, 1, ps[1]}, {3, 3, ps[2]}},
			nPages: 3,
		},
		{
			name:   "an empty page",
			pages:  [][]string{{ps[0]}, {}, {ps[1]}},
			want:   []pagedParagraph{{0, 1, title}, {1, 1, ps[0]}, {2, 3, ps[1]}},
			nPages: 3,
		},
		{
			name:   "one page",
			pages:  [][]string{{ps[0], ps[1]}},
			want:   []pagedParagraph{{0, 1, title}, {1, 1, ps[0]}, {2, 1, ps[1]}},
			nPages: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Parse("keepers.pdf", pagedPDF(t, title, tc.pages, tc.across))
			if err != nil {
				t.Fatal(err)
			}
			checkDocument(t, doc)
			if diff := cmp.Diff(tc.want, pagedParagraphs(doc.Text, doc.Paragraphs)); diff != "" {
				t.Errorf("paragraphs mismatch (-want +got):\n%s", diff)
			}
			if doc.Pages != tc.nPages {
				t.Errorf("Pages = %d, want %d", doc.Pages, tc.nPages)
			}
			for _, p := range Passages(doc, 80) {
				if para, _ := doc.Paragraph(p.Paragraph); p.Paragraph > 0 && p.Page != para.Page {
					t.Errorf("passage %s on page %d, its paragraph on page %d", p.ID, p.Page, para.Page)
				}
			}
		})
	}
}
