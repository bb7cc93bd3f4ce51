package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExampleLoadsUnchanged(t *testing.T) {
	c, err := Load("../../../config.example.yaml", func(string) string { return "" })
	require.NoError(t, err)
	want := Default()
	want.resolve("../../..")
	assert.Equal(t, want, c, "config.example.yaml spells out the defaults")
	assert.Equal(t, filepath.Join("../../..", "data", "aop.db"), c.Database)
	assert.Equal(t, int64(20<<20), int64(c.MaxUpload))
	assert.Equal(t, 5*time.Minute, c.WebhookWindow.Std())
}

func TestEnvironmentWins(t *testing.T) {
	path := filepath.Join(t.TempDir(), "aop.yaml")
	require.NoError(t, os.WriteFile(path, []byte("database: x.db\n"), 0o600))
	env := map[string]string{"AOP_DATABASE_URL": "postgres://aop@db.example/aop"}
	c, err := Load(path, func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, "postgres://aop@db.example/aop", c.Database)

	c, err = Load(path, func(string) string { return "" })
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(filepath.Dir(path), "x.db"), c.Database, "relative to the config file")
	assert.False(t, c.Google.Enabled(), "no Google without credentials")

	require.NoError(t, os.WriteFile(path, []byte("google: {shared_drive: d, template: t}\n"), 0o600))
	c, err = Load(path, func(k string) string { return map[string]string{"AOP_GOOGLE_CREDENTIALS": "/keys/sa.json"}[k] })
	require.NoError(t, err)
	assert.Equal(t, "/keys/sa.json", c.Google.CredentialsFile)
	assert.True(t, c.Google.Enabled())
}

func TestStrictAndValidated(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"listn: 1.2.3.4:80\n", "field listn not found"},
		{"max_upload: 20MB\n", `"20MB" is not a size`},
		{"max_upload: 10\n", "max_upload: 10 bytes is outside"},
		{"webhook_window: 5 minutes\n", "is not a duration"},
		{"listen: localhost\n", `listen: "localhost" is not host:port`},
		{"jobs: {workers: 0}\n", "jobs.workers: 0 is outside"},
		{"reminders: {sender: pigeon}\n", `"pigeon" is not a sender`},
		{"rate_limit: {per_second: 0, burst: 1}\n", "rate_limit:"},
		{"google: {endpoint: 127.0.0.1:8090}\n", `google.endpoint: "127.0.0.1:8090" is not an http(s) URL`},
		{"google: {endpoint: http://127.0.0.1:8090, template: t, shared_drive: d}\n", "google.credentials_file: give a service-account key file"},
		{"google: {credentials_file: sa.json, template: t}\n", "google.shared_drive: give the shared-drive folder"},
		{"google: {credentials_file: sa.json, shared_drive: d}\n", "google.template: give the master template"},
		{"google: {quotas: {reads_per_user: 0}}\n", "google.quotas.reads_per_user: 0 is below 1"},
		{"cors_origins: [https://addins.example.com/]\n", `cors_origins: "https://addins.example.com/" is not an origin`},
		{"cors_origins: [https://addins.example.com/taskpane]\n", `cors_origins: "https://addins.example.com/taskpane" is not an origin`},
		{"cors_origins: ['*']\n", `cors_origins: "*" is not an origin`},
	} {
		path := filepath.Join(t.TempDir(), "aop.yaml")
		require.NoError(t, os.WriteFile(path, []byte(tc.yaml), 0o600))
		_, err := Load(path, func(string) string { return "" })
		require.Error(t, err, tc.yaml)
		assert.Contains(t, err.Error(), tc.want, tc.yaml)
		assert.Contains(t, err.Error(), path, "the error names the file")
	}
}

func TestCORSOrigins(t *testing.T) {
	path := filepath.Join(t.TempDir(), "aop.yaml")
	require.NoError(t, os.WriteFile(path, []byte("cors_origins: [https://addins.example.com, http://localhost:3000]\n"), 0o600))
	c, err := Load(path, func(string) string { return "" })
	require.NoError(t, err)
	assert.Equal(t, []string{"https://addins.example.com", "http://localhost:3000"}, c.CORSOrigins)
}
