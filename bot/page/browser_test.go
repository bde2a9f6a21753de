package page

import (
	"context"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/bot/page/pagetest"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// waitTitle waits until the page's title is not the Mini App bootstrap's
// and returns it.
func waitTitle(ctx context.Context, t *testing.T) string {
	t.Helper()
	for {
		title, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState === "complete" ? document.title : ""`))
		if err == nil && title != "" && title != "citebot" {
			return title
		}
		select {
		case <-ctx.Done():
			t.Fatalf("page did not leave the bootstrap: title %q, %v", title, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// TestMiniAppInBrowser opens a Mini App link the way Telegram does, with
// initData and the theme in the URL fragment, in Chromium: correctly
// signed initData of the link's user shows the page in Telegram's colours
// with the quote marked; initData signed with another token, or of
// another user, gets the refusal, and so does the link opened without
// Telegram.
func TestMiniAppInBrowser(t *testing.T) {
	ctx := pagetest.Browser(t, 2*time.Minute)
	d := testDocument()
	s := &Server{Key: testKey, Library: fakeLibrary{d.Name: d}, BotToken: testBotToken}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	links := &Links{Base: srv.URL, Key: testKey, TTL: time.Hour, Library: s.Library}
	focus := span(t, d, "<script>alert(1)</script>")
	tok := Token{Kind: App, Expires: time.Now().Add(time.Hour), Chat: 42, Doc: d.Name, Version: links.versions.of(d), Spans: []Span{focus}}
	appURL := srv.URL + "/app/" + tok.sign(testKey)
	theme := `{"bg_color":"#212121","text_color":"#ffffff","link_color":"#8774e1"}`
	open := func(init string) string {
		frag := url.Values{"tgWebAppData": {init}, "tgWebAppVersion": {"8.0"}, "tgWebAppPlatform": {"android"}, "tgWebAppThemeParams": {theme}}
		if init == "" {
			frag = nil
		}
		// From a blank page, so that only the fragment differing from the
		// page before is a real navigation.
		if err := chromedp.Do(ctx, chromedp.Navigate("about:blank"), chromedp.Navigate(appURL+"#"+frag.Encode())); err != nil {
			t.Fatal(err)
		}
		if init == "" {
			time.Sleep(200 * time.Millisecond) // the bootstrap must stay put
			title, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.title`))
			return title
		}
		return waitTitle(ctx, t)
	}

	if title := open(initData(42, time.Now(), testBotToken)); title != d.Name {
		t.Fatalf("correctly signed initData: title %q, want the document's", title)
	}
	type state struct {
		Mark, Bg        string
		Top, Bottom, VH float64
	}
	st, err := chromedp.Run(ctx, chromedp.Evaluate[state](`(() => { const m = document.getElementById("c"), r = m.getBoundingClientRect();
		return {Mark: m.textContent, Bg: getComputedStyle(document.body).backgroundColor, Top: r.top, Bottom: r.bottom, VH: innerHeight}; })()`))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mark != d.Text[focus.Start:focus.End] || st.Bg != "rgb(33, 33, 33)" || st.Top < 0 || st.Bottom > st.VH {
		t.Errorf("Mini App page: %+v; want the quote %q in view on Telegram's background", st, d.Text[focus.Start:focus.End])
	}
	if png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
		out := filepath.Join("..", "..", "testdata", "output") // git-ignored
		if err := os.MkdirAll(out, 0o755); err == nil {
			os.WriteFile(filepath.Join(out, "page-miniapp.png"), png, 0o644)
		}
	}

	for name, init := range map[string]string{
		"signed with another bot's token": initData(42, time.Now(), "654321:another-bot-token-0123456789abcdef"),
		"another user's initData":         initData(43, time.Now(), testBotToken),
		"initData an hour and more old":   initData(42, time.Now().Add(-61*time.Minute), testBotToken),
	} {
		if title := open(init); title != "Link not valid" {
			t.Errorf("%s: title %q, want the refusal", name, title)
		}
		body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.textContent`))
		if strings.Contains(body, secretWords) {
			t.Errorf("%s: the refusal shows document text", name)
		}
	}
	if title := open(""); title != "citebot" {
		t.Errorf("app link outside Telegram: title %q, want the bootstrap page", title)
	}
	if body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.textContent`)); strings.Contains(body, secretWords) || !strings.Contains(body, "Telegram") {
		t.Errorf("app link outside Telegram shows %q", body)
	}
}

// TestDarkModeInBrowser checks the page follows prefers-color-scheme:
// dark outside Telegram, with the cited span still legible.
func TestDarkModeInBrowser(t *testing.T) {
	ctx := pagetest.Browser(t, 2*time.Minute)
	d := testDocument()
	s := &Server{Key: testKey, Library: fakeLibrary{d.Name: d}}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	tok := Token{Kind: Browser, Expires: time.Now().Add(time.Hour), Doc: d.Name, Version: s.versions.of(d), Spans: []Span{span(t, d, "引言")}}
	dark := emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, dark); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/p/"+tok.sign(testKey)+"#c")); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[getComputedStyle(document.body).backgroundColor,
		getComputedStyle(document.body).color, getComputedStyle(document.getElementById("c")).color]`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"rgb(22, 22, 22)", "rgb(230, 230, 230)", "rgb(17, 17, 17)"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("dark mode colours (body background, text, cited text) = %q, want %q", got, want)
	}
}
