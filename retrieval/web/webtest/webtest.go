// Package webtest makes saved web pages for tests: an article laid out as
// a news site lays it out, with a navigation menu, a sidebar, a footer,
// scripts and styles around it, none of which is document text.
//
// The generator is deterministic and safe for concurrent use.
package webtest

import (
	"html"
	"strings"
)

// Texts around the article that are not document text.
const (
	// MenuText is an entry of the navigation menu.
	MenuText = "Webtest menu entry"
	// ScriptText is in a script and in a style.
	ScriptText = "webtestScriptText"
)

// Page returns a UTF-8 web page whose article has the heading title and
// the paragraphs paras, with a header holding a navigation menu, an aside
// holding sidebar, a footer holding footer, inline and linked scripts and
// a style sheet. Within a paragraph, pieces are wrapped in strong and a
// elements, and a space between two Latin words is written as a line
// break in the source, as editors wrap lines.
func Page(title string, paras []string, sidebar, footer string) []byte {
	var b strings.Builder
	t := html.EscapeString(title)
	b.WriteString(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>` + t + ` | Webtest News</title>
<meta property="og:title" content="` + t + `">
<meta property="og:site_name" content="Webtest News">
<link rel="stylesheet" href="/static/site.css">
<style>.` + ScriptText + ` { color: red; } body { font-family: serif; }</style>
<script>window.dataLayer = []; var label = "` + ScriptText + `";</script>
<script src="/static/analytics.js" async></script>
</head>
<body class="article-page">
<header class="site-header">
<a class="logo" href="/">Webtest News</a>
<nav class="main-nav" role="navigation"><ul>
<li><a href="/">` + MenuText + `</a></li>
<li><a href="/world">World</a></li>
<li><a href="/business">Business</a></li>
<li><a href="/tech">Technology</a></li>
</ul></nav>
</header>
<main id="main" class="container">
<article class="post">
<h1 class="post-title">` + t + `</h1>
`)
	for i, p := range paras {
		b.WriteString(`<p>` + paragraphHTML(p, i) + "</p>\n")
	}
	b.WriteString(`</article>
<aside class="sidebar widget-area">
<section class="widget"><h3 class="widget-title">Related</h3>
<p>` + html.EscapeString(sidebar) + `</p>
<ul><li><a href="/a">More news</a></li><li><a href="/b">Most read</a></li></ul>
</section>
</aside>
</main>
<footer class="site-footer">
<p>` + html.EscapeString(footer) + `</p>
<nav class="footer-nav"><a href="/about">About</a> | <a href="/privacy">Privacy</a></nav>
</footer>
<script>document.querySelectorAll(".` + ScriptText + `").forEach(function (e) { e.remove(); });</script>
</body>
</html>
`)
	return []byte(b.String())
}

// paragraphHTML returns p as HTML: its second third in strong, its last
// third in a link, and the first space between two Latin letters as a
// line break in the source.
func paragraphHTML(p string, i int) string {
	r := []rune(p)
	a, c := len(r)/3, 2*len(r)/3
	first, second, third := string(r[:a]), string(r[a:c]), string(r[c:])
	var b strings.Builder
	b.WriteString(wrapSource(first))
	if second != "" {
		b.WriteString(`<strong>` + wrapSource(second) + `</strong>`)
	}
	if third != "" {
		b.WriteString(`<a href="/topic/` + string(rune('a'+i%26)) + `">` + wrapSource(third) + `</a>`)
	}
	return b.String()
}

// wrapSource escapes s and writes its first single space between two
// ASCII letters as a line feed.
func wrapSource(s string) string {
	r := []rune(s)
	for i := 1; i+1 < len(r); i++ {
		if r[i] == ' ' && isLetter(r[i-1]) && isLetter(r[i+1]) {
			return html.EscapeString(string(r[:i])) + "\n" + html.EscapeString(string(r[i+1:]))
		}
	}
	return html.EscapeString(s)
}

func isLetter(r rune) bool { return r < 0x80 && (r|0x20 >= 'a' && r|0x20 <= 'z') }
