package answer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/citebot/citebot/prompts"
	"github.com/citebot/citebot/retrieval/text"
)

// maxRewriteRunes bounds a model's rewritten or translated question: a
// longer reply is not a question.
const maxRewriteRunes = 300

// llmAnswer answers q with the chat model, verifying its quotes, and falls
// back to the extractive answer when the model fails or cites nothing
// verifiable.
func (e *run) llmAnswer(ctx context.Context, q Question, onPartial func(string)) (Answer, error) {
	lq, err := e.prepare(ctx, q)
	if err != nil {
		return Answer{}, err
	}
	passages, err := e.retrieveAll(ctx, lq.queries)
	if err != nil {
		return Answer{}, err
	}
	ans := Answer{Question: q.Text, Standalone: lq.standalone, Lang: lq.lang, Mode: LLM}
	if len(passages) == 0 {
		return e.notFound(ans, nil), nil
	}
	msgs, modelPassages, err := e.answerPrompt(lq.standalone, lq.lang, passages[:min(len(passages), e.opts.ModelPassages)])
	if err != nil {
		return Answer{}, err
	}
	views := e.passageViews(modelPassages)
	if e.opts.MinCoverage > 0 && lq.terms.total > 0 {
		if _, cov := e.pickQuotes(lq.terms, views, lq.cont); cov < e.opts.MinCoverage/2 {
			e.log.Debug("abstain before the model", "question", q.Text, "coverage", cov)
			return e.notFound(ans, passages), nil
		}
	}
	if lq.modelDown {
		return e.fallback(lq, passages, noticeModelFailed), nil
	}
	v := &verifier{e: e, views: views, terms: lq.terms, question: strings.Join(append([]string{q.Text}, lq.queries...), "\n")}
	res, err := e.complete(ctx, msgs, v, onPartial)
	if ctx.Err() != nil {
		if errors.Is(context.Cause(ctx), ErrStopped) && len(res.citations) > 0 {
			return e.verifiedAnswer(ans, lq, passages, res.verified, nil), nil
		}
		return Answer{}, ctx.Err()
	}
	if err != nil && res.raw == "" {
		e.log.Warn("chat model failed; answering extractively", "err", err)
		return e.fallback(lq, passages, noticeModelFailed), nil
	}
	return e.verifiedAnswer(ans, lq, passages, res.verified, err), nil
}

// completion is a model reply, verified.
type completion struct {
	verified
	// raw is the reply as the model sent it, blanks trimmed.
	raw string
}

// errReplyTooLong ends a reply longer than the engine reads.
var errReplyTooLong = errors.New("model reply longer than the completion limit")

// complete runs the answer prompt and verifies the reply as it streams,
// passing onPartial (when not nil) each growth of the verified text. A
// reply past [run.maxReplyBytes] is cut off and the error is
// errReplyTooLong; an error of the model is returned with the reply that
// arrived before it.
func (e *run) complete(ctx context.Context, msgs []Message, v *verifier, onPartial func(string)) (completion, error) {
	cs := v.stream(onPartial)
	cs.limit = e.maxReplyBytes()
	mctx, cancel := context.WithCancel(ctx)
	defer cancel()
	text, err := e.m.Complete(mctx, msgs, func(d string) {
		if cs.overflow {
			return
		}
		if cs.write(d); cs.overflow {
			cancel()
		}
	})
	if got := cs.raw.String(); !cs.overflow && len(text) > len(got) && strings.HasPrefix(text, got) {
		cs.write(text[len(got):]) // an adapter that did not pass every piece to onDelta
	}
	if cs.overflow {
		err = errReplyTooLong
	}
	return completion{verified: cs.finish(), raw: strings.TrimSpace(cs.raw.String())}, err
}

// llmQuestion is a question made ready for retrieval and the model.
type llmQuestion struct {
	// text is the question as asked and lang its language.
	text, lang string
	// standalone is the question after follow-up rewriting.
	standalone string
	// queries are the retrieval queries: standalone and, when its
	// language is not the documents', its translation.
	queries []string
	// terms weigh the question's words for quoting and abstention; cont
	// is set when it asks for more on the previous topic.
	terms queryTerms
	cont  *continuation
	// modelDown is set when a helper call found the model unavailable.
	modelDown bool
}

