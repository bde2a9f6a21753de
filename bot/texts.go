package bot

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/citebot/citebot/answer"
)

// uiTexts are the bot's own words in one language.
type uiTexts struct {
	emptyAnswer   string
	ungrounded    string
	related       string
	apology       string
	refused       string
	tooLong       string // %d: limit
	rateLimited   string // %d: seconds
	emptyQuestion string
	unknownCmd    string
	sourceUsage   string
	sourceDocs    string // %s: document list
	noParagraph   string
	noDocuments   string
	aboutHeader   string
	aboutIntro    string // what the bot is
	aboutLine     string // %s title, %s name
	docsHeader    string
	greet         string // %s: how to ask, e.g. "@bot your question"
	newChat       string // /new done
	thanks        string // a vote taken
	thanksDown    string // a 👎 taken: reasons offered
	downFirst     string // a reason tapped without a 👎
	reasons       [3]string
	feedbackHead  string // %d 👍, %d 👎
	feedbackDowns string // after the head, above the latest 👎 listed
	feedbackNone  string // after the head when there is no 👎
	docsActive    string // /docs in a chat with /use
	useAll        string // %s: the documents
	useSome       string // %s: the chosen documents
	useAdminsOnly string
	inlineHint    string // the button above empty inline results
	callbackError string
	// paragraphPrivate is the toast of a ¶ tap whose paragraph came as a
	// message only the user sees.
	paragraphPrivate string
	// resultTitle names an answer sent as a result (inline mode, guest
	// mode) when it has no first line of its own.
	resultTitle string
	greeting    string
	howTo       string // %s: @username, %s: keyword sentence, %s: followUps or ""
	keyword     string // %s: prefix
	followUps   string // %s: memory TTL
	commands    string
	privacy     string

	docsLine       string // %d number, %s name, %s docSummary
	docsHint       string // admins: how to add and remove
	adminHelp      string // %s: upload limit
	onlyAdminsAdd  string
	onlyAdminsDel  string
	privateOnly    string
	feedbackOnly   string // /feedback outside a private chat
	uploadsOff     string
	badFile        string // %s: why the file name is refused
	tooLarge       string // %s name, %s size, %s limit
	overLimit      string // %s name, %s limit
	downloadFailed string // %s: file name
	added          string // %s name, %s docSummary
	addFailed      string // %s name, %s reason
	removeUsage    string // %s: document list
	noSuchDoc      string // %s name, %s document list
	removed        string // %s: name
	removeFailed   string // %s name, %s reason
	docGone        string
	sizeUnits      [3]string // bytes, KB, MB
	interrupted    string    // an answer cut by a restart
	stopped        string    // an answer the user stopped with the draft's stop button
	tooOld         string    // a question replayed too late
	poisoned       string    // an update whose handling crashes cut short twice
	// paragraphs counts paragraphs: %d one, %d several (see
	// [uiTexts.paragraphCount]).
	paragraphs [2]string
	// readByOCR follows the paragraph count of a document whose text was
	// recognised from page images (see [uiTexts.docSummary]).
	readByOCR string
}

// docSummary describes d to users in /docs and the reply to its upload:
// its paragraph count, and a warning when its text was read by OCR.
func (tt uiTexts) docSummary(d answer.DocInfo) string {
	s := tt.paragraphCount(d.Paragraphs)
	if d.OCR {
		s += tt.readByOCR
	}
	return s
}

// paragraphCount returns "1 paragraph", "3 paragraphs" or "3 段".
func (tt uiTexts) paragraphCount(n int) string {
	if n == 1 {
		return fmt.Sprintf(tt.paragraphs[0], n)
	}
	return fmt.Sprintf(tt.paragraphs[1], n)
}

