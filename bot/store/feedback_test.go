package store

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestVotesAndSettings(t *testing.T) {
	s, path := openTemp(t)
	t0 := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	body := json.RawMessage(`{"text":"a"}`)
	votes := []struct {
		v    Vote
		prev string
	}{
		{Vote{Chat: -1001, Message: 7, User: 5, Vote: "up", Time: t0.Add(time.Minute), Question: "q?", Body: body, Mode: "extractive", Generation: 3}, ""},
		{Vote{Chat: -1001, Message: 7, User: 6, Vote: "down", Time: t0.Add(2 * time.Minute), Question: "q?", Body: body, Mode: "extractive"}, ""},
		// A change without the copy keeps the earlier vote's copy.
		{Vote{Chat: -1001, Message: 7, User: 5, Vote: "down", Reason: "partial", Time: t0.Add(3 * time.Minute)}, "up"},
		// Negative chat ids (groups) do not collide with positive ones.
		{Vote{Chat: 1001, Message: 7, User: 5, Vote: "up", Time: t0.Add(4 * time.Minute)}, ""},
	}
	for _, v := range votes {
		prev, err := s.PutVote(v.v)
		if err != nil || prev != v.prev {
			t.Errorf("PutVote(%+v) = %q, %v; want %q", v.v, prev, err, v.prev)
		}
	}
	if v, ok, err := s.VoteOf(-1001, 7, 5); !ok || err != nil || v.Vote != "down" || v.Generation != 3 {
		t.Errorf("VoteOf = %+v, %v, %v", v, ok, err)
	}
	if _, ok, _ := s.VoteOf(-1001, 7, 99); ok {
		t.Errorf("a vote for a user who gave none")
	}
	if err := s.SetChatSettings(-1001, ChatSettings{Docs: []string{"a.txt"}}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	r, err := OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := r.Votes(t0.Add(90 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var summary []string
	for _, v := range got {
		summary = append(summary, v.Vote+":"+v.Reason+":"+v.Question+":"+v.Mode)
	}
	want := []string{"down::q?:extractive", "down:partial:q?:extractive", "up:::"}
	if !slices.Equal(summary, want) {
		t.Errorf("votes since 12:01:30 = %q, want %q (one per user and answer, changed votes replaced)", summary, want)
	}
	cs, err := r.ChatSettings(-1001)
	if err != nil || !slices.Equal(cs.Docs, []string{"a.txt"}) {
		t.Errorf("settings = %+v, %v", cs, err)
	}
	if cs, _ := r.ChatSettings(5); len(cs.Docs) != 0 {
		t.Errorf("a chat without settings has %+v", cs)
	}
}

func TestOpenReadOnlyErrors(t *testing.T) {
	s, path := openTemp(t)
	if _, err := OpenReadOnly(path); err == nil || !strings.Contains(err.Error(), "a running citebot holds it") {
		t.Errorf("opening a held store: %v", err)
	}
	s.Close()
	if _, err := OpenReadOnly(path + ".missing"); err == nil || !strings.Contains(err.Error(), "has citebot serve run") {
		t.Errorf("opening no store: %v", err)
	}
}
