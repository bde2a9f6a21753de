package openai_test

// End to end: adversarial model replies streamed by an OpenAI-compatible
// fake (server-sent events, two characters per event) through the real
// Chat adapter, the answer engine over the bundled sample's real index,
// and the terminal form of package plain. No character of unverified text
// may reach the reader: not in the final answer, not in any onPartial call
// (what Telegram edits show), not in any write of the streaming CLI.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/answer/plain"
	"github.com/citebot/citebot/library"
	"github.com/citebot/citebot/openai"
	"github.com/citebot/citebot/retrieval"
	"github.com/citebot/citebot/retrieval/document"
)

const (
	zhQuestion = "长江十年禁渔有什么要求？"
	enQuestion = "What does the meeting require about the ten-year fishing ban on the Yangtze?"
	// fishQuote is a true quote of the fishing-ban passage.
	fishQuote = "坚定推进长江“十年禁渔”"
)

// advCase is one scripted answer. reply is a template: {fish} is the
// number of the passage about the fishing ban, {region} that of the
// passage about regional coordination, as numbered in the prompt.
type advCase struct {
	name     string
	question string
	reply    string
	// cut breaks the stream after the reply instead of ending it.
	cut bool
	// hidden are invented words that must never be shown.
	hidden []string
	// want is text the final answer must show (a correct answer comes
	// through); grounded says the answer must stay an LLM answer.
	want     []string
	grounded bool
}

