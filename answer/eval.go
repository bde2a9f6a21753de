package answer

import (
	"context"
	"errors"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// EvalRow is one question of an eval set (testdata/eval/*.jsonl).
type EvalRow struct {
	ID       string   `json:"id"`
	Question string   `json:"question"`
	Answers  []string `json:"answers"`
	Kind     string   `json:"kind"`
}

// Answerable reports whether the row has gold answers.
func (r EvalRow) Answerable() bool { return len(r.Answers) > 0 }

// EvalResult scores one answer to an [EvalRow].
type EvalResult struct {
	ID         string `json:"id"`
	Kind       string `json:"kind"`
	Answerable bool   `json:"answerable"`
	// Abstained is set when the answer was NotFound.
	Abstained bool `json:"abstained"`
	// Hit is set when the first citation's quote contains a gold answer
	// (whitespace deleted from both).
	Hit bool `json:"hit"`
	// Quote is the first citation's quote and QuoteChars its length in
	// characters (runes).
	Quote      string `json:"quote,omitempty"`
	QuoteChars int    `json:"quote_chars"`
	// Paragraph is the first citation's paragraph.
	Paragraph int `json:"paragraph,omitempty"`
}

// Score scores answer a to row with the eval sets' rules (see
// testdata/eval/README.md).
func Score(row EvalRow, a Answer) EvalResult {
	r := EvalResult{ID: row.ID, Kind: row.Kind, Answerable: row.Answerable(), Abstained: a.NotFound}
	if a.NotFound || len(a.Citations) == 0 {
		return r
	}
	c := a.Citations[0]
	r.Quote, r.QuoteChars, r.Paragraph = c.Quote, utf8.RuneCountInString(c.Quote), c.Paragraph
	r.Hit = QuoteHit(c.Quote, row.Answers)
	return r
}

// QuoteHit reports whether quote contains any of the gold answers, with all
// white space deleted from both.
func QuoteHit(quote string, answers []string) bool {
	q := deleteSpace(quote)
	for _, a := range answers {
		if a := deleteSpace(a); a != "" && strings.Contains(q, a) {
			return true
		}
	}
	return false
}

func deleteSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// Evaluate answers row's question (with no history) and scores the answer:
// the per-question step of `citebot eval`.
func (e *Engine) Evaluate(ctx context.Context, row EvalRow) (EvalResult, Answer, error) {
	a, err := e.Answer(ctx, Question{Text: row.Question}, nil)
	if errors.Is(err, ErrEmptyQuestion) {
		a = Answer{NotFound: true, Lang: "en", Text: NotFoundText("en")}
		err = nil
	}
	if err != nil {
		return EvalResult{}, Answer{}, err
	}
	return Score(row, a), a, nil
}

// QuoteScores are the quote metrics of a set of answers.
type QuoteScores struct {
	Questions    int `json:"questions"`
	Answerable   int `json:"answerable"`
	Unanswerable int `json:"unanswerable"`
	// QuoteHit1 is the share of answerable questions whose first quote
	// contains a gold answer.
	QuoteHit1 float64 `json:"quote_hit@1"`
	// AbstainRate is the share of unanswerable questions answered with
	// NotFound (0 when there are none).
	AbstainRate float64 `json:"abstain_rate"`
	// FalseAbstainRate is the share of answerable questions answered with
	// NotFound.
	FalseAbstainRate float64 `json:"false_abstain_rate"`
	// QuoteCharsMean is the mean length in characters of the first quote
	// over the questions that were answered with a quote.
	QuoteCharsMean float64 `json:"quote_chars_mean"`
}

type quoteCounts struct {
	questions, answerable, unanswerable int
	hits, abstained, falseAbstained     int
	quoted, quoteChars                  int
}

func (c *quoteCounts) add(r EvalResult) {
	c.questions++
	if r.Answerable {
		c.answerable++
		if r.Hit {
			c.hits++
		}
		if r.Abstained {
			c.falseAbstained++
		}
	} else {
		c.unanswerable++
		if r.Abstained {
			c.abstained++
		}
	}
	if !r.Abstained && r.QuoteChars > 0 {
		c.quoted++
		c.quoteChars += r.QuoteChars
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func (c *quoteCounts) scores() QuoteScores {
	return QuoteScores{
		Questions: c.questions, Answerable: c.answerable, Unanswerable: c.unanswerable,
		QuoteHit1:        ratio(c.hits, c.answerable),
		AbstainRate:      ratio(c.abstained, c.unanswerable),
		FalseAbstainRate: ratio(c.falseAbstained, c.answerable),
		QuoteCharsMean:   ratio(c.quoteChars, c.quoted),
	}
}

// QuoteMetrics accumulates [QuoteScores] over answers, overall and per row
// kind. The zero value is ready to use; it is not safe for concurrent use.
type QuoteMetrics struct {
	all    quoteCounts
	byKind map[string]*quoteCounts
}

// Add scores a as the answer to row, accumulates it and returns the score.
func (m *QuoteMetrics) Add(row EvalRow, a Answer) EvalResult {
	r := Score(row, a)
	m.AddResult(r)
	return r
}

// AddResult accumulates an already scored answer.
func (m *QuoteMetrics) AddResult(r EvalResult) {
	m.all.add(r)
	if m.byKind == nil {
		m.byKind = make(map[string]*quoteCounts)
	}
	c := m.byKind[r.Kind]
	if c == nil {
		c = &quoteCounts{}
		m.byKind[r.Kind] = c
	}
	c.add(r)
}

// Scores returns the metrics over everything added.
func (m *QuoteMetrics) Scores() QuoteScores { return m.all.scores() }

// ByKind returns the metrics per row kind.
func (m *QuoteMetrics) ByKind() map[string]QuoteScores {
	out := make(map[string]QuoteScores, len(m.byKind))
	for k, c := range m.byKind {
		out[k] = c.scores()
	}
	return out
}

// Kinds returns the row kinds seen, sorted.
func (m *QuoteMetrics) Kinds() []string {
	var ks []string
	for k := range m.byKind {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
