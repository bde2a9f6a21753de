package answer

import (
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/citebot/citebot/retrieval/text"
	"github.com/citebot/citebot/retrieval/text/lexicon"
)

// Support: whether a claim's prose says no more than its quotes (see
// claims.go). The measure is lexical and deliberately strict: a claim the
// check cannot follow is removed, and an answer left with nothing falls
// back to the extractive answer, which is always document text.
//
// Han prose is read character by character: a character is supported when
// it forms, with its left or right neighbour in the prose, a bigram of the
// evidence (the claim's quotes and the question), or when it is a function
// character (的, 是, 和 ...) or stands alone between such characters and
// occurs in the evidence. Latin prose is read word by word, stop words
// aside, a word matching an evidence word by its first five letters.
// Framing words (会议, 要求, 指出, "according to", "the document") are
// removed first: they introduce quotes and claim nothing.
//
// Three rules have no allowance: every number (digits, Han numerals, the
// English number words) and every negation (不, 没, 未, 无, 非, 取消 ...,
// "not", "never", "lifted" ...) in the prose must occur in the quotes
// themselves, not in the question (a leading question such as "Was the
// ban lifted?" lends the claim no premise). Numbers are compared whole:
// runs of digits, runs of Han numerals and number words against those of
// the quotes, collected once per check ([strictEvidence]), so that 5 is
// not found in 2015 nor "ten" in "often" (an English number word on
// Chinese quotes still only needs its Han numeral somewhere in them, so
// that "three million" stands on 三百万). Third,
// prose in another language than its quotes (an English answer quoting a
// Chinese document) is read through the bilingual lexicon of
// retrieval/text/lexicon: a content word is supported when one of its
// renderings occurs in the evidence, and at most [maxUntranslated] may
// have none. Without the lexicon the prose may hold at most
// [crossLingualWords] unmatched content words plus one per three quoted
// characters.

// minCitedWeight is the least weight ([citedWeight]) a quote needs to back
// a claim: 6 Han characters or 3 words. Shorter quotes (「长江」) prove
// nothing.
const minCitedWeight = 6

// citedWeight weighs quote text: one per Han character, two per word of
// other letters or digits.
func citedWeight(s string) int {
	n, inWord := 0, false
	for _, r := range s {
		switch {
		case text.IsHan(r):
			n++
			inWord = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if !inWord {
				n += 2
			}
			inWord = true
		default:
			inWord = false
		}
	}
	return n
}

// Thresholds of [verifier.supported], measured on honest and altered
// answers (see support_test.go).
const (
	// maxUnsupportedShare is the share of a claim's content units
	// (Han characters, words) that may be missing from its evidence.
	maxUnsupportedShare = 0.1
	// crossLingualWords is the number of content words prose in another
	// language than its quotes may hold beyond one per three quoted
	// characters (for Chinese prose around English quotes: twice this in
	// characters, plus one per quoted word).
	crossLingualWords = 2
)

// supported reports whether prose is supported by the evidence quotes
// and the question.
func (v *verifier) supported(prose string, evidence []string) bool {
	share := maxUnsupportedShare
	if v.share != 0 {
		share = v.share
	}
	return v.support(prose, evidence).ok(share)
}

// supportCheck is the measure behind [verifier.supported].
type supportCheck struct {
	// hard is set when a rule without allowance failed: a number or a
	// negation missing from the evidence, or too much prose in another
	// language than the quotes.
	hard bool
	// missing of total content units of the prose (in the quotes'
	// script) are not in the evidence.
	missing, total int
}

// ok reports whether the check passes when share of the units may be
// missing.
func (c supportCheck) ok(share float64) bool {
	return !c.hard && float64(c.missing) <= share*float64(c.total)
}

// support measures how far the evidence quotes and the question support
// prose.
func (v *verifier) support(prose string, evidence []string) supportCheck {
	quotes := strings.Join(evidence, "\n")
	ev := strings.ToLower(quotes + "\n" + v.question)
	p := strings.ToLower(stripFraming(listMarker().ReplaceAllString(prose, "")))
	if se := newStrictEvidence(strings.ToLower(quotes)); !se.numbersIn(p) || !se.negationsIn(p) {
		return supportCheck{hard: true}
	}
	han, hanMissing := hanSupport(p, ev)
	words, wordsMissing := wordSupport(p, ev)
	// Units in the quotes' script are compared; missing ones in the other
	// script are bounded.
	c := supportCheck{total: han, missing: hanMissing}
	to := text.Lang(quotes)
	cross, limit := wordsMissing, crossLingualWords+hanCount(quotes)/3
	if to != "zh" {
		c = supportCheck{total: words, missing: wordsMissing}
		cross, limit = hanMissing, 2*crossLingualWords+len(latinWords(quotes))
	}
	if cross > 0 {
		if n, ok := untranslated(stripFraming(prose), to, ev); ok { // names keep their capitals
			cross, limit = n, maxUntranslated
		}
	}
	c.hard = cross > limit
	return c
}

