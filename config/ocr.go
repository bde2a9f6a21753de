package config

import "strings"

// OCRLanguageList returns c.OCRLanguages as a list: the comma-separated
// names, trimmed, without empty ones; nil when none is set.
func (c Config) OCRLanguageList() []string {
	var langs []string
	for l := range strings.SplitSeq(c.OCRLanguages, ",") {
		if l = strings.TrimSpace(l); l != "" {
			langs = append(langs, l)
		}
	}
	return langs
}

// ocrLanguages accepts Tesseract language names (letters, digits and _,
// as chi_sim or eng) separated by commas.
func ocrLanguages(p any) string {
	for l := range strings.SplitSeq(*p.(*string), ",") {
		if strings.IndexFunc(strings.TrimSpace(l), func(r rune) bool {
			return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_')
		}) >= 0 {
			return "use Tesseract language names separated by commas, e.g. chi_sim,eng"
		}
	}
	return ""
}
