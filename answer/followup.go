package answer

import (
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/citebot/citebot/retrieval/text"
)

// followup is a question made standalone for retrieval and quoting.
type followup struct {
	// text is the retrieval query.
	text string
	// terms are the weighted terms for quoting and abstention.
	terms queryTerms
	// cont is set when the question asks for more on the same topic.
	cont *continuation
}

// continuation is the previous answer that a "tell me more" follow-up
// continues.
type continuation struct {
	// answer is the previous answer's text; quotes are its 「」 quotes.
	answer string
	quotes []string
}

func newContinuation(answer string) *continuation {
	c := &continuation{answer: answer}
	for _, sg := range parseModelText(answer) {
		if sg.kind == segQuote && !sg.open && wordRunes(sg.text) >= minQuoteRunes {
			c.quotes = append(c.quotes, sg.text)
		}
	}
	return c
}

// positions finds the previous quotes in the passages and returns, for
// each passage holding one, the byte offset where the last of them ends.
func (c *continuation) positions(views []*passageView) map[*passageView]int {
	out := make(map[*passageView]int)
	for _, pv := range views {
		for _, q := range c.quotes {
			if _, end, ok := locate(pv.p.Text, pv.view(), q); ok {
				out[pv] = max(out[pv], end)
			}
		}
	}
	return out
}

// followupQuery folds the conversation into a standalone query without a
// model. Questions are taken oldest first, content-free messages skipped.
// A question that leans on the running topic in a way [resolveFollowup]
// can undo (a pronoun standing for its subject, an elliptical "what about
// X" after a question asking when, where, who or how many, a short English
// question asking when, where, who or how many of nothing named) is
// rewritten into a standalone question and starts a new topic on its own:
// it holds what it needs of the earlier topic, and the earlier terms kept
// as context would pull the quotes back to the subject an ellipsis
// replaced (強森 asked after 卡特 got 卡特's sentence). Otherwise: a
// self-contained question (it names a topic of its own and leans on no
// earlier turn, see [leansOnContext]) starts afresh; a question that names
// a topic of its own (a content word beyond question words and filler such
// as 还有, 具体, 方面, "what else") but leans on the conversation (那能源方面
// 呢？) starts a new topic and drives retrieval alone, with the earlier
// topic's terms kept at a low weight for quoting; a question without one
// ("还有什么具体要求？") is appended to the running topic, and, unless it
// asks for a time, number, place or person of its own (死了多少人？, whose
// answer may lie in the previous quote), the previous answer's quotes are
// ranked lower so it gets new ones (see [continuation]). The kind of
// answer asked for is the follow-up's own when it names one.
func (e *run) followupQuery(q Question) followup {
	if len(q.History) == 0 {
		return followup{text: q.Text, terms: e.questionTerms(q.Text, 1, false)}
	}
	topic := ""
	var context queryTerms
	step := func(question string) (merged bool) {
		question = strings.TrimSpace(question)
		if topic != "" && question != "" && !isSmalltalk(question) {
			if r, ok := resolveFollowup(topic, question); ok {
				context = queryTerms{}
				topic = r
				return false
			}
		}
		switch {
		case question == "" || isSmalltalk(question):
			return false
		case topic == "":
			topic = question
		case topical(question) && !leansOnContext(question):
			// Self-contained: nothing of the earlier turns carries over.
			context = queryTerms{}
			topic = question
		case topical(question):
			context = e.questionTerms(topic, e.p.contextWeight, false)
			topic = question
		default:
			topic = topic + " " + question
			return true
		}
		return false
	}
	for _, t := range q.History {
		step(t.Question)
	}
	merged := step(q.Text)
	f := followup{text: topic}
	f.terms = e.questionTerms(topic, 1, true).withContext(context)
	if merged {
		if wants := answerType(q.Text); wants != "" {
			// It asks for something of its own: the kind is its own, and
			// the answer may be in the previous quote.
			f.terms.wants = wants
			if u := quantityUnit([]rune(q.Text)); u != "" {
				f.terms.unit = u
			}
		} else {
			f.cont = newContinuation(q.History[len(q.History)-1].Answer)
		}
	}
	return f
}

