// Package prompts holds the words citebot sends to a chat model: the answer
// prompt (system rules plus numbered passages), the follow-up rewrite prompt
// and the translation-for-retrieval prompt.
//
// The templates live in templates/*.tmpl, are embedded with go:embed and
// parsed once, on first use; golden files under testdata pin
// their rendered form (run the tests with -update to rewrite them after a
// deliberate change).
//
// Everything that comes from outside (passage text, document names, the
// question, earlier turns) is fenced: it is placed inside a tagged block and
// '<' and '>' in it are replaced by their full-width forms (＜ ＞), so no
// text can close its block or open another. Quote matching in package answer
// folds full-width forms, so a model quoting the fenced text still matches
// the document.
//
// The package does not import package answer (answer imports prompts); its
// functions are safe for concurrent use.
package prompts

import (
	"bytes"
	"embed"
	"fmt"
	"slices"
	"strings"
	"sync"
	"text/template"
)

// NotFound is the sentinel the answer prompt asks the model to reply with,
// alone, when the passages do not answer the question.
const NotFound = "NOT_FOUND"

// Role is a chat message role: "system" or "user".
type Role string

// Chat message roles used by the prompts.
const (
	System Role = "system"
	User   Role = "user"
)

// Message is one rendered chat message.
type Message struct {
	Role    Role
	Content string
}

// Passage is one numbered passage shown to the model.
type Passage struct {
	// N is the number the model cites as [N], 1-based.
	N int
	// Doc is the document name and Paragraph its paragraph number.
	Doc       string
	Paragraph int
	Text      string
}

// AnswerData is the input of [Answer].
type AnswerData struct {
	Question string
	// Lang is the question's language, "zh" or "en": the answer's language.
	Lang     string
	Passages []Passage
}

// Turn is one earlier question and answer of a conversation.
type Turn struct {
	Question string
	Answer   string
}

// RewriteData is the input of [Rewrite].
type RewriteData struct {
	// History holds the earlier turns, oldest first.
	History []Turn
	// Question is the follow-up question to make standalone.
	Question string
}

// TranslateData is the input of [Translate].
type TranslateData struct {
	Question string
	// Target is the language to translate into, "zh" or "en".
	Target string
}

//go:embed templates/*.tmpl
var files embed.FS

// templates are parsed on first use: a process that renders no prompt
// (eval, index) does not pay for them at start-up.
var templates = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("").Funcs(template.FuncMap{"fence": Fence}).ParseFS(files, "templates/*.tmpl"))
})

var fenceReplacer = strings.NewReplacer("<", "＜", ">", "＞", "\r", "")

// Fence makes outside text safe to place inside a tagged data block: '<'
// and '>' become '＜' and '＞' and carriage returns are dropped.
func Fence(s string) string { return fenceReplacer.Replace(s) }

// LangName names a language code for the model: "zh" is "Chinese", anything
// else "English".
func LangName(lang string) string {
	if lang == "zh" {
		return "Chinese"
	}
	return "English"
}

// Answer renders the answer prompt: the system rules and a user message with
// the numbered passages and the question.
func Answer(d AnswerData) ([]Message, error) {
	if len(d.Passages) == 0 {
		return nil, fmt.Errorf("answer prompt: no passages")
	}
	for i, p := range d.Passages {
		if p.N != i+1 {
			return nil, fmt.Errorf("answer prompt: passage %d is numbered %d, want %d", i, p.N, i+1)
		}
	}
	data := struct {
		AnswerData
		LangName string
		NotFound string
	}{d, LangName(d.Lang), NotFound}
	data.Passages = slices.Clone(d.Passages)
	for i := range data.Passages {
		data.Passages[i].Doc = oneLine(data.Passages[i].Doc)
	}
	return render(data, "answer_system.tmpl", "answer_user.tmpl")
}

// Rewrite renders the follow-up rewrite prompt.
func Rewrite(d RewriteData) ([]Message, error) {
	return render(d, "rewrite_system.tmpl", "rewrite_user.tmpl")
}

// Translate renders the translation-for-retrieval prompt.
func Translate(d TranslateData) ([]Message, error) {
	data := struct {
		TranslateData
		TargetName string
	}{d, LangName(d.Target)}
	return render(data, "translate_system.tmpl", "translate_user.tmpl")
}

func render(data any, system, user string) ([]Message, error) {
	var msgs []Message
	for _, m := range []struct {
		role Role
		name string
	}{{System, system}, {User, user}} {
		var b bytes.Buffer
		if err := templates().ExecuteTemplate(&b, m.name, data); err != nil {
			return nil, fmt.Errorf("render %s: %w", m.name, err)
		}
		msgs = append(msgs, Message{Role: m.role, Content: strings.TrimSpace(b.String()) + "\n"})
	}
	return msgs, nil
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
