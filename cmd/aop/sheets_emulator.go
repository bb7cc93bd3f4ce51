package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"aop/sheets/sheetstest"
)

// sheetsEmulatorCommand runs the Sheets v4 / Drive v3 emulator on a port,
// seeded with a shared drive, a master template and a service-account key,
// so that aop serve (and node or add-in tests) can run without Google.
func sheetsEmulatorCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "sheets-emulator",
		Usage: "run a local emulator of the Google Sheets and Drive APIs aop uses",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "addr", Usage: "the address to listen on", Value: "127.0.0.1:8085"},
			&cli.StringFlag{Name: "file", Usage: "keep the emulator's state in this JSON file (loaded at start, saved after every change)"},
			&cli.IntFlag{Name: "read-quota", Usage: "read requests per minute per user (0 is unlimited)", Value: 60},
			&cli.IntFlag{Name: "write-quota", Usage: "write requests per minute per user (0 is unlimited)", Value: 60},
			&cli.IntFlag{Name: "project-read-quota", Usage: "read requests per minute per project (0 is unlimited)", Value: 300},
			&cli.IntFlag{Name: "project-write-quota", Usage: "write requests per minute per project (0 is unlimited)", Value: 300},
			&cli.FloatFlag{Name: "fault-rate", Usage: "share of requests that fail with 429, 500, 503 or a timeout (0 to 1)"},
			&cli.IntFlag{Name: "fault-seed", Usage: "seed of the fault sequence", Value: 1},
			&cli.StringFlag{Name: "service-account", Usage: "the service account aop runs as", Value: "aop@aop-emulator.iam.gserviceaccount.com"},
			&cli.StringFlag{Name: "credentials-out", Usage: "write the service account's JSON key file here"},
			&cli.StringFlag{Name: "drive-name", Usage: "the shared drive's name (an existing one of that name is reused)", Value: "AOP"},
			&cli.StringFlag{Name: "template-title", Usage: "the master template's title (an existing one is reused)", Value: "AOP master template"},
			&cli.StringSliceFlag{Name: "member", Usage: "another shared drive member, as email=role (organizer, fileOrganizer, writer, commenter, reader)"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			return runSheetsEmulator(ctx, e, cmd)
		},
	}
}

func runSheetsEmulator(ctx context.Context, e *env, cmd *cli.Command) error {
	rate := cmd.Float("fault-rate")
	if rate < 0 || rate > 1 {
		return usagef("--fault-rate must be between 0 and 1, got %v", rate)
	}
	members := map[string]string{}
	for _, m := range cmd.StringSlice("member") {
		email, role, ok := strings.Cut(m, "=")
		if !ok || email == "" || role == "" {
			return usagef("--member %q: want email=role", m)
		}
		members[email] = role
	}
	ln, err := net.Listen("tcp", cmd.String("addr"))
	if err != nil {
		return usagef("cannot listen on %s: %v", cmd.String("addr"), err)
	}
	base := "http://" + ln.Addr().String()
	emu, err := sheetstest.New(sheetstest.Options{
		File:    cmd.String("file"),
		BaseURL: base,
		Quotas: &sheetstest.Quotas{
			ReadPerUser: cmd.Int("read-quota"), WritePerUser: cmd.Int("write-quota"),
			ReadPerProject: cmd.Int("project-read-quota"), WritePerProject: cmd.Int("project-write-quota"),
		},
		Faults: sheetstest.Faults{Rate: rate, Seed: int64(cmd.Int("fault-seed"))},
	})
	if err != nil {
		ln.Close()
		return err
	}
	seeded, err := emu.Seed(sheetstest.SeedOptions{
		ServiceAccount: cmd.String("service-account"),
		DriveName:      cmd.String("drive-name"),
		TemplateTitle:  cmd.String("template-title"),
		Members:        members,
	})
	if err != nil {
		ln.Close()
		return usageError{err}
	}
	keyNote := "(not written; pass --credentials-out)"
	if out := cmd.String("credentials-out"); out != "" {
		if err := os.WriteFile(out, seeded.Key, 0o600); err != nil {
			ln.Close()
			return err
		}
		keyNote = out
	}
	fmt.Fprintf(e.stdout, "sheets emulator listening on %s\n", base)
	fmt.Fprintf(e.stdout, "  sheets endpoint:  %s\n", emu.SheetsEndpoint())
	fmt.Fprintf(e.stdout, "  drive endpoint:   %s\n", emu.DriveEndpoint())
	fmt.Fprintf(e.stdout, "  token endpoint:   %s/token\n", base)
	fmt.Fprintf(e.stdout, "  shared drive:     %s\n", seeded.DriveID)
	fmt.Fprintf(e.stdout, "  master template:  %s\n", seeded.TemplateID)
	fmt.Fprintf(e.stdout, "  service account:  %s\n", seeded.ServiceAccount)
	fmt.Fprintf(e.stdout, "  credentials:      %s\n", keyNote)
	fmt.Fprintf(e.stdout, "  stats:            %s/_emulator/stats\n", base)
	fmt.Fprintf(e.stdout, "  user tokens:      %s/_emulator/token?email=someone@example.com\n", base)

	srv := &http.Server{Handler: emu, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}
	return emu.Close()
}
