package page

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestMiniAppMethodsOnlyFromTheMiniApp pins the Bot API 10.2 rule (changelog,
// July 14, 2026: Mini App methods are refused from origins other than the
// Mini App's own): the page calls Telegram's Mini App methods only where it
// is the Mini App, the POST /app/ page served at the URL Telegram opened;
// the bootstrap posts to that same URL (a path, no other origin, and the
// CSP's form-action 'self'); a browser page (/p/) calls no Mini App method
// at all; and a call through postMessage names Telegram Web's origin, never
// "*".
func TestMiniAppMethodsOnlyFromTheMiniApp(t *testing.T) {
	d := testDocument()
	s := testServer(fakeLibrary{d.Name: d})
	h := s.Handler()
	tok := func(kind Kind) string {
		return Token{Kind: kind, Expires: testNow.Add(time.Hour), Chat: 42, Doc: d.Name, Version: s.versions.of(d),
			Spans: []Span{span(t, d, "结束")}}.sign(testKey)
	}
	calls := regexp.MustCompile(`web_app_[a-z_]+|TelegramWebviewProxy|postMessage`)

	browser := get(h, "GET", "/p/"+tok(Browser), nil)
	if browser.Code != 200 {
		t.Fatalf("browser page: status %d", browser.Code)
	}
	if got := calls.FindAllString(browser.Body.String(), -1); len(got) > 0 {
		t.Errorf("the browser page calls Mini App methods: %q", got)
	}

	appPath := "/app/" + tok(App)
	boot := get(h, "GET", appPath, nil)
	action := regexp.MustCompile(`<form id="f" method="post" action="([^"]*)"`).FindStringSubmatch(boot.Body.String())
	if boot.Code != 200 || action == nil {
		t.Fatalf("bootstrap: status %d, form action %q", boot.Code, action)
	}
	if u, err := url.Parse(action[1]); err != nil || u.Scheme != "" || u.Host != "" || u.Path != appPath {
		t.Errorf("the bootstrap posts to %q, want the same origin's %s", action[1], appPath)
	}
	if csp := boot.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self'") {
		t.Errorf("CSP %q lets the form post to another origin", csp)
	}
	if got := calls.FindAllString(boot.Body.String(), -1); len(got) > 0 {
		t.Errorf("the bootstrap calls Mini App methods before initData is checked: %q", got)
	}

	app := get(h, "POST", appPath, url.Values{"init": {initData(42, testNow.Add(-time.Minute), testBotToken)}})
	body := app.Body.String()
	if app.Code != 200 || !strings.Contains(body, `"web_app_ready"`) || !strings.Contains(body, `"web_app_expand"`) {
		t.Fatalf("Mini App page: status %d, calls %q", app.Code, calls.FindAllString(body, -1))
	}
	for _, m := range regexp.MustCompile(`postMessage\([^;]*?,("[^"]*")\)`).FindAllStringSubmatch(body, -1) {
		if m[1] != `"https://web.telegram.org"` {
			t.Errorf("postMessage to %s, want Telegram Web's origin only", m[1])
		}
	}
}
