package store

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// ParseSince reads the --since of `citebot feedback`: a duration back
// from now ("24h", "90m", "7d" for days) or a date ("2026-11-29") or time
// (RFC 3339) in UTC. "" is the beginning of time.
func ParseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(days, "%d", &n); err == nil && n >= 0 && fmt.Sprint(n) == days {
			return now.AddDate(0, 0, -n), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("--since %q: a duration back from now must not be negative", s)
		}
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--since %q: want a duration (24h, 7d) or a date (2026-11-29) or an RFC 3339 time", s)
}

// exportRow is one vote as `citebot feedback --json` prints it.
type exportRow struct {
	Time       time.Time       `json:"time"`
	Chat       int64           `json:"chat"`
	Message    int             `json:"message"`
	User       int64           `json:"user"`
	Vote       string          `json:"vote"`
	Reason     string          `json:"reason,omitempty"`
	Question   string          `json:"question,omitempty"`
	Mode       string          `json:"mode,omitempty"`
	Generation uint64          `json:"generation,omitempty"`
	Answer     json.RawMessage `json:"answer,omitempty"`
}

// ExportFeedback writes the votes given since to w: a JSON array (with
// the whole answer of each, citations included) or, without asJSON, one
// tab-separated line per vote: time, vote, reason, chat, user, question.
func (s *Store) ExportFeedback(w io.Writer, since time.Time, asJSON bool) error {
	return WriteFeedback(w, s, since, asJSON)
}

// WriteFeedback writes the votes of f given since to w, as
// [Store.ExportFeedback] does, from any [Feedback].
func WriteFeedback(w io.Writer, f Feedback, since time.Time, asJSON bool) error {
	votes, err := f.Votes(since)
	if err != nil {
		return err
	}
	if asJSON {
		rows := make([]exportRow, len(votes))
		for i, v := range votes {
			rows[i] = exportRow{Time: v.Time, Chat: v.Chat, Message: v.Message, User: v.User, Vote: v.Vote, Reason: v.Reason,
				Question: v.Question, Mode: v.Mode, Generation: v.Generation, Answer: v.Body}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	for _, v := range votes {
		q := strings.Join(strings.Fields(v.Question), " ")
		if _, err := fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d\t%s\n", v.Time.UTC().Format(time.RFC3339), v.Vote, v.Reason, v.Chat, v.User, q); err != nil {
			return err
		}
	}
	return nil
}
