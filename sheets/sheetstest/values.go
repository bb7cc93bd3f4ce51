package sheetstest

import (
	"google.golang.org/api/sheets/v4"
)

// readOptions are the render options of a values read.
type readOptions struct {
	major, render, dateTime string
}

func (c *call) readOptions() readOptions {
	o := readOptions{
		major:    c.query.Get("majorDimension"),
		render:   c.query.Get("valueRenderOption"),
		dateTime: c.query.Get("dateTimeRenderOption"),
	}
	return o.withDefaults()
}

func (o readOptions) withDefaults() readOptions {
	if o.major == "" || o.major == "DIMENSION_UNSPECIFIED" {
		o.major = "ROWS"
	}
	if o.render == "" {
		o.render = "FORMATTED_VALUE"
	}
	if o.dateTime == "" {
		o.dateTime = "SERIAL_NUMBER"
	}
	return o
}

// readRange reads the values of a resolved range: trailing empty rows and
// columns are left out, so rows are ragged and an empty range has no
// values at all; the echoed range is the whole requested range.
func (s *Server) readRange(ss *spreadsheetState, r resolved, o readOptions) *sheets.ValueRange {
	vr := &sheets.ValueRange{Range: formatA1(r.Sheet.Props.Title, r.Rect), MajorDimension: o.major}
	lastRow, lastCol := usedExtent(r.Sheet, r.Rect)
	get := func(row, col int) any {
		return s.valueFor(ss, r.Sheet, cellKey{row, col}, o.render, o.dateTime)
	}
	outer0, outer1, inner0, inner1 := r.Rect.R0, lastRow, r.Rect.C0, lastCol
	cell := get
	if o.major == "COLUMNS" {
		outer0, outer1, inner0, inner1 = r.Rect.C0, lastCol, r.Rect.R0, lastRow
		cell = func(a, b int) any { return get(b, a) }
	}
	var rows [][]any
	for i := outer0; i < outer1; i++ {
		var line []any
		end := 0
		for j := inner0; j < inner1; j++ {
			v := cell(i, j)
			if v == nil {
				line = append(line, "")
				continue
			}
			if sv, ok := v.(string); ok && sv == "" {
				line = append(line, "")
				continue
			}
			line = append(line, v)
			end = len(line)
		}
		rows = append(rows, line[:end])
	}
	for len(rows) > 0 && len(rows[len(rows)-1]) == 0 {
		rows = rows[:len(rows)-1]
	}
	for i := range rows {
		if rows[i] == nil {
			rows[i] = []any{}
		}
	}
	if len(rows) > 0 {
		vr.Values = rows
	}
	return vr
}

func (c *call) valuesGet() (any, *apiError) {
	f, err := c.openSpreadsheet(false)
	if err != nil {
		return nil, err
	}
	r, rerr := resolveA1(f.Sheet, c.pathArgs[0], true)
	if rerr != nil {
		return nil, rerr
	}
	return c.s.readRange(f.Sheet, r, c.readOptions()), nil
}

func (c *call) valuesBatchGet() (any, *apiError) {
	f, err := c.openSpreadsheet(false)
	if err != nil {
		return nil, err
	}
	o := c.readOptions()
	out := &sheets.BatchGetValuesResponse{SpreadsheetId: f.ID}
	for _, rng := range c.query["ranges"] {
		r, rerr := resolveA1(f.Sheet, rng, true)
		if rerr != nil {
			return nil, rerr
		}
		out.ValueRanges = append(out.ValueRanges, c.s.readRange(f.Sheet, r, o))
	}
	return out, nil
}

func (c *call) valuesBatchGetByDataFilter() (any, *apiError) {
	var req sheets.BatchGetValuesByDataFilterRequest
	if err := c.decodeBody(&req); err != nil {
		return nil, err
	}
	f, err := c.openSpreadsheet(false)
	if err != nil {
		return nil, err
	}
	o := readOptions{major: req.MajorDimension, render: req.ValueRenderOption, dateTime: req.DateTimeRenderOption}.withDefaults()
	out := &sheets.BatchGetValuesByDataFilterResponse{SpreadsheetId: f.ID}
	for i, df := range req.DataFilters {
		rs, ferr := c.filterRanges(f, df)
		if ferr != nil {
			return nil, invalidf("Invalid dataFilters[%d]: %s", i, ferr.Message)
		}
		for _, r := range rs {
			out.ValueRanges = append(out.ValueRanges, &sheets.MatchedValueRange{
				ValueRange:  c.s.readRange(f.Sheet, r, o),
				DataFilters: []*sheets.DataFilter{df},
			})
		}
	}
	return out, nil
}

