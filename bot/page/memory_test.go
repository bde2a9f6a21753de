package page

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/citebot/citebot/bot/page/pagetest"
)

// bigDocument returns a document of about size bytes in paragraphs of
// about paraBytes (one paragraph when paraBytes >= size), mixing Chinese,
// Latin words and characters that need escaping.
func bigDocument(size, paraBytes int) Document {
	const unit = "长江流域要坚持生态优先、绿色发展 <river> & \"basin\" protection. "
	var sb strings.Builder
	sb.Grow(size + paraBytes)
	d := Document{Name: "big.txt"}
	n := 0
	for sb.Len() < size {
		start := sb.Len()
		for sb.Len()-start < paraBytes && sb.Len() < size {
			sb.WriteString(unit)
		}
		n++
		d.Paragraphs = append(d.Paragraphs, Paragraph{N: n, Start: start, End: sb.Len()})
		sb.WriteString("\n\n")
	}
	d.Text = sb.String()
	return d
}

// copyingLibrary hands out a fresh paragraph slice on every call, as the
// adapter over the live document set does.
type copyingLibrary struct{ d Document }

func (l copyingLibrary) Document(_ int64, name string) (Document, bool) {
	if name != l.d.Name {
		return Document{}, false
	}
	d := l.d
	d.Paragraphs = slices.Clone(d.Paragraphs)
	return d, true
}

// TestConcurrentPagesHeapBound: 40 concurrent fetches of a 15 MB document's
// page, in short paragraphs and as one paragraph, raise the heap by far
// less than one copy of the page per request.
func TestConcurrentPagesHeapBound(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("renders 600 MB of pages; measured without -short and -race (make test's second pass)")
	}
	const size, fetches, bound = 15 << 20, 40, 150 << 20
	for _, tt := range []struct {
		name      string
		paraBytes int
	}{
		{"paragraphs of 1 KB", 1 << 10},
		{"one paragraph", size},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := bigDocument(size, tt.paraBytes)
			s := testServer(copyingLibrary{d})
			s.Now = nil
			s.RenderWait = time.Minute
			srv := httptest.NewServer(s.Handler())
			defer srv.Close()
			p := d.Paragraphs[len(d.Paragraphs)/2]
			tok := Token{Kind: Browser, Expires: time.Now().Add(time.Hour), Doc: d.Name, Version: s.versions.of(d),
				Spans: []Span{{p.Start, p.Start + 30}}}
			url := srv.URL + "/p/" + tok.sign(testKey)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: fetches}}
			var mu sync.Mutex
			var failures []string
			peak := pagetest.HeapPeak(func() {
				var wg sync.WaitGroup
				for range fetches {
					wg.Go(func() {
						n, status, err := fetch(client, url)
						if err != nil || status != 200 || n < int64(size) {
							mu.Lock()
							failures = append(failures, fmt.Sprintf("status %d, %d bytes, %v", status, n, err))
							mu.Unlock()
						}
					})
				}
				wg.Wait()
			})
			if len(failures) > 0 {
				t.Fatalf("%d of %d fetches failed: %q", len(failures), fetches, failures[0])
			}
			t.Logf("%d concurrent fetches of a %d MB page: heap peak +%d MB", fetches, size>>20, peak>>20)
			if peak > bound {
				t.Errorf("heap rose by %d MB, want under %d MB", peak>>20, bound>>20)
			}
		})
	}
}

// fetch reads url's body to the end, returning its length and status.
func fetch(c *http.Client, url string) (int64, int, error) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	return n, resp.StatusCode, err
}

// TestRenderLongParagraph: a paragraph longer than one piece is shown
// whole and unchanged, cut between characters.
func TestRenderLongParagraph(t *testing.T) {
	d := bigDocument(5*maxPieceBytes+7, 10*maxPieceBytes)
	p := d.Paragraphs[0]
	tok := Token{Expires: testNow.Add(time.Hour), Doc: d.Name, Spans: []Span{{p.Start + 3, p.Start + 33}}}
	var b strings.Builder
	if err := Render(&b, d, tok, "n", nil); err != nil {
		t.Fatal(err)
	}
	got := html.UnescapeString(b.String())
	if !utf8.ValidString(b.String()) {
		t.Error("the page is not valid UTF-8: a piece was cut inside a character")
	}
	if !strings.Contains(got, d.Text[p.Start+33:p.End]) {
		t.Error("the paragraph's text after the mark is not shown whole")
	}
	for _, pc := range pieces(d.Text, p, tok.Spans, tok.Spans[0], &runeCounter{text: d.Text}) {
		if len(pc.Text) > maxPieceBytes {
			t.Errorf("a piece of %d bytes, want at most %d", len(pc.Text), maxPieceBytes)
		}
	}
}

// blockingLibrary holds each Document call until release is closed.
type blockingLibrary struct {
	d       Document
	entered chan struct{}
	release chan struct{}
}

func (l blockingLibrary) Document(_ int64, name string) (Document, bool) {
	l.entered <- struct{}{}
	<-l.release
	return l.d, name == l.d.Name
}

// TestRendersBounded: past MaxRenders pages at once, a request waits for a
// slot at most RenderWait and is then answered 503 with a Retry-After and
// no document text; the pages being rendered are served.
func TestRendersBounded(t *testing.T) {
	d := testDocument()
	lib := blockingLibrary{d: d, entered: make(chan struct{}, 4), release: make(chan struct{})}
	s := testServer(lib)
	s.MaxRenders, s.RenderWait = 2, 50*time.Millisecond
	h := s.Handler()
	path := "/p/" + Token{Kind: Browser, Expires: testNow.Add(time.Hour), Doc: d.Name, Version: s.versions.of(d),
		Spans: []Span{span(t, d, "结束")}}.sign(testKey)
	codes := make(chan int, 2)
	for range 2 {
		go func() { codes <- get(h, "GET", path, nil).Code }()
	}
	<-lib.entered
	<-lib.entered
	w := get(h, "GET", path, nil)
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" || strings.Contains(w.Body.String(), secretWords) {
		t.Errorf("third render at once: status %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
	// A request whose client leaves while it waits gets no render.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := httptest.NewRequest("GET", path, nil).WithContext(ctx)
	s.RenderWait = time.Hour
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("request gone while waiting: status %d", rec.Code)
	}
	close(lib.release)
	for range 2 {
		if c := <-codes; c != 200 {
			t.Errorf("render in a slot: status %d", c)
		}
	}
	go func() { <-lib.entered }()
	if w := get(h, "GET", path, nil); w.Code != 200 || !strings.Contains(w.Body.String(), secretWords) {
		t.Errorf("after the slots freed: status %d", w.Code)
	}
}
