package office

import (
	"encoding/xml"

	"path"
	"strings"
)

// relTarget returns the archive path of the first relationship of the part
// source ("" for the package) whose type ends with typeSuffix, or "" when
// there is none or the relationships cannot be read.
func (a *archive) relTarget(source, typeSuffix string) string {
	dir, base := path.Split(source)
	relsName := path.Join(dir, "_rels", base+".rels")
	data, err := a.read(relsName)
	if err != nil {
		return ""
	}
	s := newXMLStream(relsName, data)
	for {
		tok, err := s.next()
		if err != nil {
			return ""
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Relationship" {
			continue
		}
		if !strings.HasSuffix(attr(se, "Type"), typeSuffix) || strings.EqualFold(attr(se, "TargetMode"), "External") {
			continue
		}
		return resolvePath(dir, attr(se, "Target"))
	}
}

// resolvePath returns the archive path of the reference target made from
// a part in the folder dir: absolute targets start at the archive's root.
func resolvePath(dir, target string) string {
	if i := strings.IndexAny(target, "#?"); i >= 0 {
		target = target[:i]
	}
	if target == "" {
		return ""
	}
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Clean("/"+dir+"/"+target), "/")
}
