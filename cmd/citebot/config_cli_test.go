package main

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/citebot/citebot/config"
)

const fishingBan = "长江十年禁渔有什么要求？"

// TestConfigFileReadsBack checks the round trip a user makes: `citebot
// config > c.yaml`, then `citebot ask --config c.yaml` answers as `citebot
// ask` does, from another working directory too.
func TestConfigFileReadsBack(t *testing.T) {
	env := withCache(t, map[string]string{"TELEGRAM_BOT_TOKEN": "42:VERY-SECRET"})
	want, _, err := runArgs(t, env, "ask", fishingBan)
	if err != nil {
		t.Fatal(err)
	}
	printed, _, err := runArgs(t, env, "config")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(file, []byte(printed), 0o600); err != nil {
		t.Fatal(err)
	}
	got, stderr, err := runArgs(t, env, "ask", "--config", file, fishingBan)
	if err != nil {
		t.Fatalf("ask --config: %v\n%s\n%s", err, stderr, printed)
	}
	if got != want {
		t.Fatalf("ask --config answered\n%s\nask answered\n%s", got, want)
	}
	again, _, err := runArgs(t, env, "config", "--config", file)
	if err != nil {
		t.Fatal(err)
	}
	lineComment := regexp.MustCompile(` # [^\n]*`) // "from" where the second read them
	if lineComment.ReplaceAllString(again, "") != lineComment.ReplaceAllString(printed, "") {
		t.Fatalf("config --config printed\n%s\nconfig printed\n%s", again, printed)
	}
}

// TestConfigFilePathsAreRelativeToTheFile checks that a config file's
// relative docs and data_dir are read from its folder.
func TestConfigFilePathsAreRelativeToTheFile(t *testing.T) {
	dir := t.TempDir()
	doc := "禁渔\n\n长江流域重点水域实行十年禁渔，禁止一切生产性捕捞。\n"
	if err := os.WriteFile(filepath.Join(dir, "ban.txt"), []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "citebot.yaml")
	if err := os.WriteFile(file, []byte("docs: [ban.txt]\ndata_dir: data\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := runArgs(t, nil, "index", "--config", file) // in another working directory
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !strings.Contains(out, "  ban.txt: ") || !strings.Contains(out, "data dir:   "+filepath.Join(dir, "data")) {
		t.Fatalf("index --config %s:\n%s", file, out)
	}
}

// TestAskLeavesTheWorkingDirectoryAlone checks that ask, search, chat and
// eval keep their index in the user cache folder, found from
// XDG_CACHE_HOME or HOME, and write nothing where they run.
func TestAskLeavesTheWorkingDirectoryAlone(t *testing.T) {
	qa, err := filepath.Abs(filepath.Join("..", "..", "testdata", "eval", "seed_dev.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	xdg := t.TempDir()
	tests := []struct {
		name  string
		env   map[string]string
		args  []string
		cache string
	}{
		{"ask", map[string]string{"HOME": home, "XDG_CACHE_HOME": xdg}, []string{"ask", fishingBan}, filepath.Join(xdg, "citebot")},
		{"ask without XDG_CACHE_HOME", map[string]string{"HOME": home, "XDG_CACHE_HOME": ""}, []string{"ask", fishingBan}, filepath.Join(home, ".cache", "citebot")},
		{"search", map[string]string{"HOME": home, "XDG_CACHE_HOME": xdg}, []string{"search", fishingBan}, filepath.Join(xdg, "citebot")},
		{"chat", map[string]string{"HOME": home, "XDG_CACHE_HOME": xdg}, []string{"chat"}, filepath.Join(xdg, "citebot")},
		{"eval", map[string]string{"HOME": home, "XDG_CACHE_HOME": xdg}, []string{"eval", "--qa", qa}, filepath.Join(xdg, "citebot")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if runtime.GOOS == "windows" || runtime.GOOS == "darwin" || runtime.GOOS == "ios" || runtime.GOOS == "plan9" {
				t.Skip("the user cache folder is not found from XDG_CACHE_HOME and HOME here")
			}
			work := t.TempDir()
			t.Chdir(work)
			if _, stderr, err := runCLI(t, tt.env, fishingBan+"\n", tt.args...); err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			if left, _ := os.ReadDir(work); len(left) > 0 {
				t.Errorf("%s left %v in the working directory", tt.args[0], left)
			}
			if snaps, _ := filepath.Glob(filepath.Join(tt.cache, "index-*")); len(snaps) == 0 {
				t.Errorf("no index snapshot in %s", tt.cache)
			}
		})
	}
}

// TestEveryCommandHelp checks -h and --help of every subcommand: exit
// status 0, the flags of that subcommand alone, each setting's with its
// environment variable.
func TestEveryCommandHelp(t *testing.T) {
	own := readmeCommandFlags(t)
	own["version"] = nil
	envs := config.EnvNames()
	flagLine := regexp.MustCompile(`(?m)^  -([a-z-]+).*\n    \t(.*)$`)
	envNote := regexp.MustCompile(`[(;] ?env ([A-Z_]+)\)$`)
	for _, c := range subcommands {
		for _, h := range []string{"-h", "--help"} {
			t.Run(c.Name+" "+h, func(t *testing.T) {
				_, help, err := runArgs(t, nil, c.Name, h)
				if !errors.Is(err, config.ErrHelp) || exitCode(err) != 0 {
					t.Fatalf("err = %v, exit status %d", err, exitCode(err))
				}
				if !strings.HasPrefix(help, "Usage: citebot "+c.Name) {
					t.Fatalf("help of %s:\n%s", c.Name, help)
				}
				want := settingFlags(c.Name)
				want = append(want, own[c.Name]...)
				var got []string
				for _, m := range flagLine.FindAllStringSubmatch(help, -1) {
					got = append(got, m[1])
					env := envNote.FindStringSubmatch(m[2])
					isSetting := slices.Contains(settingFlags(c.Name), m[1])
					switch {
					case isSetting && (env == nil || !slices.Contains(envs, env[1])):
						t.Errorf("-%s: no environment variable in %q", m[1], m[2])
					case !isSetting && env != nil:
						t.Errorf("-%s is no setting but shows %s", m[1], env[1])
					}
				}
				slices.Sort(got)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("%s %s lists flags\n%v\nwant\n%v\n%s", c.Name, h, got, want, help)
				}
			})
		}
	}
}

// settingFlags returns the flags of the settings the subcommand name takes.
func settingFlags(name string) []string {
	if name == "version" {
		return nil
	}
	cfg := config.Default()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	cfg.RegisterFlags(fs, name)
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	return names
}
