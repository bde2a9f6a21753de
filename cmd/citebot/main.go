// Command citebot answers questions about documents with cited, verbatim
// quotes, on the command line and as a Telegram bot.
//
// main only wires signals to [run]; every subcommand lives in its own file
// and is testable without a process.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil && !errors.Is(err, errHelp) {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "citebot:", err)
		}
		os.Exit(1)
	}
}

// errUsage is returned after usage text was already printed; errHelp after
// help was asked for and printed.
var (
	errUsage = errors.New("usage")
	errHelp  = errors.New("help")
)

const usage = `citebot answers questions about documents with cited, verbatim quotes.

Usage:
  citebot serve  [flags]                     run the Telegram bot (needs TELEGRAM_BOT_TOKEN)
  citebot ask    [flags] [--json] QUESTION   answer one question
  citebot chat   [flags]                     ask questions interactively (follow-ups work)
  citebot search [flags] [--k N] [--json] QUESTION
                                             show the ranked passages for a question
  citebot index  [flags]                     build or refresh the persistent index
  citebot eval   [flags] --qa FILE.jsonl [--k 10] [--json]
                                             score retrieval and quotes on a question set
  citebot config [flags]                     print the effective configuration (secrets redacted)
  citebot healthcheck [--admin-addr ADDR]    exit 0 if a running citebot's /healthz answers

With no --doc, citebot uses its bundled sample document. Run "citebot CMD -h" for
the flags of a command; every flag also has an environment variable (see README).
`

// run is citebot's real main.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, getenv, stdout, stderr)
	case "ask":
		return runAsk(ctx, rest, getenv, stdout, stderr)
	case "chat":
		return runChat(ctx, rest, getenv, stdin, stdout, stderr)
	case "search":
		return runSearch(ctx, rest, getenv, stdout, stderr)
	case "index":
		return runIndex(ctx, rest, getenv, stdout, stderr)
	case "eval":
		return runEval(ctx, rest, getenv, stdout, stderr)
	case "config":
		return runConfig(ctx, rest, getenv, stdout, stderr)
	case "healthcheck":
		return runHealthcheck(ctx, rest, getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "citebot: unknown command %q\n\n%s", cmd, usage)
		return errUsage
	}
}
