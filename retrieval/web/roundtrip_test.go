package web_test

import (
	"strings"
	"testing"

	"github.com/citebot/citebot/retrieval/document"
	"github.com/citebot/citebot/retrieval/web"
	"github.com/citebot/citebot/retrieval/web/webtest"
	"github.com/google/go-cmp/cmp"
)

// sampleParagraphs returns the bundled sample's title (its heading
// paragraph) and body paragraphs.
func sampleParagraphs(tb testing.TB) (string, []string) {
	tb.Helper()
	doc := document.Sample()
	var title string
	var body []string
	for _, p := range doc.Paragraphs {
		if p.Heading && title == "" && len(body) == 0 {
			title = p.Text(doc)
			continue
		}
		body = append(body, p.Text(doc))
	}
	if title == "" || len(body) < 10 {
		tb.Fatalf("the sample has title %q and %d paragraphs", title, len(body))
	}
	return title, body
}

const (
	sidebarText = "Sidebar text that is not the article"
	footerText  = "Copyright Webtest News footer"
)

// TestSampleRoundTrip makes a web page of the bundled sample with
// webtest, reads it back and compares the paragraphs, then rebuilds the
// text as retrieval/document does and compares its paragraphs too.
func TestSampleRoundTrip(t *testing.T) {
	title, body := sampleParagraphs(t)
	want := append([]string{"# " + title}, body...)
	got, err := web.HTML(webtest.Page(title, body, sidebarText, footerText))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, strings.Split(got, "\n\n")); diff != "" {
		t.Errorf("blocks mismatch (-want +got):\n%s", diff)
	}
	for _, hidden := range []string{sidebarText, footerText, webtest.MenuText, webtest.ScriptText} {
		if strings.Contains(got, hidden) {
			t.Errorf("the text holds %q", hidden)
		}
	}
	doc, err := document.Parse("sample.md", []byte(got))
	if err != nil {
		t.Fatalf("document.Parse: %v", err)
	}
	var paras []string
	for _, p := range doc.Paragraphs {
		s := p.Text(doc)
		if p.Heading {
			s = "# " + s
		}
		paras = append(paras, s)
	}
	if diff := cmp.Diff(want, paras); diff != "" {
		t.Errorf("rebuilt paragraphs mismatch (-want +got):\n%s", diff)
	}
}

// BenchmarkSample measures HTML on the bundled sample made a web page.
func BenchmarkSample(b *testing.B) {
	title, body := sampleParagraphs(b)
	page := webtest.Page(title, body, sidebarText, footerText)
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		if _, err := web.HTML(page); err != nil {
			b.Fatal(err)
		}
	}
}
