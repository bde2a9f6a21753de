package retrieval

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/citebot/citebot/retrieval/document"
)

// The snapshot file holds the passage IDs and their vectors, keyed by
// everything the vectors depend on. Layout (little-endian):
//
//	magic   [8]byte  "CBIDXSNP"
//	version uint32   snapshotVersion
//	key     [32]byte snapshotKey of the build
//	dim     uint32
//	n       uint32   passages
//	n times: uvarint length, ID bytes
//	n*dim   float32  vectors, row by row
//	sum     [32]byte SHA-256 of everything before it
//
// It is written to a temporary file in the same directory, synced and
// renamed over the old one, so a reader sees either the old or the new
// snapshot, never half of one.
const (
	snapshotMagic   = "CBIDXSNP"
	snapshotVersion = 1
	snapshotPrefix  = "index-"
	snapshotSuffix  = ".snap"
	// maxSnapshotDim and maxSnapshotIDLen bound what a corrupt header can
	// make the loader allocate.
	maxSnapshotDim   = 1 << 16
	maxSnapshotIDLen = 1 << 16
)

// snapshotKey returns the SHA-256 over the inputs the vectors depend on:
// each document's name and content hash, the embedder, the chunker
// version and the passage limit.
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

// load returns the vectors of the snapshot for passages, or ok false when
// there is no usable one. A missing file is normal; an unreadable, corrupt
// or mismatched one is logged as a warning.
func (s *snapshotStore) load(passages []document.Passage) (vecs []float32, dim int, ok bool) {
	path := s.path()
	vecs, dim, err := readSnapshot(path, s.key, passages)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			s.log.Debug("no index snapshot", "file", path)
		} else {
			s.log.Warn("index snapshot unusable, rebuilding", "file", path, "err", err)
		}
		return nil, 0, false
	}
	return vecs, dim, true
}

// errCorrupt marks a snapshot whose contents are not what was written.
var errCorrupt = errors.New("corrupt snapshot")

func readSnapshot(path string, key [32]byte, passages []document.Passage) ([]float32, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	size := info.Size()
	const fixed = 8 + 4 + 32 + 4 + 4
	if size < fixed+sha256.Size {
		return nil, 0, fmt.Errorf("%w: %d bytes is too short", errCorrupt, size)
	}
	sum := sha256.New()
	body := bufio.NewReaderSize(io.TeeReader(io.LimitReader(f, size-sha256.Size), sum), 1<<16)

	var hdr [fixed]byte
	if _, err := io.ReadFull(body, hdr[:]); err != nil {
		return nil, 0, fmt.Errorf("%w: header: %v", errCorrupt, err)
	}
	if string(hdr[:8]) != snapshotMagic {
		return nil, 0, fmt.Errorf("%w: not a citebot index snapshot", errCorrupt)
	}
	if v := binary.LittleEndian.Uint32(hdr[8:]); v != snapshotVersion {
		return nil, 0, fmt.Errorf("snapshot format version %d, want %d", v, snapshotVersion)
	}
	if !bytes.Equal(hdr[12:44], key[:]) {
		return nil, 0, fmt.Errorf("%w: key does not match the file name", errCorrupt)
	}
	dim := int(binary.LittleEndian.Uint32(hdr[44:]))
	n := int(binary.LittleEndian.Uint32(hdr[48:]))
	if dim <= 0 || dim > maxSnapshotDim {
		return nil, 0, fmt.Errorf("%w: dimension %d", errCorrupt, dim)
	}
	if n != len(passages) {
		return nil, 0, fmt.Errorf("snapshot has %d passages, the documents have %d", n, len(passages))
	}
	// The vectors alone need n*dim*4 bytes: check before allocating.
	if int64(n)*int64(dim)*4 > size {
		return nil, 0, fmt.Errorf("%w: %d bytes cannot hold %d vectors of %d dimensions", errCorrupt, size, n, dim)
	}
	var id []byte
	for i, p := range passages {
		l, err := binary.ReadUvarint(body)
		if err != nil || l > maxSnapshotIDLen {
			return nil, 0, fmt.Errorf("%w: passage %d ID length", errCorrupt, i)
		}
		id = slicesGrow(id, int(l))
		if _, err := io.ReadFull(body, id); err != nil {
			return nil, 0, fmt.Errorf("%w: passage %d ID: %v", errCorrupt, i, err)
		}
		if string(id) != p.ID {
			return nil, 0, fmt.Errorf("snapshot passage %d is %q, want %q", i, id, p.ID)
		}
	}
	vecs := make([]float32, n*dim)
	var buf [4 << 10]byte
	for i := 0; i < len(vecs); {
		chunk := min(len(buf)/4, len(vecs)-i)
		if _, err := io.ReadFull(body, buf[:chunk*4]); err != nil {
			return nil, 0, fmt.Errorf("%w: vectors: %v", errCorrupt, err)
		}
		for j := range chunk {
			vecs[i+j] = math.Float32frombits(binary.LittleEndian.Uint32(buf[j*4:]))
		}
		i += chunk
	}
	if _, err := body.ReadByte(); err != io.EOF {
		return nil, 0, fmt.Errorf("%w: trailing bytes", errCorrupt)
	}
	var want [sha256.Size]byte
	if _, err := io.ReadFull(f, want[:]); err != nil {
		return nil, 0, fmt.Errorf("%w: checksum: %v", errCorrupt, err)
	}
	if !bytes.Equal(sum.Sum(nil), want[:]) {
		return nil, 0, fmt.Errorf("%w: checksum mismatch", errCorrupt)
	}
	for i := range n {
		row := vecs[i*dim : (i+1)*dim]
		for _, x := range row {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return nil, 0, fmt.Errorf("%w: vector %d is not finite", errCorrupt, i)
			}
		}
	}
	return vecs, dim, nil
}

func slicesGrow(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}

// save writes the snapshot atomically (temporary file, fsync, rename, sync
// of the directory) and then removes snapshots of other keys.
func (s *snapshotStore) save(passages []document.Passage, vecs []float32, dim int) (err error) {
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
	writeSnapshot(w, s.key, passages, vecs, dim)
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
func writeSnapshot(w *bufio.Writer, key [32]byte, passages []document.Passage, vecs []float32, dim int) {
	w.WriteString(snapshotMagic)
	var b [binary.MaxVarintLen64]byte
	binary.LittleEndian.PutUint32(b[:], snapshotVersion)
	w.Write(b[:4])
	w.Write(key[:])
	binary.LittleEndian.PutUint32(b[:], uint32(dim))
	w.Write(b[:4])
	binary.LittleEndian.PutUint32(b[:], uint32(len(passages)))
	w.Write(b[:4])
	for _, p := range passages {
		w.Write(b[:binary.PutUvarint(b[:], uint64(len(p.ID)))])
		w.WriteString(p.ID)
	}
	for _, x := range vecs {
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(x))
		w.Write(b[:4])
	}
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
