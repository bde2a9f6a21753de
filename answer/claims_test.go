package answer

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// scanUnits cuts raw into claim units, fed in chunks of n bytes (0: at
// once), and returns them with a "|" after each sentence end.
func scanUnits(raw string, n int) []string {
	sc := newUnitScanner()
	var out []string
	feed := func(upto int, final bool) {
		for {
			s, e, sentence, ok := sc.next(raw[:upto], final)
			if !ok {
				return
			}
			u := raw[s:e]
			if sentence {
				u += "|"
			}
			out = append(out, u)
		}
	}
	if n > 0 {
		for i := n; i < len(raw); i += n {
			feed(i, false)
		}
	}
	feed(len(raw), true)
	return out
}

func TestUnitScanner(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"clauses and sentences", "会议要求「甲」[1]，并且「乙」[2]。此外丙。", []string{"会议要求「甲」[1]，", "并且「乙」[2]。|", "此外丙。|"}},
		{"markers after the terminator", "长江禁渔。[1][2] 下一句", []string{"长江禁渔。[1][2] |", "下一句|"}},
		{"terminators inside quotations", "他说「甲。乙」[1]，“丙，丁”和『戊。』。", []string{"他说「甲。乙」[1]，", "“丙，丁”和『戊。』。|"}},
		{"abbreviations and decimals", "The U.S. law grew 3.5 percent. Then, it fell.", []string{"The U.S. law grew 3.5 percent. |", "Then, ", "it fell.|"}},
		{"a line break ends a sentence", "1. 禁渔\n2. 补贴\n", []string{"1. 禁渔\n|", "2. 补贴\n|"}},
		{"thousands separator", "100,000 yuan, paid.", []string{"100,000 yuan, ", "paid.|"}},
		{"unclosed quotation runs to the line end", "「甲。乙\n丙。", []string{"「甲。乙\n|", "丙。|"}},
		{"no terminator", "only prose", []string{"only prose|"}},
		{"apostrophe", "the river’s fish. Next", []string{"the river’s fish. |", "Next|"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, n := range []int{0, 1, 2, 5} {
				if diff := cmp.Diff(scanUnits(tt.in, n), tt.want); diff != "" {
					t.Errorf("chunks of %d: mismatch (-got +want):\n%s", n, diff)
				}
			}
		})
	}
}

// streamRender feeds raw to a claim stream in chunks of n bytes and
// returns the partial texts and the result.
func streamRender(v *verifier, raw string, n int) ([]string, verified) {
	var partials []string
	cs := v.stream(func(s string) { partials = append(partials, s) })
	for i := 0; i < len(raw); i += n {
		cs.write(raw[i:min(len(raw), i+n)])
	}
	return partials, cs.finish()
}

func TestClaimStreamAppendsOnly(t *testing.T) {
	v, docs := verifyFixture(t)
	raw := "会议要求「坚定推进长江“十年禁渔”」[1]，此外政府发放补贴，并且「巩固好已经取得的成果」[1]。\n\n" +
		"「closes fishing for ten years」[2], and pays every fisher. Boats were bought back [2].\n" +
		"「新型能源体系」[3]要“源网荷储”一体化。最后「推进源网荷储一体化」[3]"
	whole := v.render(raw, true)
	for _, n := range []int{1, 2, 3, 7, 64} {
		partials, got := streamRender(v, raw, n)
		if diff := cmp.Diff(got.text, whole.text); diff != "" {
			t.Errorf("chunks of %d: text mismatch (-got +want):\n%s", n, diff)
		}
		prev := ""
		for _, p := range append(partials, got.text) {
			if !strings.HasPrefix(p, prev) {
				t.Errorf("chunks of %d: %q does not extend %q", n, p, prev)
			}
			prev = p
		}
		checkAnswerQuotesTB(t, docs, Answer{Text: got.text, Citations: got.citations})
	}
	lead := "会议对长江十年禁渔提出了以下要求：\n「坚定推进长江“十年禁渔”」[1]。"
	if got := v.render(lead, true); got.text != "「坚定推进长江“十年禁渔”」[1]。" || len(got.unsupported) != 0 {
		t.Errorf("lead-in: %q, unsupported %q", got.text, got.unsupported)
	}
	want := "会议要求「坚定推进长江“十年禁渔”」[1]。\n\n「closes fishing for ten years」[2]. Boats were bought back [3].\n最后「推进源网荷储一体化」[4]"
	if whole.text != want {
		t.Errorf("text\n%q, want\n%q", whole.text, want)
	}
	var removed []string
	for _, u := range whole.unsupported {
		removed = append(removed, u.Text)
	}
	wantRemoved := []string{"此外政府发放补贴，并且「巩固好已经取得的成果」。", "and pays every fisher.", "「新型能源体系」要「源网荷储」一体化。"}
	if diff := cmp.Diff(removed, wantRemoved); diff != "" {
		t.Errorf("unsupported mismatch (-got +want):\n%s", diff)
	}
}

