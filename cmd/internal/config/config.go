// Package config reads the service's configuration file
// (config.example.yaml documents every key). Decoding is strict: an unknown
// key is an error naming its line. Secrets come from the environment:
// AOP_DATABASE_URL overrides the database, AOP_SIGNING_KEY the signing key
// file (read where the key is loaded), AOP_SMTP_PASSWORD the alert mail
// server's password and AOP_SLACK_WEBHOOK_URL the alert chat webhook.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"
)

// Config is the service's configuration, with defaults filled in and
// relative paths resolved against the configuration file's folder.
type Config struct {
	Listen    string `yaml:"listen"`
	PublicURL string `yaml:"public_url"`
	// Database is a SQLite file path or a postgres:// URL.
	Database       string    `yaml:"database"`
	SigningKeyFile string    `yaml:"signing_key_file"`
	MaxUpload      Bytes     `yaml:"max_upload"`
	RateLimit      Rate      `yaml:"rate_limit"`
	WebhookWindow  Duration  `yaml:"webhook_window"`
	Jobs           Jobs      `yaml:"jobs"`
	Reminders      Reminders `yaml:"reminders"`
	Google         Google    `yaml:"google"`
	Alerts         Alerts    `yaml:"alerts"`
	Close          Close     `yaml:"close"`
	// CORSOrigins are the origins (scheme://host[:port]) of pages served
	// elsewhere that may call the API routes the Excel add-in uses; empty
	// when the add-in is served by aop itself, on its own origin.
	CORSOrigins []string `yaml:"cors_origins"`
}

// Google connects the service to Google Sheets. Without credentials (or an
// emulator endpoint) rounds run on .xlsx workbooks only.
type Google struct {
	// CredentialsFile is a service-account key file;
	// AOP_GOOGLE_CREDENTIALS, when set, wins.
	CredentialsFile string `yaml:"credentials_file"`
	// Endpoint, when set, is the base URL of a Sheets/Drive emulator
	// (`aop sheets-emulator`) used instead of Google.
	Endpoint string `yaml:"endpoint"`
	// ImpersonateUser, when set, is the Workspace user the service account
	// acts as through domain-wide delegation.
	ImpersonateUser string `yaml:"impersonate_user"`
	// SharedDrive is the shared-drive folder department spreadsheets are
	// copied into (service accounts cannot own files).
	SharedDrive string `yaml:"shared_drive"`
	// Template is the master spreadsheet (carrying the menu script) that
	// every department spreadsheet is copied from.
	Template string `yaml:"template"`
	// Quotas are Google's per-minute request quotas the service keeps
	// within, shared by every worker (and instance, on PostgreSQL).
	Quotas Quotas `yaml:"quotas"`
	// AddonClientID is the OAuth client id of the Workspace add-on: the
	// audience of the identity tokens its menu buttons send.
	AddonClientID string `yaml:"addon_client_id"`
	// HostedDomain, when set, is the only Workspace domain whose users the
	// webhook accepts.
	HostedDomain string `yaml:"hosted_domain"`
}

// Enabled reports whether Google Sheets rounds are configured.
func (g Google) Enabled() bool { return g.CredentialsFile != "" || g.Endpoint != "" }

// Quotas are per-minute request budgets.
type Quotas struct {
	ReadsPerUser     int `yaml:"reads_per_user"`
	WritesPerUser    int `yaml:"writes_per_user"`
	ReadsPerProject  int `yaml:"reads_per_project"`
	WritesPerProject int `yaml:"writes_per_project"`
}

// Rate limits requests per token.
type Rate struct {
	PerSecond float64 `yaml:"per_second"`
	Burst     int     `yaml:"burst"`
}

// Jobs configures the background job queue.
type Jobs struct {
	Workers     int      `yaml:"workers"`
	RescueAfter Duration `yaml:"rescue_after"`
}

