package answer

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseModelText(t *testing.T) {
	type seg struct {
		Kind segKind
		Text string
		Ns   []int
		Open bool
	}
	tests := []struct {
		name string
		in   string
		want []seg
	}{
		{"corner quote", "会议要求「坚定推进」[1]。", []seg{
			{segText, "会议要求", nil, false}, {segQuote, "坚定推进", nil, false}, {segMarker, "", []int{1}, false}, {segText, "。", nil, false},
		}},
		{"nested corners", "「他說「好」了」[2]", []seg{
			{segQuote, "他說「好」了", nil, false}, {segMarker, "", []int{2}, false},
		}},
		{"open quote", "答案是「坚定推", []seg{
			{segText, "答案是", nil, false}, {segQuote, "坚定推", nil, true},
		}},
		{"marker list", "见[1, 3]和［2］【4】", []seg{
			{segText, "见", nil, false}, {segMarker, "", []int{1, 3}, false}, {segText, "和", nil, false},
			{segMarker, "", []int{2}, false}, {segMarker, "", []int{4}, false},
		}},
		{"curly quotation with marker", "他说“要保护”[1]", []seg{
			{segText, "他说", nil, false}, {segQuote, "要保护", nil, false}, {segMarker, "", []int{1}, false},
		}},
		{"straight quotation with spaced marker", `It says "protect it" [2].`, []seg{
			{segText, "It says ", nil, false}, {segQuote, "protect it", nil, false}, {segText, " ", nil, false},
			{segMarker, "", []int{2}, false}, {segText, ".", nil, false},
		}},
		{"quotation without marker", "长江“十年禁渔”要坚持", []seg{
			{segText, "长江", nil, false}, {segQuote, "十年禁渔", nil, false}, {segText, "要坚持", nil, false},
		}},
		{"every quote style", "『甲乙』‘丙丁’«ab»﹁戊﹂\"cd\"", []seg{
			{segQuote, "甲乙", nil, false}, {segQuote, "丙丁", nil, false}, {segQuote, "ab", nil, false},
			{segQuote, "戊", nil, false}, {segQuote, "cd", nil, false},
		}},
		{"apostrophe and stray marks are prose", "the river’s “fish\nstock\" end", []seg{{segText, "the river’s “fish\nstock\" end", nil, false}}},
		{"not markers", "[a] [] [1 [12345] [-1]", []seg{{segText, "[a] [] [1 [12345] [-1]", nil, false}}},
		{"fullwidth digits", "［１２］", []seg{{segMarker, "", []int{12}, false}}},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []seg
			for _, s := range parseModelText(tt.in) {
				got = append(got, seg{s.kind, s.text, s.ns, s.open})
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("mismatch (-got +want):\n%s", diff)
			}
		})
	}
}

func FuzzParseModelText(f *testing.F) {
	for _, s := range []string{
		"会议要求「坚定推进」[1]。", "「a「b」c」[2][3]", "“x”[1] \"y\" [2]", "[1, 2,]", "「", "【9】", "［１］", "\xff[1]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		segs := parseModelText(s)
		at := 0
		for _, sg := range segs {
			if sg.start != at || sg.end <= sg.start || sg.end > len(s) {
				t.Fatalf("segment [%d, %d) after offset %d in %d bytes", sg.start, sg.end, at, len(s))
			}
			at = sg.end
			piece := s[sg.start:sg.end]
			switch sg.kind {
			case segText:
				if sg.text != piece {
					t.Fatalf("text segment %q is not %q", sg.text, piece)
				}
			case segQuote:
				if len(sg.text) >= len(piece) || !contains(piece, sg.text) {
					t.Fatalf("quote %q is not inside %q", sg.text, piece)
				}
			case segMarker:
				if len(sg.ns) == 0 {
					t.Fatalf("marker %q without numbers", piece)
				}
				for _, n := range sg.ns {
					if n < 0 || n > maxMarkerNumber {
						t.Fatalf("marker %q number %d", piece, n)
					}
				}
			}
		}
		if at != len(s) {
			t.Fatalf("segments end at %d of %d", at, len(s))
		}
	})
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
