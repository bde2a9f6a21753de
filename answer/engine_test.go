package answer

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/citebot/citebot/retrieval"
	"github.com/citebot/citebot/retrieval/document"
)

// sampleEngine returns an extractive engine over the bundled sample
// document with the real retrieval index.
func sampleEngine(tb testing.TB, m ChatModel, opts Options) (*Engine, Retriever) {
	tb.Helper()
	_, r := realRetriever(tb, evalSets[0])
	return New(r, m, opts), r
}

func TestExtractiveFishingBan(t *testing.T) {
	e, _ := sampleEngine(t, nil, Options{})
	a, err := e.Answer(context.Background(), Question{Text: "长江十年禁渔有什么要求？"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.NotFound || len(a.Citations) == 0 {
		t.Fatalf("no answer: %+v", a)
	}
	c := a.Citations[0]
	if !strings.Contains(c.Quote, "坚定推进长江“十年禁渔”") || c.Paragraph != 5 {
		t.Errorf("first citation = ¶%d %q, want ¶5 containing 坚定推进长江“十年禁渔”", c.Paragraph, c.Quote)
	}
	if !strings.HasPrefix(a.Text, "文档中的相关原文：\n「") || !strings.Contains(a.Text, "」[1]") {
		t.Errorf("text %q lacks the lead-in or the marked quote", a.Text)
	}
	if a.Mode != Extractive || a.Lang != "zh" {
		t.Errorf("mode %q lang %q", a.Mode, a.Lang)
	}
	t.Logf("%s", a.Text)
}

func TestExtractiveAbstains(t *testing.T) {
	e, _ := sampleEngine(t, nil, Options{})
	tests := []struct {
		name, q, text string
	}{
		{"unanswerable", "这次座谈会开了几天？", "文档中没有找到相关内容。"},
		{"off topic", "火星探测器什么时候发射？", "文档中没有找到相关内容。"},
		{"missing acronym", "长江经济带的GDP总量是多少？", "文档中没有找到相关内容。"},
		{"missing place", "座谈会上谁代表湖北省发言？", "文档中没有找到相关内容。"},
		{"no year in the document", "十年禁渔是从哪一年开始的？", "文档中没有找到相关内容。"},
		{"no amount in the unit", "中央为长江经济带安排了多少亿元投资？", "文档中没有找到相关内容。"},
		{"english acronym", "What is the GDP of the Yangtze River Economic Belt?", "The document does not say."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := e.Answer(context.Background(), Question{Text: tt.q}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !a.NotFound || a.Text != tt.text || len(a.Citations) != 0 {
				t.Errorf("answer %+v, want NotFound with %q", a, tt.text)
			}
			if a.Notice != "" && strings.Contains(a.Notice, "¶") {
				// A close passage is offered: it comes first in Related.
				if len(a.Related) == 0 || !strings.Contains(a.Notice, fmt.Sprintf("¶%d", a.Related[0].Paragraph)) {
					t.Errorf("notice %q does not name the first related passage %+v", a.Notice, a.Related)
				}
			}
			t.Logf("%s -> %s %s", tt.q, a.Text, a.Notice)
		})
	}
}

func TestExtractiveFollowUps(t *testing.T) {
	e, _ := sampleEngine(t, nil, Options{})
	ctx := context.Background()
	var history []Turn
	ask := func(q string) Answer {
		t.Helper()
		a, err := e.Answer(ctx, Question{Text: q, History: history}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if a.NotFound || len(a.Citations) == 0 {
			t.Fatalf("%s: no answer (standalone %q)", q, a.Standalone)
		}
		history = append(history, Turn{Question: q, Answer: a.Text})
		t.Logf("%s -> %s\n%s", q, a.Standalone, a.Text)
		return a
	}
	first := ask("长江十年禁渔有什么要求？")
	more := ask("还有什么具体要求？")
	if c := more.Citations[0]; c.Paragraph != 5 {
		t.Errorf("follow-up left the fishing-ban paragraph: ¶%d %q", c.Paragraph, c.Quote)
	}
	if more.Citations[0].Quote == first.Citations[0].Quote {
		t.Errorf("follow-up repeats the first quote %q", first.Citations[0].Quote)
	}
	energy := ask("那能源方面呢？")
	c := energy.Citations[0]
	if c.Paragraph != 9 {
		t.Errorf("energy follow-up cites ¶%d %q, want ¶9", c.Paragraph, c.Quote)
	}
	if !strings.Contains(c.Quote, "能源") {
		t.Errorf("energy follow-up quote %q does not mention 能源", c.Quote)
	}
}

// TestOtherLanguageNotice: the suggestion to ask in the documents'
// language comes only when the question's words did not translate and no
// document is in its language.
func TestOtherLanguageNotice(t *testing.T) {
	e, _ := sampleEngine(t, nil, Options{})
	for _, tc := range []struct {
		q    string
		want bool
	}{
		{"Who won the football match yesterday?", true},
		{"What is the GDP of the Yangtze River Economic Belt?", false}, // it translated: simply unanswered
		{"这次座谈会开了几天？", false},                                          // the documents' language
	} {
		a, err := e.Answer(context.Background(), Question{Text: tc.q}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(a.Notice, "language"); got != tc.want || !a.NotFound {
			t.Errorf("%q: notice %q (not found %v), want the suggestion %v", tc.q, a.Notice, a.NotFound, tc.want)
		}
	}
	// With an English document beside the Chinese sample, an English
	// question it cannot answer gets no suggestion to ask in Chinese.
	docs := []*document.Document{document.Sample()}
	en, err := document.Parse("harbor.txt", []byte("The harbor office opens at seven in the morning.\n\nFishing is forbidden in the inner basin.\n"))
	if err != nil {
		t.Fatal(err)
	}
	ix, _, err := retrieval.Build(context.Background(), append(docs, en), retrieval.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mixed := New(indexRetriever{ix: ix, docs: docMap(append(docs, en))}, nil, Options{})
	a, err := mixed.Answer(context.Background(), Question{Text: "Who won the football match yesterday?"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !a.NotFound || strings.Contains(a.Notice, "language") {
		t.Errorf("mixed library: %+v, want not found without the suggestion", a)
	}
}

// TestTitleLeadsOnlyWhenAsked: the title answers a question about what
// the document is; a question asking where does not start with it.
func TestTitleLeadsOnlyWhenAsked(t *testing.T) {
	e, _ := sampleEngine(t, nil, Options{})
	for _, tc := range []struct {
		q         string
		wantTitle bool
	}{
		{"这次座谈会的名称是什么？", true},
		{"座谈会在哪里召开的？", false},
	} {
		a, err := e.Answer(context.Background(), Question{Text: tc.q}, nil)
		if err != nil || len(a.Citations) == 0 {
			t.Fatalf("%q: %+v, %v", tc.q, a, err)
		}
		if got := a.Citations[0].Paragraph == 0; got != tc.wantTitle {
			t.Errorf("%q: first quote ¶%d, want the title %v", tc.q, a.Citations[0].Paragraph, tc.wantTitle)
		}
	}
}

// TestRepliesInQuestionScript: a question in Traditional characters gets
// the lead-in and the "not found" in Traditional; the quotes stay the
// document's own characters.
func TestRepliesInQuestionScript(t *testing.T) {
	e, _ := sampleEngine(t, nil, Options{})
	a, err := e.Answer(context.Background(), Question{Text: "長江十年禁漁有什麼要求？"}, nil)
	if err != nil || len(a.Citations) == 0 {
		t.Fatalf("%+v, %v", a, err)
	}
	if a.Lead != "文件中的相關原文：" || !strings.HasPrefix(a.Text, "文件中的相關原文：") || !strings.Contains(a.Citations[0].Quote, "禁渔") {
		t.Errorf("lead %q, text %q, quote %q", a.Lead, a.Text, a.Citations[0].Quote)
	}
	nf, err := e.Answer(context.Background(), Question{Text: "火星探測器什麼時候發射？"}, nil)
	if err != nil || !nf.NotFound || nf.Text != "文件中沒有找到相關內容。" {
		t.Errorf("not found in Traditional: %+v, %v", nf, err)
	}
	s, err := e.Answer(context.Background(), Question{Text: "长江十年禁渔有什么要求？"}, nil)
	if err != nil || s.Lead != "文档中的相关原文：" {
		t.Errorf("a Simplified question got %q, %v", s.Lead, err)
	}
}
