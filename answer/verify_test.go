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
	const q = "长江十年禁渔有什么要求？"
	return &verifier{e: e, views: views, terms: e.questionTerms(q, 1, false), question: q}, docMap(docs)
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
		{"document words before the quote join it", "会议要求坚定推进「长江\"十年禁渔\"」[1]。", true, "会议要求「坚定推进长江“十年禁渔”」[1]。", 1, false},
		{"one repeated rune does not", "他说要「坚定推进长江\"十年禁渔\"」[1]。", true, "他说要「坚定推进长江“十年禁渔”」[1]。", 1, false},
		{"renumbered in order", "「新型能源体系」[3]，「closes fishing for ten years」[2]", true, "「新型能源体系」[1]，「closes fishing for ten years」[2]", 2, false},
		{"bare marker reuses the passage's citation", "「新型能源体系」[3]，见[3]。", true, "「新型能源体系」[1]，见[1]。", 1, false},
		{"fabricated quote removes its claim", "要求「每年禁渔三个月」[1]。", true, "", 0, false},
		{"dangling marker not left behind", "「新型能源体系」[3]。会议要求「每年禁渔三个月」[1]。", true, "「新型能源体系」[1]。", 1, false},
		{"quote found in another passage", "「新型能源体系」[1]", true, "「新型能源体系」[1]", 1, false},
		{"unmarked quote gets a marker", "他说「推进 AI 应用」。", true, "他说「推进 AI 应用」[1]。", 1, false},
		{"unmarked fabricated quote removed", "他说「火星探测器」。", true, "", 0, false},
		{"curly quotation verified", "要“坚定推进长江十年禁渔”。", true, "要「坚定推进长江“十年禁渔”」[1]。", 1, false},
		{"curly quotation invented", "「新型能源体系」[3]，并且“每户发放十万元”。", true, "「新型能源体系」[1]。", 1, false},
		{"short quote is no citation", "会议宣布「长江」[1]禁渔已经取消。", true, "", 0, false},
		{"short located quote stays as words", "要“源网荷储”「推进源网荷储一体化」[3]。", true, "要源网荷储「推进源网荷储一体化」[1]。", 1, false},
		{"claim beyond its quote removed", "「新型能源体系」[3]要“源网荷储”一体化。", true, "", 1, false},
		{"uncited sentence removed", "「新型能源体系」[3]。此外，政府将为每户渔民发放十万元补贴。", true, "「新型能源体系」[1]。", 1, false},
		{"uncited clause removed", "要「新型能源体系」[3]，此外政府发放补贴。", true, "要「新型能源体系」[1]。", 1, false},
		{"introducer without quotation marks", "原文写道：加快建设新型能源体系[3]。", true, "原文写道：「加快建设新型能源体系」[1]。", 1, false},
		{"introducer with invented words", "「新型能源体系」[3]。原文写道：禁渔已经全面取消[1]。", true, "「新型能源体系」[1]。", 1, false},
		{"out of range markers removed", "见[0]、[4]和[999]。", true, "", 0, false},
		{"numbered list", "1. 「新型能源体系」[3]\n2. 要「推进源网荷储一体化」[3]\n", true, "1. 「新型能源体系」[1]\n2. 要「推进源网荷储一体化」[2]", 2, false},
		{"bulleted list with an invention", "- 「新型能源体系」[3]\n- 补贴十万元[3]\n", true, "- 「新型能源体系」[1]", 1, false},
		{"nested corner quotes", "「要『保护』好母亲河」[1]", true, "「要『保护』好母亲河」[1]", 1, false},
		{"sentinel", "NOT_FOUND", true, "", 0, true},
		{"partial: open quote held back", "要求「坚定推进长", false, "", 0, false},
		{"partial: unfinished clause held back", "要求「坚定推进长江“十年禁渔”」[1]，并且「完善横向生态保护补偿机制」", false, "要求「坚定推进长江“十年禁渔”」[1]", 1, false},
		{"partial: half marker held back", "要求「坚定推进长江“十年禁渔”」。[1", false, "", 0, false},
		{"partial: sentinel held back", "NOT_FO", false, "", 0, false},
		{"cut: open quote dropped", "「新型能源体系」[3]，并「完善横", true, "「新型能源体系」[1]。", 1, false},
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

// TestVerifierCounts: the quote counters logged for a reply count every
// quote of the reply, in removed claims too: located ones (short quotes,
// which are prose, aside) and those that could not be located.
func TestVerifierCounts(t *testing.T) {
	v, _ := verifyFixture(t)
	for _, tt := range []struct {
		raw             string
		quotes, dropped int
	}{
		{"要求「坚定推进长江\"十年禁渔\"」[1]。", 1, 0},
		{"要求「每年禁渔三个月」[1]。", 0, 1},
		{"「新型能源体系」[3]。会议要求「每年禁渔三个月」[1]。", 1, 1},
		{"「新型能源体系」[3]要“源网荷储”一体化。", 1, 0},
		{"「新型能源体系」[3]，并且“每户发放十万元”，「火星探测器」[2]。", 1, 2},
		{"会议宣布「长江」[1]禁渔已经取消。", 0, 0},
	} {
		got := v.render(tt.raw, true)
		if got.quotes != tt.quotes || got.dropped != tt.dropped {
			t.Errorf("render(%q): quotes %d, dropped %d; want %d, %d", tt.raw, got.quotes, got.dropped, tt.quotes, tt.dropped)
		}
	}
}
