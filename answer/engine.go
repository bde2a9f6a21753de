package answer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/citebot/citebot/retrieval/text"
)

// Options configures an [Engine]. The zero value is usable: every zero
// field takes the default named on it.
type Options struct {
	// TopK is how many passages are retrieved per query (default 8).
	TopK int
	// ModelPassages is how many of them are numbered in the model's prompt
	// (default 5).
	ModelPassages int
	// QuotePassages is how many top passages an extractive answer may quote
	// from (default 3).
	QuotePassages int
	// MaxQuotes caps the quotes of an extractive answer (default 3).
	MaxQuotes int
	// MaxQuoteRunes is the widest quote window an extractive answer cuts
	// from a sentence too long to quote whole (in width units: a CJK
	// character counts 1, other characters one half; default 100). A
	// single clause wider than this is quoted whole.
	MaxQuoteRunes int
	// MinCoverage is the abstention threshold: the share of the question's
	// content words (Han bigrams and Latin words, weighted by rarity) that
	// the best sentence, read with its passage's opening sentence, must
	// contain for the engine to answer (default [DefaultMinCoverage];
	// negative disables the check). In LLM mode the threshold is
	// MinCoverage/2, applied before the model is called, and the model can
	// still abstain by replying NOT_FOUND.
	MinCoverage float64
	// Related is how many closest passages an abstaining answer lists in
	// Related (default 3; negative lists none).
	Related int
	// ContextWindow is the chat model's context in tokens: the answer
	// prompt keeps MaxCompletionTokens of it free and leaves out the
	// lowest-ranked passages that do not fit (default 8192; see budget.go).
	ContextWindow int
	// MaxCompletionTokens is the longest model reply in tokens; the engine
	// stops reading a reply at about this length (default 1024).
	MaxCompletionTokens int
	// Logger receives diagnostics (default: discarded).
	Logger *slog.Logger
}

// DefaultMinCoverage is the default [Options.MinCoverage], calibrated on the
// eval sets in testdata/eval (see eval_test.go).
const DefaultMinCoverage = 0.2

// Engine answers questions about the retriever's documents with cited,
// verified quotes. It is safe for concurrent use when its Retriever and
// ChatModel are.
//
// # Extractive mode
//
// With no model the engine retrieves TopK passages and quotes the 1-3
// sentences of the top QuotePassages that hold the most of the question's
// content (see extract.go). A quote is a whole sentence; only a sentence
// wider than about 150 CJK or 300 Latin characters is cut to a window of
// clauses around the answer-bearing part, within MaxQuoteRunes (see
// window.go). A quote opening with an anaphor is read with the sentence
// before it, a lead-in with the sentence after it (compose.go). The text
// is a lead-in in the question's language (文档中的相关原文： / The
// document says:) and one 「quote」[n] per line. A message with nothing
// to look up (thanks, 👍) gets a short friendly reply instead
// (smalltalk.go).
//
// # Abstention
//
// The engine replies with the fixed sentence ([NotFoundText]), NotFound set
// and the closest passages in Related when the best sentence holds less
// than MinCoverage of the question's content words, when every content
// word of the question is foreign to the documents, when the question asks
// how many of a unit (几天, 多少亿元) that no retrieved sentence counts in,
// when the calibrated rules of abstain.go find that the quotes cannot hold
// what is asked (a salient term such as GDP or 湖北省 absent from the
// documents, a year asked and none in sight, a negated or narrowed English
// question the passage does not match, a name or number the quote holds
// another of in its place), or when the model replies
// NOT_FOUND. When the best passage came close, the abstention offers it
// in Notice ("possibly related: ¶11"). An English question about a Chinese
// document (or the reverse) has no words in common with it: in extractive
// mode its words are translated with the CC-CEDICT lexicon (see
// crosslingual.go) and the answer carries a Gloss line; when nothing
// translates it abstains, with a Notice suggesting to ask in the
// document's language. In LLM mode the model translates the question for
// retrieval and answers in the question's language.
//
// # LLM mode
//
// The model gets the numbered passages (prompts.Answer) and answers in the
// citation protocol described in protocol.go: prose with [n] after each
// claim and verbatim quotes as 「quote」[n]. Every quote is located in its
// passage (or, failing that, in another given passage) by a normalised
// match and replaced by the document's exact words at those offsets,
// clamped to one sentence. The reply is verified claim by claim as it
// streams (claims.go): a claim is shown only when a verified quote of at
// least 6 Han characters or 3 words backs it, no quotation in it (in any
// quote style) is invented, and its prose says no more than its quotes
// (support.go); other claims are removed and listed in Unsupported, with
// a Notice counting them. onPartial only ever sees verified text that the
// final answer extends. An answer left with no citation is Ungrounded:
// the engine replaces it with the extractive answer and a Notice saying
// so. A model that fails outright (errors after retries, timeout) also
// yields the extractive answer with a Notice; a reply cut mid-way (or
// past MaxCompletionTokens) keeps the verified part with a Notice. The
// prompt fits ContextWindow (budget.go).
//
// # Follow-ups
//
// With History, LLM mode asks the model to rewrite the question as a
// standalone one (prompts.Rewrite); extractive mode, or a failed rewrite,
// folds the conversation itself (see followup.go): a follow-up
// naming a new topic (那能源方面呢？) is searched on its own words, one
// without a topic (还有什么具体要求？) continues the previous one and reads
// on after the previous answer's quote.
type Engine struct {
	r    Retriever
	m    ChatModel
	opts Options
	log  *slog.Logger
	p    extractParams

	// stats caches the corpus statistics of the newest generation read.
	stats atomic.Pointer[generationStats]
}

