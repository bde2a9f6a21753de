package eval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
)

// Report is what `citebot eval` prints: the set, how it was run, timings
// and the metrics overall and per row kind.
type Report struct {
	Set       string  `json:"set"`
	Retriever string  `json:"retriever"`
	Mode      string  `json:"mode"`
	Passages  int     `json:"passages"`
	IndexMS   float64 `json:"index_ms"`
	QueryP50  float64 `json:"query_ms_p50"`
	QueryP95  float64 `json:"query_ms_p95"`
	Scores
	ByKind map[string]Scores `json:"by_kind"`
	// ByType groups the questions by the answer type they ask for.
	ByType map[string]Scores `json:"by_answer_type,omitempty"`
}

// NewReport fills the metrics and latency figures of a report from m and
// the search latencies lat (in milliseconds; sorted in place).
func NewReport(set, retriever, mode string, passages int, index float64, m *Metrics, lat []float64) Report {
	return Report{
		Set: set, Retriever: retriever, Mode: mode, Passages: passages, IndexMS: index,
		QueryP50: Percentile(lat, 50), QueryP95: Percentile(lat, 95),
		Scores: m.Scores(), ByKind: m.ByKind(), ByType: m.ByType(),
	}
}

// WriteText writes r as the table `citebot eval` prints: one line overall,
// then one per row kind.
func (r Report) WriteText(w io.Writer, kinds []string) {
	fmt.Fprintf(w, "set %s: %d questions (%d answerable), %d passages, retriever %s, answers %s\n",
		r.Set, r.Questions, r.Answerable, r.Passages, r.Retriever, r.Mode)
	fmt.Fprintf(w, "index %.0f ms, query p50 %.2f ms, p95 %.2f ms\n", r.IndexMS, r.QueryP50, r.QueryP95)
	answers := r.QuoteScores != nil
	fmt.Fprintf(w, "%-18s %5s %9s %9s %9s %9s %7s", "kind", "n", "recall@1", "recall@3", "recall@5", "recall@10", "mrr@10")
	if answers {
		fmt.Fprintf(w, " %11s %9s %8s %9s %7s %6s", "quote_hit@1", "hit@any", "abstain", "f_abstain", "q_chars", "whole")
	}
	fmt.Fprintln(w)
	line := func(name string, s Scores) {
		fmt.Fprintf(w, "%-18s %5d %9.3f %9.3f %9.3f %9.3f %7.3f", name, s.Questions, s.Recall1, s.Recall3, s.Recall5, s.Recall10, s.MRR10)
		if answers {
			q := s.Quotes()
			fmt.Fprintf(w, " %11.3f %9.3f %8.3f %9.3f %7.1f %6.3f", q.QuoteHit1, q.QuoteHitAny, q.AbstainRate, q.FalseAbstainRate, q.QuoteCharsMean, q.WholeSentenceRate)
			if q.EvidenceRows > 0 {
				fmt.Fprintf(w, " evidence_hit@1 %.3f (%d)", q.EvidenceHit1, q.EvidenceRows)
			}
		}
		fmt.Fprintln(w)
	}
	line("all", r.Scores)
	for _, kind := range kinds {
		line(kind, r.ByKind[kind])
	}
	if !answers || len(r.ByType) == 0 {
		return
	}
	fmt.Fprintf(w, "%-18s %5s %9s %11s %10s\n", "asks for", "n", "recall@1", "quote_hit@1", "typed_span")
	for _, t := range []string{"time", "number", "place", "person"} {
		if s, ok := r.ByType[t]; ok && s.Answerable > 0 {
			fmt.Fprintf(w, "%-18s %5d %9.3f %11.3f %10.3f\n", t, s.Answerable, s.Recall1, s.Quotes().QuoteHit1, s.Quotes().TypedSpan)
		}
	}
}

// WriteResults writes one JSON object per line for each result, in order:
// the form of `citebot eval --per-question FILE`.
func WriteResults(w io.Writer, results []Result) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, r := range results {
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("write result %s: %w", r.ID, err)
		}
	}
	return bw.Flush()
}