// writeOptions are the options of a values write.
type writeOptions struct {
	userEntered bool
	// person marks a write by EditAs: strict data validation applies, as
	// it does to typing.
	person bool
}

func parseInputOption(opt string) (bool, *apiError) {
	switch opt {
	case "RAW":
		return false, nil
	case "USER_ENTERED":
		return true, nil
	case "", "INPUT_VALUE_OPTION_UNSPECIFIED":
		return false, invalidf("'valueInputOption' is required but not specified")
	}
	return false, invalidf("Invalid valueInputOption: %s", opt)
}

// writeValues writes a ValueRange into ss (a copy that the caller commits
// on success). Values fill the range from its top-left cell; a range of
// one cell is only an anchor. Null values leave cells alone; "" clears a
// cell's value.
func (c *call) writeValues(f *file, ss *spreadsheetState, rng string, vr *sheets.ValueRange, o writeOptions) (*sheets.UpdateValuesResponse, *apiError) {
	r, err := resolveA1(ss, rng, false)
	if err != nil {
		return nil, err
	}
	rows := vr.Values
	if vr.MajorDimension == "COLUMNS" {
		rows = transpose(rows)
	}
	anchorOnly := r.Rect.R1-r.Rect.R0 == 1 && r.Rect.C1-r.Rect.C0 == 1
	resp := &sheets.UpdateValuesResponse{SpreadsheetId: f.ID}
	prot := c.protections(f, ss, r.Sheet)
	nRows, nCols, nCells := 0, 0, 0
	for i, row := range rows {
		for j, v := range row {
			rr, cc := r.Rect.R0+i, r.Rect.C0+j
			if !anchorOnly && rr >= r.Rect.R1 {
				return nil, invalidf("Requested writing within range [%s], but tried writing to row [%d]", rng, rr+1)
			}
			if !anchorOnly && cc >= r.Rect.C1 {
				return nil, invalidf("Requested writing within range [%s], but tried writing to column [%s]", rng, colName(cc))
			}
			in, perr := parseInput(v, o.userEntered)
			if perr != nil {
				return nil, invalidf("Invalid values[%d][%d]: %v", i, j, perr)
			}
			if in.skip {
				continue
			}
			if rr >= r.Sheet.rowCount() || cc >= r.Sheet.colCount() {
				return nil, errGridLimits(r.Sheet, rect{rr, cc, rr + 1, cc + 1})
			}
			if prot.blocks(rr, cc) {
				return nil, errProtected()
			}
			if o.person {
				if msg := c.s.checkValidation(ss, r.Sheet, cellKey{rr, cc}, in); msg != "" {
					return nil, invalidf("%s", msg)
				}
			}
			setCellValue(r.Sheet, cellKey{rr, cc}, in)
			nRows, nCols = max(nRows, i+1), max(nCols, j+1)
			nCells++
		}
	}
	if nCells > 0 {
		resp.UpdatedRange = formatA1(r.Sheet.Props.Title, rect{r.Rect.R0, r.Rect.C0, r.Rect.R0 + nRows, r.Rect.C0 + nCols})
		resp.UpdatedRows, resp.UpdatedColumns, resp.UpdatedCells = int64(nRows), int64(nCols), int64(nCells)
		if vr.MajorDimension == "COLUMNS" {
			resp.UpdatedRows, resp.UpdatedColumns = int64(nRows), int64(nCols)
		}
	} else {
		resp.UpdatedRange = formatA1(r.Sheet.Props.Title, rect{r.Rect.R0, r.Rect.C0, r.Rect.R0 + 1, r.Rect.C0 + 1})
	}
	return resp, nil
}

func transpose(rows [][]any) [][]any {
	var out [][]any
	for j, col := range rows {
		for i, v := range col {
			for len(out) <= i {
				out = append(out, nil)
			}
			for len(out[i]) < j {
				out[i] = append(out[i], nil)
			}
			out[i] = append(out[i], v)
		}
	}
	return out
}

// setCellValue stores a parsed input value in a cell, keeping its format;
// an implied number format (a typed date) is applied only to a cell that
// has none.
func setCellValue(sh *sheetState, k cellKey, in inputValue) {
	var nc sheets.CellData
	if old := sh.Cells[k]; old != nil {
		nc = *old
	}
	nc.UserEnteredValue = in.value
	if in.format != nil && (nc.UserEnteredFormat == nil || nc.UserEnteredFormat.NumberFormat == nil) {
		var cf sheets.CellFormat
		if nc.UserEnteredFormat != nil {
			cf = *nc.UserEnteredFormat
		}
		cf.NumberFormat = in.format
		nc.UserEnteredFormat = &cf
	}
	if isEmptyCell(&nc) {
		delete(sh.Cells, k)
		return
	}
	sh.Cells[k] = &nc
}

