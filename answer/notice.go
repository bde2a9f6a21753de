package answer

import (
	"fmt"
	"strings"

	"github.com/citebot/citebot/retrieval/text"
)

// phrase is a fixed user-facing text in the two answer languages.
type phrase struct {
	zh, en string
}

// in returns the phrase in lang: Chinese for "zh", else English.
func (p phrase) in(lang string) string {
	if lang == "zh" {
		return p.zh
	}
	return p.en
}

// The fixed texts of an answer.
var (
	notFoundText = phrase{zh: "文档中没有找到相关内容。", en: "The document does not say."}
	leadInText   = phrase{zh: "文档中的相关原文：", en: "The document says:"}
	// smalltalkText replies to a message with nothing to look up.
	smalltalkText = phrase{zh: "好的！还有想了解的，随时问我。", en: "Glad to help! Ask me anything else about the document."}
)

// NotFoundText returns the fixed abstention sentence in lang ("zh" or
// "en").
func NotFoundText(lang string) string { return notFoundText.in(lang) }

// noticeKind names one of the remarks an [Answer] may carry in Notice.
type noticeKind int

const (
	// noticeModelFailed says the model could not be reached and the
	// answer is extractive.
	noticeModelFailed noticeKind = iota
	// noticeUngrounded says the model's answer kept no verified quote and
	// the answer is extractive.
	noticeUngrounded
	// noticeCut says the model's stream broke off and only its verified
	// part is shown.
	noticeCut
	// noticeCrossLingual says an extractive engine cannot match a question
	// in another language than the documents'.
	noticeCrossLingual
)

// notices holds the text of every notice kind.
var notices = [...]phrase{
	noticeModelFailed: {
		zh: "语言模型暂时不可用，以下是文档原文摘录。",
		en: "The language model is unavailable; these are quotes from the document instead.",
	},
	noticeUngrounded: {
		zh: "模型的回答无法在文档中核实，以下是文档原文摘录。",
		en: "The model's answer could not be checked against the document; these are quotes from the document instead.",
	},
	noticeCut: {
		zh: "回答生成中断，只保留了已核实的部分。",
		en: "The answer was cut off; only its verified part is shown.",
	},
	noticeCrossLingual: {
		zh: "未启用语言模型时只能按字面匹配问题；请用文档的语言（英文）提问。",
		en: "Without a language model questions are matched word for word; try asking in the document's language (Chinese).",
	},
}

// notice returns the text of notice kind in lang.
func notice(kind noticeKind, lang string) string { return notices[kind].in(lang) }

// possiblyRelated is the notice of an abstention whose best passage came
// close: it names the paragraph by its label ("¶11", "p. 3 ¶11"; see
// [ParagraphLabel]) so the reader can look.
func possiblyRelated(label, lang string) string {
	if lang == "zh" {
		return fmt.Sprintf("可能相关：%s（但它没有直接回答这个问题）。", label)
	}
	return fmt.Sprintf("Possibly related: %s (it does not answer this directly).", label)
}

// traditional are the fixed Chinese texts of an answer in Traditional
// characters, for a question asked in them (see inQuestionScript).
var traditional = map[string]string{
	notFoundText.zh:                "文件中沒有找到相關內容。",
	leadInText.zh:                  "文件中的相關原文：",
	smalltalkText.zh:               "好的！還有想了解的，隨時問我。",
	notices[noticeModelFailed].zh:  "語言模型暫時無法使用，以下是文件原文摘錄。",
	notices[noticeUngrounded].zh:   "模型的回答無法在文件中核實，以下是文件原文摘錄。",
	notices[noticeCut].zh:          "回答生成中斷，只保留了已核實的部分。",
	notices[noticeCrossLingual].zh: "未啟用語言模型時只能按字面比對問題；請用文件的語言（英文）提問。",
	"可能相关：":                        "可能相關：",
	"（但它没有直接回答这个问题）。":              "（但它沒有直接回答這個問題）。",
}

// inQuestionScript writes the fixed texts of a Chinese answer (lead-in,
// "not found", notices) in Traditional characters when the question was
// asked in them; the quotes stay the documents' own.
func inQuestionScript(a Answer, question string) Answer {
	if a.Lang != "zh" || !text.IsTraditional(question) {
		return a
	}
	for zh, zht := range traditional {
		switch {
		case a.Text == zh:
			a.Text = zht
		case strings.HasPrefix(a.Text, zh):
			a.Text = zht + a.Text[len(zh):]
		}
		if a.Lead == zh {
			a.Lead = zht
		}
		a.Notice = strings.ReplaceAll(a.Notice, zh, zht)
	}
	return a
}
