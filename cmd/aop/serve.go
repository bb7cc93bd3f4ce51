package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/urfave/cli/v3"

	"aop/cmd/internal/config"
	"aop/cmd/internal/httpapi"
	"aop/cmd/internal/jobs"
	"aop/cmd/internal/keys"
	"aop/cmd/internal/notify"
	"aop/cmd/internal/plan"
	"aop/cmd/internal/store"
)

var configFlag = &cli.StringFlag{Name: "config", Usage: "the service's configuration file", Value: "config.yaml"}

func serveCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "serve",
		Usage: "run the aop service: collection rounds, uploads, webhooks and the admin API",
		Flags: []cli.Flag{configFlag},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			return serve(ctx, e, cmd.String("config"))
		},
	}
}

func migrateCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "migrate",
		Usage: "bring the service's database schema up to date",
		Flags: []cli.Flag{configFlag},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			cfg, err := config.Load(cmd.String("config"), e.getenv)
			if err != nil {
				return usageError{err}
			}
			st, err := store.Open(ctx, cfg.Database, e.logger())
			if err != nil {
				return err
			}
			defer st.Close()
			if err := migrateAll(ctx, st); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "database %s is up to date\n", redact(cfg.Database))
			return nil
		},
	}
}

func tokenCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "token",
		Usage: "manage API tokens",
		Commands: []*cli.Command{{
			Name:  "create",
			Usage: "create an API token and print it (shown once; only its hash is kept)",
			Flags: []cli.Flag{configFlag,
				&cli.StringFlag{Name: "role", Usage: "finance-admin, finance-viewer or department", Required: true},
				&cli.StringFlag{Name: "department", Usage: "the department a department token acts for"},
				&cli.StringFlag{Name: "name", Usage: "who holds the token, for the audit log", Value: "cli"},
			},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				s, err := open(ctx, e, cmd.String("config"))
				if err != nil {
					return err
				}
				defer s.st.Close()
				secret, t, err := s.svc.CreateToken(ctx, plan.Actor{Kind: "cli", Name: "aop token create", Role: plan.FinanceAdmin},
					cmd.String("name"), plan.Role(cmd.String("role")), cmd.String("department"))
				if err != nil {
					if plan.KindOf(err) == plan.KindInvalid {
						return usageError{err}
					}
					return err
				}
				fmt.Fprintln(e.stdout, secret)
				fmt.Fprintf(e.stderr, "token %d (%s%s) created; it is shown once\n", t.ID, t.Role, map[bool]string{true: " for " + t.Department}[t.Department != ""])
				return nil
			},
		}},
	}
}

func (e *env) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// redact hides a database URL's password.
func redact(db string) string {
	if u, err := url.Parse(db); err == nil && u.User != nil {
		return u.Redacted()
	}
	return db
}

// migrateAll migrates aop's tables and the job queue's.
func migrateAll(ctx context.Context, st *store.Store) error {
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	return jobs.Migrate(ctx, jobsConfig(st, jobs.Config{}))
}

func jobsConfig(st *store.Store, c jobs.Config) jobs.Config {
	c.SQLite, c.Postgres = st.SQLDB(), st.Pool()
	return c
}

// service is the running pieces behind aop serve.
type service struct {
	cfg   config.Config
	st    *store.Store
	queue *jobs.Queue
	svc   *plan.Service
	reg   *prometheus.Registry
}

