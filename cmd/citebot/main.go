// Command citebot answers questions about documents with cited, verbatim
// quotes, on the command line and as a Telegram bot.
//
// main only wires signals to [run]; every subcommand lives in its own file
// and is testable without a process.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/citebot/citebot/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if code := exitCode(err); code != 0 {
		if code == 1 {
			fmt.Fprintln(os.Stderr, "citebot:", config.Scrub(err.Error()))
		}
		os.Exit(code)
	}
}

// errUsage is returned after a usage problem was printed; errHelp after
// help was asked for and printed.
var (
	errUsage = errors.New("usage")
	errHelp  = errors.New("help")
)

// exitCode is the exit status for run's error: 0 for success and help, 2
// for a usage error (unknown command or flag, bad flag value, missing or
// unexpected argument), 1 for any other failure.
func exitCode(err error) int {
	switch {
	case err == nil || errors.Is(err, errHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	return 1
}

// subcommands are citebot's commands for the usage texts; args "QUESTION"
// is required, "" means the command takes no positional argument.
var subcommands = []struct{ name, args, about string }{
	{"serve", "", "run the Telegram bot (needs TELEGRAM_BOT_TOKEN)"},
	{"ask", "QUESTION", "answer one question (--json)"},
	{"chat", "", "ask questions interactively (follow-ups work)"},
	{"search", "QUESTION", "show the ranked passages for a question (--k N, --json)"},
	{"index", "", "build or refresh the persistent index"},
	{"eval", "", "score retrieval and quotes on a question set (--qa FILE.jsonl)"},
	{"config", "", "print the effective configuration (secrets redacted)"},
	{"healthcheck", "", "exit 0 if a running citebot's /healthz answers"},
	{"version", "", "print the version, commit and Go version"},
}

// usage is the text of `citebot help`.
func usage() string {
	var b strings.Builder
	b.WriteString("citebot answers questions about documents with cited, verbatim quotes.\n\nUsage:\n")
	for _, c := range subcommands {
		fmt.Fprintf(&b, "  citebot %-20s %s\n", strings.TrimSpace(c.name+" "+c.args), c.about)
	}
	b.WriteString(`
Flags may come before or after the question; "--" ends them. With no --doc,
citebot uses its bundled sample document. "citebot COMMAND -h" lists the flags
of a command; settings also have environment variables and config file keys
(see README). Exit status: 0 success, 1 failure, 2 usage error.
`)
	return b.String()
}

// run is citebot's real main.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
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
	case "version", "--version":
		return runVersion(rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage())
		return nil
	}
	fmt.Fprintf(stderr, "citebot: unknown command %s\nRun 'citebot help' for the commands.\n", config.Scrub(fmt.Sprintf("%q", cmd)))
	return errUsage
}

// parseFlags parses args with fs for the subcommand name, flags anywhere
// ([config.ParseArgs]), and checks its positional arguments. It prints
// the full help for -h, or a usage problem and a pointer to -h.
func parseFlags(fs *flag.FlagSet, name string, args []string, w io.Writer) ([]string, error) {
	var flagErrs bytes.Buffer
	fs.SetOutput(&flagErrs)
	fs.Usage = func() {} // printed below, knowing whether help was asked for
	pos, err := config.ParseArgs(fs, args)
	fs.SetOutput(w)
	want, about := "", ""
	for _, c := range subcommands {
		if c.name == name {
			want, about = c.args, c.about
		}
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintf(w, "Usage: %s\n\n%s.\n\nFlags may come before or after the arguments. Settings also have\nenvironment variables and config file keys (see README).\n\n",
			strings.TrimSpace("citebot "+name+" [flags] "+want), about)
		fs.PrintDefaults()
		return nil, errHelp
	case err != nil:
		fmt.Fprint(w, config.Scrub(flagErrs.String()))
		return nil, usageError(w, name, "")
	case want == "QUESTION" && strings.TrimSpace(strings.Join(pos, " ")) == "":
		return nil, usageError(w, name, "missing QUESTION")
	case want == "" && len(pos) > 0:
		return nil, usageError(w, name, fmt.Sprintf("unexpected argument %q", pos[0]))
	}
	return pos, nil
}

// usageError prints problem (if any) and where to find the usage, and
// returns errUsage.
func usageError(w io.Writer, name, problem string) error {
	if problem != "" {
		fmt.Fprintf(w, "citebot %s: %s\n", name, config.Scrub(problem))
	}
	fmt.Fprintf(w, "Run 'citebot %s -h' for usage.\n", name)
	return errUsage
}
