package retrieval

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/citebot/citebot/retrieval/document"
)

// The snapshot file holds the passage IDs, their vectors and the lexical
// index, keyed by everything they depend on. Layout (little-endian):
//
//	magic   [8]byte  "CBIDXSNP"
//	version uint32   snapshotVersion
//	key     [32]byte snapshotKey of the build
//	dim     uint32
//	n       uint32   passages
//	n times: uvarint length, ID bytes
//	n*dim   float32  vectors, row by row
//	the lexical section (see lexpersist.go)
//	sum     [32]byte SHA-256 of everything before it
//
// It is written to a temporary file in the same directory, synced and
// renamed over the old one, so a reader sees either the old or the new
// snapshot, never half of one.
const (
	snapshotMagic   = "CBIDXSNP"
	snapshotVersion = 2
	snapshotPrefix  = "index-"
	snapshotSuffix  = ".snap"
	// maxSnapshotDim and maxSnapshotIDLen bound what a corrupt header can
	// make the loader allocate.
	maxSnapshotDim   = 1 << 16
	maxSnapshotIDLen = 1 << 16
)

// snapshotKey returns the SHA-256 over the inputs the snapshot depends
// on: each document's name and content hash, the embedder, the chunker
// version, the passage limit and the tokenizer (see [lexicalFingerprint]).
func snapshotKey(docs []*document.Document, opts Options) [32]byte {
	h := sha256.New()
	field := func(s string) {
		var n [binary.MaxVarintLen64]byte
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
		h.Write([]byte(s))
	}
	field("citebot index snapshot")
	field(strconv.Itoa(snapshotVersion))
	field(strconv.Itoa(len(docs)))
	for _, d := range docs {
		field(d.Name)
		field(d.Hash)
	}
	field(opts.EmbedderID)
	field(document.ChunkerVersion)
	field(strconv.Itoa(opts.MaxPassageRunes))
	field(lexicalFingerprint())
	var key [32]byte
	h.Sum(key[:0])
	return key
}

// snapshotStore reads and writes the snapshot of one build under dir.
type snapshotStore struct {
	dir string
	key [32]byte
	log *slog.Logger
}

// path is the snapshot file for the key: a different key is a different
// file, so a stale snapshot is never mistaken for a current one.
func (s *snapshotStore) path() string {
	return filepath.Join(s.dir, snapshotPrefix+hex.EncodeToString(s.key[:8])+snapshotSuffix)
}

// snapshot is what a snapshot file holds beside the passage IDs.
type snapshot struct {
	vecs []float32
	dim  int
	lex  *lexicalIndex
}

// load returns the snapshot for passages, or ok false when there is no
// usable one. A missing file is normal; an unreadable, corrupt or
// mismatched one is logged as a warning.
func (s *snapshotStore) load(passages []document.Passage) (snap snapshot, ok bool) {
	s.removeOrphans(time.Now())
	path := s.path()
	snap, err := readSnapshot(path, s.key, passages)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			s.log.Debug("no index snapshot", "file", path)
		} else {
			s.log.Warn("index snapshot unusable, rebuilding", "file", path, "err", err)
		}
		return snapshot{}, false
	}
	return snap, true
}

// orphanAge is how old a temporary snapshot file must be to count as left
// by a process that died while writing it (a write takes seconds).
const orphanAge = 10 * time.Minute

// removeOrphans deletes temporary snapshot files older than orphanAge,
// left behind when a process was killed during a save.
func (s *snapshotStore) removeOrphans(now time.Time) {
	tmps, _ := filepath.Glob(filepath.Join(s.dir, ".index-*.tmp"))
	for _, t := range tmps {
		if info, err := os.Lstat(t); err == nil && info.Mode().IsRegular() && now.Sub(info.ModTime()) > orphanAge {
			if os.Remove(t) == nil {
				s.log.Info("removed a snapshot file left by an interrupted save", "file", t)
			}
		}
	}
}

// errCorrupt marks a snapshot whose contents are not what was written.
var errCorrupt = errors.New("corrupt snapshot")

