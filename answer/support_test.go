package answer

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/citebot/citebot/retrieval/document"
	"github.com/citebot/citebot/retrieval/text"
)

// honestReply is a model answer written the way an instructed model
// answers (light paraphrase around verbatim quotes), with an altered twin
// that adds something the quotes do not say (hidden must never show).
type honestReply struct {
	q, reply string
	altered  string
	hidden   string
}

// honestReplies are answers to seed_dev questions about the sample
// document, in Chinese and in English.
var honestReplies = []honestReply{
	{"长江十年禁渔有什么要求？", "会议要求坚定推进长江十年禁渔，巩固已经取得的成果「坚定推进长江“十年禁渔”，巩固好已经取得的成果。」[1]",
		"会议要求在五年内结束长江禁渔「坚定推进长江“十年禁渔”，巩固好已经取得的成果。」[1]", "五年内"},
	{"如何推动产业链发展？", "要加强产业链协同合作「加强产业链协同合作，推动优势产业延链、新兴产业建链。」[1]",
		"要取消产业链协同合作「加强产业链协同合作，推动优势产业延链、新兴产业建链。」[1]", "取消"},
	{"怎样看待长江经济带这些年取得的成绩？", "总的来看，长江经济带发展成就有目共睹「长江经济带发展成就有目共睹，发展质量稳步提升，发展态势日趋向好。」[1]。",
		"长江经济带发展成就有目共睹「长江经济带发展成就有目共睹，发展质量稳步提升，发展态势日趋向好。」[1]。但经济总量下降了三成。", "三成"},
	{"各地党委政府对本地生态空间应持什么态度？", "各级党委和政府要对本地重要生态空间心中有数「各级党委和政府对划定的本地重要生态空间要心中有数，优先保护、严格保护。」[1]。",
		"各级党委和政府不必对本地生态空间心中有数「各级党委和政府对划定的本地重要生态空间要心中有数，优先保护、严格保护。」[1]。", "不必"},
	{"长江经济带在地理上有什么独特之处？", "长江经济带具有横贯东西、承接南北、通江达海的独特优势「要更好发挥长江经济带横贯东西、承接南北、通江达海的独特优势」[1]。",
		"长江经济带具有横贯东西的独特优势，拥有十二个港口「要更好发挥长江经济带横贯东西、承接南北、通江达海的独特优势」[1]。", "十二个港口"},
	{"规则和政策方面要做到哪些统一？", "要增强政策统一性和规则一致性「增强区域交通互联性、政策统一性、规则一致性、执行协同性」[1]。",
		"要增强政策统一性和规则一致性，并统一全国税率「增强区域交通互联性、政策统一性、规则一致性、执行协同性」[1]。", "税率"},
	{"农业机械和种植方法怎么推广？", "要加强良田良种、良机良法的集成推广「加强良田良种、良机良法的集成推广，发展多种形式适度规模经营和社会化服务。」[1]",
		"要由政府免费发放农机「加强良田良种、良机良法的集成推广，发展多种形式适度规模经营和社会化服务。」[1]", "免费发放"},
	{"地方干部的责任怎样落实？", "要压实沿江省市各级党委、政府的主体责任「要压实沿江省市各级党委、政府主体责任，确保工作落实落地。」[1]。",
		"要压实沿江省市各级党委的主体责任「要压实沿江省市各级党委、政府主体责任，确保工作落实落地。」[1]。此外，干部考核将与GDP挂钩。", "GDP"},
	{"上游和中下游之间要加强哪方面合作？", "要继续深化上游地区同中下游地区的能源合作「继续深化上游地区同中下游地区的能源合作」[1]。",
		"要逐步减少上游地区同中下游地区的能源合作「继续深化上游地区同中下游地区的能源合作」[1]。", "减少"},
	{"防汛抗旱方面有什么要求？", "要坚持旱涝同防同治「坚持旱涝同防同治，统筹推进水系连通、水源涵养、水土保持」[1]，并提升流域防灾减灾能力「提升流域防灾减灾能力」[1]。",
		"要坚持旱涝同防同治「坚持旱涝同防同治，统筹推进水系连通、水源涵养、水土保持」[1]，并新建三座大型水库「提升流域防灾减灾能力」[1]。", "水库"},
	{"提到了哪些新能源？", "文中提到了风电、光伏、氢能等新能源「注重水电等优势传统能源与风电、光伏、氢能等新能源的多能互补、深度融合」[1]。",
		"文中提到了风电、光伏、核能等新能源「注重水电等优势传统能源与风电、光伏、氢能等新能源的多能互补、深度融合」[1]。", "核能"},
	{"永久基本农田要怎么建设？", "要逐步把永久基本农田建成高标准农田「逐步把永久基本农田建成高标准农田」[1]。",
		"要在2025年前把永久基本农田建成高标准农田「逐步把永久基本农田建成高标准农田」[1]。", "2025"},
	{"What should be done about air and soil pollution?", "Air and soil pollution prevention should be pushed forward solidly 「扎实推进大气和土壤污染防治」[1].",
		"Air and soil pollution should not be a priority 「扎实推进大气和土壤污染防治」[1].", "not be"},
	{"What is the top priority of the green transition of industry?", "The green transformation and upgrading of industry is the top priority 「把产业绿色转型升级作为重中之重」[1].",
		"The top priority is to cut emissions by 30 percent 「把产业绿色转型升级作为重中之重」[1].", "30 percent"},
	{"Who is the Party secretary of Jiangxi who spoke at the symposium?", "Yin Hong, the Party secretary of Jiangxi, spoke 「江西省委书记尹弘」[1].",
		"Yin Hong spoke 「江西省委书记尹弘」[1]. He resigned two weeks later.", "resigned"},
	{"What should permanent basic farmland gradually become?", "It should gradually become high-standard farmland 「逐步把永久基本农田建成高标准农田」[1].",
		"It should never become high-standard farmland 「逐步把永久基本农田建成高标准农田」[1].", "never"},
}