func TestSupported(t *testing.T) {
	v := &verifier{question: "长江十年禁渔有什么要求？ What does the meeting require about the fishing ban?"}
	fish := []string{"坚定推进长江“十年禁渔”，巩固好已经取得的成果。"}
	en := []string{"The river authority closes fishing for ten years."}
	tests := []struct {
		name     string
		prose    string
		evidence []string
		want     bool
	}{
		{"framing only", "会议要求，并强调", fish, true},
		{"echo of the question", "长江十年禁渔的要求是", fish, true},
		{"copied words", "要坚定推进长江十年禁渔", fish, true},
		{"invented predicate", "会议宣布禁渔已经取消", fish, false},
		{"negation", "会议没有要求", fish, false},
		{"changed number", "禁渔二十年", fish, false},
		{"invented number word", "禁渔三个月", fish, false},
		{"invented subsidy", "政府将为每户渔民发放补贴", fish, false},
		{"one new character in many", "要坚定推进长江十年禁渔并巩固好已经取得的成果", fish, true},
		{"English paraphrase", "The authority closed fishing for ten years", en, true},
		{"English invention", "The authority pays every fisher a pension", en, false},
		{"English negation", "The authority never closes fishing", en, false},
		{"English number", "fishing closes for 20 years", en, false},
		{"English number word", "fishing closes for twenty years", en, false},
		{"English around a Chinese quote", "The meeting calls for firmly advancing the ten-year fishing ban on the Yangtze", fish, true},
		{"long English around a Chinese quote", "The meeting calls for firmly advancing the ten-year fishing ban on the Yangtze and also promises generous compensation payments to every affected household along the river", fish, false},
		{"English negation around a Chinese quote", "The meeting does not call for", fish, false},
		{"English name around a Chinese quote", "Yin Hong, the Party secretary of Jiangxi, spoke", []string{"江西省委书记尹弘"}, true},
		{"English invention around a Chinese quote", "Fishers will each receive a large subsidy", fish, false},
		{"English addition around a Chinese quote", "The meeting calls for advancing the ten-year fishing ban and doubling pensions", fish, false},
		{"not a negation", "要不断巩固成果，面向未来", fish, false},
		{"not a negation, supported", "面向未来要巩固好已经取得的成果", []string{"面向未来，巩固好已经取得的成果"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := v.supported(tt.prose, tt.evidence); got != tt.want {
				t.Errorf("supported(%q) = %v, want %v", tt.prose, got, tt.want)
			}
		})
	}
}

