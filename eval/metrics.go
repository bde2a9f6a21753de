package eval

import (
	"sort"
)

// Ks are the cut-offs of the recall figures in [Scores].
var Ks = []int{1, 3, 5, 10}

// Scores are the metrics of a group of questions. QuoteScores is nil when
// no answer was scored (`citebot eval --no-answers`), and then absent from
// the JSON form.
type Scores struct {
	Questions    int     `json:"questions"`
	Answerable   int     `json:"answerable"`
	Unanswerable int     `json:"unanswerable"`
	Recall1      float64 `json:"recall@1"`
	Recall3      float64 `json:"recall@3"`
	Recall5      float64 `json:"recall@5"`
	Recall10     float64 `json:"recall@10"`
	MRR10        float64 `json:"mrr@10"`
	*QuoteScores
}

// QuoteScores are the answer metrics of a group of questions.
type QuoteScores struct {
	// QuoteHit1 is the share of answerable questions whose first quote
	// contains a gold answer.
	QuoteHit1 float64 `json:"quote_hit@1"`
	// AbstainRate is the share of unanswerable questions answered "not
	// found" (0 when there are none).
	AbstainRate float64 `json:"abstain_rate"`
	// FalseAbstainRate is the share of answerable questions answered "not
	// found".
	FalseAbstainRate float64 `json:"false_abstain_rate"`
	// QuoteCharsMean is the mean length in characters of the first quote
	// over the questions answered with a quote.
	QuoteCharsMean float64 `json:"quote_chars_mean"`
	// QuoteHitAny is the share of answerable questions with any quote
	// that contains a gold answer.
	QuoteHitAny float64 `json:"quote_hit@any"`
	// WholeSentenceRate is the share of first quotes, over the questions
	// answered with a quote, made of whole sentences.
	WholeSentenceRate float64 `json:"whole_sentence_rate"`
	// EvidenceHit1 is the share of answerable questions carrying evidence
	// whose first quote holds a gold answer and overlaps an evidence
	// sentence; EvidenceRows counts those questions (0: no figure).
	EvidenceHit1 float64 `json:"evidence_hit@1,omitempty"`
	EvidenceRows int     `json:"evidence_rows,omitempty"`
	// TypedSpan is the share of answerable questions whose first quote
	// holds a span of the kind the question asks for (meaningful in the
	// per-answer-type groups, see [Metrics.ByType]).
	TypedSpan float64 `json:"typed_span,omitempty"`
}

// Quotes returns the answer metrics, zero when none were scored.
func (s Scores) Quotes() QuoteScores {
	if s.QuoteScores == nil {
		return QuoteScores{}
	}
	return *s.QuoteScores
}

// counts is the tally behind one [Scores].
type counts struct {
	questions, answerable, unanswerable int
	hitsAt                              [4]int
	rr                                  float64
	answered                            int
	hits, abstained, falseAbstained     int
	quoted, quoteChars                  int
	hitsAny, whole                      int
	evidence, evidenceHits              int
	typed                               int
}

func (c *counts) add(r Result) {
	c.questions++
	if !r.Answerable {
		c.unanswerable++
	} else {
		c.answerable++
		for i, k := range Ks {
			if r.Rank > 0 && r.Rank <= k {
				c.hitsAt[i]++
			}
		}
		if r.Rank > 0 && r.Rank <= 10 {
			c.rr += 1 / float64(r.Rank)
		}
	}
	if !r.Answered {
		return
	}
	c.answered++
	switch {
	case r.Answerable && r.Abstained:
		c.falseAbstained++
	case !r.Answerable && r.Abstained:
		c.abstained++
	case r.Answerable && r.Hit:
		c.hits++
	}
	if r.Answerable && r.HitAny {
		c.hitsAny++
	}
	if r.Answerable && r.TypedSpan {
		c.typed++
	}
	if r.Evidence {
		c.evidence++
		if r.EvidenceHit {
			c.evidenceHits++
		}
	}
	if !r.Abstained && r.QuoteChars > 0 {
		c.quoted++
		c.quoteChars += r.QuoteChars
		if r.Whole {
			c.whole++
		}
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func (c *counts) scores() Scores {
	s := Scores{
		Questions: c.questions, Answerable: c.answerable, Unanswerable: c.unanswerable,
		Recall1:  ratio(c.hitsAt[0], c.answerable),
		Recall3:  ratio(c.hitsAt[1], c.answerable),
		Recall5:  ratio(c.hitsAt[2], c.answerable),
		Recall10: ratio(c.hitsAt[3], c.answerable),
		MRR10:    c.rr / max(float64(c.answerable), 1),
	}
	if c.answered > 0 {
		s.QuoteScores = &QuoteScores{
			QuoteHit1:         ratio(c.hits, c.answerable),
			AbstainRate:       ratio(c.abstained, c.unanswerable),
			FalseAbstainRate:  ratio(c.falseAbstained, c.answerable),
			QuoteCharsMean:    ratio(c.quoteChars, c.quoted),
			QuoteHitAny:       ratio(c.hitsAny, c.answerable),
			WholeSentenceRate: ratio(c.whole, c.quoted),
			EvidenceHit1:      ratio(c.evidenceHits, c.evidence),
			EvidenceRows:      c.evidence,
			TypedSpan:         ratio(c.typed, c.answerable),
		}
	}
	return s
}

// Metrics accumulates [Result]s overall and per row kind. The zero value is
// ready to use; it is not safe for concurrent use.
type Metrics struct {
	all    counts
	byKind map[string]*counts
	byType map[string]*counts
}

// Add accumulates r.
func (m *Metrics) Add(r Result) {
	m.all.add(r)
	if m.byKind == nil {
		m.byKind = make(map[string]*counts)
	}
	c := m.byKind[r.Kind]
	if c == nil {
		c = &counts{}
		m.byKind[r.Kind] = c
	}
	c.add(r)
	if r.AnswerType != "" {
		if m.byType == nil {
			m.byType = make(map[string]*counts)
		}
		t := m.byType[r.AnswerType]
		if t == nil {
			t = &counts{}
			m.byType[r.AnswerType] = t
		}
		t.add(r)
	}
}

// ByType returns the metrics per answer type the questions asked for
// (those asking for none are left out).
func (m *Metrics) ByType() map[string]Scores {
	out := make(map[string]Scores, len(m.byType))
	for k, c := range m.byType {
		out[k] = c.scores()
	}
	return out
}

// Scores returns the metrics over everything added.
func (m *Metrics) Scores() Scores { return m.all.scores() }

// ByKind returns the metrics per row kind.
func (m *Metrics) ByKind() map[string]Scores {
	out := make(map[string]Scores, len(m.byKind))
	for k, c := range m.byKind {
		out[k] = c.scores()
	}
	return out
}

// Kinds returns the row kinds seen, sorted.
func (m *Metrics) Kinds() []string {
	ks := make([]string, 0, len(m.byKind))
	for k := range m.byKind {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
