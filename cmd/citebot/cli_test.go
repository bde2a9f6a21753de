package main

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/answer/plain"
	"github.com/citebot/citebot/eval"
	"github.com/citebot/citebot/library"
	"github.com/citebot/citebot/retrieval"
	"github.com/citebot/citebot/retrieval/document"
	"github.com/citebot/citebot/retrieval/text"
)

// runCLI runs citebot with no environment beyond env and a fresh user
// cache folder (see [withCache]).
func runCLI(t testing.TB, env map[string]string, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	env = withCache(t, env)
	getenv := func(k string) string { return env[k] }
	err = run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

// withCache returns env with the user cache folder's variables set to a
// fresh temporary folder unless env sets them, so that ask, search, chat
// and eval keep their index there and not in the user's cache.
func withCache(t testing.TB, env map[string]string) map[string]string {
	t.Helper()
	m := maps.Clone(env)
	if m == nil {
		m = map[string]string{}
	}
	dir := t.TempDir()
	for _, k := range []string{"XDG_CACHE_HOME", "HOME", "LocalAppData"} {
		if _, ok := m[k]; !ok {
			m[k] = dir
		}
	}
	return m
}

func TestAskFishingBanZeroConfig(t *testing.T) {
	t.Chdir(t.TempDir())
	out, _, err := runCLI(t, nil, "", "ask", "--json", "长江十年禁渔有什么要求？")
	if err != nil {
		t.Fatal(err)
	}
	var a plain.Answer
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if a.Mode != "extractive" || a.NotFound || len(a.Citations) == 0 {
		t.Fatalf("answer = %+v", a)
	}
	c := a.Citations[0]
	if !strings.Contains(c.Quote, "坚定推进长江“十年禁渔”") || c.Paragraph != 5 || c.Doc != document.SampleName {
		t.Fatalf("first citation = %+v", c)
	}
	src := []rune(document.Sample().Text)
	if got := string(src[c.Start:c.End]); got != c.Quote {
		t.Fatalf("text[%d:%d] = %q, quote %q", c.Start, c.End, got, c.Quote)
	}

	// The human-readable form shows the quote and the paragraph label.
	out, _, err = runCLI(t, nil, "", "ask", "长江十年禁渔有什么要求？")
	if err != nil || !strings.Contains(out, "¶5") || !strings.Contains(out, "十年禁渔") {
		t.Fatalf("ask = %q, %v", out, err)
	}
}

// TestAskJSONQuotesAreDocumentText checks, over every row of the shared
// question sets, that each quote `ask --json` prints equals the document
// text between its character offsets and lies within one sentence or two
// consecutive ones.
func TestAskJSONQuotesAreDocumentText(t *testing.T) {
	if testing.Short() {
		t.Skip("long property test")
	}
	sets := []struct {
		qa   string
		docs []string
	}{
		{"seed_dev.jsonl", nil},
		{"cmrc2018_trial.jsonl", []string{"cmrc2018_trial.txt"}},
		{"drcd_dev.jsonl", []string{"drcd_dev.txt"}},
	}
	dir := filepath.Join("..", "..", "testdata", "eval")
	for _, set := range sets {
		t.Run(set.qa, func(t *testing.T) {
			var paths []string
			for _, d := range set.docs {
				paths = append(paths, filepath.Join(dir, d))
			}
			docs, err := document.Load(paths)
			if err != nil {
				t.Fatal(err)
			}
			ix, _, err := retrieval.Build(context.Background(), docs, retrieval.Options{})
			if err != nil {
				t.Fatal(err)
			}
			eng := answer.New(library.NewRetriever(ix), nil, answer.Options{})
			runes := map[string][]rune{}
			sentences := map[string][]text.Span{}
			for _, d := range ix.Documents() {
				runes[d.Name] = []rune(d.Text)
				sentences[d.Name] = text.Sentences(d.Text)
			}
			rows, err := eval.Load(filepath.Join(dir, set.qa))
			if err != nil {
				t.Fatal(err)
			}
			quotes := 0
			for _, row := range rows {
				a, err := eng.Answer(context.Background(), answer.Question{Text: row.Question}, nil)
				if err != nil {
					continue // the sets hold two blank questions
				}
				b, err := json.Marshal(plain.JSON(a, ix.Documents()))
				if err != nil {
					t.Fatal(err)
				}
				var got plain.Answer
				if err := json.Unmarshal(b, &got); err != nil {
					t.Fatal(err)
				}
				for i, c := range got.Citations {
					quotes++
					r := runes[c.Doc]
					if c.Start < 0 || c.End > len(r) || c.Start >= c.End || string(r[c.Start:c.End]) != c.Quote {
						t.Fatalf("%s: citation %d %+v is not the document text at its offsets", row.ID, i, c)
					}
					bs := a.Citations[i].Start
					be := a.Citations[i].End
					if !withinTwoSentences(sentences[c.Doc], bs, be) {
						t.Fatalf("%s: quote %q spans more than two sentences", row.ID, c.Quote)
					}
				}
			}
			if quotes == 0 {
				t.Fatal("no quotes checked")
			}
			t.Logf("%d rows, %d quotes checked", len(rows), quotes)
		})
	}
}

// withinTwoSentences reports whether [start, end) lies within one sentence
// or two consecutive ones (an extractive quote read with the sentence
// before or after it, see answer/compose.go).
func withinTwoSentences(spans []text.Span, start, end int) bool {
	for i, s := range spans {
		if s.Start <= start && start < s.End {
			return end <= s.End || (i+1 < len(spans) && end <= spans[i+1].End)
		}
	}
	return false
}

func TestChatFollowUps(t *testing.T) {
	t.Chdir(t.TempDir())
	in := "长江十年禁渔有什么要求？\n还有什么具体要求？\n那能源方面呢？\n"
	out, errOut, err := runCLI(t, nil, in, "chat")
	if err != nil {
		t.Fatal(err)
	}
	// The banner and prompts go to stderr, the answers to stdout, each
	// opening with the lead-in.
	if n := strings.Count(errOut, "> "); n != 4 || !strings.Contains(errOut, "Ask a question") {
		t.Fatalf("chat stderr has %d prompts:\n%s", n, errOut)
	}
	turns := strings.Split(out, "文档中的相关原文：")
	// turns[0] is empty, then one chunk per question.
	if len(turns) != 4 || strings.TrimSpace(turns[0]) != "" {
		t.Fatalf("chat output:\n%s", out)
	}
	if !strings.Contains(turns[1], "¶5") || !strings.Contains(turns[2], "¶5") {
		t.Fatalf("the fishing-ban follow-up left ¶5:\n%s\n---\n%s", turns[1], turns[2])
	}
	if !strings.Contains(turns[3], "¶9") || !strings.Contains(turns[3], "能源") {
		t.Fatalf("the energy follow-up did not find ¶9:\n%s", turns[3])
	}
}

func TestBadInputOneClearLine(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.txt")
	os.WriteFile(empty, nil, 0o644)
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("good\xff\xfe text"), 0o644)
	nodocs := filepath.Join(dir, "nodocs")
	os.Mkdir(nodocs, 0o755)
	os.WriteFile(filepath.Join(nodocs, "image.png"), []byte{0x89, 'P', 'N', 'G'}, 0o644)
	tests := []struct {
		name, doc, want string
	}{
		{"missing path", filepath.Join(dir, "nope.txt"), "nope.txt"},
		{"directory with no documents", nodocs, "nodocs"},
		{"invalid UTF-8", bad, "bad.txt"},
		{"empty file", empty, "empty.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			for _, cmd := range []string{"index", "ask"} {
				args := []string{cmd, "--doc", tt.doc}
				if cmd == "ask" {
					args = append(args, "问题")
				}
				_, _, err := runCLI(t, nil, "", args...)
				if err == nil {
					t.Fatalf("%s: no error", cmd)
				}
				msg := err.Error()
				if strings.Contains(msg, "\n") || !strings.Contains(msg, tt.want) {
					t.Fatalf("%s: error %q is not one line naming %s", cmd, msg, tt.want)
				}
			}
		})
	}
}

