package answer

import (
	"context"
	"errors"

	"github.com/citebot/citebot/eval"
)

// EvalAnswerer answers a question set's rows with e as a user with no
// history would ask them, for [eval.Run]; a blank question is a "not
// found".
func EvalAnswerer(e *Engine) eval.Answerer {
	return func(ctx context.Context, q string) (eval.Answered, error) {
		a, err := e.Answer(ctx, Question{Text: q}, nil)
		if errors.Is(err, ErrEmptyQuestion) {
			return eval.Answered{Abstained: true}, nil
		}
		if err != nil {
			return eval.Answered{}, err
		}
		got := eval.Answered{Abstained: a.NotFound, AnswerType: a.AnswerType}
		for _, c := range a.Citations {
			got.Quotes = append(got.Quotes, eval.Quote{Text: c.Quote, Paragraph: c.Paragraph, Whole: c.Whole})
		}
		got.TypedSpan = len(a.Citations) > 0 && a.AnswerType != "" && answersType(a.Citations[0].Quote, a.AnswerType)
		return got, nil
	}
}
