package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/answer/plain"
)

// TestStaticBinary builds citebot as the Dockerfile does (CGO_ENABLED=0) and
// runs the binary on the bundled document in an empty directory with an
// empty environment, then checks `citebot healthcheck` fails cleanly when
// nothing listens.
func TestStaticBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := filepath.Join(t.TempDir(), "citebot")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build: %v\n%s", err, out)
	}
	work := t.TempDir()
	ask := exec.CommandContext(ctx, bin, "ask", "--json", "长江十年禁渔有什么要求？")
	ask.Dir = work
	ask.Env = []string{"HOME=" + t.TempDir()} // the index goes to $HOME/.cache, not the working directory
	out, err := ask.Output()
	if err != nil {
		t.Fatalf("static citebot ask: %v", err)
	}
	if left, _ := os.ReadDir(work); len(left) > 0 {
		t.Errorf("citebot ask left %v in its working directory", left)
	}
	var a plain.Answer
	if err := json.Unmarshal(out, &a); err != nil || len(a.Citations) == 0 || !strings.Contains(a.Citations[0].Quote, "十年禁渔") {
		t.Fatalf("static citebot ask = %s (%v)", out, err)
	}
	hc := exec.CommandContext(ctx, bin, "healthcheck", "--admin-addr", "127.0.0.1:1", "--timeout", "1s")
	hc.Dir = work
	hc.Env = []string{}
	if out, err := hc.CombinedOutput(); err == nil || !strings.Contains(string(out), "unhealthy") {
		t.Fatalf("healthcheck with nothing listening: err %v, output %q", err, out)
	}
}