// open opens the store (migrating an empty embedded database), loads or
// creates the signing key, and wires the service and its queue; serving
// starts the queue's workers.
func open(ctx context.Context, e *env, configPath string) (*service, error) {
	log := e.logger()
	cfg, err := config.Load(configPath, e.getenv)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, usagef("config file %s does not exist; start from config.example.yaml", configPath)
		}
		return nil, usageError{err}
	}
	st, err := store.Open(ctx, cfg.Database, log)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*service, error) { st.Close(); return nil, err }
	if empty, err := st.Empty(ctx); err != nil {
		return fail(err)
	} else if empty && !config.IsPostgres(cfg.Database) {
		log.Info("migrating the new embedded database", "database", cfg.Database)
		if err := migrateAll(ctx, st); err != nil {
			return fail(err)
		}
	}
	if err := st.Check(ctx); err != nil {
		var schema *store.SchemaError
		if errors.As(err, &schema) && schema.Have < schema.Want {
			return fail(fmt.Errorf("the database schema is at version %d and this aop needs %d: run `aop migrate --config %s` first",
				schema.Have, schema.Want, configPath))
		}
		return fail(err)
	}
	if err := jobs.Check(ctx, jobsConfig(st, jobs.Config{})); err != nil {
		return fail(err)
	}
	key, err := keys.Load(e.getenv, cfg.SigningKeyFile)
	if err != nil && e.getenv(keys.EnvVar) == "" {
		if _, statErr := os.Stat(cfg.SigningKeyFile); errors.Is(statErr, fs.ErrNotExist) {
			if key, err = keys.Create(cfg.SigningKeyFile); err == nil {
				log.Info("created a new signing key file; back it up: workbooks signed with it are refused without it",
					"file", cfg.SigningKeyFile, "key_id", key.ID())
			}
		}
	}
	if err != nil {
		return fail(err)
	}
	s := &service{cfg: cfg, st: st, reg: prometheus.NewRegistry()}
	s.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	jobDone := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "aop_job_duration_seconds",
		Help: "Jobs by kind and final state, and how long they ran."}, []string{"kind", "state"})
	submissions := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "aop_submissions_total",
		Help: "Submissions harvested since the process started, by outcome (accepted, rejected)."}, []string{"state"})
	s.reg.MustRegister(jobDone, submissions)
	schedule, err := cfg.Close.Parsed()
	if err != nil {
		return fail(fmt.Errorf("close: %w", err))
	}
	notifier, err := notify.New(cfg.Alerts, log)
	if err != nil {
		return fail(fmt.Errorf("alerts: %w", err))
	}
	var svc *plan.Service
	q, err := jobs.New(jobsConfig(st, jobs.Config{
		Handler:     func(ctx context.Context, j plan.Job) error { return svc.RunJob(ctx, j) },
		Workers:     cfg.Jobs.Workers,
		RescueAfter: cfg.Jobs.RescueAfter.Std(),
		Logger:      log,
		Periodic: []jobs.Periodic{
			{Every: cfg.Reminders.Every.Std(), Job: plan.Job{Kind: plan.JobRemind, Key: "remind"}},
			// The close's cron schedule is minutes; the tick looks each
			// minute, and at start to catch up what a stop missed.
			{Every: time.Minute, Job: plan.Job{Kind: plan.JobCloseTick, Key: "close-tick"}, RunOnStart: true},
		},
		OnDone: func(kind, state string, d time.Duration) { jobDone.WithLabelValues(kind, state).Observe(d.Seconds()) },
	}))
	if err != nil {
		return fail(err)
	}
	books := newXLSXBooks(key)
	var spreadsheets plan.Spreadsheets
	if cfg.Google.Enabled() {
		g, err := newSheetsBooks(ctx, cfg.Google, books, st)
		if err != nil {
			return fail(fmt.Errorf("google: %w", err))
		}
		spreadsheets = g
		log.Info("rounds may run in Google Sheets", "endpoint", cfg.Google.Endpoint, "shared_drive", cfg.Google.SharedDrive,
			"template", cfg.Google.Template)
	}
	svc = plan.New(plan.Options{
		Store: st, Queue: q, Books: books, Spreadsheets: spreadsheets, Key: key, Log: log, ParseCycle: books.parseCycle,
		WebhookWindow: cfg.WebhookWindow.Std(), RemindLead: cfg.Reminders.LeadTime.Std(), PublicURL: cfg.PublicURL,
		Processed: func(st plan.SubmissionState) { submissions.WithLabelValues(string(st)).Inc() },
		Closer:    books, CloseSchedule: schedule, Notifier: notifier,
	})
	s.queue, s.svc = q, svc
	return s, nil
}

func serve(ctx context.Context, e *env, configPath string) error {
	s, err := open(ctx, e, configPath)
	if err != nil {
		return err
	}
	defer s.st.Close()
	log := e.logger()
	if err := s.queue.Start(ctx); err != nil {
		return err
	}
	if n, err := s.svc.Recover(ctx); err != nil {
		return err
	} else if n > 0 {
		log.Info("queued work the last run left undone", "jobs", n)
	}
	h := httpapi.New(httpapi.Options{Service: s.svc, Log: log, MaxUpload: int64(s.cfg.MaxUpload),
		RatePerSecond: s.cfg.RateLimit.PerSecond, RateBurst: s.cfg.RateLimit.Burst, Metrics: s.reg,
		Ready:     func(ctx context.Context) error { return s.st.Check(ctx) },
		Google:    httpapi.GoogleIdentity{Audience: s.cfg.Google.AddonClientID, HostedDomain: s.cfg.Google.HostedDomain},
		PublicURL: s.cfg.PublicURL, CORSOrigins: s.cfg.CORSOrigins})
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	log.Info("aop serving", "listen", ln.Addr().String(), "database", redact(s.cfg.Database))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	stop, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = srv.Shutdown(stop)
	return errors.Join(err, s.queue.Stop(stop))
}
