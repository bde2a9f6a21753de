package library

import (
	"context"
	"testing"

	"github.com/citebot/citebot/retrieval"
	"github.com/citebot/citebot/retrieval/document"
)

// TestRetrieverCarriesPages: the pages of a paged document's paragraphs
// reach the engine's passages, and its page count its DocInfo.
func TestRetrieverCarriesPages(t *testing.T) {
	doc, err := document.Parse("report.txt", []byte("Herons nest by the mill.\n\n\fThe river almost stopped in 1976.\n\n\f\fThe trust counts herons.\n"))
	if err != nil {
		t.Fatal(err)
	}
	doc.Pages = 4
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
