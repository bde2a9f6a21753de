package eval

import (
	"strings"
	"unicode/utf8"
)

// Quote is one quote of an answer, as scoring sees it.
type Quote struct {
	Text      string
	Paragraph int
	// Whole is set when Text is one or more whole sentences of its
	// paragraph (not a window cut from a longer one).
	Whole bool
}

// Answered is what scoring needs of one answer.
type Answered struct {
	// Abstained is set when the answer was "not found".
	Abstained bool
	// Quotes are the answer's quotes in the order shown; the first is the
	// one quote_hit@1 scores.
	Quotes []Quote
	// AnswerType is what the question asks for as the engine read it
	// ("time", "number", "place", "person"; "" for none), and TypedSpan
	// whether the first quote holds a span of that kind.
	AnswerType string
	TypedSpan  bool
}

// Result scores one question: where retrieval ranked the first relevant
// passage and, when answers were scored, the answer's quotes. It is also
// the line `citebot eval --per-question` writes.
type Result struct {
	ID         string `json:"id"`
	Kind       string `json:"kind"`
	Question   string `json:"question"`
	Answerable bool   `json:"answerable"`
	// Rank is the 1-based rank of the first relevant passage, 0 if none
	// (or if the question is unanswerable or retrieval was not scored).
	Rank int `json:"rank"`
	// Answered is set when an answer was scored; the fields below are
	// about it.
	Answered  bool `json:"answered"`
	Abstained bool `json:"abstained"`
	// Hit is set when the first quote contains a gold answer, HitAny when
	// any quote does.
	Hit    bool `json:"hit"`
	HitAny bool `json:"hit_any"`
	// Evidence is set when the row carries evidence sentences, and then
	// EvidenceHit when the first quote contains a gold answer and overlaps
	// an evidence sentence (one contains the other).
	Evidence    bool `json:"evidence,omitempty"`
	EvidenceHit bool `json:"evidence_hit,omitempty"`
	// Quote is the first quote, QuoteChars its length in characters and
	// Whole whether it is made of whole sentences; Quotes counts them all.
	Quote      string `json:"quote,omitempty"`
	QuoteChars int    `json:"quote_chars"`
	Whole      bool   `json:"whole_sentence"`
	Paragraph  int    `json:"paragraph,omitempty"`
	Quotes     int    `json:"quotes"`
	// Gold are the row's answers, for reading a miss.
	Gold []string `json:"gold,omitempty"`
	// AnswerType and TypedSpan are the answer's (see [Answered]).
	AnswerType string `json:"answer_type,omitempty"`
	TypedSpan  bool   `json:"typed_span,omitempty"`
}

// Score scores row given the texts of its ranked passages (best first; nil
// when retrieval is not scored) and its answer (nil when answers are not
// scored).
func Score(row Row, ranked []string, a *Answered) Result {
	r := Result{ID: row.ID, Kind: row.Kind, Question: row.Question, Answerable: row.Answerable(), Gold: row.Answers}
	if r.Answerable {
		r.Rank = FirstRelevant(ranked, row.Answers)
	}
	if a == nil {
		return r
	}
	r.Answered, r.Abstained, r.AnswerType = true, a.Abstained, a.AnswerType
	r.Evidence = r.Answerable && len(row.Evidence) > 0
	if a.Abstained || len(a.Quotes) == 0 || a.Quotes[0].Text == "" {
		return r
	}
	first := a.Quotes[0]
	r.Quote, r.QuoteChars, r.Paragraph, r.Whole = first.Text, utf8.RuneCountInString(first.Text), first.Paragraph, first.Whole
	r.Quotes, r.TypedSpan = len(a.Quotes), a.TypedSpan
	r.Hit = Contains(first.Text, row.Answers)
	for _, q := range a.Quotes {
		r.HitAny = r.HitAny || Contains(q.Text, row.Answers)
	}
	r.EvidenceHit = r.Evidence && r.Hit && overlapsEvidence(first.Text, row.Evidence)
	return r
}

// overlapsEvidence reports whether quote, after normalisation, contains an
// evidence sentence or lies within one.
func overlapsEvidence(quote string, evidence []string) bool {
	q := Normalize(quote)
	for _, e := range evidence {
		if e = Normalize(e); e != "" && (strings.Contains(q, e) || strings.Contains(e, q)) {
			return true
		}
	}
	return false
}
