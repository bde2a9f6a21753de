package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// This file checks the house rules of docs/architecture.md
// on the real tree: which package may import which, and how large files,
// functions and cmd/citebot may grow.

const module = "github.com/citebot/citebot"

// listedPackage is what `go list -json` says of one package.
type listedPackage struct {
	ImportPath string
	Dir        string
	Imports    []string
	GoFiles    []string
}

func listPackages(tb testing.TB) []listedPackage {
	tb.Helper()
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = filepath.Join("..", "..")
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("go list: %v", err)
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p listedPackage
		if err := dec.Decode(&p); err != nil {
			tb.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// rel returns the import path below the module ("retrieval/text"), or ""
// for a package outside it.
func rel(path string) string {
	if path == module {
		return "."
	}
	r, ok := strings.CutPrefix(path, module+"/")
	if !ok {
		return ""
	}
	return r
}

// top returns the top-level folder of a module path ("retrieval").
func top(r string) string {
	t, _, _ := strings.Cut(r, "/")
	return t
}

func TestImportRules(t *testing.T) {
	pkgs := listPackages(t)
	folderImports := map[[2]string]string{} // {from, to} top-level folders -> an example
	for _, p := range pkgs {
		from := rel(p.ImportPath)
		for _, imp := range p.Imports {
			to := rel(imp)
			check := func(bad bool, rule string) {
				if bad {
					t.Errorf("%s imports %s: %s", from, imp, rule)
				}
			}
			check(from == "answer" && (imp == "net/http" || strings.HasPrefix(imp, "github.com/sashabaranov/go-openai")),
				"answer imports neither net/http nor go-openai")
			check(strings.HasPrefix(from, "retrieval") && (top(to) == "answer" || strings.HasPrefix(imp, "github.com/sashabaranov/go-openai")),
				"nothing under retrieval/ imports go-openai or answer")
			check(top(from) == "bot" && top(to) == "retrieval", "bot imports no retrieval package")
			check(strings.HasPrefix(imp, "github.com/sashabaranov/go-openai") && top(from) != "openai",
				"only openai/ imports go-openai")
			if to != "" && top(to) != top(from) {
				folderImports[[2]string{top(from), top(to)}] = from + " -> " + to
			}
		}
	}
	for k, example := range folderImports {
		if back, ok := folderImports[[2]string{k[1], k[0]}]; ok && k[0] < k[1] {
			t.Errorf("top-level folders import each other: %s and %s", example, back)
		}
	}
}

// Size limits of non-test code, in all lines (blank and comment lines
// too): of a file, of a function, and of cmd/citebot's files together.
const (
	maxFileLines   = 600
	maxFuncLines   = 80
	maxCmdLines    = 900
	generatedMarks = "Code generated"
)

func TestCodeSize(t *testing.T) {
	cmdLines := 0
	for _, p := range listPackages(t) {
		for _, name := range p.GoFiles {
			path := filepath.Join(p.Dir, name)
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(firstLines(src, 5), []byte(generatedMarks)) {
				continue
			}
			where := filepath.Join(rel(p.ImportPath), name)
			lines := bytes.Count(src, []byte("\n"))
			if lines > maxFileLines {
				t.Errorf("%s: %d lines, limit %d", where, lines, maxFileLines)
			}
			if rel(p.ImportPath) == "cmd/citebot" {
				cmdLines += bytes.Count(src, []byte("\n"))
			}
			for fn, n := range funcLengths(t, path, src) {
				if n > maxFuncLines {
					t.Errorf("%s: %s is %d lines, limit %d", where, fn, n, maxFuncLines)
				}
			}
		}
	}
	if cmdLines > maxCmdLines {
		t.Errorf("cmd/citebot: %d non-test lines, limit %d", cmdLines, maxCmdLines)
	}
}

func firstLines(src []byte, n int) []byte {
	sc := bufio.NewScanner(bytes.NewReader(src))
	var out []byte
	for i := 0; i < n && sc.Scan(); i++ {
		out = append(append(out, sc.Bytes()...), '\n')
	}
	return out
}

// funcLengths returns the length in lines (from the func keyword to the
// closing brace) of every function and method with a body in src.
func funcLengths(tb testing.TB, path string, src []byte) map[string]int {
	tb.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]int{}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		name := fd.Name.Name
		if fd.Recv != nil && len(fd.Recv.List) > 0 {
			name = recvName(fd.Recv.List[0].Type) + "." + name
		}
		out[name] = fset.Position(fd.End()).Line - fset.Position(fd.Pos()).Line + 1
	}
	return out
}

func recvName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.StarExpr:
		return recvName(x.X)
	case *ast.IndexExpr:
		return recvName(x.X)
	case *ast.Ident:
		return x.Name
	}
	return "?"
}
