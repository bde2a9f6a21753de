package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Vote is one user's feedback on one answer, with a copy of what was
// answered (the bot keeps its answers only in memory).
type Vote struct {
	Chat    int64 `json:"chat"`
	Message int   `json:"message"`
	User    int64 `json:"user"`
	// Vote is "up" or "down"; Reason an optional reason for "down".
	Vote   string    `json:"vote"`
	Reason string    `json:"reason,omitempty"`
	Time   time.Time `json:"time"`
	// Question is the question as asked, Body the answer as the bot
	// encoded it (answer.Answer in JSON), Mode "extractive" or "llm",
	// Generation the document set's; empty when the bot no longer knew
	// the answer (given before a restart).
	Question   string          `json:"question,omitempty"`
	Body       json.RawMessage `json:"body,omitempty"`
	Mode       string          `json:"mode,omitempty"`
	Generation uint64          `json:"generation,omitempty"`
}

// ChatSettings are one chat's settings.
type ChatSettings struct {
	// Docs are the documents the chat's questions are answered from;
	// empty: all.
	Docs []string `json:"docs,omitempty"`
}

func chatKey(chat int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(chat)) }

func answerKey(chat int64, msg int) []byte {
	return binary.BigEndian.AppendUint64(chatKey(chat), uint64(msg))
}

// PutVote records v as its user's vote on its answer, replacing their
// earlier one, and returns the earlier vote ("" for none) once committed.
// A vote without the answer's copy (Body empty) keeps the copy of the
// earlier vote.
func (s *Store) PutVote(v Vote) (prev string, err error) {
	k := binary.BigEndian.AppendUint64(answerKey(v.Chat, v.Message), uint64(v.User))
	err = s.update(func(tx *bolt.Tx) error {
		prev = ""
		fb := tx.Bucket(bucketFeedback)
		w := v
		if old := fb.Get(k); old != nil {
			var o Vote
			if json.Unmarshal(old, &o) == nil {
				prev = o.Vote
				if len(v.Body) == 0 {
					w.Question, w.Body, w.Mode, w.Generation = o.Question, o.Body, o.Mode, o.Generation
				}
			}
		}
		enc, err := json.Marshal(w)
		if err != nil {
			return err
		}
		return fb.Put(k, enc)
	})
	if err != nil {
		return "", fmt.Errorf("couldn't store a vote: %w", err)
	}
	return prev, nil
}

// Votes returns the votes given (or last changed) at since or later,
// oldest first.
func (s *Store) Votes(since time.Time) ([]Vote, error) {
	var out []Vote
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketFeedback).ForEach(func(_, raw []byte) error {
			var v Vote
			if err := json.Unmarshal(raw, &v); err != nil {
				return err
			}
			if !v.Time.Before(since) {
				out = append(out, v)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("couldn't read the feedback: %w", err)
	}
	slices.SortStableFunc(out, func(a, b Vote) int { return a.Time.Compare(b.Time) })
	return out, nil
}

// ChatSettings returns chat's settings (the zero value when none are
// stored).
func (s *Store) ChatSettings(chat int64) (ChatSettings, error) {
	var cs ChatSettings
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketChatSettings).Get(chatKey(chat)); v != nil {
			return json.Unmarshal(v, &cs)
		}
		return nil
	})
	if err != nil {
		return ChatSettings{}, fmt.Errorf("couldn't read the settings of chat %d: %w", chat, err)
	}
	return cs, nil
}

// SetChatSettings stores chat's settings, and returns once committed.
func (s *Store) SetChatSettings(chat int64, cs ChatSettings) error {
	v, err := json.Marshal(cs)
	if err != nil {
		return err
	}
	err = s.update(func(tx *bolt.Tx) error { return tx.Bucket(bucketChatSettings).Put(chatKey(chat), v) })
	if err != nil {
		return fmt.Errorf("couldn't store the settings of chat %d: %w", chat, err)
	}
	return nil
}

// OpenReadOnly opens the store file at path for reading only (the
// feedback export), failing when a running bot holds it.
func OpenReadOnly(path string) (*Store, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("couldn't open the store: %w (has citebot serve run with this data directory?)", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout, ReadOnly: true})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("couldn't open the store %s: a running citebot holds it; stop it first, or ask the bot with /feedback", path)
	}
	if err != nil {
		return nil, fmt.Errorf("couldn't open the store %s: %w", path, err)
	}
	s := &Store{db: db, writes: make(chan *write), done: make(chan struct{}), closed: true}
	close(s.done)
	return s, nil
}

// VoteOf returns user's vote on the answer in message msg of chat; ok is
// false when they have not voted.
func (s *Store) VoteOf(chat int64, msg int, user int64) (v Vote, ok bool, err error) {
	k := binary.BigEndian.AppendUint64(answerKey(chat, msg), uint64(user))
	err = s.db.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketFeedback).Get(k)
		if raw == nil {
			return nil
		}
		ok = true
		return json.Unmarshal(raw, &v)
	})
	return v, ok, err
}
