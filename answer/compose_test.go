package answer

import (
	"cmp"
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/citebot/citebot/retrieval/text"
)

// bareRun is a run with default parameters and no documents, for the pure
// helpers.
func bareRun(opts Options) *run {
	e := New(nil, nil, opts)
	return &run{Engine: e, st: &corpusStats{df: map[string]int{}, lang: "zh"}}
}

func TestOpensWithAnaphor(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"这是长江经济带发展的关键。", true},
		{"其中，生态保护最重要。", true},
		{"上述措施要落实到位。", true},
		{"长江经济带横贯东西。", false},
		{"It was founded in 1066.", true},
		{"They left at dawn.", true},
		{"Italy is a country.", false},
		{"Thebes was a city.", false},
	}
	for _, tt := range tests {
		if got := opensWithAnaphor(tt.s); got != tt.want {
			t.Errorf("opensWithAnaphor(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestIsLeadIn(t *testing.T) {
	r := bareRun(Options{})
	q := questionChars(queryTerms{terms: []qterm{{tok: "重大变化", w: 1}, {tok: "发生", w: 1}, {tok: "发展", w: 1}, {tok: "长江经济带", w: 1}}})
	tests := []struct {
		s    string
		want bool
	}{
		{"他强调，长江经济带发展发生了重大变化。", true},
		{"主要有以下几点：", true},
		{"他强调，思想认识发生重大转变。", false},
	}
	for _, tt := range tests {
		if got := r.isLeadIn(tt.s, q); got != tt.want {
			t.Errorf("isLeadIn(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

// TestCompose checks the widenings on the sample document: a lead-in that
// echoes the question is read with the next sentence, which holds the
// answer; the composed quote is still document text of one paragraph.
func TestCompose(t *testing.T) {
	e, _ := sampleEngine(t, nil, Options{})
	a, err := e.Answer(context.Background(), Question{Text: "长江经济带发展发生了哪些重大变化？"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.NotFound || len(a.Citations) == 0 {
		t.Fatalf("no answer: %+v", a)
	}
	c := a.Citations[0]
	if !strings.Contains(c.Quote, "发生了重大变化。") || !strings.Contains(c.Quote, "思想认识发生重大转变") || !c.Whole {
		t.Errorf("first quote %q (whole %v) is not the lead-in read with its next sentence", c.Quote, c.Whole)
	}
	docs, _ := realRetriever(t, evalSets[0])
	checkCitation(t, docMap(docs), c)
}

func TestWindowNeverStartsMidList(t *testing.T) {
	r := bareRun(Options{MaxQuoteRunes: 12})
	r.p.fullSentence = 20
	qt := queryTerms{terms: []qterm{{tok: "氢能", w: 1}}, total: 1}
	tests := []struct {
		name, sentence, mustStart string
	}{
		{"list", "要大力发展新能源产业和相关的配套设施，注重风电、光伏、氢能等新能源的多能互补，加快建设新型能源体系。", "注重风电"},
		{"brackets", "要推进能源结构调整和相关的配套设施（包括风电，以及氢能）等新能源的建设，加快建设新型能源体系。", "要推进能源结构"},
		{"connective", "要大力推进能源结构调整和配套设施建设，并且发展氢能等新能源，加快建设新型能源体系和储能设施。", "要大力推进"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws, we := r.window(qt, questionChars(qt), tt.sentence)
			got := tt.sentence[ws:we]
			if !strings.HasPrefix(got, tt.mustStart) || !strings.Contains(got, "氢能") {
				t.Errorf("window %q, want it to start with %q and hold 氢能", got, tt.mustStart)
			}
			if !utf8.ValidString(got) {
				t.Errorf("window %q cuts a character", got)
			}
		})
	}
}

func TestTextWidth(t *testing.T) {
	if w := textWidth("长江 Yangtze"); w != 2+3.5 {
		t.Errorf("textWidth = %v, want 5.5", w)
	}
}

func TestSalientAbsent(t *testing.T) {
	st := &corpusStats{df: map[string]int{}}
	for _, tok := range text.Tokens("长江经济带 座谈会 发言 Nanchang 2023 湖南省") {
		st.df[tok] = 1
	}
	tests := []struct {
		q    string
		want []string
	}{
		{"长江经济带的GDP总量是多少？", []string{"GDP"}},
		{"座谈会上谁代表湖北省发言？", []string{"湖北"}},
		{"座谈会上谁代表湖南省发言？", nil},
		{"上市公司有哪些？", nil},
		{"Who is the mayor of Nanchang?", nil},
		{"Who is the mayor of Wuhan?", []string{"Wuhan"}},
		{"What happened in 1999?", []string{"1999"}},
		{"What happened in 2023?", nil},
		{"What is the river called?", nil},
	}
	for _, tt := range tests {
		got := st.salientAbsent(tt.q)
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("salientAbsent(%q) = %q, want %q", tt.q, got, tt.want)
		}
	}
}

func TestAbstainRules(t *testing.T) {
	year := &passageView{p: Passage{Text: "会议于1998年召开。"}}
	noYear := &passageView{p: Passage{Text: "坚定推进长江“十年禁渔”。"}}
	if !typeMissing("十年禁渔是从哪一年开始的？", []*passageView{noYear}) {
		t.Error("a year question answered from a passage with no year")
	}
	if typeMissing("会议是哪一年召开的？", []*passageView{noYear, year}) {
		t.Error("a year question refused although a passage holds a year")
	}
	if !negationMissing("Which team did not win?", []string{"The Broncos won the game."}) {
		t.Error("a negated question answered with a positive quote")
	}
	if negationMissing("Which team did not win?", []string{"The Panthers did not win."}) || negationMissing("Which team won?", []string{"x"}) {
		t.Error("negation rule fired wrongly")
	}
	if !qualifierMissing("What was the only city founded in 1802?", "The city was founded in 1800.", "The city was founded in 1800.") {
		t.Error("a number the passage lacks was not noticed")
	}
	if !qualifierMissing("What is the smallest county?", "Los Angeles is the largest county.", "Los Angeles is the largest county.") {
		t.Error("a qualifier the passage lacks was not noticed")
	}
	if !qualifierMissing("Which river runs to the west?", "The river runs to the east of the city.", "The river runs to the east of the city.") {
		t.Error("an antonym the passage has instead was not noticed")
	}
	if qualifierMissing("Which river runs to the west?", "The river runs east, then west.", "The river runs east, then west.") {
		t.Error("antonym rule fired although the passage has the question's word")
	}
	if !qualifierMissing("What is the largest county founded in 1850?", "In 1850 it became the largest county.", "It became the largest county.") {
		t.Error("a number the quote lacks was not noticed")
	}
	if qualifierMissing("What is the largest county founded in 1850?", "In 1850 it became the largest county.", "In 1850 it became the largest county.") {
		t.Error("qualifier rule fired although the passage holds both")
	}
}

func TestNearSpelling(t *testing.T) {
	st := &corpusStats{df: map[string]int{}}
	for _, tok := range text.Tokens("Gandhi Soviet Maastricht Setanta Rhine 长江 Wuhan") {
		st.df[tok] = 1
	}
	tests := []struct {
		tok  string
		want bool
	}{
		{"ghandi", true},     // two edits, six letters
		{"soviets", true},    // an inflection
		{"masstricht", true}, // two edits
		{"sentanta", true},   // one insertion
		{"rhin", true},       // one deletion, four letters
		{"rome", false},      // two edits from "rhine" but four letters allow one
		{"nanchang", false},  // nothing near
		{"wu", false},        // too short to tell
		{"wuhanxyz", false},  // three edits
	}
	for _, tt := range tests {
		if got := st.nearSpelling(tt.tok); got != tt.want {
			t.Errorf("nearSpelling(%q) = %v, want %v", tt.tok, got, tt.want)
		}
	}
	// A misspelt name the documents hold is not absent; a new one is.
	if got := st.salientAbsent("What was Ghandi's work called?"); len(got) != 0 {
		t.Errorf("salientAbsent(Ghandi) = %q, want none", got)
	}
	if got := st.salientAbsent("Who is the mayor of Nanchang?"); strings.Join(got, ",") != "Nanchang" {
		t.Errorf("salientAbsent(Nanchang) = %q, want [Nanchang]", got)
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		maxd int
		want int
	}{
		{"kitten", "sitting", 3, 3},
		{"kitten", "sitting", 2, 3},
		{"same", "same", 1, 0},
		{"", "abc", 3, 3},
		{"长江", "长城", 1, 1},
		{"abc", "abcdef", 2, 3},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b, tt.maxd); got != tt.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.maxd, got, tt.want)
		}
	}
}

func TestOpposed(t *testing.T) {
	tests := []struct {
		q, text string
		want    bool
	}{
		{"What was a first clue that the theory was correct?", "One of the first clues that the theory was incorrect was rust.", true},
		{"What type of vote does the Council need to disapprove?", "The Council must vote to approve changes.", true},
		{"Imperialism is responsible for the slow spread of what?", "It allowed for the rapid spread of ideas.", true},
		{"Which river runs to the west?", "The river runs east, then west.", false},
		{"What is correct?", "It is correct and not incorrect.", false},
		{"Who was the king?", "The queen and the king met.", false},
		{"What did they inform the king of?", "The form was filled in.", false}, // a stem under five letters is no prefix pair
	}
	for _, tt := range tests {
		if got := opposed(wordSet(tt.q), wordSet(tt.text)); got != tt.want {
			t.Errorf("opposed(%q, %q) = %v, want %v", tt.q, tt.text, got, tt.want)
		}
	}
	if !prefixAntonym("unknown", "known") || !prefixAntonym("known", "unknown") || prefixAntonym("inform", "form") {
		t.Error("prefixAntonym: wrong pairing")
	}
}

func TestSwapped(t *testing.T) {
	names := []struct {
		q, quote string
		want     bool
	}{
		{"Final proposals were passed by the United States Parliament in what year?", "In 1978 proposals were passed by the United Kingdom Parliament.", true},
		{"What group scrutinizes bills submitted to the Spanish Parliament?", "A group scrutinizes bills submitted to the Scottish Parliament.", true},
		{"What did the Scottish Parliament pass?", "The Scottish Parliament passed the act.", false},
		{"How much was paid for the Primier League rights?", "BSkyB paid for the Premier League rights.", false}, // misspelt, not swapped
		{"Who wrote the Roman law?", "The Roman law was written by Gaius.", false},
	}
	for _, tt := range names {
		if got := swappedName(tt.q, tt.quote); got != tt.want {
			t.Errorf("swappedName(%q, %q) = %v, want %v", tt.q, tt.quote, got, tt.want)
		}
	}
	numbers := []struct {
		q, quote string
		want     bool
	}{
		{"How many students did it enroll in its five graduate divisions?", "It enrolled 3,468 students in its four graduate divisions.", true},
		{"Who ruled Cyprus in the 11th century?", "Cyprus was ruled by the Byzantines in the 10th century.", true},
		{"Who was the university's 5th president?", "The university's fifth president was Hutchins.", false},
		{"What did France lose in the 1950's?", "France lost Indochina in the 1950s.", false},
		{"What is the eight county definition?", "The 8 county definition includes Kern.", false},
		{"What happened in 1999?", "Nothing is said of any year.", false},
	}
	for _, tt := range numbers {
		if got := swappedNumber(tt.q, tt.quote); got != tt.want {
			t.Errorf("swappedNumber(%q, %q) = %v, want %v", tt.q, tt.quote, got, tt.want)
		}
	}
	values := map[string]int{"11th": 11, "1950s": 1950, "fifth": 5, "Eight": 8, "million": 1e6, "3": 3}
	for tok, want := range values {
		if v, ok := numberValue(tok); !ok || v != want {
			t.Errorf("numberValue(%q) = %d, %v, want %d", tok, v, ok, want)
		}
	}
	for _, tok := range []string{"O2", "x", "1a", "", "12345678901"} {
		if v, ok := numberValue(tok); ok {
			t.Errorf("numberValue(%q) = %d, want no number", tok, v)
		}
	}
	if !holdsNumber("three key ideas", "3") || !holdsNumber("World War II", "2") || holdsNumber("two wars", "3") || holdsNumber("Isaac", "1") {
		t.Error("holdsNumber: wrong answer")
	}
}

func TestSmalltalk(t *testing.T) {
	tests := []struct {
		msg  string
		want bool
	}{
		{"👍", true}, {"好的，谢谢！", true}, {"谢谢", true}, {"Thanks!", true}, {"ok thank you", true},
		{"🙏🙏", true}, {"...", true},
		{"十年禁渔是什么？", false}, {"谢谢，那能源呢？", false}, {"What about the book?", false}, {"ok, why?", false},
	}
	for _, tt := range tests {
		if got := isSmalltalk(tt.msg); got != tt.want {
			t.Errorf("isSmalltalk(%q) = %v, want %v", tt.msg, got, tt.want)
		}
	}
}

func TestLeansOnContext(t *testing.T) {
	tests := []struct {
		q    string
		want bool
	}{
		{"那能源方面呢？", true}, {"它的作用是什么？", true}, {"What about its budget?", true}, {"And the energy plan?", true},
		{"十年禁渔是什么？", false}, {"上海市委书记是谁？", false}, {"Who is the mayor of Nanchang?", false},
	}
	for _, tt := range tests {
		if got := leansOnContext(tt.q); got != tt.want {
			t.Errorf("leansOnContext(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

// TestConversation: a content-free message gets a short reply in the
// user's language and no answer; a self-contained question after a long
// pasted passage is answered on its own.
func TestConversation(t *testing.T) {
	e, _ := sampleEngine(t, nil, Options{})
	ctx := context.Background()
	first, err := e.Answer(ctx, Question{Text: "长江十年禁渔有什么要求？"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	history := []Turn{{Question: "长江十年禁渔有什么要求？", Answer: first.Text}}
	for _, msg := range []string{"👍", "好的，谢谢！"} {
		a, err := e.Answer(ctx, Question{Text: msg, History: history}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !a.Smalltalk || len(a.Citations) != 0 || a.NotFound || a.Lang != "zh" || a.Text != smalltalkText.zh {
			t.Errorf("%q: answer %+v, want a short Chinese reply", msg, a)
		}
	}
	if a, _ := e.Answer(ctx, Question{Text: "thanks!"}, nil); !a.Smalltalk || a.Text != smalltalkText.en {
		t.Errorf("thanks!: answer %+v, want the English reply", a)
	}
	pasted := "文章说：要加强科教资源的优化组合和科技创新协同配合，围绕产业基础高级化和产业链现代化，积极布局新领域新赛道的引领性技术攻关。这是什么意思？"
	history = []Turn{{Question: pasted, Answer: "文档中的相关原文：\n「要加强科教资源的优化组合」[1]"}}
	a, err := e.Answer(ctx, Question{Text: "十年禁渔是什么？", History: history}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Standalone != "十年禁渔是什么？" || a.NotFound || len(a.Citations) == 0 || !strings.Contains(a.Citations[0].Quote, "禁渔") {
		t.Errorf("self-contained question after a pasted passage: standalone %q, answer %q", a.Standalone, a.Text)
	}
}

func FuzzQuestionRules(f *testing.F) {
	for _, s := range []string{"👍", "好的，谢谢！", "长江经济带的GDP总量是多少？", "座谈会上谁代表湖北省发言？", "What was the only city founded in 1802?", "那能源方面呢？", "多少亿", "几", ""} {
		f.Add(s)
	}
	st := &corpusStats{df: map[string]int{"长江": 1, "x": 1}, n: 2}
	r := bareRun(Options{})
	r.st = st
	f.Fuzz(func(t *testing.T, q string) {
		isSmalltalk(q)
		leansOnContext(q)
		for _, w := range st.salientAbsent(q) {
			if !strings.Contains(q, w) {
				t.Fatalf("salient term %q is not in %q", w, q)
			}
		}
		if u := quantityUnit([]rune(q)); u != "" && !strings.Contains(q, u) {
			t.Fatalf("unit %q is not in %q", u, q)
		}
		qualifierMissing(q, q, q)
		opposed(wordSet(q), wordSet(q+" un"+q))
		swappedName(q, strings.ToUpper(q))
		swappedNumber(q, q+" 1 2nd three")
		holdsNumber(q, "7")
		numberValue(q)
		st.nearSpelling(strings.ToLower(q))
		negationMissing(q, []string{q})
		r.questionTerms(q, 1, false)
		ws, we := r.window(queryTerms{}, nil, q)
		if ws < 0 || we > len(q) || ws > we {
			t.Fatalf("window [%d,%d) out of %q", ws, we, q)
		}
	})
}

// TestWidenToNeighbour: a one-sentence first quote takes the better of its
// two neighbours in the passage when it scores at least neighbourRatio of
// the quote and the two fit in fullSentence; the sentence scored stays in
// core for the abstention rules.
func TestWidenToNeighbour(t *testing.T) {
	r := bareRun(Options{})
	view := func(p Passage) *passageView { return &passageView{p: p, sents: text.Sentences(p.Text)} }
	pv := view(Passage{Doc: "d", Paragraph: 1, Text: "甲句说了开头。乙句是被选中的。丙句给出答案。丁句很长很长很长很长很长很长很长很长很长很长很长很长。"})
	other := view(Passage{Doc: "d", Paragraph: 2, Text: "戊句在别的段落。"})
	if len(pv.sents) != 4 {
		t.Fatalf("sentences %v", pv.sents)
	}
	sent := func(v *passageView, i int, score float64) pick {
		s := v.sents[i]
		return pick{pv: v, start: s.Start, end: s.End, score: score, whole: true}
	}
	quote := func(pk pick) string { return pk.pv.p.Text[pk.start:pk.end] }
	tests := []struct {
		name  string
		best  pick
		rest  []pick
		width int // fullSentence; 0: the default
		want  string
	}{
		{"next, half as good", sent(pv, 1, 1), []pick{sent(pv, 2, 0.5)}, 0, "乙句是被选中的。丙句给出答案。"},
		{"previous", sent(pv, 1, 1), []pick{sent(pv, 0, 0.6)}, 0, "甲句说了开头。乙句是被选中的。"},
		{"the better neighbour", sent(pv, 1, 1), []pick{sent(pv, 0, 0.6), sent(pv, 2, 0.7)}, 0, "乙句是被选中的。丙句给出答案。"},
		{"too weak", sent(pv, 1, 1), []pick{sent(pv, 2, 0.4)}, 0, "乙句是被选中的。"},
		{"not adjacent", sent(pv, 1, 1), []pick{sent(pv, 3, 0.9)}, 0, "乙句是被选中的。"},
		{"another passage", sent(pv, 1, 1), []pick{sent(other, 0, 0.9)}, 0, "乙句是被选中的。"},
		{"too wide together", sent(pv, 2, 1), []pick{sent(pv, 3, 0.9)}, 20, "丙句给出答案。"},
		{"a window is not widened", pick{pv: pv, start: pv.sents[1].Start, end: pv.sents[1].End - 3, score: 1}, []pick{sent(pv, 2, 0.9)}, 0, "乙句是被选中的"},
	}
	for _, tt := range tests {
		r.p.fullSentence = cmp.Or(tt.width, defaultExtractParams().fullSentence)
		got := r.widenToNeighbour(tt.best, tt.rest)
		if quote(got) != tt.want {
			t.Errorf("%s: quote %q, want %q", tt.name, quote(got), tt.want)
		}
		if widened := got.start != tt.best.start || got.end != tt.best.end; widened != (got.core != nil) ||
			widened && (got.core[0] != tt.best.start || got.core[1] != tt.best.end) {
			t.Errorf("%s: core %v for %q, scored %d-%d", tt.name, got.core, quote(got), tt.best.start, tt.best.end)
		}
	}
	r.p.neighbourRatio = 0
	if got := r.widenToNeighbour(sent(pv, 1, 1), []pick{sent(pv, 2, 0.9)}); got.core != nil {
		t.Errorf("neighbourRatio 0 widened to %q", quote(got))
	}
}
