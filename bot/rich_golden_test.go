package bot_test

// The golden answers load the real retrieval index, which package bot
// itself never imports: this external test package wires it as cmd does.

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/bot/telegramtest"
	"github.com/citebot/citebot/eval"
	"github.com/citebot/citebot/library"
	"github.com/citebot/citebot/retrieval"
	"github.com/citebot/citebot/retrieval/document"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestSeedAnswersGolden renders the answers to seed_dev's questions about
// the bundled document both ways, HTML and rich, into golden files: every
// rich message passes the fake's checks, and its footnotes hold exactly
// the document's text at the citations' offsets.
func TestSeedAnswersGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the real index of the sample document")
	}
	doc := document.Sample()
	ix, _, err := retrieval.Build(context.Background(), []*document.Document{doc}, retrieval.Options{})
	if err != nil {
		t.Fatal(err)
	}
	eng := answer.New(library.NewRetriever(ix), nil, answer.Options{})
	rows, err := eval.Load(filepath.Join("..", "testdata", "eval", "seed_dev.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var htmlOut, richOut bytes.Buffer
	for _, row := range rows {
		a, err := eng.Answer(context.Background(), answer.Question{Text: row.Question}, nil)
		if err != nil {
			continue // blank questions
		}
		html, rich, err := bot.RenderBothWays(a, eng.Documents())
		if err != nil {
			t.Fatalf("%s: %v", row.ID, err)
		}
		fmt.Fprintf(&htmlOut, "### %s %s\n", row.ID, row.Question)
		fmt.Fprintf(&richOut, "### %s %s\n", row.ID, row.Question)
		for _, h := range html {
			fmt.Fprintf(&htmlOut, "%s\n---\n", h)
		}
		var notes []telegramtest.Footnote
		for _, r := range rich {
			m, err := telegramtest.ParseRichMessage(r)
			if err != nil {
				t.Errorf("%s: the fake refuses the rich message: %v\n%s", row.ID, err, r)
				continue
			}
			notes = append(notes, m.Footnotes...)
			var pretty bytes.Buffer
			_ = json.Indent(&pretty, []byte(r), "", "  ")
			fmt.Fprintf(&richOut, "%s\n---\n", pretty.String())
		}
		if len(notes) != len(a.Citations) {
			t.Errorf("%s: %d footnotes, %d citations", row.ID, len(notes), len(a.Citations))
			continue
		}
		for i, c := range sortedCitations(a.Citations) {
			if want := doc.Text[c.Start:c.End]; notes[i].Quote != want {
				t.Errorf("%s: footnote %d quotes %q, the document has %q", row.ID, i+1, notes[i].Quote, want)
			}
		}
	}
	golden(t, filepath.Join("testdata", "rich", "seed_dev.html.golden"), htmlOut.Bytes())
	golden(t, filepath.Join("testdata", "rich", "seed_dev.rich.golden"), richOut.Bytes())
}

// sortedCitations returns cs in the order of their numbers, as footnotes
// show them.
func sortedCitations(cs []answer.Citation) []answer.Citation {
	out := append([]answer.Citation(nil), cs...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].N < out[j-1].N; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// golden compares got with the file at path, or with -update writes it.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}
