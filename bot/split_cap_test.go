package bot

import (
	"slices"
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

// FuzzSplitMessages: whatever the text, splitMessages sends at most
// maxMessages messages within Telegram's limit, the same as the whole
// text's split but for the last, which is marked when text was left out.
func FuzzSplitMessages(f *testing.F) {
	for _, s := range []string{"长江流域。", "a <b> & c ", "😀 x", "line\n\n", "\xff ."} {
		f.Add(s, uint16(3000))
	}
	f.Fuzz(func(t *testing.T, in string, reps uint16) {
		if strings.TrimSpace(in) == "" || len(in)*int(reps) > 200_000 {
			return
		}
		html := "<b>¶1</b>\n<blockquote>" + escapeHTML(strings.Repeat(in, int(reps))) + "</blockquote>"
		got := splitMessages(html)
		all := splitHTML(html, maxMessageUnits)
		if len(got) > maxMessages || len(got) == 0 {
			t.Fatalf("%d messages", len(got))
		}
		for i, p := range got {
			if utf16Len(p) > maxMessageUnits {
				t.Fatalf("message %d has %d units", i+1, utf16Len(p))
			}
			if i < len(got)-1 && p != all[i] {
				t.Fatalf("message %d differs from the whole text's split", i+1)
			}
		}
		if len(all) > maxMessages && !strings.HasSuffix(got[len(got)-1], "…") {
			t.Fatal("text left out but the last message is not marked")
		}
		if len(all) <= maxMessages && len(html) < 4*maxMessageUnits && !slices.Equal(got, all) {
			t.Fatal("a short text is not sent as split")
		}
	})
}