// generationStats are the corpus statistics of one document generation.
type generationStats struct {
	gen uint64
	st  *corpusStats
}

// run is one answer in progress: the engine bound to the one document
// version it reads (so an answer never mixes two index versions) and that
// version's statistics. The engine's internal methods hang off run; r
// shadows Engine.r.
type run struct {
	*Engine
	r  Retriever
	st *corpusStats
	// native: the question is read in its own language only, never
	// through the lexicon (see [run.extractiveAnswer]).
	native bool
}

// current returns the retriever's current version and its generation
// (0 for a Retriever that is not [Versioned]).
func (e *Engine) current() (Retriever, uint64) {
	if v, ok := e.r.(Versioned); ok {
		return v.Snapshot()
	}
	return e.r, 0
}

// begin binds an answer to the current document version, computing its
// corpus statistics on the first answer of each generation.
func (e *Engine) begin() *run {
	r, gen := e.current()
	gs := e.stats.Load()
	if gs == nil || gs.gen != gen {
		gs = &generationStats{gen: gen, st: buildStats(r)}
		e.stats.Store(gs)
	}
	return &run{Engine: e, r: r, st: gs.st}
}

// extractParams are the tuning constants of extractive quoting (measured
// on the eval sets as a whole, see eval_test.go).
type extractParams struct {
	// uniWeight scales single Han characters against bigrams.
	uniWeight float64
	// funcBigramWeight scales bigrams that contain a function character.
	funcBigramWeight float64
	// rankDecay lowers sentence scores per passage rank.
	rankDecay float64
	// minNovel is the number of characters a quote window must hold
	// beyond the question's own to be an answer.
	minNovel int
	// secondRatio is the share of the best sentence score a further quote
	// needs.
	secondRatio float64
	// contextWeight weights earlier-turn terms when a follow-up changes
	// the topic.
	contextWeight float64
	// localExp is the exponent of the sentence-rarity factor of term
	// weights (0 ignores it).
	localExp float64
	// fullSentence is the width (textWidth: CJK 1, other characters 1/2)
	// up to which a sentence is quoted whole; only a wider one is windowed
	// (150: about 150 CJK or 300 Latin characters; see window.go).
	fullSentence int
	// inheritFirst weights terms a sentence lacks but its passage's first
	// sentence holds.
	inheritFirst float64
	// typeBonus rewards a sentence holding what the question asks for (a
	// number for 多少, a date for 何时).
	typeBonus float64
	// continueBonus rewards, in a "tell me more" follow-up, the sentence
	// right after the previous quote (halved for the one after, ...).
	continueBonus float64
	// tieBucket is the score difference under which two sentences count
	// as tied; ties go to the earlier one in the document (0: no ties).
	tieBucket float64
	// orphanWeight weights, as words, the question's characters whose
	// bigrams the documents lack (0: not counted; see orphanChars).
	orphanWeight float64
	// lenNorm is the exponent of the length normalisation of sentence
	// scores (0: none).
	lenNorm float64
	// neighbourRatio widens the first quote to the sentence next to it in
	// its passage when that sentence scores at least this share of it
	// (0: never; see [run.widenToNeighbour]).
	neighbourRatio float64
	// leadIn and anaphor switch the two widenings of compose.go.
	leadIn, anaphor bool
}

func defaultExtractParams() extractParams {
	return extractParams{
		uniWeight:        1,
		funcBigramWeight: 0,
		rankDecay:        0.1,
		minNovel:         2,
		secondRatio:      0.8,
		contextWeight:    0.25,
		localExp:         1,
		inheritFirst:     0.85,
		typeBonus:        0.1,
		tieBucket:        0.02,
		continueBonus:    0.5,
		fullSentence:     150,
		orphanWeight:     0.5,
		neighbourRatio:   0.5,
		leadIn:           true,
		anaphor:          true,
	}
}

