package telegramtest

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// File is a file the server serves through getFile and the download
// endpoint /file/bot<token>/<Path>.
type File struct {
	Path string
	Data []byte
	// Size is the file_size getFile reports: 0 means len(Data), -1 leaves
	// it out (Telegram may).
	Size int
	// Chunked sends the body without a Content-Length; Hangup drops the
	// connection without an answer.
	Chunked, Hangup bool
}

// AddFile makes the file with file_id id downloadable.
func (s *Server) AddFile(id string, f File) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[id] = f
}

// fileByPath returns the file served at path.
func (s *Server) fileByPath(path string) (File, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.files {
		if f.Path == path {
			return f, true
		}
	}
	return File{}, false
}

// getFile answers getFile for a file added with AddFile.
func (s *Server) getFile(r Request) *Response {
	s.mu.Lock()
	f, found := s.files[r.Get("file_id")]
	s.mu.Unlock()
	if !found {
		return APIError(http.StatusBadRequest, "Bad Request: invalid file_id", 0)
	}
	res := map[string]any{"file_id": r.Get("file_id"), "file_unique_id": "u" + r.Get("file_id"), "file_path": f.Path}
	switch {
	case f.Size == 0:
		res["file_size"] = len(f.Data)
	case f.Size > 0:
		res["file_size"] = f.Size
	}
	return OK(res)
}

// serveFile answers a download. A wrong token or path is a 404, as on
// Telegram.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	f, found := File{}, false
	path, tokenOK := strings.CutPrefix(r.URL.Path, "/file/bot"+s.opts.Token+"/")
	if tokenOK && r.Method == http.MethodGet {
		f, found = s.fileByPath(path)
	}
	status := http.StatusOK
	if !found {
		status = http.StatusNotFound
	}
	s.record(Request{Method: "download", Params: url.Values{"path": {path}}, Time: time.Now(), Status: status})
	switch {
	case !found:
		APIError(http.StatusNotFound, "Not Found", 0).write(w)
	case f.Hangup:
		hangUp(w)
	case f.Chunked:
		w.WriteHeader(http.StatusOK)
		for chunk := range slices.Chunk(f.Data, 512) {
			w.Write(chunk)
			http.NewResponseController(w).Flush()
		}
	default:
		w.Header().Set("Content-Length", strconv.Itoa(len(f.Data)))
		w.Write(f.Data)
	}
}

// hangUp drops the connection without an answer.
func hangUp(w http.ResponseWriter) {
	if a, ok := w.(interface{ abort() }); ok {
		a.abort()
		return
	}
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		conn.Close()
	}
}
