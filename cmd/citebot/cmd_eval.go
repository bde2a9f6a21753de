package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/eval"
	"github.com/citebot/citebot/retrieval"
)

// evalFlags are the flags of `citebot eval`.
type evalFlags struct {
	qa, method, perQuestion string
	k                       int
	json, noAnswers         bool
}

func (f *evalFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.qa, "qa", "", "question set `file` (.jsonl)")
	fs.IntVar(&f.k, "k", 10, "passages retrieved per question")
	fs.BoolVar(&f.json, "json", false, "print one JSON object")
	fs.StringVar(&f.method, "retriever", "hybrid", "hybrid, lexical or vector")
	fs.BoolVar(&f.noAnswers, "no-answers", false, "score retrieval only, skip the answer engine")
	fs.StringVar(&f.perQuestion, "per-question", "", "write one JSON line per question (id, kind, hit, abstained, paragraph, quote) to `file`")
}

// runEval scores retrieval (and, unless --no-answers, the answers' quotes) on
// a question set.
func runEval(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var f evalFlags
	c, err := parse("eval", args, getenv, stderr, f.register)
	if err != nil {
		return err
	}
	if f.qa == "" {
		return errors.New("eval needs --qa FILE.jsonl, e.g. --qa testdata/eval/seed_dev.jsonl")
	}
	if f.k < 1 {
		return fmt.Errorf("--k %d: use at least 1", f.k)
	}
	// The question set loads while the index builds.
	var rows []eval.Row
	loaded := make(chan error, 1)
	go func() {
		var err error
		rows, err = eval.Load(f.qa)
		loaded <- err
	}()
	ix, st, err := c.openIndex(ctx)
	if err := <-loaded; err != nil {
		return err
	}
	if err != nil {
		return err
	}
	search := func(ctx context.Context, q string) ([]string, error) {
		hits, err := ix.SearchWith(ctx, q, f.k, f.method)
		if errors.Is(err, retrieval.ErrEmptyQuery) {
			return nil, nil // the shared sets hold two blank questions: scored as misses
		}
		texts := make([]string, len(hits))
		for i, h := range hits {
			texts[i] = h.Text
		}
		return texts, err
	}
	mode, answerer := "none", eval.Answerer(nil)
	if !f.noAnswers {
		eng := c.engine(ix)
		mode, answerer = string(eng.Mode()), answer.EvalAnswerer(eng)
	}
	results, m, lat, err := eval.Run(ctx, rows, search, answerer)
	if err != nil {
		return err
	}
	if f.perQuestion != "" {
		if err := eval.WriteResultsFile(f.perQuestion, results); err != nil {
			return err
		}
	}
	rep := eval.NewReport(f.qa, f.method, mode, st.Passages, float64(st.Duration.Microseconds())/1000, m, lat)
	if f.json {
		return printJSON(stdout, rep)
	}
	rep.WriteText(stdout, m.Kinds())
	return nil
}
