package openai

import (
	"context"
	"testing"

	"github.com/citebot/citebot/retrieval"
	"github.com/citebot/citebot/retrieval/document"
)

// TestEmbedderInBuild indexes the sample through the fake with EmbedBatch:
// the embedder plugs into retrieval.Build as its Embedder and
// BatchEmbedder.
func TestEmbedderInBuild(t *testing.T) {
	fake := &fakeEmbeddings{dim: 8}
	e, _ := newTestEmbedder(t, fake, Config{BatchSize: 16})
	ix, stats, err := retrieval.Build(context.Background(), []*document.Document{document.Sample()}, retrieval.Options{
		Embedder: e.Embed, BatchEmbedder: e.EmbedBatch, EmbedderID: "openai:fake",
	})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Embedded != stats.Passages {
		t.Errorf("embedded %d of %d", stats.Embedded, stats.Passages)
	}
	// One request for the first passage, then batches of 16.
	if want := int32(1 + (stats.Passages-1+15)/16); fake.calls.Load() != want {
		t.Errorf("%d requests, want %d", fake.calls.Load(), want)
	}
	if _, err := ix.Search(context.Background(), "座谈会", 3); err != nil {
		t.Fatal(err)
	}
}