// New returns an engine answering from r. With a nil m it answers in
// extractive mode; otherwise in LLM mode with extractive fallback.
func New(r Retriever, m ChatModel, opts Options) *Engine {
	if opts.TopK <= 0 {
		opts.TopK = 8
	}
	if opts.ModelPassages <= 0 {
		opts.ModelPassages = 5
	}
	opts.ModelPassages = min(opts.ModelPassages, opts.TopK)
	if opts.QuotePassages <= 0 {
		opts.QuotePassages = 3
	}
	if opts.MaxQuotes <= 0 {
		opts.MaxQuotes = 3
	}
	if opts.MaxQuoteRunes <= 0 {
		opts.MaxQuoteRunes = 100
	}
	if opts.MinCoverage == 0 {
		opts.MinCoverage = DefaultMinCoverage
	}
	if opts.Related == 0 {
		opts.Related = 3
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Engine{r: r, m: m, opts: opts, log: log, p: defaultExtractParams()}
}

// For returns an engine like e (same model, options and tuning) that
// answers from r instead: a chat's own documents beside the shared ones.
// It computes r's corpus statistics on its own first answer of each
// generation; keep it as long as r lives rather than making one per
// question.
func (e *Engine) For(r Retriever) *Engine {
	return &Engine{r: r, m: e.m, opts: e.opts, log: e.log, p: e.p}
}

// Paragraph returns paragraph n of document doc, for showing a citation's
// source in full.
func (e *Engine) Paragraph(doc string, n int) (Passage, bool) {
	r, _ := e.current()
	return r.Paragraph(doc, n)
}

// Documents lists the loaded documents.
func (e *Engine) Documents() []DocInfo {
	r, _ := e.current()
	return r.Documents()
}

// Mode is the mode the engine answers in when its model works: [LLM] with a
// chat model, else [Extractive].
func (e *Engine) Mode() Mode {
	if e.m != nil {
		return LLM
	}
	return Extractive
}

// warmQuestions are what [Engine.Warm] asks: one question per language,
// about nothing in particular.
var warmQuestions = []string{"这份文档主要讲了什么？", "What is this document about?"}

// Warm answers a question in each language extractively (never calling
// the model) and discards the answers, so that what the first real
// question would load (the retrieval structures, the dictionaries, the
// snapshot's pages in memory) is loaded before the bot says it is ready.
// It logs and returns how long that took.
func (e *Engine) Warm(ctx context.Context) (took time.Duration, err error) {
	start := time.Now()
	defer func() {
		took = time.Since(start)
		if err != nil {
			e.log.Warn("couldn't warm the index", "took", took.Round(time.Millisecond), "err", err)
			return
		}
		e.log.Info("index warmed", "took", took.Round(time.Millisecond))
	}()
	r := e.begin()
	for _, q := range warmQuestions {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if _, err := r.extractiveAnswer(ctx, Question{Text: q}); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// ErrEmptyQuestion is returned by [Engine.Answer] for a blank question.
var ErrEmptyQuestion = errors.New("empty question")

// ErrStopped is the cause to cancel [Engine.Answer]'s context with when
// the user asked to stop the answer: a stop during the model's reply ends
// the model's request and returns the part verified so far (when it
// cites anything) as the answer, without error.
var ErrStopped = errors.New("answer stopped by the user")

// Answer answers q. In LLM mode onPartial (which may be nil) receives the
// verified answer text so far each time it grows by a verified claim: each
// text extends the previous one, and the final Text extends the last
// (when the answer falls back to extractive or abstains, onPartial was
// never called). It is called on the calling goroutine and not at all in
// extractive mode. Errors are returned only for a blank question,
// a failed retrieval or a cancelled ctx (but see [ErrStopped]); a failing
// model falls back to an extractive answer with a Notice.
func (e *Engine) Answer(ctx context.Context, q Question, onPartial func(text string)) (Answer, error) {
	text := strings.TrimSpace(q.Text)
	if text == "" {
		return Answer{}, ErrEmptyQuestion
	}
	q.Text = text
	if err := ctx.Err(); err != nil {
		return Answer{}, err
	}
	if len(q.Docs) > 0 {
		ctx = WithDocScope(ctx, q.Docs)
	}
	r := e.begin()
	if isSmalltalk(q.Text) {
		return inQuestionScript(r.smalltalkAnswer(q, e.Mode()), q.Text), nil
	}
	var a Answer
	var err error
	if e.m == nil {
		a, err = r.extractiveAnswer(ctx, q)
	} else {
		a, err = r.llmAnswer(ctx, q, onPartial)
	}
	return inQuestionScript(a, q.Text), err
}

// extractiveAnswer answers q without a model. In a library of both
// languages whose majority is in the other one (a chat's English notes
// beside the shared Chinese report), q is first answered from the
// passages in its own language, read in its own words: read through the
// lexicon, an English question about such a library weighs a rendering of
// one of its words ("cost" as 代价) like the words themselves, and a
// Chinese paragraph holding it could outrank the English paragraph that
// answers ("Bicycles travel free"). The whole library is searched, as
// usual, when those passages do not answer.
func (e *run) extractiveAnswer(ctx context.Context, q Question) (Answer, error) {
	lang := text.Lang(q.Text)
	if e.crossLingual(q.Text) && e.st.holdsLang(lang) {
		native := *e
		native.native = true
		a, err := native.extractiveFrom(ctx, q, lang, func(p Passage) bool { return paragraphLang(p.Text) == lang })
		if err != nil || !a.NotFound {
			return a, err
		}
	}
	return e.extractiveFrom(ctx, q, lang, nil)
}

// extractiveFrom answers q, in lang, from the passages retrieved for it
// that keep accepts (all when keep is nil).
func (e *run) extractiveFrom(ctx context.Context, q Question, lang string, keep func(Passage) bool) (Answer, error) {
	fq := e.followupQuery(q)
	passages, err := e.r.Retrieve(ctx, fq.text, e.opts.TopK)
	if err != nil {
		return Answer{}, fmt.Errorf("retrieve: %w", err)
	}
	if keep != nil {
		passages = slices.DeleteFunc(passages, func(p Passage) bool { return !keep(p) })
	}
	return e.extractive(q.Text, fq.text, lang, fq.terms, fq.cont, passages), nil
}

// extractive builds the extractive answer from retrieved passages, or the
// abstention.
func (e *run) extractive(question, standalone, lang string, qt queryTerms, cont *continuation, passages []Passage) Answer {
	ans := Answer{Question: question, Standalone: standalone, Lang: lang, Mode: Extractive, AnswerType: qt.wants}
	views := e.passageViews(passages[:min(len(passages), e.opts.QuotePassages)])
	picks, cov := e.pickQuotes(qt, views, cont)
	if len(picks) > 0 && cont == nil {
		if why := e.abstainFor(question, picks, views); why != reasonNone {
			e.log.Debug("abstain", "question", question, "reason", string(why))
			ans = e.notFound(ans, passages)
			if why != reasonAbsent && (e.opts.MinCoverage <= 0 || cov >= e.opts.MinCoverage) {
				ans.Related = relatedFirst(picks[0].pv.p, ans.Related)
				ans.Notice = possiblyRelated(picks[0].pv.p.Label(), lang)
			}
			return ans
		}
	}
	if len(picks) == 0 || (e.opts.MinCoverage > 0 && cov < e.opts.MinCoverage) {
		e.log.Debug("abstain", "question", question, "coverage", cov, "picks", len(picks))
		ans = e.notFound(ans, passages)
		if e.opts.MinCoverage > 0 && cov < e.opts.MinCoverage/2 {
			ans.Related = nil // low confidence: the closest passages are noise
		}
		if e.suggestOtherLanguage(lang, cov) {
			ans.Notice = notice(noticeCrossLingual, lang)
		}
		return ans
	}
	lead := leadInText.in(lang)
	var b strings.Builder
	b.WriteString(lead)
	for i, pk := range picks {
		c := pk.citation(i + 1)
		ans.Citations = append(ans.Citations, c)
		b.WriteString("\n")
		b.WriteString(formatQuote(c.Quote, c.N))
	}
	ans.Text = b.String()
	ans.Lead = lead
	ans.Gloss = e.glossLine(standalone, ans.Citations) // crosslingual.go
	return ans
}

// suggestOtherLanguage reports whether an abstention should suggest
// asking in the documents' language: only when no document is in the
// question's language (lang) and its translated words found nothing near
// (coverage cov under half the abstention threshold, where the related
// passages are dropped as noise). A question whose translation came close
// is simply not answered by the documents, in any language.
func (e *run) suggestOtherLanguage(lang string, cov float64) bool {
	return e.st.n > 0 && !e.st.holdsLang(lang) && e.opts.MinCoverage > 0 && cov < e.opts.MinCoverage/2
}

// formatQuote renders a quote with its marker: 「quote」[n].
func formatQuote(quote string, n int) string {
	return fmt.Sprintf("「%s」[%d]", quote, n)
}

// notFound turns ans into the abstention answer.
func (e *run) notFound(ans Answer, passages []Passage) Answer {
	ans.NotFound = true
	ans.Text = NotFoundText(ans.Lang)
	ans.Citations = nil
	if e.opts.Related > 0 {
		ans.Related = passages[:min(len(passages), e.opts.Related)]
	}
	return ans
}
