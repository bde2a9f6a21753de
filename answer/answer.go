// Package answer is citebot's domain: a question goes in, an answer whose
// every claim cites a numbered paragraph with the document's exact words
// comes out.
//
// The [Engine] consumes two small interfaces it declares itself: a
// [Retriever] (ranked passages for a query) and a [ChatModel] (a streaming
// OpenAI-compatible chat completion). With no ChatModel it answers in
// extractive mode: it picks the 1-3 sentences or clauses of the top passages
// that best answer the question. With one it answers in LLM mode and verifies
// every claim of the model's reply: its quotes must be located in the
// passages and its prose must say no more than they do, or the claim is
// removed (see [Answer.Unsupported]). A quote shown to a user is always
// document text located by offsets (see [Citation]).
//
// Transports (the CLI, the Telegram bot) depend only on the types in this
// file and on [Engine].
package answer

import (
	"context"
	"errors"
)

// Mode says how an answer was produced.
type Mode string

const (
	// Extractive answers quote the best sentences of the top passages.
	Extractive Mode = "extractive"
	// LLM answers are written by a chat model and verified.
	LLM Mode = "llm"
)

// Turn is one earlier question and its answer in a conversation.
type Turn struct {
	Question string
	Answer   string
}

// Question is what a user asked, with the conversation so far (oldest first).
type Question struct {
	Text    string
	History []Turn
	// Docs, when not empty, restricts the answer to these documents (by
	// [DocInfo.Name]): the engine passes them to the Retriever with
	// [WithDocScope].
	Docs []string
}

type docScopeKey struct{}

// WithDocScope returns ctx carrying a document scope: a [Retriever] that
// honours it (see [DocScope]) returns only passages of those documents.
func WithDocScope(ctx context.Context, docs []string) context.Context {
	return context.WithValue(ctx, docScopeKey{}, docs)
}

// DocScope returns the document scope ctx carries (nil: all documents).
func DocScope(ctx context.Context) []string {
	docs, _ := ctx.Value(docScopeKey{}).([]string)
	return docs
}

// Citation ties a claim to a paragraph and the document's exact words.
type Citation struct {
	// N is the marker number used in the answer text as [N].
	N int
	// Doc is the document name.
	Doc string
	// Paragraph is the paragraph number (0 for a heading).
	Paragraph int
	// Page is the page the paragraph starts on in a paged document (PDF,
	// OCR), from 1; 0 when the document has no pages.
	Page int
	// Quote equals the document's text between Start and End.
	Quote string
	// Start and End are byte offsets into the document's rebuilt text.
	Start, End int
	// Whole is set when Quote is one or more whole sentences of its
	// paragraph, not a window cut from a longer sentence (set by
	// extractive answers; false when unknown).
	Whole bool
}

// Answer is the engine's reply to a [Question].
type Answer struct {
	// Question is the question as asked; Standalone is the question after
	// follow-up rewriting (equal to Question when there was no history).
	Question   string
	Standalone string
	// Lang is "zh" or "en": the language the answer text is in.
	Lang string
	// AnswerType is what the question asks for, as the engine reads it:
	// "time" (a date, a year, a period), "number" (a count, an amount, a
	// measure), "place", "person"; "" when it asks for none of these. An
	// extractive answer prefers sentences holding a span of that kind.
	AnswerType string
	// Text is the answer with [n] markers referring to Citations.
	Text string
	// Lead is set on extractive answers, whose Text is only a lead-in
	// followed by the quotes: it holds the lead-in alone, for transports
	// that show every citation's quote in its own block and would otherwise
	// show each quote twice.
	Lead      string
	Citations []Citation
	// Gloss is set on an extractive answer to a question in another
	// language than the document: the question's words as the quotes
	// hold them, with their meanings ("禁渔 ban on fishing · 长江 Yangtze
	// River"), for the reader to follow the document's words.
	Gloss string
	Mode  Mode
	// NotFound is set when the document does not answer the question; Text
	// is then the fixed abstention sentence and Related may list the closest
	// passages.
	NotFound bool
	// Ungrounded is set when an LLM answer kept no verified citation.
	Ungrounded bool
	// Smalltalk is set when the message had nothing to look up (thanks,
	// an emoji): Text is a short friendly reply and there are no
	// citations.
	Smalltalk bool
	// Notice is a short user-facing remark, e.g. that the model was
	// unavailable and the answer is extractive.
	Notice  string
	Related []Passage
	// Unsupported lists the claims of an LLM answer that were removed
	// because no verified quote supports them (see claims.go); Notice
	// then says how many.
	Unsupported []Unsupported
}

// Unsupported is a removed model claim, as the model wrote it (cleaned of
// markup). It is not document text: transports show it, if at all, only
// as removed.
type Unsupported struct {
	Text string
}

// Passage is a retrieved piece of a document, as the engine sees it.
type Passage struct {
	Doc       string
	Paragraph int
	// Page is the page the paragraph starts on (from 1), 0 when the
	// document has no pages.
	Page int
	// Text equals the document's rebuilt text at [Start, End).
	Text       string
	Start, End int
	Score      float64
}

// ErrEmptyDocument is (wrapped in) the error of adding a document that
// has no text.
var ErrEmptyDocument = errors.New("empty document")

// DocInfo describes one loaded document.
type DocInfo struct {
	Name       string
	Paragraphs int
	// Pages is the number of pages of a paged document (PDF, OCR, text
	// with page breaks), 0 otherwise.
	Pages int
	// Title is the document's title (its first heading, ¶0), "" when it
	// has none.
	Title string
	// Kind is the format the document was read as ("text", "markdown",
	// "pdf", "docx", "image", ...), "" when unknown.
	Kind string
	// OCR says the text was recognised from page images, so it may hold
	// recognition errors.
	OCR bool
}

// Retriever returns up to k passages for a query, best first. It also gives
// access to whole paragraphs for source display.
type Retriever interface {
	Retrieve(ctx context.Context, query string, k int) ([]Passage, error)
	Paragraph(doc string, n int) (Passage, bool)
	Documents() []DocInfo
}

// Answerer answers questions about a set of documents; [Engine] is one.
// Implementations must be safe for concurrent use.
type Answerer interface {
	// Answer answers q. In LLM mode onPartial receives the answer text
	// written so far: each call carries the full text up to that point,
	// not a delta. In extractive mode onPartial is never called.
	// onPartial must not be called after Answer returns.
	Answer(ctx context.Context, q Question, onPartial func(text string)) (Answer, error)
	// Paragraph returns paragraph n of document doc; Passage.Text is the
	// whole paragraph.
	Paragraph(doc string, n int) (Passage, bool)
	// Documents describes the documents.
	Documents() []DocInfo
}

// Versioned is implemented by a Retriever whose documents change while an
// [Engine] uses it (documents added from chat). Snapshot returns the
// current version, which must not change, and its generation number, which
// grows with every change. One answer reads one version only, and the
// engine computes its corpus statistics once per generation, so a document
// added a moment ago is answerable at once.
type Versioned interface {
	Snapshot() (r Retriever, generation uint64)
}

// Role is a chat message role.
type Role string

const (
	System    Role = "system"
	User      Role = "user"
	Assistant Role = "assistant"
)

// Message is one chat message sent to a [ChatModel].
type Message struct {
	Role    Role
	Content string
}

// ChatModel streams a chat completion. onDelta receives text as it arrives
// (it may be nil); the full text is returned. An error after some deltas
// means the stream was cut: the returned text holds what arrived.
type ChatModel interface {
	Complete(ctx context.Context, msgs []Message, onDelta func(string)) (string, error)
}