// Reminders configures reminders to late departments.
type Reminders struct {
	LeadTime Duration `yaml:"lead_time"`
	Every    Duration `yaml:"every"`
	Sender   string   `yaml:"sender"`
}

// Alerts says where alerts go when a trigger fires on a monthly close. The
// service's log always gets them, whatever the senders.
type Alerts struct {
	// Senders are the channels alerts go to: "log", "smtp", "slack".
	Senders []string `yaml:"senders"`
	SMTP    SMTP     `yaml:"smtp"`
	Slack   Slack    `yaml:"slack"`
}

// SMTP is the mail server alerts are sent through, and who gets them.
type SMTP struct {
	Host string `yaml:"host"`
	Port int    `yaml:"port"`
	// From is the sender ("aop <aop@example.com>"); To are the recipients.
	From string   `yaml:"from"`
	To   []string `yaml:"to"`
	// Username, when set, logs in with AUTH PLAIN; AOP_SMTP_PASSWORD, when
	// set, wins over Password.
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	// Insecure lets mail go to a local relay without verified TLS: in
	// plain text when it offers no STARTTLS, over TLS without checking its
	// certificate when it does.
	Insecure bool `yaml:"insecure"`
}

// Slack is a Slack-compatible incoming webhook alerts are posted to.
type Slack struct {
	// WebhookURL is secret (whoever has it can post); AOP_SLACK_WEBHOOK_URL,
	// when set, wins.
	WebhookURL string `yaml:"webhook_url"`
}

// Close schedules the write-back of actuals against the plan after a
// monthly close.
type Close struct {
	// Schedule is a standard 5-field cron expression (minute hour
	// day-of-month month day-of-week) or a descriptor such as @daily.
	Schedule string `yaml:"schedule"`
	// Timezone is the IANA zone the schedule is read in ("Europe/Paris").
	Timezone string `yaml:"timezone"`
}

// Parsed returns the schedule, its times read in the configured zone. An
// error names the key at fault ("timezone: …", "schedule: …").
func (c Close) Parsed() (cron.Schedule, error) {
	loc, err := time.LoadLocation(c.Timezone)
	if c.Timezone == "" || err != nil {
		return nil, fmt.Errorf("timezone: %q is not a time zone name such as UTC or Europe/Paris", c.Timezone)
	}
	if strings.HasPrefix(c.Schedule, "TZ=") || strings.HasPrefix(c.Schedule, "CRON_TZ=") {
		return nil, fmt.Errorf("schedule: %q carries its own zone; put the zone in timezone", c.Schedule)
	}
	s, err := cron.ParseStandard(c.Schedule)
	if err != nil {
		return nil, fmt.Errorf("schedule: %q is not a cron expression such as \"0 6 * * *\" "+
			"(minute hour day-of-month month day-of-week): %v", c.Schedule, err)
	}
	if spec, ok := s.(*cron.SpecSchedule); ok {
		spec.Location = loc
	}
	return s, nil
}

// Default returns the configuration config.example.yaml spells out.
func Default() Config {
	return Config{
		Listen:         "127.0.0.1:8080",
		PublicURL:      "http://127.0.0.1:8080",
		Database:       "data/aop.db",
		SigningKeyFile: "data/signing.key",
		MaxUpload:      20 << 20,
		RateLimit:      Rate{PerSecond: 20, Burst: 40},
		WebhookWindow:  Duration(5 * time.Minute),
		Jobs:           Jobs{Workers: 4, RescueAfter: Duration(time.Minute)},
		Reminders:      Reminders{LeadTime: Duration(72 * time.Hour), Every: Duration(time.Hour), Sender: "log"},
		Google: Google{Quotas: Quotas{
			ReadsPerUser: 60, WritesPerUser: 60, ReadsPerProject: 300, WritesPerProject: 300,
		}},
		Alerts: Alerts{Senders: []string{"log"}, SMTP: SMTP{Port: 587}},
		Close:  Close{Schedule: "0 6 * * *", Timezone: "UTC"},
	}
}

