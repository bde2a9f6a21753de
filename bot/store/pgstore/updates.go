package pgstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/citebot/citebot/bot/store"
	"github.com/jackc/pgx/v5"
)

// putEntry stores one update unless the newest entry of its id has the
// same hash ($2): it returns the new entry's number, or no row.
const putEntry = `WITH newest AS (
	INSERT INTO bot_update_ids AS i (id, seq, hash) VALUES ($1, nextval('bot_update_seq'), $2)
	ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash WHERE i.hash <> EXCLUDED.hash
	RETURNING seq)
INSERT INTO bot_updates (seq, id, raw, hash, received, state, sent, attempts)
SELECT seq, $1, $3, $2, $4, $5, $6, $7 FROM newest
RETURNING seq`

// entryColumns are the columns [scanEntry] reads, of bot_updates as u.
const entryColumns = "u.seq, u.id, u.raw, u.hash, u.received, u.state, u.sent, u.attempts"

// Put implements [store.Backend] like [store.Store.Put]: the batch is
// stored in one transaction, and an update's Raw is kept compacted.
func (s *Store) Put(us []store.Update) ([]uint64, error) {
	raws := make([][]byte, len(us))
	for i, u := range us {
		if u.ID < 0 {
			return nil, fmt.Errorf("couldn't store updates: negative update id %d", u.ID)
		}
		var err error
		if raws[i], err = compact(u.Raw); err != nil {
			return nil, fmt.Errorf("couldn't store updates: encode update %d: %w", u.ID, err)
		}
	}
	var seqs []uint64
	err := s.do(func(ctx context.Context) error {
		seqs = make([]uint64, len(us))
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			b := &pgx.Batch{}
			b.Queue("SELECT pg_advisory_xact_lock($1)", putLock)
			for i, u := range us {
				state := u.State
				if state == "" {
					state = store.Pending
				}
				b.Queue(putEntry, int64(u.ID), store.ContentHash(u.Raw), raws[i], u.Received, string(state), int64s(u.Sent), int32(u.Attempts)).
					QueryRow(func(row pgx.Row) error {
						var seq int64
						err := row.Scan(&seq)
						if errors.Is(err, pgx.ErrNoRows) {
							return nil // a redelivery
						}
						seqs[i] = uint64(seq)
						return err
					})
			}
			return tx.SendBatch(ctx, b).Close()
		})
	})
	if err != nil {
		return nil, fmt.Errorf("couldn't store updates: %w", err)
	}
	return seqs, nil
}

// compact returns raw's compact JSON ("null" for none), as [store.Store]
// keeps it.
func compact(raw []byte) ([]byte, error) {
	if len(raw) == 0 {
		return []byte("null"), nil
	}
	var b bytes.Buffer
	err := json.Compact(&b, raw)
	return b.Bytes(), err
}

// change queues the statement sql of entry seq ($1, then args) and passes
// its outcome to done: [store.ErrNotFound] when no row has seq. scan,
// when set, reads the row the statement returns.
func (s *Store) change(seq uint64, sql string, scan func(pgx.Row) error, done func(error), args ...any) {
	args = append([]any{int64(seq)}, args...)
	s.queue(seq, func(ctx context.Context) error {
		if scan != nil {
			err := scan(s.pool.QueryRow(ctx, sql, args...))
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("update entry %d: %w", seq, store.ErrNotFound)
			}
			return err
		}
		tag, err := s.pool.Exec(ctx, sql, args...)
		if err == nil && tag.RowsAffected() == 0 {
			err = fmt.Errorf("update entry %d: %w", seq, store.ErrNotFound)
		}
		return err
	}, done)
}

// wrapped returns done with its error wrapped in what.
func wrapped(done func(error), what string, args ...any) func(error) {
	return func(err error) {
		if err != nil {
			err = fmt.Errorf("couldn't %s: %w", fmt.Sprintf(what, args...), err)
		}
		done(err)
	}
}

// wait returns a done function and the function waiting for the outcome
// it receives.
func wait() (done func(error), result func() error) {
	errc := make(chan error, 1)
	return func(err error) { errc <- err }, func() error { return <-errc }
}

// SetSent implements [store.Backend] like [store.Store.SetSent].
func (s *Store) SetSent(seq uint64, n, msg int) error {
	done, result := wait()
	s.SetSentLater(seq, n, msg, done)
	return result()
}

