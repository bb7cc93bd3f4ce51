package sheets

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"google.golang.org/api/googleapi"
	sheetsv4 "google.golang.org/api/sheets/v4"

	"aop/engine/grid"
)

// A written tab gets this many rows and columns more than it needs, so
// that a later, slightly longer write of the same tab fits.
const (
	tabRowsSpare = 50
	tabColsSpare = 4
)

// Tab is a read-only tab aop writes into a spreadsheet, such as a
// department's Summary.
type Tab struct {
	// ID is the tab's sheet id, fixed per kind of tab, so that creating it
	// twice fails instead of adding a copy.
	ID    int64
	Sheet *grid.Sheet
	// Index is where the tab goes among the sheets.
	Index int
	// Inputs keeps the tab's unlocked cells open to the spreadsheet's
	// editors (a department's explanations): the tab's protection leaves
	// them out. Where they sit moves from one write to the next, so such
	// a tab is made anew at every write, in one structural batchUpdate:
	// the caller reads back what was typed first (ReadTab) and writes it
	// again as the tab's values.
	Inputs bool
}

// WriteTab writes a read-only tab. The first time (create) it is one
// structural batchUpdate that adds the tab with its formats, values and
// protection; afterwards it is one values.batchUpdate of the tab's values,
// RAW, so that text a person typed (say "=IMPORTXML(…)") stays text. A tab
// that outgrew its grid, or that someone deleted, is made again, and so
// is a tab with inputs at every write.
func (c *Client) WriteTab(ctx context.Context, id string, t Tab, create bool) error {
	if !create && !t.Inputs {
		err := c.writeValues(ctx, id, t)
		if err == nil || !(errTabMissing(err) || errBeyondGrid(err)) {
			return err
		}
	}
	return c.replaceTab(ctx, id, t, !create)
}

func (c *Client) writeValues(ctx context.Context, id string, t Tab) error {
	rows, cols := tabSize(t.Sheet)
	values := make([][]any, rows)
	for r := range values {
		values[r] = make([]any, cols)
		for col := range values[r] {
			values[r][col] = rawValue(t.Sheet.Cell(grid.R(r+1, col+1)).Value)
		}
	}
	rg := grid.QuoteSheet(t.Sheet.Name) + "!" + grid.Rect(1, 1, rows, cols).String()
	req := &sheetsv4.BatchUpdateValuesRequest{ValueInputOption: "RAW",
		Data: []*sheetsv4.ValueRange{{Range: rg, MajorDimension: "ROWS", Values: values}}}
	err := c.call(ctx, Write, func(ctx context.Context, _ bool) error {
		_, err := c.sheets.Spreadsheets.Values.BatchUpdate(id, req).Context(ctx).Do()
		return err
	})
	if err != nil {
		return fmt.Errorf("sheets: write %s of %s: %w", t.Sheet.Name, id, err)
	}
	return nil
}

// tabSize is the rectangle a tab's writes cover: its grid, spare
// included, so that values a shorter write leaves behind are cleared.
func tabSize(s *grid.Sheet) (rows, cols int) {
	rows, cols = extent(s)
	return rows + tabRowsSpare, cols + tabColsSpare
}

// rawValue is a grid value for a RAW write: numbers as numbers, text as
// text, empty as "" (which clears a cell).
func rawValue(v grid.Value) any {
	switch v.Kind {
	case grid.Number:
		if f, ok := v.Float64(); ok {
			return f
		}
	case grid.Bool:
		return v.Bool()
	case grid.Empty:
		return ""
	}
	return v.Text
}