func TestIndexReusesEmbeddings(t *testing.T) {
	t.Chdir(t.TempDir())
	out, _, err := runCLI(t, nil, "", "index")
	if err != nil || !strings.Contains(out, "reused:     no") || !strings.Contains(out, "paragraphs: 14") {
		t.Fatalf("first index: %v\n%s", err, out)
	}
	out, _, err = runCLI(t, nil, "", "index")
	if err != nil || !strings.Contains(out, "reused:     yes, 0 embedding calls") {
		t.Fatalf("second index: %v\n%s", err, out)
	}
}

func TestSearchJSON(t *testing.T) {
	t.Chdir(t.TempDir())
	out, _, err := runCLI(t, nil, "", "search", "--json", "--k", "3", "耕地保护有什么要求？")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Question string `json:"question"`
		Hits     []struct {
			Rank      int      `json:"rank"`
			Doc       string   `json:"doc"`
			Paragraph int      `json:"paragraph"`
			Text      string   `json:"text"`
			Score     float64  `json:"score"`
			Sources   []string `json:"sources"`
		} `json:"hits"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got.Question != "耕地保护有什么要求？" || len(got.Hits) != 3 || got.Hits[0].Rank != 1 || got.Hits[0].Paragraph != 9 || len(got.Hits[0].Sources) == 0 || !utf8.ValidString(got.Hits[0].Text) {
		t.Fatalf("search = %+v", got)
	}
}

func TestEvalJSON(t *testing.T) {
	qa, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "eval", "seed_dev.jsonl"))
	t.Chdir(t.TempDir())
	out, _, err := runCLI(t, nil, "", "eval", "--json", "--qa", qa, "--per-question", "per.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if per, err := os.ReadFile("per.jsonl"); err != nil || strings.Count(string(per), "\n") != 46 || !strings.Contains(string(per), `"id":"d01"`) {
		t.Errorf("--per-question file: %v\n%s", err, per)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, k := range []string{"questions", "answerable", "passages", "recall@1", "recall@3", "recall@5", "recall@10", "mrr@10", "index_ms", "query_ms_p50", "query_ms_p95", "quote_hit@1", "abstain_rate", "false_abstain_rate", "quote_chars_mean", "quote_hit@any", "whole_sentence_rate", "by_kind"} {
		if _, ok := got[k]; !ok {
			t.Errorf("eval --json lacks %q", k)
		}
	}
	if got["questions"].(float64) != 46 || got["answerable"].(float64) != 37 {
		t.Fatalf("eval = %s", out)
	}
	zh := got["by_kind"].(map[string]any)["zh-lexical"].(map[string]any)
	if zh["recall@3"].(float64) != 1 {
		t.Fatalf("zh-lexical recall@3 = %v", zh["recall@3"])
	}
	if got["by_kind"].(map[string]any)["zh-unanswerable"].(map[string]any)["abstain_rate"].(float64) != 1 {
		t.Fatalf("an unanswerable row did not abstain: %s", out)
	}
}

func TestConfigCommandRedacts(t *testing.T) {
	env := map[string]string{"TELEGRAM_BOT_TOKEN": "42:VERY-SECRET", "OPENAI_API_KEY": "sk-VERY-SECRET"}
	out, _, err := runCLI(t, env, "", "config", "--top-k", "9")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "VERY-SECRET") || strings.Contains(out, "REDACTED") || !strings.Contains(out, "top_k: 9") ||
		!strings.Contains(out, "# openai_api_key: a secret, never written here (set, from OPENAI_API_KEY); set it in the environment: OPENAI_API_KEY\n") {
		t.Fatalf("config output:\n%s", out)
	}
}

func TestUsageErrors(t *testing.T) {
	if _, _, err := runCLI(t, nil, ""); err == nil {
		t.Fatal("no command accepted")
	}
	if _, _, err := runCLI(t, nil, "", "frobnicate"); err == nil {
		t.Fatal("unknown command accepted")
	}
	_, _, err := runCLI(t, nil, "", "serve")
	if err == nil || !strings.Contains(err.Error(), "TELEGRAM_BOT_TOKEN") {
		t.Fatalf("serve without token: %v", err)
	}
	_, _, err = runCLI(t, map[string]string{"CITEBOT_TOP_K": "lots"}, "", "ask", "q")
	if err == nil || !strings.Contains(err.Error(), "CITEBOT_TOP_K") {
		t.Fatalf("bad env: %v", err)
	}
}
