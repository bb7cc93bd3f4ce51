package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"
	_ "time/tzdata" // zones for the close schedule, whatever the machine has

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

	require.NoError(t, os.WriteFile(path, []byte(
		"alerts: {senders: [smtp, slack], smtp: {host: mail, from: aop@example.com, to: [fpa@example.com], "+
			"username: aop, password: from-file}}\n"), 0o600))
	_, err = Load(path, func(string) string { return "" })
	require.ErrorContains(t, err, "alerts.slack.webhook_url: give the incoming-webhook URL, or set AOP_SLACK_WEBHOOK_URL")
	env = map[string]string{"AOP_SMTP_PASSWORD": "s3cret", "AOP_SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/X"}
	c, err = Load(path, func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, "s3cret", c.Alerts.SMTP.Password)
	assert.Equal(t, "https://hooks.slack.com/services/T/B/X", c.Alerts.Slack.WebhookURL)
}

func TestAlerts(t *testing.T) {
	c, err := Parse([]byte(`
alerts:
  senders: [smtp, slack]
  smtp:
    host: smtp.example.com
    from: aop <aop@example.com>
    to: [fpa@example.com, "Chief Financial Officer <cfo@example.com>"]
    username: aop@example.com
  slack:
    webhook_url: http://127.0.0.1:9000/hook
`))
	require.NoError(t, err)
	require.NoError(t, c.Validate())
	assert.Equal(t, Alerts{
		Senders: []string{"smtp", "slack"},
		SMTP: SMTP{Host: "smtp.example.com", Port: 587, From: "aop <aop@example.com>",
			To: []string{"fpa@example.com", "Chief Financial Officer <cfo@example.com>"}, Username: "aop@example.com"},
		Slack: Slack{WebhookURL: "http://127.0.0.1:9000/hook"},
	}, c.Alerts, "the list replaces the default; the port keeps it")
	assert.Equal(t, []string{"log"}, Default().Alerts.Senders)
}

func TestCloseSchedule(t *testing.T) {
	s, err := Default().Close.Parsed()
	require.NoError(t, err)
	from := time.Date(2026, 8, 31, 7, 0, 0, 0, time.UTC)
	assert.Equal(t, time.Date(2026, 9, 1, 6, 0, 0, 0, time.UTC), s.Next(from).UTC(), "06:00 every day, UTC")

	s, err = Close{Schedule: "30 6 2 * *", Timezone: "Europe/Paris"}.Parsed()
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 9, 2, 4, 30, 0, 0, time.UTC), s.Next(from).UTC(), "06:30 in Paris is 04:30 UTC in summer")
	assert.Equal(t, time.Date(2027, 1, 2, 5, 30, 0, 0, time.UTC),
		s.Next(time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)).UTC(), "and 05:30 UTC in winter")

	s, err = Close{Schedule: "@daily", Timezone: "America/New_York"}.Parsed()
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 9, 1, 4, 0, 0, 0, time.UTC), s.Next(from).UTC())
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
		{"alerts: {senders: [log, pigeon]}\n", `alerts.senders: "pigeon" is not a sender aop has; use log, smtp or slack`},
		{"alerts: {senders: [smtp]}\n", "alerts.smtp.host: give the mail server's host name"},
		{"alerts: {senders: [smtp], smtp: {host: mail}}\n", "alerts.smtp.from: give the sender's address"},
		{"alerts: {senders: [smtp], smtp: {host: mail, from: aop@example.com}}\n", "alerts.smtp.to: give at least one recipient"},
		{"alerts: {smtp: {to: [fpa at example.com]}}\n", `alerts.smtp.to: "fpa at example.com" is not an e-mail address`},
		{"alerts: {smtp: {port: 0}}\n", "alerts.smtp.port: 0 is outside 1..65535"},
		{"alerts: {smtp: {hots: mail}}\n", "field hots not found"},
		{"alerts: {senders: [slack]}\n", "alerts.slack.webhook_url: give the incoming-webhook URL"},
		{"alerts: {slack: {webhook_url: 'http://hooks.slack.com/services/T/B/X'}}\n", "alerts.slack.webhook_url: must be https"},
		{"alerts: {slack: {webhook_url: 'hooks.slack.com/services/T/B/X'}}\n", "alerts.slack.webhook_url: is not an https URL"},
		{"close: {schedule: '0 6 * *'}\n", `close.schedule: "0 6 * *" is not a cron expression such as "0 6 * * *"`},
		{"close: {schedule: '0 25 * * *'}\n", `close.schedule: "0 25 * * *" is not a cron expression`},
		{"close: {schedule: 'CRON_TZ=UTC 0 6 * * *'}\n", "close.schedule: \"CRON_TZ=UTC 0 6 * * *\" carries its own zone"},
		{"close: {timezone: Mars/Olympus_Mons}\n", `close.timezone: "Mars/Olympus_Mons" is not a time zone name`},
		{"close: {timezone: ''}\n", `close.timezone: "" is not a time zone name`},
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
