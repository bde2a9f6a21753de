package document

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// checkPassages fails tb unless ps are the passages of doc for maxRunes:
// Text is doc.Text[Start:End], non-empty and trimmed, within one paragraph
// whose number they carry, in order, non-overlapping, no longer than the
// limit, with unique IDs, and together they hold every non-space character
// of every paragraph.
func checkPassages(tb testing.TB, doc *Document, ps []Passage, maxRunes int) {
	tb.Helper()
	if maxRunes <= 0 {
		maxRunes = DefaultMaxPassageRunes
	}
	ids := map[string]bool{}
	prev, pi := 0, 0
	for i, p := range ps {
		if p.Start < prev || p.End <= p.Start || p.End > len(doc.Text) {
			tb.Fatalf("passage %d spans [%d,%d), previous ends at %d, text has %d bytes", i, p.Start, p.End, prev, len(doc.Text))
		}
		if p.Text != doc.Text[p.Start:p.End] || strings.TrimSpace(p.Text) != p.Text {
			tb.Errorf("passage %d text %q is not the trimmed Text[%d:%d]", i, p.Text, p.Start, p.End)
		}
		for pi < len(doc.Paragraphs) && doc.Paragraphs[pi].End < p.End {
			if gap := doc.Text[max(prev, doc.Paragraphs[pi].Start):doc.Paragraphs[pi].End]; strings.TrimSpace(gap) != "" {
				tb.Errorf("text %q of paragraph %d is in no passage", gap, pi)
			}
			pi++
		}
		if pi == len(doc.Paragraphs) || p.Start < doc.Paragraphs[pi].Start {
			tb.Fatalf("passage %d [%d,%d) is not within one paragraph", i, p.Start, p.End)
		}
		para := doc.Paragraphs[pi]
		if gap := doc.Text[max(prev, para.Start):p.Start]; strings.TrimSpace(gap) != "" {
			tb.Errorf("text %q before passage %d is in no passage", gap, i)
		}
		if p.Paragraph != para.N || p.Doc != doc.Name || p.Page != para.Page {
			tb.Errorf("passage %d is of %s p. %d ¶%d, want %s p. %d ¶%d", i, p.Doc, p.Page, p.Paragraph, doc.Name, para.Page, para.N)
		}
		if n := utf8.RuneCountInString(p.Text); n > maxRunes {
			tb.Errorf("passage %d has %d runes, limit %d", i, n, maxRunes)
		}
		if ids[p.ID] {
			tb.Errorf("passage %d repeats ID %q", i, p.ID)
		}
		ids[p.ID] = true
		prev = p.End
	}
	for ; pi < len(doc.Paragraphs); pi++ {
		if gap := doc.Text[max(prev, doc.Paragraphs[pi].Start):doc.Paragraphs[pi].End]; strings.TrimSpace(gap) != "" {
			tb.Errorf("text %q of paragraph %d is in no passage", gap, pi)
		}
	}
}

func TestPassagesSample(t *testing.T) {
	doc := Sample()
	ps := Passages(doc, 0)
	checkPassages(t, doc, ps, 0)
	if len(ps) != len(doc.Paragraphs) {
		t.Fatalf("got %d passages, want one per paragraph (%d)", len(ps), len(doc.Paragraphs))
	}
	for i, p := range ps {
		want := fmt.Sprintf("%s#%d#0", SampleName, i)
		if p.ID != want || p.Paragraph != i {
			t.Errorf("passage %d: ID %q ¶%d, want %q ¶%d", i, p.ID, p.Paragraph, want, i)
		}
	}
}

func TestPassagesWindows(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		maxRunes int
		want     []string
	}{
		{
			name:     "short paragraph is whole",
			text:     "一句。两句。",
			maxRunes: 6,
			want:     []string{"一句。两句。"},
		},
		{
			name:     "sentence-aligned windows of about equal length",
			text:     "第一句话。第二句话。第三句话。第四句话。第五句话。",
			maxRunes: 20,
			want:     []string{"第一句话。第二句话。第三句话。", "第四句话。第五句话。"},
		},
		{
			name:     "balanced rather than greedy",
			text:     "Aaaa. Bbbb. Cccc. Dddd. Eeee.",
			maxRunes: 24,
			want:     []string{"Aaaa. Bbbb. Cccc.", "Dddd. Eeee."},
		},
		{
			name:     "long sentence splits at clauses",
			text:     "这是一个很长的句子，有很多分句，一直写下去，没有句号。短句。",
			maxRunes: 12,
			want:     []string{"这是一个很长的句子，", "有很多分句，一直写下去，", "没有句号。短句。"},
		},
		{
			name:     "long clause is cut at runes",
			text:     "一二三四五六七八九十甲乙丙",
			maxRunes: 5,
			want:     []string{"一二三四五", "六七八九十", "甲乙丙"},
		},
		{
			name:     "long Latin clause is cut at spaces",
			text:     "alpha beta gamma delta epsilon",
			maxRunes: 12,
			want:     []string{"alpha beta", "gamma delta", "epsilon"},
		},
		{
			name:     "list items are sentences",
			text:     "Items:\n- one\n- two\n- three",
			maxRunes: 13,
			want:     []string{"Items:\n- one", "- two\n- three"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Parse("w.txt", []byte(tc.text))
			if err != nil {
				t.Fatal(err)
			}
			ps := Passages(doc, tc.maxRunes)
			checkPassages(t, doc, ps, tc.maxRunes)
			var got []string
			for i, p := range ps {
				got = append(got, p.Text)
				if want := fmt.Sprintf("w.txt#1#%d", i); p.ID != want {
					t.Errorf("passage %d ID = %q, want %q", i, p.ID, want)
				}
			}
			if diff := cmp.Diff(got, tc.want); diff != "" {
				t.Errorf("windows mismatch (-got +want):\n%s", diff)
			}
		})
	}
}

func TestPassageIDs(t *testing.T) {
	doc, err := Parse("m.md", []byte("# One\n\nA.\n\n## Two\n\nB. C.\n\n## Three\n\nD."))
	if err != nil {
		t.Fatal(err)
	}
	ps := Passages(doc, 2)
	checkPassages(t, doc, ps, 2)
	var got []string
	for _, p := range ps {
		got = append(got, p.ID+" "+p.Text)
	}
	want := []string{
		"m.md#0#0 On", "m.md#0#1 e", "m.md#1#0 A.", "m.md#0#2 Tw", "m.md#0#3 o",
		"m.md#2#0 B.", "m.md#2#1 C.", "m.md#0#4 Th", "m.md#0#5 re", "m.md#0#6 e", "m.md#3#0 D.",
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("passages mismatch (-got +want):\n%s", diff)
	}
}

func TestPassagesEvalCorpora(t *testing.T) {
	for _, file := range []string{"cmrc2018_trial.txt", "drcd_dev.txt"} {
		t.Run(file, func(t *testing.T) {
			docs, err := Load([]string{filepath.Join("..", "..", "testdata", "eval", file)})
			if err != nil {
				t.Fatal(err)
			}
			doc := docs[0]
			ps := Passages(doc, 0)
			checkPassages(t, doc, ps, 0)
			split := map[int]bool{}
			for _, p := range ps {
				if !strings.HasSuffix(p.ID, "#0") {
					split[p.Paragraph] = true
				}
			}
			t.Logf("%d paragraphs, %d passages, %d paragraphs split", len(doc.Paragraphs), len(ps), len(split))
			if 10*len(split) > len(doc.Paragraphs) {
				t.Errorf("%d of %d paragraphs split, want most whole", len(split), len(doc.Paragraphs))
			}
		})
	}
}
