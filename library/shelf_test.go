package library

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/retrieval"
	"github.com/citebot/citebot/retrieval/document"
)

const birdsDoc = "The heron stands in the shallow river at dawn.\n\nThe swallow builds its nest under the bridge.\n"

func buildIn(ctx context.Context, dir string, docs []*document.Document) (*retrieval.Index, retrieval.BuildStats, error) {
	return retrieval.Build(ctx, docs, retrieval.Options{DataDir: dir})
}

type shelfFixture struct {
	dir   string
	db    *bolt.DB
	shelf *Shelf
	now   time.Time
}

// openShelf opens a shelf over the bundled sample in dir, with quotas q
// and memory budget.
func openShelf(tb testing.TB, dir string, q Quotas, budget int64) *shelfFixture {
	tb.Helper()
	f := &shelfFixture{dir: dir, now: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)}
	db, err := bolt.Open(filepath.Join(dir, "store.db"), 0o600, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	f.db = db
	cat, err := NewBoltCatalog(db)
	if err != nil {
		tb.Fatal(err)
	}
	shared, _, err := Open(context.Background(), Options{DataDir: dir, Build: buildIn})
	if err != nil {
		tb.Fatal(err)
	}
	f.shelf, err = OpenShelf(shared, ShelfOptions{DataDir: dir, Build: buildIn, Catalog: cat,
		Engine: answer.New(shared, nil, answer.Options{}), MemoryBudget: budget, Quotas: q,
		Now: func() time.Time { return f.now }})
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

func (f *shelfFixture) ask(tb testing.TB, chat int64, q string) answer.Answer {
	tb.Helper()
	eng, err := f.shelf.Answerer(context.Background(), chat)
	if err != nil {
		tb.Fatal(err)
	}
	a, err := eng.Answer(context.Background(), answer.Question{Text: q}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

type added struct {
	Info     answer.DocInfo
	Replaced bool
}

func (f *shelfFixture) add(tb testing.TB, chat, user int64, name, text string) added {
	tb.Helper()
	info, replaced, err := f.shelf.AddOwn(context.Background(), chat, user, name, []byte(text), nil)
	if err != nil {
		tb.Fatalf("add %s to %d: %v", name, chat, err)
	}
	return added{info, replaced}
}

func cites(a answer.Answer, doc string) bool {
	for _, c := range a.Citations {
		if c.Doc == doc {
			return true
		}
	}
	return false
}

func docNames(docs []answer.DocInfo) string {
	var names []string
	for _, d := range docs {
		names = append(names, d.Name)
	}
	return strings.Join(names, ",")
}

// TestShelfKeepsChatsApart: a chat's document answers its questions and
// is listed there only; another chat answers from the shared documents
// and cannot open it by name.
func TestShelfKeepsChatsApart(t *testing.T) {
	f := openShelf(t, t.TempDir(), Quotas{}, 0)
	const a, b = 101, 202
	added := f.add(t, a, 1, "birds.txt", birdsDoc)
	if added.Replaced || added.Info.Paragraphs != 2 {
		t.Fatalf("added = %+v", added)
	}
	if got := f.ask(t, a, "Where does the swallow build its nest?"); !cites(got, "birds.txt") {
		t.Errorf("chat a's answer cites no birds.txt: %+v", got)
	}
	if got := f.ask(t, b, "Where does the swallow build its nest?"); cites(got, "birds.txt") {
		t.Errorf("chat b was answered from chat a's document: %+v", got)
	}
	engB, _ := f.shelf.Answerer(context.Background(), b)
	if _, ok := engB.Paragraph("birds.txt", 1); ok {
		t.Error("chat b can read chat a's paragraph")
	}
	if names := docNames(engB.Documents()); strings.Contains(names, "birds.txt") {
		t.Errorf("chat b lists %s", names)
	}
	engA, _ := f.shelf.Answerer(context.Background(), a)
	if names := docNames(engA.Documents()); !strings.Contains(names, "birds.txt") || !strings.Contains(names, "yangtze") {
		t.Errorf("chat a lists %s, want its own and the shared", names)
	}
	if _, ok := f.shelf.Document(context.Background(), b, "birds.txt"); ok {
		t.Error("chat b's page can open chat a's document")
	}
	if _, ok := f.shelf.Document(context.Background(), a, "birds.txt"); !ok {
		t.Error("chat a's page cannot open its document")
	}
	// The shared document still answers in chat a.
	if got := f.ask(t, a, "长江十年禁渔从什么时候开始？"); len(got.Citations) == 0 || cites(got, "birds.txt") {
		t.Errorf("chat a's question about the shared document: %+v", got)
	}
}

// TestShelfReplaceRemoveForget: the same name replaces; remove and forget
// delete files, records and the chat's folder.
func TestShelfReplaceRemoveForget(t *testing.T) {
	dir := t.TempDir()
	f := openShelf(t, dir, Quotas{}, 0)
	f.add(t, 7, 1, "birds.txt", birdsDoc)
	// The same file again (an upload replayed after a crash) is there
	// already: not "replaced".
	if got := f.add(t, 7, 1, "birds.txt", birdsDoc); got.Replaced || got.Info.Name != "birds.txt" || got.Info.Paragraphs != 2 {
		t.Errorf("the same file again = %+v", got)
	}
	if got := f.add(t, 7, 1, "birds.txt", petsDoc); !got.Replaced {
		t.Error("a second birds.txt did not say it replaced the first")
	}
	if got := f.ask(t, 7, "Where does the swallow build its nest?"); cites(got, "birds.txt") && strings.Contains(got.Text, "swallow") {
		t.Errorf("the replaced text still answers: %+v", got)
	}
	f.add(t, 7, 1, "pets.txt", petsDoc)
	if err := f.shelf.RemoveOwn(context.Background(), 7, "birds.txt"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(f.shelf.file(7, "birds.txt")); !os.IsNotExist(err) {
		t.Errorf("removed file still there: %v", err)
	}
	if err := f.shelf.RemoveOwn(context.Background(), 7, "birds.txt"); err == nil {
		t.Error("removing it twice succeeded")
	}
	if n, err := f.shelf.Forget(7); err != nil || n != 1 {
		t.Fatalf("Forget = %d, %v; want 1", n, err)
	}
	if _, err := os.Stat(f.shelf.chatDir(7)); !os.IsNotExist(err) {
		t.Errorf("the chat's folder is still there: %v", err)
	}
	if recs, _ := f.shelf.opts.Catalog.Docs(7); len(recs) != 0 || f.shelf.HasOwn(7) {
		t.Errorf("records left: %v", recs)
	}
	if _, _, err := f.shelf.AddOwn(context.Background(), 7, 1, "yangtze-symposium.txt", []byte(birdsDoc), nil); err == nil {
		t.Error("a chat document took a shared document's name")
	}
}

// TestShelfQuotas: each quota refuses with its name, and a replacement
// does not count twice.
func TestShelfQuotas(t *testing.T) {
	for _, tc := range []struct {
		name  string
		q     Quotas
		quota Quota
	}{
		{"documents", Quotas{ChatDocs: 2}, QuotaChatDocs},
		{"chat bytes", Quotas{ChatBytes: int64(2*len(birdsDoc) + 10)}, QuotaChatBytes},
		{"total bytes", Quotas{TotalBytes: int64(2*len(birdsDoc) + 10)}, QuotaTotalBytes},
		{"passages", Quotas{ChatPassages: 4}, QuotaChatPassages},
		{"uploads a day", Quotas{UserUploadsPerDay: 3}, QuotaUserUploads},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := openShelf(t, t.TempDir(), tc.q, 0)
			f.add(t, 1, 9, "a.txt", birdsDoc)
			f.add(t, 1, 9, "a.txt", strings.Replace(birdsDoc, "heron", "egret", 1)) // a replacement, same size
			chat := int64(1)
			if tc.quota == QuotaTotalBytes || tc.quota == QuotaUserUploads {
				chat = 2 // the limit spans chats
			}
			_, _, err := f.shelf.AddOwn(context.Background(), chat, 9, "b.txt", []byte(birdsDoc), nil)
			if tc.quota == QuotaUserUploads {
				if err != nil {
					t.Fatalf("third upload of the day refused: %v", err)
				}
				_, _, err = f.shelf.AddOwn(context.Background(), chat, 9, "c.txt", []byte(birdsDoc), nil)
			} else if err == nil {
				_, _, err = f.shelf.AddOwn(context.Background(), chat, 9, "c.txt", []byte(birdsDoc), nil)
			}
			q, ok := IsQuota(err)
			if !ok || q.Which != tc.quota {
				t.Fatalf("err = %v, want the %s quota", err, tc.quota)
			}
			if tc.quota == QuotaUserUploads {
				// A document that is not added does not count.
				if _, _, err := f.shelf.AddOwn(context.Background(), 3, 10, "bad.txt", []byte{0xff, 0xfe, 0}, nil); err == nil {
					t.Fatal("a file that is not text was added")
				}
				for i := range 3 {
					if _, _, err := f.shelf.AddOwn(context.Background(), 3, 10, fmt.Sprintf("ok%d.txt", i), []byte(birdsDoc), nil); err != nil {
						t.Fatalf("upload %d after a failed one: %v", i+1, err)
					}
				}
				f.now = f.now.Add(24 * time.Hour)
				if _, _, err := f.shelf.AddOwn(context.Background(), chat, 9, "c.txt", []byte(birdsDoc), nil); err != nil {
					t.Errorf("the next day's upload refused: %v", err)
				}
			}
		})
	}
}

// TestShelfEvictsAndReloads: under a budget of about one library, asking
// another chat evicts the first; asking the first again reloads it from
// its snapshot and answers as before.
func TestShelfEvictsAndReloads(t *testing.T) {
	f := openShelf(t, t.TempDir(), Quotas{}, 1)
	f.add(t, 1, 1, "birds.txt", birdsDoc)
	f.add(t, 2, 1, "pets.txt", petsDoc)
	st := f.shelf.Stats()
	if st.Loaded != 1 || st.Evictions != 1 {
		t.Fatalf("stats after two chats = %+v, want 1 loaded, 1 eviction", st)
	}
	if got := f.ask(t, 1, "Where does the swallow build its nest?"); !cites(got, "birds.txt") {
		t.Errorf("the evicted chat's answer: %+v", got)
	}
	if st := f.shelf.Stats(); st.Loads != 3 || st.Evictions != 2 {
		t.Errorf("stats after reload = %+v, want 3 loads, 2 evictions", st)
	}
}

// TestOpenShelfRepairs: a file without a record (a process killed after
// writing it) and a record without a file are removed when the shelf
// opens; a chat's folder without records goes too.
func TestOpenShelfRepairs(t *testing.T) {
	dir := t.TempDir()
	f := openShelf(t, dir, Quotas{}, 0)
	f.add(t, 5, 1, "birds.txt", birdsDoc)
	orphan := f.shelf.file(5, "orphan.txt")
	if err := os.WriteFile(orphan, []byte(petsDoc), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := f.shelf.opts.Catalog.Put(DocRecord{Chat: 5, Name: "ghost.txt", Bytes: 10}); err != nil {
		t.Fatal(err)
	}
	halfSnap := filepath.Join(f.shelf.chatDir(5), ".index-123.tmp")
	if err := os.WriteFile(halfSnap, []byte("half"), 0o644); err != nil {
		t.Fatal(err)
	}
	lonely := f.shelf.chatDir(6)
	os.MkdirAll(filepath.Join(lonely, UploadsDir), 0o755)
	os.WriteFile(filepath.Join(lonely, UploadsDir, "x.txt"), []byte(petsDoc), 0o644)
	f.db.Close()

	g := openShelf(t, dir, Quotas{}, 0)
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Errorf("orphan file kept: %v", err)
	}
	if _, err := os.Stat(halfSnap); !os.IsNotExist(err) {
		t.Errorf("half-written snapshot kept: %v", err)
	}
	if _, err := os.Stat(lonely); !os.IsNotExist(err) {
		t.Errorf("folder of a chat without records kept: %v", err)
	}
	recs := g.shelf.Records(5)
	if len(recs) != 1 || recs[0].Name != "birds.txt" || recs[0].Uploader != 1 {
		t.Errorf("records after repair = %+v", recs)
	}
	if got := g.ask(t, 5, "Where does the swallow build its nest?"); !cites(got, "birds.txt") {
		t.Errorf("after reopening: %+v", got)
	}
}

// TestShelfExpire: a chat idle past the retention loses its documents; a
// chat used since keeps them.
func TestShelfExpire(t *testing.T) {
	f := openShelf(t, t.TempDir(), Quotas{}, 0)
	f.add(t, 1, 1, "birds.txt", birdsDoc)
	f.add(t, 2, 1, "pets.txt", petsDoc)
	f.now = f.now.Add(40 * 24 * time.Hour)
	f.ask(t, 2, "Where does the cat sleep?")
	f.now = f.now.Add(24 * time.Hour)
	n, err := f.shelf.Expire(30 * 24 * time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("Expire = %d, %v; want 1", n, err)
	}
	if f.shelf.HasOwn(1) || !f.shelf.HasOwn(2) {
		t.Errorf("after expiry: chat 1 has own %v, chat 2 %v", f.shelf.HasOwn(1), f.shelf.HasOwn(2))
	}
}

// TestDiskUsage: the usage `citebot config` prints counts the chats'
// files as the shelf stores them.
func TestDiskUsage(t *testing.T) {
	dir := t.TempDir()
	f := openShelf(t, dir, Quotas{}, 0)
	f.add(t, 1, 1, "birds.txt", birdsDoc)
	f.add(t, 2, 1, "pets.txt", petsDoc)
	f.add(t, 2, 1, "more.txt", birdsDoc)
	chats, docs, bytes := DiskUsage(dir)
	if chats != 2 || docs != 3 || bytes != int64(2*len(birdsDoc)+len(petsDoc)) {
		t.Errorf("DiskUsage = %d chats, %d documents, %d bytes", chats, docs, bytes)
	}
	if st := f.shelf.Stats(); st.Chats != 2 || st.Documents != 3 || st.StoredBytes != bytes {
		t.Errorf("Stats = %+v, disagrees with the disk", st)
	}
}

// TestShelfLLMAnswersFromChat: in LLM mode too, a chat's engine gives the
// model the chat's own passages and verifies the quote against them; the
// shared engine knows nothing of them.
func TestShelfLLMAnswersFromChat(t *testing.T) {
	f := openShelf(t, t.TempDir(), Quotas{}, 0)
	f.shelf.opts.Engine = answer.New(f.shelf.Shared(), petsModel{}, answer.Options{})
	f.add(t, 3, 1, "pets.txt", petsDoc)
	got := f.ask(t, 3, "Where does the cat sleep?")
	if got.Mode != answer.LLM || !cites(got, "pets.txt") || !strings.Contains(got.Citations[0].Quote, "windowsill") {
		t.Errorf("chat 3 in LLM mode: %+v", got)
	}
	if other := f.ask(t, 4, "Where does the cat sleep?"); cites(other, "pets.txt") {
		t.Errorf("chat 4 in LLM mode cites chat 3's document: %+v", other)
	}
}

// TestShelfReservesBytesWhileAdding: the bytes of a document being added
// count towards total_max_mb until its add ends, so that two chats adding
// at once cannot both take the last bytes left.
func TestShelfReservesBytesWhileAdding(t *testing.T) {
	size := int64(len(birdsDoc))
	f := openShelf(t, t.TempDir(), Quotas{TotalBytes: size + size/2}, 0)
	unreserve, err := f.shelf.reserve(1, "a.txt", size)
	if err != nil {
		t.Fatalf("the first reservation: %v", err)
	}
	if _, err := f.shelf.reserve(2, "b.txt", size); !isQuota(err, QuotaTotalBytes) {
		t.Errorf("a second chat's add while the first is under way: err = %v, want the total bytes quota", err)
	}
	unreserve()
	unreserve2, err := f.shelf.reserve(2, "b.txt", size)
	if err != nil {
		t.Fatalf("after the first add ended without a record: %v", err)
	}
	unreserve2()
	f.add(t, 1, 9, "a.txt", birdsDoc)
	if _, _, err := f.shelf.AddOwn(context.Background(), 2, 9, "b.txt", []byte(birdsDoc), nil); !isQuota(err, QuotaTotalBytes) {
		t.Errorf("after the first document was added: err = %v, want the total bytes quota", err)
	}
}

// isQuota reports whether err is a refusal over quota which.
func isQuota(err error, which Quota) bool {
	q, ok := IsQuota(err)
	return ok && q.Which == which
}

// TestOwnDocumentHidesSharedNamesake: a shared document added after a
// chat's own of the same name (in any case) is hidden in that chat: one
// document by that name is listed, searched and opened there, the chat's
// own; other chats see the shared one.
func TestOwnDocumentHidesSharedNamesake(t *testing.T) {
	f := openShelf(t, t.TempDir(), Quotas{}, 0)
	f.add(t, 1, 9, "x.txt", birdsDoc)
	if _, err := f.shelf.shared.AddDocument(context.Background(), "X.txt", []byte("The lighthouse keeper rowed out to the rocks every morning.\n"), nil); err != nil {
		t.Fatal(err)
	}
	eng, err := f.shelf.Answerer(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range eng.Documents() {
		if strings.EqualFold(d.Name, "x.txt") {
			names = append(names, d.Name)
		}
	}
	if !slices.Equal(names, []string{"x.txt"}) {
		t.Errorf("chat 1 lists %q, want its own x.txt only", names)
	}
	if p, ok := eng.Paragraph("X.txt", 1); ok {
		t.Errorf("chat 1 opens the shared X.txt: %q", p.Text)
	}
	if a := f.ask(t, 1, "Who rowed out to the rocks every morning?"); cites(a, "X.txt") {
		t.Errorf("chat 1 is answered from the hidden shared document: %q", a.Text)
	}
	if a := f.ask(t, 2, "Who rowed out to the rocks every morning?"); !cites(a, "X.txt") {
		t.Errorf("chat 2 is not answered from the shared document: %q", a.Text)
	}
}