func (c *call) valuesUpdate() (any, *apiError) {
	var vr sheets.ValueRange
	if err := c.decodeBody(&vr); err != nil {
		return nil, err
	}
	userEntered, err := parseInputOption(c.query.Get("valueInputOption"))
	if err != nil {
		return nil, err
	}
	rng := c.pathArgs[0]
	var resp *sheets.UpdateValuesResponse
	f, err := c.change(func(f *file, ss *spreadsheetState) *apiError {
		if vr.Range != "" && !sameRange(ss, vr.Range, rng) {
			return invalidf("Requested range [%s] and range in the request body [%s] do not match.", rng, vr.Range)
		}
		var err *apiError
		resp, err = c.writeValues(f, ss, rng, &vr, writeOptions{userEntered: userEntered})
		return err
	})
	if err != nil {
		return nil, err
	}
	if c.query.Get("includeValuesInResponse") == "true" {
		resp.UpdatedData = c.responseData(f, resp.UpdatedRange, c.query.Get("responseValueRenderOption"), c.query.Get("responseDateTimeRenderOption"))
	}
	return resp, nil
}

// sameRange reports whether two A1 ranges resolve to the same cells.
func sameRange(ss *spreadsheetState, a, b string) bool {
	ra, e1 := resolveA1(ss, a, true)
	rb, e2 := resolveA1(ss, b, true)
	return e1 == nil && e2 == nil && ra.Sheet == rb.Sheet && ra.Rect == rb.Rect
}

func (c *call) responseData(f *file, rng, render, dt string) *sheets.ValueRange {
	r, err := resolveA1(f.Sheet, rng, true)
	if err != nil {
		return nil
	}
	return c.s.readRange(f.Sheet, r, readOptions{render: render, dateTime: dt}.withDefaults())
}

func (c *call) valuesBatchUpdate() (any, *apiError) {
	var req sheets.BatchUpdateValuesRequest
	if err := c.decodeBody(&req); err != nil {
		return nil, err
	}
	userEntered, err := parseInputOption(req.ValueInputOption)
	if err != nil {
		return nil, err
	}
	out := &sheets.BatchUpdateValuesResponse{SpreadsheetId: c.fileID}
	f, err := c.change(func(f *file, ss *spreadsheetState) *apiError {
		touched := map[*sheetState]bool{}
		for i, vr := range req.Data {
			if vr.Range == "" {
				return invalidf("Invalid data[%d]: No range specified.", i)
			}
			resp, err := c.writeValues(f, ss, vr.Range, vr, writeOptions{userEntered: userEntered})
			if err != nil {
				return err
			}
			out.Responses = append(out.Responses, resp)
			out.TotalUpdatedCells += resp.UpdatedCells
			out.TotalUpdatedRows += resp.UpdatedRows
			out.TotalUpdatedColumns += resp.UpdatedColumns
			if resp.UpdatedCells > 0 {
				r, _ := resolveA1(ss, vr.Range, true)
				touched[r.Sheet] = true
			}
		}
		out.TotalUpdatedSheets = int64(len(touched))
		return nil
	})
	if err != nil {
		return nil, err
	}
	if req.IncludeValuesInResponse {
		for _, resp := range out.Responses {
			if resp.UpdatedCells > 0 {
				resp.UpdatedData = c.responseData(f, resp.UpdatedRange, req.ResponseValueRenderOption, req.ResponseDateTimeRenderOption)
			}
		}
	}
	return out, nil
}

