package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/bot/page/pagetest"

	"github.com/chromedp/chromedp"

	"github.com/citebot/citebot/answer/plain"
	"github.com/citebot/citebot/bot/page"
	"github.com/citebot/citebot/bot/telegramtest"
	"github.com/citebot/citebot/eval"
	"github.com/citebot/citebot/library"
	"github.com/citebot/citebot/retrieval"
	"github.com/citebot/citebot/retrieval/document"
)

// publicURL is the address the page is published at in these tests; the
// test maps it to the local server, as a TLS proxy would.
const publicURL = "https://citebot.example.org"

// startPage starts the page server of `serve` over the bundled sample
// with the key in dir, and returns its base URL.
func startPage(t testing.TB, dir string) string {
	t.Helper()
	c, err := parse("serve", []string{"--data-dir", dir, "--public-url", publicURL, "--web-listen", "127.0.0.1:0"},
		func(string) string { return "" }, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	links, err := c.pageLinks(fixedDocs(document.Sample()))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	addr, err := c.servePage(ctx, links)
	if err != nil {
		t.Fatal(err)
	}
	return "http://" + addr
}

// highlight is what the browser shows of a page's cited span.
type highlight struct {
	// Text is the text of the focus marks; Start and End their character
	// offsets (data-start of the first, data-end of the last).
	Text       string
	Start, End int
	// Top and Bottom bound the marks on screen; HeaderBottom is the foot
	// of the sticky header, VH the viewport height.
	Top, Bottom, HeaderBottom, VH float64
	Others                        int
	ID                            bool
}

const highlightJS = `(() => {
	const ms = [...document.querySelectorAll("mark.f")];
	if (!ms.length) return {};
	const rs = ms.map(m => m.getBoundingClientRect());
	return {Text: ms.map(m => m.textContent).join(""), Start: +ms[0].dataset.start, End: +ms[ms.length-1].dataset.end,
		Top: Math.min(...rs.map(r => r.top)), Bottom: Math.max(...rs.map(r => r.bottom)),
		HeaderBottom: document.querySelector("header").getBoundingClientRect().bottom, VH: innerHeight,
		Others: document.querySelectorAll("mark.o").length, ID: ms[0].id === "c"};
})()`

// TestPageHighlightsEveryCitation opens, in Chromium, the page link `ask
// --json` gives for every citation of the seed set's extractive answers:
// the highlighted characters must be exactly the quote (by character
// offsets) and on screen without scrolling; a tampered link of each is
// refused with no document text. It saves a phone-sized screenshot under
// testdata/output/.
func TestPageHighlightsEveryCitation(t *testing.T) {
	ctx := pagetest.Browser(t, 5*time.Minute)
	dir := t.TempDir()
	local := startPage(t, dir)
	rows, err := eval.Load(filepath.Join("..", "..", "testdata", "eval", "seed_dev.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	docText := []rune(document.Sample().Text)
	body := document.Sample().Text[len(document.Sample().Text)/2:][:60] // some text no refusal may show
	cited, shot := 0, false
	for _, row := range rows {
		out, _, err := runCLI(t, nil, "", "ask", "--json", "--data-dir", dir, "--public-url", publicURL, row.Question)
		if err != nil {
			t.Fatalf("%s: ask: %v", row.ID, err)
		}
		var a plain.Answer
		if err := json.Unmarshal([]byte(out), &a); err != nil {
			t.Fatalf("%s: %v: %s", row.ID, err, out)
		}
		for _, c := range a.Citations {
			cited++
			u, ok := strings.CutPrefix(c.URL, publicURL+"/p/")
			if !ok {
				t.Fatalf("%s [%d]: url %q", row.ID, c.N, c.URL)
			}
			if err := chromedp.Do(ctx, chromedp.Navigate(local+"/p/"+u)); err != nil {
				t.Fatal(err)
			}
			h, err := chromedp.Run(ctx, chromedp.Evaluate[highlight](highlightJS))
			if err != nil {
				t.Fatal(err)
			}
			inText := 0 <= h.Start && h.Start <= h.End && h.End <= len(docText)
			if h.Text != c.Quote || h.Start != c.Start || h.End != c.End || !inText || string(docText[h.Start:h.End]) != c.Quote || !h.ID {
				t.Errorf("%s [%d]: highlighted %q at [%d,%d), want the quote %q at [%d,%d)", row.ID, c.N, h.Text, h.Start, h.End, c.Quote, c.Start, c.End)
			}
			fits := h.Bottom-h.Top <= h.VH-h.HeaderBottom
			if h.Top < h.HeaderBottom || (fits && h.Bottom > h.VH) || (!fits && h.Top > h.VH/2) {
				t.Errorf("%s [%d]: highlight at %.0f-%.0f px, not in the viewport below the header (%.0f-%.0f)", row.ID, c.N, h.Top, h.Bottom, h.HeaderBottom, h.VH)
			}
			if want := others(a, c); h.Others == 0 && want {
				t.Errorf("%s [%d]: the answer's other citations are not marked", row.ID, c.N)
			}
			if !shot && h.Others > 0 {
				shot = true
				saveScreenshot(t, ctx, "page-phone.png")
			}
			refused(t, local+"/p/"+tamper(strings.TrimSuffix(u, "#c")), body)
		}
	}
	if cited == 0 {
		t.Fatal("the seed set's answers cite nothing")
	}
	t.Logf("%d citations of %d answers opened and checked", cited, len(rows))

	// A tampered link in the browser: the refusal page, no document text.
	if err := chromedp.Do(ctx, chromedp.Navigate(local+"/p/"+tamper("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))); err != nil {
		t.Fatal(err)
	}
	if title, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.title + "|" + document.body.textContent`)); err != nil ||
		!strings.HasPrefix(title, "Link not valid|") || strings.Contains(title, body) {
		t.Errorf("tampered link shows %q, %v", title, err)
	}
}

// others reports whether another citation of a in c's document reaches
// outside c's span (and so must show as marked).
func others(a plain.Answer, c plain.Citation) bool {
	return slices.ContainsFunc(a.Citations, func(o plain.Citation) bool { return o.Doc == c.Doc && (o.Start < c.Start || o.End > c.End) })
}

// tamper changes one character in the middle of a token.
func tamper(token string) string {
	b := []byte(token)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// refused checks that url answers 403 without the document text body.
func refused(t *testing.T, url, body string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusForbidden || strings.Contains(string(b), body) {
		t.Errorf("tampered link: status %d, %d bytes", resp.StatusCode, len(b))
	}
}

// saveScreenshot saves the viewport as testdata/output/name (git-ignored).
func saveScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join("..", "..", "testdata", "output")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkPageRender measures the server side of opening a citation's
// page over the bundled sample: the link checked, the document adapted
// and its page rendered.
func BenchmarkPageRender(b *testing.B) {
	dir := b.TempDir()
	c, err := parse("serve", []string{"--data-dir", dir, "--public-url", publicURL}, func(string) string { return "" }, io.Discard, nil)
	if err != nil {
		b.Fatal(err)
	}
	links, err := c.pageLinks(fixedDocs(document.Sample()))
	if err != nil {
		b.Fatal(err)
	}
	out, _, err := runCLI(b, nil, "", "ask", "--json", "--data-dir", dir, "--public-url", publicURL, "长江十年禁渔有什么要求？")
	if err != nil {
		b.Fatal(err)
	}
	var a plain.Answer
	if err := json.Unmarshal([]byte(out), &a); err != nil || len(a.Citations) == 0 {
		b.Fatalf("%v: %s", err, out)
	}
	path := strings.TrimSuffix(strings.TrimPrefix(a.Citations[0].URL, publicURL), "#c")
	h := (&page.Server{Key: links.Key, Library: links.Library}).Handler()
	var size int
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
		size = w.Body.Len()
	}
	b.ReportMetric(float64(size), "page-bytes")
	b.ReportMetric(float64(size-len(document.Sample().Text)), "bytes-without-text")
}

// TestServeLinksCitationsToPages runs `citebot serve` with a public URL
// and a page listener against the fake Bot API: in a group a cited
// paragraph's button is a URL button whose page highlights the quote; in a
// private chat it is a Mini App button whose page opens only with initData
// signed with the bot's token for that user.
func TestServeLinksCitationsToPages(t *testing.T) {
	const token = "4343:PAGE-SECRET-TOKEN"
	f := telegramtest.New(t, telegramtest.Options{Token: token})
	t.Chdir(t.TempDir())
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	env := map[string]string{"TELEGRAM_BOT_TOKEN": token, "CITEBOT_RATE_PER_MINUTE": "0"}
	serveAt(t, f.URL(), env, "--public-url", publicURL, "--web-listen", addr)
	user := telegramtest.User{ID: 777, Lang: "zh-hans"}

	button := func(chat int64, u telegramtest.Update) (text, url, webApp string) {
		from := len(f.Requests())
		f.Push(u)
		waitText(t, f, from, chat, "十年禁渔")
		for _, r := range f.Requests()[from:] {
			if r.ChatID() != chat || r.Get("reply_markup") == "" || !strings.Contains(r.Text(), "十年禁渔") {
				continue
			}
			var kb struct {
				InlineKeyboard [][]struct {
					Text   string `json:"text"`
					URL    string `json:"url"`
					WebApp struct {
						URL string `json:"url"`
					} `json:"web_app"`
				} `json:"inline_keyboard"`
			}
			r.JSON(t, "reply_markup", &kb)
			b := kb.InlineKeyboard[0][0]
			return b.Text, b.URL, b.WebApp.URL
		}
		t.Fatalf("no answer with buttons in chat %d", chat)
		return
	}
	get := func(method, url string, form neturl.Values) (int, string) {
		var resp *http.Response
		var err error
		local := "http://" + addr + strings.TrimPrefix(url, publicURL)
		if method == "POST" {
			resp, err = http.PostForm(local, form)
		} else {
			resp, err = http.Get(local)
		}
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	focus := regexp.MustCompile(`<mark id="c" class="f"[^>]*>([^<]*)</mark>`)
	marked := func(body string) string {
		if m := focus.FindStringSubmatch(body); m != nil {
			return m[1]
		}
		return ""
	}

	const group = -1001234
	text, url, webApp := button(group, telegramtest.GroupMessage(group, user, "@"+telegramtest.BotUserName+" 长江十年禁渔有什么要求？"))
	if !strings.HasSuffix(text, "↗") || !strings.HasPrefix(url, publicURL+"/p/") || webApp != "" {
		t.Fatalf("group button %q %q %q: want a URL button to the page", text, url, webApp)
	}
	if status, body := get("GET", url, nil); status != 200 || !strings.Contains(marked(body), "十年禁渔") {
		t.Errorf("group link: status %d, page %.300s", status, body)
	}

	text, url, webApp = button(user.ID, telegramtest.PrivateMessage(user, "长江十年禁渔有什么要求？"))
	if !strings.HasSuffix(text, "↗") || url != "" || !strings.HasPrefix(webApp, publicURL+"/app/") {
		t.Fatalf("private button %q %q %q: want a Mini App button", text, url, webApp)
	}
	if status, body := get("GET", webApp, nil); status != 200 || strings.Contains(body, "十年禁渔") {
		t.Errorf("Mini App bootstrap: status %d, holds document text: %v", status, strings.Contains(body, "十年禁渔"))
	}
	signed := func(id int64, tok string) neturl.Values {
		return neturl.Values{"init": {page.SignInitData(neturl.Values{
			"auth_date": {strconv.FormatInt(time.Now().Unix(), 10)},
			"user":      {`{"id":` + strconv.FormatInt(id, 10) + `}`},
		}, tok)}}
	}
	if status, body := get("POST", webApp, signed(user.ID, token)); status != 200 || !strings.Contains(marked(body), "十年禁渔") {
		t.Errorf("Mini App with its user's initData: status %d, page %.300s", status, body)
	}
	for name, form := range map[string]neturl.Values{
		"another user":      signed(user.ID+1, token),
		"another bot token": signed(user.ID, "4343:ANOTHER-TOKEN"),
		"no initData":       {},
	} {
		if status, body := get("POST", webApp, form); status != 403 || strings.Contains(body, "十年禁渔") {
			t.Errorf("Mini App with %s: status %d", name, status)
		}
	}
}

// TestPageDocsCarriesOCR: the document page learns which documents were
// read by OCR, so that it can say so.
func TestPageDocsCarriesOCR(t *testing.T) {
	for _, ocr := range []bool{false, true} {
		t.Run(strconv.FormatBool(ocr), func(t *testing.T) {
			doc, err := document.Parse("scan.txt", []byte("Herons nest by the mill.\n"))
			if err != nil {
				t.Fatal(err)
			}
			doc.OCR = ocr
			d, ok := fixedDocs(doc).Document(0, "scan.txt")
			if !ok || d.OCR != ocr || len(d.Paragraphs) != 1 {
				t.Errorf("Document = %+v, %v; want OCR %v", d, ok, ocr)
			}
		})
	}
}

// fixedDocs is a page library over docs, for every chat.
func fixedDocs(docs ...*document.Document) page.Library {
	ix, _, err := retrieval.Build(context.Background(), docs, retrieval.Options{})
	if err != nil {
		panic(err)
	}
	return library.NewRetriever(ix)
}
