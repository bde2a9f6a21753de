package document

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// writeDocFile writes content to dir/name, creating directories, and returns
// the path.
func writeDocFile(tb testing.TB, dir, name, content string) string {
	tb.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// docNames returns the names of docs.
func docNames(docs []*Document) []string {
	names := make([]string, 0, len(docs))
	for _, d := range docs {
		names = append(names, d.Name)
	}
	return names
}

func TestParseDocumentNormalises(t *testing.T) {
	const want = "第一段第二行\n\nSecond paragraph goes on."
	tests := []struct {
		name string
		raw  string
	}{
		{"LF", "第一段\n第二行\n\nSecond paragraph\ngoes on.\n"},
		{"CRLF", "第一段\r\n第二行\r\n\r\nSecond paragraph\r\ngoes on.\r\n"},
		{"CR", "第一段\r第二行\r\rSecond paragraph\rgoes on.\r"},
		{"BOM", "\uFEFF第一段\n第二行\n\nSecond paragraph\ngoes on."},
		{"BOM and CRLF", "\uFEFF第一段\r\n第二行\r\n \r\nSecond paragraph\r\ngoes on."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Parse("a.txt", []byte(tc.raw))
			if err != nil {
				t.Fatal(err)
			}
			checkDocument(t, doc)
			if doc.Text != want {
				t.Errorf("Text = %q, want %q", doc.Text, want)
			}
			sum := sha256.Sum256([]byte(tc.raw))
			if doc.Hash != hex.EncodeToString(sum[:]) || doc.Name != "a.txt" {
				t.Errorf("Name, Hash = %q, %q, want a.txt and the SHA-256 of the raw bytes", doc.Name, doc.Hash)
			}
		})
	}
}

func TestParseDocumentErrors(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		wantErr error
		want    string // the whole error message
	}{
		{"empty", "", ErrEmptyDocument, "bad.txt: empty document"},
		{"white space only", " \r\n\t\u3000\n", ErrEmptyDocument, "bad.txt: empty document"},
		{"BOM only", "\uFEFF\n", ErrEmptyDocument, "bad.txt: empty document"},
		{"only a thematic break", "---\n\n***\n", ErrEmptyDocument, "bad.txt: empty document (no paragraphs of text)"},
		{"invalid UTF-8", "长江\xff经济", ErrInvalidUTF8, "bad.txt: not valid UTF-8 text (invalid byte at offset 6)"},
		{"GBK", "\xb3\xa4\xbd\xad", ErrInvalidUTF8, "bad.txt: not valid UTF-8 text (invalid byte at offset 0)"},
		{"UTF-16", "\xff\xfeh\x00i\x00", ErrInvalidUTF8, "bad.txt: not valid UTF-8 text (UTF-16 byte order mark; save the file as UTF-8)"},
		{"NUL byte", "text\x00more", ErrBinaryDocument, "bad.txt: not a text file (NUL byte at offset 4)"},
		{"control characters", "ab\x01\x02\x03\x04\x05cdefghij", ErrBinaryDocument, "bad.txt: not a text file (5 control characters in 15 bytes)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Parse("bad.txt", []byte(tc.raw))
			if err == nil {
				t.Fatalf("Parse = %d paragraphs, want an error", len(doc.Paragraphs))
			}
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("error %q is not %q", err, tc.wantErr)
			}
			if err.Error() != tc.want {
				t.Errorf("error = %q, want %q", err, tc.want)
			}
		})
	}
}

func TestParseDocumentKeepsControlCharactersInText(t *testing.T) {
	doc, err := Parse("ff.txt", []byte("Page one text.\n\f\nPage two\ftext."))
	if err != nil {
		t.Fatal(err)
	}
	checkDocument(t, doc)
	if want := "Page one text.\n\nPage two\ftext."; doc.Text != want {
		t.Errorf("Text = %q, want %q", doc.Text, want)
	}
}

func TestLoadDocuments(t *testing.T) {
	dir := t.TempDir()
	a := writeDocFile(t, dir, "docs/b.txt", "B text.")
	writeDocFile(t, dir, "docs/a.MD", "# A\n\nA text.")
	writeDocFile(t, dir, "docs/c.zip", "PK")
	writeDocFile(t, dir, "docs/.hidden.txt", "hidden")
	writeDocFile(t, dir, "docs/sub/d.txt", "nested")
	single := writeDocFile(t, dir, "e.md", "E text.")

	tests := []struct {
		name  string
		paths []string
		want  []string
	}{
		{"no paths is the sample", nil, []string{SampleName}},
		{"one file", []string{a}, []string{"b.txt"}},
		{"directory in name order", []string{filepath.Join(dir, "docs")}, []string{"a.MD", "b.txt"}},
		{"directory and file", []string{filepath.Join(dir, "docs"), single}, []string{"a.MD", "b.txt", "e.md"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			docs, err := Load(tc.paths)
			if err != nil {
				t.Fatal(err)
			}
			if got := docNames(docs); strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("loaded %q, want %q", got, tc.want)
			}
			for _, d := range docs {
				checkDocument(t, d)
			}
		})
	}
	if docs, _ := Load(nil); docs[0] != Sample() {
		t.Error("Load(nil) does not return the shared sample")
	}
}

func TestLoadDocumentsErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	writeDocFile(t, dir, "zips/x.zip", "PK")
	zip := writeDocFile(t, dir, "report.zip", "PK")
	notDocx := writeDocFile(t, dir, "notes.docx", "just text")
	one := writeDocFile(t, dir, "one/a.txt", "first")
	two := writeDocFile(t, dir, "two/a.txt", "second")
	bad := writeDocFile(t, dir, "bad/bad.txt", "abc\xffdef")
	writeDocFile(t, dir, "bad/ok.txt", "fine")
	bin := writeDocFile(t, dir, "bin.txt", "\x00\x01\x02")
	blank := writeDocFile(t, dir, "blank.md", "\n\n  \n")

	missing := filepath.Join(dir, "missing.txt")
	const types = ".txt, .md, .pdf, .docx, .odt, .epub, .html, .htm, .png, .jpg or .jpeg"
	tests := []struct {
		name  string
		paths []string
		want  string
		is    error
	}{
		{"missing path", []string{missing}, "open " + missing + ": no such file or directory", os.ErrNotExist},
		{"directory without documents", []string{empty}, empty + ": no " + types + " documents in directory", nil},
		{"directory with other files only", []string{filepath.Join(dir, "zips")}, filepath.Join(dir, "zips") + ": no " + types + " documents in directory", nil},
		{"unsupported file type", []string{zip}, zip + ": unsupported file type, want " + types, ErrUnsupportedFileType},
		{"text named .docx", []string{notDocx}, notDocx + ": not a Word (.docx) file (its content is not one)", nil},
		{"duplicate names", []string{one, two}, `duplicate document name "a.txt": ` + one + " and " + two, nil},
		{"invalid UTF-8 in a directory", []string{filepath.Join(dir, "bad")}, bad + ": not valid UTF-8 text (invalid byte at offset 3)", ErrInvalidUTF8},
		{"binary file", []string{bin}, bin + ": not a text file (NUL byte at offset 0)", ErrBinaryDocument},
		{"empty file", []string{blank}, blank + ": empty document", ErrEmptyDocument},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			docs, err := Load(tc.paths)
			if err == nil {
				t.Fatalf("Load = %q, want an error", docNames(docs))
			}
			if err.Error() != tc.want {
				t.Errorf("error = %q, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q is more than one line", err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %q is not %q", err, tc.is)
			}
		})
	}
}

func FuzzParseDocument(f *testing.F) {
	sample, err := os.ReadFile(filepath.Join("sample", SampleName))
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		string(sample[:2000]),
		"第一段 \n\n第二行\n\n\n\n第三行。 \n\n",
		"# T\n\ntext\nmore\n\n- a\n- b\n\n```\ncode\n\n```\n",
		"T\n===\n> q\n>\n1、一\n\u3000\u3000段\r\n",
		"a well-\nknown \n\n x",
		"\uFEFF\r\n\r\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, name := range []string{"fuzz.txt", "fuzz.md"} {
			doc, err := Parse(name, raw)
			if err != nil {
				if msg := err.Error(); strings.Contains(msg, "\n") || !strings.HasPrefix(msg, name+": ") {
					t.Fatalf("error %q is not one line starting with the name", msg)
				}
				return
			}
			checkDocument(t, doc)
			for _, max := range []int{0, 1, 7, 50} {
				checkPassages(t, doc, Passages(doc, max), max)
			}
		}
	})
}

// generatedText returns about size bytes of text made by repeating unit.
func generatedText(size int, unit string) []byte {
	b := make([]byte, 0, size+len(unit))
	for len(b) < size {
		b = append(b, unit...)
	}
	return b
}

// peakHeap samples the live heap every millisecond until stop is called and
// returns the highest value seen.
func peakHeap() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	go func() {
		defer close(finished)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		return peak.Load()
	}
}

// BenchmarkParseDocument50MB parses 50 MB of generated text in both shapes
// and reports the peak live heap during a parse (peak-heap-MB) next to the
// bytes allocated per parse (B/op). Run it with
//
//	go test -run '^$' -bench ParseDocument50MB -benchtime 3x ./retrieval/
func BenchmarkParseDocument50MB(b *testing.B) {
	const size = 50 << 20
	sample, err := os.ReadFile(filepath.Join("sample", SampleName))
	if err != nil {
		b.Fatal(err)
	}
	cmrc, err := os.ReadFile(filepath.Join("..", "..", "testdata", "eval", "cmrc2018_trial.txt"))
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		unit string
	}{
		{"hard-wrapped", string(sample)},
		{"paragraphs", string(cmrc) + "\n\n"},
		{"markdown", "# Heading\n\nSome English text that is wrapped\nover lines, with 中文 too.\n\n- item one\n- item two\n\n"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			raw := generatedText(size, bc.unit)
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			var peak uint64
			for b.Loop() {
				runtime.GC()
				stop := peakHeap()
				doc, err := Parse("big.txt", raw)
				if err != nil {
					b.Fatal(err)
				}
				ps := Passages(doc, 0)
				peak = max(peak, stop())
				if len(ps) == 0 {
					b.Fatal("no passages")
				}
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(len(raw))/(1<<20), "input-MB")
		})
	}
}

// ExampleParse shows the rebuilt paragraphs of a small document.
func ExampleParse() {
	doc, err := Parse("notes.md", []byte("# 长江\n\n长江经济带\n高质量发展。\n\nThe Yangtze\nRiver."))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range doc.Paragraphs {
		fmt.Printf("¶%d heading=%v section=%q %s\n", p.N, p.Heading, p.Section, p.Text(doc))
	}
	// Output:
	// ¶0 heading=true section="" 长江
	// ¶1 heading=false section="长江" 长江经济带高质量发展。
	// ¶2 heading=false section="长江" The Yangtze River.
}
