package library

import (
	"cmp"
	"context"
	"slices"

	"github.com/citebot/citebot/answer"
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
// Document names do not repeat between them ([Shelf.Add] refuses a shared
// document's name).
type pair struct{ shared, own *Snapshot }

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
	out := append(a, b...)
	slices.SortStableFunc(out, func(x, y answer.Passage) int { return cmp.Compare(y.Score, x.Score) })
	return out[:min(k, len(out))], nil
}

// Paragraph implements answer.Retriever, own documents first.
func (p pair) Paragraph(doc string, n int) (answer.Passage, bool) {
	if ps, ok := p.own.Paragraph(doc, n); ok {
		return ps, true
	}
	return p.shared.Paragraph(doc, n)
}

// Documents lists the shared documents, then the chat's own.
func (p pair) Documents() []answer.DocInfo {
	return append(p.shared.Documents(), p.own.Documents()...)
}
