package sheets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/api/drive/v3"
	"google.golang.org/api/googleapi"
	sheetsv4 "google.golang.org/api/sheets/v4"

	"aop/engine/grid"
)

// NewSpreadsheet is a spreadsheet to create.
type NewSpreadsheet struct {
	// Name is the file's name in the shared drive; it must be unique
	// there (a retried copy finds an earlier one by it).
	Name     string
	Workbook *grid.Workbook
	// Metadata identifies the spreadsheet (cycle, round, department,
	// template) as developer metadata.
	Metadata map[string]string
	// Share is the e-mail address of the person who fills it in (writer);
	// empty shares with nobody.
	Share string
	// Resume says an earlier Create of this name may have run (its job
	// crashed or timed out): the copy is looked up by name first and, when
	// found, finished (a render already applied is recognised by its sheet
	// ids) instead of copied again. One more request, a Drive list.
	Resume bool
}

// Create makes a spreadsheet in three requests: a Drive copy of the
// master template into the shared drive, one batchUpdate that renders the
// workbook over it, and the share with its owner. The copy is found again
// by name when its answer was lost; the render is recognised by its
// sheet ids when it had been applied.
func (c *Client) Create(ctx context.Context, n NewSpreadsheet) (Spreadsheet, error) {
	reqs, err := c.Render(n.Workbook, n.Metadata)
	if err != nil {
		return Spreadsheet{}, err
	}
	var id string
	if n.Resume {
		err := c.call(ctx, Drive, func(ctx context.Context, _ bool) error {
			var err error
			id, err = c.find(ctx, n.Name)
			return err
		})
		if err != nil {
			return Spreadsheet{}, fmt.Errorf("sheets: look for %q: %w", n.Name, err)
		}
	}
	resumed := id != ""
	if !resumed {
		if id, err = c.copyTemplate(ctx, n.Name); err != nil {
			return Spreadsheet{}, err
		}
	}
	if err := c.apply(ctx, id, reqs, resumed); err != nil {
		return Spreadsheet{ID: id, URL: URL(id)}, fmt.Errorf("sheets: render %q: %w", n.Name, err)
	}
	if n.Share != "" {
		if err := c.Share(ctx, id, n.Share); err != nil {
			return Spreadsheet{ID: id, URL: URL(id)}, err
		}
	}
	return Spreadsheet{ID: id, URL: URL(id)}, nil
}

