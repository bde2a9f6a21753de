package bot

import (
	"context"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/citebot/citebot/bot/telegramtest"
	"github.com/citebot/citebot/config/backoff"
)

// slowReads makes the fake shelf take a minute over every document
// whose name starts with "scan" and two seconds over the others.
func slowReads(shelf *fakeShelf) {
	shelf.read = func(ctx context.Context, name string) error {
		if strings.HasPrefix(name, "scan") {
			return backoff.Sleep(ctx, time.Minute)
		}
		return backoff.Sleep(ctx, 2*time.Second)
	}
}

// TestUploadLanesPerChat: one chat's long scan does not hold up another
// chat's text file; maxReaders documents are read at once and a third
// chat's file waits for a reader, told it is queued; /docs lists a
// chat's own documents being read only in that chat.
func TestUploadLanesPerChat(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, f, shelf := chatDocsBot(t, nil)
		slowReads(shelf)
		ctx := context.Background()
		alice, bob, carol, dave := telegramtest.User{ID: 21}, telegramtest.User{ID: 22}, telegramtest.User{ID: 23}, telegramtest.User{ID: 24}

		b.HandleUpdate(ctx, uploadFile(t, f, alice, "A", "scan-a.pdf"))
		b.HandleUpdate(ctx, uploadFile(t, f, bob, "B", "notes.txt"))
		time.Sleep(3 * time.Second)
		synctest.Wait()
		if got := lastText(f, bob.ID); !strings.HasPrefix(got, "Added notes.txt to this chat") {
			t.Errorf("bob's text file, 3 s in, while alice's scan is read: %q", got)
		}
		handle(t, b, telegramtest.PrivateMessage(bob, "/docs"))
		if got := lastText(f, bob.ID); strings.Contains(got, "scan-a.pdf") {
			t.Errorf("bob's /docs lists alice's document being read: %q", got)
		}
		handle(t, b, telegramtest.PrivateMessage(alice, "/docs"))
		if got := lastText(f, alice.ID); !strings.Contains(got, "scan-a.pdf — being read") {
			t.Errorf("alice's /docs: %q", got)
		}

		// Two scans take both readers; dave's file waits for one.
		b.HandleUpdate(ctx, uploadFile(t, f, carol, "C", "scan-c.pdf"))
		b.HandleUpdate(ctx, uploadFile(t, f, dave, "D", "d.txt"))
		synctest.Wait()
		if got := lastText(f, dave.ID); got != "d.txt is queued: another document is being read; yours starts after it." {
			t.Errorf("dave's file while two are read: %q", got)
		}
		handle(t, b, telegramtest.PrivateMessage(dave, "/docs"))
		if got := lastText(f, dave.ID); !strings.Contains(got, "d.txt — waiting to be read") || strings.Contains(got, "scan-") {
			t.Errorf("dave's /docs: %q", got)
		}
		if !b.intake.wait(5 * time.Minute) {
			t.Fatal("the intake did not finish")
		}
		// Alice's scan ended at 60 s, freeing a reader for dave's file.
		// (The status messages became the results.)
		for chat, name := range map[int64]string{alice.ID: "scan-a.pdf", carol.ID: "scan-c.pdf", dave.ID: "d.txt"} {
			if !slices.ContainsFunc(f.Messages(chat), func(m telegramtest.Message) bool { return strings.HasPrefix(m.Text, "Added "+name) }) {
				t.Errorf("chat %d shows %+v, want its document added", chat, f.Messages(chat))
			}
		}
	})
}

// TestQuestionWaitsForItsChatsUpload: a question sent right after a file
// is answered once the file is added, from it; a question sent while a
// scan is still being read waits readWait, then is answered from what is
// there, saying which document is still being read.
func TestQuestionWaitsForItsChatsUpload(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, f, shelf := chatDocsBot(t, nil)
		slowReads(shelf)
		ctx := context.Background()
		alice := telegramtest.User{ID: 21}

		b.HandleUpdate(ctx, uploadFile(t, f, alice, "A", "notes.txt"))
		handle(t, b, telegramtest.PrivateMessage(alice, "what do the notes say?"))
		msgs := f.Messages(alice.ID)
		if len(msgs) != 2 || !strings.HasPrefix(msgs[0].Text, "Added notes.txt") || strings.Contains(msgs[1].Text, "still being read") {
			t.Fatalf("the chat shows %q, want the upload's result, then the answer", textsOf(f.Sent(alice.ID)))
		}
		if a := shelf.chats[alice.ID]; a == nil || len(a.asked()) != 1 {
			t.Fatal("the question was not asked of the chat's documents")
		}

		b.HandleUpdate(ctx, uploadFile(t, f, alice, "S", "scan.pdf"))
		start := time.Now()
		handle(t, b, telegramtest.PrivateMessage(alice, "and the scan?"))
		if waited := time.Since(start); waited != readWait {
			t.Errorf("the question waited %v, want %v", waited, readWait)
		}
		if got := lastText(f, alice.ID); !strings.Contains(got, "scan.pdf is still being read: this answer comes from the documents added so far.") {
			t.Errorf("the answer while the scan is read: %q", got)
		}
		if !b.intake.wait(5 * time.Minute) {
			t.Fatal("the intake did not finish")
		}
	})
}