// Load reads a configuration file, applies the environment's overrides and
// validates the result.
func Load(path string, getenv func(string) string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, err
	}
	c, err := Parse(data)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	if u := getenv("AOP_DATABASE_URL"); u != "" {
		c.Database = u
	}
	if f := getenv("AOP_GOOGLE_CREDENTIALS"); f != "" {
		c.Google.CredentialsFile = f
	}
	if p := getenv("AOP_SMTP_PASSWORD"); p != "" {
		c.Alerts.SMTP.Password = p
	}
	if u := getenv("AOP_SLACK_WEBHOOK_URL"); u != "" {
		c.Alerts.Slack.WebhookURL = u
	}
	c.resolve(filepath.Dir(path))
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Parse decodes a configuration over the defaults, refusing unknown keys.
func Parse(data []byte) (Config, error) {
	c := Default()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, err
	}
	return c, nil
}

// resolve makes relative file paths relative to dir.
func (c *Config) resolve(dir string) {
	if !IsPostgres(c.Database) {
		c.Database = join(dir, strings.TrimPrefix(strings.TrimPrefix(c.Database, "sqlite:"), "file:"))
	}
	c.SigningKeyFile = join(dir, c.SigningKeyFile)
	c.Google.CredentialsFile = join(dir, c.Google.CredentialsFile)
}

func join(dir, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// IsPostgres reports whether a database setting is a PostgreSQL URL.
func IsPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// Validate checks every setting and names the first wrong one.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		bad("listen", "%q is not host:port", c.Listen)
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("public_url", "%q is not an http(s) URL", c.PublicURL)
	}
	for _, o := range c.CORSOrigins {
		if !isOrigin(o) {
			bad("cors_origins", "%q is not an origin such as https://addins.example.com (scheme, host and port only)", o)
		}
	}
	if c.Database == "" {
		bad("database", "give a SQLite file or a postgres:// URL")
	}
	if c.SigningKeyFile == "" {
		bad("signing_key_file", "give the file of the signing key")
	}
	if c.MaxUpload < 1<<10 || c.MaxUpload > 1<<30 {
		bad("max_upload", "%d bytes is outside 1KiB..1GiB", c.MaxUpload)
	}
	if c.RateLimit.PerSecond <= 0 || c.RateLimit.Burst < 1 {
		bad("rate_limit", "per_second must be above 0 and burst at least 1")
	}
	if c.WebhookWindow < Duration(time.Second) || c.WebhookWindow > Duration(time.Hour) {
		bad("webhook_window", "%s is outside 1s..1h", c.WebhookWindow)
	}
	if c.Jobs.Workers < 1 || c.Jobs.Workers > 256 {
		bad("jobs.workers", "%d is outside 1..256", c.Jobs.Workers)
	}
	if c.Jobs.RescueAfter < Duration(time.Second) {
		bad("jobs.rescue_after", "%s is below 1s", c.Jobs.RescueAfter)
	}
	if c.Reminders.Every < Duration(time.Second) {
		bad("reminders.every", "%s is below 1s", c.Reminders.Every)
	}
	if c.Reminders.LeadTime < 0 {
		bad("reminders.lead_time", "%s is negative", c.Reminders.LeadTime)
	}
	if c.Reminders.Sender != "log" {
		bad("reminders.sender", "%q is not a sender aop has; use log", c.Reminders.Sender)
	}
	g := c.Google
	if g.Endpoint != "" {
		if u, err := url.Parse(g.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("google.endpoint", "%q is not an http(s) URL", g.Endpoint)
		}
	}
	if g.Enabled() && g.CredentialsFile == "" {
		bad("google.credentials_file", "give a service-account key file (or AOP_GOOGLE_CREDENTIALS)")
	}
	if g.Enabled() && g.SharedDrive == "" && g.ImpersonateUser == "" {
		bad("google.shared_drive", "give the shared-drive folder for department spreadsheets, or impersonate_user")
	}
	if g.Enabled() && g.Template == "" {
		bad("google.template", "give the master template spreadsheet's id")
	}
	for key, q := range map[string]int{
		"reads_per_user": g.Quotas.ReadsPerUser, "writes_per_user": g.Quotas.WritesPerUser,
		"reads_per_project": g.Quotas.ReadsPerProject, "writes_per_project": g.Quotas.WritesPerProject,
	} {
		if q < 1 {
			bad("google.quotas."+key, "%d is below 1 request a minute", q)
		}
	}
	c.Alerts.validate(bad)
	if _, err := c.Close.Parsed(); err != nil {
		errs = append(errs, fmt.Errorf("close.%w", err))
	}
	return errors.Join(errs...)
}

