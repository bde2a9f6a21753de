package answer

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/citebot/citebot/retrieval/document"
)

func TestEstimateTokens(t *testing.T) {
	for _, tt := range []struct {
		s    string
		want int
	}{
		{"", 0}, {"abc", 1}, {"abcd", 2}, {"长江", 3}, {"长江禁渔", 6}, {"AI 长江", 4},
	} {
		if got := estimateTokens(tt.s); got != tt.want {
			t.Errorf("estimateTokens(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

// TestPromptBudget: the answer prompt fits the context window with the
// completion's tokens free, leaving out the lowest-ranked passages (the
// best one always stays, cut at a sentence end when it alone is too
// long), and the reply is verified against the passages sent.
func TestPromptBudget(t *testing.T) {
	docs, r := realRetriever(t, evalSets[0])
	tests := []struct {
		name           string
		window, tokens int
		wantPassages   func(n int) bool
	}{
		{"roomy", 100_000, 1024, func(n int) bool { return n == 5 }},
		{"default", 0, 0, func(n int) bool { return n >= 3 && n <= 5 }},
		{"Ollama's default", 4096, 1024, func(n int) bool { return n >= 1 && n < 5 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newScriptedModel(true, func(n int, c chatCall) reply {
				return reply{text: fmt.Sprintf("会议要求「坚定推进长江“十年禁渔”」[%d]。", max(1, fish(c)))}
			})
			e := New(r, m, Options{ContextWindow: tt.window, MaxCompletionTokens: tt.tokens})
			a, err := e.Answer(context.Background(), Question{Text: "长江十年禁渔有什么要求？"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			calls := m.recorded()
			if len(calls) != 1 {
				t.Fatalf("%d calls", len(calls))
			}
			nums, texts := calls[0].passages()
			budget := e.begin().promptBudget()
			if used := estimateMessages(calls[0].Messages); used > budget {
				t.Errorf("prompt of %d tokens over the budget of %d", used, budget)
			}
			if !tt.wantPassages(len(nums)) {
				t.Errorf("%d passages in the prompt (budget %d)", len(nums), budget)
			}
			checkAnswerQuotes(t, docMap(docs), a)
			for _, c := range a.Citations {
				if !strings.Contains(strings.Join(texts, "\n"), c.Quote) && a.Mode == LLM {
					t.Errorf("citation %q is not in a passage sent", c.Quote)
				}
			}
		})
	}
}

// TestPromptBudgetCutsFirstPassage: a best passage too long for the
// budget on its own is cut after its last sentence that fits, and its
// offsets still locate its text.
func TestPromptBudgetCutsFirstPassage(t *testing.T) {
	long := strings.Repeat("长江流域要坚持生态优先、绿色发展。", 200)
	doc, err := document.Parse("long.txt", []byte(long+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	r := newBM25Retriever(t, []*document.Document{doc})
	e := New(r, nil, Options{ContextWindow: 1200, MaxCompletionTokens: 500}).begin()
	ps, err := r.Retrieve(context.Background(), "生态优先", 3)
	if err != nil || len(ps) == 0 {
		t.Fatalf("retrieve: %v %d", err, len(ps))
	}
	msgs, sent, err := e.answerPrompt("生态优先是什么？", "zh", ps)
	if err != nil {
		t.Fatal(err)
	}
	if len(sent) != 1 || sent[0].Text == "" || len(sent[0].Text) >= len(ps[0].Text) {
		t.Fatalf("sent %d passages, first of %d bytes (was %d)", len(sent), len(sent[0].Text), len(ps[0].Text))
	}
	if !strings.HasSuffix(sent[0].Text, "。") || doc.Text[sent[0].Start:sent[0].End] != sent[0].Text {
		t.Errorf("cut passage %q is not document text ending a sentence", sent[0].Text)
	}
	if used := estimateMessages(msgs); used > e.promptBudget() {
		t.Errorf("prompt of %d tokens over the budget of %d", used, e.promptBudget())
	}
}

// TestFitPrefix: the prefix fitPrefix returns fits room by estimateTokens,
// ends at a sentence end when one fits, and is the longest one that does.
func TestFitPrefix(t *testing.T) {
	for _, tt := range []struct {
		s    string
		room int
		want string
	}{
		{"", 5, ""},
		{"abc", 0, ""},
		{"abcdef", 1, "abc"},
		{"长江禁渔", 3, "长江"},
		{"长江禁渔", 4, "长江"},
		{"长江。禁渔", 6, "长江。"},
		{"长江。禁渔十年", 9, "长江。"},
		{"AI 长江禁渔。", 100, "AI 长江禁渔。"},
	} {
		end := fitPrefix(tt.s, tt.room)
		if got := tt.s[:end]; got != tt.want {
			t.Errorf("fitPrefix(%q, %d) = %q, want %q", tt.s, tt.room, got, tt.want)
		}
		if n := estimateTokens(tt.s[:end]); n > tt.room {
			t.Errorf("fitPrefix(%q, %d): prefix of %d tokens", tt.s, tt.room, n)
		}
	}
}
