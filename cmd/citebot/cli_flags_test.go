package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/citebot/citebot/config"
	"github.com/citebot/citebot/retrieval"
)

// runArgs runs citebot with args in a fresh working directory, with no
// environment beyond env and a fresh user cache folder.
func runArgs(t testing.TB, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	t.Chdir(t.TempDir())
	env = withCache(t, env)
	var out, errb bytes.Buffer
	err = run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), err
}

// TestFlagsAfterQuestion checks that flags work after the question and
// that "--" ends them.
func TestFlagsAfterQuestion(t *testing.T) {
	tests := []struct {
		name string
		args []string
		json bool
	}{
		{"ask json after", []string{"ask", "长江十年禁渔有什么要求？", "--json"}, true},
		{"ask json before", []string{"ask", "--json", "长江十年禁渔有什么要求？"}, true},
		{"ask words around a flag", []string{"ask", "长江十年禁渔", "--json", "有什么要求？"}, true},
		{"search flags after", []string{"search", "耕地保护有什么要求？", "--k", "2", "--json"}, true},
		{"after -- it is the question", []string{"ask", "长江十年禁渔有什么要求？", "--", "--json"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := runArgs(t, nil, tt.args...)
			if err != nil {
				t.Fatalf("%v\n%s", err, errOut)
			}
			var v map[string]any
			isJSON := json.Unmarshal([]byte(out), &v) == nil
			if isJSON != tt.json {
				t.Fatalf("JSON output = %v, want %v:\n%s", isJSON, tt.json, out)
			}
			if tt.json && strings.Contains(v["question"].(string), "--json") {
				t.Fatalf("--json became part of the question: %q", v["question"])
			}
			if hits, ok := v["hits"].([]any); ok && len(hits) != 2 {
				t.Fatalf("--k 2 after the question gave %d hits", len(hits))
			}
		})
	}
}

func TestUsageExitCodes(t *testing.T) {
	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		code   int
		stderr string
	}{
		{"no command", nil, nil, 2, "Usage:"},
		{"unknown command", nil, []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"unknown flag after the question", nil, []string{"ask", "q", "--nope"}, 2, "-nope"},
		{"flag of another command", nil, []string{"ask", "--workers", "3", "q"}, 2, "-workers"},
		{"bad flag value", nil, []string{"search", "--k", "many", "q"}, 2, `invalid value "many"`},
		{"missing question", nil, []string{"ask", "--json"}, 2, "citebot ask: missing QUESTION"},
		{"blank question", nil, []string{"search", " "}, 2, "missing QUESTION"},
		{"unexpected argument", nil, []string{"index", "extra"}, 2, `unexpected argument "extra"`},
		{"unexpected version argument", nil, []string{"version", "x"}, 2, "unexpected"},
		{"help", nil, []string{"ask", "-h"}, 0, "Usage: citebot ask [flags] QUESTION"},
		{"help command", nil, []string{"help"}, 0, ""},
		{"invalid setting", nil, []string{"ask", "q", "--top-k", "0"}, 1, ""},
		{"bad environment", map[string]string{"CITEBOT_TOP_K": "lots"}, []string{"ask", "q"}, 1, ""},
		{"runtime failure", nil, []string{"ask", "--doc", "/nonexistent/file.txt", "q"}, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, err := runArgs(t, tt.env, tt.args...)
			if got := exitCode(err); got != tt.code {
				t.Fatalf("exit code %d (err %v), want %d; stderr:\n%s", got, err, tt.code, stderr)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Fatalf("stderr lacks %q:\n%s", tt.stderr, stderr)
			}
		})
	}
}

// TestConfigErrorsNameTheSetting checks that configuration errors name
// the setting as the user wrote it and never show a secret.
func TestConfigErrorsNameTheSetting(t *testing.T) {
	const token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawXX"
	file := filepath.Join(t.TempDir(), "citebot.yaml")
	if err := os.WriteFile(file, []byte("top_k: 4\n\nworkers: five\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"flag", nil, []string{"ask", "q", "--top-k", "0"}, "--top-k = 0: use 1..50"},
		{"environment", map[string]string{"CITEBOT_MEMORY_TTL": "-5m"}, []string{"serve"}, "CITEBOT_MEMORY_TTL = -5m: use a positive duration"},
		{"file", nil, []string{"ask", "--config", file, "q"}, `workers (line 3): want an integer, got "five"`},
		{"url with a token", map[string]string{"CITEBOT_WEBHOOK_URL": "ftp://x/bot" + token}, []string{"config"}, "CITEBOT_WEBHOOK_URL = \"ftp://x/botREDACTED\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runArgs(t, tt.env, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "AAHdqTcv") {
				t.Fatalf("the error shows the token: %v", err)
			}
		})
	}
}