func TestCitedWeight(t *testing.T) {
	for _, tt := range []struct {
		s    string
		want int
	}{{"长江", 2}, {"坚定推进长江", 6}, {"closes fishing now", 6}, {"推进 AI 应用", 6}, {"", 0}} {
		if got := citedWeight(tt.s); got != tt.want {
			t.Errorf("citedWeight(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

// FuzzClaimStream: whatever the reply and however it is cut into
// chunks, the streamed texts only grow, end in the text of the whole
// reply verified at once, and show only verified quotes.
func FuzzClaimStream(f *testing.F) {
	for _, s := range []string{
		"会议要求「坚定推进长江“十年禁渔”」[1]，此外政府发放补贴。", "「closes fishing for ten years」[2]. Next, x [2].",
		"原文写道：加快建设新型能源体系[3]。", "“新型能源体系”[3]，‘a’ \"b\" 『c』", "NOT_FOUND", "「a「b」c」[1, 2]。[3",
		"1. x\n2. y\n\n\n「新型能源体系」[3]", "\xff「\xfe」[1]。",
	} {
		f.Add(s, uint8(2))
	}
	v, docs := verifyFixture(f)
	f.Fuzz(func(t *testing.T, raw string, n uint8) {
		whole := v.render(raw, true)
		partials, got := streamRender(v, raw, int(n%16)+1)
		if got.text != whole.text {
			t.Fatalf("streamed %q, whole %q", got.text, whole.text)
		}
		prev := ""
		for _, p := range append(partials, got.text) {
			if !strings.HasPrefix(p, prev) {
				t.Fatalf("%q does not extend %q", p, prev)
			}
			prev = p
		}
		checkAnswerQuotesTB(t, docs, Answer{Text: got.text, Citations: got.citations})
		if strings.Contains(got.text, "NOT_FOUND") {
			t.Errorf("sentinel shown: %q", got.text)
		}
	})
}

// benchReply returns a reply of about n characters: cited claims, some
// with invented additions, some uncited.
func benchReply(n int) string {
	parts := []string{
		"会议要求「坚定推进长江“十年禁渔”」[1]，",
		"并且「巩固好已经取得的成果」[1]。",
		"此外政府发放补贴。",
		"「closes fishing for ten years」[2], and boats were bought back [2]. ",
		"要“源网荷储”「推进源网荷储一体化」[3]。\n",
	}
	var b strings.Builder
	for i, runes := 0, 0; runes < n; i++ {
		b.WriteString(parts[i%len(parts)])
		runes += utf8.RuneCountInString(parts[i%len(parts)])
	}
	return b.String()
}

// chunks2 cuts s into pieces of two characters.
func chunks2(s string) []string { return splitRunes(s, 2) }

func BenchmarkClaimStream(b *testing.B) {
	v, _ := verifyFixture(b)
	for _, n := range []int{20_000, 80_000} {
		pieces := chunks2(benchReply(n))
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				cs := v.stream(func(string) {})
				for _, p := range pieces {
					cs.write(p)
				}
				cs.finish()
			}
		})
	}
}

// TestClaimStreamLinear: verifying a streamed reply costs CPU time linear
// in its length: 80k characters in 2-character chunks well under a
// second, and about four times 20k (the median of 5 runs each, process
// CPU time so that other work on a shared machine does not count;
// generous bounds all the same).
func TestClaimStreamLinear(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("timing test")
	}
	v, _ := verifyFixture(t)
	median := func(n int) time.Duration {
		pieces := chunks2(benchReply(n))
		var ds []time.Duration
		for range 5 {
			start := cpuTime(t)
			cs := v.stream(func(string) {})
			for _, p := range pieces {
				cs.write(p)
			}
			cs.finish()
			ds = append(ds, cpuTime(t)-start)
		}
		slices.Sort(ds)
		return ds[2]
	}
	median(2000) // warm up
	d20, d80 := median(20_000), median(80_000)
	ratio := float64(d80) / float64(d20)
	t.Logf("CPU median: 20k %v, 80k %v, ratio %.2f", d20, d80, ratio)
	if d80 > time.Second || ratio > 8 {
		t.Errorf("80k characters took %v of CPU (ratio to 20k %.2f): not linear", d80, ratio)
	}
	// Allocations do not depend on the machine's load: the same count
	// per character at both lengths.
	allocs := func(n int) float64 {
		pieces := chunks2(benchReply(n))
		return testing.AllocsPerRun(1, func() {
			cs := v.stream(func(string) {})
			for _, p := range pieces {
				cs.write(p)
			}
			cs.finish()
		})
	}
	a20, a80 := allocs(20_000), allocs(80_000)
	t.Logf("allocations: 20k %.0f, 80k %.0f, ratio %.2f", a20, a80, a80/a20)
	if a80/a20 > 4.4 {
		t.Errorf("allocations grow faster than the reply: %.0f for 20k, %.0f for 80k", a20, a80)
	}
}

