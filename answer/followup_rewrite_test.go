package answer

import (
	"strings"
	"testing"
)

func TestResolveFollowup(t *testing.T) {
	tests := []struct {
		name, prev, f string
		want          string // "" when no rewrite applies
	}{
		{"zh pronoun", "高英是哪位皇帝的皇后？", "她在哪一年被杀害？", "高英在哪一年被杀害？"},
		{"zh-hant pronoun", "陳誠是哪裡人？", "他哪一年出生？", "陳誠哪一年出生？"},
		{"zh plural pronoun", "罗保铭是哪里人？", "他们什么时候来的？", "罗保铭什么时候来的？"},
		{"zh ellipsis keeps the time question", "渡川之战发生在哪一年？", "那折上原之战呢？", "折上原之战发生在哪一年？"},
		{"zh ellipsis replaces the whole subject", "上海市委书记是谁？", "那重庆呢？", "重庆是谁？"},
		{"zh-hant ellipsis without 那", "金正恩是金正日的第幾個兒子？", "金正哲呢？", "金正哲是金正日的第幾個兒子？"},
		{"zh-hant ellipsis up to the shared character", "1960年美國總統選舉誰勝出？", "那1968年呢？", "1968年美國總統選舉誰勝出？"},
		{"zh ellipsis on a merged topic", "谁是美国第37任总统？", "那尼克森呢？", "谁是尼克森？"},
		{"en pronoun", "Who founded Telenet?", "When did it start operations?", "When did Telenet start operations?"},
		{"en pronoun, name with of", "Who issued the Edict of Fontainebleau?", "When was it issued?", "When was Edict of Fontainebleau issued?"},
		{"en pronoun, name with a number", "What killed the Apollo 1 crew?", "Why did it spread so rapidly?", "Why did Apollo 1 spread so rapidly?"},
		{"en what about", "When was AppleTalk developed?", "What about DECnet?", "When was DECnet developed?"},
		{"en and X", "When did CSNET begin operation?", "And NSFNET?", "When did NSFNET begin operation?"},
		{"en report form cut to its topic", "What should be done about air and soil pollution?", "What does the report say about energy?", "energy"},
		{"en bare question", "When did the St. Bartholomew's Day Massacre take place?", "How many people were killed?", "How many people were killed? (St. Bartholomew's Day Massacre)"},
		{"en ellipsis with a pronoun", "When was AppleTalk developed?", "What about its successor?", "What about AppleTalk successor?"},
		// No rewrite: the earlier behaviour applies.
		{"untyped ellipsis", "长江十年禁渔有什么要求？", "那能源方面呢？", ""},
		{"en untyped ellipsis", "What should be done about pollution?", "What about energy?", ""},
		{"self-contained", "长江十年禁渔有什么要求？", "十年禁渔是什么？", ""},
		{"no topic of its own", "长江十年禁渔有什么要求？", "还有什么具体要求？", ""},
		{"其他 is no pronoun", "罗保铭是哪里人？", "其他人是谁？", ""},
		{"应该 is no pronoun", "罗保铭是哪里人？", "应该怎么做？", ""},
		{"and a question", "Who founded Telenet?", "And when was Tymnet founded?", ""},
		{"named question", "Who founded Telenet?", "When was Tymnet founded?", ""},
		{"question word in 呢", "罗保铭是哪里人？", "在哪里呢？", ""},
		{"no subject", "？", "他是谁？", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := resolveFollowup(tt.prev, tt.f)
			if tt.want == "" {
				if ok {
					t.Errorf("resolveFollowup(%q, %q) = %q, want no rewrite", tt.prev, tt.f, got)
				}
				return
			}
			if !ok || got != tt.want {
				t.Errorf("resolveFollowup(%q, %q) = %q, %v, want %q", tt.prev, tt.f, got, ok, tt.want)
			}
		})
	}
}

func TestSubjectSpan(t *testing.T) {
	tests := []struct{ q, want string }{
		{"高英是哪位皇帝的皇后？", "高英"},
		{"马克·茨柏克沃斯基出生在哪里？", "马克·茨柏克沃斯基出生"},
		{"梅艷芳因什麼病逝？", "梅艷芳"},
		{"加拿大航空189号航班在哪个机场出事？", "加拿大航空189号航班"},
		{"Who overthrew Zulfiqar Ali Bhutto?", "Zulfiqar Ali Bhutto"},
		{"When did Internet2 build Abilene?", "Internet2"},
		{"The Normans came from where?", "Normans"},
		{"What should be done about air and soil pollution?", "air and soil pollution"},
		{"what is photosynthesis", "photosynthesis"},
		{"？", ""},
		{"", ""},
	}
	for _, tt := range tests {
		s, e := subjectSpan(tt.q)
		if got := tt.q[s:e]; got != tt.want {
			t.Errorf("subjectSpan(%q) = %q, want %q", tt.q, got, tt.want)
		}
	}
}

