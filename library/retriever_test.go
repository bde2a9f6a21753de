package library

import (
	"context"
	"testing"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/retrieval"
	"github.com/citebot/citebot/retrieval/document"
)

// TestRetrieverCarriesPages: the pages of a paged document's paragraphs
// reach the engine's passages, and its page count (a text file's, from
// its form feeds) its DocInfo.
func TestRetrieverCarriesPages(t *testing.T) {
	doc, err := document.Parse("report.txt", []byte("Herons nest by the mill.\n\n\fThe river almost stopped in 1976.\n\n\f\fThe trust counts herons.\n"))
	if err != nil {
		t.Fatal(err)
	}
	ix, _, err := retrieval.Build(context.Background(), []*document.Document{doc}, retrieval.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := NewRetriever(ix)
	tests := []struct {
		name, query     string
		paragraph, page int
	}{
		{"first page", "herons nest mill", 1, 1},
		{"second page", "river stopped 1976", 2, 2},
		{"after an empty page", "trust counts", 3, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps, err := r.Retrieve(context.Background(), tc.query, 1)
			if err != nil || len(ps) == 0 {
				t.Fatalf("Retrieve = %v, %v", ps, err)
			}
			if ps[0].Paragraph != tc.paragraph || ps[0].Page != tc.page {
				t.Errorf("Retrieve(%q) = ¶%d on page %d, want ¶%d on page %d", tc.query, ps[0].Paragraph, ps[0].Page, tc.paragraph, tc.page)
			}
			p, ok := r.Paragraph("report.txt", tc.paragraph)
			if !ok || p.Page != tc.page {
				t.Errorf("Paragraph(%d) = %+v, %v; want page %d", tc.paragraph, p, ok, tc.page)
			}
		})
	}
	if docs := r.Documents(); len(docs) != 1 || docs[0].Pages != 4 {
		t.Errorf("Documents = %+v, want one of 4 pages", docs)
	}
}

// TestRetrieverDocInfo: a document's kind and whether it was read by OCR
// reach its DocInfo.
func TestRetrieverDocInfo(t *testing.T) {
	tests := []struct {
		name, file, text string
		kind             string // "" keeps what Parse read
		ocr              bool
		want             answer.DocInfo
	}{
		{"text", "notes.txt", "Herons nest by the mill.\n", "", false,
			answer.DocInfo{Name: "notes.txt", Paragraphs: 1, Kind: "text"}},
		{"Markdown", "notes.md", "# Herons\n\nHerons nest by the mill.\n", "", false,
			answer.DocInfo{Name: "notes.md", Paragraphs: 1, Title: "Herons", Kind: "markdown"}},
		{"scanned PDF (text parsed, then marked as one)", "scan.txt", "Herons nest by the mill.\n\n\fThe river stopped.\n", "pdf", true,
			answer.DocInfo{Name: "scan.txt", Paragraphs: 2, Pages: 2, Kind: "pdf", OCR: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := document.Parse(tc.file, []byte(tc.text))
			if err != nil {
				t.Fatal(err)
			}
			if tc.kind != "" {
				doc.Kind = tc.kind
			}
			doc.OCR = tc.ocr
			if got := docInfo(doc); got != tc.want {
				t.Errorf("docInfo = %+v, want %+v", got, tc.want)
			}
		})
	}
}
