package bot

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot/page/pagetest"
	"github.com/citebot/citebot/bot/telegramtest"
)

func TestParseSourceRef(t *testing.T) {
	one := []answer.DocInfo{{Name: "sample.txt"}}
	two := []answer.DocInfo{{Name: "report.pdf"}, {Name: "paper.pdf"}}
	tests := []struct {
		name    string
		args    string
		docs    []answer.DocInfo
		want    sourceRef
		problem srcProblem
	}{
		{"paragraph", "6", one, sourceRef{doc: "sample.txt", n: 6}, srcOK},
		{"pilcrow", "¶6", one, sourceRef{doc: "sample.txt", n: 6}, srcOK},
		{"page", "p3", one, sourceRef{doc: "sample.txt", page: 3, n: -1}, srcOK},
		{"page upper case", "P3", one, sourceRef{doc: "sample.txt", page: 3, n: -1}, srcOK},
		{"page with dot and space", "p. 3", one, sourceRef{doc: "sample.txt", page: 3, n: -1}, srcOK},
		{"page with dot", "p.3", one, sourceRef{doc: "sample.txt", page: 3, n: -1}, srcOK},
		{"page word", "page 12", one, sourceRef{doc: "sample.txt", page: 12, n: -1}, srcOK},
		{"page in Chinese", "第3页", one, sourceRef{doc: "sample.txt", page: 3, n: -1}, srcOK},
		{"page and paragraph", "p3 ¶2", one, sourceRef{doc: "sample.txt", page: 3, n: 2}, srcOK},
		{"page, comma, paragraph", "p. 3, ¶2", one, sourceRef{doc: "sample.txt", page: 3, n: 2}, srcOK},
		{"page and bare paragraph", "p3 2", one, sourceRef{doc: "sample.txt", page: 3, n: 2}, srcOK},
		{"page and paragraph in Chinese", "第3页第2段", one, sourceRef{doc: "sample.txt", page: 3, n: 2}, srcOK},
		{"document and page", "report.pdf p3", two, sourceRef{doc: "report.pdf", page: 3, n: -1}, srcOK},
		{"document prefix and page", "pap p. 4 ¶1", two, sourceRef{doc: "paper.pdf", page: 4, n: 1}, srcOK},
		{"document number and page", "1 p4", two, sourceRef{doc: "report.pdf", page: 4, n: -1}, srcOK},
		{"page of which document", "p3", two, sourceRef{}, srcWhichDoc},
		{"page 0", "p0", one, sourceRef{}, srcUsage},
		{"page without a number", "p", one, sourceRef{}, srcUsage},
		{"page number too long", "p12345678", one, sourceRef{}, srcUsage},
		{"page of no document", "p3", nil, sourceRef{}, srcNoDocuments},
		{"a word starting with p is a document", "paper 3", two, sourceRef{doc: "paper.pdf", n: 3}, srcOK},
		{"not a page", "pages", one, sourceRef{}, srcUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problem := parseSourceRef(tt.args, tt.docs)
			if got != tt.want || problem != tt.problem {
				t.Errorf("parseSourceRef(%q) = %+v, %d; want %+v, %d", tt.args, got, problem, tt.want, tt.problem)
			}
		})
	}
}

func FuzzParseSourceRef(f *testing.F) {
	for _, s := range []string{"p3", "p. 3, ¶2", "第3页第2段", "doc p3 2", "¶6", "a b 7", "p9999999 ¶9999999", "page\t1", "p 3\xff"} {
		f.Add(s, "doc.pdf")
	}
	f.Fuzz(func(t *testing.T, args, name string) {
		docs := []answer.DocInfo{{Name: "a.txt"}, {Name: name}}
		ref, problem := parseSourceRef(args, docs)
		if problem != srcOK {
			return
		}
		if ref.page < 0 || ref.page > maxSourceNumber || ref.n < -1 || ref.page == 0 && ref.n < 0 {
			t.Fatalf("parseSourceRef(%q) = %+v", args, ref)
		}
		if ref.doc != "a.txt" && ref.doc != name {
			t.Fatalf("parseSourceRef(%q) names %q, not a loaded document", args, ref.doc)
		}
	})
}

// pagedAnswerer is a fakeAnswerer whose document has pages: paragraph n
// starts on page pageOf[n]. It counts the paragraph lookups.
type pagedAnswerer struct {
	*fakeAnswerer
	pageOf  map[int]int
	pages   int
	lookups *int
}

func (a pagedAnswerer) Paragraph(doc string, n int) (answer.Passage, bool) {
	*a.lookups++
	p, ok := a.fakeAnswerer.Paragraph(doc, n)
	p.Page = a.pageOf[n]
	return p, ok
}