// Resolving a follow-up against the previous question.
//
// Without a model a follow-up is made standalone by three rewrites, tried
// in this order against the running topic prev (the previous question, or
// the questions merged into it):
//
//   - Ellipsis: "what about X?", "how about X?", "and X?", "what does the
//     report say about X?", 那X呢, X呢. When prev asks for a kind of
//     answer (see [answerType]: a time, number, place or person), prev is
//     kept with its subject replaced by X, so the kind carries over:
//     渡川之战发生在哪一年？ then 那折上原之战呢？ asks 折上原之战发生在哪一年？.
//     When prev asks for no kind ("what are the requirements?"), its frame
//     carries little and X alone drives retrieval as before (that is not a
//     rewrite), except that "what does the report say about X" is cut to
//     X: its "report" and "say" match speeches, not the topic.
//   - Pronoun: 他 她 它 他们 她们 它们 其 该 (not inside 其他, 其中, 尤其,
//     应该 ...), he she it they him her his its their them this. The
//     pronoun is replaced by prev's subject: 他哪一年出生？ after
//     陳誠是哪裡人？ asks 陳誠哪一年出生？.
//   - Bare: an English question asking when, where, who or how many
//     that names nothing (no capitalised word after the first, no number,
//     one or two content words: "how many people died?") is asked of
//     prev's subject: "How many people died? (Apollo 1)".
//
// The subject of a question (see [subjectSpan]) is, in English, its
// longest run of capitalised words (inner "of", "de", "von" ... allowed;
// the first word only when it is not a question or function word), else
// the words after its last preposition; in Chinese, its first run of two
// or more characters before a function character such as 是, 的, 在, 有,
// 因, 被, 对 or a question word (高英 of 高英是哪位皇帝的皇后？). Chinese has
// no word boundaries, so the run may carry a verb (詹森提出了); retrieval
// does not mind. In an ellipsis X replaces only the part of a Chinese
// subject that it matches (see [alignedSpan]): up to X's last character
// when the subject holds it (1968年 in 1960年美國總統選舉), X's length when
// they share their first character (刘七 for 刘六 in 刘六本名叫), else
// all of it (重庆 for 上海市委书记: 上海市委书记是谁？ then 那重庆呢？ asks
// 重庆是谁？; replacing only as many leading characters as X has would
// give 重庆市委书记是谁？ but turns 谁是美国第37任总统？ then 那尼克森呢？
// into 谁是尼克森37任总统？).

// resolveFollowup rewrites follow-up f against the running topic prev; ok
// is false when no rewrite applies.
func resolveFollowup(prev, f string) (string, bool) {
	if x, report, ok := ellipsis(f); ok && !hasPronoun(x) {
		if answerType(prev) == "" {
			return x, report
		}
		if s, e := subjectSpan(prev); s < e {
			s, e = alignedSpan(prev[s:e], x, s)
			return prev[:s] + x + prev[e:], true
		}
		return "", false
	}
	if s, e := pronounSpan(f); s < e {
		if ss, se := subjectSpan(prev); ss < se {
			return f[:s] + prev[ss:se] + f[e:], true
		}
		return "", false
	}
	if namesNothing(f) {
		if ss, se := subjectSpan(prev); ss < se {
			return strings.TrimRight(f, "?？.。! ") + "? (" + prev[ss:se] + ")", true
		}
	}
	return "", false
}

