package bot

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/citebot/citebot/answer"
)

// sourceTexts are the words of /source's page form.
type sourceTexts struct {
	noPages     string
	noPage      string // %d: page
	pageHeading string // %d: page
}

var sourceTextsByLang = map[string]sourceTexts{
	"en": {
		noPages:     "This document has no page numbers: use /source N with a paragraph number.",
		noPage:      "There is no page %d in this document.",
		pageHeading: "Page %d",
	},
	"zh": {
		noPages:     "此文档没有页码，请用 /source N 指定段落编号。",
		noPage:      "此文档没有第 %d 页。",
		pageHeading: "第 %d 页",
	},
}

// source answers /source N, /source DOC N (a whole paragraph) and /source
// p3, /source DOC p3 ¶N (the paragraphs of a page, or one of them). It
// counts against user's button rate limit, like a ¶ press, and renders
// no more of the text than maxMessages messages show.
func (b *Bot) source(ctx context.Context, t target, user int64, lang, args string) {
	tt := texts[lang]
	if ok, warn, wait := b.cbLimits.allow(user, time.Now()); !ok {
		if warn {
			b.reply(ctx, t, fmt.Sprintf(tt.rateLimited, int(wait.Seconds()+0.999)))
		} else {
			b.setReaction(ctx, t.chat, t.replyTo, reactionLater)
		}
		return
	}
	ans := b.answererFor(ctx, t.chat)
	docs := ans.Documents()
	ref, problem := parseSourceRef(args, docs)
	switch problem {
	case srcUsage:
		b.reply(ctx, t, tt.sourceUsage)
		return
	case srcNoDocuments:
		b.reply(ctx, t, tt.noDocuments)
		return
	case srcWhichDoc:
		b.reply(ctx, t, fmt.Sprintf(tt.sourceDocs, docList(docs)))
		return
	}
	var html string
	if ref.page > 0 {
		var refusal string
		if html, refusal = b.pageHTML(ans, ref, docs, lang); refusal != "" {
			b.reply(ctx, t, refusal)
			return
		}
	} else {
		p, ok := ans.Paragraph(ref.doc, ref.n)
		if !ok {
			b.reply(ctx, t, tt.noParagraph)
			return
		}
		p.Text = cutForMessages(p.Text)
		html = renderParagraph(p, len(docs) > 1)
	}
	if _, err := b.sendHTML(ctx, t, html, nil); err != nil {
		b.log.Warn("couldn't send a paragraph", "chat", t.chat, "err", err)
	}
}

// pageHTML renders what ref (a page reference) shows: one paragraph of
// the page when ref.n is set, else the page's paragraphs under a heading,
// as many as maxMessages messages hold. refusal is the reply instead when
// there is nothing to show.
func (b *Bot) pageHTML(ans Answerer, ref sourceRef, docs []answer.DocInfo, lang string) (html, refusal string) {
	st := sourceTextsByLang[lang]
	i := slices.IndexFunc(docs, func(d answer.DocInfo) bool { return d.Name == ref.doc })
	if i < 0 || docs[i].Pages == 0 {
		return "", st.noPages
	}
	info, many := docs[i], len(docs) > 1
	first, start, ok := b.firstOnPage(ans, info, ref.page)
	if !ok {
		return "", fmt.Sprintf(st.noPage, ref.page)
	}
	if ref.n >= 0 {
		p, ok := ans.Paragraph(info.Name, ref.n)
		if !ok || p.Page != ref.page {
			p, ok = ans.Paragraph(info.Name, first+ref.n-1)
		}
		if !ok || ref.n < 1 || p.Page != start && p.Page != ref.page {
			return "", texts[lang].noParagraph
		}
		p.Text = cutForMessages(p.Text)
		return renderParagraph(p, many), ""
	}
	heading := fmt.Sprintf(st.pageHeading, ref.page)
	if many {
		heading += " · " + ref.doc
	}
	var sb strings.Builder
	sb.WriteString("<b>" + escapeHTML(heading) + "</b>")
	budget := maxMessages*maxMessageUnits + 1
	for n := first; n <= info.Paragraphs && budget > 0; n++ {
		p, ok := ans.Paragraph(info.Name, n)
		if !ok || p.Page != start {
			break
		}
		p.Text = cutForMessages(p.Text)
		para := renderParagraph(p, many)
		budget -= utf16Len(para)
		sb.WriteString("\n\n" + para)
	}
	return sb.String(), ""
}

// firstOnPage returns the first body paragraph of info shown for page and
// the page it starts on: the first paragraph starting on page, else the
// one running through it from an earlier page. ok is false when page is
// not in the document. Pages never decrease along the paragraph numbers,
// so a binary search finds it in a few lookups however long the document.
func (b *Bot) firstOnPage(ans Answerer, info answer.DocInfo, page int) (n, start int, ok bool) {
	if page < 1 || page > info.Pages || info.Paragraphs < 1 {
		return 0, 0, false
	}
	pageOf := func(n int) int {
		p, ok := ans.Paragraph(info.Name, n)
		if !ok {
			return math.MaxInt
		}
		return p.Page
	}
	n = 1 + sort.Search(info.Paragraphs, func(i int) bool { return pageOf(i+1) >= page })
	if n <= info.Paragraphs && pageOf(n) == page {
		return n, page, true
	}
	if n > 1 {
		return n - 1, pageOf(n - 1), true
	}
	return 0, 0, false
}

