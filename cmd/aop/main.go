// Command aop runs the annual operating plan: it generates department
// workbooks from templates, harvests and validates what people typed, and
// (with the service) runs collection rounds.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v3"
)

func main() {
	// aop's commands are short batches that allocate a workbook's cells and
	// drop them: collecting less often (the heap grows to five times what
	// is live, tens of megabytes) saves a third of a harvest's CPU time.
	// GOGC, when set, still decides.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes: 0 when everything is valid; 1 when a file has problems; 2 for
// usage errors and paths that cannot be opened.
const (
	exitOK       = 0
	exitProblems = 1
	exitUsage    = 2
)

// errProblems makes a command exit 1 after it has reported the problems.
var errProblems = errors.New("problems found")

// usageError marks an error as the caller's (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// env is what commands take from the process, passed in so tests can run
// the binary's code end to end.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	app := &cli.Command{
		Name:      "aop",
		Usage:     "the annual operating plan, in the spreadsheets people already use",
		Writer:    stdout,
		ErrWriter: stderr,
		Commands: []*cli.Command{
			generateCommand(e),
			harvestCommand(e),
			consolidateCommand(e),
			scenariosCommand(e),
			demoCommand(e),
			keyCommand(e),
			serveCommand(e),
			migrateCommand(e),
			tokenCommand(e),
			cycleCommand(e),
			roundCommand(e),
			actualsCommand(e),
			sheetsEmulatorCommand(e),
		},
		ExitErrHandler: func(context.Context, *cli.Command, error) {},
		OnUsageError: func(_ context.Context, _ *cli.Command, err error, _ bool) error {
			return usageError{err}
		},
	}
	err := app.Run(ctx, args)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errProblems):
		return exitProblems
	}
	fmt.Fprintf(stderr, "aop: %v\n", err)
	var ue usageError
	if errors.As(err, &ue) || isCLIUsage(err) {
		return exitUsage
	}
	return exitProblems
}

// isCLIUsage recognises the CLI library's own usage errors (a missing
// required flag, an unknown flag or command), which it reports as plain
// errors.
func isCLIUsage(err error) bool {
	msg := err.Error()
	for _, s := range []string{"Required flag", "flag provided but not defined", "No help topic", "invalid value", "invalid boolean"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
