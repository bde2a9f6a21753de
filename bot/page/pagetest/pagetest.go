// Package pagetest starts the headless browser that the document page's
// tests (bot/page and cmd/citebot) drive, and measures the heap of the
// memory-bound tests of bot and bot/page. Only tests import it.
package pagetest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Browser starts headless Chromium with a phone-sized viewport (390 x 844
// CSS pixels at scale 2) for at most timeout. It skips tb when no
// Chromium is installed, except under CI=1, where it fails: .ci/run
// installs Debian's chromium package.
func Browser(tb testing.TB, timeout time.Duration) context.Context {
	tb.Helper()
	var path string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") == "1" {
			tb.Fatal("no Chromium found: install Debian's chromium package (.ci/run does)")
		}
		tb.Skip("no Chromium found (apt-get install chromium); CI=1 makes this a failure")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(390, 844))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	tb.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(actx)
	tb.Cleanup(cancel)
	ctx, cancel = context.WithTimeout(ctx, timeout)
	tb.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)); err != nil {
		tb.Fatalf("start Chromium: %v", err)
	}
	return ctx
}
