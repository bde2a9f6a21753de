package doccheck

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The README's shell commands are the fenced blocks whose info string is
// sh (```sh); other blocks (```text, ```yaml, plain ```) show output or
// files and are not run. Each command runs with `sh -c` in the
// repository's root, `go run ./cmd/citebot` and `citebot` both meaning a
// citebot built from this tree, with no CITEBOT_, OPENAI_ or TELEGRAM_
// variable from the caller's environment, a temporary data directory,
// GOBIN in a temporary folder and empty standard input; it must exit 0,
// and a citebot command must print something.
//
// A block that must not run here (it serves until stopped, needs Docker,
// or takes minutes) is marked by the line
//
//	<!-- doc-test: skip, REASON -->
//
// just before its opening fence (blank lines between are allowed; the
// comment is invisible on the rendered page). Its commands are checked
// instead of run: a citebot command runs with -h appended (its subcommand
// and flags must exist), `make TARGET` needs the target in the Makefile,
// and a docker command needs the Dockerfile (with the stage that
// --target names) or, for `docker compose`, docker-compose.yml. Any other
// command in a skipped block fails the test.
const skipMarker = "<!-- doc-test: skip"

// readmeCommand is one command of the README with its place.
type readmeCommand struct {
	line    int
	text    string
	skipped bool
}

// readmeCommands returns the commands of the ```sh blocks of a Markdown
// text: comment lines and blank lines left out, a line ending in a
// backslash joined with the next, trailing comments removed.
func readmeCommands(md string) []readmeCommand {
	var cmds []readmeCommand
	inBlock, run, skipNext := false, false, false
	pending, start := "", 0
	for i, line := range strings.Split(md, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case !inBlock && strings.HasPrefix(trimmed, skipMarker):
			skipNext = true
		case !inBlock && strings.HasPrefix(trimmed, "```"):
			inBlock, run = true, strings.TrimSpace(strings.TrimPrefix(trimmed, "```")) == "sh"
			if !run {
				skipNext = false
			}
		case inBlock && trimmed == "```":
			inBlock, skipNext = false, false
		case inBlock && run:
			if pending == "" {
				start = i + 1
			}
			if cont, ok := strings.CutSuffix(trimmed, `\`); ok {
				pending += strings.TrimSpace(cont) + " "
				continue
			}
			text := stripComment(pending + trimmed)
			pending = ""
			if text != "" {
				cmds = append(cmds, readmeCommand{line: start, text: text, skipped: skipNext})
			}
		}
	}
	return cmds
}

// stripComment removes a shell comment: a # that starts a word outside
// quotes, to the end of the line.
func stripComment(s string) string {
	var quote rune
	for i, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t'):
			return strings.TrimSpace(s[:i])
		}
	}
	return strings.TrimSpace(s)
}

var envAssignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// program returns the first word of a command after its variable
// assignments, and the words after it.
func program(cmd string) (string, []string) {
	words := strings.Fields(cmd)
	for len(words) > 0 && envAssignment.MatchString(words[0]) {
		words = words[1:]
	}
	if len(words) == 0 {
		return "", nil
	}
	return words[0], words[1:]
}

// hermeticEnv returns the environment README commands run in.
func hermeticEnv(bin, tmp string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "CITEBOT_") || strings.HasPrefix(kv, "OPENAI_") ||
			strings.HasPrefix(kv, "TELEGRAM_") || strings.HasPrefix(kv, "PATH=") || strings.HasPrefix(kv, "GOBIN=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"CITEBOT_DATA_DIR="+filepath.Join(tmp, "data"),
		"GOBIN="+filepath.Join(tmp, "gobin"),
	)
}

// TestREADMECommands runs the README's commands as the comment on
// skipMarker describes.
func TestREADMECommands(t *testing.T) {
	root := repoRoot(t)
	md, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	cmds := readmeCommands(string(md))
	if len(cmds) < 5 {
		t.Fatalf("found %d commands in README.md's ```sh blocks", len(cmds))
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "bin")
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "citebot"), "./cmd/citebot")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	env := hermeticEnv(bin, tmp)
	for _, c := range cmds {
		text := strings.ReplaceAll(c.text, "go run ./cmd/citebot", "citebot")
		name, args := program(text)
		if c.skipped {
			checkSkipped(t, root, env, c, name, args, text)
			continue
		}
		out, err := runShell(t, root, env, text)
		if err != nil {
			t.Errorf("README.md:%d: %s: %v\n%s", c.line, c.text, err, out)
		} else if name == "citebot" && len(bytes.TrimSpace(out)) == 0 {
			t.Errorf("README.md:%d: %s printed nothing", c.line, c.text)
		}
	}
}

// checkSkipped checks a command of a skipped block without running it.
func checkSkipped(t *testing.T, root string, env []string, c readmeCommand, name string, args []string, text string) {
	t.Helper()
	fail := func(why string) { t.Errorf("README.md:%d: %s: %s", c.line, c.text, why) }
	has := func(file, substr string) bool {
		b, err := os.ReadFile(filepath.Join(root, file))
		return err == nil && strings.Contains(string(b), substr)
	}
	switch name {
	case "citebot":
		if out, err := runShell(t, root, env, text+" -h"); err != nil {
			fail("with -h: " + err.Error() + "\n" + string(out))
		}
	case "make":
		for _, target := range args {
			if !strings.HasPrefix(target, "-") && !has("Makefile", "\n"+target+":") {
				fail("the Makefile has no target " + target)
			}
		}
	case "docker":
		if len(args) > 0 && args[0] == "compose" {
			if !has("docker-compose.yml", "services:") {
				fail("no docker-compose.yml with services")
			}
			return
		}
		if !has("Dockerfile", "FROM ") {
			fail("no Dockerfile")
		}
		for i, a := range args {
			if a == "--target" && (i+1 >= len(args) || !has("Dockerfile", " AS "+args[i+1]+"\n")) {
				fail("the Dockerfile has no stage named by --target")
			}
		}
	default:
		fail("a skipped block may hold only citebot, make and docker commands")
	}
}

// runShell runs one command line with sh in root, with no input, and
// returns its standard output and error together.
func runShell(t *testing.T, root string, env []string, line string) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", line)
	cmd.Dir, cmd.Env, cmd.Stdin = root, env, strings.NewReader("")
	return cmd.CombinedOutput()
}

func TestReadmeCommandsParsing(t *testing.T) {
	md := "intro\n```sh\n# a comment\ncitebot ask \"Q #1\"   # the sample\n\nFOO=1 citebot \\\n  search x\n```\n" +
		"```text\nnot a command\n```\n" +
		"<!-- doc-test: skip, serves until stopped -->\n\n```sh\ncitebot serve\n```\n" +
		"```sh\nmake eval\n```\n"
	got := readmeCommands(md)
	want := []readmeCommand{
		{line: 4, text: `citebot ask "Q #1"`},
		{line: 6, text: "FOO=1 citebot search x"},
		{line: 15, text: "citebot serve", skipped: true},
		{line: 18, text: "make eval"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d commands %+v, want %+v", len(got), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("command %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if name, args := program("A=1 B=2 citebot ask q"); name != "citebot" || len(args) != 2 {
		t.Errorf("program = %q %q", name, args)
	}
}
