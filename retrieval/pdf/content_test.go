package pdf

import (
	"testing"

	"github.com/citebot/citebot/retrieval/pdf/pdftest"
	"github.com/google/go-cmp/cmp"
)

func TestExtractContent(t *testing.T) {
	tests := []struct {
		name, content string
		want          [][]string
	}{
		{"word spaces by TJ adjustments, kerning joined", "BT /F1 12 Tf 72 700 Td [(Hello)-300(world,)] TJ [( W)80(ide)] TJ ET", [][]string{{"Hello world, Wide"}}},
		{"separate Tj runs on one baseline", "BT /F1 12 Tf 72 700 Td (left) Tj 100 0 Td (right) Tj ET", [][]string{{"left right"}}},
		{"lines sorted top to bottom", "BT /F1 12 Tf 72 600 Td (second) Tj ET BT /F1 12 Tf 72 700 Td (first) Tj ET", [][]string{{"first", "second"}}},
		{"Tm, TL, T* and the quote operators", "BT /F1 12 Tf 14 TL 1 0 0 1 72 700 Tm (one) Tj T* (two) Tj (three) ' 1 0 (four) \" ET", [][]string{{"one", "two", "three", "four"}}},
		{"scaled by cm inside q Q", "q 2 0 0 2 0 0 cm BT /F1 6 Tf 36 350 Td (big) Tj ET Q BT /F1 12 Tf 72 680 Td (small) Tj ET", [][]string{{"big", "small"}}},
		{"composite font with a ToUnicode range", "BT /F2 12 Tf 72 700 Td <4E2D65870041> Tj ET", [][]string{{"中文A"}}},
		{"a form that draws itself stops", "/X1 Do", [][]string{{"form"}}},
		{"CJK characters spread out, and apart", "BT /F2 12 Tf 72 700 Td [<4E2D> -300 <6587>] TJ ET BT /F2 12 Tf 72 680 Td [<4E2D> -700 <6587>] TJ ET", [][]string{{"中文", "中 文"}}},
		{"fake bold is drawn once", "BT /F1 12 Tf 72 700 Td (bold) Tj ET BT /F1 12 Tf 72.3 700 Td (bold) Tj ET", [][]string{{"bold"}}},
		{"a hex string left open at the end", "BT /F1 12 Tf 72 700 Td (ok) Tj ET 0<", [][]string{{"ok"}}},
		{"an inline image is skipped", "BI /W 4 /H 1 /BPC 8 /CS /G ID \x00(Tj)EI\xff EI BT /F1 12 Tf 72 700 Td (after) Tj ET", [][]string{{"after"}}},
		{"nested arrays and dictionaries", "/P <</MCID 0 /A [1 [2 (x)]] /D <<>> >> BDC BT /F1 12 Tf 72 700 Td [[(no)] (ye) (s\\051)] TJ ET EMC", [][]string{{"yes)"}}},
		{"unknown font and operators are harmless", "BT /F9 12 Tf 72 700 Td (plain) Tj 1 2 3 zz ET Tj TJ Tf", [][]string{{"plain"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := pageTexts(t, pdftest.Minimal(tc.content, pdftest.IdentityCMap))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("lines mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzExtractContent fuzzes the page content and the ToUnicode CMap of a
// well-formed PDF, which reaches deeper than mutating whole files, whose
// cross-reference offsets most mutations break.
func FuzzExtractContent(f *testing.F) {
	f.Add("BT /F1 12 Tf 72 700 Td [(Hello)-300(world)] TJ T* (two) ' ET /X1 Do", pdftest.IdentityCMap)
	f.Add("q 2 0 0 2 0 0 cm BT /F2 6 Tf 1 0 0 1 36 350 Tm <4E2D6587> Tj ET Q", pdftest.IdentityCMap)
	f.Add("AL01+3\xcds 0 Tf 0\x00\x04\x00\x000m 0\x10002Fs\xea\xf9+3\xcds0<)", "\x80") // hung the reader's lexer
	f.Add("BT /F2 12 Tf 72 700 Td <00410042> Tj ET", `2 begincodespacerange <00> <7F> <8000> <FFFF> endcodespacerange
2 beginbfchar <41> <0042> <8001> <D83DDE00> endbfchar
2 beginbfrange <61> <63> <0078> <9000> <9002> [<4E00> <4E8C> <0066 0069>] endbfrange`)
	f.Fuzz(func(t *testing.T, content, cmap string) {
		const name = "fuzz.pdf"
		text, err := Extract(name, pdftest.Minimal(content, cmap))
		checkResult(t, name, text, err)
	})
}

func TestParseToUnicode(t *testing.T) {
	cmap := `/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CMapName /Test def
2 begincodespacerange
<00> <7F>
<8000> <FFFF>
endcodespacerange
2 beginbfchar
<41> <0042>
<8001> <D83DDE00>
endbfchar
3 beginbfrange
<61> <63> <0078>
<9000> <9002> [<4E00> <4E8C> <0066 0069>]
<A000> <AFFF> <6C00>
endbfrange
endcmap
CMapName currentdict /CMap defineresource pop
end
end`
	m := parseToUnicode([]byte(cmap))
	if m == nil {
		t.Fatal("parseToUnicode = nil")
	}
	tests := []struct{ raw, want string }{
		{"A", "B"},
		{"\x80\x01", "😀"},
		{"abc", "xyz"},
		{"\x90\x00\x90\x01\x90\x02", "一二fi"},
		{"\xA0\x5F\xAF\xFF", "\u6C5F\u7BFF"},
		{"d\x80\x02", "\uFFFD\uFFFD"},
	}
	for _, tc := range tests {
		if got := m.Decode(tc.raw); got != tc.want {
			t.Errorf("Decode(%q) = %q, want %q", tc.raw, got, tc.want)
		}
	}
	if m := parseToUnicode([]byte("begincmap endcmap")); m != nil {
		t.Errorf("parseToUnicode of an empty CMap = %+v, want nil", m)
	}
}
