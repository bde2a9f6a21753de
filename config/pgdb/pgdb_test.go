package pgdb

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/citebot/citebot/config/pgdb/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// schema returns a schema of one migration creating table, recorded in
// table_version.
func schema(table string) Schema {
	sql := "-- +goose Up\nCREATE TABLE " + table + " (x int);\n\n-- +goose Down\nDROP TABLE " + table + ";\n"
	return Schema{Name: "the " + table + " store", Dir: "m", VersionTable: table + "_version", Lock: 42,
		Migrations: fstest.MapFS{"m/00001_" + table + ".sql": {Data: []byte(sql)}}}
}

// TestSchemasShareADatabase opens two schemas several times at once on a
// new database: each is migrated once, recorded in its own table.
func TestSchemasShareADatabase(t *testing.T) {
	u := pgtest.Start(t)
	const n = 4
	errs := make([]error, 2*n)
	var wg sync.WaitGroup
	for i := range 2 * n {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			pool, _, err := Open(ctx, u, schema([]string{"a", "b"}[i%2]))
			if err == nil {
				pool.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn := pgtest.Connect(t, u)
	for _, table := range []string{"a", "b"} {
		var applied int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+table+"_version WHERE version_id > 0").Scan(&applied); err != nil {
			t.Fatal(err)
		}
		if applied != 1 {
			t.Errorf("%s_version records %d applied migrations, want 1", table, applied)
		}
		if _, err := conn.Exec(ctx, "SELECT x FROM "+table); err != nil {
			t.Errorf("table %s: %v", table, err)
		}
	}
}

// TestErrorsHideThePassword checks that failing to connect, with a
// wrong password or to a server that is not there, shows no password.
func TestErrorsHideThePassword(t *testing.T) {
	const password = "pw-s3cret-XYZ"
	good, err := url.Parse(pgtest.Start(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, url string }{
		{"unreachable", "postgres://citebot:" + password + "@127.0.0.1:1/citebot?connect_timeout=2"},
		{"unknown user", "postgres://nobody:" + password + "@" + good.Host + "/nowhere?sslmode=disable"},
		{"bad option", "postgres://citebot:" + password + "@127.0.0.1/citebot?sslmode=" + password},
		{"not a URL", "postgres://citebot:" + password + "@127.0.0.1:port/citebot"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			pool, secret, err := Open(ctx, tt.url, schema("t"))
			if err == nil {
				pool.Close()
				t.Fatal("Open succeeded")
			}
			if strings.Contains(err.Error(), password) {
				t.Fatalf("error shows the password: %v", err)
			}
			if !strings.Contains(err.Error(), "open the t store") {
				t.Errorf("error %q does not name the store", err)
			}
			if got := secret.String("x" + password); tt.name != "not a URL" && got != "xREDACTED" {
				t.Errorf("the scrubber leaves %q", got)
			}
		})
	}
}
