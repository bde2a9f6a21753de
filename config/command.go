package config

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// ErrUsage is returned after a usage problem (unknown flag, bad flag value,
// missing or unexpected argument) was printed; ErrHelp after help was asked
// for and printed. A command line tool exits 2 and 0 on them.
var (
	ErrUsage = errors.New("usage")
	ErrHelp  = errors.New("help")
)

// Command describes one subcommand of the citebot tool: what its usage
// text says and which flags of its own it takes.
type Command struct {
	// Name is the subcommand ("ask"); it selects the settings that apply
	// to it (see the commands column of the settings table).
	Name string
	// Args names the one positional argument it requires ("QUESTION"),
	// or "" when it takes none.
	Args string
	// About is its one-line description.
	About string
	// Flags, when set, defines the subcommand's own flags.
	Flags func(*flag.FlagSet)
}

// Load builds the configuration of cmd run with args: the defaults, then
// the YAML file (--config or CITEBOT_CONFIG), then the environment, then
// flags, which may stand before or after the positional arguments (see
// [ParseArgs]). An unset data_dir is the subcommand's own (see
// [DefaultDataDir]; ask, search, chat and eval use the user cache folder
// found through getenv). It returns the positional arguments. It returns
// ErrHelp after printing help for -h to stderr, ErrUsage after printing a
// usage problem, and otherwise an error naming each bad setting.
func Load(cmd Command, args []string, getenv func(string) string, stderr io.Writer) (Config, []string, error) {
	cfg := Default()
	if path := ConfigPath(args, getenv); path != "" {
		if err := cfg.ApplyFile(path); err != nil {
			return cfg, nil, err
		}
	}
	if err := cfg.ApplyEnv(getenv); err != nil {
		return cfg, nil, err
	}
	cfg.setDataDir(cmd.Name, getenv) // before the flags, so -h shows it; a failure is reported below unless a flag sets it
	fs := flag.NewFlagSet("citebot "+cmd.Name, flag.ContinueOnError)
	cfg.RegisterFlags(fs, cmd.Name)
	if cmd.Flags != nil {
		cmd.Flags(fs)
	}
	pos, err := cmd.parse(fs, args, stderr)
	if err != nil {
		return cfg, nil, err
	}
	if err := cfg.setDataDir(cmd.Name, getenv); err != nil {
		return cfg, nil, err
	}
	if err := cfg.Validate(); err != nil {
		return cfg, nil, fmt.Errorf("invalid configuration:\n%w", err)
	}
	return cfg, pos, nil
}

// ParseFlags parses args with cmd's own flags alone, for a subcommand that
// takes no settings (version), and returns the positional arguments. Like
// [Load], it prints help for -h and returns ErrHelp, or prints a usage
// problem and returns ErrUsage.
func (cmd Command) ParseFlags(args []string, stderr io.Writer) ([]string, error) {
	fs := flag.NewFlagSet("citebot "+cmd.Name, flag.ContinueOnError)
	if cmd.Flags != nil {
		cmd.Flags(fs)
	}
	return cmd.parse(fs, args, stderr)
}

// parse parses args with fs and checks the positional arguments. It prints
// the full help for -h, or a usage problem and a pointer to -h.
func (cmd Command) parse(fs *flag.FlagSet, args []string, w io.Writer) ([]string, error) {
	var flagErrs bytes.Buffer
	fs.SetOutput(&flagErrs)
	fs.Usage = func() {} // printed below, knowing whether help was asked for
	pos, err := ParseArgs(fs, args)
	fs.SetOutput(w)
	switch {
	case errors.Is(err, flag.ErrHelp):
		cmd.printHelp(w, fs)
		return nil, ErrHelp
	case err != nil:
		fmt.Fprint(w, Scrub(flagErrs.String()))
		return nil, UsageError(w, cmd.Name, "")
	case cmd.Args != "" && strings.TrimSpace(strings.Join(pos, " ")) == "":
		return nil, UsageError(w, cmd.Name, "missing "+cmd.Args)
	case cmd.Args == "" && len(pos) > 0:
		return nil, UsageError(w, cmd.Name, fmt.Sprintf("unexpected argument %q", pos[0]))
	}
	return pos, nil
}

// printHelp prints the help of cmd, whose flags are fs: its usage line,
// what it does, and each flag with its default and, for a setting, its
// environment variable.
func (cmd Command) printHelp(w io.Writer, fs *flag.FlagSet) {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	flags := ""
	if n > 0 {
		flags = " [flags]"
	}
	fmt.Fprintf(w, "Usage: %s\n\n%s.\n", strings.TrimSpace("citebot "+cmd.Name+flags+" "+cmd.Args), cmd.About)
	if n == 0 {
		return
	}
	fmt.Fprint(w, "\nFlags may come before or after the arguments. A setting's flag overrides\n"+
		"its environment variable, named beside it, which overrides its key in the\n"+
		"--config file (`citebot config` prints every key).\n\n")
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		fmt.Fprintf(w, "  -%s", strings.TrimSpace(f.Name+" "+arg))
		var notes []string
		if v, ok := f.Value.(*flagValue); ok {
			if d := v.defaultText(); d != "" {
				notes = append(notes, "default "+d)
			}
			notes = append(notes, "env "+v.s.env)
		} else if d := f.DefValue; d != "" && d != "0" && d != "false" {
			notes = append(notes, "default "+d)
		}
		if len(notes) > 0 {
			usage += " (" + strings.Join(notes, "; ") + ")"
		}
		fmt.Fprintf(w, "\n    \t%s\n", strings.ReplaceAll(usage, "\n", "\n    \t"))
	})
}

// UsageError prints problem (if any) about the subcommand name and where to
// find its usage, and returns ErrUsage.
func UsageError(w io.Writer, name, problem string) error {
	if problem != "" {
		fmt.Fprintf(w, "citebot %s: %s\n", name, Scrub(problem))
	}
	fmt.Fprintf(w, "Run 'citebot %s -h' for usage.\n", name)
	return ErrUsage
}

// Logger returns the logger the configuration asks for (log_format,
// log_level), writing to w. JSON records give durations as Go duration
// strings ("1.5s"), as text records do, not as integer nanoseconds.
func (c Config) Logger(w io.Writer) *slog.Logger {
	level, _ := ParseLevel(c.LogLevel)
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		opts.ReplaceAttr = func(_ []string, a slog.Attr) slog.Attr {
			if a.Value.Kind() == slog.KindDuration {
				a.Value = slog.StringValue(a.Value.Duration().String())
			}
			return a
		}
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
