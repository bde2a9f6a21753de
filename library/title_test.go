package library

import (
	"context"
	"testing"

	"github.com/citebot/citebot/answer"
)

// TestTitleIsParagraphZero: ¶0 (what a heading citation shows) is the
// document's first heading, for /source 0 and its button, and the title
// /about shows; a document without a heading has neither.
func TestTitleIsParagraphZero(t *testing.T) {
	l := openTest(t, t.TempDir())
	ctx := context.Background()
	if _, err := l.AddDocument(ctx, "guide.md", []byte("# Care Guide\n\nFeed the cat twice a day.\n\n## Dogs\n\nWalk the dog.\n"), nil); err != nil {
		t.Fatal(err)
	}
	info, err := l.AddDocument(ctx, "pets.txt", []byte(petsDoc), nil)
	if err != nil {
		t.Fatal(err)
	}
	if info.Title != "" {
		t.Errorf("pets.txt has title %q, want none", info.Title)
	}
	for _, d := range l.Documents() {
		want, ok := map[string]string{"guide.md": "Care Guide", "pets.txt": ""}[d.Name]
		if ok && d.Title != want {
			t.Errorf("%s: title %q, want %q", d.Name, d.Title, want)
		}
	}
	p, ok := l.Paragraph("guide.md", 0)
	if !ok || p.Text != "Care Guide" || p.Paragraph != 0 {
		t.Errorf("guide.md ¶0 = %+v, %v; want the title", p, ok)
	}
	if p, ok := l.Paragraph("guide.md", 1); !ok || p.Text != "Feed the cat twice a day." {
		t.Errorf("guide.md ¶1 = %+v, %v", p, ok)
	}
	if _, ok := l.Paragraph("pets.txt", 0); ok {
		t.Errorf("pets.txt has a ¶0 without a heading")
	}
}

// TestScopedQuestion: a question scoped to one document is answered from
// it alone, through the engine (answer.Question.Docs).
func TestScopedQuestion(t *testing.T) {
	l := openTest(t, t.TempDir())
	ctx := context.Background()
	for name, text := range map[string]string{
		"cats.txt": "The cat sleeps on the warm windowsill every afternoon.\n\nThe cat eats fish.\n",
		"dogs.txt": "The dog sleeps in a basket by the door.\n\nThe dog eats meat.\n",
	} {
		if _, err := l.AddDocument(ctx, name, []byte(text), nil); err != nil {
			t.Fatal(err)
		}
	}
	e := answer.New(l, nil, answer.Options{})
	for _, doc := range []string{"cats.txt", "dogs.txt"} {
		a, err := e.Answer(ctx, answer.Question{Text: "The animal sleeps where?", Docs: []string{doc}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Citations) == 0 {
			t.Fatalf("scope %s: no citation: %+v", doc, a)
		}
		for _, c := range a.Citations {
			if c.Doc != doc {
				t.Errorf("scope %s: cites %s ¶%d %q", doc, c.Doc, c.Paragraph, c.Quote)
			}
		}
	}
}
