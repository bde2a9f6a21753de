package retrieval

import (
	"context"
	"fmt"

	"github.com/citebot/citebot/retrieval/document"
	"github.com/philippgille/chromem-go"
)

// MetadataDoc is the metadata key of a passage's document name in the
// chromem-go collection, for filtered queries:
//
//	ix.Collection().QueryEmbedding(ctx, qv, k, map[string]string{retrieval.MetadataDoc: name}, nil)
const MetadataDoc = "doc"

// newCollection stores the passages with their embeddings and metadata in
// an in-memory chromem-go collection, the store of record of the vectors:
// each document's Embedding is a row of vm (already unit length, so
// chromem-go keeps it rather than a normalised copy), and the passages of
// one document share one metadata map. Documents are added one by one:
// AddDocuments would start a goroutine per passage for a map insert each.
func newCollection(ps []document.Passage, vm *vectorMatrix, embed chromem.EmbeddingFunc) (*chromem.Collection, error) {
	db := chromem.NewDB()
	coll, err := db.CreateCollection("passages", nil, embed)
	if err != nil {
		return nil, fmt.Errorf("couldn't create collection: %w", err)
	}
	ctx := context.Background() // nothing is embedded: every document has its vector
	var meta map[string]string
	for i, p := range ps {
		if meta[MetadataDoc] != p.Doc {
			meta = map[string]string{MetadataDoc: p.Doc}
		}
		doc := chromem.Document{ID: p.ID, Metadata: meta, Embedding: vm.row(i), Content: p.Text}
		if err := coll.AddDocument(ctx, doc); err != nil {
			return nil, fmt.Errorf("couldn't add passage %s: %w", p.ID, err)
		}
	}
	return coll, nil
}

// Collection returns the chromem-go collection holding the passages, their
// embeddings and their metadata ([MetadataDoc]), for inspection and
// filtered queries. Its embedding function is the index's Embedder. Do
// not add or delete documents, nor modify what queries return.
func (ix *Index) Collection() *chromem.Collection { return ix.collection }
