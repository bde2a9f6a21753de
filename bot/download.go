package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// downloadTimeout bounds the download of one document from Telegram.
const downloadTimeout = 2 * time.Minute

// fileTooLargeError says a file exceeds the upload limit; size is its size,
// 0 when unknown (a download cut at the limit).
type fileTooLargeError struct{ size int64 }

func (e fileTooLargeError) Error() string {
	if e.size == 0 {
		return "file is larger than the upload limit"
	}
	return fmt.Sprintf("file of %d bytes is larger than the upload limit", e.size)
}

// fetchFile downloads the file with the given file_id: getFile for its
// path, then a GET of APIBase/file/bot<token>/<path>, at most
// MaxUploadBytes. Errors never contain the token; a file over the limit
// (by getFile's size, the Content-Length or the bytes read) gives a
// fileTooLargeError.
func (b *Bot) fetchFile(ctx context.Context, fileID string) ([]byte, error) {
	limit := b.cfg.MaxUploadBytes
	res, err := b.call(ctx, getFileParams{FileID: fileID}, requestTimeout)
	if err != nil {
		// The public Bot API refuses files over 20 MB this way.
		if te, ok := apiError(err); ok && strings.Contains(strings.ToLower(te.Message), "file is too big") {
			return nil, fileTooLargeError{}
		}
		return nil, err
	}
	f, err := decodeFile(res)
	if err != nil {
		return nil, err
	}
	if f.size > limit {
		return nil, fileTooLargeError{size: f.size}
	}
	return b.download(ctx, f.path)
}

// remoteFile is a getFile result.
type remoteFile struct {
	path string
	size int64 // 0: unknown
}

// decodeFile reads a getFile result leniently: file_size may be a number,
// a numeric string or missing.
func decodeFile(raw json.RawMessage) (remoteFile, error) {
	var f struct {
		FilePath string          `json:"file_path"`
		FileSize json.RawMessage `json:"file_size"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return remoteFile{}, fmt.Errorf("getFile: couldn't decode the result: %w", err)
	}
	if f.FilePath == "" {
		return remoteFile{}, errors.New("getFile: the result has no file_path")
	}
	size, _ := lenientInt(f.FileSize)
	return remoteFile{path: f.FilePath, size: max(size, 0)}, nil
}

// download GETs a file_path from the Bot API file endpoint with the call's
// context and downloadTimeout, reading at most MaxUploadBytes+1 bytes. A
// failure is reported to [Hooks.OnAPIError] as method "download".
func (b *Bot) download(ctx context.Context, filePath string) ([]byte, error) {
	// A local Bot API server gives absolute paths on its own disk: those
	// are not served over HTTP.
	if strings.HasPrefix(filePath, "/") || strings.Contains("/"+filePath+"/", "/../") {
		return nil, fmt.Errorf("download: unusable file_path %q", filePath)
	}
	segs := strings.Split(filePath, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	dctx, cancel := context.WithTimeout(ctx, downloadTimeout)
	defer cancel()
	u := b.cfg.TelegramAPI + "/file/bot" + b.cfg.TelegramToken.Reveal() + "/" + strings.Join(segs, "/")
	req, err := http.NewRequestWithContext(dctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("download: %w", b.scrub.Error(err))
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.reportAPIError(ctx, "download", 0, err)
		return nil, fmt.Errorf("download: %w", b.scrub.Error(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.reportAPIError(ctx, "download", resp.StatusCode, nil)
		return nil, fmt.Errorf("download: HTTP status %d", resp.StatusCode)
	}
	limit := b.cfg.MaxUploadBytes
	if resp.ContentLength > limit {
		return nil, fileTooLargeError{size: resp.ContentLength}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		b.reportAPIError(ctx, "download", 0, err)
		return nil, fmt.Errorf("download: %w", b.scrub.Error(err))
	}
	if int64(len(data)) > limit {
		return nil, fileTooLargeError{}
	}
	return data, nil
}

// lenientInt reads a JSON number or numeric string. ok is false for
// anything else (null, missing, text).
func lenientInt(raw json.RawMessage) (int64, bool) {
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
