package retrieval

import (
	"bufio"
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/citebot/citebot/retrieval/document"
	"github.com/google/go-cmp/cmp"
)

// lexicalSection returns the lexical section a snapshot of ix holds.
func lexicalSection(tb testing.TB, ix *lexicalIndex) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	writeLexical(w, ix)
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// readLexical reads a lexical section as a snapshot's reader would, past
// its checksum.
func readLexical(raw []byte, texts []string) (*lexicalIndex, error) {
	r := &snapshotReader{size: int64(len(raw)), body: bufio.NewReader(bytes.NewReader(raw))}
	ix, keys, err := r.lexical(texts)
	if err != nil {
		return nil, err
	}
	return ix, ix.restore(keys, texts)
}

func TestSnapshotLexicalEqualsBuilt(t *testing.T) {
	dir := t.TempDir()
	docs := []*document.Document{document.Sample(), textDoc(t, "en.txt", "The U.S. team won 3.5 points. Mr. Smith said so!", "第二段：长江大保护。")}
	built, _, err := Build(context.Background(), docs, persistOpts(dir, newCountingEmbedder(), nil))
	if err != nil {
		t.Fatal(err)
	}
	loaded, stats, err := Build(context.Background(), docs, persistOpts(dir, newCountingEmbedder(), nil))
	if err != nil || !stats.Reused {
		t.Fatalf("second build: %+v, %v", stats, err)
	}
	a, b := built.lex, loaded.lex
	if !slices.Equal(a.termKeys(), b.termKeys()) || a.terms.len() != b.terms.len() {
		t.Error("term keys differ")
	}
	for _, k := range a.termKeys() {
		va, _ := a.terms.get(k)
		if vb, ok := b.terms.get(k); !ok || va != vb {
			t.Fatalf("term %x: %d, loaded %d %v", k, va, vb, ok)
		}
	}
	for name, eq := range map[string]bool{
		"idf": cmp.Equal(a.idf, b.idf), "df": cmp.Equal(a.post.df, b.post.df), "off": cmp.Equal(a.post.off, b.post.off),
		"data": bytes.Equal(a.post.data, b.post.data), "norm": cmp.Equal(a.norm, b.norm),
		"sentOff": cmp.Equal(a.sentOff, b.sentOff), "sentEnd": cmp.Equal(a.sentEnd, b.sentEnd),
		"params": a.params == b.params && a.n == b.n,
	} {
		if !eq {
			t.Errorf("loaded %s differs from the built one", name)
		}
	}
}

func TestLexicalSectionCorrupt(t *testing.T) {
	texts := []string{"长江经济带发展座谈会。共抓大保护。", "The U.S. team won. Mr. Smith said so!", "黄河流域生态保护和高质量发展。"}
	ix := newLexicalIndex(texts, bm25Params{})
	raw := lexicalSection(t, ix)
	if _, err := readLexical(raw, texts); err != nil {
		t.Fatalf("valid section: %v", err)
	}
	nt := 4 + 8*ix.terms.len() // the keys end here
	tests := []struct {
		name string
		edit func([]byte) []byte
	}{
		{"truncated", func(b []byte) []byte { return b[:len(b)-3] }},
		{"huge term count", func(b []byte) []byte { b[3] = 0x7f; return b }},
		{"duplicate key", func(b []byte) []byte { copy(b[12:20], b[4:12]); return b }},
		{"zero key", func(b []byte) []byte { clear(b[4:12]); return b }},
		{"idf not finite", func(b []byte) []byte { copy(b[nt:], []byte{0, 0, 0xc0, 0x7f}); return b }},
		{"df zero", func(b []byte) []byte { clear(b[nt+4*ix.terms.len() : nt+4*ix.terms.len()+4]); return b }},
		{"sentence end past the text", func(b []byte) []byte { b[len(b)-1] = 0x7f; return b }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := readLexical(tt.edit(slices.Clone(raw)), texts); err == nil {
				t.Error("corrupt section accepted")
			}
		})
	}
}

// FuzzLexicalSection feeds mutated lexical sections to the reader: it
// either refuses them or returns an index every query can read.
func FuzzLexicalSection(f *testing.F) {
	texts := []string{"长江经济带发展座谈会。共抓大保护。", "The U.S. team won. Mr. Smith said so!", "黄河流域生态保护。"}
	f.Add(lexicalSection(f, newLexicalIndex(texts, bm25Params{})))
	f.Add(lexicalSection(f, newLexicalIndex(texts[:1], bm25Params{})))
	f.Fuzz(func(t *testing.T, raw []byte) {
		ix, err := readLexical(raw, texts)
		if err != nil {
			return
		}
		for _, q := range []string{"长江保护", "Smith team", "黄河"} {
			ix.search(q, 3)
			p := ix.prepare(q)
			ix.preparePhrases(p)
			fs := p.featureScratch()
			for d := range texts {
				ix.features(p, int32(d), texts[d], fs)
			}
		}
	})
}
