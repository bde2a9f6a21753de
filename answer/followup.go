package answer

import "strings"

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
// model. Questions are taken oldest first, content-free messages skipped:
// a self-contained question (it names a topic of its own and leans on no
// earlier turn, see [leansOnContext]) starts afresh; a question that names
// a topic of its own (a content word beyond question words and filler such
// as 还有, 具体, 方面, "what else") but leans on the conversation (那能源方面
// 呢？) starts a new topic and drives retrieval alone, with the earlier
// topic's terms kept at a low weight for quoting; a
// question without one ("还有什么具体要求？") is appended to the running
// topic, and the previous answer's quotes are ranked lower so it gets new
// ones (see [continuation]).
func (e *run) followupQuery(q Question) followup {
	if len(q.History) == 0 {
		return followup{text: q.Text, terms: e.questionTerms(q.Text, 1, false)}
	}
	topic := ""
	var context queryTerms
	step := func(question string) (merged bool) {
		question = strings.TrimSpace(question)
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
		f.cont = newContinuation(q.History[len(q.History)-1].Answer)
	}
	return f
}
