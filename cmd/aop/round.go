package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v3"

	"aop/cmd/internal/plan"
)

// client calls the service's API for finance's command-line commands.
type client struct {
	server, token string
	http          *http.Client
}

var serverFlag = &cli.StringFlag{Name: "server", Usage: "the aop service's URL (or AOP_SERVER)", Value: "http://127.0.0.1:8080"}

func newClient(e *env, cmd *cli.Command) (*client, error) {
	server := cmd.String("server")
	if !cmd.IsSet("server") {
		if s := e.getenv("AOP_SERVER"); s != "" {
			server = s
		}
	}
	token := e.getenv("AOP_TOKEN")
	if token == "" {
		return nil, usagef("set AOP_TOKEN to a finance token (aop token create --role finance-admin)")
	}
	return &client{server: strings.TrimRight(server, "/"), token: token, http: &http.Client{Timeout: 2 * time.Minute}}, nil
}

// apiError is the service's error shape.
type apiError struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

// rateLimitWaits is how many times a command waits out the service's
// rate limit (429 with Retry-After) before it gives up.
const rateLimitWaits = 5

// do sends a request and decodes the JSON answer into out. When the
// service answers 429, it waits as long as Retry-After says and asks
// again, a few times.
func (c *client) do(ctx context.Context, method, path, ctype string, body []byte, out any) error {
	var resp *http.Response
	var data []byte
	for waits := 0; ; waits++ {
		req, err := http.NewRequestWithContext(ctx, method, c.server+path, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+c.token)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		resp, err = c.http.Do(req)
		if err != nil {
			return fmt.Errorf("cannot reach the aop service at %s: %w", c.server, err)
		}
		data, err = io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		resp.Body.Close()
		if err != nil {
			return err
		}
		wait, limited := retryAfter(resp)
		if !limited || waits == rateLimitWaits {
			break
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	if resp.StatusCode >= 300 {
		var e apiError
		if json.Unmarshal(data, &e) == nil && e.Error.Message != "" {
			msg := e.Error.Message
			for f, why := range e.Error.Fields {
				msg += fmt.Sprintf("; %s: %s", f, why)
			}
			return fmt.Errorf("%s %s: %s", method, path, msg)
		}
		return fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

// retryAfter reports whether an answer is the rate limit's 429, and how
// long it asks to wait (1 s when it does not say; at most a minute).
func retryAfter(resp *http.Response) (time.Duration, bool) {
	if resp.StatusCode != http.StatusTooManyRequests {
		return 0, false
	}
	secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || secs < 1 {
		secs = 1
	}
	return min(time.Duration(secs)*time.Second, time.Minute), true
}

func (c *client) json(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	return c.do(ctx, method, path, "application/json", body, out)
}

func cycleCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "cycle",
		Usage: "manage the service's cycles",
		Commands: []*cli.Command{{
			Name:      "load",
			Usage:     "load a cycle file into the service",
			ArgsUsage: "CYCLE.yaml",
			Flags:     []cli.Flag{serverFlag},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				if cmd.NArg() != 1 {
					return usagef("give one cycle file: aop cycle load CYCLE.yaml")
				}
				c, err := newClient(e, cmd)
				if err != nil {
					return err
				}
				path := cmd.Args().First()
				data, err := os.ReadFile(path)
				if err != nil {
					return usageError{err}
				}
				var cyc plan.Cycle
				if err := c.do(ctx, "POST", "/api/v1/cycles?name="+filepath.Base(path), "application/yaml", data, &cyc); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "loaded cycle %s from %s\n", cyc.ID, path)
				return nil
			},
		}},
	}
}

func roundCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "round",
		Usage: "open, follow and close collection rounds on the service",
		Commands: []*cli.Command{
			{
				Name:  "open",
				Usage: "open a collection round",
				Flags: []cli.Flag{serverFlag,
					&cli.StringFlag{Name: "cycle", Usage: "the cycle's id", Required: true},
					&cli.StringFlag{Name: "name", Usage: "the round's name, e.g. \"First draft\"", Required: true},
					&cli.StringFlag{Name: "due", Usage: "the due date: 2026-12-15 (end of that day, UTC) or an RFC 3339 time", Required: true},
					&cli.StringSliceFlag{Name: "department", Usage: "a department asked to submit (repeat; default all that fill a workbook)"},
					&cli.StringFlag{Name: "backend", Usage: "xlsx (workbooks) or sheets (a Google spreadsheet per department; the service needs its google section)", Value: "xlsx"},
				},
				Action: func(ctx context.Context, cmd *cli.Command) error {
					c, err := newClient(e, cmd)
					if err != nil {
						return err
					}
					due, err := parseDue(cmd.String("due"))
					if err != nil {
						return err
					}
					var r plan.Round
					if err := c.json(ctx, "POST", "/api/v1/rounds", plan.OpenRound{Cycle: cmd.String("cycle"), Name: cmd.String("name"),
						Departments: cmd.StringSlice("department"), Due: due, Backend: plan.Backend(cmd.String("backend"))}, &r); err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "opened round %d (%s) of %s for %d departments, due %s\n", r.ID, r.Name, r.Cycle, len(r.Departments), r.Due.Format(time.RFC3339))
					if r.Backend == plan.BackendSheets {
						fmt.Fprintf(e.stdout, "the departments' Google spreadsheets are being created and shared; `aop round status %d` shows them\n", r.ID)
					}
					return nil
				},
			},
			{
				Name:      "status",
				Usage:     "who has submitted, who is late, who is approved",
				ArgsUsage: "ROUND",
				Flags:     []cli.Flag{serverFlag, &cli.BoolFlag{Name: "json", Usage: "print the status as JSON"}},
				Action: func(ctx context.Context, cmd *cli.Command) error {
					c, id, err := roundArgs(e, cmd)
					if err != nil {
						return err
					}
					var st plan.RoundStatus
					if err := c.json(ctx, "GET", "/api/v1/rounds/"+id, nil, &st); err != nil {
						return err
					}
					if cmd.Bool("json") {
						enc := json.NewEncoder(e.stdout)
						enc.SetIndent("", "  ")
						return enc.Encode(st)
					}
					printStatus(e.stdout, st, time.Now())
					return nil
				},
			},
			roundStateCommand(e, "close", "stop a round taking submissions and lock every department"),
			roundStateCommand(e, "reopen", "open a closed round again"),
		},
	}
}

func roundStateCommand(e *env, verb, usage string) *cli.Command {
	return &cli.Command{
		Name:      verb,
		Usage:     usage,
		ArgsUsage: "ROUND",
		Flags:     []cli.Flag{serverFlag},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			c, id, err := roundArgs(e, cmd)
			if err != nil {
				return err
			}
			var r plan.Round
			if err := c.json(ctx, "POST", "/api/v1/rounds/"+id+"/"+verb, nil, &r); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "round %d (%s) is %s\n", r.ID, r.Name, r.State)
			return nil
		},
	}
}

func roundArgs(e *env, cmd *cli.Command) (*client, string, error) {
	if cmd.NArg() != 1 {
		return nil, "", usagef("give the round's number: aop round %s ROUND", cmd.Name)
	}
	c, err := newClient(e, cmd)
	return c, cmd.Args().First(), err
}

// parseDue reads a due date: a day means the end of that day in UTC.
func parseDue(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d.Add(24*time.Hour - time.Second), nil
	}
	return time.Time{}, usagef("--due %q is neither a date (2026-12-15) nor an RFC 3339 time", s)
}

// printStatus writes a round's status as a table, late departments marked.
func printStatus(w io.Writer, st plan.RoundStatus, now time.Time) {
	r := st.Round
	left := r.Due.Sub(now)
	when := fmt.Sprintf("due %s (in %s)", r.Due.Format("2006-01-02 15:04 MST"), days(left))
	if left < 0 {
		when = fmt.Sprintf("due %s (%s ago)", r.Due.Format("2006-01-02 15:04 MST"), days(-left))
	}
	fmt.Fprintf(w, "round %d · %s · %s · %s · %s\n\n", r.ID, r.Name, r.Cycle, r.State, when)
	late := map[string]bool{}
	for _, d := range st.Late {
		late[d] = true
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DEPARTMENT\tSTATUS\tSUBMISSION\tUPDATED\tNOTE")
	for _, d := range st.Departments {
		status := strings.ReplaceAll(string(d.Status), "_", " ")
		if d.Locked {
			status += ", locked"
		}
		sub := "-"
		if d.Current != 0 {
			sub = fmt.Sprintf("#%d", d.Current)
		}
		note := d.Comment
		if r.Backend == plan.BackendSheets {
			link := "spreadsheet being created"
			if d.Spreadsheet.URL != "" {
				link = d.Spreadsheet.URL
			}
			note = strings.TrimSpace(link + " " + note)
		}
		if late[d.Department] {
			note = strings.TrimSpace("LATE " + note)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.Department, status, sub, d.UpdatedAt.Format("2006-01-02 15:04"), note)
	}
	tw.Flush()
	var parts []string
	for _, s := range []plan.Status{plan.NotStarted, plan.InProgress, plan.Submitted, plan.SentBack, plan.Approved} {
		if n := st.Counts[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, strings.ReplaceAll(string(s), "_", " ")))
		}
	}
	fmt.Fprintf(w, "\n%d departments: %s; %d late\n", len(st.Departments), strings.Join(parts, ", "), len(st.Late))
	if r.Backend == plan.BackendSheets {
		fmt.Fprintf(w, "%d of %d spreadsheets created\n", st.Spreadsheets, len(st.Departments))
	}
}

// days writes a duration as days and hours ("6d 23h"), or hours and minutes
// below a day.
func days(d time.Duration) string {
	if d < 24*time.Hour {
		return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
}
