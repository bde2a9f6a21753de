package fetch

import (
	"mime"
	"net/url"
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/citebot/citebot/retrieval/document"
)

// mediaType is a content type and the file extensions documents of it
// have, the first being the one a derived name gets.
type mediaType struct {
	name string
	exts []string
}

// octetStream is the type of a file of no declared kind: accepted only
// when the URL or Content-Disposition names a supported extension.
const octetStream = "application/octet-stream"

// mediaTypes are the content types a fetch may return. A type is
// accepted only while the intake reads its first extension
// (document.IsSupportedFile), so a type listed here for a format the
// intake does not read yet (TIFF, WebP) is refused until it does.
var mediaTypes = []mediaType{
	{"text/html", []string{".html", ".htm"}},
	{"application/xhtml+xml", []string{".html", ".htm"}},
	{"text/plain", []string{".txt", ".md"}},
	{"text/markdown", []string{".md"}},
	{"text/x-markdown", []string{".md"}},
	{"application/pdf", []string{".pdf"}},
	{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", []string{".docx"}},
	{"application/vnd.oasis.opendocument.text", []string{".odt"}},
	{"application/epub+zip", []string{".epub"}},
	{"image/png", []string{".png"}},
	{"image/jpeg", []string{".jpg", ".jpeg"}},
	{"image/tiff", []string{".tif", ".tiff"}},
	{"image/webp", []string{".webp"}},
}

// lookupType returns the accepted media type named t (lowercase, no
// parameters).
func lookupType(t string) (mediaType, bool) {
	for _, m := range mediaTypes {
		if m.name == t {
			return m, document.IsSupportedFile("x" + m.exts[0])
		}
	}
	return mediaType{}, false
}

// acceptHeader is the Accept header of a fetch: the accepted types.
func acceptHeader() string {
	var names []string
	for _, m := range mediaTypes {
		if _, ok := lookupType(m.name); ok {
			names = append(names, m.name)
		}
	}
	return strings.Join(names, ", ") + ", */*;q=0.1"
}

// MaxName is the longest [Result.Name], in bytes.
const MaxName = 100

// fileName returns the name of a document of content type ctype (an
// accepted type or octetStream) fetched from u with the
// Content-Disposition header disposition:
//
//  1. the header's file name, cleaned of directories and unsafe
//     characters, with an extension of ctype added unless it has one;
//  2. else the last segment of u's path if it has an extension of ctype
//     (for octetStream, any supported extension);
//  3. else u's host and path as a slug, with ctype's extension.
//
// It returns "" only for an octetStream with no supported name; the
// result is at most MaxName bytes, valid UTF-8, without slashes, control
// or format (bidi) characters, and does not start with a dot.
func fileName(u *url.URL, ctype, disposition string) string {
	m, ok := lookupType(ctype)
	if !ok {
		m = mediaType{name: octetStream}
	}
	if _, params, err := mime.ParseMediaType(disposition); err == nil {
		if n := clean(params["filename"]); n != "" {
			if fits(n, m) {
				return shorten(n)
			}
			if len(m.exts) > 0 {
				return withExt(n, m.exts[0])
			}
		}
	}
	if u != nil {
		if n := clean(path.Base(u.Path)); n != "" && fits(n, m) {
			return shorten(n)
		}
	}
	if len(m.exts) == 0 {
		return ""
	}
	return withExt(slug(u), m.exts[0])
}

// fits reports whether name has an extension of m, or for an
// octet stream, any supported extension.
func fits(name string, m mediaType) bool {
	if m.name == octetStream {
		return document.IsSupportedFile(name)
	}
	return slices.Contains(m.exts, strings.ToLower(path.Ext(name)))
}

// clean makes a file name safe: the part after the last slash or
// backslash, without control, format (bidi, zero-width) or invalid
// characters, characters some file systems refuse replaced by '_',
// runs of spaces made one, and no leading dots or surrounding spaces.
func clean(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	space := false
	for _, r := range name {
		switch {
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			continue
		case unicode.IsSpace(r):
			space = true
			continue
		case strings.ContainsRune(`<>:"|?*`, r):
			r = '_'
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return strings.TrimLeft(b.String(), ". ")
}

// slug is u's host and path as a name stem: runs of characters other
// than letters, digits, '.', '_' and '-' become '-'.
func slug(u *url.URL) string {
	if u == nil {
		return "document"
	}
	var b strings.Builder
	dash := false
	for _, r := range u.Hostname() + "/" + u.Path {
		if r == utf8.RuneError || !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._-", r)) {
			dash = true
			continue
		}
		if dash && b.Len() > 0 {
			b.WriteByte('-')
		}
		dash = false
		b.WriteRune(r)
	}
	s := strings.Trim(b.String(), ".-_")
	if s == "" {
		return "document"
	}
	return s
}

// withExt returns stem+ext, the stem cut so the name fits MaxName.
func withExt(stem, ext string) string {
	stem = strings.TrimRight(truncate(stem, MaxName-len(ext)), ". ")
	if stem == "" {
		stem = "document"
	}
	return stem + ext
}

// shorten cuts name to MaxName bytes, keeping its extension.
func shorten(name string) string {
	if len(name) <= MaxName {
		return name
	}
	ext := path.Ext(name)
	return withExt(strings.TrimSuffix(name, ext), ext)
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