func (c *Client) copyTemplate(ctx context.Context, name string) (string, error) {
	if c.tmpl == "" {
		return "", errors.New("sheets: no master template spreadsheet is configured")
	}
	var id string
	// Drive copies are not idempotent: whatever made an attempt fail, the
	// retry first looks for a copy that was made.
	err := c.call(ctx, Drive, func(ctx context.Context, again bool) error {
		if again {
			found, err := c.find(ctx, name)
			if err != nil {
				return err
			}
			if found != "" {
				id = found
				return nil
			}
		}
		f := &drive.File{Name: name}
		if c.folder != "" {
			f.Parents = []string{c.folder}
		}
		got, err := c.drive.Files.Copy(c.tmpl, f).SupportsAllDrives(true).Fields("id").Context(ctx).Do()
		if err != nil {
			return err
		}
		id = got.Id
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("sheets: copy the master template %s to %q: %w", c.tmpl, name, err)
	}
	return id, nil
}

// find looks up a file by name in the folder.
func (c *Client) find(ctx context.Context, name string) (string, error) {
	q := "name = '" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(name) + "' and trashed = false"
	if c.folder != "" {
		q = "'" + c.folder + "' in parents and " + q
	}
	l, err := c.drive.Files.List().Q(q).SupportsAllDrives(true).IncludeItemsFromAllDrives(true).Fields("files(id)").Context(ctx).Do()
	if err != nil {
		return "", err
	}
	if len(l.Files) == 0 {
		return "", nil
	}
	return l.Files[0].Id, nil
}

// apply sends structural requests in one batchUpdate. A retry that finds
// its ids taken was applied before its answer was lost, as was a resumed
// creation's.
func (c *Client) apply(ctx context.Context, id string, reqs []*sheetsv4.Request, resumed bool) error {
	return c.call(ctx, Write, func(ctx context.Context, again bool) error {
		_, err := c.sheets.Spreadsheets.BatchUpdate(id, &sheetsv4.BatchUpdateSpreadsheetRequest{Requests: reqs}).Context(ctx).Do()
		if (again || resumed) && alreadyExists(err) {
			return nil
		}
		return err
	})
}

// Share gives a person write access to a spreadsheet, without Drive's
// notification e-mail (aop sends its own).
func (c *Client) Share(ctx context.Context, id, email string) error {
	err := c.call(ctx, Drive, func(ctx context.Context, _ bool) error {
		_, err := c.drive.Permissions.Create(id, &drive.Permission{Type: "user", Role: "writer", EmailAddress: email}).
			SendNotificationEmail(false).SupportsAllDrives(true).Fields("id").Context(ctx).Do()
		return err
	})
	if err != nil {
		return fmt.Errorf("sheets: share %s with %s: %w", id, email, err)
	}
	return nil
}

// Harvest reads the values of whole sheets in one values.batchGet:
// unformatted, dates as serial numbers. It returns the answer as it came,
// to be stored before it is parsed (DecodeValues turns it into a grid).
func (c *Client) Harvest(ctx context.Context, id string, sheets []string) ([]byte, error) {
	ranges := make([]string, len(sheets))
	for i, s := range sheets {
		ranges[i] = grid.QuoteSheet(s)
	}
	var resp *sheetsv4.BatchGetValuesResponse
	err := c.call(ctx, Read, func(ctx context.Context, _ bool) error {
		var err error
		resp, err = c.sheets.Spreadsheets.Values.BatchGet(id).Ranges(ranges...).
			ValueRenderOption("UNFORMATTED_VALUE").DateTimeRenderOption("SERIAL_NUMBER").Context(ctx).Do()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sheets: harvest %s: %w", id, err)
	}
	return json.Marshal(resp)
}

// DecodeValues turns a stored harvest (a values.batchGet answer) into a
// workbook of values: one sheet per range read, cells where they sit.
func DecodeValues(data []byte) (*grid.Workbook, error) {
	var resp struct {
		ValueRanges []struct {
			Range  string              `json:"range"`
			Values [][]json.RawMessage `json:"values"`
		} `json:"valueRanges"`
	}
	if err := json.Unmarshal(data, &resp); err != nil {
		return nil, fmt.Errorf("sheets: the harvested values are not a values.batchGet answer: %w", err)
	}
	wb := grid.New()
	for _, vr := range resp.ValueRanges {
		name, origin, err := splitEchoed(vr.Range)
		if err != nil {
			return nil, err
		}
		s := wb.Sheet(name)
		if s == nil {
			s = wb.AddSheet(name)
		}
		for r, row := range vr.Values {
			for col, raw := range row {
				v, err := decodeValue(raw)
				if err != nil {
					return nil, fmt.Errorf("sheets: %s row %d column %d: %w", name, origin.Row+r, origin.Col+col, err)
				}
				if !v.IsEmpty() {
					s.SetValue(origin.Offset(r, col), v)
				}
			}
		}
	}
	return wb, nil
}

// splitEchoed reads the range Google echoes ("'Plan'!A1:Z200", "Plan!A1")
// into its sheet and top-left cell.
func splitEchoed(r string) (string, grid.Ref, error) {
	i := strings.LastIndexByte(r, '!')
	if i < 0 {
		return "", grid.Ref{}, fmt.Errorf("sheets: the echoed range %q names no sheet", r)
	}
	sheet := r[:i]
	if len(sheet) >= 2 && sheet[0] == '\'' && sheet[len(sheet)-1] == '\'' {
		sheet = strings.ReplaceAll(sheet[1:len(sheet)-1], "''", "'")
	}
	from, _, _ := strings.Cut(r[i+1:], ":")
	at, err := grid.ParseRef(strings.ReplaceAll(from, "$", ""))
	if err != nil {
		return "", grid.Ref{}, fmt.Errorf("sheets: the echoed range %q: %w", r, err)
	}
	return sheet, at, nil
}

// decodeValue reads one UNFORMATTED_VALUE: a number (kept as the text
// Google sent), a string or a bool.
func decodeValue(raw json.RawMessage) (grid.Value, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return grid.Value{}, nil
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return grid.Value{}, err
		}
		if s == "" {
			return grid.Value{}, nil
		}
		if strings.HasPrefix(s, "#") && isErrorCode(s) {
			return grid.ErrorValue(s), nil
		}
		return grid.Str(s), nil
	case 't', 'f':
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return grid.Value{}, err
		}
		return grid.BoolValue(b), nil
	default:
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return grid.Value{}, fmt.Errorf("%s is not a value", raw)
		}
		f, err := n.Float64()
		if err != nil {
			return grid.Value{}, err
		}
		return number(f), nil
	}
}

func isErrorCode(s string) bool {
	switch s {
	case "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#ERROR!":
		return true
	}
	return false
}

// errTabMissing is Google's answer to a range on a sheet that is not
// there.
func errTabMissing(err error) bool {
	var ge *googleapi.Error
	return errors.As(err, &ge) && ge.Code == 400 && strings.Contains(ge.Message, "Unable to parse range")
}

// Delete moves a spreadsheet to the shared drive's trash.
func (c *Client) Delete(ctx context.Context, id string) error {
	err := c.call(ctx, Drive, func(ctx context.Context, _ bool) error {
		_, err := c.drive.Files.Update(id, &drive.File{Trashed: true}).SupportsAllDrives(true).Fields("id").Context(ctx).Do()
		return err
	})
	if err != nil {
		return fmt.Errorf("sheets: delete %s: %w", id, err)
	}
	return nil
}
