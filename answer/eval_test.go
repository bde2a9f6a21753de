package answer

import (
	"flag"
	"strings"
	"testing"

	"github.com/citebot/citebot/eval"
	"github.com/citebot/citebot/retrieval/document"
	"github.com/citebot/citebot/retrieval/text"
)

var showMisses = flag.Bool("misses", false, "log every missed eval question")

// checkCitation asserts the quote invariants: the quote is the document's
// text at its offsets and lies within one sentence of its paragraph.
func checkCitation(tb testing.TB, docs map[string]*document.Document, c Citation) {
	tb.Helper()
	d := docs[c.Doc]
	if d == nil {
		tb.Errorf("citation %+v: unknown document", c)
		return
	}
	if c.Start < 0 || c.End > len(d.Text) || c.Start >= c.End || d.Text[c.Start:c.End] != c.Quote {
		tb.Errorf("citation %+v: quote is not the document text at its offsets", c)
		return
	}
	var par document.Paragraph
	found := false
	for _, p := range d.Paragraphs {
		if p.Start <= c.Start && c.End <= p.End {
			par, found = p, true
			break
		}
	}
	if !found {
		tb.Errorf("citation %+v: not within one paragraph", c)
		return
	}
	if par.N != c.Paragraph {
		tb.Errorf("citation %+v: in paragraph %d", c, par.N)
	}
	src := par.Text(d)
	for _, s := range text.Sentences(src) {
		if par.Start+s.Start <= c.Start && c.End <= par.Start+s.End {
			return
		}
	}
	tb.Errorf("citation %+v: spans more than one sentence", c)
}

func docMap(docs []*document.Document) map[string]*document.Document {
	m := make(map[string]*document.Document)
	for _, d := range docs {
		m[d.Name] = d
	}
	return m
}

// runEval answers every row of set with e and checks every citation.
func runEval(tb testing.TB, e *Engine, docs []*document.Document, rows []eval.Row) (*eval.Metrics, *eval.Metrics) {
	tb.Helper()
	dm := docMap(docs)
	all, zh := &eval.Metrics{}, &eval.Metrics{}
	for _, row := range rows {
		res, a := evaluate(tb, e, row)
		for _, c := range a.Citations {
			checkCitation(tb, dm, c)
		}
		all.Add(res)
		if strings.HasPrefix(row.Kind, "zh") {
			zh.Add(res)
		}
		if *showMisses && row.Answerable() && !res.Hit {
			tb.Logf("MISS %s %s abstain=%v gold=%q quote=%q", row.ID, row.Question, res.Abstained, row.Answers, res.Quote)
		}
		if *showMisses && !row.Answerable() && !res.Abstained {
			tb.Logf("ANSWERED %s %s quote=%q", row.ID, row.Question, res.Quote)
		}
	}
	return all, zh
}

func logScores(tb testing.TB, name string, all eval.Scores) {
	tb.Helper()
	s := all.Quotes()
	tb.Logf("%-18s n=%4d quote_hit@1=%.3f abstain=%.3f false_abstain=%.3f quote_chars_mean=%.1f",
		name, all.Questions, s.QuoteHit1, s.AbstainRate, s.FalseAbstainRate, s.QuoteCharsMean)
}

// TestEvalSets answers every question of the eval sets in extractive mode
// with the real retrieval index (local embedder), checks every citation
// (document text at its offsets, within one sentence) and holds the quote
// metrics to the acceptance bars. Run with -v for the figures, -misses for
// every miss. It is skipped under the race detector, which makes it twenty
// times slower and finds nothing the race runs of the other tests miss (it
// answers on one goroutine); run it without -race.
func TestEvalSets(t *testing.T) {
	if testing.Short() {
		t.Skip("eval sets take a few seconds")
	}
	if raceEnabled {
		t.Skip("eval sets are too slow under the race detector; run without -race")
	}
	type bars struct {
		minHit, maxFalseAbstain, maxChars float64
	}
	want := map[string]bars{
		"seed_dev":       {0.9, 0, 54},    // Chinese rows; peer 0.70 at 53.9 chars
		"cmrc2018_trial": {0.7, 0.01, 47}, // peer 0.606 at 47.1 chars
		"drcd_dev":       {0.75, 0.01, 47},
	}
	for _, s := range evalSets {
		t.Run(s.name, func(t *testing.T) {
			docs, r := realRetriever(t, s)
			e := New(r, nil, Options{})
			rows := loadRows(t, s.rows)
			all, zh := runEval(t, e, docs, rows)
			logScores(t, s.name, all.Scores())
			got := all.Scores().Quotes()
			if s.name == "seed_dev" {
				logScores(t, s.name+" zh", zh.Scores())
				got = zh.Scores().Quotes()
				if got.AbstainRate != 1 {
					t.Errorf("unanswerable Chinese rows answered: abstain rate %.3f", got.AbstainRate)
				}
			}
			for _, k := range all.Kinds() {
				logScores(t, "  "+k, all.ByKind()[k])
			}
			b := want[s.name]
			if got.QuoteHit1 < b.minHit || got.FalseAbstainRate > b.maxFalseAbstain || got.QuoteCharsMean > b.maxChars {
				t.Errorf("quote_hit@1 %.3f (want >= %.2f), false_abstain %.3f (want <= %.2f), quote_chars_mean %.1f (want <= %.0f)",
					got.QuoteHit1, b.minHit, got.FalseAbstainRate, b.maxFalseAbstain, got.QuoteCharsMean, b.maxChars)
			}
		})
	}
}