// readSnapshot reads and checks the snapshot at path, which must hold
// the vectors and lexical index of passages under key.
func readSnapshot(path string, key [32]byte, passages []document.Passage) (snapshot, error) {
	var none snapshot
	// Opening a FIFO or a device would block or read forever: only a
	// regular file can be a snapshot.
	if info, err := os.Lstat(path); err != nil {
		return none, err
	} else if !info.Mode().IsRegular() {
		return none, fmt.Errorf("%w: not a regular file (%s)", errCorrupt, info.Mode().Type())
	}
	f, err := os.Open(path)
	if err != nil {
		return none, err
	}
	defer f.Close()
	r, err := newSnapshotReader(f)
	if err != nil {
		return none, err
	}
	dim, err := r.header(key, len(passages))
	if err != nil {
		return none, err
	}
	if err := r.ids(passages); err != nil {
		return none, err
	}
	vecs, err := r.vectors(len(passages) * dim)
	if err != nil {
		return none, err
	}
	texts := passageTexts(passages)
	lex, keys, err := r.lexical(texts)
	if err != nil {
		return none, err
	}
	if err := r.verify(); err != nil {
		return none, err
	}
	if err := lex.restore(keys, texts); err != nil {
		return none, err
	}
	for i := range len(passages) {
		for _, x := range vecs[i*dim : (i+1)*dim] {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return none, fmt.Errorf("%w: vector %d is not finite", errCorrupt, i)
			}
		}
	}
	return snapshot{vecs: vecs, dim: dim, lex: lex}, nil
}

// snapshotReader reads a snapshot's body through its checksum.
type snapshotReader struct {
	f    *os.File
	size int64
	sum  hash.Hash
	body *bufio.Reader
}

// snapshotFixed is the size of the header: magic, version, key, dim, n.
const snapshotFixed = 8 + 4 + 32 + 4 + 4

func newSnapshotReader(f *os.File) (*snapshotReader, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := info.Size()
	if size < snapshotFixed+sha256.Size {
		return nil, fmt.Errorf("%w: %d bytes is too short", errCorrupt, size)
	}
	r := &snapshotReader{f: f, size: size, sum: sha256.New()}
	r.body = bufio.NewReaderSize(io.TeeReader(io.LimitReader(f, size-sha256.Size), r.sum), 1<<16)
	return r, nil
}

// header checks the magic, version and key and returns the dimension; the
// snapshot must hold n vectors.
func (r *snapshotReader) header(key [32]byte, n int) (int, error) {
	var hdr [snapshotFixed]byte
	if _, err := io.ReadFull(r.body, hdr[:]); err != nil {
		return 0, fmt.Errorf("%w: header: %v", errCorrupt, err)
	}
	if string(hdr[:8]) != snapshotMagic {
		return 0, fmt.Errorf("%w: not a citebot index snapshot", errCorrupt)
	}
	if v := binary.LittleEndian.Uint32(hdr[8:]); v != snapshotVersion {
		return 0, fmt.Errorf("snapshot format version %d, want %d", v, snapshotVersion)
	}
	if !bytes.Equal(hdr[12:44], key[:]) {
		return 0, fmt.Errorf("%w: key does not match the file name", errCorrupt)
	}
	dim := int(binary.LittleEndian.Uint32(hdr[44:]))
	if dim <= 0 || dim > maxSnapshotDim {
		return 0, fmt.Errorf("%w: dimension %d", errCorrupt, dim)
	}
	if got := int(binary.LittleEndian.Uint32(hdr[48:])); got != n {
		return 0, fmt.Errorf("snapshot has %d passages, the documents have %d", got, n)
	}
	// The vectors alone need n*dim*4 bytes: check before allocating.
	if int64(n)*int64(dim)*4 > r.size {
		return 0, fmt.Errorf("%w: %d bytes cannot hold %d vectors of %d dimensions", errCorrupt, r.size, n, dim)
	}
	return dim, nil
}

