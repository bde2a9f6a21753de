package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/retrieval"
	"github.com/citebot/citebot/retrieval/evalset"
)

// evalReport is what `citebot eval --json` prints.
type evalReport struct {
	Set        string  `json:"set"`
	Retriever  string  `json:"retriever"`
	Mode       string  `json:"mode"`
	Questions  int     `json:"questions"`
	Answerable int     `json:"answerable"`
	Passages   int     `json:"passages"`
	Recall1    float64 `json:"recall@1"`
	Recall3    float64 `json:"recall@3"`
	Recall5    float64 `json:"recall@5"`
	Recall10   float64 `json:"recall@10"`
	MRR10      float64 `json:"mrr@10"`
	IndexMS    float64 `json:"index_ms"`
	QueryP50   float64 `json:"query_ms_p50"`
	QueryP95   float64 `json:"query_ms_p95"`
	quoteReport
	ByKind map[string]kindReport `json:"by_kind"`
}

// quoteReport holds the answer metrics of the active mode; they are absent
// with --no-answers.
type quoteReport struct {
	QuoteHit1        *float64 `json:"quote_hit@1,omitempty"`
	AbstainRate      *float64 `json:"abstain_rate,omitempty"`
	FalseAbstainRate *float64 `json:"false_abstain_rate,omitempty"`
	QuoteCharsMean   *float64 `json:"quote_chars_mean,omitempty"`
}

func newQuoteReport(q answer.QuoteScores, ok bool) quoteReport {
	if !ok {
		return quoteReport{}
	}
	return quoteReport{&q.QuoteHit1, &q.AbstainRate, &q.FalseAbstainRate, &q.QuoteCharsMean}
}

type kindReport struct {
	evalset.Scores
	quoteReport
}

// runEval scores retrieval (and, unless --no-answers, the answers' quotes) on
// a question set.
func runEval(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var qa, method string
	var k int
	var asJSON, noAnswers bool
	c, err := parse("eval", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&qa, "qa", "", "question set `file` (.jsonl)")
		fs.IntVar(&k, "k", 10, "passages retrieved per question")
		fs.BoolVar(&asJSON, "json", false, "print one JSON object")
		fs.StringVar(&method, "retriever", "hybrid", "hybrid, lexical or vector")
		fs.BoolVar(&noAnswers, "no-answers", false, "score retrieval only, skip the answer engine")
	})
	if err != nil {
		return err
	}
	if qa == "" {
		return errors.New("eval needs --qa FILE.jsonl, e.g. --qa testdata/eval/seed_dev.jsonl")
	}
	if k < 1 {
		return fmt.Errorf("--k %d: use at least 1", k)
	}
	rows, err := evalset.Load(qa)
	if err != nil {
		return err
	}
	ix, st, err := c.openIndex(ctx)
	if err != nil {
		return err
	}
	var ret evalset.Retrieval
	lat := make([]float64, 0, len(rows))
	for _, row := range rows {
		t0 := time.Now()
		hits, err := ix.SearchWith(ctx, row.Question, k, method)
		if errors.Is(err, retrieval.ErrEmptyQuery) {
			err = nil // the shared sets hold two blank questions: scored as misses
		}
		if err != nil {
			return fmt.Errorf("question %s: %w", row.ID, err)
		}
		lat = append(lat, float64(time.Since(t0).Microseconds())/1000)
		texts := make([]string, len(hits))
		for i, h := range hits {
			texts[i] = h.Text
		}
		ret.Add(row, texts)
	}
	mode := "none"
	var quotes answer.QuoteMetrics
	if !noAnswers {
		eng := c.engine(ix)
		mode = string(answer.Extractive)
		if c.cfg.Model != "" {
			mode = string(answer.LLM)
		}
		for _, row := range rows {
			res, _, err := eng.Evaluate(ctx, answer.EvalRow{ID: row.ID, Question: row.Question, Answers: row.Answers, Kind: row.Kind})
			if err != nil {
				return fmt.Errorf("question %s: %w", row.ID, err)
			}
			quotes.AddResult(res)
		}
	}
	s := ret.Scores()
	rep := evalReport{
		Set: qa, Retriever: method, Mode: mode,
		Questions: s.Questions, Answerable: s.Answerable, Passages: st.Passages,
		Recall1: s.Recall1, Recall3: s.Recall3, Recall5: s.Recall5, Recall10: s.Recall10, MRR10: s.MRR10,
		IndexMS:  float64(st.Duration.Microseconds()) / 1000,
		QueryP50: evalset.Percentile(lat, 50), QueryP95: evalset.Percentile(lat, 95),
		quoteReport: newQuoteReport(quotes.Scores(), !noAnswers),
		ByKind:      map[string]kindReport{},
	}
	qk := quotes.ByKind()
	for kind, ks := range ret.ByKind() {
		rep.ByKind[kind] = kindReport{Scores: ks, quoteReport: newQuoteReport(qk[kind], !noAnswers)}
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(rep)
	}
	fmt.Fprintf(stdout, "set %s: %d questions (%d answerable), %d passages, retriever %s, answers %s\n",
		qa, rep.Questions, rep.Answerable, rep.Passages, method, mode)
	fmt.Fprintf(stdout, "index %.0f ms, query p50 %.2f ms, p95 %.2f ms\n", rep.IndexMS, rep.QueryP50, rep.QueryP95)
	fmt.Fprintf(stdout, "%-18s %5s %9s %9s %9s %9s %7s", "kind", "n", "recall@1", "recall@3", "recall@5", "recall@10", "mrr@10")
	if !noAnswers {
		fmt.Fprintf(stdout, " %11s %8s %9s %7s", "quote_hit@1", "abstain", "f_abstain", "q_chars")
	}
	fmt.Fprintln(stdout)
	line := func(name string, sc evalset.Scores, q answer.QuoteScores) {
		fmt.Fprintf(stdout, "%-18s %5d %9.3f %9.3f %9.3f %9.3f %7.3f", name, sc.Questions, sc.Recall1, sc.Recall3, sc.Recall5, sc.Recall10, sc.MRR10)
		if !noAnswers {
			fmt.Fprintf(stdout, " %11.3f %8.3f %9.3f %7.1f", q.QuoteHit1, q.AbstainRate, q.FalseAbstainRate, q.QuoteCharsMean)
		}
		fmt.Fprintln(stdout)
	}
	line("all", s, quotes.Scores())
	for _, kind := range ret.Kinds() {
		line(kind, rep.ByKind[kind].Scores, qk[kind])
	}
	return nil
}