// sampleVerifier returns a verifier over every paragraph of the sample
// document, for the question q.
func sampleVerifier(tb testing.TB, q string) (*verifier, map[string]*document.Document) {
	tb.Helper()
	doc := document.Sample()
	docs := []*document.Document{doc}
	r := newBM25Retriever(tb, docs)
	e := New(r, nil, Options{}).begin()
	var views []*passageView
	for _, p := range r.passages {
		if p.Paragraph > 0 {
			views = append(views, e.newPassageView(Passage{Doc: p.Doc, Paragraph: p.Paragraph, Text: p.Text, Start: p.Start, End: p.End}))
		}
	}
	return &verifier{e: e, views: views, terms: e.questionTerms(q, 1, false), question: q}, docMap(docs)
}

// TestHonestRepliesPass: honest answers come through whole; their
// altered twins lose the altered claim.
func TestHonestRepliesPass(t *testing.T) {
	for _, share := range []float64{0.001, maxUnsupportedShare, 0.15, 0.2, 0.3} {
		passed, caught := 0, 0
		for _, h := range honestReplies {
			v, docs := sampleVerifier(t, h.q)
			v.share = share
			got := v.render(h.reply, true)
			whole := len(got.unsupported) == 0 && len(got.citations) > 0
			if whole {
				passed++
			}
			checkAnswerQuotesTB(t, docs, Answer{Text: got.text, Citations: got.citations})
			alt := v.render(h.altered, true)
			removed := !strings.Contains(alt.text, h.hidden) && len(alt.unsupported) > 0
			if removed {
				caught++
			}
			if share != maxUnsupportedShare {
				continue
			}
			if !whole {
				t.Logf("honest reply to %q lost %q (shown %q)", h.q, got.unsupported, got.text)
			}
			if !removed {
				t.Logf("altered reply to %q shows %q: %q", h.q, h.hidden, alt.text)
			}
		}
		t.Logf("share %.2f: honest replies shown whole %d/%d, altered claims removed %d/%d", share, passed, len(honestReplies), caught, len(honestReplies))
		// Floors at the chosen share, from the whole set (one altered
		// reply, a single character changed in a list, is known to pass).
		if share == maxUnsupportedShare && (passed < len(honestReplies)-1 || caught < len(honestReplies)-1) {
			t.Errorf("share %.2f: honest %d/%d, altered removed %d/%d", share, passed, len(honestReplies), caught, len(honestReplies))
		}
	}
}

// supportCase is a claim built from an eval row: honest prose around the
// evidence sentence, or altered prose.
type supportCase struct {
	question, prose, sentence string
	honest                    bool
}

// TestSupportCalibration measures the support check on whole eval sets:
// for every answerable row, honest claims (framing, the question restated
// with the gold answer, a clause of the evidence sentence copied) must
// pass, and altered ones (another row's answer, a negation, a changed
// number, a sentence from elsewhere) must fail. It logs the rates for a
// range of allowances; maxUnsupportedShare was chosen from them.
func TestSupportCalibration(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the eval sets")
	}
	for _, s := range evalSets {
		if !s.available(t) {
			continue
		}
		t.Run(s.name, func(t *testing.T) {
			cases := supportCases(t, s)
			v := &verifier{}
			for _, share := range []float64{0, 0.1, 0.2, 0.3, 0.4} {
				honest, honestOK, altered, alteredOK := 0, 0, 0, 0
				for _, c := range cases {
					v.question = c.question
					ok := v.support(c.prose, []string{c.sentence}).ok(share)
					if c.honest {
						honest++
						if ok {
							honestOK++
						}
					} else {
						altered++
						if !ok {
							alteredOK++
						}
					}
				}
				hr, ar := float64(honestOK)/float64(honest), float64(alteredOK)/float64(altered)
				t.Logf("share %.1f: honest pass %.3f (n=%d), altered rejected %.3f (n=%d)", share, hr, honest, ar, altered)
				if share == maxUnsupportedShare && (hr < 0.94 || ar < 0.85) {
					t.Errorf("at the chosen share %.1f: honest pass %.3f (want >= 0.94), altered rejected %.3f (want >= 0.85)", share, hr, ar)
				}
			}
		})
	}
}

