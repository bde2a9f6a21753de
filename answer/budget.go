package answer

import (
	"unicode"
	"unicode/utf8"

	"github.com/citebot/citebot/retrieval/text"
)

// The prompt's token budget. A model server truncates a prompt longer
// than its context silently (Ollama's default context is 4096 tokens) and
// the first thing lost is the passages, so the engine estimates the
// prompt's tokens itself and sends only the best passages that fit in
// [Options.ContextWindow] with [Options.MaxCompletionTokens] left for the
// reply. The estimate is deliberately high for every common tokenizer:
// 1.5 tokens per character outside ASCII (Chinese runs between about 0.6
// and 1.5 tokens per character), one token per 3 ASCII bytes (English
// averages about 4), and [messageOverhead] per message.

// Defaults of the budget settings.
const (
	defaultContextWindow       = 8192
	defaultMaxCompletionTokens = 1024
	// messageOverhead is the tokens of a chat message's role and
	// delimiters; promptMargin those kept free for the template's own
	// tokens the estimate may miss.
	messageOverhead = 8
	promptMargin    = 64
	// minPromptBudget is the budget when the settings leave less: one
	// short passage and the rules.
	minPromptBudget = 512
	// replyBytesPerToken bounds the bytes of a reply token: a reply past
	// MaxCompletionTokens times this is cut off even when the server does
	// not enforce max_completion_tokens.
	replyBytesPerToken = 8
)

// estimateTokens returns a generous estimate of the tokens of s.
func estimateTokens(s string) int {
	ascii, wide := 0, 0
	for _, r := range s {
		if r < utf8.RuneSelf {
			ascii++
		} else {
			wide++
		}
	}
	return tokensOf(ascii, wide)
}

// tokensOf is the estimate of [estimateTokens] for text of ascii ASCII
// characters and wide others.
func tokensOf(ascii, wide int) int { return (3*wide+1)/2 + (ascii+2)/3 }

// estimateMessages estimates the tokens of a chat prompt.
func estimateMessages(msgs []Message) int {
	n := 0
	for _, m := range msgs {
		n += messageOverhead + estimateTokens(m.Content)
	}
	return n
}

func (o Options) contextWindow() int {
	if o.ContextWindow > 0 {
		return o.ContextWindow
	}
	return defaultContextWindow
}

func (o Options) maxCompletionTokens() int {
	if o.MaxCompletionTokens > 0 {
		return o.MaxCompletionTokens
	}
	return defaultMaxCompletionTokens
}

// promptBudget is the most tokens the answer prompt may take.
func (e *run) promptBudget() int {
	return max(minPromptBudget, e.opts.contextWindow()-e.opts.maxCompletionTokens()-promptMargin)
}

// maxReplyBytes is the longest model reply the engine reads.
func (e *run) maxReplyBytes() int { return e.opts.maxCompletionTokens() * replyBytesPerToken }

// fitPrefix returns the length of the longest prefix of s whose tokens
// fit room: up to the end of a sentence when one fits, else up to the
// last character that does. It reads s once.
func fitPrefix(s string, room int) int {
	sents := text.Sentences(s)
	ascii, wide, lastChar, lastSent, k := 0, 0, 0, 0, 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r < utf8.RuneSelf {
			ascii++
		} else {
			wide++
		}
		if tokensOf(ascii, wide) > room {
			break
		}
		i += size
		lastChar = i
		for k < len(sents) && sents[k].End <= i {
			lastSent = sents[k].End
			k++
		}
	}
	if lastSent > 0 {
		return lastSent
	}
	return lastChar
}

// cutFirstPassage renders the prompt with p alone, cut after its last
// sentence that fits the budget (or, when not even its first sentence
// fits, at the last character that does).
func (e *run) cutFirstPassage(question, lang string, p Passage, budget int) ([]Message, []Passage, error) {
	msgs, err := e.renderAnswerPrompt(question, lang, []Passage{{Doc: p.Doc, Paragraph: p.Paragraph}})
	if err != nil {
		return nil, nil, err
	}
	end := fitPrefix(p.Text, budget-estimateMessages(msgs))
	for end > 0 {
		r, size := utf8.DecodeLastRuneInString(p.Text[:end])
		if !unicode.IsSpace(r) {
			break
		}
		end -= size
	}
	p.Text, p.End = p.Text[:end], p.Start+end
	e.log.Debug("prompt budget: first passage cut", "runes", utf8.RuneCountInString(p.Text), "budget", budget)
	msgs, err = e.renderAnswerPrompt(question, lang, []Passage{p})
	return msgs, []Passage{p}, err
}