// cpuTime returns the CPU time (user and system) the process has used.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestClaimStreamRandomChunks: a fixed-seed check of chunking
// invariance on replies mixing every case, beyond the fuzz corpus.
func TestClaimStreamRandomChunks(t *testing.T) {
	v, _ := verifyFixture(t)
	raw := benchReply(3000)
	whole := v.render(raw, true).text
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		cs := v.stream(nil)
		for i := 0; i < len(raw); {
			j := min(len(raw), i+1+r.IntN(9))
			cs.write(raw[i:j])
			i = j
		}
		if got := cs.finish().text; got != whole {
			t.Fatalf("random chunks gave\n%q\nwant\n%q", got, whole)
		}
	}
}

// TestSupportedStrictRules: numbers and negations must occur in the
// quotes themselves (a leading question does not lend its premise), as
// whole digit runs, whole number words and whole numeral runs; the
// question still counts for ordinary content words.
func TestSupportedStrictRules(t *testing.T) {
	fish := []string{"坚定推进长江十年禁渔"}
	tests := []struct {
		name, question, prose string
		evidence              []string
		want                  bool
	}{
		{"premise of a Chinese question", "会议取消了长江禁渔吗？", "会议取消了长江禁渔", fish, false},
		{"premise of an English question", "Was the fishing ban lifted?", "The fishing ban was lifted",
			[]string{"the fishing ban will continue for ten years"}, false},
		{"number of the question", "长江禁渔二十年吗？", "长江禁渔二十年", fish, false},
		{"digits of the question", "Does the ban last 20 years?", "The ban will last 20 years",
			[]string{"the ban will last ten years"}, false},
		{"negation of the quote", "长江禁渔还要继续吗？", "长江禁渔不会取消", []string{"长江禁渔不会取消，要坚定推进"}, true},
		{"question words still count", "长江十年禁渔有什么要求？", "长江十年禁渔的要求是", fish, true},
		{"digit inside a year", "", "fishing closed for 5 years", []string{"fishing closed in 2015 for years"}, false},
		{"one inside ten", "", "rule 1 applies", []string{"rule 10 applies"}, false},
		{"whole digits", "", "fishing closes for 10 years", []string{"fishing closes for 10 years"}, true},
		{"thousands separator", "", "the fund holds 1,500,000 yuan", []string{"the fund holds 1500000 yuan"}, true},
		{"list of digits", "", "rules 5 and 6 apply", []string{"rules 5,6 apply"}, true},
		{"ten inside often", "", "the river floods the valley towns ten times in the long rainy spring season",
			[]string{"the river often floods the valley towns many times in the long rainy spring season"}, false},
		{"whole number word", "", "the river floods ten times", []string{"the river floods ten times"}, true},
		{"numeral run inside a longer one", "", "禁渔十年", []string{"坚定推进长江二十年禁渔"}, false},
		{"numeral run", "", "禁渔十年", []string{"坚定推进长江十年禁渔"}, true},
		{"English number word on Chinese numerals", "", "a ten-year fishing ban on the Yangtze", []string{"坚定推进长江十年禁渔"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &verifier{question: tt.question}
			if got := v.supported(tt.prose, tt.evidence); got != tt.want {
				t.Errorf("supported(%q) with question %q = %v, want %v", tt.prose, tt.question, got, tt.want)
			}
		})
	}
}

// TestClaimStreamLimit: a reply cut at the byte limit is cut at a
// character boundary.
func TestClaimStreamLimit(t *testing.T) {
	v, _ := verifyFixture(t)
	for _, tt := range []struct {
		limit  int
		pieces []string
		want   string
	}{
		{4, []string{"ab长江"}, "ab"},
		{5, []string{"ab长江"}, "ab长"},
		{7, []string{"a", "长江", "禁渔"}, "a长江"},
		{8, []string{"a", "长江", "禁渔"}, "a长江"},
		{3, []string{"长江"}, "长"},
		{2, []string{"长江"}, ""},
	} {
		cs := v.stream(nil)
		cs.limit = tt.limit
		for _, p := range tt.pieces {
			if cs.write(p); cs.overflow {
				break
			}
		}
		if got := cs.raw.String(); got != tt.want || !utf8.ValidString(got) || !cs.overflow {
			t.Errorf("limit %d, pieces %q: read %q (overflow %v), want %q", tt.limit, tt.pieces, got, cs.overflow, tt.want)
		}
	}
}
