package bot

import (
	"fmt"

	"github.com/citebot/citebot/answer"
)

// RenderBothWays renders a as the bot sends it: the HTML messages of the
// HTML path and the rich messages (rich_message JSON) of the rich path.
func RenderBothWays(a answer.Answer, docs []answer.DocInfo) (html, rich []string, err error) {
	msgs, _, err := renderRich(a, docs)
	for _, m := range msgs {
		rich = append(rich, marshalRich(m))
	}
	return splitMessages(renderAnswer(a, docs)), rich, err
}

// marshalRich returns m as the rich_message parameter the bot sends.
func marshalRich(m inputRichMessage) string {
	p, err := encodeParams(sendRichMessageParams{RichMessage: m})
	if err != nil {
		panic(fmt.Sprintf("rich message does not encode: %v", err)) // only strings and fixed types
	}
	return p["rich_message"]
}