// supportCases builds honest and altered claims for up to 1500 answerable
// rows of s.
func supportCases(tb testing.TB, s evalSet) []supportCase {
	tb.Helper()
	var paras []string
	for _, c := range s.corpus {
		b, err := os.ReadFile(filepath.Join(s.dir, c))
		if err != nil {
			tb.Fatal(err)
		}
		paras = append(paras, strings.Split(string(b), "\n\n")...)
	}
	if s.corpus == nil {
		doc := document.Sample()
		for _, p := range doc.Paragraphs {
			paras = append(paras, p.Text(doc))
		}
	}
	type row struct {
		Question string   `json:"question"`
		Answers  []string `json:"answers"`
	}
	f, err := os.Open(filepath.Join(s.dir, s.rows))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var rows []row
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r row
		if json.Unmarshal(sc.Bytes(), &r) == nil && len(r.Answers) > 0 && r.Answers[0] != "" {
			rows = append(rows, r)
		}
	}
	var out []supportCase
	for i, r := range rows {
		if i >= 1500 {
			break
		}
		sent, other := evidenceSentence(paras, r.Answers[0], i)
		if sent == "" || other == "" {
			continue
		}
		ans := r.Answers[0]
		zh := text.Lang(sent) == "zh"
		stem := questionStem(r.Question)
		lead, is := "根据文档，", "是"
		if !zh {
			lead, is = "According to the document, ", " is "
		}
		wrong := rows[(i+7)%len(rows)].Answers[0]
		out = append(out,
			supportCase{r.Question, lead, sent, true},
			supportCase{r.Question, stem + is + ans, sent, true},
			supportCase{r.Question, clauseWith(sent, ans), sent, true},
		)
		if !strings.Contains(sent, wrong) && !strings.Contains(r.Question, wrong) {
			out = append(out, supportCase{r.Question, stem + is + wrong, sent, false})
		}
		neg := "并非" + clauseWith(sent, ans)
		if !zh {
			neg = "It is not true that " + clauseWith(sent, ans)
		}
		out = append(out, supportCase{r.Question, neg, sent, false}, supportCase{r.Question, other, sent, false})
		if changed, ok := changeNumber(ans); ok {
			out = append(out, supportCase{r.Question, stem + is + changed, sent, false})
		}
	}
	return out
}

// evidenceSentence returns the sentence of paras holding ans (at most 300
// characters), and a sentence of another paragraph.
func evidenceSentence(paras []string, ans string, seed int) (sent, other string) {
	for k, p := range paras {
		i := strings.Index(p, ans)
		if i < 0 {
			continue
		}
		for _, sp := range text.Sentences(p) {
			if sp.Start <= i && i < sp.End {
				sent = p[sp.Start:sp.End]
			}
		}
		o := paras[(k+1+seed%5)%len(paras)]
		if ss := text.Sentences(o); len(ss) > 0 {
			other = o[ss[0].Start:ss[0].End]
		}
		break
	}
	if utf8.RuneCountInString(sent) > 300 {
		return "", ""
	}
	return sent, other
}

// questionStem drops the question words and marks of q, so that stem + is
// + answer reads as a statement.
func questionStem(q string) string {
	q = strings.TrimRight(q, "？?。 ")
	for _, w := range []string{"是什么", "是哪些", "是哪个", "是谁", "什么", "哪些", "哪个", "哪里", "哪一年", "谁", "多少", "几", "何时", "为什么", "如何", "怎样", "吗", "呢",
		"What ", "Which ", "Who ", "When ", "Where ", "How many ", "How much ", "How ", "Why ", "what ", "which ", "who "} {
		q = strings.ReplaceAll(q, w, "")
	}
	return strings.TrimSpace(q)
}

// clauseWith returns the clause of sent holding ans.
func clauseWith(sent, ans string) string {
	i := strings.Index(sent, ans)
	for _, c := range text.Clauses(sent) {
		if c.Start <= i && i < c.End {
			return sent[c.Start:c.End]
		}
	}
	return ans
}

// changeNumber changes the first digit of s, if it has one.
func changeNumber(s string) (string, bool) {
	for i, r := range s {
		if r >= '0' && r <= '9' {
			return s[:i] + fmt.Sprint((int(r-'0')+3)%10) + s[i+1:], true
		}
	}
	return "", false
}
