package answer

import (
	"slices"
	"testing"
)

func TestAnswerType(t *testing.T) {
	for _, tc := range []struct{ q, want string }{
		{"座谈会在哪里召开的？", "place"},
		{"座谈會在哪裡召開的？", "place"},
		{"座谈会是几号开的", "time"},
		{"他哪天出生？", "time"},
		{"长江有多长？", "number"},
		{"会上有几位发言？", "number"},
		{"谁主持了座谈会？", "person"},
		{"誰是總理？", "person"},
		{"How tall is the Bank of America Tower?", "number"},
		{"When was the Great Fire of 1901?", "time"},
		{"Where did the symposium take place?", "place"},
		{"Who spoke at the symposium?", "person"},
		{"What does the whole report say about energy?", ""}, // "whole" is not "who"
		{"Whose idea was it?", "person"},
		{"Who was the leader when the Franks entered the valley?", "person"}, // the first question word
		{"By what century could they liquefy air?", "time"},
		{"长江十年禁渔有什么要求？", ""},
	} {
		if got := answerType(tc.q); got != tc.want {
			t.Errorf("answerType(%q) = %q, want %q", tc.q, got, tc.want)
		}
	}
}

func TestAnswersType(t *testing.T) {
	for _, tc := range []struct {
		text, kind string
		want       bool
	}{
		{"习近平12日下午在江西省南昌市主持召开座谈会", "place", true},
		{"习近平12日下午在江西省南昌市主持召开座谈会", "time", true},
		{"要坚持共抓大保护、不搞大开发", "place", false},
		{"国家发展改革委主任郑栅洁先后发言", "person", true},
		{"The tower rises to a height of 617 ft", "number", true},
		{"The fire began on May 3, 1901", "time", true},
		{"The office is in Port Linden", "place", true},
		{"It was opened by Mary Smith", "person", true},
		{"it was opened by the mayor", "person", false},
	} {
		if got := answersType(tc.text, tc.kind); got != tc.want {
			t.Errorf("answersType(%q, %s) = %v, want %v", tc.text, tc.kind, got, tc.want)
		}
	}
}

func FuzzAnswerType(f *testing.F) {
	f.Add("座谈会在哪里召开的？")
	f.Add("Who is WHO?")
	f.Fuzz(func(t *testing.T, q string) {
		if k := answerType(q); !slices.Contains([]string{"", "time", "number", "place", "person"}, k) {
			t.Errorf("answerType(%q) = %q", q, k)
		}
	})
}
