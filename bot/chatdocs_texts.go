package bot

import (
	"fmt"

	"github.com/citebot/citebot/answer"
)

// ownTexts are the words of chats' own documents in one language.
type ownTexts struct {
	help            string // %s size limit
	startHint       string // %s size limit: the line of /start
	addedOwn        string // %s name, %s docSummary, %s how to ask
	replacedOwn     string // %s name, %s docSummary, %s how to ask
	askPrivate      string
	askGroup        string
	ownMark         string // after a /docs line of the chat's own document
	docsHint        string
	notYours        string // %s name
	sharedDoc       string // %s name
	forgetAsk       string // %s: countDocs
	forgetButton    string // %s: countDocs
	cancel          string
	cancelled       string
	forgetStale     string // a tap on /forget's button once the documents changed
	forgotten       string // %s: countDocs
	forgetNone      string
	forgetAdmins    string
	quotaDocs       string // %s name, %s: countDocs of the limit
	quotaChatBytes  string // %s name, %s needed, %s limit
	quotaPassages   string // %s name, %d needed, %d limit
	quotaUploads    string // %s name, %s: countDocs of the limit
	quotaTotal      string // %s name
	addUsage        string
	addOff          string
	fetchFailed     string // %s reason
	replaced        string // %s name, %s docSummary: a shared document sent again
	emptyDoc        string // %s name
	searchedOnly    string // %s the documents /use restricts the chat to
	stillReading    string // %s the documents of the chat still being read
	groupUploadsOff string
}