// ids checks that the snapshot's passage IDs are those of passages.
func (r *snapshotReader) ids(passages []document.Passage) error {
	var id []byte
	for i, p := range passages {
		l, err := binary.ReadUvarint(r.body)
		if err != nil || l > maxSnapshotIDLen {
			return fmt.Errorf("%w: passage %d ID length", errCorrupt, i)
		}
		id = slices.Grow(id[:0], int(l))[:l]
		if _, err := io.ReadFull(r.body, id); err != nil {
			return fmt.Errorf("%w: passage %d ID: %v", errCorrupt, i, err)
		}
		if string(id) != p.ID {
			return fmt.Errorf("snapshot passage %d is %q, want %q", i, id, p.ID)
		}
	}
	return nil
}

// vectors reads n float32s.
func (r *snapshotReader) vectors(n int) ([]float32, error) {
	vecs := make([]float32, n)
	if err := r.read("vectors", vecs); err != nil {
		return nil, err
	}
	return vecs, nil
}

// verify checks that the body ends here and matches the checksum after it.
func (r *snapshotReader) verify() error {
	if _, err := r.body.ReadByte(); err != io.EOF {
		return fmt.Errorf("%w: trailing bytes", errCorrupt)
	}
	var want [sha256.Size]byte
	if _, err := io.ReadFull(r.f, want[:]); err != nil {
		return fmt.Errorf("%w: checksum: %v", errCorrupt, err)
	}
	if !bytes.Equal(r.sum.Sum(nil), want[:]) {
		return fmt.Errorf("%w: checksum mismatch", errCorrupt)
	}
	return nil
}

// save writes the snapshot atomically (temporary file, fsync, rename, sync
// of the directory) and then removes snapshots of other keys.
func (s *snapshotStore) save(passages []document.Passage, snap snapshot) (err error) {
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return fmt.Errorf("couldn't create data directory: %w", err)
	}
	tmp, err := os.CreateTemp(s.dir, ".index-*.tmp")
	if err != nil {
		return fmt.Errorf("couldn't create snapshot: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	sum := sha256.New()
	w := bufio.NewWriterSize(io.MultiWriter(tmp, sum), 1<<16)
	writeSnapshot(w, s.key, passages, snap)
	if err := w.Flush(); err != nil {
		return fmt.Errorf("couldn't write snapshot: %w", err)
	}
	// The checksum covers the body and goes to the file only.
	if _, err := tmp.Write(sum.Sum(nil)); err != nil {
		return fmt.Errorf("couldn't write snapshot: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("couldn't sync snapshot: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("couldn't close snapshot: %w", err)
	}
	final := s.path()
	if err := os.Rename(tmp.Name(), final); err != nil {
		return fmt.Errorf("couldn't move snapshot into place: %w", err)
	}
	syncDir(s.dir)
	s.removeStale(final)
	s.log.Debug("index snapshot saved", "file", final, "passages", len(passages))
	return nil
}

// writeSnapshot writes the snapshot body (all but the checksum); errors
// surface at w.Flush.
func writeSnapshot(w *bufio.Writer, key [32]byte, passages []document.Passage, snap snapshot) {
	w.WriteString(snapshotMagic)
	var b [binary.MaxVarintLen64]byte
	binary.LittleEndian.PutUint32(b[:], snapshotVersion)
	w.Write(b[:4])
	w.Write(key[:])
	binary.LittleEndian.PutUint32(b[:], uint32(snap.dim))
	w.Write(b[:4])
	binary.LittleEndian.PutUint32(b[:], uint32(len(passages)))
	w.Write(b[:4])
	for _, p := range passages {
		w.Write(b[:binary.PutUvarint(b[:], uint64(len(p.ID)))])
		w.WriteString(p.ID)
	}
	for _, x := range snap.vecs {
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(x))
		w.Write(b[:4])
	}
	writeLexical(w, snap.lex)
}

// removeStale deletes other snapshot files in the directory (from older
// documents, embedders or chunkers).
func (s *snapshotStore) removeStale(keep string) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasPrefix(name, snapshotPrefix) || !strings.HasSuffix(name, snapshotSuffix) {
			continue
		}
		path := filepath.Join(s.dir, name)
		if path == keep {
			continue
		}
		if err := os.Remove(path); err != nil {
			s.log.Warn("couldn't remove stale index snapshot", "file", path, "err", err)
			continue
		}
		s.log.Debug("removed stale index snapshot", "file", path)
	}
}

// syncDir makes a rename durable where the platform supports it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