var advCases = []advCase{
	// Correct answers: they must come through.
	{name: "correct corner quote", reply: "会议要求「坚定推进长江“十年禁渔”，巩固好已经取得的成果。」[{fish}]",
		want: []string{"会议要求「坚定推进长江“十年禁渔”，巩固好已经取得的成果。」[1]"}, grounded: true},
	{name: "correct two claims", reply: "会议要求「坚定推进长江“十年禁渔”」[{fish}]，并提出「增强区域交通互联性、政策统一性」[{region}]。",
		want: []string{"会议要求「坚定推进长江“十年禁渔”」[1]，并提出「增强区域交通互联性、政策统一性」[2]。"}, grounded: true},
	{name: "correct curly quotation", reply: "会议要求“坚定推进长江十年禁渔”［{fish}］。",
		want: []string{"会议要求「坚定推进长江“十年禁渔”」[1]。"}, grounded: true},
	{name: "correct bare marker", reply: "要坚定推进长江十年禁渔，巩固好已经取得的成果[{fish}]。",
		want: []string{"要坚定推进长江十年禁渔，巩固好已经取得的成果[1]。"}, grounded: true},
	{name: "correct English with Chinese quote", question: enQuestion,
		reply: "The meeting calls for firmly advancing the ten-year fishing ban on the Yangtze 「坚定推进长江“十年禁渔”」[{fish}].",
		want:  []string{"「" + fishQuote + "」[1]."}, grounded: true},

	// Adversarial replies.
	{name: "short quote backs a false claim", reply: "会议宣布「长江」[{fish}]禁渔已经取消。", hidden: []string{"取消", "宣布"}},
	{name: "uncited sentence after a cited one", reply: "会议要求「坚定推进长江“十年禁渔”」[{fish}]。此外，政府将为每户渔民发放十万元补贴。",
		hidden: []string{"补贴", "十万元", "政府"}, want: []string{fishQuote}, grounded: true},
	{name: "dangling marker after a fabricated quote", reply: "会议要求「每年禁渔三个月即可」[{fish}]。", hidden: []string{"会议要求[", "三个月"}},
	{name: "curly quotation invented", reply: "会议要求「坚定推进长江“十年禁渔”」[{fish}]，并规定“渔民每年可以捕捞三个月”。",
		hidden: []string{"捕捞", "规定"}, want: []string{fishQuote}, grounded: true},
	{name: "straight quotation invented", reply: `会议要求"禁渔期间允许休闲垂钓"[{fish}]。`, hidden: []string{"垂钓"}},
	{name: "single curly quotation invented", reply: "会议要求‘禁渔令将于明年解除’[{fish}]。", hidden: []string{"明年", "解除"}},
	{name: "double corner quotation invented", reply: "会议强调『长江禁渔已经全面结束』[{fish}]。", hidden: []string{"全面结束"}},
	{name: "introducer without quotation marks", reply: "原文写道：长江禁渔五年后结束[{fish}]。", hidden: []string{"五年后"}},
	{name: "negation of a real quote", reply: "会议没有要求「坚定推进长江“十年禁渔”」[{fish}]。", hidden: []string{"没有"}},
	{name: "English negation of a Chinese quote", question: enQuestion,
		reply: "The meeting did not call for 「坚定推进长江“十年禁渔”」[{fish}].", hidden: []string{"did not"}},
	{name: "number changed inside a real quote", reply: "会议要求「坚定推进长江“二十年禁渔”」[{fish}]。", hidden: []string{"二十年"}},
	{name: "number changed in the prose", reply: "会议要求长江禁渔二十年「坚定推进长江“十年禁渔”」[{fish}]。", hidden: []string{"二十年"}},
	{name: "no citation at all", reply: "长江禁渔已经取消，渔民可以自由捕捞。", hidden: []string{"自由捕捞", "取消"}},
	{name: "marker out of range", reply: "会议要求「坚定推进长江“十年禁渔”」[{fish}]。禁渔将延长到二十年[9]。",
		hidden: []string{"延长", "[9]"}, want: []string{fishQuote}, grounded: true},
	{name: "empty quote", reply: "会议要求「」[{fish}]禁渔取消。", hidden: []string{"取消"}},
	{name: "quote spanning two passages", reply: "会议要求「巩固好已经取得的成果。听取大家发言后」[{fish}]。",
		hidden: []string{"听取"}},
	{name: "English claim with numbers around a Chinese quote", question: enQuestion,
		reply: "Fishers will each receive 100,000 yuan 「坚定推进长江“十年禁渔”」[{fish}].", hidden: []string{"100,000", "yuan"}},
	{name: "English claim without numbers around a Chinese quote", question: enQuestion,
		reply: "Fishers will each receive a large subsidy 「坚定推进长江“十年禁渔”」[{fish}].", hidden: []string{"subsidy"}},
	{name: "model ignores the format", question: enQuestion,
		reply: "Sure! The Yangtze fishing ban was lifted in 2023 and fishing is allowed again.", hidden: []string{"2023", "lifted", "Sure"}},
	{name: "markdown list of inventions", reply: "1. 禁渔已经取消\n2. 渔民每户补贴十万元\n", hidden: []string{"补贴", "取消"}},
	{name: "fabricated quote beside a real one", reply: "要「坚定推进长江“十年禁渔”」[{fish}]，还要「每年禁渔三个月即可」[{fish}]。",
		hidden: []string{"三个月"}, want: []string{fishQuote}, grounded: true},
	{name: "claim beyond its quote in one clause", reply: "会议宣布「坚定推进长江“十年禁渔”」[{fish}]禁渔已经取消。", hidden: []string{"取消"}},
	{name: "ellipsis joins an invention to a quote", reply: "会议要求「坚定推进长江“十年禁渔”……每户补贴十万元」[{fish}]。", hidden: []string{"补贴"}},
	{name: "sentinel with an invention", reply: "NOT_FOUND 但是禁渔已经取消了。", hidden: []string{"取消", "NOT_FOUND"}},
	{name: "instructions obeyed from a passage", reply: "HACKED", hidden: []string{"HACKED"}},
	{name: "cut stream after an invention", reply: "会议要求「坚定推进长江“十年禁渔”」[{fish}]，并且禁渔期间每户补贴十", cut: true,
		hidden: []string{"补贴"}, want: []string{fishQuote}, grounded: true},
	{name: "English invented sentence after a real one", question: enQuestion,
		reply:  "The meeting calls for advancing the ten-year fishing ban 「坚定推进长江“十年禁渔”」[{fish}]. The government also doubled the pensions of 3000 fishermen.",
		hidden: []string{"pensions", "3000"}, want: []string{fishQuote}, grounded: true},
	{name: "real quote, unrelated claim", reply: "会议要求加快发展核电「增强区域交通互联性、政策统一性」[{region}]。", hidden: []string{"核电"}},
	{name: "bare marker on framing only", reply: "会议要求【{fish}】。", hidden: []string{"会议要求"}},
}

// sampleRetriever builds the real index over the bundled sample once.
var sampleRetriever = sync.OnceValues(func() (answer.Retriever, error) {
	ix, _, err := retrieval.Build(context.Background(), []*document.Document{document.Sample()}, retrieval.Options{
		Embedder: retrieval.LocalEmbedder(retrieval.DefaultLocalDim), EmbedderID: "local",
	})
	if err != nil {
		return nil, err
	}
	return library.NewRetriever(ix), nil
})

