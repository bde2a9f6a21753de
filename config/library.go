package config

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// Library is the settings of the per-chat document libraries: the
// documents users add to their own chat, each chat's index loaded on
// demand. As everywhere in this package, a zero quota is unlimited;
// LibraryMemoryMB is at least 1.
type Library struct {
	// LibraryMemoryMB is the memory budget, in MiB, of the chat
	// libraries' indexes held loaded at once; the least recently used
	// are evicted to stay under it.
	LibraryMemoryMB int
	// ChatMaxDocuments is the most documents one chat's library holds.
	ChatMaxDocuments int
	// ChatMaxMB is the most MiB of files one chat's library holds, all
	// its documents together.
	ChatMaxMB int
	// ChatMaxPassages is the most passages one chat's library holds, all
	// its documents together.
	ChatMaxPassages int
	// UserUploadsPerDay is how many documents one user may add in a day
	// (files and /add URL alike).
	UserUploadsPerDay int
	// StoredMaxMB is the most MiB of files every chat's library holds
	// together.
	StoredMaxMB int
	// RetentionDays is how many days a chat's documents are kept after
	// its last question; then they are deleted. 0: kept forever. See
	// [Library.Retention].
	RetentionDays int
}

// Retention returns RetentionDays as a duration: how long a chat nobody
// asks in keeps its documents; 0 means forever.
func (l Library) Retention() time.Duration {
	return time.Duration(l.RetentionDays) * 24 * time.Hour
}

// UploadsAllowed reports whether ChatUploads lets a chat add documents to
// its own library; private says whether the chat is a private chat with
// the bot (otherwise a group or supergroup). An unknown value allows
// nothing. It binds the bot's admins too, in groups: their files in a
// private chat go to the shared documents whatever it says.
func (t Telegram) UploadsAllowed(private bool) bool {
	switch t.ChatUploads {
	case "all":
		return true
	case "private":
		return private
	case "groups":
		return !private
	}
	return false
}

// maxRetentionDays bounds retention_days, so its duration (about 100
// years) cannot overflow.
const maxRetentionDays = 36500

// Quotas returns the chat libraries' quotas by setting name, for metrics
// (0: unlimited).
func (l Library) Quotas() map[string]float64 {
	return map[string]float64{
		"chat_max_documents": float64(l.ChatMaxDocuments), "chat_max_mb": float64(l.ChatMaxMB),
		"chat_max_passages": float64(l.ChatMaxPassages), "user_uploads_per_day": float64(l.UserUploadsPerDay),
		"stored_max_mb": float64(l.StoredMaxMB),
	}
}

// addrPorts checks fetch_allow_addrs: each an ip:port.
func addrPorts(p any) string {
	for _, a := range *p.(*[]string) {
		if _, err := netip.ParseAddrPort(strings.TrimSpace(a)); err != nil {
			return fmt.Sprintf("%q is not an ip:port address such as 127.0.0.1:8080", a)
		}
	}
	return ""
}
