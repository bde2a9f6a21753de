package ocr

import (
	"context"
	"slices"
	"unicode"
)

// The language choice. With no [Options.Languages], the first page with
// letters on it is read with the first installed Chinese language
// (chi_sim, else chi_tra), whose models also read Latin letters, and the
// share of Han characters among its letters decides:
//
//   - under 1 in [minHanShare]: the text is not Chinese (the few Han
//     characters are misreadings) and is read with eng;
//   - otherwise, when both Chinese scripts are installed, the page is read
//     again with the other one, and the script whose Han characters
//     Tesseract is more confident of wins;
//   - under half Han: the text mixes Chinese with Latin-script words and
//     is read with the Chinese language plus eng;
//   - else: Chinese alone, which reads the few Latin words and digits of
//     Chinese text as well as eng does and mistakes fewer CJK characters
//     for Latin letters.
//
// The languages chosen there read every later page.

// minHanShare: letters are Chinese when at least 1 in minHanShare of them
// are Han characters.
const minHanShare = 20

// choose reads the page image in file to choose the languages of the
// document, and returns them with the page's lines read in them. The
// languages are "" when the page has no letters to choose by.
func (r *reader) choose(ctx context.Context, file string, dpi int) (string, []ocrLine, error) {
	has := func(l string) bool { return slices.Contains(r.info.Languages, l) }
	var chinese []string
	for _, l := range []string{"chi_sim", "chi_tra"} {
		if has(l) {
			chinese = append(chinese, l)
		}
	}
	if len(chinese) == 0 {
		langs := "eng"
		if !has(langs) {
			langs = r.info.Languages[0]
		}
		lines, err := r.tesseract(ctx, file, dpi, langs)
		return chosen(langs, lines), lines, err
	}
	lines, err := r.tesseract(ctx, file, dpi, chinese[0])
	if err != nil {
		return "", nil, err
	}
	han, other := countScripts(lines)
	if han+other == 0 {
		return "", lines, nil
	}
	if han*minHanShare < han+other && has("eng") {
		lines, err := r.tesseract(ctx, file, dpi, "eng")
		return "eng", lines, err
	}
	langs := chinese[0]
	if len(chinese) > 1 {
		again, err := r.tesseract(ctx, file, dpi, chinese[1])
		if err != nil {
			return "", nil, err
		}
		if hanConfidence(again) > hanConfidence(lines) {
			langs, lines = chinese[1], again
		}
	}
	if 2*han < han+other && has("eng") {
		langs += "+eng"
		lines, err = r.tesseract(ctx, file, dpi, langs)
	}
	return langs, lines, err
}

// chosen returns langs when lines hold a letter, else "".
func chosen(langs string, lines []ocrLine) string {
	if han, latin := countScripts(lines); han+latin == 0 {
		return ""
	}
	return langs
}

// countScripts returns the number of Han characters and of other letters
// in lines.
func countScripts(lines []ocrLine) (han, other int) {
	for _, l := range lines {
		for _, w := range l.words {
			for _, r := range w.text {
				switch {
				case unicode.Is(unicode.Han, r):
					han++
				case unicode.IsLetter(r):
					other++
				}
			}
		}
	}
	return han, other
}

// hanConfidence returns the mean confidence of the words in lines that
// hold a Han character, weighted by their length; 0 for none.
func hanConfidence(lines []ocrLine) float64 {
	sum, n := 0.0, 0
	for _, l := range lines {
		for _, w := range l.words {
			k := 0
			for _, r := range w.text {
				if unicode.Is(unicode.Han, r) {
					k++
				}
			}
			sum += w.conf * float64(k)
			n += k
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}