var (
	// englishEllipsis matches "what about X", "how about X", "and X" and
	// "what does the report say about X"; group 2 is X, group 1 set for
	// the report form.
	englishEllipsis = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)^\s*(?:(?:and\s+)?(?:what|how)\s+about|and|what\s+of|(?:and\s+)?(what\s+(?:does|did|do)\s+(?:the\s+|this\s+)?(?:report|document|article|text|paper|speech|file|source|it)\s+(?:say|says|said|tell\s+us|mention)\s+(?:about|on|regarding)))\s+(.+?)[\s?？.。!！]*$`)
	})
	// englishQuestionStart are first words of a question that make "and
	// ..." a question of its own, not an ellipsis.
	englishQuestionStart = map[string]bool{
		"what": true, "when": true, "where": true, "who": true, "whom": true, "whose": true, "why": true,
		"how": true, "which": true, "is": true, "was": true, "are": true, "were": true, "did": true,
		"does": true, "do": true, "can": true, "could": true, "will": true, "would": true, "should": true,
		"has": true, "have": true, "had": true,
	}
)

// ellipsis returns X of an elliptical follow-up ("what about X?", 那X呢？);
// report is set for "what does the report say about X?".
func ellipsis(f string) (x string, report, ok bool) {
	t := strings.TrimRight(strings.TrimSpace(f), "?？.。!！ ")
	if m := englishEllipsis().FindStringSubmatch(t); m != nil {
		x = strings.TrimSpace(m[2])
		words := englishWords(x)
		if len(words) == 0 || englishQuestionStart[strings.ToLower(x[words[0][0]:words[0][1]])] {
			return "", false, false
		}
		return x, m[1] != "", true
	}
	body, found := strings.CutSuffix(t, "呢")
	if !found {
		return "", false, false
	}
	for _, p := range []string{"那么", "那麼", "那", "还有", "還有", "而", "另外"} {
		if b, cut := strings.CutPrefix(body, p); cut {
			body = b
			break
		}
	}
	body = strings.Trim(body, "，,、 ")
	if body == "" || utf8.RuneCountInString(body) > 12 || asksItself(body) {
		return "", false, false
	}
	return body, false, true
}

// asksItself reports whether s holds a Chinese question word.
func asksItself(s string) bool {
	if strings.ContainsAny(s, text.InterrogativeChars) {
		return true
	}
	for _, w := range text.Interrogatives {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// Pronouns: Chinese ones longest first, and what they must not be part
// of (其他, 应该 ...); English ones as whole words.
var (
	zhPronouns = []string{"他們", "他们", "她們", "她们", "它們", "它们", "他", "她", "它", "其", "该", "該"}
	// zhNotPronounAfter: a pronoun preceded by one of these is part of a word.
	zhNotPronounAfter = map[string]string{"他": "其吉", "它": "其", "其": "尤极極与與", "该": "应活", "該": "應活"}
	// zhNotPronounBefore: a pronoun followed by one of these is part of a word.
	zhNotPronounBefore = map[string]string{"其": "他它中实實余餘次间間后後", "他": "人"}
	englishPronouns    = map[string]bool{
		"he": true, "she": true, "it": true, "they": true, "him": true, "her": true, "his": true,
		"its": true, "their": true, "them": true, "this": true,
	}
)

// hasPronoun reports whether s holds a pronoun.
func hasPronoun(s string) bool {
	start, end := pronounSpan(s)
	return start < end
}

// pronounSpan returns the byte span of the first pronoun of f (start ==
// end when there is none).
func pronounSpan(f string) (start, end int) {
	for _, w := range englishWords(f) {
		word := strings.ToLower(f[w[0]:w[1]])
		if stem := strings.TrimSuffix(strings.TrimSuffix(word, "'s"), "’s"); englishPronouns[stem] {
			return w[0], w[0] + len(stem) // it's: the pronoun is "it"
		}
	}
	best := -1
	for _, p := range zhPronouns {
		for i := 0; ; {
			j := strings.Index(f[i:], p)
			if j < 0 {
				break
			}
			j += i
			prev, _ := utf8.DecodeLastRuneInString(f[:j])
			next, _ := utf8.DecodeRuneInString(f[j+len(p):])
			if !strings.ContainsRune(zhNotPronounAfter[p], prev) && !strings.ContainsRune(zhNotPronounBefore[p], next) {
				if best < 0 || j < best {
					best, end = j, j+len(p)
				}
				break
			}
			i = j + len(p)
		}
	}
	if best < 0 {
		return 0, 0
	}
	return best, end
}

// englishWords returns the byte spans of the Latin words of s.
func englishWords(s string) [][]int {
	return englishWord().FindAllStringIndex(s, -1)
}

var englishWord = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`[\p{Latin}0-9][\p{Latin}0-9'’\-]*(?:\.\p{Latin})*\.?`)
})

// namesNothing reports whether f is a short English question asking for
// a time, number, place or person of nothing it names: "how many people
// died?".
func namesNothing(f string) bool {
	if answerType(f) == "" || strings.IndexFunc(f, text.IsHan) >= 0 || strings.IndexFunc(f, unicode.IsDigit) >= 0 {
		return false
	}
	content := 0
	for i, w := range englishWords(f) {
		word := strings.Trim(f[w[0]:w[1]], ".")
		r, _ := utf8.DecodeRuneInString(word)
		if i > 0 && unicode.IsUpper(r) {
			return false
		}
		lower := strings.ToLower(word)
		if !text.EnglishStop[lower] && !text.EnglishFollowup[lower] && len(lower) > 2 {
			content++
		}
	}
	return content >= 1 && content <= 2
}

