package answer

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/citebot/citebot/eval"
)

var (
	tune         = flag.Bool("tune", false, "run the extractive parameter sweep")
	tuneVariants = flag.String("tune.variants", "", "with -tune, only the variants whose names match this regexp")
)

// scoreSet answers rows with e and returns the metrics.
func scoreSet(tb testing.TB, e *Engine, rows []eval.Row) *eval.Metrics {
	m := &eval.Metrics{}
	for _, row := range rows {
		res, _ := evaluate(tb, e, row)
		m.Add(res)
	}
	return m
}

// summary is one line of figures per set and kind: quote_hit@1, hit@any,
// whole-sentence rate, abstention on unanswerable rows and false
// abstention on answerable ones.
func summary(m *eval.Metrics) string {
	var b strings.Builder
	for _, k := range m.Kinds() {
		s := m.ByKind()[k]
		q := s.Quotes()
		if s.Answerable > 0 {
			fmt.Fprintf(&b, " %s hit=%.3f any=%.3f whole=%.3f fa=%.3f len=%.0f;", k, q.QuoteHit1, q.QuoteHitAny, q.WholeSentenceRate, q.FalseAbstainRate, q.QuoteCharsMean)
		} else {
			fmt.Fprintf(&b, " %s ab=%.3f;", k, q.AbstainRate)
		}
	}
	return b.String()
}

// TestTuneSweep measures variants of the extractive parameters on the eval
// sets as wholes, per kind. It is how the defaults in defaultExtractParams
// were chosen; edit the variants and run it with
//
//	go test ./answer -run TestTuneSweep -tune -v [-tune.variants REGEXP]
func TestTuneSweep(t *testing.T) {
	if !*tune {
		t.Skip("run with -tune")
	}
	type setup struct {
		name string
		r    Retriever
		rows []eval.Row
	}
	var sets []setup
	for _, s := range evalSets {
		if !s.available(t) {
			continue
		}
		_, r := realRetriever(t, s)
		sets = append(sets, setup{s.name, &memoRetriever{Retriever: r}, loadRows(t, s)})
	}
	type variant struct {
		name string
		opts Options
		p    func(*extractParams)
	}
	// The variants below are the pieces of the answer rules measured one by one
	// (docs/evaluation.md, "Retrieval and answers on the whole sets").
	variants := []variant{
		{"default", Options{}, func(p *extractParams) {}},
		{"no neighbour", Options{}, func(p *extractParams) { p.neighbourRatio = 0 }},
		{"neighbour=0.4", Options{}, func(p *extractParams) { p.neighbourRatio = 0.4 }},
		{"neighbour=0.6", Options{}, func(p *extractParams) { p.neighbourRatio = 0.6 }},
		{"neighbour=0.9", Options{}, func(p *extractParams) { p.neighbourRatio = 0.9 }},
		{"windows as before (80/50)", Options{MaxQuoteRunes: 50}, func(p *extractParams) { p.fullSentence = 80 }},
		{"no lead-in", Options{}, func(p *extractParams) { p.leadIn = false }},
		{"no anaphor", Options{}, func(p *extractParams) { p.anaphor = false }},
		{"no orphan characters", Options{}, func(p *extractParams) { p.orphanWeight = 0 }},
		{"lenNorm=0.1", Options{}, func(p *extractParams) { p.lenNorm = 0.1 }},
		{"inheritFirst=0.8", Options{}, func(p *extractParams) { p.inheritFirst = 0.8 }},
		{"inheritFirst=0.9", Options{}, func(p *extractParams) { p.inheritFirst = 0.9 }},
		{"typeBonus=0.15", Options{}, func(p *extractParams) { p.typeBonus = 0.15 }},
		{"tieBucket=0.03", Options{}, func(p *extractParams) { p.tieBucket = 0.03 }},
		{"secondRatio=0.7", Options{}, func(p *extractParams) { p.secondRatio = 0.7 }},
	}
	only := regexp.MustCompile(*tuneVariants)
	for _, v := range variants {
		if !only.MatchString(v.name) {
			continue
		}
		for _, s := range sets {
			e := New(s.r, nil, v.opts)
			v.p(&e.p)
			t.Logf("%s | %s:%s", v.name, s.name, summary(scoreSet(t, e, s.rows)))
		}
	}
}

var featuresOut = flag.String("features", "", "write per-question extractive features of the eval sets as JSON lines to this file")

// TestDumpFeatures writes, for every row of the eval sets, what the
// extractive engine saw: coverage, scores, the best sentence and passage,
// the abstention reason. It is for studying abstention rules on whole sets:
//
//	go test ./answer -run TestDumpFeatures -features /tmp/f.jsonl
func TestDumpFeatures(t *testing.T) {
	if *featuresOut == "" {
		t.Skip("run with -features FILE")
	}
	f, err := os.Create(*featuresOut)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	enc := json.NewEncoder(f)
	for _, s := range evalSets {
		if !s.available(t) {
			continue
		}
		_, r := realRetriever(t, s)
		e := New(r, nil, Options{})
		for _, row := range loadRows(t, s) {
			res, a := evaluate(t, e, row)
			rec := map[string]any{"set": s.name, "id": row.ID, "kind": row.Kind, "q": row.Question, "gold": row.Answers,
				"abstained": a.NotFound, "hit": res.Hit}
			run := e.begin()
			qt := run.questionTerms(row.Question, 1, false)
			passages, _ := run.r.Retrieve(context.Background(), row.Question, e.opts.TopK)
			views := run.passageViews(passages[:min(len(passages), e.opts.QuotePassages)])
			var pscores []float64
			for _, p := range passages {
				pscores = append(pscores, p.Score)
			}
			rec["pscores"] = pscores
			picks, cov := run.pickQuotes(qt, views, nil)
			rec["cov"] = cov
			if len(picks) > 0 {
				rec["reason"] = string(run.abstainFor(row.Question, picks, views))
				var ps []map[string]any
				for _, pk := range picks {
					ps = append(ps, map[string]any{"quote": pk.pv.p.Text[pk.start:pk.end], "score": pk.score, "cov": pk.cov, "words": pk.words, "par": pk.pv.p.Paragraph})
				}
				rec["picks"] = ps
				rec["passage"] = picks[0].pv.p.Text
			}
			var vt []string
			for _, v := range views {
				vt = append(vt, v.p.Text)
			}
			rec["views"] = vt
			if err := enc.Encode(rec); err != nil {
				t.Fatal(err)
			}
		}
	}
}
