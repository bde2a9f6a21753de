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
	"strings"
	"syscall"

	"github.com/citebot/citebot/config"
	"github.com/citebot/citebot/retrieval/extract"
)

func main() {
	extract.Main() // a worker reading one file when started as one
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go onSignals(sigs, cancel, os.Stderr, os.Exit)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	signal.Stop(sigs)
	cancel()
	if code := exitCode(err); code != 0 {
		if code == 1 {
			fmt.Fprintln(os.Stderr, "citebot:", config.Scrub(err.Error()))
		}
		os.Exit(code)
	}
}

// onSignals cancels the run on the first signal (a graceful stop) and
// exits at once with status 1 on the second, for a stop that hangs.
func onSignals(sigs <-chan os.Signal, cancel context.CancelFunc, stderr io.Writer, exit func(int)) {
	<-sigs
	cancel()
	<-sigs
	fmt.Fprintln(stderr, "citebot: second signal: exiting now")
	exit(1)
}

// exitCode is the exit status for run's error: 0 for success and help, 2
// for a usage error (unknown command or flag, bad flag value, missing or
// unexpected argument), 1 for any other failure.
func exitCode(err error) int {
	switch {
	case err == nil || errors.Is(err, config.ErrHelp):
		return 0
	case errors.Is(err, config.ErrUsage):
		return 2
	}
	return 1
}

// subcommands are citebot's commands, for the usage texts and flags.
var subcommands = []config.Command{
	{Name: "serve", About: "run the Telegram bot (needs TELEGRAM_BOT_TOKEN)"},
	{Name: "ask", Args: "QUESTION", About: "answer one question (--json)"},
	{Name: "chat", About: "ask questions interactively (follow-ups work)"},
	{Name: "search", Args: "QUESTION", About: "show the ranked passages for a question (--k N, --json)"},
	{Name: "index", About: "build or refresh the persistent index"},
	{Name: "eval", About: "score retrieval and quotes on a question set (--qa FILE.jsonl)"},
	{Name: "config", About: "print the effective configuration as a file --config reads (secrets left out)"},
	{Name: "healthcheck", About: "exit 0 if a running citebot's /healthz answers"},
	{Name: "feedback", About: "export the 👍/👎 votes given under answers (--since 7d, --json)"},
	{Name: "version", About: "print the version, commit and Go version"},
}

// commandNamed returns the subcommand name of [subcommands].
func commandNamed(name string) config.Command {
	for _, c := range subcommands {
		if c.Name == name {
			return c
		}
	}
	return config.Command{Name: name}
}

// usage is the text of `citebot help`.
func usage() string {
	var b strings.Builder
	b.WriteString("citebot answers questions about documents with cited, verbatim quotes.\n\nUsage:\n")
	for _, c := range subcommands {
		fmt.Fprintf(&b, "  citebot %-20s %s\n", strings.TrimSpace(c.Name+" "+c.Args), c.About)
	}
	b.WriteString(`
Flags may come before or after the question; "--" ends them. With no --doc,
citebot uses its bundled sample document. "citebot COMMAND -h" lists the flags
of a command and their environment variables; "citebot config" prints every
config file key. Exit status: 0 success, 1 failure, 2 usage error.
`)
	return b.String()
}

// runners are the subcommands that read no standard input, by name.
var runners = map[string]func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error{
	"serve": runServe, "ask": runAsk, "search": runSearch, "index": runIndex, "eval": runEval,
	"config": runConfig, "healthcheck": runHealthcheck, "feedback": runFeedback,
}

// run is citebot's real main.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return config.ErrUsage
	}
	cmd, rest := args[0], args[1:]
	if f, ok := runners[cmd]; ok {
		return f(ctx, rest, getenv, stdout, stderr)
	}
	switch cmd {
	case "chat":
		return runChat(ctx, rest, getenv, stdin, stdout, stderr)
	case "version", "--version":
		return runVersion(rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage())
		return nil
	}
	fmt.Fprintf(stderr, "citebot: unknown command %s\nRun 'citebot help' for the commands.\n", config.Scrub(fmt.Sprintf("%q", cmd)))
	return config.ErrUsage
}