func (c *call) valuesBatchUpdateByDataFilter() (any, *apiError) {
	var req sheets.BatchUpdateValuesByDataFilterRequest
	if err := c.decodeBody(&req); err != nil {
		return nil, err
	}
	userEntered, err := parseInputOption(req.ValueInputOption)
	if err != nil {
		return nil, err
	}
	out := &sheets.BatchUpdateValuesByDataFilterResponse{SpreadsheetId: c.fileID}
	_, err = c.change(func(f *file, ss *spreadsheetState) *apiError {
		for i, d := range req.Data {
			if d.DataFilter == nil {
				return invalidf("Invalid data[%d]: No data filter specified.", i)
			}
			rs, ferr := c.filterRanges(f, d.DataFilter)
			if ferr != nil {
				return invalidf("Invalid data[%d].dataFilter: %s", i, ferr.Message)
			}
			for _, r := range rs {
				a1 := formatA1(r.Sheet.Props.Title, r.Rect)
				vr := &sheets.ValueRange{MajorDimension: d.MajorDimension, Values: d.Values}
				resp, err := c.writeValues(f, ss, a1, vr, writeOptions{userEntered: userEntered})
				if err != nil {
					return err
				}
				out.Responses = append(out.Responses, &sheets.UpdateValuesByDataFilterResponse{
					DataFilter: d.DataFilter, UpdatedRange: resp.UpdatedRange,
					UpdatedRows: resp.UpdatedRows, UpdatedColumns: resp.UpdatedColumns, UpdatedCells: resp.UpdatedCells,
				})
				out.TotalUpdatedCells += resp.UpdatedCells
				out.TotalUpdatedRows += resp.UpdatedRows
				out.TotalUpdatedColumns += resp.UpdatedColumns
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// clearRange clears the values (not the formats) of a range in ss.
func (c *call) clearRange(f *file, ss *spreadsheetState, rng string) (string, *apiError) {
	r, err := resolveA1(ss, rng, true)
	if err != nil {
		return "", err
	}
	return c.clearResolved(f, ss, r)
}

func (c *call) clearResolved(f *file, ss *spreadsheetState, r resolved) (string, *apiError) {
	prot := c.protections(f, ss, r.Sheet)
	for k, cd := range r.Sheet.Cells {
		if !r.Rect.contains(k.Row, k.Col) || cd.UserEnteredValue == nil {
			continue
		}
		if prot.blocks(k.Row, k.Col) {
			return "", errProtected()
		}
	}
	for k, cd := range r.Sheet.Cells {
		if r.Rect.contains(k.Row, k.Col) && cd.UserEnteredValue != nil {
			setCellValue(r.Sheet, k, inputValue{})
		}
	}
	return formatA1(r.Sheet.Props.Title, r.Rect), nil
}

func (c *call) valuesClear() (any, *apiError) {
	var req sheets.ClearValuesRequest
	if err := c.decodeBody(&req); err != nil {
		return nil, err
	}
	var cleared string
	f, err := c.change(func(f *file, ss *spreadsheetState) (err *apiError) {
		cleared, err = c.clearRange(f, ss, c.pathArgs[0])
		return err
	})
	if err != nil {
		return nil, err
	}
	return &sheets.ClearValuesResponse{SpreadsheetId: f.ID, ClearedRange: cleared}, nil
}

func (c *call) valuesBatchClear() (any, *apiError) {
	var req sheets.BatchClearValuesRequest
	if err := c.decodeBody(&req); err != nil {
		return nil, err
	}
	out := &sheets.BatchClearValuesResponse{SpreadsheetId: c.fileID}
	if _, err := c.change(func(f *file, ss *spreadsheetState) *apiError {
		for _, rng := range req.Ranges {
			cleared, err := c.clearRange(f, ss, rng)
			if err != nil {
				return err
			}
			out.ClearedRanges = append(out.ClearedRanges, cleared)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *call) valuesBatchClearByDataFilter() (any, *apiError) {
	var req sheets.BatchClearValuesByDataFilterRequest
	if err := c.decodeBody(&req); err != nil {
		return nil, err
	}
	out := &sheets.BatchClearValuesByDataFilterResponse{SpreadsheetId: c.fileID}
	if _, err := c.change(func(f *file, ss *spreadsheetState) *apiError {
		for i, df := range req.DataFilters {
			rs, ferr := c.filterRanges(f, df)
			if ferr != nil {
				return invalidf("Invalid dataFilters[%d]: %s", i, ferr.Message)
			}
			for _, r := range rs {
				r.Sheet = ss.sheetByID(r.Sheet.Props.SheetId)
				cleared, err := c.clearResolved(f, ss, r)
				if err != nil {
					return err
				}
				out.ClearedRanges = append(out.ClearedRanges, cleared)
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	return out, nil
}

// valuesAppend appends after the last row holding data in the range's
// columns (the "table" the range starts), growing the sheet when needed.
func (c *call) valuesAppend() (any, *apiError) {
	var vr sheets.ValueRange
	if err := c.decodeBody(&vr); err != nil {
		return nil, err
	}
	userEntered, err := parseInputOption(c.query.Get("valueInputOption"))
	if err != nil {
		return nil, err
	}
	var (
		upd  *sheets.UpdateValuesResponse
		last = -1
		r    resolved
	)
	f, err := c.change(func(f *file, ss *spreadsheetState) *apiError {
		var err *apiError
		if r, err = resolveA1(ss, c.pathArgs[0], true); err != nil {
			return err
		}
		sh := r.Sheet
		for k, cd := range sh.Cells {
			if cd.UserEnteredValue != nil && k.Col >= r.Rect.C0 && k.Col < r.Rect.C1 && k.Row >= r.Rect.R0 {
				last = max(last, k.Row)
			}
		}
		tableEnd := max(last+1, r.Rect.R0)
		rows := vr.Values
		if vr.MajorDimension == "COLUMNS" {
			rows = transpose(rows)
		}
		width := 0
		for _, row := range rows {
			width = max(width, len(row))
		}
		if c.query.Get("insertDataOption") == "INSERT_ROWS" && len(rows) > 0 && tableEnd < sh.rowCount() {
			// New rows are inserted after the table instead of overwriting what
			// follows it.
			shift{sheet: sh, rows: true, at: tableEnd, n: len(rows)}.apply(ss)
		}
		if need := tableEnd + len(rows); need > sh.rowCount() {
			gp := *sh.Props.GridProperties
			gp.RowCount = int64(need)
			sh.Props.GridProperties = &gp
		}
		if need := r.Rect.C0 + width; need > sh.colCount() {
			gp := *sh.Props.GridProperties
			gp.ColumnCount = int64(need)
			sh.Props.GridProperties = &gp
		}
		if msg := ss.checkCellLimit(); msg != "" {
			return invalidf("%s", msg)
		}
		anchor := formatA1(sh.Props.Title, rect{tableEnd, r.Rect.C0, tableEnd + 1, r.Rect.C0 + 1})
		upd, err = c.writeValues(f, ss, anchor, &sheets.ValueRange{Values: rows}, writeOptions{userEntered: userEntered})
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &sheets.AppendValuesResponse{SpreadsheetId: f.ID, Updates: upd}
	if last >= 0 {
		out.TableRange = formatA1(r.Sheet.Props.Title, rect{r.Rect.R0, r.Rect.C0, last + 1, r.Rect.C1})
	}
	return out, nil
}

// protection is what a caller may not edit on one sheet.
type protection struct {
	ranges []protectedArea
}

type protectedArea struct {
	area        rect
	unprotected []rect
}

func (p protection) blocks(row, col int) bool {
	for _, a := range p.ranges {
		if !a.area.contains(row, col) {
			continue
		}
		free := false
		for _, u := range a.unprotected {
			if u.contains(row, col) {
				free = true
				break
			}
		}
		if !free {
			return true
		}
	}
	return false
}

func (p protection) blocksRect(r rect) bool {
	for _, a := range p.ranges {
		if !a.area.intersects(r) {
			continue
		}
		x := a.area.intersect(r)
		for row := x.R0; row < x.R1; row++ {
			for col := x.C0; col < x.C1; col++ {
				if p.blocks(row, col) {
					return true
				}
			}
		}
	}
	return false
}

// protections lists the protected ranges of sh the caller may not edit:
// the file's owner may edit everything (outside shared drives), everyone
// else what warning-only ranges and ranges naming them as editors cover.
func (c *call) protections(f *file, ss *spreadsheetState, sh *sheetState) protection {
	var p protection
	if bypassesProtection(c.user.Email, f) {
		return p
	}
	for _, other := range ss.Sheets {
		for _, pr := range other.Protected {
			if canEditProtected(pr, c.user.Email) {
				continue
			}
			psh, area := protectedArea2(ss, other, pr)
			if psh != sh {
				continue
			}
			pa := protectedArea{area: area}
			for _, u := range pr.UnprotectedRanges {
				if u.SheetId == sh.Props.SheetId {
					pa.unprotected = append(pa.unprotected, gridToRect(u, sh))
				}
			}
			p.ranges = append(p.ranges, pa)
		}
	}
	return p
}

// protectedArea2 resolves where a protected range lies: its range, or its
// named range's.
func protectedArea2(ss *spreadsheetState, owner *sheetState, pr *sheets.ProtectedRange) (*sheetState, rect) {
	if pr.NamedRangeId != "" {
		nr := ss.namedRangeByID(pr.NamedRangeId)
		if nr == nil {
			return nil, rect{}
		}
		return ss.gridRect(nr.Range)
	}
	if pr.Range == nil {
		return owner, rect{0, 0, owner.rowCount(), owner.colCount()}
	}
	sh := ss.sheetByID(pr.Range.SheetId)
	if sh == nil {
		return nil, rect{}
	}
	return sh, gridToRect(pr.Range, sh)
}
