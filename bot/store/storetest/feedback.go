package storetest

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/citebot/citebot/bot/store"
	"github.com/google/go-cmp/cmp"
)

// testVotes: PutVote returns the vote it replaces, a vote without the
// answer's copy keeps the earlier copy, Votes lists the votes since a
// time (oldest first, one per user and answer) and VoteOf finds one.
func testVotes(t *testing.T, open Opener) {
	s := open()
	body := json.RawMessage(`{"text":"a","citations":[1,2]}`)
	votes := []struct {
		v    store.Vote
		prev string
	}{
		{store.Vote{Chat: -1001, Message: 7, User: 5, Vote: "up", Time: at.Add(time.Minute), Question: "q?", Body: body, Mode: "extractive", Generation: 3}, ""},
		{store.Vote{Chat: -1001, Message: 7, User: 6, Vote: "down", Time: at.Add(2 * time.Minute), Question: "q?", Body: body, Mode: "llm"}, ""},
		// A change without the copy keeps the earlier vote's copy.
		{store.Vote{Chat: -1001, Message: 7, User: 5, Vote: "down", Reason: "partial", Time: at.Add(3 * time.Minute)}, "up"},
		// Negative chat ids (groups) do not collide with positive ones.
		{store.Vote{Chat: 1001, Message: 7, User: 5, Vote: "up", Time: at.Add(4 * time.Minute)}, ""},
		{store.Vote{Chat: -1001, Message: 8, User: 5, Vote: "up", Time: at}, ""},
	}
	for _, v := range votes {
		if prev, err := s.PutVote(v.v); err != nil || prev != v.prev {
			t.Errorf("PutVote(%+v) = %q, %v; want %q", v.v, prev, err, v.prev)
		}
	}
	s.Close()
	s = open()
	changed := votes[2].v
	changed.Question, changed.Body, changed.Mode, changed.Generation = "q?", body, "extractive", 3
	v, ok, err := s.VoteOf(-1001, 7, 5)
	if err != nil || !ok {
		t.Fatalf("VoteOf = %v, %v", ok, err)
	}
	if diff := cmp.Diff(changed, v, sameUpdate); diff != "" {
		t.Errorf("VoteOf mismatch (-want +got):\n%s", diff)
	}
	if _, ok, err := s.VoteOf(-1001, 7, 99); ok || err != nil {
		t.Errorf("VoteOf a user who gave none = %v, %v", ok, err)
	}
	got, err := s.Votes(at.Add(2 * time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Vote{votes[1].v, changed, votes[3].v}
	if diff := cmp.Diff(want, got, sameUpdate); diff != "" {
		t.Errorf("Votes since %v mismatch (-want +got):\n%s", at.Add(2*time.Minute), diff)
	}
	if all, err := s.Votes(time.Time{}); err != nil || len(all) != 4 || all[0].Message != 8 {
		t.Errorf("Votes since the beginning = %+v, %v; want 4, the oldest first", all, err)
	}
	if none, err := s.Votes(at.Add(time.Hour)); err != nil || len(none) != 0 {
		t.Errorf("Votes since a later time = %+v, %v", none, err)
	}
}

func testChatSettings(t *testing.T, open Opener) {
	s := open()
	if cs, err := s.ChatSettings(-1001); err != nil || len(cs.Docs) != 0 {
		t.Errorf("settings of a new chat = %+v, %v; want none", cs, err)
	}
	for _, cs := range []store.ChatSettings{{Docs: []string{"a.txt"}}, {Docs: []string{"b.pdf", "é 文件.md"}}} {
		if err := s.SetChatSettings(-1001, cs); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetChatSettings(1001, store.ChatSettings{Docs: []string{"x"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetChatSettings(5, store.ChatSettings{}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open()
	for chat, want := range map[int64][]string{-1001: {"b.pdf", "é 文件.md"}, 1001: {"x"}, 5: nil, 6: nil} {
		if cs, err := s.ChatSettings(chat); err != nil || !slices.Equal(cs.Docs, want) {
			t.Errorf("settings of chat %d = %+v, %v; want %q", chat, cs, err, want)
		}
	}
}

// testClose: Close may be called again; the writes after it fail with
// ErrClosed (the Later ones through done) and the reads fail.
func testClose(t *testing.T, open Opener) {
	s := open()
	seqs := put(t, s, store.Update{ID: 1, Raw: question(1, "q")})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	writes := map[string]error{
		"Flush":           s.Flush(),
		"Finish":          s.Finish(seqs[0]),
		"SetSent":         s.SetSent(seqs[0], 0, 1),
		"SetChatSettings": s.SetChatSettings(1, store.ChatSettings{}),
		"FinishLater":     later(func(done func(error)) { s.FinishLater(seqs[0], done) }),
		"SetSentLater":    later(func(done func(error)) { s.SetSentLater(seqs[0], 0, 1, done) }),
		"EndLater":        later(func(done func(error)) { s.EndLater(seqs[0], done) }),
	}
	_, writes["Put"] = s.Put([]store.Update{{ID: 2, Raw: question(2, "q")}})
	_, writes["Begin"] = s.Begin(seqs[0])
	_, writes["PutVote"] = s.PutVote(store.Vote{Chat: 1, Message: 1, User: 1, Vote: "up"})
	for name, err := range writes {
		if !errors.Is(err, store.ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", name, err)
		}
	}
	reads := map[string]error{}
	_, reads["Get"] = s.Get(1)
	_, reads["Pending"] = s.Pending()
	_, reads["Votes"] = s.Votes(time.Time{})
	_, reads["ChatSettings"] = s.ChatSettings(1)
	for name, err := range reads {
		if err == nil {
			t.Errorf("%s after Close succeeded", name)
		}
	}
	s = open()
	if u := get(t, s, 1); u.State != store.Pending {
		t.Errorf("after reopening update 1 is %s, want pending", u.State)
	}
}
