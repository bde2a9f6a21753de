package answer

import (
	"strings"
	"testing"

	"github.com/citebot/citebot/retrieval/document"
)

const verifyDoc = `# 长江保护

要坚定推进长江“十年禁渔”，巩固好已经取得的成果。他说：「要『保护』好母亲河。」完善横向生态保护补偿机制（试点）；推进 AI 应用。

The river authority closes fishing for ten years. Boats were bought back, and fishers retrained.

加快建设新型能源体系，推进源网荷储一体化。
`

// verifyFixture returns a verifier over every passage of a small document.
func verifyFixture(tb testing.TB) (*verifier, map[string]*document.Document) {
	tb.Helper()
	doc, err := document.Parse("doc.md", []byte(verifyDoc))
	if err != nil {
		tb.Fatal(err)
	}
	docs := []*document.Document{doc}
	r := newBM25Retriever(tb, docs)
	e := New(r, nil, Options{}).begin()
	var views []*passageView
	for _, p := range r.passages {
		if p.Paragraph == 0 {
			continue
		}
		views = append(views, e.newPassageView(Passage{Doc: p.Doc, Paragraph: p.Paragraph, Text: p.Text, Start: p.Start, End: p.End}))
	}
	return &verifier{e: e, views: views, terms: e.questionTerms("长江禁渔有什么要求？", 1, false)}, docMap(docs)
}

func TestVerifierRender(t *testing.T) {
	v, _ := verifyFixture(t)
	tests := []struct {
		name     string
		raw      string
		final    bool
		want     string
		quotes   int
		notFound bool
	}{
		{"verified quote", "要求「坚定推进长江\"十年禁渔\"」[1]。", true, "要求「坚定推进长江“十年禁渔”」[1]。", 1, false},
		{"renumbered in order", "「新型能源体系」[3]，「closes fishing for ten years」[2]", true, "「新型能源体系」[1]，「closes fishing for ten years」[2]", 2, false},
		{"bare marker reuses the passage's citation", "「新型能源体系」[3]，见[3]。", true, "「新型能源体系」[1]，见[1]。", 1, false},
		{"fabricated quote dropped, marker kept", "要求「每年禁渔三个月」[1]。", true, "要求[1]。", 0, false},
		{"quote found in another passage", "「新型能源体系」[1]", true, "「新型能源体系」[1]", 1, false},
		{"unmarked quote gets a marker", "他说「推进 AI 应用」。", true, "他说「推进 AI 应用」[1]。", 1, false},
		{"unmarked fabricated quote removed", "他说「火星探测器」。", true, "他说。", 0, false},
		{"out of range markers removed", "见[0]、[4]和[999]。", true, "见、和。", 0, false},
		{"nested corner quotes", "「要『保护』好母亲河」[1]", true, "「要『保护』好母亲河」[1]", 1, false},
		{"sentinel", "NOT_FOUND", true, "", 0, true},
		{"partial: open quote held back", "要求「坚定推进长", false, "要求", 0, false},
		{"partial: marker pending", "要求「坚定推进长江」", false, "要求", 0, false},
		{"partial: heading mark held back", "好\n#", false, "好", 0, false},
		{"partial: half marker held back", "要求「坚定推进长江」[1", false, "要求", 0, false},
		{"partial: half marker after prose held back", "要求坚定推进[1", false, "要求坚定推进", 0, false},
		{"partial: sentinel prefix held back", "NOT_FO", false, "", 0, false},
		{"partial: tag held back", "好<scr", false, "好", 0, false},
		{"cut: open quote dropped", "「新型能源体系」[3]，并「完善横", true, "「新型能源体系」[1]，并", 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := v.render(tt.raw, tt.final)
			if got.text != tt.want || got.quotes != tt.quotes || got.notFound != tt.notFound {
				t.Errorf("render(%q) = %q (quotes %d, notFound %v), want %q (quotes %d, notFound %v)",
					tt.raw, got.text, got.quotes, got.notFound, tt.want, tt.quotes, tt.notFound)
			}
		})
	}
}

func FuzzVerifierRender(f *testing.F) {
	for _, s := range []string{
		"要求「坚定推进长江\"十年禁渔\"」[1]。", "「新型能源体系」[3]，见[3][2]", "「a「b」c」[1, 2]", "“The river authority”[2]",
		"NOT_FOUND", "<b>**x**</b>「", "［１］【２】", "「巩固好已经取得的成果。他说：「要』」[1]", "\xff「\xfe」[1]",
	} {
		f.Add(s)
	}
	v, docs := verifyFixture(f)
	f.Fuzz(func(t *testing.T, raw string) {
		for _, final := range []bool{false, true} {
			got := v.render(raw, final)
			a := Answer{Text: got.text, Citations: got.citations}
			checkAnswerQuotesTB(t, docs, a)
			if final && strings.Contains(got.text, "NOT_FOUND") {
				t.Errorf("sentinel shown: %q", got.text)
			}
		}
	})
}
