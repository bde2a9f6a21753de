package extract

import (
	"context"
	"strings"
	"testing"

	"github.com/citebot/citebot/retrieval/ocr"
	"github.com/citebot/citebot/retrieval/ocr/ocrtest"
)

// TestIsolatedOCR reads a scanned PDF and a photographed page by OCR in
// a child: Tesseract and pdftoppm run under the child's limits, and the
// pages' progress crosses the pipe.
func TestIsolatedOCR(t *testing.T) {
	ocrtest.Require(t)
	info := ocr.Detect(context.Background())
	e := &Extractor{Isolated: true, Options: Options{OCR: info, OCROptions: ocr.Options{Languages: []string{"eng"}}}}
	t.Run("scanned PDF", func(t *testing.T) {
		var progress []Progress
		res, err := e.Extract(context.Background(), "scan.pdf", ocrtest.ScannedPages(t, ocrtest.NumberedPages(2)),
			func(p Progress) { progress = append(progress, p) })
		if err != nil {
			t.Fatal(err)
		}
		if res.Kind != PDF || !res.OCR || !res.HardWrapped || res.Pages != 2 || !strings.Contains(res.Text, "Page 2 of the river notes") {
			t.Errorf("Extract = %+v", res)
		}
		if len(progress) == 0 || progress[len(progress)-1] != (Progress{Stage: "OCR", Done: 2, Total: 2}) {
			t.Errorf("progress %+v, want it to end at 2 of 2 pages", progress)
		}
	})
	t.Run("photographed page", func(t *testing.T) {
		var progress []Progress
		res, err := e.Extract(context.Background(), "photo.png", ocrtest.PhotoPNG(t, []string{"The keepers count the herons every spring."}),
			func(p Progress) { progress = append(progress, p) })
		if err != nil {
			t.Fatal(err)
		}
		if res.Kind != Image || !res.OCR || res.Pages != 1 || !strings.Contains(res.Text, "herons") {
			t.Errorf("Extract = %+v", res)
		}
		if len(progress) == 0 || progress[len(progress)-1] != (Progress{Stage: "OCR", Done: 1, Total: 1}) {
			t.Errorf("progress %+v, want it to end at 1 of 1 page", progress)
		}
	})
}

func TestOCRStatus(t *testing.T) {
	tests := []struct {
		name string
		info ocr.Info
		want string
	}{
		{"none", ocr.Info{}, "not installed (see README)"},
		{"no languages", ocr.Info{Tesseract: "/usr/bin/tesseract"}, "not installed (see README)"},
		{"everything", ocr.Info{Tesseract: "t", Pdftoppm: "p", Pdfinfo: "i", Version: "tesseract 5.3.0", Languages: []string{"chi_sim", "eng"}},
			"tesseract 5.3.0 (chi_sim, eng)"},
		{"images only", ocr.Info{Tesseract: "t", Languages: []string{"eng"}}, "tesseract (eng); images only: PDFs need poppler-utils"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := OCRStatus(tc.info); got != tc.want {
				t.Errorf("OCRStatus = %q, want %q", got, tc.want)
			}
		})
	}
}
