package openai

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/citebot/citebot/answer"
)

// Chat is an [answer.ChatModel] backed by an OpenAI-compatible
// /chat/completions endpoint. Requests are sent with temperature 0 and,
// when [Config.Stream] is set, streamed. It is safe for concurrent use.
type Chat struct {
	t       *transport
	onUsage func(prompt, completion int) // nil: usage is not reported
}

var _ answer.ChatModel = (*Chat)(nil)

// NewChat returns a chat model for cfg.Model, filling in the defaults
// listed on [Config]. It makes no request.
func NewChat(cfg Config) *Chat {
	return &Chat{t: newTransport(cfg, chatDefaults)}
}

// ReportUsage makes c pass the token counts the server reports for each
// completion to f (a streamed request asks for them with
// stream_options.include_usage; a server that does not report them
// passes nothing). Call it before the first request.
func (c *Chat) ReportUsage(f func(prompt, completion int)) { c.onUsage = f }

// usage passes u to the usage callback, if both are there.
func (c *Chat) usage(u *goopenai.Usage) {
	if u != nil && c.onUsage != nil && u.TotalTokens > 0 {
		c.onUsage(u.PromptTokens, u.CompletionTokens)
	}
}

// Complete implements [answer.ChatModel]. It retries 429, 5xx and network
// errors with backoff while no text has been passed to onDelta; once text
// has been delivered, an error returns that text with the error. Every
// error is an *[answer.ModelError].
func (c *Chat) Complete(ctx context.Context, msgs []answer.Message, onDelta func(string)) (string, error) {
	req := goopenai.ChatCompletionRequest{
		Model:               c.t.cfg.Model,
		MaxCompletionTokens: c.t.cfg.MaxCompletionTokens,
		// Temperature 0 is dropped by go-openai's omitempty; captureDoer
		// puts it back into the body.
		Temperature: 0,
		Messages:    make([]goopenai.ChatCompletionMessage, len(msgs)),
	}
	for i, m := range msgs {
		req.Messages[i] = goopenai.ChatCompletionMessage{Role: string(m.Role), Content: m.Content}
	}
	var text string
	f := c.t.retry(ctx, func(ctx context.Context) (bool, error) {
		var sent bool
		var err error
		if c.t.cfg.Stream {
			text, sent, err = c.stream(ctx, req, onDelta)
		} else {
			text, sent, err = c.complete(ctx, req, onDelta)
		}
		return sent, err
	})
	if f == nil {
		return text, nil
	}
	return text, &answer.ModelError{
		StatusCode: f.status,
		Retryable:  f.retryable,
		Attempts:   f.attempts,
		Message:    f.message(c.t.cfg.Model),
		Err:        f.ctxErr,
	}
}

// complete makes one non-streamed request and passes the whole text to
// onDelta. sent reports whether text reached onDelta.
func (c *Chat) complete(ctx context.Context, req goopenai.ChatCompletionRequest, onDelta func(string)) (text string, sent bool, err error) {
	resp, err := c.t.client.CreateChatCompletion(ctx, req)
	if err != nil {
		return "", false, err
	}
	if len(resp.Choices) == 0 {
		return "", false, fmt.Errorf("%w: no choices in the completion", errBadResponse)
	}
	c.usage(&resp.Usage)
	text = resp.Choices[0].Message.Content
	if onDelta != nil && text != "" {
		onDelta(text)
	}
	return text, text != "", nil
}

// stream makes one streamed request, passing each piece of text to
// onDelta as it arrives. On an error it returns the text received so far;
// sent reports whether any reached onDelta.
func (c *Chat) stream(ctx context.Context, req goopenai.ChatCompletionRequest, onDelta func(string)) (text string, sent bool, err error) {
	if c.onUsage != nil {
		req.StreamOptions = &goopenai.StreamOptions{IncludeUsage: true}
	}
	s, err := c.t.client.CreateChatCompletionStream(ctx, req)
	if err != nil {
		return "", false, err
	}
	defer s.Close()
	var b strings.Builder
	for {
		resp, err := s.Recv()
		if errors.Is(err, io.EOF) {
			return b.String(), b.Len() > 0, nil
		}
		if err != nil {
			return b.String(), b.Len() > 0, fmt.Errorf("%w after %d bytes: %w", errStreamCut, b.Len(), err)
		}
		c.usage(resp.Usage)
		if len(resp.Choices) == 0 {
			continue
		}
		if d := resp.Choices[0].Delta.Content; d != "" {
			b.WriteString(d)
			if onDelta != nil {
				onDelta(d)
			}
		}
	}
}