func (a pagedAnswerer) Documents() []answer.DocInfo {
	docs := a.fakeAnswerer.Documents()
	docs[0].Pages = a.pages
	return docs
}

// newPagedAnswerer returns a pagedAnswerer of sample.txt with pages 1-5:
// ¶1 on page 1, ¶2 and ¶3 on page 2, and ¶3 running on through pages 3-5.
func newPagedAnswerer() pagedAnswerer {
	return pagedAnswerer{newFakeAnswerer(), map[int]int{0: 1, 1: 1, 2: 2, 3: 2}, 5, new(int)}
}

func TestSourcePage(t *testing.T) {
	alice := telegramtest.User{ID: 7}
	paged := newPagedAnswerer()
	tests := []struct {
		name    string
		a       Answerer
		args    string
		want    []string
		wantNot []string
	}{
		{"a page", paged, "p2", []string{"<b>Page 2</b>", "¶2</b>", "The second paragraph, with &lt;tags&gt;", "¶3</b>", "第三段。"}, []string{"The first"}},
		{"the first page", paged, "p. 1", []string{"<b>Page 1</b>", "¶1</b>", "The first paragraph."}, []string{"second"}},
		{"a page no paragraph starts on", paged, "p4", []string{"<b>Page 4</b>", "¶3</b>", "第三段。"}, []string{"second"}},
		{"a paragraph by its number", paged, "p. 2 ¶3", []string{"¶3</b>", "第三段。"}, []string{"Page 2", "The second"}},
		{"a paragraph by its place on the page", paged, "p2 ¶1", []string{"¶2</b>", "The second paragraph"}, []string{"Page 2", "第三段"}},
		{"a paragraph not on the page", paged, "p1 ¶3", []string{"no such paragraph"}, nil},
		{"past the page's paragraphs", paged, "p2 ¶9", []string{"no such paragraph"}, nil},
		{"no such page", paged, "p9", []string{"There is no page 9"}, nil},
		{"a document without pages", newFakeAnswerer(), "p2", []string{"no page numbers"}, nil},
		{"a paragraph still by its number", paged, "3", []string{"¶3</b>", "第三段。"}, []string{"Page"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			b, _ := newTestBot(t, f, tt.a, nil)
			handle(t, b, telegramtest.PrivateMessage(alice, "/source "+tt.args))
			sent := f.Sent(alice.ID)
			if len(sent) != 1 {
				t.Fatalf("%d messages sent, want 1: %q", len(sent), textsOf(sent))
			}
			got := sent[0].Get("text")
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("reply lacks %q: %q", w, got)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(got, w) {
					t.Errorf("reply holds %q: %q", w, got)
				}
			}
		})
	}
}

// TestSourcePageOfALongDocument: a page of a document of 100,000
// paragraphs is found in a few lookups, not one per paragraph.
func TestSourcePageOfALongDocument(t *testing.T) {
	a := newPagedAnswerer()
	const paragraphs, perPage = 100_000, 4
	a.docs[0].Paragraphs, a.pages = paragraphs, paragraphs/perPage
	for n := 1; n <= paragraphs; n++ {
		a.pageOf[n] = (n-1)/perPage + 1
		a.paras["sample.txt"][n] = fmt.Sprintf("Paragraph %d.", n)
	}
	f := newFake(t)
	b, _ := newTestBot(t, f, a, nil)
	alice := telegramtest.User{ID: 7}
	handle(t, b, telegramtest.PrivateMessage(alice, "/source p20000"))
	sent := textsOf(f.Sent(alice.ID))
	if len(sent) != 1 || !strings.Contains(sent[0], "Paragraph 79997.") || !strings.Contains(sent[0], "Paragraph 80000.") || strings.Contains(sent[0], "Paragraph 80001.") || strings.Contains(sent[0], "Paragraph 79996.") {
		t.Errorf("page 20000 shown as %q, want ¶79997-80000", sent)
	}
	if *a.lookups > 60 {
		t.Errorf("%d paragraph lookups for one page", *a.lookups)
	}
}

