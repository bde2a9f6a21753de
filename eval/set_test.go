package eval

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    int
		wantErr string
	}{
		{"one row", `{"id":"a","question":"q?","answers":["x"],"kind":"k"}`, 1, ""},
		{"blank lines and BOM", "\xef\xbb\xbf{\"question\":\"q\"}\n\n{\"question\":\"r\",\"answers\":[]}\n", 2, ""},
		{"malformed", "{\"question\":\"q\"}\n{oops\n", 0, "line 2"},
		{"empty question kept", `{"id":"a","question":"","answers":["x"]}`, 1, ""},
		{"not an object", `["q"]`, 0, "line 1"},
		{"empty", "\n\n", 0, "no questions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := Parse(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != tt.want {
				t.Fatalf("got %d rows, want %d", len(rows), tt.want)
			}
		})
	}
}

func TestSharedSetsParse(t *testing.T) {
	for name, n := range map[string]int{"seed_dev.jsonl": 46, "cmrc2018_trial.jsonl": 1002, "drcd_dev.jsonl": 3524} {
		rows, err := Load(filepath.Join("..", "testdata", "eval", name))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != n {
			t.Errorf("%s: %d rows, want %d", name, len(rows), n)
		}
	}
}

func TestRetrievalScores(t *testing.T) {
	var r Metrics
	r.Add(Score(Row{Question: "a", Answers: []string{"甲 乙"}, Kind: "x"}, []string{"无", "有甲乙", "甲乙"}, nil)) // rank 2
	r.Add(Score(Row{Question: "b", Answers: []string{"丙"}, Kind: "x"}, []string{"丙"}, nil))                // rank 1
	r.Add(Score(Row{Question: "c", Answers: []string{"丁"}, Kind: "y"}, []string{"无"}, nil))                // miss
	r.Add(Score(Row{Question: "d", Kind: "y"}, []string{"无"}, nil))                                        // unanswerable
	if r.Scores().QuoteScores != nil {
		t.Fatal("quote scores without answers")
	}
	s := r.Scores()
	if s.Questions != 4 || s.Answerable != 3 {
		t.Fatalf("counts = %+v", s)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if !near(s.Recall1, 1.0/3) || !near(s.Recall3, 2.0/3) || !near(s.MRR10, 1.5/3) {
		t.Fatalf("scores = %+v", s)
	}
	if k := r.ByKind()["y"]; k.Questions != 2 || k.Answerable != 1 || k.Recall10 != 0 {
		t.Fatalf("kind y = %+v", k)
	}
}

func TestQuoteScores(t *testing.T) {
	q := func(text string, whole bool) Quote { return Quote{Text: text, Whole: whole} }
	var m Metrics
	m.Add(Score(Row{Answers: []string{"甲乙"}, Kind: "x"}, nil, &Answered{Quotes: []Quote{{Text: "有 甲乙 丙", Paragraph: 2, Whole: true}}})) // hit
	m.Add(Score(Row{Answers: []string{"丁"}, Kind: "x"}, nil, &Answered{Quotes: []Quote{q("无关", false), q("有丁", true)}}))                // hit only in the second quote
	m.Add(Score(Row{Answers: []string{"戊"}, Kind: "x"}, nil, &Answered{Abstained: true}))                                               // false abstention
	m.Add(Score(Row{Kind: "y"}, nil, &Answered{Abstained: true}))                                                                       // right abstention
	m.Add(Score(Row{Kind: "y"}, nil, &Answered{Quotes: []Quote{q("答", true)}}))                                                         // answered the unanswerable
	s := m.Scores().Quotes()
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if !near(s.QuoteHit1, 1.0/3) || !near(s.QuoteHitAny, 2.0/3) || !near(s.FalseAbstainRate, 1.0/3) || !near(s.AbstainRate, 0.5) ||
		!near(s.QuoteCharsMean, 3) || !near(s.WholeSentenceRate, 2.0/3) || s.EvidenceRows != 0 {
		t.Fatalf("quote scores = %+v", s)
	}
	if k := m.ByKind()["y"].Quotes(); k.AbstainRate != 0.5 {
		t.Fatalf("kind y = %+v", k)
	}
}

func TestEvidenceHit(t *testing.T) {
	row := Row{Answers: []string{"1066"}, Evidence: []string{"The battle was fought in 1066.", "It ended at dusk."}}
	tests := []struct {
		name  string
		quote string
		want  bool
	}{
		{"evidence sentence quoted", "The battle was fought in 1066.", true},
		{"part of the evidence", "fought in 1066", true},
		{"answer elsewhere", "A coin of 1066 was found later.", false},
		{"evidence without the answer", "It ended at dusk.", false},
	}
	var m Metrics
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Score(row, nil, &Answered{Quotes: []Quote{{Text: tt.quote}}})
			m.Add(r)
			if !r.Evidence || r.EvidenceHit != tt.want {
				t.Fatalf("result = %+v, want evidence hit %v", r, tt.want)
			}
		})
	}
	if s := m.Scores().Quotes(); s.EvidenceRows != 4 || s.EvidenceHit1 != 0.5 {
		t.Fatalf("scores = %+v", s)
	}
}

func TestWriteResults(t *testing.T) {
	rows := []Row{{ID: "a", Question: "q<1>", Answers: []string{"x"}, Kind: "k"}, {ID: "b", Question: "r", Kind: "u"}}
	results := []Result{
		Score(rows[0], []string{"x"}, &Answered{Quotes: []Quote{{Text: "x & y", Paragraph: 3, Whole: true}}}),
		Score(rows[1], nil, &Answered{Abstained: true}),
	}
	var b strings.Builder
	if err := WriteResults(&b, results); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines:\n%s", len(lines), b.String())
	}
	for _, want := range []string{`"id":"a"`, `"question":"q<1>"`, `"hit":true`, `"quote":"x & y"`, `"paragraph":3`, `"whole_sentence":true`, `"rank":1`} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("line %s lacks %s", lines[0], want)
		}
	}
	if !strings.Contains(lines[1], `"abstained":true`) || strings.Contains(lines[1], `"quote"`) {
		t.Errorf("abstention line = %s", lines[1])
	}
}

func TestPercentile(t *testing.T) {
	if got := Percentile([]float64{5, 1, 3, 2, 4}, 50); got != 3 {
		t.Fatalf("p50 = %v", got)
	}
	if got := Percentile(nil, 95); got != 0 {
		t.Fatalf("empty p95 = %v", got)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(`{"id":"a","question":"q?","answers":["x"],"kind":"k"}`)
	f.Add("{\n")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := Parse(strings.NewReader(in))
		if err == nil && len(rows) == 0 {
			t.Fatal("no error and no rows")
		}
		for _, r := range rows {
			if r.ID == "" {
				t.Fatal("row without id")
			}
		}
	})
}
