package answer

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// TestQuestionTextOnlyAtDebug: an answer without a verifiable quote is
// reported at info level without the question, which users may not want
// in the logs; the question goes to a debug record.
func TestQuestionTextOnlyAtDebug(t *testing.T) {
	const question = "长江十年禁渔有什么要求？"
	_, r := realRetriever(t, evalSets[0])
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
		t.Run(level.String(), func(t *testing.T) {
			m := newScriptedModel(false, func(n int, c chatCall) reply {
				return reply{text: fmt.Sprintf("座谈会要求「每年禁渔三个月即可」[%d]。", fish(c))}
			})
			var logs bytes.Buffer
			e := New(r, m, Options{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: level}))})
			a, err := e.Answer(context.Background(), Question{Text: question}, nil)
			if err != nil || !a.Ungrounded {
				t.Fatalf("want an ungrounded answer, got %+v, %v", a, err)
			}
			if !strings.Contains(logs.String(), "no verifiable quote") {
				t.Errorf("the ungrounded answer was not logged:\n%s", logs.String())
			}
			for _, line := range strings.Split(logs.String(), "\n") {
				if strings.Contains(line, question) && !strings.Contains(line, "level=DEBUG") {
					t.Errorf("question text logged above debug: %s", line)
				}
			}
			if level == slog.LevelDebug && !strings.Contains(logs.String(), question) {
				t.Errorf("the question is not in the debug log")
			}
		})
	}
}