func TestPronounSpan(t *testing.T) {
	tests := []struct{ f, want string }{
		{"他在哪裡去世？", "他"}, {"他們何時成立？", "他們"}, {"其父是谁？", "其"}, {"該島面積多大？", "該"},
		{"其他人呢？", ""}, {"尤其是什么？", ""}, {"应该怎么做？", ""}, {"其中有几个？", ""},
		{"When was it built?", "it"}, {"What was his job?", "his"}, {"Is this true?", "this"}, {"Why is it's name odd?", "it"},
		{"Who wrote Hitchhiker?", ""}, {"itinerary of the theme", ""},
	}
	for _, tt := range tests {
		s, e := pronounSpan(tt.f)
		if got := tt.f[s:e]; got != tt.want {
			t.Errorf("pronounSpan(%q) = %q, want %q", tt.f, got, tt.want)
		}
	}
}

func TestNamesNothing(t *testing.T) {
	tests := []struct {
		f    string
		want bool
	}{
		{"How many people died?", true}, {"When was the fire?", true}, {"Where did they go?", false},
		{"How many people died in Paris?", false}, {"What is photosynthesis?", false},
		{"How many people died in 1572?", false}, {"死了多少人？", false},
		{"How many people were killed by the army of the king?", false},
	}
	for _, tt := range tests {
		if got := namesNothing(tt.f); got != tt.want {
			t.Errorf("namesNothing(%q) = %v, want %v", tt.f, got, tt.want)
		}
	}
}

// TestFollowupKeepsItsOwnKind: a follow-up merged into the topic that
// asks how many keeps that kind and does not push away the previous
// quote, which may hold its answer; one that asks nothing of its own
// does.
func TestFollowupKeepsItsOwnKind(t *testing.T) {
	e, _ := sampleEngine(t, nil, Options{})
	r := e.begin()
	history := []Turn{{Question: "长江十年禁渔是哪一年开始的？", Answer: "「坚定推进长江“十年禁渔”」[1]"}}
	f := r.followupQuery(Question{Text: "有几条要求？", History: history})
	if f.terms.wants != "number" || f.cont != nil {
		t.Errorf("有几条要求？: wants %q, continuation %v; want number and none", f.terms.wants, f.cont != nil)
	}
	f = r.followupQuery(Question{Text: "还有什么具体要求？", History: history})
	if f.cont == nil {
		t.Error("还有什么具体要求？: no continuation")
	}
	f = r.followupQuery(Question{Text: "那能源方面呢？", History: []Turn{{Question: "上海市委书记是谁？", Answer: "x"}}})
	if f.text != "能源方面是谁？" || f.terms.wants != "person" {
		t.Errorf("typed ellipsis: %q wants %q", f.text, f.terms.wants)
	}
}

func FuzzResolveFollowup(f *testing.F) {
	for _, s := range [][2]string{
		{"高英是哪位皇帝的皇后？", "她在哪一年被杀害？"}, {"上海市委书记是谁？", "那重庆呢？"},
		{"When was AppleTalk developed?", "What about DECnet?"}, {"Who founded Telenet?", "And when did it start?"},
		{"When did the St. Bartholomew's Day Massacre take place?", "How many people were killed?"},
		{"", "呢"}, {"谁", "那呢"}, {"What", "and ?"}, {"1960年", "那1968年呢？"}, {"\xd70年", "0"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, prev, q string) {
		if s, e := subjectSpan(prev); s < 0 || e > len(prev) || s > e {
			t.Fatalf("subject span [%d,%d) out of %q", s, e, prev)
		}
		if s, e := pronounSpan(q); s < 0 || e > len(q) || s > e {
			t.Fatalf("pronoun span [%d,%d) out of %q", s, e, q)
		}
		got, ok := resolveFollowup(prev, q)
		if ok && strings.TrimSpace(got) == "" {
			t.Fatalf("resolveFollowup(%q, %q) rewrote to blank", prev, q)
		}
		if x, _, ok := ellipsis(q); ok && !strings.Contains(q, x) {
			t.Fatalf("ellipsis %q is not in %q", x, q)
		}
	})
}