// TestHelpListsOnlyOwnFlags checks each command's -h against the settings
// it uses and the per-command flags docs/configuration.md lists.
func TestHelpListsOnlyOwnFlags(t *testing.T) {
	own := readmeCommandFlags(t)
	tests := []struct {
		command   string
		has, lack []string
	}{
		{"ask", []string{"json", "top-k", "doc", "model"}, []string{"workers", "telegram-token", "k"}},
		{"search", []string{"k", "json", "retriever", "doc"}, []string{"top-k", "workers", "model"}},
		{"index", []string{"doc", "data-dir", "embedder"}, []string{"json", "top-k", "workers"}},
		{"serve", []string{"workers", "telegram-token", "admin-addr"}, []string{"json", "k"}},
		{"healthcheck", []string{"timeout", "admin-addr", "log-level"}, []string{"doc", "workers"}},
		{"eval", []string{"qa", "k", "no-answers", "top-k"}, []string{"workers"}},
		{"config", []string{"workers", "top-k", "doc"}, []string{"json"}},
		{"chat", []string{"doc", "top-k"}, []string{"json", "workers"}},
		{"feedback", []string{"data-dir", "log-level", "config"}, []string{"doc", "top-k", "workers", "embedder"}},
	}
	for _, tt := range tests {
		t.Run(tt.command, func(t *testing.T) {
			_, help, err := runArgs(t, nil, tt.command, "-h")
			if !errors.Is(err, config.ErrHelp) {
				t.Fatalf("err = %v", err)
			}
			flagLine := func(name string) bool { return regexp.MustCompile(`(?m)^  -` + name + `\b( |$)`).MatchString(help) }
			for _, f := range append(tt.has, own[tt.command]...) {
				if !flagLine(f) {
					t.Errorf("-h lacks -%s:\n%s", f, help)
				}
			}
			for _, f := range tt.lack {
				if flagLine(f) {
					t.Errorf("-h lists -%s, not a flag of %s", f, tt.command)
				}
			}
		})
	}
}

// readmeCommandFlags returns the flags of the "Per-command flags"
// paragraph of docs/configuration.md by command.
func readmeCommandFlags(t testing.TB) map[string][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "configuration.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, para, ok := strings.Cut(string(b), "Per-command flags:")
	if !ok {
		t.Fatal("docs/configuration.md has no Per-command flags paragraph")
	}
	para, _, _ = strings.Cut(para, "\n\n")
	flags := map[string][]string{}
	for _, m := range regexp.MustCompile("`([a-z]+)((?: [^`]*)?)`").FindAllStringSubmatch(para, -1) {
		for _, word := range strings.Fields(m[2]) {
			if f, ok := strings.CutPrefix(word, "--"); ok && f != "" {
				flags[m[1]] = append(flags[m[1]], f)
			}
		}
	}
	if len(flags["search"]) == 0 || len(flags["eval"]) == 0 {
		t.Fatalf("parsed no flags from the paragraph: %v", flags)
	}
	return flags
}

func TestVersion(t *testing.T) {
	out, _, err := runArgs(t, nil, "version")
	if err != nil {
		t.Fatal(err)
	}
	version, revision, goVersion := buildInfo()
	if version == "" || revision == "" || goVersion != runtime.Version() {
		t.Fatalf("buildInfo() = %q, %q, %q", version, revision, goVersion)
	}
	want := "citebot version " + version + ", commit " + revision + ", built with " + goVersion + "\n"
	if out != want {
		t.Fatalf("version printed %q, want %q", out, want)
	}
}

// TestConfigPrintsValuesInEffect checks `citebot config` against what
// runs: no zero standing for a default elsewhere, an empty docs naming the
// bundled sample, secrets and URL credentials left out.
func TestConfigPrintsValuesInEffect(t *testing.T) {
	env := map[string]string{
		"TELEGRAM_BOT_TOKEN":  "42:VERY-SECRET",
		"CITEBOT_WEBHOOK_URL": "https://user:VERY-SECRET@bot.example.org/hook",
	}
	out, _, err := runArgs(t, env, "config", "--memory-turns", "0")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"docs: [] # empty means bundled sample\n", "embed_dim: 384\n", "vector_weight: 0.1\n",
		"memory_turns: 0 # from --memory-turns\n", "# telegram_token: a secret, never written here (set, from TELEGRAM_BOT_TOKEN); set it in the environment: TELEGRAM_BOT_TOKEN\n",
		"# webhook_url: holds credentials, not written here (https://REDACTED@bot.example.org/hook, from CITEBOT_WEBHOOK_URL); set it in the environment: CITEBOT_WEBHOOK_URL\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("config output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "VERY-SECRET") {
		t.Errorf("config output shows a secret:\n%s", out)
	}
	if config.Default().EmbedDim != retrieval.DefaultLocalDim {
		t.Errorf("embed_dim default %d, the local embedder's %d", config.Default().EmbedDim, retrieval.DefaultLocalDim)
	}
}

// TestIndexFailsWhenItCannotSave checks that `citebot index` exits non-zero
// when the data dir cannot hold the index.
func TestIndexFailsWhenItCannotSave(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"/proc/nope", filepath.Join(file, "index")} {
		t.Run(dir, func(t *testing.T) {
			_, _, err := runArgs(t, nil, "index", "--data-dir", dir)
			if exitCode(err) != 1 || !strings.Contains(err.Error(), "data dir") {
				t.Fatalf("index --data-dir %s: %v", dir, err)
			}
		})
	}
}

func TestCheckWritableDir(t *testing.T) {
	dir := t.TempDir()
	if err := checkWritableDir(filepath.Join(dir, "new", "sub")); err != nil {
		t.Fatalf("checkWritableDir of a new dir: %v", err)
	}
}
