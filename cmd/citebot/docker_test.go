package main

import (
	"bufio"
	"os"
	"os/exec"
	"path"
	"strings"
	"testing"
)

// TestDockerContextKeepsTheCommit: the image is built from a context with
// .git and every tracked file, so that the Go build stamps the commit and
// does not mark it modified (see buildInfo).
func TestDockerContextKeepsTheCommit(t *testing.T) {
	root := "../.."
	f, err := os.Open(root + "/.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out, err := exec.Command("git", "-C", root, "ls-files").Output()
	if err != nil {
		t.Skipf("no git work tree: %v", err)
	}
	tracked := strings.Split(strings.TrimSpace(string(out)), "\n")
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		pat := strings.TrimSpace(sc.Text())
		if pat == "" || strings.HasPrefix(pat, "#") {
			continue
		}
		if pat == ".git" || strings.HasPrefix(pat, ".git/") {
			t.Errorf(".dockerignore leaves out .git: the image cannot tell its commit")
		}
		for _, file := range tracked {
			if dockerIgnores(pat, file) {
				t.Errorf(".dockerignore pattern %q leaves out the tracked %s: the image would be marked modified", pat, file)
			}
		}
	}
}

// dockerIgnores reports whether the .dockerignore pattern pat leaves out
// file: pat is matched from the context's root against the file and each
// of its parent folders; a leading "**/" matches at any depth.
func dockerIgnores(pat, file string) bool {
	parts := strings.Split(file, "/")
	anyDepth := strings.HasPrefix(pat, "**/")
	pat = strings.TrimPrefix(pat, "**/")
	for start := range parts {
		if start > 0 && !anyDepth {
			break
		}
		for end := start + 1; end <= len(parts); end++ {
			if ok, _ := path.Match(pat, strings.Join(parts[start:end], "/")); ok {
				return true
			}
		}
	}
	return false
}

func TestDockerIgnores(t *testing.T) {
	for _, tc := range []struct {
		pat, file string
		want      bool
	}{
		{"citebot", "citebot", true},
		{"citebot", "cmd/citebot/main.go", false},
		{"**/node_modules", "testdata/emulator/node_modules/x.js", true},
		{"*.test", "bot.test", true},
		{"*.test", "bot/x.test", false},
		{".ci", ".ci/run", true},
	} {
		if got := dockerIgnores(tc.pat, tc.file); got != tc.want {
			t.Errorf("dockerIgnores(%q, %q) = %v", tc.pat, tc.file, got)
		}
	}
}