// maxUntranslated is the number of content words of prose in another
// language than its quotes that may have no rendering in the evidence.
const maxUntranslated = 1

// untranslated counts the content words of p, in another language than
// the evidence ev (in language to), that the bilingual lexicon renders
// by nothing ev holds; ok is false when the lexicon is unavailable.
func untranslated(p, to, ev string) (n int, ok bool) {
	q, err := lexicon.Translate(p, to, func(alt string) bool { return strings.Contains(ev, strings.ToLower(alt)) })
	if err != nil {
		return 0, false
	}
	for _, u := range q.Unknown {
		for _, w := range latinWords(strings.ToLower(u)) {
			if !stopWords[w] && !strings.Contains(ev, w) {
				n++
			}
		}
		if hanCount(u) > 0 && !strings.Contains(ev, u) {
			n++
		}
	}
	return n, true
}

func hanCount(s string) int {
	n := 0
	for _, r := range s {
		if text.IsHan(r) {
			n++
		}
	}
	return n
}

// functionChars are Han characters that claim nothing on their own.
const functionChars = "的了是在和与及也为将被把对并还又且即等其该此这那之而或就都所以于从由向给让使着过地得个些种项要有称据说见如另他她它们我"

// hanSupport counts the Han characters of p and those not supported by ev.
func hanSupport(p, ev string) (total, missing int) {
	runs := hanRuns(p)
	for _, run := range runs {
		for i, r := range run {
			total++
			if strings.ContainsRune(functionChars, r) {
				continue
			}
			left := i > 0 && strings.Contains(ev, string(run[i-1:i+1]))
			right := i+1 < len(run) && strings.Contains(ev, string(run[i:i+2]))
			alone := (i == 0 || strings.ContainsRune(functionChars, run[i-1])) &&
				(i+1 == len(run) || strings.ContainsRune(functionChars, run[i+1]))
			if !left && !right && !(alone && strings.ContainsRune(ev, r)) {
				missing++
			}
		}
	}
	return total, missing
}

// hanRuns returns the runs of Han characters of s.
func hanRuns(s string) [][]rune {
	var runs [][]rune
	var cur []rune
	for _, r := range s {
		if text.IsHan(r) {
			cur = append(cur, r)
			continue
		}
		if len(cur) > 0 {
			runs = append(runs, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		runs = append(runs, cur)
	}
	return runs
}

// wordSupport counts the content words (not stop words) of p and those
// not in ev.
func wordSupport(p, ev string) (total, missing int) {
	var evWords map[string]bool
	for _, w := range latinWords(p) {
		if stopWords[w] || isDigits(w) {
			continue
		}
		if evWords == nil {
			evWords = make(map[string]bool)
			for _, e := range latinWords(ev) {
				evWords[stem(e)] = true
			}
		}
		total++
		if !evWords[stem(w)] {
			missing++
		}
	}
	return total, missing
}

// stem cuts a word to its first five letters: enough to match "closes"
// and "closed", "fishing" and "fishers".
func stem(w string) string {
	if utf8.RuneCountInString(w) <= 5 {
		return w
	}
	return string([]rune(w)[:5])
}

// latinWords splits s into words of letters and digits other than Han.
func latinWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return text.IsHan(r) || !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'')
	})
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// strictEvidence is what the rules without allowance compare prose with:
// the lower-cased quotes of a claim, with their words, runs of digits and
// runs of Han numerals.
type strictEvidence struct {
	text                    string
	words, digits, numerals map[string]bool
	// negText is text without the words of [notNegations]; hanCue is set
	// when it holds a Han negation that lets an English one stand.
	negText string
	hanCue  bool
}