var texts = map[string]uiTexts{
	"en": {
		emptyAnswer:      "(no answer)",
		ungrounded:       "This answer could not be verified against the document: treat it with caution.",
		related:          "Related paragraphs: ",
		apology:          "Sorry, something went wrong while answering. Please try again in a moment.",
		refused:          "Sorry, this bot is private and not available here.",
		tooLong:          "Your question is too long. Please keep it under %d characters.",
		rateLimited:      "You are asking faster than I can answer. Please wait about %d seconds and try again.",
		emptyQuestion:    "Please write your question after the command, e.g. /ask What is the main topic?",
		unknownCmd:       "I don't know that command. See /help.",
		sourceUsage:      "Usage: /source N (the paragraph number, as in ¶6), or /source p3 for the paragraphs of page 3.",
		sourceDocs:       "Several documents are loaded: use /source DOC N with one of: %s",
		noParagraph:      "There is no such paragraph.",
		noDocuments:      "No documents are loaded.",
		aboutHeader:      "I answer from these documents:",
		aboutIntro:       "I am citebot: I answer questions about documents and quote them word for word, citing each paragraph (¶) I use. If the documents don't say, I say so.",
		aboutLine:        "• %s (%s)",
		docsHeader:       "Documents:",
		greet:            "Yes? Ask me anything about the documents, e.g. %s What is it about?",
		newChat:          "OK, a new conversation: I've forgotten the earlier questions.",
		thanks:           "Thanks for the feedback!",
		thanksDown:       "Thanks! What was wrong? (optional: tap below)",
		downFirst:        "Tap 👎 first.",
		reasons:          [3]string{"wrong quote", "not in the document", "incomplete"},
		feedbackHead:     "Feedback: %d 👍, %d 👎.",
		feedbackDowns:    " The latest 👎:",
		feedbackNone:     " No 👎 yet.",
		docsActive:       "✓ This chat answers from the marked documents only (/use all for every document).",
		useAll:           "This chat answers from all documents: %s.\nTo answer from some only: /use NAME … (/use all to go back).",
		useSome:          "This chat answers from: %s.\n/use all answers from every document again.",
		useAdminsOnly:    "Only the group's admins can choose its documents.",
		inlineHint:       "Type a question about the documents",
		callbackError:    "Paragraph not found.",
		paragraphPrivate: "Only you can see this paragraph.",
		resultTitle:      "Answer from the documents",
		greeting:         "Hello! I answer questions about %s, quoting the document word for word.",
		howTo: "How to ask\n" +
			"• In a private chat: just send your question.\n" +
			"• In a group: mention me (%s your question), reply to one of my answers, or use /ask your question%s.\n" +
			"%sEvery claim cites a numbered paragraph (¶) and quotes it; tap a ¶ button to read the whole paragraph.",
		keyword:   `, or start your message with "%s"`,
		followUps: "• Follow-ups: reply to my answer; in a private chat just keep asking (I remember the conversation for %s).\n",
		commands: "Commands\n" +
			"/ask QUESTION – ask a question\n" +
			"/source N – show paragraph N (/source DOC N when several documents are loaded; /source p3 shows page 3)\n" +
			"/docs – the documents I know, with paragraph counts\n" +
			"/about – what I am and the documents I answer from\n" +
			"/new – start a new conversation\n" +
			"/use NAME … – answer from these documents only (/use all: every document; in a group, admins)\n" +
			"/help – this message",
		privacy: "Groups and privacy mode\n" +
			"With privacy mode on (the default) a bot in a group only sees commands, replies to its own messages and, not reliably, mentions. " +
			"For mentions to work reliably a group admin can either disable privacy mode in @BotFather (/setprivacy → Disable) or make me an admin of the group. " +
			"After changing privacy mode, remove me from the group and add me again.",
		docsLine: "%d. %s — %s",
		docsHint: "Send me a document file to add it; /remove NAME removes one.",
		adminHelp: "Admin\n" +
			"Send me a document file (up to %s) in this chat to add it.\n" +
			"/remove NAME – remove a document (names as in /docs)\n" +
			"/feedback – the latest 👎 with their questions",
		onlyAdminsAdd:  "Only admins can add documents.",
		onlyAdminsDel:  "Only admins can remove documents.",
		privateOnly:    "Please send documents and /remove to me in a private chat.",
		feedbackOnly:   "Please use /feedback in a private chat with me: it shows questions from other chats.",
		uploadsOff:     "Adding and removing documents is not enabled on this bot.",
		badFile:        "Couldn't add this file: %s",
		tooLarge:       "%s is too large (%s); the limit is %s.",
		overLimit:      "%s is larger than the limit of %s.",
		downloadFailed: "Couldn't download %s from Telegram. Please try again in a moment.",
		added:          "Added %s: %s. Ask away.",
		addFailed:      "Couldn't add %s: %s",
		removeUsage:    "Usage: /remove NAME, with one of: %s",
		noSuchDoc:      "There is no document called %s. Documents: %s",
		removed:        "Removed %s.",
		removeFailed:   "Couldn't remove %s: %s",
		docGone:        "That document is no longer loaded.",
		sizeUnits:      [3]string{"bytes", "KB", "MB"},
		interrupted:    "Interrupted by a restart. I'll answer here when I'm back; if I don't, please ask again.",
		stopped:        "Stopped: this is the part verified before you pressed stop.",
		tooOld:         "Sorry, this took too long and I couldn't answer in time. Please ask again.",
		poisoned:       "Sorry, this message could not be processed.",
		paragraphs:     [2]string{"%d paragraph", "%d paragraphs"},
		readByOCR:      ", read by OCR (may contain recognition errors)",
	},
	"zh": {
		emptyAnswer:      "（没有回答）",
		ungrounded:       "此回答未能在文档中核实出处，请谨慎参考。",
		related:          "相关段落：",
		apology:          "抱歉，回答时出了点问题，请稍后再试。",
		refused:          "抱歉，这是一个私有机器人，在这里不可用。",
		tooLong:          "问题太长了，请控制在 %d 个字以内。",
		rateLimited:      "提问太快了，请等大约 %d 秒再试。",
		emptyQuestion:    "请在命令后写上问题，例如：/ask 这篇文章的主题是什么？",
		unknownCmd:       "不认识这个命令，请看 /help。",
		sourceUsage:      "用法：/source N（段落编号，如 ¶6），或 /source p3 查看第 3 页的段落。",
		sourceDocs:       "已加载多个文档，请用 /source 文档名 N，可选文档：%s",
		noParagraph:      "没有这个段落。",
		noDocuments:      "没有加载任何文档。",
		aboutHeader:      "我根据以下文档回答：",
		aboutIntro:       "我是 citebot：我回答关于文档的问题，逐字引用原文，并标明所引用的段落（¶）。文档里没有的，我会直说。",
		aboutLine:        "• 《%s》（%s）",
		docsHeader:       "文档：",
		greet:            "在的！请就文档提问，例如：%s 这篇文章讲了什么？",
		newChat:          "好的，开始新的对话：之前的问题已清除。",
		thanks:           "感谢反馈！",
		thanksDown:       "感谢！哪里不对？（可选，点下方按钮）",
		downFirst:        "请先点 👎。",
		reasons:          [3]string{"引文有误", "文档中没有", "不完整"},
		feedbackHead:     "反馈：%d 👍，%d 👎。",
		feedbackDowns:    "最近的 👎：",
		feedbackNone:     "还没有 👎。",
		docsActive:       "✓ 本聊天只根据打勾的文档回答（/use all 恢复全部文档）。",
		useAll:           "本聊天根据全部文档回答：%s。\n只用部分文档：/use 文档名 …（/use all 恢复全部）。",
		useSome:          "本聊天只根据以下文档回答：%s。\n/use all 恢复全部文档。",
		useAdminsOnly:    "只有群管理员可以选择本群使用的文档。",
		inlineHint:       "输入关于文档的问题",
		callbackError:    "找不到该段落。",
		paragraphPrivate: "此段落仅你可见。",
		resultTitle:      "来自文档的回答",
		greeting:         "你好！我回答关于%s的问题，并逐字引用原文。",
		howTo: "如何提问\n" +
			"• 私聊：直接发送问题。\n" +
			"• 群组：@我（%s 你的问题）、回复我的回答，或使用 /ask 你的问题%s。\n" +
			"%s每个论断都引用带编号的段落（¶）并附原文；点击 ¶ 按钮可查看整段。",
		keyword:   `，或以“%s”开头`,
		followUps: "• 追问：回复我的回答；私聊中直接继续提问即可（对话会保留 %s）。\n",
		commands: "命令\n" +
			"/ask 问题 – 提问\n" +
			"/source N – 查看第 N 段（多个文档时用 /source 文档名 N；/source p3 查看第 3 页）\n" +
			"/docs – 已加载的文档及段数\n" +
			"/about – 我是谁、依据哪些文档\n" +
			"/new – 开始新的对话\n" +
			"/use 文档名 … – 只根据这些文档回答（/use all 恢复全部；群里由管理员设置）\n" +
			"/help – 本帮助",
		privacy: "群组与隐私模式\n" +
			"隐私模式开启时（默认），机器人在群里只能收到命令、对它消息的回复，以及（不一定可靠的）@提及。" +
			"如需可靠地响应 @提及，请群管理员在 @BotFather 中关闭隐私模式（/setprivacy → Disable），或把我设为群管理员。" +
			"更改隐私模式后，需要把我移出群组再重新拉进来。",
		docsLine: "%d. %s — %s",
		docsHint: "发给我文档文件即可添加；/remove 文档名 可删除文档。",
		adminHelp: "管理员\n" +
			"在此私聊中发给我文档文件（不超过 %s）即可添加。\n" +
			"/remove 文档名 – 删除文档（名称见 /docs）\n" +
			"/feedback – 最近的 👎 及其问题",
		onlyAdminsAdd:  "只有管理员可以添加文档。",
		onlyAdminsDel:  "只有管理员可以删除文档。",
		privateOnly:    "请在与我的私聊中发送文档或使用 /remove。",
		feedbackOnly:   "请在与我的私聊中使用 /feedback：它会显示其他聊天中的问题。",
		uploadsOff:     "此机器人未启用添加和删除文档。",
		badFile:        "无法添加这个文件：%s",
		tooLarge:       "%s 太大了（%s），上限是 %s。",
		overLimit:      "%s 超过了 %s 的上限。",
		downloadFailed: "无法从 Telegram 下载 %s，请稍后再试。",
		added:          "已添加 %s：共 %s。",
		addFailed:      "无法添加 %s：%s",
		removeUsage:    "用法：/remove 文档名，可选：%s",
		noSuchDoc:      "没有名为 %s 的文档。现有文档：%s",
		removed:        "已删除 %s。",
		removeFailed:   "无法删除 %s：%s",
		docGone:        "该文档已不再加载。",
		sizeUnits:      [3]string{"字节", "KB", "MB"},
		interrupted:    "回答因重启而中断。我恢复后会在这里回答；如果没有，请重新提问。",
		stopped:        "已停止：以上是停止前已核实的部分。",
		tooOld:         "抱歉，耽搁太久，没能及时回答。请重新提问。",
		poisoned:       "抱歉，这条消息无法处理。",
		paragraphs:     [2]string{"%d 段", "%d 段"}, // no plural
		readByOCR:      "，由文字识别（OCR）读取，可能有识别错误",
	},
}

