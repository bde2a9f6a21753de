package answer

import (
	"strings"
	"unicode"

	"github.com/citebot/citebot/retrieval/text"
)

// Content-free messages and real follow-ups.
//
// A message with nothing to look up — thanks, an acknowledgement, an emoji
// ("👍", "好的，谢谢！", "ok thanks") — gets a short friendly reply in the
// user's language instead of an answer (see [Answer.Smalltalk]); it is
// never merged with the conversation. A message is content-free when,
// after removing courtesy words (smalltalkWords), punctuation, symbols and
// white space, nothing is left.
//
// A question is merged with the conversation only when it is a real
// follow-up: it names no topic of its own (还有什么具体要求？, "what
// else?"), or it leans on the previous turn with a pronoun (它, 他们, 这个,
// it, they) or the elliptical 那…呢 / "what about …" form. A question that
// names its own topic and leans on nothing is self-contained and is
// answered alone, whatever was asked before.

// smalltalkWords are courtesy words and acknowledgements, longest first
// where one contains another.
var smalltalkWords = []string{
	"非常感谢", "谢谢你", "谢谢您", "多谢", "谢谢", "謝謝", "感谢", "感謝", "好的", "好吧", "好滴", "收到", "明白了", "明白",
	"了解", "知道了", "没问题", "沒問題", "可以", "不错", "不錯", "很好", "太好了", "厉害", "辛苦了", "再见", "再見",
	"你好", "您好", "嗯嗯", "嗯", "哦", "噢", "哈哈", "呵呵", "好", "行", "对", "對", "是的", "啦", "了", "呀", "啊", "哈",
	"thank you very much", "thank you", "thanks a lot", "thanks", "thank", "thx", "ty", "okay", "ok", "k",
	"great", "cool", "nice", "good", "got it", "i see", "alright", "all right", "sure", "yes", "yeah", "yep",
	"perfect", "awesome", "bye", "hello", "hi", "hey", "lol", "so", "much", "very", "you",
}

// isSmalltalk reports whether msg carries nothing to look up.
func isSmalltalk(msg string) bool {
	rest := strings.ToLower(msg)
	for _, w := range smalltalkWords {
		rest = strings.ReplaceAll(rest, w, " ")
	}
	for _, r := range rest {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// smalltalkLang is the language of a reply to a content-free message: the
// message's own when it has letters, else that of the last question asked,
// else the documents'.
func (e *run) smalltalkLang(q Question) string {
	if hasLetters(q.Text) {
		return text.Lang(q.Text)
	}
	for i := len(q.History) - 1; i >= 0; i-- {
		if hasLetters(q.History[i].Question) {
			return text.Lang(q.History[i].Question)
		}
	}
	return e.st.lang
}

func hasLetters(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) }) >= 0
}

// smalltalkAnswer is the reply to a content-free message.
func (e *run) smalltalkAnswer(q Question, mode Mode) Answer {
	lang := e.smalltalkLang(q)
	return Answer{
		Question: q.Text, Standalone: q.Text, Lang: lang, Mode: mode,
		Text: smalltalkText.in(lang), Smalltalk: true,
	}
}

// leansOnContext reports whether a question that names a topic still
// refers to the conversation: a pronoun or demonstrative standing for the
// earlier topic, or the elliptical 那…呢 / "what about" / "and …?" form.
func leansOnContext(q string) bool {
	t := strings.TrimSpace(q)
	for _, p := range []string{"那", "那么", "那麼", "那个", "那個"} {
		if strings.HasPrefix(t, p) && (strings.Contains(t, "呢") || strings.Contains(t, "吗")) {
			return true
		}
	}
	if strings.HasSuffix(strings.TrimRight(t, "？?！!。. "), "呢") {
		return true
	}
	for _, p := range []string{"它", "它们", "它們", "他们", "他們", "她们", "她們", "该", "該", "其", "此", "上述", "这个", "這個", "这些", "這些", "这方面", "這方面"} {
		if strings.Contains(t, p) {
			return true
		}
	}
	lower := " " + strings.ToLower(t) + " "
	for _, p := range []string{"what about", "how about", "and what", " it ", " it?", " its ", " they ", " them ", " their ", " this ", " that?", " those ", " these ", " he ", " she ", " him ", " her "} {
		if strings.Contains(lower, p) {
			return true
		}
	}
	return strings.HasPrefix(lower, " and ")
}
