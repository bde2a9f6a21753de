package fetch

import (
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/citebot/citebot/retrieval/document"
)

func TestFileName(t *testing.T) {
	tests := []struct {
		name        string
		url         string
		ctype       string
		disposition string
		want        string
	}{
		{"page slug", "https://example.org/wiki/Go_(language)", "text/html", "", "example.org-wiki-Go_-language.html"},
		{"site root", "https://example.org/", "text/html", "", "example.org.html"},
		{"html segment", "https://example.org/docs/intro.html", "text/html", "", "intro.html"},
		{"htm segment", "https://example.org/old/INDEX.HTM", "text/html", "", "INDEX.HTM"},
		{"php page", "https://example.org/index.php?id=3", "text/html", "", "example.org-index.php.html"},
		{"xhtml", "https://example.org/a.xhtml", "application/xhtml+xml", "", "example.org-a.xhtml.html"},
		{"pdf segment", "https://example.org/files/report.pdf?sig=abc", "application/pdf", "", "report.pdf"},
		{"pdf no ext", "https://example.org/download", "application/pdf", "", "example.org-download.pdf"},
		{"pdf wrong ext", "https://example.org/paper.html", "application/pdf", "", "example.org-paper.html.pdf"},
		{"disposition", "https://example.org/download?id=5", "application/pdf", `attachment; filename="Annual Report.pdf"`, "Annual Report.pdf"},
		{"disposition utf8", "https://example.org/d", "application/pdf", `attachment; filename*=UTF-8''%D0%9E%D1%82%D1%87%D1%91%D1%82.pdf`, "Отчёт.pdf"},
		{"disposition no ext", "https://example.org/d", "application/pdf", `attachment; filename="report"`, "report.pdf"},
		{"disposition wrong ext", "https://example.org/d", "application/pdf", `attachment; filename="run.exe"`, "run.exe.pdf"},
		{"disposition path", "https://example.org/d", "application/pdf", `attachment; filename="../../etc/passwd.pdf"`, "passwd.pdf"},
		{"disposition backslash", "https://example.org/d", "application/pdf", `attachment; filename="C:\\x\\a.pdf"`, "a.pdf"},
		{"disposition dotfile", "https://example.org/d", "application/pdf", `attachment; filename=".hidden.pdf"`, "hidden.pdf"},
		{"disposition only dots", "https://example.org/d.pdf", "application/pdf", `attachment; filename=".."`, "d.pdf"},
		{"disposition bidi", "https://example.org/d", "application/pdf", "attachment; filename*=UTF-8''abc%E2%80%AEfdp.exe", "abcfdp.exe.pdf"},
		{"disposition control", "https://example.org/d", "application/pdf", "attachment; filename*=UTF-8''a%0Ab%09c.pdf", "abc.pdf"},
		{"disposition reserved", "https://example.org/d", "application/pdf", `attachment; filename="a<b>:c?.pdf"`, "a_b__c_.pdf"},
		{"bad disposition", "https://example.org/x.pdf", "application/pdf", `attachment; filename="unterminated`, "x.pdf"},
		{"markdown as text", "https://example.org/raw/README.md", "text/plain", "", "README.md"},
		{"csv as text", "https://example.org/data.csv", "text/plain", "", "example.org-data.csv.txt"},
		{"markdown", "https://example.org/notes", "text/markdown", "", "example.org-notes.md"},
		{"jpeg", "https://example.org/scan.jpeg", "image/jpeg", "", "scan.jpeg"},
		{"jpeg slug", "https://example.org/img/1", "image/jpeg", "", "example.org-img-1.jpg"},
		{"docx", "https://example.org/get", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "", "example.org-get.docx"},
		{"octet pdf", "https://example.org/files/paper.PDF", octetStream, "", "paper.PDF"},
		{"octet disposition", "https://example.org/get", octetStream, `attachment; filename="book.epub"`, "book.epub"},
		{"octet unknown", "https://example.org/files/blob.bin", octetStream, "", ""},
		{"octet no name", "https://example.org/get", octetStream, `attachment; filename="x"`, ""},
		{"unicode slug", "https://例え.jp/記事/一", "text/html", "", "例え.jp-記事-一.html"},
		{"encoded slash", "https://example.org/a%2Fb.pdf", "application/pdf", "", "b.pdf"},
		{"long slug", "https://example.org/" + strings.Repeat("a", 300), "text/html", "", "example.org-" + strings.Repeat("a", MaxName-len("example.org-.html")) + ".html"},
		{"long segment", "https://example.org/" + strings.Repeat("b", 300) + ".pdf", "application/pdf", "", strings.Repeat("b", MaxName-4) + ".pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			got := fileName(u, tt.ctype, tt.disposition)
			if got != tt.want {
				t.Errorf("fileName(%s, %s, %q) = %q, want %q", tt.url, tt.ctype, tt.disposition, got, tt.want)
			}
			if got != "" {
				checkName(t, got)
			}
		})
	}
}

