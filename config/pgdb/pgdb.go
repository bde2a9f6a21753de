// Package pgdb opens the PostgreSQL database named by the configuration's
// database_url, for the stores of record kept there (the bot's state, the
// chat libraries' catalog), so that each opens it the same way:
//
//   - a pgx pool whose calls, when their context ends, also cancel their
//     statement on the server (a write waiting for a lock does not commit
//     after its caller was told it failed; a cancel that comes too late
//     cannot undo it);
//   - the schema brought up to date by the store's migrations, embedded
//     in the binary and applied by goose, which records them in a table of
//     the store's own; processes that start together take turns under a
//     PostgreSQL advisory lock, so the second finds the work done;
//   - no error showing the URL's password.
package pgdb

import (
	"context"
	"fmt"
	"io/fs"
	"net/url"
	"time"

	"github.com/citebot/citebot/config/redact"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
)

// Schema is what [Open] brings a database up to.
type Schema struct {
	// Name names the store in errors ("the bot store").
	Name string
	// Migrations holds goose's .sql migrations in its directory Dir.
	Migrations fs.FS
	Dir        string
	// VersionTable is goose's record of the migrations applied, one per
	// store so that stores sharing a database do not meet.
	VersionTable string
	// Lock is the key of the advisory lock held while migrating.
	Lock int64
}

// unlockTimeout bounds the release of the migration lock.
const unlockTimeout = 5 * time.Second

// Open connects a pool to the database at databaseURL (postgres://...)
// and applies the migrations of schema it lacks. ctx bounds the
// connection and the migrations, waiting for another process's included.
// It returns the pool (close it when done) and the scrubber of the URL's
// password, for the errors of later calls.
func Open(ctx context.Context, databaseURL string, schema Schema) (*pgxpool.Pool, redact.Scrubber, error) {
	secret := redact.New(password(databaseURL))
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, secret, fmt.Errorf("open %s: the database URL is not a valid PostgreSQL URL", schema.Name)
	}
	cfg.ConnConfig.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: time.Second}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, secret, secret.Error(fmt.Errorf("open %s: %w", schema.Name, err))
	}
	if err := migrate(ctx, pool, schema); err != nil {
		pool.Close()
		return nil, secret, secret.Error(fmt.Errorf("open %s: %w", schema.Name, err))
	}
	return pool, secret, nil
}

// migrate applies the migrations of schema under its advisory lock.
func migrate(ctx context.Context, pool *pgxpool.Pool, schema Schema) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", schema.Lock); err != nil {
		return fmt.Errorf("wait for the migration lock: %w", err)
	}
	defer func() {
		// A lock left behind by a cancelled unlock goes with the connection.
		unlockCtx, cancel := context.WithTimeout(context.Background(), unlockTimeout)
		defer cancel()
		if _, err := conn.Exec(unlockCtx, "SELECT pg_advisory_unlock($1)", schema.Lock); err != nil {
			conn.Conn().Close(unlockCtx)
		}
	}()
	fsys, err := fs.Sub(schema.Migrations, schema.Dir)
	if err != nil {
		return err
	}
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys,
		goose.WithTableName(schema.VersionTable), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// password returns the password of databaseURL, or "".
func password(databaseURL string) string {
	u, err := url.Parse(databaseURL)
	if err != nil || u.User == nil {
		return ""
	}
	p, _ := u.User.Password()
	return p
}
