// Package evalset reads question sets (JSON Lines, one question per line)
// and scores retrieval exactly as testdata/eval/README.md defines: text is
// normalised by deleting all whitespace, a passage is relevant when it
// contains any gold answer, recall@k is the share of answerable questions
// with a relevant passage in the top k, and MRR@10 is the mean of 1/rank of
// the first relevant passage (0 if none in the top 10).
//
// Scoring functions are pure and safe for concurrent use; a [Retrieval]
// accumulator is not.
package evalset

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"unicode"
)

// Row is one question of a set.
type Row struct {
	ID       string   `json:"id"`
	Question string   `json:"question"`
	Answers  []string `json:"answers"`
	Kind     string   `json:"kind"`
	Evidence []string `json:"evidence,omitempty"`
}

// Answerable reports whether the row has a gold answer.
func (r Row) Answerable() bool { return len(r.Answers) > 0 }

// maxLine bounds one JSON line (a question set row is small).
const maxLine = 1 << 20

// Load reads a question set file.
func Load(path string) ([]Row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("question set: %w", err)
	}
	defer f.Close()
	rows, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rows, nil
}

// Parse reads JSON Lines rows. Blank lines are skipped; a malformed line is
// an error naming the line. A row with an empty question is kept (the shared
// sets have two, and the scoring counts every row).
func Parse(r io.Reader) ([]Row, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxLine)
	var rows []Row
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if line == 1 {
			b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
		}
		if len(b) == 0 {
			continue
		}
		var row Row
		if err := json.Unmarshal(b, &row); err != nil {
			return nil, fmt.Errorf("line %d: not a JSON question row: %w", line, err)
		}
		if row.ID == "" {
			row.ID = fmt.Sprintf("line%d", line)
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("line %d: longer than %d bytes", line+1, maxLine)
		}
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errors.New("no questions")
	}
	return rows, nil
}

// Normalize deletes all whitespace, as the scoring rules require.
func Normalize(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// Contains reports whether text contains any of the gold answers after
// normalisation.
func Contains(text string, answers []string) bool {
	t := Normalize(text)
	for _, a := range answers {
		if a = Normalize(a); a != "" && strings.Contains(t, a) {
			return true
		}
	}
	return false
}

// FirstRelevant returns the 1-based rank of the first passage text that
// contains a gold answer, or 0.
func FirstRelevant(texts []string, answers []string) int {
	for i, t := range texts {
		if Contains(t, answers) {
			return i + 1
		}
	}
	return 0
}

// Ks are the cut-offs reported by [Retrieval].
var Ks = []int{1, 3, 5, 10}

// Scores are retrieval metrics over a group of questions.
type Scores struct {
	Questions  int     `json:"questions"`
	Answerable int     `json:"answerable"`
	Recall1    float64 `json:"recall@1"`
	Recall3    float64 `json:"recall@3"`
	Recall5    float64 `json:"recall@5"`
	Recall10   float64 `json:"recall@10"`
	MRR10      float64 `json:"mrr@10"`
}

type tally struct {
	questions, answerable int
	hits                  [4]int
	rr                    float64
}

func (t *tally) add(answerable bool, rank int) {
	t.questions++
	if !answerable {
		return
	}
	t.answerable++
	for i, k := range Ks {
		if rank > 0 && rank <= k {
			t.hits[i]++
		}
	}
	if rank > 0 && rank <= 10 {
		t.rr += 1 / float64(rank)
	}
}

func (t *tally) scores() Scores {
	s := Scores{Questions: t.questions, Answerable: t.answerable}
	if t.answerable == 0 {
		return s
	}
	n := float64(t.answerable)
	s.Recall1, s.Recall3, s.Recall5, s.Recall10 = float64(t.hits[0])/n, float64(t.hits[1])/n, float64(t.hits[2])/n, float64(t.hits[3])/n
	s.MRR10 = t.rr / n
	return s
}

// Retrieval accumulates retrieval scores overall and per kind. The zero value
// is ready to use.
type Retrieval struct {
	all    tally
	byKind map[string]*tally
}

// Add scores one question given the texts of its ranked passages (best
// first).
func (r *Retrieval) Add(row Row, ranked []string) {
	rank := 0
	if row.Answerable() {
		rank = FirstRelevant(ranked, row.Answers)
	}
	r.all.add(row.Answerable(), rank)
	if r.byKind == nil {
		r.byKind = map[string]*tally{}
	}
	t := r.byKind[row.Kind]
	if t == nil {
		t = &tally{}
		r.byKind[row.Kind] = t
	}
	t.add(row.Answerable(), rank)
}

// Scores returns the overall scores.
func (r *Retrieval) Scores() Scores { return r.all.scores() }

// ByKind returns the scores of each kind.
func (r *Retrieval) ByKind() map[string]Scores {
	out := make(map[string]Scores, len(r.byKind))
	for k, t := range r.byKind {
		out[k] = t.scores()
	}
	return out
}

// Kinds returns the kinds seen, sorted.
func (r *Retrieval) Kinds() []string {
	var ks []string
	for k := range r.byKind {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Percentile returns the p-th percentile (0..100) of xs by nearest rank; xs
// is sorted in place.
func Percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sort.Float64s(xs)
	i := int(p/100*float64(len(xs)) + 0.5)
	if i < 1 {
		i = 1
	}
	if i > len(xs) {
		i = len(xs)
	}
	return xs[i-1]
}
