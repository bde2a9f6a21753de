package ocr

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseLanguages(t *testing.T) {
	for _, tc := range []struct {
		name, out string
		want      []string
	}{
		{"Debian", "List of available languages in \"/usr/share/tesseract-ocr/5/tessdata/\" (4):\nchi_sim\nchi_tra\neng\nosd\n", []string{"chi_sim", "chi_tra", "eng"}},
		{"scripts and CRLF", "List (2):\r\nscript/Latin\r\neng\r\n", []string{"script/Latin", "eng"}},
		{"odd names dropped", "List:\n-l\nfoo bar\n\neng\neng\n" + strings.Repeat("x", 65) + "\n", []string{"eng"}},
		{"nothing", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, parseLanguages(tc.out)); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParsePDFInfo(t *testing.T) {
	a4 := [2]float64{595, 842}
	for _, tc := range []struct {
		name, out string
		want      [][2]float64
		err       string
	}{
		{"pages and sizes", "Producer: FPDF\nPages:           2\nPage    1 size:  595.28 x 841.81 pts (A4)\nPage    1 rot:   0\nPage    2 size:  612 x 792 pts (letter)\n",
			[][2]float64{{595.28, 841.81}, {612, 792}}, ""},
		{"a missing size is A4", "Pages: 2\nPage 2 size: 100 x 200 pts\n", [][2]float64{a4, {100, 200}}, ""},
		{"sizes out of range ignored", "Pages: 1\nPage 1 size: -5 x 200 pts\nPage 7 size: 1 x 1 pts\nPage 1 size: 1e300 x 5 pts\n", [][2]float64{a4}, ""},
		{"no pages", "Pages: 0\n", [][2]float64{}, ""},
		{"bad count", "Pages: many\n", nil, "pdfinfo: bad page count \"many\""},
		{"huge count", "Pages: 99999999999\n", nil, "pdfinfo: bad page count \"99999999999\""},
		{"no count", "Title: x\n", nil, "pdfinfo: no page count"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parsePDFInfo(tc.out)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPageDPI(t *testing.T) {
	for _, tc := range []struct {
		name string
		dpi  int
		size [2]float64
		want int
	}{
		{"A4 at 200", 200, [2]float64{595, 842}, 200},
		{"A4 at 600", 600, [2]float64{595, 842}, 600},
		{"A4 at 800 is too many pixels", 800, [2]float64{595, 842}, 643},
		{"a poster", 200, [2]float64{14400, 14400}, 31},
		{"an absurd page", 200, [2]float64{1e6, 1e6}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := pageDPI(tc.dpi, tc.size); got != tc.want {
				t.Errorf("pageDPI = %d, want %d", got, tc.want)
			}
		})
	}
}

// pngOf returns a PNG image of w x h pixels.
func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestImageType(t *testing.T) {
	huge := pngOf(t, 1, 1)
	// Width and height live in the IHDR chunk at bytes 16..24, its CRC at
	// 29..33.
	copy(huge[16:24], []byte{0, 0, 0x27, 0x10, 0, 0, 0x27, 0x10}) // 10000 x 10000
	binary.BigEndian.PutUint32(huge[29:33], crc32.ChecksumIEEE(huge[12:29]))
	for _, tc := range []struct {
		name string
		raw  []byte
		ext  string
		err  error
	}{
		{"PNG", pngOf(t, 10, 10), ".png", nil},
		{"JPEG magic, broken", []byte("\xff\xd8\xff\xe0garbage"), "", ErrImageFormat},
		{"GIF", []byte("GIF89a...."), "", ErrImageFormat},
		{"PDF", []byte("%PDF-1.4\n"), "", ErrImageFormat},
		{"empty", nil, "", ErrImageFormat},
		{"too many pixels", huge, "", ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ext, err := imageType(tc.raw)
			if ext != tc.ext || !errors.Is(err, tc.err) {
				t.Errorf("imageType = %q, %v; want %q, %v", ext, err, tc.ext, tc.err)
			}
		})
	}
}

func TestOptionsLanguages(t *testing.T) {
	info := Info{Tesseract: "/bin/true", Languages: []string{"chi_sim", "eng"}}
	for _, tc := range []struct {
		name  string
		langs []string
		want  string
		err   string
	}{
		{"chosen from the page", nil, "", ""},
		{"installed", []string{"chi_sim", "eng"}, "chi_sim+eng", ""},
		{"missing", []string{"eng", "deu"}, "", `OCR language not installed: "deu" (installed: chi_sim, eng)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Options{Languages: tc.langs}.languages(info)
			if got != tc.want || (err == nil) != (tc.err == "") || (err != nil && err.Error() != tc.err) {
				t.Errorf("languages = %q, %v; want %q, %q", got, err, tc.want, tc.err)
			}
			if err != nil && !errors.Is(err, ErrLanguage) {
				t.Errorf("error %v is not ErrLanguage", err)
			}
		})
	}
}

func TestCappedBuffer(t *testing.T) {
	b := &cappedBuffer{limit: 5}
	for _, s := range []string{"abc", "defg", "h"} {
		if n, err := b.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	if b.String() != "abcde" || !b.full {
		t.Errorf("buffer %q full %v, want \"abcde\" true", b.String(), b.full)
	}
}

func TestFirstLine(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"first non-blank", "\n  \nError: bad\x07 file\nmore", "Error: bad file"},
		{"cut at a character", strings.Repeat("长", 100), strings.Repeat("长", 66)},
		{"none", " \n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := firstLine(tc.in); got != tc.want {
				t.Errorf("firstLine = %q, want %q", got, tc.want)
			}
		})
	}
}

// FuzzParsePDFInfo checks that pdfinfo's output, whatever it is, gives
// sane page sizes or an error.
func FuzzParsePDFInfo(f *testing.F) {
	f.Add("Pages:           2\nPage    1 size:  595.28 x 841.81 pts (A4)\nPage    2 size:  612 x 792 pts\n")
	f.Add("Pages: 1048576\n")
	f.Add("Pages: 1\nPage 1 size: NaN x Inf pts\n")
	f.Fuzz(func(t *testing.T, out string) {
		sizes, err := parsePDFInfo(out)
		if err != nil {
			return
		}
		if len(sizes) > maxPDFPages {
			t.Fatalf("%d pages", len(sizes))
		}
		for _, s := range sizes {
			if !(s[0] > 0 && s[1] > 0 && s[0] < 1e6 && s[1] < 1e6) {
				t.Fatalf("size %v", s)
			}
			if d := pageDPI(200, s); d < 1 || d > 200 {
				t.Fatalf("pageDPI %d for %v", d, s)
			}
		}
	})
}