// TestSourceRateLimited: /source counts against the user's button rate
// limit like a ¶ press; the refused one is told to wait.
func TestSourceRateLimited(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		b, _ := newTestBot(t, f, newFakeAnswerer(), func(c *Config, _ *Deps) { c.RatePerMinute, c.RateBurst = 1, 1 })
		alice, bob := telegramtest.User{ID: 7}, telegramtest.User{ID: 8}
		for range callbackRate + 1 {
			handle(t, b, telegramtest.PrivateMessage(alice, "/source 2"))
		}
		handle(t, b, telegramtest.PrivateMessage(bob, "/source 2"))
		sent := textsOf(f.Sent(alice.ID))
		if len(sent) != callbackRate+1 || strings.Contains(sent[callbackRate], "second paragraph") || !strings.Contains(sent[callbackRate], "Please wait") {
			t.Errorf("alice got %q: want %d paragraphs, then a wait", sent, callbackRate)
		}
		if sent := textsOf(f.Sent(bob.ID)); len(sent) != 1 || !strings.Contains(sent[0], "second paragraph") {
			t.Errorf("bob got %q", sent)
		}
	})
}

// hugeParagraph is a paragraph of about 15 MB with text to escape.
func hugeParagraph() string {
	return strings.Repeat("长江流域要坚持生态优先 <river> & basin. ", 15<<20/50)
}

// TestLongParagraphHeapBound: 8 users asking at once for a paragraph of 15
// MB, by /source or by a ¶ button, each get maxMessages messages marked
// as cut, and the heap rises by far less than a copy of the paragraph
// each.
func TestLongParagraphHeapBound(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's shadow memory swamps the heap bound; make test's second pass measures it")
	}
	const users, bound = 8, 100 << 20
	for _, how := range []string{"/source", "¶ button"} {
		t.Run(how, func(t *testing.T) {
			f := newFake(t)
			a := newFakeAnswerer()
			a.paras["sample.txt"][2] = hugeParagraph()
			b, _ := newTestBot(t, f, a, nil)
			peak := pagetest.HeapPeak(func() {
				var wg sync.WaitGroup
				for i := range users {
					u := telegramtest.User{ID: int64(100 + i)}
					upd := telegramtest.PrivateMessage(u, "/source 2")
					if how != "/source" {
						upd = telegramtest.Callback(fmt.Sprint("cb", i), sourceData("sample.txt", 2), u, telegramtest.BotMessage(5, u.ID, "private"))
					}
					wg.Go(func() { handle(t, b, upd) })
				}
				wg.Wait()
			})
			t.Logf("%d users' %s of a %d MB paragraph: heap peak +%d MB", users, how, len(a.paras["sample.txt"][2])>>20, peak>>20)
			if peak > bound {
				t.Errorf("heap rose by %d MB, want under %d MB", peak>>20, bound>>20)
			}
			for i := range users {
				sent := textsOf(f.Sent(int64(100 + i)))
				if len(sent) != maxMessages || !strings.HasSuffix(sent[maxMessages-1], "…") {
					t.Fatalf("user %d got %d messages, want %d, the last marked as cut", i, len(sent), maxMessages)
				}
				for _, s := range sent {
					if utf16Len(s) > maxMessageUnits {
						t.Errorf("a message of %d units", utf16Len(s))
					}
				}
			}
		})
	}
}

func TestCutForMessages(t *testing.T) {
	most := maxMessages*maxMessageUnits + 1
	for _, tt := range []struct {
		name, text string
		want       int // UTF-16 units
	}{
		{"short", "short", 5},
		{"at the limit", strings.Repeat("a", most), most},
		{"long", strings.Repeat("a", 2*most), most},
		{"long Chinese", strings.Repeat("长", 2*most), most},
		{"surrogate pairs are not cut", strings.Repeat("😀", most), most - 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := cutForMessages(tt.text)
			if utf16Len(got) != tt.want || !strings.HasPrefix(tt.text, got) {
				t.Errorf("cut to %d units, want %d", utf16Len(got), tt.want)
			}
		})
	}
}

// TestSplitMessagesLooksAtTheStartOnly: a very long HTML text is cut to
// maxMessages messages exactly as before, without tokenizing the rest.
func TestSplitMessagesLooksAtTheStartOnly(t *testing.T) {
	for _, tt := range []struct{ name, html string }{
		{"text", escapeHTML(strings.Repeat("长江流域要坚持生态优先 <river> & basin. ", 3000))},
		{"blockquote", "<b>¶2</b>\n<blockquote>" + escapeHTML(strings.Repeat("长江流域。", 20000)) + "</blockquote>"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := splitMessages(tt.html)
			all := splitHTML(tt.html, maxMessageUnits)
			if len(got) != maxMessages || len(all) <= maxMessages {
				t.Fatalf("%d messages of %d parts", len(got), len(all))
			}
			for i := range maxMessages - 1 {
				if got[i] != all[i] {
					t.Errorf("message %d differs from the whole text's split", i+1)
				}
			}
			if !strings.HasSuffix(got[maxMessages-1], "\n…") {
				t.Error("the last message is not marked as cut")
			}
		})
	}
}
