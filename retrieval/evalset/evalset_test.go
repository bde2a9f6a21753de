package evalset

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
	for name, n := range map[string]int{"seed_dev.jsonl": 13, "cmrc2018_trial.jsonl": 1002, "drcd_dev.jsonl": 3524} {
		rows, err := Load(filepath.Join("..", "..", "testdata", "eval", name))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != n {
			t.Errorf("%s: %d rows, want %d", name, len(rows), n)
		}
	}
}

func TestRetrievalScores(t *testing.T) {
	var r Retrieval
	r.Add(Row{Question: "a", Answers: []string{"甲 乙"}, Kind: "x"}, []string{"无", "有甲乙", "甲乙"}) // rank 2
	r.Add(Row{Question: "b", Answers: []string{"丙"}, Kind: "x"}, []string{"丙"})                // rank 1
	r.Add(Row{Question: "c", Answers: []string{"丁"}, Kind: "y"}, []string{"无"})                // miss
	r.Add(Row{Question: "d", Kind: "y"}, []string{"无"})                                        // unanswerable
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