// subjectSpan returns the byte span of q's subject (start == end when it
// has none): see the comment on resolving follow-ups above.
func subjectSpan(q string) (start, end int) {
	if strings.IndexFunc(q, text.IsHan) >= 0 {
		return hanSubject(q)
	}
	words := englishWords(q)
	capital := func(i int) bool {
		w := q[words[i][0]:words[i][1]]
		if i == 0 && (text.EnglishStop[strings.ToLower(w)] || englishQuestionStart[strings.ToLower(w)]) {
			return false
		}
		return strings.IndexFunc(w, unicode.IsUpper) >= 0
	}
	for i := 0; i < len(words); i++ {
		if !capital(i) {
			continue
		}
		last := i
		for k := i + 1; k < len(words); k++ {
			w := strings.ToLower(q[words[k][0]:words[k][1]])
			if capital(k) || strings.Trim(w, "0123456789") == "" {
				last = k
				continue
			}
			if !nameJoiners[w] || k+1 == len(words) || !capital(k+1) {
				break
			}
		}
		if words[last][1]-words[i][0] > end-start {
			start, end = words[i][0], words[last][1]
		}
		i = last
	}
	if start < end {
		return start, end
	}
	// No name: the words after the last preposition, else the last word.
	for i := len(words) - 2; i >= 0; i-- {
		if englishPrepositions[strings.ToLower(q[words[i][0]:words[i][1]])] {
			return words[i+1][0], words[len(words)-1][1]
		}
	}
	for i := len(words) - 1; i >= 0; i-- {
		if w := strings.ToLower(q[words[i][0]:words[i][1]]); !text.EnglishStop[w] && len(w) > 2 {
			return words[i][0], words[i][1]
		}
	}
	return 0, 0
}

var (
	// nameJoiners are the lower-case words inside a name: Edict of
	// Fontainebleau, Louis de Condé.
	nameJoiners = map[string]bool{"of": true, "de": true, "du": true, "des": true, "la": true, "le": true, "von": true, "van": true, "the": true, "and": true}
	// englishPrepositions start the noun phrase a question is about.
	englishPrepositions = map[string]bool{"about": true, "of": true, "for": true, "on": true, "in": true, "with": true, "to": true, "from": true, "by": true, "at": true, "regarding": true}
	// subjectEnd are the Chinese characters a subject ends before.
	subjectEnd = "是的在有因于於被从從对對为為把将將和与與及跟向给給"
)

// hanSubject returns the byte span of the first run of two or more
// characters of q outside question words, before a character of
// subjectEnd (letters, digits and the middle dot of a foreign name
// included).
func hanSubject(q string) (start, end int) {
	runes, at := runeOffsets(q)
	stop := contentMask(runes, false)
	in := func(i int) bool {
		r := runes[i]
		if stop[i] || strings.ContainsRune(text.InterrogativeChars, r) || strings.ContainsRune(subjectEnd, r) {
			return false
		}
		return unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("·•・‧", r)
	}
	for i := 0; i < len(runes); i++ {
		if !in(i) {
			continue
		}
		j := i
		for j < len(runes) && in(j) {
			j++
		}
		if j-i >= 2 {
			return at[i], at[j]
		}
		i = j
	}
	return 0, 0
}

// runeOffsets returns the runes of s and the byte offset of each, with
// len(s) after the last (an invalid byte is one rune).
func runeOffsets(s string) ([]rune, []int) {
	var runes []rune
	var at []int
	for i, r := range s {
		runes, at = append(runes, r), append(at, i)
	}
	return runes, append(at, len(s))
}

// alignedSpan returns the byte span, offset by at, of the part of the
// Chinese subject that x stands for in an ellipsis: up to x's last
// character when the subject holds it, x's length when they share their
// first character, else all of it.
func alignedSpan(subject, x string, at int) (start, end int) {
	sr, off := runeOffsets(subject)
	xr, _ := runeOffsets(x)
	if strings.IndexFunc(subject, text.IsHan) < 0 || len(xr) == 0 {
		return at, at + len(subject)
	}
	for i, r := range sr {
		if r == xr[len(xr)-1] && i >= 1 {
			return at, at + off[i+1]
		}
	}
	if len(sr) > len(xr) && sr[0] == xr[0] {
		return at, at + off[len(xr)]
	}
	return at, at + len(subject)
}
