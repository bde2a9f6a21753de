package ocrtest

import (
	"bytes"
	"errors"
	"image/png"
	"math"
	"testing"

	"github.com/citebot/citebot/retrieval/pdf"
	"github.com/citebot/citebot/retrieval/pdf/pdftest"
)

func TestAccuracy(t *testing.T) {
	for _, tc := range []struct {
		name, got, want string
		acc             float64
	}{
		{"same", "长江 经济带", "长江经济带", 1},
		{"one substitution", "长江经济常", "长江经济带", 0.8},
		{"one missing", "长江经济", "长江经济带", 0.8},
		{"white space ignored", "a b\n\n\fc", "abc", 1},
		{"both empty", " \n", "", 1},
		{"want empty", "ab", "", -1},
		{"got empty", "", "abcd", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Accuracy(tc.got, tc.want); math.Abs(got-tc.acc) > 1e-9 {
				t.Errorf("Accuracy(%q, %q) = %v, want %v", tc.got, tc.want, got, tc.acc)
			}
		})
	}
}

func TestTokens(t *testing.T) {
	got := tokens("长江 river bank，很好")
	want := []string{"长", "江", " ", "river ", "bank", "，", "很", "好"}
	if len(got) != len(want) {
		t.Fatalf("tokens = %q, want %q", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("tokens = %q, want %q", got, want)
		}
	}
}

func TestScannedPDFHasNoTextLayer(t *testing.T) {
	Require(t)
	raw := ScannedPDF(t, pdftest.LatinParagraphs)
	if _, err := pdf.Extract("scan.pdf", raw); !errors.Is(err, pdf.ErrNoTextLayer) {
		t.Fatalf("Extract error = %v, want ErrNoTextLayer", err)
	}
	raw = ScannedPages(t, NumberedPages(3))
	if _, err := pdf.Extract("pages.pdf", raw); !errors.Is(err, pdf.ErrNoTextLayer) {
		t.Fatalf("Extract error = %v, want ErrNoTextLayer", err)
	}
}

func TestPhotoPNG(t *testing.T) {
	Require(t)
	raw := PhotoPNG(t, pdftest.LatinParagraphs[:1])
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	if b.Dx() != 1654 { // A4 width at RenderDPI
		t.Errorf("width %d, want 1654", b.Dx())
	}
	// The corners are white: the page was turned on a white canvas.
	if r, _, _, _ := img.At(0, 0).RGBA(); r>>8 < 250 {
		t.Errorf("corner grey level %d, want white", r>>8)
	}
}
