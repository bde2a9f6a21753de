package answer

import (
	"context"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/citebot/citebot/retrieval/document"
	"github.com/citebot/citebot/retrieval/text"
)

func TestTopical(t *testing.T) {
	tests := []struct {
		q    string
		want bool
	}{
		{"那能源方面呢？", true},
		{"还有什么具体要求？", false},
		{"还有呢？", false},
		{"他还说了什么？", false},
		{"那上海呢？", true},
		{"What about energy?", true},
		{"What else?", false},
		{"Tell me more about it.", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := topical(tt.q); got != tt.want {
			t.Errorf("topical(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

func TestQuestionShape(t *testing.T) {
	tests := []struct {
		q, unit, wants string
	}{
		{"这次座谈会开了几天？", "天", "number"},
		{"理事会的委员中有多少人为学生?", "人", "number"},
		{"尤金袋鼠的体重大约是多少？", "", "number"},
		{"基督教神学院兴建于哪一年？", "", "time"},
		{"計算神經科學一詞首次出現是在什麼時候？", "", "time"},
		{"上海市委书记是谁？", "", "person"},
		{"中央为长江经济带安排了多少亿元投资？", "元", "number"},
		{"长江全长多少公里？", "公里", "number"},
		{"How many people attended?", "", "number"},
	}
	for _, tt := range tests {
		runes := []rune(tt.q)
		if got := quantityUnit(runes); got != tt.unit {
			t.Errorf("quantityUnit(%q) = %q, want %q", tt.q, got, tt.unit)
		}
		if got := answerType(tt.q); got != tt.wants {
			t.Errorf("answerType(%q) = %q, want %q", tt.q, got, tt.wants)
		}
	}
}

// TestCompoundUnitsFolded: quantityUnit reads a folded question, so the
// list holds the folded form of each unit.
func TestCompoundUnitsFolded(t *testing.T) {
	for _, u := range compoundUnits {
		if !slices.Contains(compoundUnits, text.Fold(u)) {
			t.Errorf("compoundUnits holds %q but not its fold %q", u, text.Fold(u))
		}
	}
	if got := quantityUnit([]rune(text.Fold("花了多少日圓？"))); got != "日圆" {
		t.Errorf("unit of a Traditional question %q, want 日圆", got)
	}
}

func TestHasQuantity(t *testing.T) {
	tests := []struct {
		text, unit string
		want       bool
	}{
		{"会议开了三天", "天", true},
		{"会期5天", "天", true},
		{"天气很好，12日下午开会", "天", false},
		{"约有两百人参加", "人", true},
		{"人很多", "人", false},
		{"會議開了三個月", "个", true}, // either script
		{"三个月", "個", true},
	}
	for _, tt := range tests {
		if got := hasQuantity(tt.text, tt.unit); got != tt.want {
			t.Errorf("hasQuantity(%q, %q) = %v, want %v", tt.text, tt.unit, got, tt.want)
		}
	}
}

func TestQuestionTermsSkipQuestionWords(t *testing.T) {
	v, _ := verifyFixture(t)
	qt := v.e.questionTerms("长江禁渔有什么要求？", 1, false)
	for _, term := range qt.terms {
		switch term.tok {
		case "什么", "什", "么", "有什", "么要":
			t.Errorf("question word %q kept as a term", term.tok)
		}
	}
	found := false
	for _, term := range qt.terms {
		found = found || term.tok == "禁渔"
	}
	if !found {
		t.Errorf("terms %v lack 禁渔", qt.terms)
	}
}

func FuzzQuestionTerms(f *testing.F) {
	for _, s := range []string{"长江十年禁渔有什么要求？", "那能源方面呢？", "What about AI?", "几几几", "多少", "\xff几", "ＡＢＣ多少人"} {
		f.Add(s)
	}
	v, _ := verifyFixture(f)
	f.Fuzz(func(t *testing.T, q string) {
		for _, followup := range []bool{false, true} {
			qt := v.e.questionTerms(q, 1, followup)
			sum := 0.0
			for _, term := range qt.terms {
				if term.w <= 0 || term.tok == "" {
					t.Fatalf("term %+v", term)
				}
				sum += term.w
			}
			if sum-qt.total > 1e-9 || qt.total-sum > 1e-9 {
				t.Fatalf("total %v, sum of weights %v", qt.total, sum)
			}
			if qt.unit != "" && utf8.RuneCountInString(qt.unit) != 1 {
				t.Fatalf("unit %q", qt.unit)
			}
		}
		topical(q)
		newContinuation(q)
	})
}

// TestLemmaTerms checks that English question words match sentences by
// their lemmas: "fires" in a question finds "fire" and "fired" in the
// documents, and the reverse.
func TestLemmaTerms(t *testing.T) {
	paras := []string{"Fire destroyed the old town.", "The guards fired at the ships.", "Nothing else happened there."}
	r := bareRun(Options{})
	r.st = &corpusStats{n: len(paras), lang: "en", df: map[string]int{}}
	for _, p := range paras {
		for tok := range tokenSet(p) {
			r.st.df[tok]++
		}
	}
	if r.st.df["fire"] != 2 || r.st.df["fired"] != 1 {
		t.Fatalf("df of fire %d, of fired %d: want 2 and 1", r.st.df["fire"], r.st.df["fired"])
	}
	for _, q := range []string{"What did the fires destroy?", "Who was firing?"} {
		qt := r.questionTerms(q, 1, false)
		var toks []string
		for _, term := range qt.terms {
			toks = append(toks, term.tok)
		}
		if !slices.Contains(toks, "fire") {
			t.Errorf("terms of %q: %v, want fire among them", q, toks)
		}
		if c := coverage(qt, tokenSet(paras[1])); c == 0 {
			t.Errorf("%q covers nothing of %q", q, paras[1])
		}
	}
	if set := tokenSet("Wolves ran"); !set["wolves"] || !set["wolf"] || !set["run"] || !set["ran"] {
		t.Errorf("tokenSet lacks a word or its lemma: %v", set)
	}
}

// TestScriptFoldingAnswer: a question in one script is answered from a
// document in the other, with the document's own characters quoted, and
// the abstention rules read both scripts alike.
func TestScriptFoldingAnswer(t *testing.T) {
	hant, err := document.Parse("hant.txt", []byte("坦贊鐵路\n\n坦贊鐵路是一條連接坦尚尼亞和尚比亞的鐵路，全長1860公里，1976年全線通車。\n\n臺灣省的行政中心位於南投縣。\n"))
	if err != nil {
		t.Fatal(err)
	}
	hans, err := document.Parse("hans.txt", []byte("长江十年禁渔\n\n长江流域重点水域实行十年禁渔，渔民全部退捕上岸。\n"))
	if err != nil {
		t.Fatal(err)
	}
	hantEngine, hansEngine := crossLingualEngine(t, hant), crossLingualEngine(t, hans)
	for _, tc := range []struct {
		name     string
		e        *Engine
		question string
		quote    string // "" for an abstention
	}{
		{"simplified about traditional", hantEngine, "坦赞铁路是怎么回事？", "坦贊鐵路是一條"},
		{"simplified, a quantity", hantEngine, "坦赞铁路全长多少公里？", "全長1860公里"},
		{"simplified, a place name", hantEngine, "台湾省的行政中心在哪里？", "南投縣"},
		{"simplified, a place name absent", hantEngine, "湖北省的行政中心在哪里？", ""},
		{"traditional about simplified", hansEngine, "長江禁漁實行多少年？", "十年禁渔"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := tc.e.Answer(context.Background(), Question{Text: tc.question}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.quote == "" {
				if !a.NotFound {
					t.Errorf("answered %q, want an abstention", a.Text)
				}
				return
			}
			if a.NotFound || len(a.Citations) == 0 || !strings.Contains(a.Citations[0].Quote, tc.quote) {
				t.Fatalf("answer %q (not found %v), want a first quote holding %q", a.Text, a.NotFound, tc.quote)
			}
			for _, d := range []*document.Document{hant, hans} {
				if c := a.Citations[0]; c.Doc == d.Name && d.Text[c.Start:c.End] != c.Quote {
					t.Errorf("quote %q is not the document's text at its offsets", c.Quote)
				}
			}
		})
	}
}