var chatDocTexts = map[string]ownTexts{
	"en": {
		startHint: "Got a document of your own? Send me the file (up to %s) or /add LINK, then ask about it. Other chats never see it.",
		help: "Your own documents\n" +
			"Send me a file (up to %s: text, Markdown, PDF, Word, OpenDocument, EPUB, a web page or a photo of a page) or /add LINK to ask about it here; in a group, admins add them (a file mentioning me in its caption, or /add replying to a file). Other chats never see them.\n" +
			"/remove NAME – remove one of this chat's documents\n" +
			"/forget – delete all of this chat's documents",
		addedOwn:        "Added %s to this chat: %s. %s",
		replacedOwn:     "Replaced %s in this chat: %s. %s",
		askPrivate:      "Ask me anything about it.",
		askGroup:        "Ask with /ask followed by your question, or mention me.",
		ownMark:         " · this chat's",
		docsHint:        "Send me a file (or /add LINK) to add it to this chat; /remove NAME removes one, /forget removes them all. Other chats never see them.",
		notYours:        "Only whoever added %s, the group's admins and the bot's admins can remove it.",
		sharedDoc:       "%s is a shared document: only the bot's admins can remove it.",
		forgetAsk:       "Delete all of this chat's documents (%s) and their index? This cannot be undone.",
		forgetButton:    "Delete %s",
		cancel:          "Cancel",
		cancelled:       "Nothing was deleted.",
		forgetStale:     "Nothing was deleted: this chat's documents changed since. Send /forget again.",
		forgotten:       "Deleted this chat's documents (%s).",
		forgetNone:      "This chat has no documents of its own.",
		forgetAdmins:    "Only the group's admins can delete its documents.",
		quotaDocs:       "Couldn't add %s: this chat holds %s, the most allowed. /remove one first (see /docs).",
		quotaChatBytes:  "Couldn't add %s: this chat's documents would take %s, over its limit of %s. /remove one first (see /docs).",
		quotaPassages:   "Couldn't add %s: this chat's documents would have %d passages, over its limit of %d. /remove one first, or send a shorter document.",
		quotaUploads:    "Couldn't add %s: you have added %s today, the most allowed a day. Please try again tomorrow.",
		quotaTotal:      "Couldn't add %s: the bot's space for documents is full. Please try again later, or tell the bot's operator.",
		addUsage:        "Usage: /add LINK, e.g. /add https://example.org/notes.pdf — a web page or a document file; or reply /add to a file sent here.",
		addOff:          "Adding documents by link is not enabled on this bot.",
		fetchFailed:     "Couldn't add this link: %s",
		replaced:        "Replaced %s: %s. Ask away.",
		emptyDoc:        "Couldn't add %s: it has no text to quote from.",
		searchedOnly:    "Searched only in %s, as /use set for this chat; /use all searches every document.",
		stillReading:    "%s is still being read: this answer comes from the documents added so far. Ask again once it is added.",
		groupUploadsOff: "This bot does not take documents in groups. Send it to me in a private chat to ask about it there.",
	},
	"zh": {
		startHint: "有自己的文档？把文件（不超过 %s）发给我，或用 /add 链接，然后就可以提问。其他聊天看不到它。",
		help: "自己的文档\n" +
			"发给我文件（最大 %s：文本、Markdown、PDF、Word、OpenDocument、EPUB、网页或页面照片）或用 /add 链接，即可在此就它提问；群里由管理员添加（文件说明中 @我，或用 /add 回复文件）。其他聊天看不到这些文档。\n" +
			"/remove 文档名 – 删除本聊天的一个文档\n" +
			"/forget – 删除本聊天的全部文档",
		addedOwn:        "已将 %s 添加到本聊天：共 %s。%s",
		replacedOwn:     "已替换本聊天中的 %s：共 %s。%s",
		askPrivate:      "现在可以就它提问了。",
		askGroup:        "用 /ask 加问题，或 @我 提问。",
		ownMark:         " · 本聊天",
		docsHint:        "发给我文件（或 /add 链接）即可添加到本聊天；/remove 文档名 删除一个，/forget 全部删除。其他聊天看不到这些文档。",
		notYours:        "只有添加 %s 的人、群管理员和机器人管理员可以删除它。",
		sharedDoc:       "%s 是共享文档，只有机器人管理员可以删除。",
		forgetAsk:       "删除本聊天的全部文档（%s）及其索引？此操作无法撤销。",
		forgetButton:    "删除 %s",
		cancel:          "取消",
		cancelled:       "未删除任何文档。",
		forgetStale:     "未删除任何文档：本聊天的文档已有变化，请重新发送 /forget。",
		forgotten:       "已删除本聊天的文档（%s）。",
		forgetNone:      "本聊天没有自己的文档。",
		forgetAdmins:    "只有群管理员可以删除本群的文档。",
		quotaDocs:       "无法添加 %s：本聊天已有 %s，达到上限。请先用 /remove 删除一个（见 /docs）。",
		quotaChatBytes:  "无法添加 %s：本聊天的文档将占用 %s，超过上限 %s。请先用 /remove 删除一个（见 /docs）。",
		quotaPassages:   "无法添加 %s：本聊天的文档将有 %d 个段落，超过上限 %d。请先用 /remove 删除一个，或发送更短的文档。",
		quotaUploads:    "无法添加 %s：你今天已添加 %s，达到每日上限。请明天再试。",
		quotaTotal:      "无法添加 %s：机器人的文档存储空间已满。请稍后再试，或联系机器人的运营者。",
		addUsage:        "用法：/add 链接，例如 /add https://example.org/notes.pdf（网页或文档文件）；或用 /add 回复本聊天中的文件。",
		addOff:          "此机器人未启用通过链接添加文档。",
		fetchFailed:     "无法添加这个链接：%s",
		replaced:        "已替换 %s：共 %s。",
		emptyDoc:        "无法添加 %s：其中没有可以引用的文字。",
		searchedOnly:    "按本聊天的 /use 设置，只查找了 %s；/use all 查找全部文档。",
		stillReading:    "%s 还在读取中：这个回答只来自已添加的文档，添加完成后请再问一次。",
		groupUploadsOff: "此机器人不在群里接收文档。请在私聊中发给我，在那里就它提问。",
	},
}

// addedText is the reply to a document added (or, replaced, put in the
// place of one of the same name): to the shared documents (the admins'
// words), or to the chat's own with how to ask there.
func addedText(lang string, info answer.DocInfo, replaced, own, private bool) string {
	tt, ct := texts[lang], chatDocTexts[lang]
	if !own && replaced {
		return fmt.Sprintf(ct.replaced, info.Name, tt.docSummary(info))
	}
	if !own {
		return fmt.Sprintf(tt.added, info.Name, tt.docSummary(info))
	}
	how := ct.askGroup
	if private {
		how = ct.askPrivate
	}
	format := ct.addedOwn
	if replaced {
		format = ct.replacedOwn
	}
	return fmt.Sprintf(format, info.Name, tt.docSummary(info), how)
}

// countDocs is "1 document", "3 documents" or "3 个文档".
func countDocs(lang string, n int64) string {
	switch {
	case lang == "zh":
		return fmt.Sprintf("%d 个文档", n)
	case n == 1:
		return "1 document"
	}
	return fmt.Sprintf("%d documents", n)
}
