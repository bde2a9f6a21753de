package library

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/citebot/citebot/config"
)

// Settings turns the library settings into the memory budget and quotas
// of a [Shelf].
func Settings(c config.Library) (budget int64, q Quotas) {
	const mb = 1 << 20
	return int64(c.LibraryMemoryMB) * mb, Quotas{ChatDocs: c.ChatMaxDocuments, ChatBytes: int64(c.ChatMaxMB) * mb,
		ChatPassages: c.ChatMaxPassages, UserUploadsPerDay: c.UserUploadsPerDay, TotalBytes: int64(c.StoredMaxMB) * mb}
}

// DiskUsage reads the chat libraries' usage off the data directory (no
// store needed, so it works beside a running serve): chats with files,
// their files and bytes. Half-done changes a killed process left are
// counted until the next start removes them.
func DiskUsage(dataDir string) (chats, docs int, bytes int64) {
	dirs, _ := os.ReadDir(filepath.Join(dataDir, ChatsDir))
	for _, d := range dirs {
		files, _ := os.ReadDir(filepath.Join(dataDir, ChatsDir, d.Name(), UploadsDir))
		n := 0
		for _, f := range files {
			if fi, err := f.Info(); err == nil && fi.Mode().IsRegular() && !strings.HasPrefix(f.Name(), ".") {
				n++
				bytes += fi.Size()
			}
		}
		if n > 0 {
			chats, docs = chats+1, docs+n
		}
	}
	return chats, docs, bytes
}

// Usage describes [DiskUsage] against the stored_max_mb quota, for
// `citebot config`.
func Usage(dataDir string, c config.Library) string {
	chats, docs, bytes := DiskUsage(dataDir)
	limit := "no limit"
	if c.StoredMaxMB > 0 {
		limit = fmt.Sprintf("of %d MB", c.StoredMaxMB)
	}
	return fmt.Sprintf("chat libraries: %d chats, %d documents, %.1f MB %s", chats, docs, float64(bytes)/(1<<20), limit)
}