// prepare makes q standalone (with the model when it has history) and,
// when it is not in the documents' language, translates it for retrieval.
// A failing model leaves the question as it is, folded without a model
// (see [run.followupQuery]); only a cancelled ctx is an error.
func (e *run) prepare(ctx context.Context, q Question) (llmQuestion, error) {
	fq := e.followupQuery(q) // the model-free fallback for rewriting
	lq := llmQuestion{text: q.Text, lang: text.Lang(q.Text), standalone: q.Text, cont: fq.cont}
	if len(q.History) > 0 {
		if s, err := e.rewrite(ctx, q); err != nil {
			if ctx.Err() != nil {
				return llmQuestion{}, ctx.Err()
			}
			e.log.Warn("follow-up rewrite failed; merging terms instead", "err", err)
			lq.standalone = fq.text
			lq.modelDown = unavailable(err)
		} else {
			lq.standalone = s
			fq.terms = e.questionTerms(s, 1, false)
		}
	}
	lq.queries = []string{lq.standalone}
	lq.terms = fq.terms
	if text.Lang(lq.standalone) == e.st.lang || lq.modelDown {
		return lq, nil
	}
	tr, err := e.translate(ctx, lq.standalone, e.st.lang)
	if err != nil {
		if ctx.Err() != nil {
			return llmQuestion{}, ctx.Err()
		}
		e.log.Warn("question translation failed; searching with the question alone", "err", err)
		lq.modelDown = unavailable(err)
		return lq, nil
	}
	lq.queries = append(lq.queries, tr)
	lq.terms = e.questionTerms(tr, 1, false).withContext(lq.terms)
	return lq, nil
}

// fallback returns the extractive answer to lq with the notice kind.
func (e *run) fallback(lq llmQuestion, passages []Passage, kind noticeKind) Answer {
	a := e.extractive(lq.text, lq.standalone, lq.lang, lq.terms, lq.cont, passages)
	a.Notice = notice(kind, lq.lang)
	return a
}

// verifiedAnswer completes ans from the verified model answer res, or
// abstains or falls back to the extractive answer when res kept no
// citation. streamErr is the error that cut the model's reply, if any.
func (e *run) verifiedAnswer(ans Answer, lq llmQuestion, passages []Passage, res verified, streamErr error) Answer {
	e.log.Debug("model answer verified", "quotes", res.quotes, "dropped", res.dropped, "citations", len(res.citations),
		"unsupported", len(res.unsupported), "not_found", res.notFound)
	switch {
	case res.notFound && len(res.citations) == 0:
		return e.notFound(ans, passages)
	case len(res.citations) == 0:
		// The question is the user's text: debug level only.
		e.log.Info("model answer has no verifiable quote; answering extractively", "unsupported", len(res.unsupported))
		e.log.Debug("model answer has no verifiable quote: question text", "question", lq.text)
		a := e.fallback(lq, passages, noticeUngrounded)
		a.Ungrounded = true
		a.Unsupported = res.unsupported
		if streamErr != nil {
			a.Notice = notice(noticeCut, lq.lang) + " " + a.Notice
		}
		return a
	}
	ans.Text = res.text
	ans.Citations = res.citations
	ans.Unsupported = res.unsupported
	var notes []string
	if streamErr != nil {
		e.log.Warn("chat model stream cut; keeping the verified part", "err", streamErr)
		notes = append(notes, notice(noticeCut, lq.lang))
	}
	if n := len(res.unsupported); n > 0 {
		notes = append(notes, removedNotice(n, lq.lang))
	}
	ans.Notice = strings.Join(notes, " ")
	return ans
}

// removedNotice says that n unsupported claims were removed, in lang.
func removedNotice(n int, lang string) string {
	if lang == "zh" {
		return fmt.Sprintf("已删除%d处文档无法支持的内容。", n)
	}
	if n == 1 {
		return "1 sentence the document does not support was removed."
	}
	return fmt.Sprintf("%d sentences the document does not support were removed.", n)
}

