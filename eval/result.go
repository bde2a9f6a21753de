package eval

import "unicode/utf8"

// Answered is what scoring needs of one answer.
type Answered struct {
	// Abstained is set when the answer was "not found".
	Abstained bool
	// Quote and Paragraph are those of the first citation ("" and 0 when
	// there is none).
	Quote     string
	Paragraph int
}

// Result scores one question: where retrieval ranked the first relevant
// passage and, when answers were scored, the answer's first quote.
type Result struct {
	ID         string `json:"id"`
	Kind       string `json:"kind"`
	Answerable bool   `json:"answerable"`
	// Rank is the 1-based rank of the first relevant passage, 0 if none
	// (or if the question is unanswerable or retrieval was not scored).
	Rank int `json:"rank"`
	// Answered is set when an answer was scored; the fields below are
	// about it.
	Answered  bool `json:"answered"`
	Abstained bool `json:"abstained"`
	// Hit is set when the first quote contains a gold answer.
	Hit bool `json:"hit"`
	// Quote is the first quote and QuoteChars its length in characters.
	Quote      string `json:"quote,omitempty"`
	QuoteChars int    `json:"quote_chars"`
	Paragraph  int    `json:"paragraph,omitempty"`
}

// Score scores row given the texts of its ranked passages (best first; nil
// when retrieval is not scored) and its answer (nil when answers are not
// scored).
func Score(row Row, ranked []string, a *Answered) Result {
	r := Result{ID: row.ID, Kind: row.Kind, Answerable: row.Answerable()}
	if r.Answerable {
		r.Rank = FirstRelevant(ranked, row.Answers)
	}
	if a == nil {
		return r
	}
	r.Answered, r.Abstained = true, a.Abstained
	if a.Abstained || a.Quote == "" {
		return r
	}
	r.Quote, r.QuoteChars, r.Paragraph = a.Quote, utf8.RuneCountInString(a.Quote), a.Paragraph
	r.Hit = Contains(a.Quote, row.Answers)
	return r
}
