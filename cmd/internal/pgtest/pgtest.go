// Package pgtest gives tests a fresh PostgreSQL database on the server of
// AOP_TEST_POSTGRES_URL (`.ci/postgres` starts one and prints its URL).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// URLVar names the server tests run on.
const URLVar = "AOP_TEST_POSTGRES_URL"

// Database creates a database prefix_<random> on the server of
// AOP_TEST_POSTGRES_URL, dropped when the test ends, and returns its URL.
// Without the variable it skips the test, or fails it in CI, where
// PostgreSQL must run.
func Database(tb testing.TB, prefix string) string {
	tb.Helper()
	server := os.Getenv(URLVar)
	if server == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("%s is required in CI", URLVar)
		}
		tb.Skipf("PostgreSQL tests skipped: set %s, e.g. export %[1]s=$(.ci/postgres)", URLVar)
	}
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	name := prefix + "_" + hex.EncodeToString(suffix)

	ctx := context.WithoutCancel(tb.Context())
	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		tb.Fatalf("connect to %s: %v", URLVar, err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		// Other packages' tests share the server, so a connection may be
		// refused for a moment (max_connections): try a few times.
		var err error
		for try := range 5 {
			if err = drop(server, name); err == nil {
				return
			}
			time.Sleep(time.Duration(try+1) * 200 * time.Millisecond)
		}
		tb.Errorf("drop %s: %v", name, err)
	})

	u, err := url.Parse(server)
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// drop drops a database, ending the sessions still on it.
func drop(server, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		return err
	}
	defer admin.Close(ctx)
	_, err = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	return err
}