// replaceTab adds the tab anew: formats, values as constants, protection
// with aop as the only editor. When the tab exists (exists says it should)
// the same request deletes it first; a guess proved wrong costs a second
// request.
func (c *Client) replaceTab(ctx context.Context, id string, t Tab, exists bool) error {
	r := renderer{editor: c.editor}
	if err := r.sheet(constants(t.Sheet, t.Inputs), t.ID, t.Index); err != nil {
		return err
	}
	rows, cols := tabSize(t.Sheet)
	add := r.requests()
	g := add[0].AddSheet.Properties.GridProperties
	g.RowCount, g.ColumnCount = int64(rows), int64(cols)
	both := append([]*sheetsv4.Request{{DeleteSheet: &sheetsv4.DeleteSheetRequest{SheetId: t.ID}}}, add...)
	update := func(ctx context.Context, reqs []*sheetsv4.Request) error {
		_, err := c.sheets.Spreadsheets.BatchUpdate(id, &sheetsv4.BatchUpdateSpreadsheetRequest{Requests: reqs}).Context(ctx).Do()
		return err
	}
	return c.call(ctx, Write, func(ctx context.Context, again bool) error {
		if exists {
			err := update(ctx, both)
			if errNoGrid(err, t.ID) { // someone deleted the tab
				err = update(ctx, add)
			}
			return err
		}
		err := update(ctx, add)
		if alreadyExists(err) {
			if again {
				return nil // the first attempt made it
			}
			err = update(ctx, both)
		}
		return err
	})
}

// errNoGrid reports whether Google refused a request for naming a sheet
// id the spreadsheet does not have.
func errNoGrid(err error, sheet int64) bool {
	var ge *googleapi.Error
	return errors.As(err, &ge) && ge.Code == http.StatusBadRequest && strings.Contains(ge.Message, fmt.Sprintf("No grid with id: %d", sheet))
}

// constants is a read-only copy of a tab: values instead of formulas, the
// whole sheet protected, and no input cells unless inputs (then with the
// validations that check them).
func constants(src *grid.Sheet, inputs bool) *grid.Sheet {
	s := grid.New().AddSheet(src.Name)
	if inputs {
		s.Validations = src.Validations
	}
	for at, cell := range src.All() {
		cell.Formula = ""
		if !inputs && cell.Style != nil && cell.Style.Unlocked {
			st := *cell.Style
			st.Unlocked = false
			cell.Style = &st
		}
		s.Set(at, cell)
	}
	s.Merges, s.ColWidths, s.Freeze, s.TabColor, s.Page = src.Merges, src.ColWidths, src.Freeze, src.TabColor, src.Page
	s.Protection = &grid.Protection{}
	return s
}

func errBeyondGrid(err error) bool {
	var ge *googleapi.Error
	return errors.As(err, &ge) && ge.Code == http.StatusBadRequest && strings.Contains(ge.Message, "exceeds grid limits")
}

// SetLocked closes (or reopens) a rendered workbook's input cells: the
// protections of its protected sheets lose (or regain) their unprotected
// ranges, and the inputs lose (or regain) their fill. One batchUpdate.
func (c *Client) SetLocked(ctx context.Context, id string, wb *grid.Workbook, locked bool) error {
	var reqs []*sheetsv4.Request
	for i, s := range wb.Sheets {
		if s.Protection == nil {
			continue
		}
		sid := FirstSheetID + int64(i)
		open := unlockedRanges(s)
		var ranges []*sheetsv4.GridRange
		if !locked {
			for _, rg := range open {
				ranges = append(ranges, gridRange(sid, rg))
			}
		}
		reqs = append(reqs, &sheetsv4.Request{UpdateProtectedRange: &sheetsv4.UpdateProtectedRangeRequest{
			ProtectedRange: &sheetsv4.ProtectedRange{ProtectedRangeId: sid, UnprotectedRanges: ranges},
			Fields:         "unprotectedRanges"}})
		// Inputs lose their fill when locked and get it back when
		// reopened: the cells of each fill, a rectangle at a time.
		byFill := map[string][]grid.Ref{}
		var fills []string
		for at, c := range s.All() {
			if c.Style == nil || !c.Style.Unlocked {
				continue
			}
			fill := c.Style.Fill
			if locked {
				fill = ""
			}
			if _, ok := byFill[fill]; !ok {
				fills = append(fills, fill)
			}
			byFill[fill] = append(byFill[fill], at)
		}
		for _, fill := range fills {
			cell := &sheetsv4.CellData{UserEnteredFormat: &sheetsv4.CellFormat{}}
			if fill != "" {
				col, err := color(fill)
				if err != nil {
					return err
				}
				cell.UserEnteredFormat.BackgroundColorStyle = &sheetsv4.ColorStyle{RgbColor: col}
			}
			for _, rg := range cover(byFill[fill]) {
				reqs = append(reqs, &sheetsv4.Request{RepeatCell: &sheetsv4.RepeatCellRequest{
					Range: gridRange(sid, rg), Cell: cell, Fields: "userEnteredFormat.backgroundColorStyle"}})
			}
		}
	}
	if len(reqs) == 0 {
		return nil
	}
	err := c.call(ctx, Write, func(ctx context.Context, _ bool) error {
		_, err := c.sheets.Spreadsheets.BatchUpdate(id, &sheetsv4.BatchUpdateSpreadsheetRequest{Requests: reqs}).Context(ctx).Do()
		return err
	})
	if err != nil {
		return fmt.Errorf("sheets: lock %s: %w", id, err)
	}
	return nil
}

