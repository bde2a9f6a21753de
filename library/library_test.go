package library

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/retrieval"
	"github.com/citebot/citebot/retrieval/document"
)

const petsDoc = "The cat sleeps on the warm windowsill every afternoon.\n\nThe dog sleeps in a basket by the door.\n"

func openTest(tb testing.TB, dataDir string) *Library {
	tb.Helper()
	build := func(ctx context.Context, _ string, docs []*document.Document) (*retrieval.Index, retrieval.BuildStats, error) {
		return retrieval.Build(ctx, docs, retrieval.Options{})
	}
	l, _, err := Open(context.Background(), Options{DataDir: dataDir, Build: build})
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

// petsModel is a chat model that knows nothing but how to quote a passage
// about the cat: it answers from the numbered passages of the answer
// prompt, and echoes the question for every other prompt (rewrite,
// translate).
type petsModel struct{}

var promptPassage = regexp.MustCompile(`(?m)^\[(\d+)\] pets\.txt ¶\d+\n<passage>\n(.*)\n</passage>`)

func (petsModel) Complete(_ context.Context, msgs []answer.Message, _ func(string)) (string, error) {
	user := msgs[len(msgs)-1].Content
	if !strings.Contains(user, "<passage>") {
		return "Where does the cat sleep?", nil
	}
	for _, m := range promptPassage.FindAllStringSubmatch(user, -1) {
		if strings.Contains(m[2], "cat") {
			return "The cat sleeps 「" + m[2] + "」[" + m[1] + "].", nil
		}
	}
	return "NOT_FOUND", nil
}

// TestUploadThenAsk is the regression test of the stale-statistics bug: an
// engine made before a document is added answers questions about it at
// once, in extractive and in LLM mode, and the generation grows.
func TestUploadThenAsk(t *testing.T) {
	for _, tc := range []struct {
		name  string
		model answer.ChatModel
	}{
		{"extractive", nil},
		{"llm", petsModel{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := openTest(t, t.TempDir())
			eng := answer.New(l, tc.model, answer.Options{})
			ask := func() answer.Answer {
				t.Helper()
				a, err := eng.Answer(context.Background(), answer.Question{Text: "Where does the cat sleep?"}, nil)
				if err != nil {
					t.Fatal(err)
				}
				return a
			}
			if a := ask(); !a.NotFound {
				t.Fatalf("before the upload: %+v, want not found", a)
			}
			_, gen := l.Snapshot()
			info, err := l.AddDocument(context.Background(), "pets.txt", []byte(petsDoc), nil)
			if err != nil {
				t.Fatal(err)
			}
			if info.Paragraphs != 2 {
				t.Errorf("pets.txt has %d paragraphs, want 2", info.Paragraphs)
			}
			if _, g := l.Snapshot(); g != gen+1 {
				t.Errorf("generation %d after an upload, want %d", g, gen+1)
			}
			a := ask()
			if a.NotFound || len(a.Citations) == 0 {
				t.Fatalf("after the upload: %+v, want an answer citing pets.txt", a)
			}
			c := a.Citations[0]
			if c.Doc != "pets.txt" || c.Paragraph != 1 || !strings.Contains(c.Quote, "windowsill") {
				t.Fatalf("citation %+v, want pets.txt ¶1 about the windowsill", c)
			}
			if err := l.RemoveDocument(context.Background(), "pets.txt"); err != nil {
				t.Fatal(err)
			}
			if a := ask(); !a.NotFound {
				t.Fatalf("after removing it: %+v, want not found", a)
			}
		})
	}
}

func TestUploadSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	l := openTest(t, dir)
	if _, err := l.AddDocument(context.Background(), "../pets.txt", []byte(petsDoc), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, UploadsDir, "pets.txt")); err != nil {
		t.Fatal(err)
	}
	l2 := openTest(t, dir)
	if p, ok := l2.Paragraph("pets.txt", 2); !ok || !strings.Contains(p.Text, "dog") {
		t.Fatalf("reopened library: paragraph 2 = %+v, %v", p, ok)
	}
}

func TestAddDocumentRefuses(t *testing.T) {
	l := openTest(t, t.TempDir())
	for _, tc := range []struct{ name, file, data, want string }{
		{"configured name", document.SampleName, "新的内容。", "configured document"},
		{"unsupported type", "a.xlsx", "x", "unsupported file type"},
		{"hidden", ".env", "x", "file name"},
		{"empty", "empty.txt", "  \n", "empty"},
		{"control characters", "a\u0007b.txt", "x", "control characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := l.AddDocument(context.Background(), tc.file, []byte(tc.data), nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("AddDocument(%q) = %v, want an error with %q", tc.file, err, tc.want)
			}
			if empty := tc.name == "empty"; errors.Is(err, answer.ErrEmptyDocument) != empty {
				t.Errorf("AddDocument(%q) = %v: matches answer.ErrEmptyDocument %v, want %v", tc.file, err, !empty, empty)
			}
		})
	}
	if err := l.RemoveDocument(context.Background(), document.SampleName); err == nil {
		t.Fatal("removing the configured document succeeded")
	}
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{
		"notes.txt":          "notes.txt",
		" dir/sub/notes.md ": "notes.md",
		`C:\docs\Report.PDF`: "Report.PDF",
		"报告 2024.pdf":        "报告 2024.pdf",
		"تقرير.txt":          "تقرير.txt", // right-to-left letters are fine; controls are not
	} {
		if got, err := CleanName(in); err != nil || got != want {
			t.Errorf("CleanName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestCleanNameRefuses(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "  ", "needs a file name"},
		{"hidden", ".env.txt", "needs a file name"},
		{"control character", "a\u0007b.txt", "control characters"},
		{"invalid UTF-8", "a\xffb.txt", "control characters"},
		{"too long", strings.Repeat("a", 252) + ".txt", "too long"},
		{"unsupported type", "a.xlsx", "unsupported file type"},
		{"right-to-left override", "invoice\u202Etxt.exe.txt", "text direction character (U+202E)"},
		{"left-to-right embedding", "\u202Anotes.txt", "(U+202A)"},
		{"pop directional formatting", "notes\u202C.md", "(U+202C)"},
		{"right-to-left isolate", "notes\u2067.md", "(U+2067)"},
		{"pop directional isolate", "notes\u2069.pdf", "(U+2069)"},
		{"left-to-right mark", "notes\u200E.txt", "(U+200E)"},
		{"right-to-left mark", "notes\u200F.txt", "(U+200F)"},
		{"Arabic letter mark", "notes\u061C.txt", "(U+061C)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CleanName(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("CleanName(%q) = %q, %v; want an error with %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func FuzzCleanName(f *testing.F) {
	for _, s := range []string{"a.txt", "../../etc/passwd", "x\\y.md", "", ".", "\x00.pdf", "a\u202Etxt.pdf", "\u2066b.md\u2069"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		name, err := CleanName(in)
		if err != nil {
			return
		}
		if strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") || !document.IsSupportedFile(name) {
			t.Fatalf("CleanName(%q) = %q", in, name)
		}
		if strings.IndexFunc(name, func(r rune) bool { return unicode.Is(unicode.Bidi_Control, r) || unicode.IsControl(r) }) >= 0 {
			t.Fatalf("CleanName(%q) = %q keeps a control character", in, name)
		}
	})
}
