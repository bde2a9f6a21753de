package config

import (
	"slices"
	"strings"
	"testing"
)

func TestOCRLanguages(t *testing.T) {
	tests := []struct {
		name    string
		env     string
		flag    []string
		file    string
		want    []string
		wantErr string
	}{
		{name: "unset: chosen from the first page with text"},
		{name: "environment", env: "chi_sim, chi_tra,eng", want: []string{"chi_sim", "chi_tra", "eng"}},
		{name: "flag beats environment", env: "eng", flag: []string{"--ocr-languages", "chi_sim,eng"}, want: []string{"chi_sim", "eng"}},
		{name: "file", file: "ocr_languages: chi_tra\n", want: []string{"chi_tra"}},
		{name: "empty names are dropped", env: ",eng,,", want: []string{"eng"}},
		{name: "not a language name", env: "chi_sim+eng", wantErr: `CITEBOT_OCR_LANGUAGES = "chi_sim+eng": use Tesseract language names separated by commas, e.g. chi_sim,eng`},
		{name: "path in a flag", flag: []string{"--ocr-languages", "../eng"}, wantErr: "--ocr-languages"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			if tc.file != "" {
				if err := c.applyYAML([]byte(tc.file), "c.yaml"); err != nil {
					t.Fatal(err)
				}
			}
			err := c.ApplyEnv(env(map[string]string{"CITEBOT_OCR_LANGUAGES": tc.env}))
			if err == nil && tc.flag != nil {
				err = flags(t, &c, "index", tc.flag...)
			}
			if err == nil {
				err = c.Validate()
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.OCRLanguageList(); !slices.Equal(got, tc.want) {
				t.Errorf("OCRLanguageList() = %q, want %q", got, tc.want)
			}
		})
	}
}