// isChinese reports whether s contains Han characters.
func isChinese(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// userLang picks "zh" when the user's client language is Chinese or the
// text is Chinese, else "en".
func userLang(languageCode, text string) string {
	if strings.HasPrefix(strings.ToLower(languageCode), "zh") || isChinese(text) {
		return "zh"
	}
	return "en"
}

// docNames lists the documents for the greeting, by title (their file
// name when they have none).
func docNames(docs []answer.DocInfo, lang string) string {
	if len(docs) == 0 {
		if lang == "zh" {
			return "已加载的文档"
		}
		return "the loaded documents"
	}
	names := make([]string, len(docs))
	for i, d := range docs {
		names[i] = docTitle(d)
	}
	if lang == "zh" {
		return "《" + strings.Join(names, "》《") + "》"
	}
	return "“" + strings.Join(names, "”, “") + "”"
}

// docTitle is how a document is called to users: its title, else its
// file name.
func docTitle(d answer.DocInfo) string {
	if t := strings.TrimSpace(d.Title); t != "" {
		return truncateRunes(t, 80)
	}
	return d.Name
}

// helpText returns the /start (full=false) or /help (full=true) text, plain.
// ttl is how long conversations are remembered, 0 when they are not.
// adminLimit, when not empty, adds the admin section (uploads up to that
// size, /remove) to the full text; ownLimit, when not empty, the chat's
// own documents (a line of /start, a section of /help).
func helpText(lang string, full bool, docs []answer.DocInfo, username, keyword string, ttl time.Duration, adminLimit, ownLimit string) string {
	t := texts[lang]
	kw := ""
	if keyword != "" {
		kw = fmt.Sprintf(t.keyword, keyword)
	}
	followUps := ""
	if ttl > 0 {
		followUps = fmt.Sprintf(t.followUps, minutes(ttl, lang))
	}
	parts := []string{
		fmt.Sprintf(t.greeting, docNames(docs, lang)),
		fmt.Sprintf(t.howTo, "@"+username, kw, followUps),
	}
	if full {
		parts = append(parts, t.commands)
		if ownLimit != "" {
			parts = append(parts, fmt.Sprintf(chatDocTexts[lang].help, ownLimit))
		}
		if adminLimit != "" {
			parts = append(parts, fmt.Sprintf(t.adminHelp, adminLimit))
		}
		parts = append(parts, t.privacy)
	} else {
		if ownLimit != "" {
			parts = append(parts, fmt.Sprintf(chatDocTexts[lang].startHint, ownLimit))
		}
		parts = append(parts, "/help")
	}
	return strings.Join(parts, "\n\n")
}

// minutes formats d as a number of minutes for users.
func minutes(d time.Duration, lang string) string {
	m := max(int(d.Round(time.Minute)/time.Minute), 1)
	if lang == "zh" {
		return fmt.Sprintf("%d 分钟", m)
	}
	if m == 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", m)
}

// formatSize formats a byte count for users: "512 bytes", "300 KB",
// "20 MB", "20.5 MB" (binary units, as Telegram counts them).
func formatSize(n int64, lang string) string {
	u := texts[lang].sizeUnits
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d %s", n, u[0])
	case n < 1<<20:
		return fmt.Sprintf("%d %s", (n+1<<9)>>10, u[1])
	}
	s := strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64)
	return strings.TrimSuffix(s, ".0") + " " + u[2]
}