func TestLookupTypeFollowsTheIntake(t *testing.T) {
	for _, m := range mediaTypes {
		_, ok := lookupType(m.name)
		if want := document.IsSupportedFile("x" + m.exts[0]); ok != want {
			t.Errorf("lookupType(%s) = %v, want %v", m.name, ok, want)
		}
	}
	for _, ctype := range []string{"text/html", "application/pdf", "image/png", "text/plain"} {
		if _, ok := lookupType(ctype); !ok {
			t.Errorf("lookupType(%s) refused", ctype)
		}
	}
	for _, ctype := range []string{"image/gif", "application/zip", "application/x-msdownload", octetStream, ""} {
		if _, ok := lookupType(ctype); ok {
			t.Errorf("lookupType(%s) accepted", ctype)
		}
	}
}

// checkName fails t unless name keeps the promises of fileName.
func checkName(t testing.TB, name string) {
	t.Helper()
	switch {
	case name == "":
		t.Fatal("empty name")
	case len(name) > MaxName:
		t.Fatalf("name %q is %d bytes", name, len(name))
	case !utf8.ValidString(name):
		t.Fatalf("name %q is not UTF-8", name)
	case strings.ContainsAny(name, `/\`):
		t.Fatalf("name %q has a slash", name)
	case strings.HasPrefix(name, "."):
		t.Fatalf("name %q starts with a dot", name)
	case !document.IsSupportedFile(name):
		t.Fatalf("name %q has no supported extension", name)
	}
	for _, r := range name {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			t.Fatalf("name %q has the character %U", name, r)
		}
	}
}

func FuzzName(f *testing.F) {
	f.Add("https://example.org/wiki/Go", `attachment; filename="a.pdf"`, uint8(0))
	f.Add("https://example.org/x.pdf", "", uint8(5))
	f.Add("https://例え.jp/記事", "inline; filename*=UTF-8''%E2%80%AE.pdf", uint8(1))
	f.Add("https://h/"+strings.Repeat("é", 80)+".md", `attachment; filename=".."`, uint8(2))
	f.Add("http://[::1]:80/%00", "attachment; filename=\"\x01.\"", uint8(200))
	var types []string
	for _, m := range mediaTypes {
		if _, ok := lookupType(m.name); ok {
			types = append(types, m.name)
		}
	}
	types = append(types, octetStream)
	f.Fuzz(func(t *testing.T, rawURL, disposition string, pick uint8) {
		u, err := url.Parse(rawURL)
		if err != nil {
			return
		}
		ctype := types[int(pick)%len(types)]
		name := fileName(u, ctype, disposition)
		if name == "" {
			if ctype != octetStream {
				t.Fatalf("fileName(%q, %s, %q) is empty", rawURL, ctype, disposition)
			}
			return
		}
		checkName(t, name)
	})
}
