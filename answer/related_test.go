package answer

import (
	"context"
	"testing"
)

// TestNoRelatedWhenConfidenceIsLow: an abstention whose best sentence
// covers less than half of MinCoverage (here an English question about
// the Chinese sample) lists no "related" paragraphs: they would be noise.
func TestNoRelatedWhenConfidenceIsLow(t *testing.T) {
	e, _ := sampleEngine(t, nil, Options{})
	a, err := e.Answer(context.Background(), Question{Text: "How is the weather on Mars?"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !a.NotFound || len(a.Related) != 0 {
		t.Errorf("not found %v, %d related paragraphs; want an abstention without related ones", a.NotFound, len(a.Related))
	}
}
