package config

import (
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestDataDirByCommand checks each subcommand's data_dir when none is
// set: serve's folder for the bot's commands, the user cache folder for
// the ones that only read documents, and whatever a source sets.
func TestDataDirByCommand(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" || runtime.GOOS == "ios" || runtime.GOOS == "plan9" {
		t.Skip("the cases name XDG_CACHE_HOME and HOME")
	}
	cache := map[string]string{"XDG_CACHE_HOME": "/xdg", "HOME": "/home/u"}
	tests := []struct {
		name, command string
		env           map[string]string
		args          []string
		want, err     string
	}{
		{"serve", "serve", nil, nil, DefaultDataDir, ""},
		{"index", "index", nil, nil, DefaultDataDir, ""},
		{"feedback", "feedback", nil, nil, DefaultDataDir, ""},
		{"ask in XDG_CACHE_HOME", "ask", cache, nil, "/xdg/citebot", ""},
		{"search in HOME's cache", "search", map[string]string{"HOME": "/home/u"}, nil, "/home/u/.cache/citebot", ""},
		{"chat", "chat", cache, nil, "/xdg/citebot", ""},
		{"eval", "eval", cache, nil, "/xdg/citebot", ""},
		{"the environment wins", "ask", map[string]string{"CITEBOT_DATA_DIR": "/env", "HOME": "/home/u"}, nil, "/env", ""},
		{"a flag wins", "eval", nil, []string{"--data-dir", "mine"}, "mine", ""},
		{"an empty flag is the default", "ask", cache, []string{"--data-dir", ""}, "/xdg/citebot", ""},
		{"no cache folder", "ask", nil, nil, "", "ask keeps its index in the user cache folder, but neither $XDG_CACHE_HOME nor $HOME is set: set data_dir (--data-dir, CITEBOT_DATA_DIR)"},
		{"relative XDG_CACHE_HOME", "chat", map[string]string{"XDG_CACHE_HOME": "cache"}, nil, "", "$XDG_CACHE_HOME is a relative path"},
		{"config prints it unset", "config", cache, nil, "", ""},
		{"healthcheck takes none", "healthcheck", cache, nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := Load(Command{Name: tt.command}, tt.args, env(tt.env), io.Discard)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.DataDir != filepath.FromSlash(tt.want) {
				t.Fatalf("data_dir = %q, want %q", c.DataDir, tt.want)
			}
		})
	}
}

// TestHelpShowsTheCommandsDataDir checks that -h shows the data_dir in
// effect for the subcommand.
func TestHelpShowsTheCommandsDataDir(t *testing.T) {
	var help strings.Builder
	_, _, err := Load(Command{Name: "ask"}, []string{"-h"}, env(map[string]string{"XDG_CACHE_HOME": "/xdg"}), &help)
	if err != ErrHelp {
		t.Fatalf("err = %v", err)
	}
	if want := "(default " + filepath.Join("/xdg", "citebot") + "; env CITEBOT_DATA_DIR)"; !strings.Contains(help.String(), want) {
		t.Fatalf("ask -h lacks %q:\n%s", want, help.String())
	}
}
