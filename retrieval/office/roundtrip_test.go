package office_test

import (
	"strings"
	"testing"

	"github.com/citebot/citebot/retrieval/document"
	"github.com/citebot/citebot/retrieval/office"
	"github.com/citebot/citebot/retrieval/office/officetest"
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
		switch {
		case p.Heading && title == "" && len(body) == 0:
			title = p.Text(doc)
		case p.Heading:
			tb.Fatalf("the sample has a second heading %q", p.Text(doc))
		default:
			body = append(body, p.Text(doc))
		}
	}
	if title == "" || len(body) < 10 {
		tb.Fatalf("the sample has title %q and %d paragraphs", title, len(body))
	}
	return title, body
}

// blocksOf splits reader output into its blocks.
func blocksOf(text string) []string { return strings.Split(text, "\n\n") }

// TestSampleRoundTrip converts the bundled sample into each format with
// officetest, reads it back and compares the paragraphs, then rebuilds
// the text as retrieval/document does and compares its paragraphs too.
func TestSampleRoundTrip(t *testing.T) {
	title, body := sampleParagraphs(t)
	want := append([]string{"# " + title}, body...)
	half := len(body) / 2
	cases := []struct {
		name string
		read func([]byte) (string, error)
		file []byte
	}{
		{"docx", office.DOCX, officetest.DOCX(title, body)},
		{"odt", office.ODT, officetest.ODT(title, body)},
		{"epub", office.EPUB, officetest.EPUB(title, [][]string{body[:half], body[half:]})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.read(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, blocksOf(got)); diff != "" {
				t.Errorf("blocks mismatch (-want +got):\n%s", diff)
			}
			for _, hidden := range []string{officetest.HeaderText, officetest.FooterText, officetest.FootnoteText, officetest.NavText} {
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
		})
	}
}

// BenchmarkSample measures each reader on the bundled sample converted.
func BenchmarkSample(b *testing.B) {
	title, body := sampleParagraphs(b)
	half := len(body) / 2
	cases := []struct {
		name string
		read func([]byte) (string, error)
		file []byte
	}{
		{"docx", office.DOCX, officetest.DOCX(title, body)},
		{"odt", office.ODT, officetest.ODT(title, body)},
		{"epub", office.EPUB, officetest.EPUB(title, [][]string{body[:half], body[half:]})},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.file)))
			for b.Loop() {
				if _, err := tc.read(tc.file); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
