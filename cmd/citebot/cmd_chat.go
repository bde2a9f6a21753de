package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/answer/plain"
)

// runChat is an interactive loop with history, so follow-ups work.
func runChat(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	c, err := parse("chat", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	ix, _, err := c.openIndex(ctx)
	if err != nil {
		return err
	}
	eng := c.engine(ix)
	multi := len(ix.Documents()) > 1
	maxTurns := c.cfg.MemoryTurns
	var history []answer.Turn
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	// The banner, prompts and errors go to stderr, answers to stdout, so
	// `citebot chat < questions.txt > answers.txt` keeps only answers.
	fmt.Fprintln(stderr, "Ask a question about the document (empty line or Ctrl-D to quit; /new forgets the conversation).")
	for {
		fmt.Fprint(stderr, "> ")
		if !sc.Scan() {
			fmt.Fprintln(stderr)
			return sc.Err()
		}
		q := strings.TrimSpace(sc.Text())
		switch q {
		case "":
			return nil
		case "/new":
			history = nil
			continue
		}
		a, err := eng.Answer(ctx, answer.Question{Text: q, History: history}, nil)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			fmt.Fprintf(stderr, "error: %v\n", err)
			continue
		}
		plain.Write(stdout, a, multi, "")
		fmt.Fprintln(stdout)
		history = append(history, answer.Turn{Question: q, Answer: a.Text})
		history = history[max(0, len(history)-maxTurns):]
	}
}
