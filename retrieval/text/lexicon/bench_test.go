package lexicon

import "testing"

// BenchmarkLoad measures reading the embedded lexicon (what the first
// translation of a process pays).
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := parseData(lexiconData); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadEnglish measures building the English indexes (what the
// first English question about a Chinese document pays beyond Load).
func BenchmarkLoadEnglish(b *testing.B) {
	lx, err := parseData(lexiconData)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		lx.buildEnglish()
	}
}

// BenchmarkTranslate measures translating one question with a document
// filter, the lexicon loaded.
func BenchmarkTranslate(b *testing.B) {
	questions := []string{
		"What did Li Qiang say about the unified national market?",
		"How should regional transport infrastructure be planned?",
		"What did Ding Xuexiang say about coastal, riverside, border and inland opening up?",
		"长江禁渔多少年？",
	}
	zh, en := vocabulary(zhDoc), vocabulary(enDoc)
	if _, err := Translate(questions[0], "zh", zh); err != nil {
		b.Fatal(err)
	}
	Translate(questions[3], "en", en)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		q := questions[i%len(questions)]
		has, to := zh, "zh"
		if i%len(questions) == 3 {
			has, to = en, "en"
		}
		if _, err := Translate(q, to, has); err != nil {
			b.Fatal(err)
		}
	}
}
