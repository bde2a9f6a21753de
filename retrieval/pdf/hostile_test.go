package pdf

import (
	"runtime"
	"testing"
	"time"

	"github.com/citebot/citebot/retrieval/pdf/pdftest"
)

// hostileAlloc bounds the bytes Extract may allocate on a hostile or
// costly file. Its time is not bounded here: it depends on the machine's
// load; the work limits that keep it short are checked by the outcome.
const hostileAlloc = 200 << 20

// hostileWant is the error Extract returns for each pdftest.Hostile case
// (its start when it ends in "("); the error wraps ErrTooLarge when it
// says so, else ErrUnreadable.
var hostileWant = map[string]string{
	"object stream inside itself":                    "not a readable PDF (malformed PDF: object stream 3 is inside an object stream)",
	"object streams inside each other":               "not a readable PDF (malformed PDF: object stream 3 is inside an object stream)",
	"object stream length inside itself":             "not a readable PDF (malformed PDF: object stream 3 refers to an object inside itself)",
	"xref section at object 1e8":                     "PDF too large to read (objects numbered past 2097152)",
	"xref section at object 1e9":                     "PDF too large to read (objects numbered past 2097152)",
	"xref stream of size 1e9":                        "PDF too large to read (objects numbered past 2097152)",
	"xref stream index at object 1e9":                "PDF too large to read (objects numbered past 2097152)",
	"xref stream of zero-width entries":              "PDF too large to read (objects numbered past 2097152)",
	"xref Prev to itself":                            "not a readable PDF (malformed PDF: xref Prev chain loops at offset 110)",
	"xref Prev loop of two":                          "not a readable PDF (malformed PDF: xref Prev chain loops at offset 110)",
	"xref stream Prev to itself":                     "not a readable PDF (malformed PDF: xref Prev chain loops at offset 110)",
	"object stream Extends itself":                   "not a readable PDF (malformed PDF: object stream 3 extends itself)",
	"object stream Extends loop of two":              "not a readable PDF (malformed PDF: object stream 3 extends itself)",
	"hex string open at the end of an object stream": "not a readable PDF (no page tree)",
	"predictor with 1e12 columns":                    "PDF too large to read (predictor of 1000000000000 columns (at most 1048576))",
	"2,000 pages behind 40 MB of padding":            "PDF too large to read (object stream over 16 MB decompressed)",
}

// extractMeasured returns what Extract returns for raw, read without the
// last-resort deadline (so that the outcome cannot depend on the
// machine's load), with the time it took and the bytes it allocated.
func extractMeasured(name string, raw []byte) (text string, took time.Duration, alloc uint64, err error) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	text, err = extract(name, raw, time.Time{})
	took = time.Since(start)
	runtime.ReadMemStats(&after)
	return text, took, after.TotalAlloc - before.TotalAlloc, err
}

// checkCost logs the time Extract took and fails t when it allocated
// more than hostileAlloc.
func checkCost(t *testing.T, took time.Duration, alloc uint64) {
	t.Helper()
	t.Logf("took %v, allocated %d MB", took.Round(time.Millisecond), alloc>>20)
	if alloc > hostileAlloc {
		t.Errorf("Extract allocated %d MB, want at most %d", alloc>>20, hostileAlloc>>20)
	}
}

// TestExtractHostile checks that every hostile file is refused, in this
// process, by a work limit, with little memory and a one-line error.
func TestExtractHostile(t *testing.T) {
	const name = "hostile.pdf"
	for _, c := range pdftest.Hostile() {
		t.Run(c.Name, func(t *testing.T) {
			want, ok := hostileWant[c.Name]
			if !ok {
				t.Fatalf("no expected error for %q", c.Name)
			}
			is := ErrUnreadable
			if ErrTooLarge.Error() == want[:len(ErrTooLarge.Error())] {
				is = ErrTooLarge
			}
			text, took, alloc, err := extractMeasured(name, c.Build())
			if err == nil {
				t.Fatalf("Extract = %d bytes of text, want an error", len(text))
			}
			pdftest.CheckError(t, err, name+": "+want, is)
			checkCost(t, took, alloc)
		})
	}
}

// TestExtractCostly checks that the costly files are read within the
// work limits and with little memory.
func TestExtractCostly(t *testing.T) {
	for _, c := range pdftest.Costly() {
		t.Run(c.Name, func(t *testing.T) {
			text, took, alloc, err := extractMeasured("costly.pdf", c.Build())
			if err != nil {
				t.Fatal(err)
			}
			checkHardWrapped(t, text)
			checkCost(t, took, alloc)
		})
	}
}