func newStrictEvidence(quotes string) strictEvidence {
	se := strictEvidence{text: quotes, words: map[string]bool{}, digits: map[string]bool{}, numerals: map[string]bool{}}
	for _, w := range latinWords(quotes) {
		se.words[w] = true
	}
	for _, d := range digitRuns(quotes) {
		se.digits[d] = true
	}
	for _, n := range numeralRuns([]rune(quotes)) {
		se.numerals[string(n.run)] = true
	}
	se.negText = notNegations.Replace(quotes)
	for _, c := range latinNegationsZh {
		se.hanCue = se.hanCue || strings.Contains(se.negText, c)
	}
	return se
}

// numbersIn reports whether every number of p occurs in the quotes: runs
// of digits (thousands separators ignored), runs of two or more Han
// numerals or one before a unit (十年, 三个月), and English number words
// (also as Han numerals).
func (se strictEvidence) numbersIn(p string) bool {
	for _, d := range digitRuns(p) {
		if !se.digits[d] {
			return false
		}
	}
	for _, w := range latinWords(p) {
		if zh, ok := numberWords[w]; ok && !se.words[w] && !strings.Contains(se.text, zh) {
			return false
		}
	}
	for _, n := range numeralRuns([]rune(p)) {
		if (len(n.run) >= 2 || n.unit && n.run[0] != '一') && !se.numerals[string(n.run)] {
			return false
		}
	}
	return true
}

// digitRuns returns the runs of ASCII digits of s, a comma between a
// digit and three more (a thousands separator) read as part of the run.
func digitRuns(s string) []string {
	var runs []string
	var cur []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			cur = append(cur, c)
			continue
		case c == ',' && len(cur) > 0 && thousands(s[i+1:]):
			continue
		}
		if len(cur) > 0 {
			runs = append(runs, string(cur))
			cur = cur[:0]
		}
	}
	if len(cur) > 0 {
		runs = append(runs, string(cur))
	}
	return runs
}

// thousands reports whether s starts with exactly three digits.
func thousands(s string) bool {
	return len(s) >= 3 && isDigits(s[:3]) && (len(s) == 3 || s[3] < '0' || s[3] > '9')
}

// numeralRun is a run of Han numerals; unit is set when a unit (年, 个
// ...) follows it.
type numeralRun struct {
	run  []rune
	unit bool
}

// numeralRuns returns the runs of Han numerals of rs.
func numeralRuns(rs []rune) []numeralRun {
	var runs []numeralRun
	for i := 0; i < len(rs); {
		if !isHanNumeral(rs[i]) {
			i++
			continue
		}
		j := i
		for j < len(rs) && isHanNumeral(rs[j]) {
			j++
		}
		unit := j < len(rs) && strings.ContainsRune("年月日天个万亿元岁次倍名位项条人家所户届期", rs[j])
		runs = append(runs, numeralRun{run: rs[i:j], unit: unit})
		i = j
	}
	return runs
}

func isHanNumeral(r rune) bool {
	return strings.ContainsRune("〇零一二三四五六七八九十百千万亿两", r)
}

// numberWords maps English number words to Han numerals.
var numberWords = map[string]string{
	"two": "二", "three": "三", "four": "四", "five": "五", "six": "六", "seven": "七", "eight": "八",
	"nine": "九", "ten": "十", "eleven": "十一", "twelve": "十二", "twenty": "二十", "thirty": "三十",
	"forty": "四十", "fifty": "五十", "hundred": "百", "thousand": "千", "million": "百万", "billion": "亿",
	"dozen": "十二", "half": "半", "double": "倍", "twice": "两",
}

// Negation cues: a claim may negate only what its evidence negates.
var (
	hanNegations   = []string{"不", "没", "未", "无", "非", "否", "勿", "减少", "削弱", "放松", "放宽", "降低", "下降", "取消", "停止", "废除", "暂停", "撤销", "放弃", "反对", "结束", "解除", "终止"}
	latinNegations = map[string]bool{
		"not": true, "no": true, "never": true, "none": true, "nor": true, "neither": true, "cannot": true,
		"without": true, "nothing": true, "nobody": true, "lifted": true, "lift": true, "cancel": true,
		"cancelled": true, "canceled": true, "abolish": true, "abolished": true, "ended": true, "end": true,
		"stopped": true, "stop": true, "halted": true, "suspended": true, "repealed": true, "reversed": true,
	}
	// latinNegationsZh are Han cues that let an English negation stand
	// on Chinese evidence.
	latinNegationsZh = []string{"不", "没", "未", "无", "非", "取消", "结束", "解除", "终止"}
)

