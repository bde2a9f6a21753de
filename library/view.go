package library

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/retrieval/document"
)

// chatView is what one chat answers from: the shared library beside the
// chat's own. It implements answer.Retriever and answer.Versioned; its
// generation is the sum of the two libraries' generations, which grows
// with every change to either.
type chatView struct {
	shared, own *Library
}

// Snapshot implements answer.Versioned: both libraries' current versions,
// fixed for one answer.
func (v chatView) Snapshot() (answer.Retriever, uint64) {
	s, o := v.shared.Current(), v.own.Current()
	return pair{shared: s, own: o}, s.Generation + o.Generation
}

// Retrieve implements answer.Retriever over the current versions.
func (v chatView) Retrieve(ctx context.Context, query string, k int) ([]answer.Passage, error) {
	r, _ := v.Snapshot()
	return r.Retrieve(ctx, query, k)
}

// Paragraph implements answer.Retriever over the current versions.
func (v chatView) Paragraph(doc string, n int) (answer.Passage, bool) {
	r, _ := v.Snapshot()
	return r.Paragraph(doc, n)
}

// Documents implements answer.Retriever over the current versions.
func (v chatView) Documents() []answer.DocInfo {
	r, _ := v.Snapshot()
	return r.Documents()
}

// pair is one version of a chat view: a shared and an own snapshot.
// [Shelf.AddOwn] refuses a shared document's name, but a shared document
// added later can take the name of a chat's own: in that chat the own
// document hides it (in the list, the search and the paragraphs), so
// that a name, and the ¶ buttons and links made from it, mean one
// document. Names are compared without case, as users type them.
type pair struct{ shared, own *Snapshot }

// hidden reports whether a shared document's name is hidden by one of
// the chat's own (a handful at most: chat_max_documents).
func (p pair) hidden(name string) bool {
	return slices.ContainsFunc(p.own.docs(), func(d *document.Document) bool { return strings.EqualFold(d.Name, name) })
}

// Retrieve searches both snapshots and merges their passages by score.
// Hybrid scores are comparable across indexes: each is the passage's BM25
// share of its index's best plus features that are shares of the query
// (see retrieval's hybrid fusion).
func (p pair) Retrieve(ctx context.Context, query string, k int) ([]answer.Passage, error) {
	a, err := p.own.Retrieve(ctx, query, k)
	if err != nil {
		return nil, err
	}
	b, err := p.shared.Retrieve(ctx, query, k)
	if err != nil {
		return nil, err
	}
	out := append(a, slices.DeleteFunc(b, func(ps answer.Passage) bool { return p.hidden(ps.Doc) })...)
	slices.SortStableFunc(out, func(x, y answer.Passage) int { return cmp.Compare(y.Score, x.Score) })
	return out[:min(k, len(out))], nil
}

// Paragraph implements answer.Retriever, own documents first.
func (p pair) Paragraph(doc string, n int) (answer.Passage, bool) {
	if ps, ok := p.own.Paragraph(doc, n); ok {
		return ps, true
	}
	if p.hidden(doc) {
		return answer.Passage{}, false
	}
	return p.shared.Paragraph(doc, n)
}

// Documents lists the shared documents, then the chat's own.
func (p pair) Documents() []answer.DocInfo {
	shared := slices.DeleteFunc(p.shared.Documents(), func(d answer.DocInfo) bool { return p.hidden(d.Name) })
	return append(shared, p.own.Documents()...)
}
