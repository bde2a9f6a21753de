package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVariantOf(t *testing.T) {
	for _, tc := range []struct {
		gloss string
		want  rune
		ok    bool
	}{
		{"variant of 冰[bing1]", '冰', true},
		{"old variant of 裏|里[li3]", '里', true},
		{"Japanese variant of 乘", '乘', true},
		{"variant of 一點兒|一点儿[yi1 dian3 r5]", 0, false},
		{"erhua variant of 點|点[dian3]", 0, false},
		{"variant of X", 0, false},
		{"ice", 0, false},
	} {
		if got, ok := variantOf(tc.gloss); got != tc.want || ok != tc.ok {
			t.Errorf("variantOf(%q) = %q, %v; want %q, %v", tc.gloss, got, ok, tc.want, tc.ok)
		}
	}
}

// TestTable builds the table from a few CC-CEDICT lines and checks each
// rule of the package comment.
func TestTable(t *testing.T) {
	const src = `# CC-CEDICT
#! date=2026-01-04
鐵 铁 [tie3] /iron/
鐵路 铁路 [tie3 lu4] /railway/
餘 余 [yu2] /extra/
餘 馀 [yu2] /surplus/
多餘 多余 [duo1 yu2] /superfluous/
其餘 其余 [qi2 yu2] /the rest/
殘餘 残馀 [can2 yu2] /remnant/
乹 乾 [qian2] /variant of 乾[qian2]/
乾 干 [gan1] /dry/
乾 乾 [qian2] /surname Qian/
乾淨 干净 [gan1 jing4] /clean/
宁 㝉 [zhu4] /to store/
宁静 宁静 [ning2 jing4] /tranquil/
安宁 安宁 [an1 ning2] /peaceful/
氷 氷 [bing1] /variant of 冰[bing1]/
斌 斌 [bin1] /variant of 彬[bin1]/
张斌 张斌 [Zhang1 Bin1] /Zhang Bin/
蘋 𬞟 [pin2] /duckweed/
`
	// 著 is written otherwise in more headwords (着) than it is kept, but
	// it is kept in maxSimplified of them: a Simplified character too.
	var b strings.Builder
	b.WriteString(src + "著 着 [zhe5] /particle/\n著 著 [zhu4] /to write/\n")
	for i := range maxSimplified + 1 {
		fmt.Fprintf(&b, "著%c 著%c [zhu4 x] /w/\n看%c著 看%c着 [x x zhe5] /w/\n", '一'+rune(i), '一'+rune(i), '一'+rune(i), '一'+rune(i))
	}
	d, err := read(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	got := d.table()
	want := map[rune]rune{'鐵': '铁', '餘': '余', '乹': '干', '乾': '干', '氷': '冰'}
	for r, f := range want {
		if got[r] != f {
			t.Errorf("%q folds to %q, want %q", r, got[r], f)
		}
	}
	for _, r := range "宁斌蘋铁干著" {
		if f, ok := got[r]; ok {
			t.Errorf("%q folds to %q, want it left alone", r, f)
		}
	}
	if len(got) != len(want) {
		t.Errorf("table %q, want %q", got, want)
	}
	out, err := generate(got, d.date, d.entries)
	if err != nil || !bytes.Contains(out, []byte(`"乹干乾干氷冰鐵铁餘余"`)) {
		t.Errorf("generated:\n%s\nerr %v", out, err)
	}
}

func TestEnd(t *testing.T) {
	next := map[rune]rune{'a': 'b', 'b': 'c', 'x': 'y', 'y': 'x'}
	for r, want := range map[rune]rune{'a': 'c', 'b': 'c', 'c': 'c', 'x': 'x', 'y': 'x'} {
		if got := end(next, r); got != want {
			t.Errorf("end(%q) = %q, want %q", r, got, want)
		}
	}
}

// TestGeneratedTableCurrent regenerates the table from the shared
// CC-CEDICT copy and compares it with fold_table.go: run `go generate
// ./retrieval/text/` after changing the generator. It skips when
// ../shared is absent, except under CI=1.
func TestGeneratedTableCurrent(t *testing.T) {
	in := filepath.Join("..", "..", "..", "..", "..", "shared", "dict", "cedict_ts.u8.gz")
	if _, err := os.Stat(in); err != nil {
		if os.Getenv("CI") == "1" {
			t.Fatalf("CC-CEDICT not found: %v", err)
		}
		t.Skipf("CC-CEDICT not found: %v", err)
	}
	out := filepath.Join(t.TempDir(), "fold_table.go")
	if err := run(in, out); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "fold_table.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("fold_table.go is stale (%d bytes generated, %d in the package): run go generate ./retrieval/text/", len(got), len(want))
	}
}