// SetSentLater implements [store.Backend] like [store.Store.SetSentLater].
func (s *Store) SetSentLater(seq uint64, n, msg int, done func(error)) {
	done = wrapped(done, "record message %d of update entry %d", msg, seq)
	if n < 0 {
		done(fmt.Errorf("negative message index %d", n))
		return
	}
	// Element n (from 0) is sent[n+1]; the gap before it is filled with 0.
	s.change(seq, `UPDATE bot_updates SET sent = CASE
		WHEN $2 < cardinality(sent) THEN sent[:$2] || $3::bigint || sent[$2+2:]
		ELSE sent || array_fill(0::bigint, ARRAY[$2 - cardinality(sent)]) || $3::bigint END
		WHERE seq = $1`, nil, done, int32(n), int64(msg))
}

// Finish implements [store.Backend] like [store.Store.Finish].
func (s *Store) Finish(seq uint64) error {
	done, result := wait()
	s.FinishLater(seq, done)
	return result()
}

// FinishLater implements [store.Backend] like [store.Store.FinishLater].
func (s *Store) FinishLater(seq uint64, done func(error)) {
	s.change(seq, "UPDATE bot_updates SET state = $2 WHERE seq = $1", nil,
		wrapped(done, "mark update entry %d done", seq), string(store.Done))
}

// Begin implements [store.Backend] like [store.Store.Begin].
func (s *Store) Begin(seq uint64) (int, error) {
	var attempts int32
	done, result := wait()
	s.change(seq, "UPDATE bot_updates SET attempts = attempts + 1 WHERE seq = $1 RETURNING attempts",
		func(row pgx.Row) error { return row.Scan(&attempts) }, wrapped(done, "record the start of update entry %d", seq))
	if err := result(); err != nil {
		return 0, err
	}
	return int(attempts), nil
}

// EndLater implements [store.Backend] like [store.Store.EndLater].
func (s *Store) EndLater(seq uint64, done func(error)) {
	s.change(seq, "UPDATE bot_updates SET attempts = greatest(attempts - 1, 0) WHERE seq = $1", nil,
		wrapped(done, "record the end of update entry %d", seq))
}

// Get implements [store.Backend] like [store.Store.Get].
func (s *Store) Get(id int) (store.Update, error) {
	var u store.Update
	err := s.do(func(ctx context.Context) error {
		rows, err := s.pool.Query(ctx, "SELECT "+entryColumns+" FROM bot_update_ids i JOIN bot_updates u ON u.seq = i.seq WHERE i.id = $1", int64(id))
		if err != nil {
			return err
		}
		u, err = pgx.CollectExactlyOneRow(rows, scanEntry)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("update %d: %w", id, store.ErrNotFound)
		}
		return err
	})
	return u, err
}

// Pending implements [store.Backend] like [store.Store.Pending].
func (s *Store) Pending() ([]store.Update, error) {
	return queryRows(s, "unfinished updates", "SELECT "+entryColumns+" FROM bot_updates u WHERE u.state <> $1 ORDER BY u.seq", scanEntry, string(store.Done))
}

// Prune implements [store.Backend] like [store.Store.Prune]. Deleting an
// entry deletes its row of bot_update_ids, unless a newer entry took the
// id over.
func (s *Store) Prune(keep int) (int, error) {
	var n int64
	err := s.do(func(ctx context.Context) error {
		tag, err := s.pool.Exec(ctx, `DELETE FROM bot_updates WHERE seq IN (
			SELECT seq FROM bot_updates WHERE state = $1 ORDER BY seq DESC OFFSET $2)`, string(store.Done), int64(max(keep, 0)))
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("couldn't prune done updates: %w", err)
	}
	return int(n), nil
}

// scanEntry reads the [entryColumns] of a row.
func scanEntry(row pgx.CollectableRow) (store.Update, error) {
	var u store.Update
	var seq, id int64
	var state string
	var sent []int64
	var attempts int32
	if err := row.Scan(&seq, &id, &u.Raw, &u.Hash, &u.Received, &state, &sent, &attempts); err != nil {
		return store.Update{}, err
	}
	u.Seq, u.ID, u.State, u.Attempts = uint64(seq), int(id), store.State(state), int(attempts)
	u.Received = u.Received.UTC()
	for _, m := range sent {
		u.Sent = append(u.Sent, int(m))
	}
	return u, nil
}

// int64s returns ms as int64s, never nil (the column is NOT NULL).
func int64s(ms []int) []int64 {
	out := make([]int64, len(ms))
	for i, m := range ms {
		out[i] = int64(m)
	}
	return out
}
