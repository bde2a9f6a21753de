package office

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// cfbMagic starts an OLE compound file: an old binary .doc or a
// password-protected Office Open XML document.
var cfbMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// archive reads the entries of one zip file within [MaxInflated].
type archive struct {
	files map[string]*zip.File // by name; the first of duplicates
	lower map[string]*zip.File // by lower-case name
	left  int64                // bytes still allowed to inflate
}

// openArchive opens raw as a zip archive; format names the document kind
// for errors ("a Word document").
func openArchive(raw []byte, format string) (*archive, error) {
	if bytes.HasPrefix(raw, cfbMagic) {
		return nil, fmt.Errorf("%w: an old binary Office file or a password-protected document, not %s (save it as %s again)",
			ErrEncrypted, format, format)
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return nil, fmt.Errorf("%w: not %s (not a zip archive: %v)", ErrNotDocument, format, err)
	}
	if len(zr.File) > MaxEntries {
		return nil, fmt.Errorf("%w: %d archive entries, more than %d", ErrTooLarge, len(zr.File), MaxEntries)
	}
	a := &archive{
		files: make(map[string]*zip.File, len(zr.File)),
		lower: make(map[string]*zip.File, len(zr.File)),
		left:  MaxInflated,
	}
	for _, f := range zr.File {
		name := strings.TrimPrefix(f.Name, "/")
		if _, ok := a.files[name]; !ok {
			a.files[name] = f
		}
		if _, ok := a.lower[strings.ToLower(name)]; !ok {
			a.lower[strings.ToLower(name)] = f
		}
	}
	return a, nil
}

// lookup returns the entry name (a path inside the archive, cleaned),
// matched exactly or else ignoring case, or nil.
func (a *archive) lookup(name string) *zip.File {
	name = strings.TrimPrefix(path.Clean("/"+name), "/")
	if f := a.files[name]; f != nil {
		return f
	}
	return a.lower[strings.ToLower(name)]
}

// has reports whether the archive has the entry name.
func (a *archive) has(name string) bool { return a.lookup(name) != nil }

// errMissing means an entry is not in the archive.
var errMissing = errors.New("missing")

// read returns the inflated bytes of the entry name, counting them
// against the archive's budget.
func (a *archive) read(name string) ([]byte, error) {
	f := a.lookup(name)
	if f == nil {
		return nil, fmt.Errorf("%s: %w", name, errMissing)
	}
	if f.Flags&1 != 0 {
		return nil, fmt.Errorf("%w: %s is encrypted", ErrEncrypted, name)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrDamaged, name, err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	// Deflate inflates at most about 1032 times; a larger claim is a lie.
	if n := f.UncompressedSize64; n > 0 && n <= uint64(a.left) && n/1032 <= f.CompressedSize64 {
		buf.Grow(int(n))
	}
	n, err := buf.ReadFrom(io.LimitReader(rc, a.left+1))
	a.left -= n
	if a.left < 0 {
		return nil, fmt.Errorf("%w: more than %d MiB inflated", ErrTooLarge, MaxInflated>>20)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrDamaged, name, err)
	}
	return buf.Bytes(), nil
}
