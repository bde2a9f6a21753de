package evalset

import "unicode/utf8"

// QuoteScores are answer-quality metrics over a group of questions.
type QuoteScores struct {
	// QuoteHit1 is the share of answerable questions whose first quote
	// contains a gold answer.
	QuoteHit1 float64 `json:"quote_hit@1"`
	// AbstainRate is the share of unanswerable questions answered with "not
	// in the document".
	AbstainRate float64 `json:"abstain_rate"`
	// FalseAbstainRate is the share of answerable questions that abstained.
	FalseAbstainRate float64 `json:"false_abstain_rate"`
	// QuoteCharsMean is the mean length in characters of the first quote,
	// over questions that got one.
	QuoteCharsMean float64 `json:"quote_chars_mean"`
}

type quoteTally struct {
	answerable, unanswerable int
	hits, abstain, falseAbst int
	quotes, quoteChars       int
}

func (t *quoteTally) add(row Row, notFound bool, firstQuote string, hasQuote bool) {
	if hasQuote {
		t.quotes++
		t.quoteChars += utf8.RuneCountInString(firstQuote)
	}
	if !row.Answerable() {
		t.unanswerable++
		if notFound {
			t.abstain++
		}
		return
	}
	t.answerable++
	if notFound {
		t.falseAbst++
	}
	if hasQuote && Contains(firstQuote, row.Answers) {
		t.hits++
	}
}

func (t *quoteTally) scores() QuoteScores {
	var s QuoteScores
	if t.answerable > 0 {
		s.QuoteHit1 = float64(t.hits) / float64(t.answerable)
		s.FalseAbstainRate = float64(t.falseAbst) / float64(t.answerable)
	}
	if t.unanswerable > 0 {
		s.AbstainRate = float64(t.abstain) / float64(t.unanswerable)
	}
	if t.quotes > 0 {
		s.QuoteCharsMean = float64(t.quoteChars) / float64(t.quotes)
	}
	return s
}

// Quotes accumulates quote metrics overall and per kind. The zero value is
// ready to use.
type Quotes struct {
	all    quoteTally
	byKind map[string]*quoteTally
}

// Add scores one answer: whether it abstained, and its first quote if any.
func (q *Quotes) Add(row Row, notFound bool, firstQuote string, hasQuote bool) {
	q.all.add(row, notFound, firstQuote, hasQuote)
	if q.byKind == nil {
		q.byKind = map[string]*quoteTally{}
	}
	t := q.byKind[row.Kind]
	if t == nil {
		t = &quoteTally{}
		q.byKind[row.Kind] = t
	}
	t.add(row, notFound, firstQuote, hasQuote)
}

// Scores returns the overall scores.
func (q *Quotes) Scores() QuoteScores { return q.all.scores() }

// ByKind returns the scores of each kind.
func (q *Quotes) ByKind() map[string]QuoteScores {
	out := make(map[string]QuoteScores, len(q.byKind))
	for k, t := range q.byKind {
		out[k] = t.scores()
	}
	return out
}
