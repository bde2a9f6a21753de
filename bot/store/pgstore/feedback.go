package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/citebot/citebot/bot/store"
	"github.com/jackc/pgx/v5"
)

// voteColumns are the columns [scanVote] reads.
const voteColumns = "chat, message, user_id, vote, reason, time, question, body, mode, generation"

// PutVote implements [store.Backend] like [store.Store.PutVote]. The
// user's row is locked while it is replaced, so that two votes at once,
// in any process, each return the one before.
func (s *Store) PutVote(v store.Vote) (string, error) {
	var body []byte // NULL for none
	if len(v.Body) > 0 {
		var err error
		if body, err = compact(v.Body); err != nil {
			return "", fmt.Errorf("couldn't store a vote: %w", err)
		}
	}
	var prev string
	err := s.do(func(ctx context.Context) error {
		prev = ""
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, "INSERT INTO bot_votes ("+voteColumns+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
				v.Chat, int64(v.Message), v.User, v.Vote, v.Reason, v.Time, v.Question, body, v.Mode, int64(v.Generation))
			if err != nil || tag.RowsAffected() == 1 {
				return err
			}
			key := []any{v.Chat, int64(v.Message), v.User}
			if err := tx.QueryRow(ctx, "SELECT vote FROM bot_votes WHERE chat = $1 AND message = $2 AND user_id = $3 FOR UPDATE", key...).Scan(&prev); err != nil {
				return err
			}
			// Without the answer's copy (body NULL), the earlier copy stays.
			_, err = tx.Exec(ctx, `UPDATE bot_votes SET vote = $4, reason = $5, time = $6,
				question = CASE WHEN $8::bytea IS NULL THEN question ELSE $7 END,
				body = coalesce($8, body),
				mode = CASE WHEN $8::bytea IS NULL THEN mode ELSE $9 END,
				generation = CASE WHEN $8::bytea IS NULL THEN generation ELSE $10 END
				WHERE chat = $1 AND message = $2 AND user_id = $3`,
				append(key, v.Vote, v.Reason, v.Time, v.Question, body, v.Mode, int64(v.Generation))...)
			return err
		})
	})
	if err != nil {
		return "", fmt.Errorf("couldn't store a vote: %w", err)
	}
	return prev, nil
}

// Votes implements [store.Backend] like [store.Store.Votes].
func (s *Store) Votes(since time.Time) ([]store.Vote, error) {
	return queryRows(s, "the feedback", "SELECT "+voteColumns+" FROM bot_votes WHERE time >= $1 ORDER BY time, chat, message, user_id", scanVote, since)
}

// VoteOf implements [store.Backend] like [store.Store.VoteOf].
func (s *Store) VoteOf(chat int64, msg int, user int64) (store.Vote, bool, error) {
	var v store.Vote
	ok := false
	err := s.do(func(ctx context.Context) error {
		rows, err := s.pool.Query(ctx, "SELECT "+voteColumns+" FROM bot_votes WHERE chat = $1 AND message = $2 AND user_id = $3", chat, int64(msg), user)
		if err != nil {
			return err
		}
		v, err = pgx.CollectExactlyOneRow(rows, scanVote)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		ok = err == nil
		return err
	})
	if err != nil {
		return store.Vote{}, false, fmt.Errorf("couldn't read a vote: %w", err)
	}
	return v, ok, nil
}

// scanVote reads the [voteColumns] of a row.
func scanVote(row pgx.CollectableRow) (store.Vote, error) {
	var v store.Vote
	var msg, generation int64
	var body []byte
	if err := row.Scan(&v.Chat, &msg, &v.User, &v.Vote, &v.Reason, &v.Time, &v.Question, &body, &v.Mode, &generation); err != nil {
		return store.Vote{}, err
	}
	v.Message, v.Generation, v.Time = int(msg), uint64(generation), v.Time.UTC()
	if len(body) > 0 {
		v.Body = body
	}
	return v, nil
}

// ChatSettings implements [store.Backend] like [store.Store.ChatSettings].
func (s *Store) ChatSettings(chat int64) (store.ChatSettings, error) {
	var cs store.ChatSettings
	err := s.do(func(ctx context.Context) error {
		var raw []byte
		err := s.pool.QueryRow(ctx, "SELECT settings FROM bot_chat_settings WHERE chat = $1", chat).Scan(&raw)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		return json.Unmarshal(raw, &cs)
	})
	if err != nil {
		return store.ChatSettings{}, fmt.Errorf("couldn't read the settings of chat %d: %w", chat, err)
	}
	return cs, nil
}

// SetChatSettings implements [store.Backend] like
// [store.Store.SetChatSettings].
func (s *Store) SetChatSettings(chat int64, cs store.ChatSettings) error {
	raw, err := json.Marshal(cs)
	if err != nil {
		return err
	}
	err = s.do(func(ctx context.Context) error {
		_, err := s.pool.Exec(ctx, `INSERT INTO bot_chat_settings (chat, settings) VALUES ($1, $2)
			ON CONFLICT (chat) DO UPDATE SET settings = EXCLUDED.settings`, chat, string(raw))
		return err
	})
	if err != nil {
		return fmt.Errorf("couldn't store the settings of chat %d: %w", chat, err)
	}
	return nil
}
