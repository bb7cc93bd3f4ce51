// Package sheets moves grids to and from Google Sheets: it renders the same
// grid.Workbook the excel driver writes into a department's spreadsheet,
// harvests its inputs, writes read-only summary tabs and locks approved
// plans, through Google's own client for Sheets v4 and Drive v3.
//
// Every call keeps within Google's per-minute quotas (a Pacer shared by all
// workers of a process, and across instances when its slots live in the
// database) and retries what is transient: 408, 429 and 5xx answers and
// transport errors, with truncated exponential backoff and full jitter
// (Google's client does not retry). Requests are shaped so that a retry
// never duplicates anything: tabs, ranges, protections and metadata carry
// ids chosen here, values are written whole.
//
// The package knows nothing of budgets; which cells a template reads is
// the caller's business.
package sheets

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"google.golang.org/api/drive/v3"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	sheetsv4 "google.golang.org/api/sheets/v4"
)

// Options configure a Client.
type Options struct {
	// HTTPClient sends the requests and authorises them (see
	// AuthorizedClient).
	HTTPClient *http.Client
	// Endpoint, when set, is the base URL of a Sheets/Drive emulator used
	// instead of Google.
	Endpoint string
	// Editor is the e-mail address aop acts as (the service account, or the
	// impersonated user): the one editor of every protected range.
	Editor string
	// Folder is the shared-drive folder new spreadsheets are copied into.
	Folder string
	// Template is the master spreadsheet each department's spreadsheet is
	// copied from; its first sheet (id 0) is a placeholder that Create
	// replaces.
	Template string
	// Pacer keeps the calls within quota; nil paces by Google's default
	// quotas in this process only.
	Pacer *Pacer
	// Retry is the backoff of transient failures; the zero value is
	// Google's recommendation.
	Retry Backoff
	// Timeout bounds one attempt of one request (default 60s).
	Timeout time.Duration
}

// Client is the Google Sheets driver. It is safe for concurrent use.
type Client struct {
	sheets  *sheetsv4.Service
	drive   *drive.Service
	editor  string
	folder  string
	tmpl    string
	pacer   *Pacer
	retry   Backoff
	timeout time.Duration
}

// New returns a client.
func New(ctx context.Context, o Options) (*Client, error) {
	if o.HTTPClient == nil {
		return nil, errors.New("sheets: an authorised HTTP client is required")
	}
	sopts := []option.ClientOption{option.WithHTTPClient(o.HTTPClient)}
	dopts := []option.ClientOption{option.WithHTTPClient(o.HTTPClient)}
	if o.Endpoint != "" {
		base := strings.TrimRight(o.Endpoint, "/")
		sopts = append(sopts, option.WithEndpoint(base+"/"))
		dopts = append(dopts, option.WithEndpoint(base+"/drive/v3/"))
	}
	ss, err := sheetsv4.NewService(ctx, sopts...)
	if err != nil {
		return nil, fmt.Errorf("sheets: %w", err)
	}
	ds, err := drive.NewService(ctx, dopts...)
	if err != nil {
		return nil, fmt.Errorf("sheets: drive: %w", err)
	}
	c := &Client{sheets: ss, drive: ds, editor: o.Editor, folder: o.Folder, tmpl: o.Template,
		pacer: o.Pacer, retry: o.Retry, timeout: o.Timeout}
	if c.pacer == nil {
		c.pacer = NewPacer(NewMemorySlots(), DefaultQuotas())
	}
	if c.timeout <= 0 {
		c.timeout = time.Minute
	}
	return c, nil
}

// Spreadsheet is a spreadsheet aop made.
type Spreadsheet struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

// URL is where a person opens a spreadsheet.
func URL(id string) string { return "https://docs.google.com/spreadsheets/d/" + id + "/edit" }

// call runs one API request of a kind: paced, bounded by the attempt
// timeout, and retried while it fails transiently. again reports whether
// an earlier attempt may have been applied although it failed (its answer
// was lost), so fn can make its retry safe.
func (c *Client) call(ctx context.Context, k Kind, fn func(ctx context.Context, again bool) error) error {
	var err error
	for attempt := 0; ; attempt++ {
		if err = c.pacer.Wait(ctx, k); err != nil {
			return err
		}
		actx, cancel := context.WithTimeout(ctx, c.timeout)
		err = fn(actx, attempt > 0)
		cancel()
		if err == nil || ctx.Err() != nil || !Transient(err) {
			break
		}
		if err = c.retry.sleep(ctx, attempt, err); err != nil {
			break
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// alreadyExists reports whether err is Google's refusal of an id that is
// taken: a retried structural request that had been applied.
func alreadyExists(err error) bool {
	var ge *googleapi.Error
	return errors.As(err, &ge) && ge.Code == http.StatusBadRequest && strings.Contains(ge.Message, "already exists")
}
