package page

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// pagedDocument is testDocument with pages: the title and ¶1 on page 1,
// the heading and ¶2 on page 2, ¶3 on page 4 (page 3 is inside ¶2).
func pagedDocument() Document {
	d := testDocument()
	for i, page := range []int{1, 1, 2, 2, 4} {
		d.Paragraphs[i].Page = page
	}
	return d
}

func TestRenderPageBreaks(t *testing.T) {
	tests := []struct {
		name     string
		doc      Document
		quote    string
		want     []string
		wantNot  []string
		breakIDs int
	}{
		{
			name:  "paged",
			doc:   pagedDocument(),
			quote: secretWords,
			want: []string{
				`<a href="#c">p. 4 ¶3</a>`,
				`<div class="pb" id="page-2" role="separator" aria-label="第 2 页">p. 2</div>` + "\n" + `<h2>Section two</h2>`,
				`<div class="pb" id="page-4" role="separator" aria-label="第 4 页">p. 4</div>` + "\n" + `<p id="p3"><a class="n" href="#p3">¶3</a>`,
				`<p id="p1"><a class="n" href="#p1">¶1</a>`,
			},
			wantNot:  []string{`id="page-1"`, `id="page-3"`},
			breakIDs: 2,
		},
		{
			name:     "unpaged",
			doc:      testDocument(),
			quote:    secretWords,
			want:     []string{`<a href="#c">¶3</a>`, `<p id="p3"><a class="n" href="#p3">¶3</a>`},
			breakIDs: 0,
		},
		{
			name: "English, starting on page 2",
			doc: Document{Name: "e.pdf", Text: "Only words here.", Paragraphs: []Paragraph{
				{N: 1, Start: 0, End: len("Only words here."), Page: 2},
			}},
			quote:    "words",
			want:     []string{`<a href="#c">p. 2 ¶1</a>`, `<div class="pb" id="page-2" role="separator" aria-label="Page 2">p. 2</div>`},
			breakIDs: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok := Token{Expires: testNow.Add(time.Hour), Doc: tc.doc.Name, Spans: []Span{span(t, tc.doc, tc.quote)}}
			var b bytes.Buffer
			if err := Render(&b, tc.doc, tok, "n", nil); err != nil {
				t.Fatal(err)
			}
			page := b.String()
			for _, w := range tc.want {
				if !strings.Contains(page, w) {
					t.Errorf("page lacks %s", w)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(page, w) {
					t.Errorf("page has %s", w)
				}
			}
			if n := strings.Count(page, `class="pb"`); n != tc.breakIDs {
				t.Errorf("page has %d page-break marks, want %d", n, tc.breakIDs)
			}
		})
	}
}

// TestRenderOCRNote: a document read by OCR gets a note, in the page's
// language, above its first paragraph; other documents get none.
func TestRenderOCRNote(t *testing.T) {
	english := Document{Name: "scan.pdf", Text: "Only words here.", Paragraphs: []Paragraph{
		{N: 1, Start: 0, End: len("Only words here."), Page: 1},
	}}
	tests := []struct {
		name, quote string
		doc         Document
		ocr         bool
		want        string
	}{
		{"English, read by OCR", "words", english, true,
			`<p class="ocr" id="ocr" role="note">Text read by OCR from page images; it may contain recognition errors.</p>`},
		{"Chinese, read by OCR", secretWords, testDocument(), true,
			`<p class="ocr" id="ocr" role="note">本文由文字识别（OCR）从页面图像读取，可能有识别错误。</p>`},
		{"English, a text layer", "words", english, false, ""},
		{"Chinese, a text file", secretWords, testDocument(), false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.doc.OCR = tc.ocr
			tok := Token{Expires: testNow.Add(time.Hour), Doc: tc.doc.Name, Spans: []Span{span(t, tc.doc, tc.quote)}}
			var b bytes.Buffer
			if err := Render(&b, tc.doc, tok, "n", nil); err != nil {
				t.Fatal(err)
			}
			page := b.String()
			if tc.want == "" {
				if strings.Contains(page, `class="ocr"`) {
					t.Errorf("page has an OCR note:\n%s", page)
				}
				return
			}
			if !strings.Contains(page, "<main>\n"+tc.want+"\n") {
				t.Errorf("page lacks %s first in <main>:\n%s", tc.want, page)
			}
		})
	}
}
