package retrieval

import "github.com/citebot/citebot/retrieval/document"

// Hit is one ranked search result.
type Hit struct {
	document.Passage
	// Rank is 1-based.
	Rank int
	// Score is the fused score (higher is better).
	Score float64
	// Sources names the retrievers that found the passage: "lexical",
	// "vector".
	Sources []string
}
