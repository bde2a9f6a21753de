package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFilter(t *testing.T) {
	sample, err := os.ReadFile("testdata/sample.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		in    string
		out   string
		skips []skip
	}{
		{
			name: "a package with passing, skipped and failing tests and subtests",
			in:   string(sample),
			out:  "    s_test.go:9: boom\n--- FAIL: TestFail/bad (0.00s)\n--- FAIL: TestFail (0.00s)\nFAIL\nFAIL\tsample/sample\t0.030s\n",
			skips: []skip{
				{"sample/sample", "TestSkip", "s_test.go:6: no emulator: run npm ci"},
				{"sample/sample", "TestFail/skipped", "s_test.go:10: later"},
			},
		},
		{
			name: "a passing package prints its line only",
			in: `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"=== RUN   TestA\n"}
{"Action":"output","Package":"p","Test":"TestA","Output":"--- PASS: TestA (0.00s)\n"}
{"Action":"pass","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Output":"PASS\n"}
{"Action":"output","Package":"p","Output":"ok  \tp\t0.01s\n"}
{"Action":"pass","Package":"p"}
{"Action":"output","Package":"q","Output":"testing: warning: no tests to run\n"}
{"Action":"output","Package":"q","Output":"ok  \tq\t0.01s [no tests to run]\n"}
{"Action":"pass","Package":"q"}
{"Action":"output","Package":"r","Output":"?   \tr\t[no test files]\n"}
{"Action":"skip","Package":"r"}
`,
			out: "ok  \tp\t0.01s\nok  \tq\t0.01s [no tests to run]\n?   \tr\t[no test files]\n",
		},
		{
			name: "build errors, and lines that are not events",
			in: `{"ImportPath":"b [b.test]","Action":"build-output","Output":"# b [b.test]\n"}
{"ImportPath":"b [b.test]","Action":"build-output","Output":"b_test.go:3:28: undefined: x\n"}
{"ImportPath":"b [b.test]","Action":"build-fail"}
{"Action":"output","Package":"b","Output":"FAIL\tb [build failed]\n"}
{"Action":"fail","Package":"b"}
go: downloading example.com/m v1.0.0
`,
			out: "# b [b.test]\nb_test.go:3:28: undefined: x\nFAIL\tb [build failed]\ngo: downloading example.com/m v1.0.0\n",
		},
		{
			name: "tests running when their package fails (a panic, a timeout) are shown",
			in: `{"Action":"run","Package":"p","Test":"TestB"}
{"Action":"output","Package":"p","Test":"TestB","Output":"=== RUN   TestB\n"}
{"Action":"output","Package":"p","Test":"TestB","Output":"panic: test timed out after 1s\n"}
{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"    a_test.go:1: waiting\n"}
{"Action":"output","Package":"p","Output":"FAIL\tp\t1.01s\n"}
{"Action":"fail","Package":"p"}
`,
			out: "FAIL\tp\t1.01s\n    a_test.go:1: waiting\npanic: test timed out after 1s\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			skips, err := filter(strings.NewReader(tc.in), &out)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(out.String(), tc.out); diff != "" {
				t.Errorf("output mismatch (-got +want):\n%s", diff)
			}
			if diff := cmp.Diff(skips, tc.skips, cmp.AllowUnexported(skip{})); diff != "" {
				t.Errorf("skips mismatch (-got +want):\n%s", diff)
			}
		})
	}
}

func TestListing(t *testing.T) {
	tests := []struct{ name, record, want string }{
		{"no file or an empty one", "", "skipped tests: none\n"},
		{"two tests, one without a reason",
			"p\tTestA\tno emulator\nq\tTestB/sub\t\n",
			"skipped tests (2):\n  p TestA: no emulator\n  q TestB/sub\n"},
		{"a line that is not a record is ignored", "garbage\n", "skipped tests: none\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := listing(tc.record); got != tc.want {
				t.Errorf("listing(%q) = %q, want %q", tc.record, got, tc.want)
			}
		})
	}
}

// FuzzFilter: whatever go test prints, filter ends, and each skip it
// returns fits on one line of the record file.
func FuzzFilter(f *testing.F) {
	sample, err := os.ReadFile("testdata/sample.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(sample))
	f.Add(`{"Action":"skip","Package":"p\tq","Test":"T\nx","Output":""}`)
	f.Fuzz(func(t *testing.T, in string) {
		skips, _ := filter(strings.NewReader(in), &bytes.Buffer{})
		for _, s := range skips {
			if strings.ContainsAny(s.Reason, "\n\t") {
				t.Errorf("reason %q does not fit a record line", s.Reason)
			}
		}
	})
}