// Check is the structure check of a spreadsheet aop rendered from wb with
// meta: its metadata says what aop wrote, and every protected sheet is
// still protected with aop its only editor and only the input cells open.
// It is one read request; a round runs it once per spreadsheet. The
// problems found are returned, each naming the sheet.
func (c *Client) Check(ctx context.Context, id string, wb *grid.Workbook, meta map[string]string, locked bool) ([]string, error) {
	var ss *sheetsv4.Spreadsheet
	err := c.call(ctx, Read, func(ctx context.Context, _ bool) error {
		var err error
		ss, err = c.sheets.Spreadsheets.Get(id).
			Fields("developerMetadata,sheets(properties(sheetId,title),protectedRanges)").Context(ctx).Do()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sheets: check %s: %w", id, err)
	}
	var problems []string
	have := map[string]string{}
	for _, m := range ss.DeveloperMetadata {
		have[m.MetadataKey] = m.MetadataValue
	}
	for k, v := range meta {
		if have[k] != v {
			problems = append(problems, fmt.Sprintf("the spreadsheet's metadata %s is %q, not %q", k, have[k], v))
		}
	}
	byID := map[int64]*sheetsv4.Sheet{}
	for _, sh := range ss.Sheets {
		if sh.Properties != nil {
			byID[sh.Properties.SheetId] = sh
		}
	}
	for i, s := range wb.Sheets {
		sid := FirstSheetID + int64(i)
		sh, ok := byID[sid]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("sheet %q is missing", s.Name))
			continue
		case sh.Properties.Title != s.Name:
			problems = append(problems, fmt.Sprintf("sheet %q was renamed to %q", s.Name, sh.Properties.Title))
		}
		if s.Protection == nil {
			continue
		}
		if p := checkProtection(sh, sid, s, c.editor, locked); p != "" {
			problems = append(problems, fmt.Sprintf("sheet %q: %s", s.Name, p))
		}
	}
	return problems, nil
}

func checkProtection(sh *sheetsv4.Sheet, sid int64, s *grid.Sheet, editor string, locked bool) string {
	i := slices.IndexFunc(sh.ProtectedRanges, func(p *sheetsv4.ProtectedRange) bool { return p.ProtectedRangeId == sid })
	if i < 0 {
		return "its protection was removed"
	}
	p := sh.ProtectedRanges[i]
	if p.WarningOnly || p.Range == nil || !wholeSheet(p.Range) {
		return "its protection was weakened"
	}
	if editor != "" && (p.Editors == nil || !slices.Equal(p.Editors.Users, []string{editor})) {
		return "its protection's editors were changed"
	}
	want := map[grid.Range]bool{}
	if !locked {
		for _, rg := range unlockedRanges(s) {
			want[rg] = true
		}
	}
	if len(p.UnprotectedRanges) != len(want) {
		return "the cells open for input were changed"
	}
	for _, r := range p.UnprotectedRanges {
		if !want[fromGridRange(r)] {
			return "the cells open for input were changed"
		}
	}
	return ""
}