type srcProblem int

const (
	srcOK srcProblem = iota
	srcUsage
	srcNoDocuments
	srcWhichDoc
)

// sourceRef is what /source's arguments point at.
type sourceRef struct {
	doc string
	// page is the 1-based page; 0 when a paragraph is named alone.
	page int
	// n is the paragraph; -1 for a whole page.
	n int
}

// maxSourceNumber bounds a page or paragraph number in /source.
const maxSourceNumber = 9_999_999

// pageRefRE matches a page reference at the end of /source's arguments:
// "p3", "p. 3", "page 3", "pg 3", "第3页", each optionally followed by a
// paragraph ("¶2", "#2", "2", "第2段").
var pageRefRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)(?:^|\s)(?:(?:p|pp|pg|page)\.?\s*(\d{1,7})|第\s*(\d{1,7})\s*页)` +
		`(?:(?:(?:\s*[,，、]\s*|\s+)(?:[¶#]|第)?|\s*(?:[¶#]|第))\s*(\d{1,7})\s*段?)?$`)
})

// parsePageRef parses a page reference: the document part before it
// (possibly ""), the page and the paragraph (-1 when none). ok is false
// when args do not end in one, or name page 0.
func parsePageRef(args string) (name string, page, n int, ok bool) {
	args = strings.TrimSpace(args)
	m := pageRefRE().FindStringSubmatchIndex(args)
	if m == nil {
		return "", 0, 0, false
	}
	num := func(k int) int {
		if m[2*k] < 0 {
			return -1
		}
		v, _ := strconv.Atoi(args[m[2*k]:m[2*k+1]])
		return v
	}
	page = max(num(1), num(2))
	n = num(3)
	if page < 1 || page > maxSourceNumber {
		return "", 0, 0, false
	}
	return strings.TrimSpace(args[:m[0]]), page, n, true
}

// parseSourceRef parses /source's arguments: a page reference (see
// parsePageRef) or a paragraph (see parseSourceArgs), after an optional
// document.
func parseSourceRef(args string, docs []answer.DocInfo) (sourceRef, srcProblem) {
	if name, page, n, ok := parsePageRef(args); ok {
		if len(docs) == 0 {
			return sourceRef{}, srcNoDocuments
		}
		doc, problem := resolveSourceDoc(name, docs)
		if problem != srcOK {
			return sourceRef{}, problem
		}
		return sourceRef{doc: doc, page: page, n: n}, srcOK
	}
	doc, n, problem := parseSourceArgs(args, docs)
	return sourceRef{doc: doc, n: n}, problem
}

// parseSourceArgs parses "N", "¶N" or "DOC N". DOC is a document name
// (case-insensitive), its 1-based number in /about, or a unique prefix.
// With one document DOC may be left out.
func parseSourceArgs(args string, docs []answer.DocInfo) (doc string, n int, problem srcProblem) {
	fields := strings.Fields(args)
	if len(fields) == 0 {
		return "", 0, srcUsage
	}
	last := strings.TrimLeft(fields[len(fields)-1], "¶#")
	n, err := strconv.Atoi(last)
	if err != nil || n < 0 {
		return "", 0, srcUsage
	}
	if len(docs) == 0 {
		return "", 0, srcNoDocuments
	}
	doc, problem = resolveSourceDoc(strings.Join(fields[:len(fields)-1], " "), docs)
	if problem != srcOK {
		return "", 0, problem
	}
	return doc, n, srcOK
}

// resolveSourceDoc returns the document name names among docs (not
// empty): name itself (case-insensitive), a 1-based number, or a unique
// prefix; "" names the only document.
func resolveSourceDoc(name string, docs []answer.DocInfo) (string, srcProblem) {
	if name == "" {
		if len(docs) == 1 {
			return docs[0].Name, srcOK
		}
		return "", srcWhichDoc
	}
	for _, d := range docs {
		if strings.EqualFold(d.Name, name) {
			return d.Name, srcOK
		}
	}
	if i, err := strconv.Atoi(name); err == nil && i >= 1 && i <= len(docs) {
		return docs[i-1].Name, srcOK
	}
	match := -1
	for i, d := range docs {
		if len(d.Name) >= len(name) && strings.EqualFold(d.Name[:len(name)], name) {
			if match >= 0 {
				return "", srcWhichDoc
			}
			match = i
		}
	}
	if match < 0 {
		return "", srcWhichDoc
	}
	return docs[match].Name, srcOK
}
