// Package pgtest runs a throwaway PostgreSQL cluster for tests and hands
// each test a fresh, empty database in it.
//
// The cluster is made by the Debian postgresql-15 programs (initdb and
// pg_ctl from /usr/lib/postgresql/15/bin, or from PATH) in a temporary
// directory, listens on 127.0.0.1 at a free port and on a unix socket in
// that directory, and trusts local connections: it is for tests only, and
// runs with fsync off. When the tests run as root, the cluster runs as
// the postgres user (PostgreSQL refuses root). A test binary whose
// TestMain calls [Main] starts one cluster on the first [Start] and
// stops it after the last test; without [Main], every [Start] starts and
// stops a cluster of its own. Without PostgreSQL installed, [Start] skips
// the test, or fails it when the environment variable CI is set (CI
// installs it). Every function here is safe for concurrent use.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// debianBin is where Debian's postgresql-15 puts initdb and pg_ctl.
const debianBin = "/usr/lib/postgresql/15/bin"

// install is the hint for a machine without PostgreSQL.
const install = "apt-get install postgresql-15"

// shared is the cluster of a test binary whose TestMain calls [Main].
var shared struct {
	inMain  atomic.Bool
	once    sync.Once
	cluster *cluster
	err     error
}

// databases numbers the databases [Start] creates, so each has its own
// name.
var databases atomic.Int64

// Main runs the tests of m, then stops the shared cluster (when a test
// started it) and exits with the tests' status. Call it from TestMain.
func Main(m *testing.M) {
	shared.inMain.Store(true)
	code := m.Run()
	if shared.cluster != nil {
		if err := shared.cluster.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
			if code == 0 {
				code = 1
			}
		}
	}
	os.Exit(code)
}

// Start returns the URL of a new empty database for tb, dropped at the
// end of tb (see the package comment for the cluster it lives in).
func Start(tb testing.TB) string {
	tb.Helper()
	bin := Require(tb)
	var c *cluster
	if shared.inMain.Load() {
		shared.once.Do(func() { shared.cluster, shared.err = startCluster(bin) })
		if shared.err != nil {
			tb.Fatal(shared.err)
		}
		c = shared.cluster
	} else {
		var err error
		if c, err = startCluster(bin); err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() {
			if err := c.stop(); err != nil {
				tb.Error(err)
			}
		})
	}
	name := fmt.Sprintf("test_%d_%d", os.Getpid(), databases.Add(1))
	if err := c.exec("CREATE DATABASE " + name); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := c.exec("DROP DATABASE " + name + " WITH (FORCE)"); err != nil {
			tb.Error(err)
		}
	})
	return c.url(name)
}

// Connect connects to the database at url (from [Start]) for a test's
// own statements, and closes the connection at the end of tb.
func Connect(tb testing.TB, url string) *pgx.Conn {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// Lock locks the rows that query (a SELECT ... FOR UPDATE) selects in a
// transaction of its own, for a test of what waits for them, and returns
// the function that releases them (by rolling the transaction back; it is
// called at the end of tb too).
func Lock(tb testing.TB, url, query string, args ...any) (release func()) {
	tb.Helper()
	ctx := context.Background()
	tx, err := Connect(tb, url).Begin(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	release = sync.OnceFunc(func() {
		if err := tx.Rollback(ctx); err != nil {
			tb.Error(err)
		}
	})
	tb.Cleanup(release)
	if _, err := tx.Exec(ctx, query, args...); err != nil {
		tb.Fatal(err)
	}
	return release
}

// Require returns the directory of initdb and pg_ctl. When they are
// missing, it fails tb if the environment variable CI is set and skips
// it otherwise.
func Require(tb testing.TB) string {
	tb.Helper()
	dir := debianBin
	if _, err := os.Stat(filepath.Join(dir, "initdb")); err != nil {
		if p, err := exec.LookPath("initdb"); err == nil {
			dir = filepath.Dir(p)
		}
	}
	var missing []string
	for _, name := range []string{"initdb", "pg_ctl"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			missing = append(missing, name)
		}
	}
	if os.Geteuid() == 0 {
		if _, err := user.Lookup("postgres"); err != nil {
			missing = append(missing, "the postgres user")
		}
	}
	if len(missing) == 0 {
		return dir
	}
	if os.Getenv("CI") != "" {
		tb.Fatalf("PostgreSQL test needs %s (%s)", strings.Join(missing, ", "), install)
	}
	tb.Skipf("PostgreSQL test skipped: %s not installed (%s)", strings.Join(missing, ", "), install)
	return ""
}

// cluster is one running PostgreSQL cluster.
type cluster struct {
	bin, dir string
	port     int
}

// startCluster makes a cluster in a new temporary directory and starts
// it, on another port when the first one it picked was taken meanwhile.
func startCluster(bin string) (*cluster, error) {
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, err
	}
	c := &cluster{bin: bin, dir: dir}
	if os.Geteuid() == 0 {
		if err := chownToPostgres(dir); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	if err := c.run("initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		if c.port, err = freePort(); err != nil {
			break
		}
		opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", c.port, dir)
		err = c.run("pg_ctl", "-D", data, "-l", filepath.Join(dir, "log"), "-o", opts, "-w", "-t", "60", "start")
		if err == nil || attempt == 2 {
			break
		}
	}
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		os.RemoveAll(dir)
		return nil, fmt.Errorf("%w\nserver log:\n%s", err, log)
	}
	return c, nil
}

// stop stops the cluster and removes its directory.
func (c *cluster) stop() error {
	err := c.run("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop")
	return errors.Join(err, os.RemoveAll(c.dir))
}

// url returns the URL of database name, over TCP as the postgres user.
func (c *cluster) url(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, name)
}

// exec runs one statement in the postgres database.
func (c *cluster) exec(sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.url("postgres"))
	if err != nil {
		return fmt.Errorf("connect to the test cluster: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	return nil
}

// run runs program of the cluster's bin directory, as the postgres user
// when the tests run as root.
func (c *cluster) run(program string, args ...string) error {
	path := filepath.Join(c.bin, program)
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		words := []string{shellQuote(path)}
		for _, a := range args {
			words = append(words, shellQuote(a))
		}
		cmd = exec.Command("su", "postgres", "-s", "/bin/sh", "-c", strings.Join(words, " "))
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = c.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w\n%s", program, err, out)
	}
	return nil
}

// chownToPostgres gives dir to the postgres user.
func chownToPostgres(dir string) error {
	u, err := user.Lookup("postgres")
	if err != nil {
		return err
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return err
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return err
	}
	return os.Chown(dir, uid, gid)
}

// freePort returns a TCP port of 127.0.0.1 that nothing listened on a
// moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// shellQuote quotes s for sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