// answerPrompt renders the answer prompt for the numbered passages, best
// first, within the prompt's token budget (see budget.go): the
// lowest-ranked passages that do not fit are left out, and a first
// passage too long on its own is cut at a sentence end. It returns the
// passages the prompt holds.
func (e *run) answerPrompt(question, lang string, passages []Passage) ([]Message, []Passage, error) {
	budget := e.promptBudget()
	for k := len(passages); k >= 1; k-- {
		msgs, err := e.renderAnswerPrompt(question, lang, passages[:k])
		if err != nil {
			return nil, nil, err
		}
		if used := estimateMessages(msgs); used <= budget || k == 1 {
			if used > budget {
				return e.cutFirstPassage(question, lang, passages[0], budget)
			}
			if k < len(passages) {
				e.log.Debug("prompt budget: passages left out", "kept", k, "of", len(passages), "budget", budget)
			}
			return msgs, passages[:k], nil
		}
	}
	return nil, nil, fmt.Errorf("answer prompt: no passages")
}

// renderAnswerPrompt renders the answer prompt for passages.
func (e *run) renderAnswerPrompt(question, lang string, passages []Passage) ([]Message, error) {
	data := prompts.AnswerData{Question: question, Lang: lang}
	for i, p := range passages {
		data.Passages = append(data.Passages, prompts.Passage{N: i + 1, Doc: p.Doc, Paragraph: p.Paragraph, Text: p.Text})
	}
	pm, err := prompts.Answer(data)
	if err != nil {
		return nil, err
	}
	return toMessages(pm), nil
}

func toMessages(pm []prompts.Message) []Message {
	msgs := make([]Message, len(pm))
	for i, m := range pm {
		msgs[i] = Message{Role: Role(m.Role), Content: m.Content}
	}
	return msgs
}

// rewrite asks the model to make a follow-up question standalone.
func (e *run) rewrite(ctx context.Context, q Question) (string, error) {
	d := prompts.RewriteData{Question: q.Text}
	for _, t := range q.History {
		d.History = append(d.History, prompts.Turn{Question: t.Question, Answer: t.Answer})
	}
	pm, err := prompts.Rewrite(d)
	if err != nil {
		return "", err
	}
	return e.oneLine(ctx, pm, "rewrite")
}

// translate asks the model to translate a question into lang for
// retrieval.
func (e *run) translate(ctx context.Context, question, lang string) (string, error) {
	pm, err := prompts.Translate(prompts.TranslateData{Question: question, Target: lang})
	if err != nil {
		return "", err
	}
	return e.oneLine(ctx, pm, "translate")
}

// oneLine runs a helper prompt and returns the first non-empty line of the
// reply, cleaned of markup and quotation marks.
func (e *run) oneLine(ctx context.Context, pm []prompts.Message, what string) (string, error) {
	text, err := e.m.Complete(ctx, toMessages(pm), nil)
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(cleanProse(line))
		line = strings.Trim(line, "\"'“”「」 ")
		if line == "" {
			continue
		}
		if utf8.RuneCountInString(line) > maxRewriteRunes || strings.Contains(line, prompts.NotFound) {
			return "", fmt.Errorf("%s: unusable reply", what)
		}
		return line, nil
	}
	return "", fmt.Errorf("%s: empty reply", what)
}

// retrieveAll retrieves TopK passages for each query and merges the lists
// round-robin (best of each first), without duplicates.
func (e *run) retrieveAll(ctx context.Context, queries []string) ([]Passage, error) {
	lists := make([][]Passage, len(queries))
	for i, q := range queries {
		ps, err := e.r.Retrieve(ctx, q, e.opts.TopK)
		if err != nil {
			return nil, fmt.Errorf("retrieve: %w", err)
		}
		lists[i] = ps
	}
	type key struct {
		doc        string
		start, end int
	}
	seen := make(map[key]bool)
	var out []Passage
	for rank := 0; len(out) < e.opts.TopK; rank++ {
		more := false
		for _, l := range lists {
			if rank >= len(l) {
				continue
			}
			more = true
			k := key{l[rank].Doc, l[rank].Start, l[rank].End}
			if !seen[k] {
				seen[k] = true
				out = append(out, l[rank])
			}
		}
		if !more {
			break
		}
	}
	return out[:min(len(out), e.opts.TopK)], nil
}

// unavailable reports whether err says the model cannot be reached at all
// (retries exhausted on 429/5xx or network errors, or a timeout), as
// opposed to one unusable reply.
func unavailable(err error) bool {
	var me *ModelError
	if errors.As(err, &me) {
		return me.Retryable || errors.Is(err, context.DeadlineExceeded)
	}
	return false
}
