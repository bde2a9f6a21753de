package doccheck

import (
	"fmt"
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// workItemWords match phrases that date a text to a tracker item or a
// working period instead of saying what is true. History belongs in git
// and CHANGELOG.md, which names changes by what they do. A user's turn in
// a conversation is not matched, only the phrase that names a working
// period.
var workItemWords = regexp.MustCompile(`(?i)\bissues? #?\d+|#\d+ issue|\b(this|next) (round|turn|session)\b|\blast (two|three|few|\d+) rounds\b|\bthe re-cut\b|\bthe issue's\b`)

// scannedFile reports whether the file at path (relative to the root) is
// documentation or Go code the scan reads, and whether it is Go.
func scannedFile(path string) (scan, isGo bool) {
	name := filepath.Base(path)
	switch {
	case strings.HasSuffix(name, ".go"):
		return true, true
	case strings.HasSuffix(name, ".md"), name == "Makefile", name == "Dockerfile",
		strings.HasSuffix(name, ".yml"), strings.HasSuffix(name, ".yaml"):
		return true, false
	}
	return false, false
}

// skippedDir reports whether the walk leaves out a folder: version
// control, installed npm packages and test output.
func skippedDir(path string) bool {
	name := filepath.Base(path)
	return name == "node_modules" || (strings.HasPrefix(name, ".") && name != "." && name != ".ci") ||
		filepath.ToSlash(path) == "testdata/output"
}

// workItemHits returns "LINE: TEXT" for each line of text that holds a
// work-item phrase, numbered from first (the line text starts on).
func workItemHits(text string, first int) []string {
	var hits []string
	for i, line := range strings.Split(text, "\n") {
		if m := workItemWords.FindString(line); m != "" {
			hits = append(hits, fmt.Sprintf("%d: %q in %s", first+i, m, strings.TrimSpace(line)))
		}
	}
	return hits
}

// goCommentHits returns the hits in the comments of a Go file.
func goCommentHits(tb testing.TB, src []byte) []string {
	tb.Helper()
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(src))
	var s scanner.Scanner
	s.Init(file, src, nil, scanner.ScanComments)
	var hits []string
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return hits
		}
		if tok == token.COMMENT {
			hits = append(hits, workItemHits(lit, fset.Position(pos).Line)...)
		}
	}
}

// TestNoWorkItemWords scans every Markdown file, Makefile, Dockerfile and
// YAML file of the repository and the comments of every Go file for
// work-item phrases.
func TestNoWorkItemWords(t *testing.T) {
	root := repoRoot(t)
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			if skippedDir(rel) {
				return filepath.SkipDir
			}
			return nil
		}
		scan, isGo := scannedFile(rel)
		if !scan {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		var hits []string
		if isGo {
			hits = goCommentHits(t, src)
		} else {
			hits = workItemHits(string(src), 1)
		}
		for _, h := range hits {
			t.Errorf("%s:%s", rel, h)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("scanned %d files; the walk missed the tree", files)
	}
}

func TestWorkItemWords(t *testing.T) {
	tests := []struct {
		text string
		hit  bool
	}{
		{"figures after issue" + " 9", true}, // split so that this file does not hold the phrase
		{"Issues 9, 11 and 12", true},
		{"see issue #12", true},
		{"the #12 issue", true},
		{"measured this round", true},
		{"left for the next round", true},
		{"what changed in the last two rounds", true},
		{"built in this session", true},
		{"done this turn", true},
		{"the suite took 13 minutes before the re-cut", true},
		{"the issue's target of half the time", true},
		{"the user's turn is remembered", false},
		{"memory_turns: turns a follow-up carries", false},
		{"an issue with the disk", false},
		{"rounds of 40 runs, interleaved", false},
		{"the pool hands back the query of the last round", false},
		{"in one session of the shell", false},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := workItemWords.MatchString(tt.text); got != tt.hit {
				t.Errorf("match = %v, want %v", got, tt.hit)
			}
		})
	}
}
