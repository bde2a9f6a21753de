package morph

import "testing"

func TestRuleBase(t *testing.T) {
	rule := func(pos POS, suffix, ending string) Rule { return Rule{pos, suffix, ending} }
	for _, tc := range []struct {
		r          Rule
		form, want string
	}{
		{rule(Noun, "ies", "y"), "cities", "city"},
		{rule(Noun, "men", "man"), "women", "woman"},
		{rule(Verb, "ing", "e"), "making", "make"},
		{rule(Verb, "ed", ""), "walked", "walk"},
		{rule(Adj, "est", ""), "tallest", "tall"},
		{rule(Noun, "s", ""), "cats", "cat"},
		{rule(Noun, "s", ""), "its", ""}, // too short a form
		{rule(Noun, "s", ""), "cat", ""}, // no suffix
		{rule(Verb, "ing", ""), "ing", ""},
		{rule(Noun, "s", ""), "ss", ""},
	} {
		got, ok := tc.r.Base(tc.form)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("%+v.Base(%q) = %q, %v; want %q", tc.r, tc.form, got, ok, tc.want)
		}
	}
}

// TestRuleFormInverts checks that Form is the inverse of Base for every
// rule: the generator finds by Form exactly the forms Base reads.
func TestRuleFormInverts(t *testing.T) {
	for _, r := range Rules {
		for _, lemma := range []string{"city", "woman", "make", "walk", "tall", "cat", "go", "bus", "church", "be"} {
			form, ok := r.Form(lemma)
			if !ok {
				continue
			}
			if b, ok := r.Base(form); !ok || b != lemma {
				t.Errorf("%+v: Form(%q) = %q, whose Base is %q, %v", r, lemma, form, b, ok)
			}
		}
	}
}

func FuzzRules(f *testing.F) {
	for _, s := range []string{"cities", "women", "making", "ies", "s", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, form string) {
		for _, r := range Rules {
			b, ok := r.Base(form)
			if !ok {
				continue
			}
			if len(b) < MinBase || len(form) < MinForm {
				t.Fatalf("%+v.Base(%q) = %q: too short", r, form, b)
			}
			if f2, ok := r.Form(b); !ok || f2 != form {
				t.Fatalf("%+v: Base(%q) = %q, whose Form is %q, %v", r, form, b, f2, ok)
			}
		}
	})
}

func TestDefault(t *testing.T) {
	lemmas := map[string]POS{"city": Noun, "walk": Verb | Noun, "new": Adj, "news": Noun, "tall": Adj}
	pos := func(w string) POS { return lemmas[w] }
	for form, want := range map[string]string{
		"cities": "city", "walked": "walk", "walks": "walk", "news": "news", "newer": "new",
		"tallest": "tall", "talls": "talls", "xyz": "xyz",
	} {
		if got := Default(form, pos); got != want {
			t.Errorf("Default(%q) = %q, want %q", form, got, want)
		}
	}
}

func TestIsWord(t *testing.T) {
	for s, want := range map[string]bool{"ab": true, "a": false, "": false, "Ab": false, "a-b": false, "a_b": false, "café": false, "abc1": false} {
		if IsWord(s) != want {
			t.Errorf("IsWord(%q) = %v", s, !want)
		}
	}
}