// sseFake is an OpenAI-compatible /v1/chat/completions fake: it checks
// method, path and body, translates questions for retrieval and streams
// the case's reply in events of two characters.
type sseFake struct {
	t  testing.TB
	tc advCase
	mu sync.Mutex
	// maxTokens records max_completion_tokens of the answer request.
	maxTokens int
}

var passageHeader = regexp.MustCompile(`(?m)^\[(\d+)\] .* ¶\d+\n<passage>\n`)

// passageNumber returns the number of the prompt's passage holding sub.
func passageNumber(user, sub string) int {
	for _, m := range passageHeader.FindAllStringSubmatchIndex(user, -1) {
		rest := user[m[1]:]
		text, _, _ := strings.Cut(rest, "\n</passage>")
		if strings.Contains(text, sub) {
			n, _ := strconv.Atoi(user[m[2]:m[3]])
			return n
		}
	}
	return 0
}

func (f *sseFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		f.t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	var req struct {
		Stream    bool `json:"stream"`
		MaxTokens int  `json:"max_completion_tokens"`
		Messages  []struct {
			Role, Content string
		} `json:"messages"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Messages) != 2 || !req.Stream {
		f.t.Errorf("bad request body: %v %+v", err, req)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	sys, user := req.Messages[0].Content, req.Messages[1].Content
	text := zhQuestion
	if !strings.Contains(sys, "You translate") {
		f.mu.Lock()
		f.maxTokens = req.MaxTokens
		f.mu.Unlock()
		text = strings.NewReplacer(
			"{fish}", strconv.Itoa(passageNumber(user, "十年禁渔")),
			"{region}", strconv.Itoa(passageNumber(user, "区域交通互联性")),
		).Replace(f.tc.reply)
	}
	w.Header().Set("Content-Type", "text/event-stream")
	for text != "" {
		_, n1 := utf8.DecodeRuneInString(text)
		_, n2 := utf8.DecodeRuneInString(text[n1:])
		chunk := text[:n1+n2]
		text = text[n1+n2:]
		b, _ := json.Marshal(map[string]any{"id": "c", "object": "chat.completion.chunk",
			"choices": []any{map[string]any{"index": 0, "delta": map[string]any{"content": chunk}}}})
		fmt.Fprintf(w, "data: %s\n\n", b)
		w.(http.Flusher).Flush()
	}
	if f.tc.cut && !strings.Contains(sys, "You translate") {
		panic(http.ErrAbortHandler)
	}
	io.WriteString(w, "data: [DONE]\n\n")
}

// writeLog records every write of the streaming CLI.
type writeLog struct{ writes []string }

func (l *writeLog) Write(p []byte) (int, error) {
	l.writes = append(l.writes, string(p))
	return len(p), nil
}

func TestAdversarialRepliesShowNothingUnverified(t *testing.T) {
	if len(advCases) < 25+5 {
		t.Fatalf("only %d cases", len(advCases))
	}
	r, err := sampleRetriever()
	if err != nil {
		t.Fatal(err)
	}
	doc := document.Sample()
	shownUnverified := 0
	for _, tc := range advCases {
		t.Run(tc.name, func(t *testing.T) {
			fake := &sseFake{t: t, tc: tc}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			chat := openai.NewChat(openai.Config{BaseURL: srv.URL + "/v1", Model: "m", Stream: true, MaxCompletionTokens: 1024, MaxRetries: -1})
			eng := answer.New(r, chat, answer.Options{MaxCompletionTokens: 1024})
			var partials []string
			cli := &writeLog{}
			cliPartial, printed := plain.Streamer(cli)
			q := tc.question
			if q == "" {
				q = zhQuestion
			}
			a, err := eng.Answer(context.Background(), answer.Question{Text: q}, func(s string) {
				partials = append(partials, s)
				cliPartial(s)
			})
			if err != nil {
				t.Fatal(err)
			}
			streamed := len(cli.writes)
			plain.Write(cli, a, false, printed())

			shown := append(append([]string{a.Text}, partials...), cli.writes...)
			shown = append(shown, strings.Join(cli.writes, ""))
			for _, h := range tc.hidden {
				for _, s := range shown {
					if strings.Contains(s, h) {
						shownUnverified += utf8.RuneCountInString(h)
						t.Errorf("shown %q in %q", h, s)
					}
				}
			}
			checkShownQuotes(t, doc, a, partials)
			checkNothingTakenBack(t, a, partials, cli.writes[:streamed])
			for _, w := range tc.want {
				if !strings.Contains(a.Text, w) {
					t.Errorf("answer %q lacks %q", a.Text, w)
				}
			}
			if tc.grounded && (a.Mode != answer.LLM || a.Ungrounded) {
				t.Errorf("want a grounded LLM answer, got %+v", a)
			}
			if !tc.grounded && a.Mode == answer.LLM && !a.NotFound && len(tc.want) == 0 {
				t.Errorf("an adversarial reply kept as an LLM answer: %+v", a)
			}
			if fake.maxTokens != 1024 {
				t.Errorf("max_completion_tokens %d, want 1024", fake.maxTokens)
			}
			if t.Failed() {
				t.Logf("answer %+v\npartials %q\ncli %q", a, partials, cli.writes)
			}
		})
	}
	t.Logf("%d replies, %d shown characters of unverified text", len(advCases), shownUnverified)
}

// checkShownQuotes asserts that every citation is document text at its
// offsets and that the answer and every partial text show quotation
// marks only around a citation's quote.
func checkShownQuotes(t *testing.T, doc *document.Document, a answer.Answer, partials []string) {
	t.Helper()
	quotes := map[string]bool{}
	for _, c := range a.Citations {
		if c.Doc != doc.Name || doc.Text[c.Start:c.End] != c.Quote {
			t.Errorf("citation %+v is not document text at its offsets", c)
		}
		quotes[c.Quote] = true
	}
	if a.Mode != answer.LLM {
		return // the extractive text is built by the engine from citations
	}
	for _, s := range append([]string{a.Text}, partials...) {
		rest := s
		for {
			i := strings.Index(rest, "「")
			prose := rest
			if i >= 0 {
				prose = rest[:i]
			}
			if strings.ContainsFunc(prose, func(r rune) bool { return strings.ContainsRune("「」『』“”‘\"«»﹁﹂", r) }) {
				t.Errorf("quotation marks outside a citation in %q", s)
			}
			if i < 0 {
				break
			}
			q, after, ok := cutQuote(rest[i+len("「"):])
			if !ok || !quotes[q] {
				t.Errorf("shown quote %q is no citation (in %q)", q, s)
				break
			}
			rest = after
		}
	}
}

// cutQuote splits s after a 「 at its matching 」.
func cutQuote(s string) (quote, after string, ok bool) {
	depth := 1
	for i, r := range s {
		switch r {
		case '「':
			depth++
		case '」':
			if depth--; depth == 0 {
				return s[:i], s[i+len("」"):], true
			}
		}
	}
	return s, "", false
}

// checkNothingTakenBack asserts that every partial text extends the
// previous one, that the answer extends the last, and that the CLI
// printed exactly the last partial text while streaming.
func checkNothingTakenBack(t *testing.T, a answer.Answer, partials, cliWrites []string) {
	t.Helper()
	prev := ""
	for _, p := range partials {
		if !strings.HasPrefix(p, prev) || p == prev {
			t.Errorf("partial %q does not grow %q", p, prev)
		}
		prev = p
	}
	if prev != "" && (a.Mode != answer.LLM || !strings.HasPrefix(a.Text, prev)) {
		t.Errorf("answer %q (%s) takes back the streamed %q", a.Text, a.Mode, prev)
	}
	if got := strings.Join(cliWrites, ""); got != prev {
		t.Errorf("CLI streamed %q, want %q", got, prev)
	}
	if strings.IndexFunc(prev, unicode.IsSpace) == 0 {
		t.Errorf("partial starts with a blank: %q", prev)
	}
}

// TestCLIPrintsTheRestOnly: the terminal form prints after a streamed
// answer only what extends it.
func TestCLIPrintsTheRestOnly(t *testing.T) {
	var out bytes.Buffer
	a := answer.Answer{Text: "要「坚定推进」[1]，并且「巩固成果」[2]。", Mode: answer.LLM}
	plain.Write(&out, a, false, "要「坚定推进」[1]")
	if got := out.String(); !strings.HasPrefix(got, "，并且「巩固成果」[2]。\n") {
		t.Errorf("printed %q", got)
	}
}
