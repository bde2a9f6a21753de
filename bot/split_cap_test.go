package bot

import (
	"strings"
	"testing"
)

// TestSplitMessagesCapsTheCount: a runaway answer is sent as at most
// maxMessages messages, each within Telegram's limit, the last marked as
// cut; a short one is sent whole.
func TestSplitMessagesCapsTheCount(t *testing.T) {
	long := escapeHTML(strings.Repeat("长江流域要坚持生态优先、绿色发展。", 5000)) // 85k characters
	parts := splitMessages(long)
	if len(parts) != maxMessages {
		t.Fatalf("%d messages, want %d", len(parts), maxMessages)
	}
	for i, p := range parts {
		if utf16Len(p) > maxMessageUnits {
			t.Errorf("message %d has %d units", i+1, utf16Len(p))
		}
	}
	if !strings.HasSuffix(parts[len(parts)-1], "…") {
		t.Errorf("the last message does not say it was cut: %q", parts[len(parts)-1][len(parts[len(parts)-1])-30:])
	}
	if got := splitMessages("short answer"); len(got) != 1 || got[0] != "short answer" {
		t.Errorf("short answer split as %q", got)
	}
}
