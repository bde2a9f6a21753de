// Package pgcatalog is a [library.Catalog] in PostgreSQL, so that several
// citebot processes can share the chat libraries' records.
//
// [Open] opens the database with package pgdb: the migrations under
// migrations/ are embedded in the binary and applied under an advisory
// lock, recorded in citebot_goose_version.
//
// The tables mirror [library.BoltCatalog]'s buckets: library_docs (one
// row per document of a chat), library_used (each chat's last use) and
// library_uploads (uploads per user and UTC day). [Catalog.CountUpload]
// counts in one statement that locks the user's row for the day, so the
// limit holds across processes. The Catalog interface carries no context:
// every call runs under a timeout of its own ([Timeout]). No error shows
// the database URL's password.
package pgcatalog

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/citebot/citebot/config/pgdb"
	"github.com/citebot/citebot/config/redact"
	"github.com/citebot/citebot/library"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Timeout bounds each call of a [Catalog].
const Timeout = 5 * time.Second

// versionTable is goose's record of the migrations applied, named for
// citebot so that it does not meet another program's in a shared
// database.
const versionTable = "citebot_goose_version"

// migrationLock is the key of the advisory lock held while migrating
// (the first 8 bytes of "citebot!" read as a big-endian integer).
const migrationLock int64 = 0x6369746562_6f7421

//go:embed migrations/*.sql
var migrations embed.FS

// Catalog is a [library.Catalog] in a PostgreSQL database. It is safe for
// concurrent use, also by several processes sharing the database.
type Catalog struct {
	pool   *pgxpool.Pool
	secret redact.Scrubber // the URL's password, scrubbed from errors
}

var _ library.Catalog = (*Catalog)(nil)

// Open connects to the database at databaseURL (postgres://...), applies
// the migrations it lacks and returns its catalog. ctx bounds the
// connection and the migrations, waiting for another process's included.
// Close the catalog when done.
func Open(ctx context.Context, databaseURL string) (*Catalog, error) {
	pool, secret, err := pgdb.Open(ctx, databaseURL, pgdb.Schema{Name: "the library catalog",
		Migrations: migrations, Dir: "migrations", VersionTable: versionTable, Lock: migrationLock})
	if err != nil {
		return nil, err
	}
	return &Catalog{pool: pool, secret: secret}, nil
}

// Close closes the catalog's connections.
func (c *Catalog) Close() { c.pool.Close() }

// call runs f under [Timeout] and scrubs its error; what names the call
// in the error.
func (c *Catalog) call(what string, f func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	if err := f(ctx); err != nil {
		return c.scrub(fmt.Errorf("library catalog: %s: %w", what, err))
	}
	return nil
}

// Docs implements [library.Catalog].
func (c *Catalog) Docs(chat int64) ([]library.DocRecord, error) {
	return c.docs("list a chat's documents", "WHERE chat = $1 ORDER BY name", chat)
}

// All implements [library.Catalog].
func (c *Catalog) All() ([]library.DocRecord, error) {
	return c.docs("list the documents", "ORDER BY chat, name")
}

// docs returns the records of library_docs that rest (a WHERE and ORDER
// BY clause) selects.
func (c *Catalog) docs(what, rest string, args ...any) ([]library.DocRecord, error) {
	var out []library.DocRecord
	err := c.call(what, func(ctx context.Context) error {
		rows, err := c.pool.Query(ctx, "SELECT chat, name, uploader, bytes, passages, added FROM library_docs "+rest, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (library.DocRecord, error) {
			var r library.DocRecord
			var passages int64
			err := row.Scan(&r.Chat, &r.Name, &r.Uploader, &r.Bytes, &passages, &r.Added)
			r.Passages = int(passages)
			return r, err
		})
		return err
	})
	return out, err
}

// Put implements [library.Catalog].
func (c *Catalog) Put(r library.DocRecord) error {
	return c.call("record a document", func(ctx context.Context) error {
		_, err := c.pool.Exec(ctx, `INSERT INTO library_docs (chat, name, uploader, bytes, passages, added)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (chat, name) DO UPDATE SET uploader = EXCLUDED.uploader, bytes = EXCLUDED.bytes,
				passages = EXCLUDED.passages, added = EXCLUDED.added`,
			r.Chat, r.Name, r.Uploader, r.Bytes, int64(r.Passages), r.Added)
		return err
	})
}

// Delete implements [library.Catalog].
func (c *Catalog) Delete(chat int64, name string) error {
	return c.call("forget a document", func(ctx context.Context) error {
		_, err := c.pool.Exec(ctx, "DELETE FROM library_docs WHERE chat = $1 AND name = $2", chat, name)
		return err
	})
}

// CountUpload implements [library.Catalog]. It drops the user's counts
// of other days in the same statement; the upsert locks the user's row
// for day, so concurrent calls, in any process, count one at a time.
func (c *Catalog) CountUpload(user int64, day string, limit int) (bool, error) {
	counted := false
	err := c.call("count an upload", func(ctx context.Context) error {
		var n int
		err := c.pool.QueryRow(ctx, `WITH stale AS (DELETE FROM library_uploads WHERE user_id = $1 AND day <> $2)
			INSERT INTO library_uploads AS u (user_id, day, n) VALUES ($1, $2, 1)
			ON CONFLICT (user_id, day) DO UPDATE SET n = u.n + 1 WHERE $3 <= 0 OR u.n < $3
			RETURNING n`, user, day, int64(limit)).Scan(&n)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return nil // at the limit
		case err != nil:
			return err
		}
		counted = true
		return nil
	})
	return counted, err
}

// UncountUpload implements [library.Catalog].
func (c *Catalog) UncountUpload(user int64, day string) error {
	return c.call("take back an upload", func(ctx context.Context) error {
		_, err := c.pool.Exec(ctx, "UPDATE library_uploads SET n = n - 1 WHERE user_id = $1 AND day = $2 AND n > 0", user, day)
		return err
	})
}

// Touch implements [library.Catalog]. Like [library.BoltCatalog], it
// keeps whole seconds.
func (c *Catalog) Touch(chat int64, t time.Time) error {
	return c.call("record a chat's use", func(ctx context.Context) error {
		_, err := c.pool.Exec(ctx, `INSERT INTO library_used (chat, used) VALUES ($1, $2)
			ON CONFLICT (chat) DO UPDATE SET used = EXCLUDED.used`, chat, time.Unix(t.Unix(), 0))
		return err
	})
}

// LastUsed implements [library.Catalog].
func (c *Catalog) LastUsed() (map[int64]time.Time, error) {
	out := make(map[int64]time.Time)
	err := c.call("list the chats' last use", func(ctx context.Context) error {
		rows, err := c.pool.Query(ctx, "SELECT chat, used FROM library_used")
		if err != nil {
			return err
		}
		var chat int64
		var used time.Time
		_, err = pgx.ForEachRow(rows, []any{&chat, &used}, func() error {
			out[chat] = time.Unix(used.Unix(), 0)
			return nil
		})
		return err
	})
	return out, err
}

// scrub returns err with c's password, if any, replaced by REDACTED in
// its text and in the text of every error it wraps (see
// [redact.Scrubber.Error]).
func (c *Catalog) scrub(err error) error { return c.secret.Error(err) }
