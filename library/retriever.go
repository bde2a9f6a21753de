package library

import (
	"context"
	"strings"
	"time"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/retrieval"
	"github.com/citebot/citebot/retrieval/document"
)

// Snapshot is one immutable version of the document set: its index and
// generation number (1 for the set opened, +1 per change). It implements
// answer.Retriever; it is safe for concurrent use.
type Snapshot struct {
	Index      *retrieval.Index
	Generation uint64
	// Bytes is the estimated memory of the documents and their index.
	Bytes   int64
	observe func(time.Duration)
}

// NewRetriever returns an answer.Retriever over a fixed index, for the
// commands that do not change their documents (ask, chat, eval).
func NewRetriever(ix *retrieval.Index) *Snapshot { return &Snapshot{Index: ix} }

// Retrieve implements answer.Retriever; it honours the document scope of
// ctx (answer.DocScope: a chat's /use), filtering inside the index
// (retrieval's SearchIn).
func (s *Snapshot) Retrieve(ctx context.Context, query string, k int) ([]answer.Passage, error) {
	if s.Index == nil {
		return nil, nil
	}
	t0 := time.Now()
	hits, err := s.Index.SearchIn(ctx, query, k, retrieval.MethodHybrid, answer.DocScope(ctx))
	if s.observe != nil {
		s.observe(time.Since(t0))
	}
	if err != nil {
		return nil, err
	}
	out := make([]answer.Passage, len(hits))
	for i, h := range hits {
		out[i] = answer.Passage{Doc: h.Doc, Paragraph: h.Paragraph, Page: h.Page, Text: h.Text, Start: h.Start, End: h.End, Score: h.Score}
	}
	return out, nil
}

// Paragraph implements answer.Retriever: paragraph n (0: the heading) of
// document doc.
func (s *Snapshot) Paragraph(doc string, n int) (answer.Passage, bool) {
	for _, d := range s.docs() {
		if d.Name != doc {
			continue
		}
		p, ok := d.Paragraph(n)
		if n == 0 {
			p, ok = title(d)
		}
		if !ok {
			return answer.Passage{}, false
		}
		return answer.Passage{Doc: d.Name, Paragraph: p.N, Page: p.Page, Text: p.Text(d), Start: p.Start, End: p.End}, true
	}
	return answer.Passage{}, false
}

// Documents implements answer.Retriever.
func (s *Snapshot) Documents() []answer.DocInfo {
	docs := s.docs()
	out := make([]answer.DocInfo, len(docs))
	for i, d := range docs {
		out[i] = docInfo(d)
	}
	return out
}

// docs returns the snapshot's documents (none in an empty chat library).
func (s *Snapshot) docs() []*document.Document {
	if s.Index == nil {
		return nil
	}
	return s.Index.Documents()
}

// title returns the document's first heading: what ¶0 cites and /source 0
// shows (a Markdown document may have more headings, all numbered 0; the
// first is its title).
func title(d *document.Document) (document.Paragraph, bool) {
	for _, p := range d.Paragraphs {
		if p.Heading {
			return p, true
		}
	}
	return document.Paragraph{}, false
}

// docInfo describes d: its name, body paragraphs, pages, title, kind and
// whether it was read by OCR.
func docInfo(d *document.Document) answer.DocInfo {
	info := answer.DocInfo{Name: d.Name, Paragraphs: d.BodyParagraphs(), Pages: d.Pages, Kind: d.Kind, OCR: d.OCR}
	if p, ok := title(d); ok {
		info.Title = strings.Join(strings.Fields(p.Text(d)), " ")
	}
	return info
}