// negationsIn reports whether every negation cue of p occurs in the
// quotes.
func (se strictEvidence) negationsIn(p string) bool {
	p = notNegations.Replace(p)
	for _, n := range hanNegations {
		if strings.Contains(p, n) && !strings.Contains(se.negText, n) {
			return false
		}
	}
	for _, w := range latinWords(p) {
		neg := latinNegations[w] || strings.HasSuffix(w, "n't")
		if neg && !se.words[w] && !se.hanCue {
			return false
		}
	}
	return true
}

// framingWords introduce quotes and claim nothing; they are removed
// before a claim is compared with its evidence. Longer first where one
// contains another.
var framingWords = []string{
	"座谈会", "会议上", "会议", "文档中", "文档", "文件中", "文件", "原文", "文中", "材料", "讲话中", "讲话",
	"根据", "依据", "按照", "据此", "要求", "强调", "指出", "提出", "表示", "认为", "提到", "说明",
	"明确", "包括", "以及", "并且", "而且", "同时", "此外", "另外", "需要", "应当", "应该", "其中", "具体",
	"主要", "方面", "内容", "如下", "答案", "回答", "总之", "综上所述", "综上", "所述", "可以", "一是",
	"二是", "三是", "四是", "首先", "其次", "最后", "不仅", "还要", "也要", "部署", "写道", "说道",
	"会上", "相关", "关于", "对于", "目前", "不断", "非常", "特别", "进一步", "必须", "务必", "应",
	"总的来看", "总的看", "总体来看", "总体上", "可以看出", "由此可见", "具体来说", "具体而言", "也就是说",
	"换句话说", "简而言之", "概括来说", "这意味着", "具有", "提及", "涉及", "以下", "下列", "几点",
}

// notNegations are words holding a negation character that negate
// nothing; they are ignored by [negationsIn].
var notNegations = strings.NewReplacer("未来", " ", "无论", " ", "是否", " ", "否则", " ", "不少", " ", "不同", " ",
	"毫无疑问", " ", "不可或缺", " ", "无缝", " ", "非常", " ", "不断", " ", "不仅", " ", "并非", "不")

// stopWords are English words that carry no claim of their own, framing
// words included.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an the of to in on at by for from with as and or but if then than so
		is are was were be been being am it its it's this that these those there here which who whom whose what
		when where why how he she they them their his her we our you your i me my
		has have had having do does did will would shall should must can could may might
		also such both well more most very just only into about over under between among within
		document documents text passage passages says said say states stated state according reads read
		mentions mentioned mention notes noted note quote quoted quotes writes wrote written
		meeting symposium calls called call urges urged urge stresses stressed stress emphasizes emphasized
		emphasises emphasised requires required require asks asked ask include includes including included
		answer question based following follows follow specifically particular particularly namely
		other another each every all any some one first second third finally additionally furthermore
		moreover however therefore thus hence yes`) {
		m[w] = true
	}
	return m
}()

// listMarker matches the number or bullet a list item starts with.
var listMarker = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?m)^[ \t]*(?:\(?[0-9]{1,2}[.)、．）]|[（(][0-9一二三四五六七八九十]{1,2}[)）]|[-*•·])[ \t]*`)
})

// stripFraming replaces the framing words of prose by spaces.
func stripFraming(prose string) string {
	for _, w := range framingWords {
		prose = strings.ReplaceAll(prose, w, " ")
	}
	return prose
}

// framingOnly reports whether claim holds nothing but framing words,
// stop words, punctuation and markers: a heading such as "回答：" that is
// dropped without being listed as unsupported.
func framingOnly(claim string) bool {
	for _, sg := range parseModelText(claim) {
		if sg.kind == segQuote {
			return false
		}
		if sg.kind != segText {
			continue
		}
		p := strings.ToLower(stripFraming(sg.text))
		if hanCount(p) > 0 {
			return false
		}
		for _, w := range latinWords(p) {
			if !stopWords[w] {
				return false
			}
		}
	}
	return true
}

// stripQuoteMarks removes quotation marks from prose, keeping
// apostrophes inside words (don't, river's).
func stripQuoteMarks(s string) string {
	if !strings.ContainsFunc(s, isQuoteMark) {
		return s
	}
	var b strings.Builder
	prev := rune(0)
	for i, r := range s {
		if isQuoteMark(r) && r != '`' {
			next, _ := utf8.DecodeRuneInString(s[i+utf8.RuneLen(r):])
			if (r == '\'' || r == '’') && unicode.IsLetter(prev) && unicode.IsLetter(next) {
				b.WriteRune(r)
			}
			prev = r
			continue
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}