// validate checks the alert senders, and that each chosen one has what it
// needs.
func (a Alerts) validate(bad func(key, format string, args ...any)) {
	chosen := map[string]bool{}
	for _, s := range a.Senders {
		switch s {
		case "log", "smtp", "slack":
			chosen[s] = true
		default:
			bad("alerts.senders", "%q is not a sender aop has; use log, smtp or slack", s)
		}
	}
	m := a.SMTP
	if m.Port < 1 || m.Port > 65535 {
		bad("alerts.smtp.port", "%d is outside 1..65535", m.Port)
	}
	if chosen["smtp"] && m.Host == "" {
		bad("alerts.smtp.host", "give the mail server's host name (smtp is among alerts.senders)")
	}
	if chosen["smtp"] && m.From == "" {
		bad("alerts.smtp.from", "give the sender's address, such as aop@example.com (smtp is among alerts.senders)")
	} else if _, err := mail.ParseAddress(m.From); m.From != "" && err != nil {
		bad("alerts.smtp.from", "%q is not an e-mail address", m.From)
	}
	if chosen["smtp"] && len(m.To) == 0 {
		bad("alerts.smtp.to", "give at least one recipient (smtp is among alerts.senders)")
	}
	for _, to := range m.To {
		if _, err := mail.ParseAddress(to); err != nil {
			bad("alerts.smtp.to", "%q is not an e-mail address", to)
		}
	}
	if chosen["smtp"] && m.Password != "" && m.Username == "" {
		bad("alerts.smtp.username", "give the user the password belongs to")
	}
	w := a.Slack.WebhookURL
	if chosen["slack"] && w == "" {
		bad("alerts.slack.webhook_url", "give the incoming-webhook URL, or set AOP_SLACK_WEBHOOK_URL (slack is among alerts.senders)")
	}
	if w != "" {
		// The URL is a secret: name what is wrong with it, never the URL.
		u, err := url.Parse(w)
		switch {
		case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
			bad("alerts.slack.webhook_url", "is not an https URL")
		case u.Scheme == "http" && !isLoopback(u.Hostname()):
			bad("alerts.slack.webhook_url", "must be https (plain http only to localhost or 127.0.0.1)")
		}
	}
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// isOrigin reports whether s is a web origin: an http(s) scheme and a host
// with an optional port, nothing else.
func isOrigin(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Path == "" &&
		u.RawQuery == "" && u.Fragment == "" && u.User == nil && !strings.HasSuffix(s, "/")
}

// Duration is a time.Duration written as "90s", "5m" or "72h".
type Duration time.Duration

func (d Duration) String() string { return time.Duration(d).String() }

// Std returns the duration as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration such as 90s, 5m or 72h", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// Bytes is a size written as a number of bytes or with a suffix: 512KiB,
// 20MiB, 1GiB.
type Bytes int64

func (b *Bytes) UnmarshalYAML(n *yaml.Node) error {
	s := strings.TrimSpace(n.Value)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 || v > (1<<40)/mult {
		return fmt.Errorf("line %d: %q is not a size such as 20MiB", n.Line, n.Value)
	}
	*b = Bytes(v * mult)
	return nil
}
