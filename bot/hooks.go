package bot

import (
	"time"

	"github.com/citebot/citebot/answer"
)

// Hooks report what the bot does, e.g. to count it in metrics. Each hook
// is optional and called on the goroutine where the event happens, so it
// must be quick and safe for concurrent use.
type Hooks struct {
	// OnPoll is called after every getUpdates long poll with whether it
	// succeeded; in webhook mode, once setWebhook has been tried.
	OnPoll func(ok bool)
	// OnAPIError is called for every failed Bot API request: method is the
	// Bot API method ("download" for a file download) and code the HTTP
	// status when it is not 2xx, else Telegram's error_code, else 0 (no
	// answer: a network failure or a timeout). A request ended because its
	// caller's context ended is not reported.
	OnAPIError func(method string, code int)
	// OnQuestion is called once for every question, when it has been
	// handled.
	OnQuestion func(QuestionEvent)
	// OnFeedback is called for every vote given or changed: vote is "up"
	// or "down".
	OnFeedback func(vote string)
}

// Outcome is what became of a question.
type Outcome string

// The outcomes of a question.
const (
	OutcomeAnswered    Outcome = "answered"
	OutcomeNotFound    Outcome = "not_found"  // answered that the documents do not say
	OutcomeSmalltalk   Outcome = "smalltalk"  // a greeting or thanks, answered without the documents
	OutcomeUngrounded  Outcome = "ungrounded" // answered, but without verified quotes
	OutcomeError       Outcome = "error"      // the Answerer failed, or the answer could not be sent
	OutcomeRateLimited Outcome = "rate_limited"
	OutcomeTooLong     Outcome = "too_long"
	OutcomeRefused     Outcome = "refused" // not on the allowlists
	// OutcomeInterrupted: shutdown cancelled the answer; the update stays
	// in the store and is replayed on the next start, so the question is
	// reported again.
	OutcomeInterrupted Outcome = "interrupted"
)

// Delivered reports whether the Answerer's answer reached the chat.
func (o Outcome) Delivered() bool {
	return o == OutcomeAnswered || o == OutcomeNotFound || o == OutcomeUngrounded || o == OutcomeSmalltalk
}

// outcomeOf returns the outcome of a delivered answer.
func outcomeOf(a answer.Answer) Outcome {
	switch {
	case a.Smalltalk:
		return OutcomeSmalltalk
	case a.NotFound:
		return OutcomeNotFound
	case a.Ungrounded:
		return OutcomeUngrounded
	}
	return OutcomeAnswered
}

// QuestionEvent is what happened to one question: the fields of its
// "question" log record, and what [Hooks.OnQuestion] receives.
type QuestionEvent struct {
	Outcome Outcome
	// Mode is the answer's mode; empty when there is no answer.
	Mode answer.Mode
	// Latency runs from the start of the question's handling to its
	// delivered answer or refusal.
	Latency   time.Duration
	Citations int
	// History is how many earlier turns the question carried, Messages
	// how many messages its answer took.
	History, Messages int
}
