package main

import (
	"context"
	"time"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/retrieval"
)

// indexRetriever adapts a retrieval index to the answer engine's Retriever.
// observe, when set, receives the latency of every search.
type indexRetriever struct {
	ix      *retrieval.Index
	observe func(time.Duration)
}

func (r indexRetriever) Retrieve(ctx context.Context, query string, k int) ([]answer.Passage, error) {
	t0 := time.Now()
	hits, err := r.ix.Search(ctx, query, k)
	if r.observe != nil {
		r.observe(time.Since(t0))
	}
	if err != nil {
		return nil, err
	}
	out := make([]answer.Passage, len(hits))
	for i, h := range hits {
		out[i] = answer.Passage{Doc: h.Doc, Paragraph: h.Paragraph, Text: h.Text, Start: h.Start, End: h.End, Score: h.Score}
	}
	return out, nil
}

func (r indexRetriever) Paragraph(doc string, n int) (answer.Passage, bool) {
	for _, d := range r.ix.Documents() {
		if d.Name != doc {
			continue
		}
		p, ok := d.Paragraph(n)
		if !ok {
			return answer.Passage{}, false
		}
		return answer.Passage{Doc: d.Name, Paragraph: p.N, Text: p.Text(d), Start: p.Start, End: p.End}, true
	}
	return answer.Passage{}, false
}

func (r indexRetriever) Documents() []answer.DocInfo {
	docs := r.ix.Documents()
	out := make([]answer.DocInfo, len(docs))
	for i, d := range docs {
		out[i] = answer.DocInfo{Name: d.Name, Paragraphs: d.BodyParagraphs()}
	}
	return out
}

// countingModel wraps a chat model to count streamed chunks and failures.
type countingModel struct {
	next   answer.ChatModel
	chunks func()
	failed func()
}

func (m countingModel) Complete(ctx context.Context, msgs []answer.Message, onDelta func(string)) (string, error) {
	text, err := m.next.Complete(ctx, msgs, func(d string) {
		m.chunks()
		if onDelta != nil {
			onDelta(d)
		}
	})
	if err != nil && ctx.Err() == nil {
		m.failed()
	}
	return text, err
}
