package sheetstest

import (
	"aop/engine/grid"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"google.golang.org/api/sheets/v4"
)

// batch applies the requests of one spreadsheets.batchUpdate to a copy of
// the spreadsheet; the copy replaces the original only when every request
// succeeded.
type batch struct {
	c  *call
	f  *file
	ss *spreadsheetState
}

// reqError is a failed request: msg is prefixed with
// "Invalid requests[i].<kind>: "; a raw error is answered as it is.
type reqError struct {
	msg string
	raw *apiError
}

func failf(format string, args ...any) *reqError {
	return &reqError{msg: fmt.Sprintf(format, args...)}
}

func (c *call) batchUpdate() (any, *apiError) {
	var req sheets.BatchUpdateSpreadsheetRequest
	if err := c.decodeBody(&req); err != nil {
		return nil, err
	}
	f, err := c.openSpreadsheet(true)
	if err != nil {
		return nil, err
	}
	b := &batch{c: c, f: f, ss: f.Sheet.clone()}
	out := &sheets.BatchUpdateSpreadsheetResponse{SpreadsheetId: f.ID, Replies: []*sheets.Response{}}
	for i, r := range req.Requests {
		kind, kerr := requestKind(r)
		if kerr != "" {
			return nil, invalidf("Invalid requests[%d]: %s", i, kerr)
		}
		reply, rerr := b.apply(kind, r)
		if rerr != nil {
			if rerr.raw != nil {
				return nil, rerr.raw
			}
			return nil, invalidf("Invalid requests[%d].%s: %s", i, kind, rerr.msg)
		}
		if reply == nil {
			reply = &sheets.Response{}
		}
		out.Replies = append(out.Replies, reply)
	}
	if len(req.Requests) > 0 {
		c.commit(f, b.ss)
		f.Name = b.ss.Props.Title
	}
	if req.IncludeSpreadsheetInResponse {
		o := renderOptions{gridData: req.ResponseIncludeGridData}
		for _, rng := range req.ResponseRanges {
			r, rerr := resolveA1(f.Sheet, rng, true)
			if rerr != nil {
				return nil, rerr
			}
			o.ranges = append(o.ranges, r)
		}
		out.UpdatedSpreadsheet = c.s.renderSpreadsheet(c, f, o)
	}
	return out, nil
}

// requestKind names the one request a Request holds.
func requestKind(r *sheets.Request) (string, string) {
	if r == nil {
		return "", "No request specified."
	}
	b, _ := json.Marshal(r)
	var m map[string]json.RawMessage
	_ = json.Unmarshal(b, &m)
	var kinds []string
	for k := range m {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	switch len(kinds) {
	case 0:
		return "", "No request specified."
	case 1:
		return kinds[0], ""
	}
	return "", fmt.Sprintf("Invalid JSON payload received. Oneof field 'kind' is already set. Cannot set '%s'", kinds[1])
}

func (b *batch) apply(kind string, r *sheets.Request) (*sheets.Response, *reqError) {
	switch kind {
	case "addSheet":
		return b.addSheet(r.AddSheet)
	case "deleteSheet":
		return nil, b.deleteSheet(r.DeleteSheet)
	case "updateSheetProperties":
		return nil, b.updateSheetProperties(r.UpdateSheetProperties)
	case "updateSpreadsheetProperties":
		return nil, b.updateSpreadsheetProperties(r.UpdateSpreadsheetProperties)
	case "updateCells":
		return nil, b.updateCells(r.UpdateCells)
	case "repeatCell":
		return nil, b.repeatCell(r.RepeatCell)
	case "mergeCells":
		return nil, b.mergeCells(r.MergeCells)
	case "unmergeCells":
		return nil, b.unmergeCells(r.UnmergeCells)
	case "updateDimensionProperties":
		return nil, b.updateDimensionProperties(r.UpdateDimensionProperties)
	case "insertDimension":
		return nil, b.insertDimension(r.InsertDimension)
	case "deleteDimension":
		return nil, b.deleteDimension(r.DeleteDimension)
	case "appendDimension":
		return nil, b.appendDimension(r.AppendDimension)
	case "autoResizeDimensions":
		return nil, nil // sizes are not computed; nothing to do
	case "setDataValidation":
		return nil, b.setDataValidation(r.SetDataValidation)
	case "addNamedRange":
		return b.addNamedRange(r.AddNamedRange)
	case "updateNamedRange":
		return nil, b.updateNamedRange(r.UpdateNamedRange)
	case "deleteNamedRange":
		return nil, b.deleteNamedRange(r.DeleteNamedRange)
	case "addProtectedRange":
		return b.addProtectedRange(r.AddProtectedRange)
	case "updateProtectedRange":
		return nil, b.updateProtectedRange(r.UpdateProtectedRange)
	case "deleteProtectedRange":
		return nil, b.deleteProtectedRange(r.DeleteProtectedRange)
	case "createDeveloperMetadata":
		return b.createDeveloperMetadata(r.CreateDeveloperMetadata)
	case "updateDeveloperMetadata":
		return b.updateDeveloperMetadata(r.UpdateDeveloperMetadata)
	case "deleteDeveloperMetadata":
		return b.deleteDeveloperMetadata(r.DeleteDeveloperMetadata)
	case "addChart":
		return b.addChart(r.AddChart)
	case "deleteEmbeddedObject":
		return nil, b.deleteEmbeddedObject(r.DeleteEmbeddedObject)
	}
	return nil, failf("This request is not supported by the Sheets emulator (sheetstest).")
}

// sheet finds a sheet by id with Sheets' error.
func (b *batch) sheet(id int64) (*sheetState, *reqError) {
	sh := b.ss.sheetByID(id)
	if sh == nil {
		return nil, failf("No grid with id: %d", id)
	}
	return sh, nil
}

// grid resolves and checks a GridRange.
func (b *batch) grid(g *sheets.GridRange) (*sheetState, rect, *reqError) {
	if g == nil {
		g = &sheets.GridRange{}
	}
	sh, err := b.sheet(g.SheetId)
	if err != nil {
		return nil, rect{}, err
	}
	if msg := checkGridRange(g, sh); msg != "" {
		return nil, rect{}, failf("%s", msg)
	}
	return sh, gridToRect(g, sh), nil
}

// editable refuses a change to cells of r the caller may not edit.
func (b *batch) editable(sh *sheetState, r rect) *reqError {
	if b.c.protections(b.f, b.ss, sh).blocksRect(r) {
		return &reqError{raw: errProtected()}
	}
	return nil
}

// sheetProtected refuses a change to a sheet (delete, rename, hide) that
// a whole-sheet protection the caller cannot edit covers.
func (b *batch) sheetProtected(sh *sheetState) *reqError {
	if bypassesProtection(b.c.user.Email, b.f) {
		return nil
	}
	for _, pr := range sh.Protected {
		if pr.NamedRangeId != "" || canEditProtected(pr, b.c.user.Email) {
			continue
		}
		if r := pr.Range; r == nil || (r.StartRowIndex == 0 && r.EndRowIndex == 0 && r.StartColumnIndex == 0 && r.EndColumnIndex == 0) {
			return &reqError{raw: errProtected()}
		}
	}
	return nil
}

func (b *batch) addSheet(r *sheets.AddSheetRequest) (*sheets.Response, *reqError) {
	p := r.Properties
	if p == nil {
		p = &sheets.SheetProperties{}
	}
	if p.SheetId != 0 && b.ss.sheetByID(p.SheetId) != nil {
		return nil, failf("A sheet with ID %d already exists. Please enter another ID.", p.SheetId)
	}
	if p.SheetId < 0 {
		return nil, failf("Sheet ID must be positive.")
	}
	if p.Title != "" && b.ss.sheetByTitle(p.Title) != nil {
		return nil, failf("A sheet with the name \"%s\" already exists. Please enter another name.", p.Title)
	}
	sh := newSheet(p)
	if p.SheetId == 0 {
		sh.Props.SheetId = b.c.s.freshSheetID(b.ss)
	}
	if sh.Props.Title == "" {
		sh.Props.Title = nextSheetTitle(b.ss)
	}
	at := len(b.ss.Sheets)
	if p.Index > 0 && int(p.Index) < at {
		at = int(p.Index)
	}
	b.ss.Sheets = slices.Insert(b.ss.Sheets, at, sh)
	b.ss.reindex()
	if msg := b.ss.checkCellLimit(); msg != "" {
		return nil, failf("%s", msg)
	}
	props := cloneJSON(sh.Props)
	props.ForceSendFields = []string{"SheetId", "Index"}
	return &sheets.Response{AddSheet: &sheets.AddSheetResponse{Properties: &props}}, nil
}

func (b *batch) deleteSheet(r *sheets.DeleteSheetRequest) *reqError {
	sh, err := b.sheet(r.SheetId)
	if err != nil {
		return err
	}
	if len(b.ss.Sheets) == 1 {
		return failf("You can't remove all the sheets in a document.")
	}
	if err := b.sheetProtected(sh); err != nil {
		return err
	}
	b.ss.Sheets = slices.DeleteFunc(b.ss.Sheets, func(s *sheetState) bool { return s == sh })
	b.ss.reindex()
	b.ss.Metadata = slices.DeleteFunc(b.ss.Metadata, func(m *metadataEntry) bool {
		l := m.M.Location
		return l != nil && !l.Spreadsheet && locSheet(l) == r.SheetId
	})
	b.ss.NamedRanges = slices.DeleteFunc(b.ss.NamedRanges, func(nr *sheets.NamedRange) bool {
		return nr.Range == nil || nr.Range.SheetId == r.SheetId
	})
	return nil
}

func (b *batch) updateSheetProperties(r *sheets.UpdateSheetPropertiesRequest) *reqError {
	if r.Properties == nil {
		r.Properties = &sheets.SheetProperties{}
	}
	sh, err := b.sheet(r.Properties.SheetId)
	if err != nil {
		return err
	}
	m, msg := b.c.s.parseUpdateMask(r.Fields, "SheetProperties")
	if msg != "" {
		return failf("%s", msg)
	}
	if err := b.sheetProtected(sh); err != nil {
		return err
	}
	old := cloneJSON(sh.Props)
	next := cloneJSON(sh.Props)
	src := cloneJSON(*r.Properties)
	if m.star {
		src.SheetId = old.SheetId
		if src.GridProperties == nil {
			src.GridProperties = old.GridProperties
		}
		if src.SheetType == "" {
			src.SheetType = old.SheetType
		}
		next = src
	} else {
		applyMask(&next, &src, m)
	}
	if next.SheetId != old.SheetId {
		return failf("sheetId cannot be changed.")
	}
	if next.Title == "" {
		return failf("The sheet title must not be empty.")
	}
	if other := b.ss.sheetByTitle(next.Title); other != nil && other != sh && strings.EqualFold(other.Props.Title, next.Title) {
		return failf("A sheet with the name \"%s\" already exists. Please enter another name.", next.Title)
	}
	if next.GridProperties == nil {
		next.GridProperties = &sheets.GridProperties{}
	}
	gp := next.GridProperties
	if gp.RowCount <= 0 || gp.ColumnCount <= 0 {
		return failf("Invalid grid size: a sheet must have at least one row and one column.")
	}
	if gp.FrozenRowCount < 0 || gp.FrozenRowCount > gp.RowCount || gp.FrozenColumnCount < 0 || gp.FrozenColumnCount > gp.ColumnCount {
		return failf("Invalid frozen rows or columns: the sheet has %d rows and %d columns.", gp.RowCount, gp.ColumnCount)
	}
	if next.Hidden {
		visible := 0
		for _, o := range b.ss.Sheets {
			if o != sh && !o.Props.Hidden {
				visible++
			}
		}
		if visible == 0 {
			return failf("You can't hide all the sheets in a document.")
		}
	}
	sh.Props = next
	// Shrinking the grid drops the cells beyond it.
	if gp.RowCount < old.GridProperties.RowCount || gp.ColumnCount < old.GridProperties.ColumnCount {
		for k := range sh.Cells {
			if k.Row >= int(gp.RowCount) || k.Col >= int(gp.ColumnCount) {
				delete(sh.Cells, k)
			}
		}
	}
	if msg := b.ss.checkCellLimit(); msg != "" {
		return failf("%s", msg)
	}
	if next.Index != old.Index {
		at := int(min(max(next.Index, 0), int64(len(b.ss.Sheets))))
		cur := slices.Index(b.ss.Sheets, sh)
		b.ss.Sheets = slices.Delete(b.ss.Sheets, cur, cur+1)
		// Sheets counts the destination index before the move.
		if at > cur {
			at--
		}
		b.ss.Sheets = slices.Insert(b.ss.Sheets, min(at, len(b.ss.Sheets)), sh)
		b.ss.reindex()
	}
	return nil
}

func (b *batch) updateSpreadsheetProperties(r *sheets.UpdateSpreadsheetPropertiesRequest) *reqError {
	m, msg := b.c.s.parseUpdateMask(r.Fields, "SpreadsheetProperties")
	if msg != "" {
		return failf("%s", msg)
	}
	src := r.Properties
	if src == nil {
		src = &sheets.SpreadsheetProperties{}
	}
	next := cloneJSON(b.ss.Props)
	if m.star {
		next = cloneJSON(*src)
	} else {
		applyMask(&next, src, m)
	}
	if next.Title == "" {
		next.Title = "Untitled spreadsheet"
	}
	if next.DefaultFormat == nil {
		next.DefaultFormat = defaultFormat()
	}
	b.ss.Props = next
	return nil
}

// cellsTarget is where an updateCells writes: from start, or within range.
func (b *batch) updateCells(r *sheets.UpdateCellsRequest) *reqError {
	if (r.Start == nil) == (r.Range == nil) {
		return failf("Exactly one of start or range must be specified.")
	}
	m, msg := b.c.s.parseUpdateMask(r.Fields, "CellData")
	if msg != "" {
		return failf("%s", msg)
	}
	var sh *sheetState
	var area rect
	bounded := r.Range != nil
	if bounded {
		var err *reqError
		if sh, area, err = b.grid(r.Range); err != nil {
			return err
		}
	} else {
		var err *reqError
		if sh, err = b.sheet(r.Start.SheetId); err != nil {
			return err
		}
		width := 0
		for _, row := range r.Rows {
			width = max(width, len(row.Values))
		}
		area = rect{int(r.Start.RowIndex), int(r.Start.ColumnIndex), int(r.Start.RowIndex) + len(r.Rows), int(r.Start.ColumnIndex) + width}
		if area.R1 > sh.rowCount() || area.C1 > sh.colCount() {
			return &reqError{raw: errGridLimits(sh, rect{area.R0, area.C0, max(area.R1, area.R0+1), max(area.C1, area.C0+1)})}
		}
	}
	for i, row := range r.Rows {
		if bounded && area.R0+i >= area.R1 {
			return failf("Attempting to write row: %d, beyond the last requested row of: %d", area.R0+i, area.R1-1)
		}
		if bounded && area.C0+len(row.Values) > area.C1 {
			return failf("Attempting to write column: %d, beyond the last requested column of: %d", area.C1, area.C1-1)
		}
	}
	if err := b.editable(sh, area); err != nil {
		return err
	}
	for i := area.R0; i < area.R1; i++ {
		var row *sheets.RowData
		if i-area.R0 < len(r.Rows) {
			row = r.Rows[i-area.R0]
		}
		for j := area.C0; j < area.C1; j++ {
			var src *sheets.CellData
			if row != nil && j-area.C0 < len(row.Values) {
				src = row.Values[j-area.C0]
			} else if !bounded {
				continue
			}
			putCell(sh, cellKey{i, j}, applyCellMask(sh.Cells[cellKey{i, j}], src, m))
		}
	}
	return nil
}

func putCell(sh *sheetState, k cellKey, cd *sheets.CellData) {
	if cd == nil {
		delete(sh.Cells, k)
		return
	}
	sh.Cells[k] = cd
}

func (b *batch) repeatCell(r *sheets.RepeatCellRequest) *reqError {
	m, msg := b.c.s.parseUpdateMask(r.Fields, "CellData")
	if msg != "" {
		return failf("%s", msg)
	}
	sh, area, err := b.grid(r.Range)
	if err != nil {
		return err
	}
	if err := b.editable(sh, area); err != nil {
		return err
	}
	src := r.Cell
	if src == nil {
		src = &sheets.CellData{}
	}
	var formula string
	if src.UserEnteredValue != nil && src.UserEnteredValue.FormulaValue != nil {
		formula = *src.UserEnteredValue.FormulaValue
	}
	for i := area.R0; i < area.R1; i++ {
		for j := area.C0; j < area.C1; j++ {
			cell := src
			if formula != "" && (i != area.R0 || j != area.C0) {
				c := *src
				c.UserEnteredValue = formulaValue(grid.ShiftFormula(formula, i-area.R0, j-area.C0))
				cell = &c
			}
			putCell(sh, cellKey{i, j}, applyCellMask(sh.Cells[cellKey{i, j}], cell, m))
		}
	}
	return nil
}

func (b *batch) mergeCells(r *sheets.MergeCellsRequest) *reqError {
	sh, area, err := b.grid(r.Range)
	if err != nil {
		return err
	}
	if err := b.editable(sh, area); err != nil {
		return err
	}
	var merges []rect
	switch r.MergeType {
	case "", "MERGE_ALL":
		merges = []rect{area}
	case "MERGE_COLUMNS":
		for c := area.C0; c < area.C1; c++ {
			merges = append(merges, rect{area.R0, c, area.R1, c + 1})
		}
	case "MERGE_ROWS":
		for rr := area.R0; rr < area.R1; rr++ {
			merges = append(merges, rect{rr, area.C0, rr + 1, area.C1})
		}
	default:
		return failf("Invalid mergeType: %s", r.MergeType)
	}
	var keep []*sheets.GridRange
	for _, g := range sh.Merges {
		gr := gridToRect(g, sh)
		inside := gr.R0 >= area.R0 && gr.R1 <= area.R1 && gr.C0 >= area.C0 && gr.C1 <= area.C1
		switch {
		case inside:
			continue // replaced by the new merge
		case gr.intersects(area):
			return failf("You can't merge cells that intersect an existing merge partially.")
		}
		keep = append(keep, g)
	}
	for _, mr := range merges {
		if mr.R1-mr.R0 == 1 && mr.C1-mr.C0 == 1 {
			continue
		}
		keep = append(keep, &sheets.GridRange{SheetId: sh.Props.SheetId, StartRowIndex: int64(mr.R0), EndRowIndex: int64(mr.R1),
			StartColumnIndex: int64(mr.C0), EndColumnIndex: int64(mr.C1)})
		// Only the top-left cell keeps its value.
		for k, cd := range sh.Cells {
			if mr.contains(k.Row, k.Col) && (k.Row != mr.R0 || k.Col != mr.C0) && cd.UserEnteredValue != nil {
				setCellValue(sh, k, inputValue{})
			}
		}
	}
	sh.Merges = keep
	return nil
}

func (b *batch) unmergeCells(r *sheets.UnmergeCellsRequest) *reqError {
	sh, area, err := b.grid(r.Range)
	if err != nil {
		return err
	}
	if err := b.editable(sh, area); err != nil {
		return err
	}
	sh.Merges = slices.DeleteFunc(sh.Merges, func(g *sheets.GridRange) bool { return gridToRect(g, sh).intersects(area) })
	return nil
}

// dimensionRange resolves a DimensionRange to its sheet and bounds.
func (b *batch) dimensionRange(d *sheets.DimensionRange) (*sheetState, int, int, *reqError) {
	if d == nil {
		return nil, 0, 0, failf("range must be specified.")
	}
	sh, err := b.sheet(d.SheetId)
	if err != nil {
		return nil, 0, 0, err
	}
	limit := sh.rowCount()
	switch d.Dimension {
	case "ROWS":
	case "COLUMNS":
		limit = sh.colCount()
	default:
		return nil, 0, 0, failf("range.dimension must be ROWS or COLUMNS.")
	}
	end := int(d.EndIndex)
	if end == 0 {
		end = limit
	}
	if d.StartIndex < 0 || int(d.StartIndex) >= end || end > limit {
		return nil, 0, 0, failf("Invalid dimension range: %d to %d; the sheet has %d %s.", d.StartIndex, end, limit, strings.ToLower(d.Dimension))
	}
	return sh, int(d.StartIndex), end, nil
}

func (b *batch) updateDimensionProperties(r *sheets.UpdateDimensionPropertiesRequest) *reqError {
	if r.DataSourceSheetRange != nil {
		return failf("Data source sheets are not supported by the Sheets emulator (sheetstest).")
	}
	m, msg := b.c.s.parseUpdateMask(r.Fields, "DimensionProperties")
	if msg != "" {
		return failf("%s", msg)
	}
	sh, start, end, err := b.dimensionRange(r.Range)
	if err != nil {
		return err
	}
	store := sh.Rows
	if r.Range.Dimension == "COLUMNS" {
		store = sh.Cols
	}
	src := r.Properties
	if src == nil {
		src = &sheets.DimensionProperties{}
	}
	for i := start; i < end; i++ {
		var next sheets.DimensionProperties
		if old := store[i]; old != nil {
			next = *old
		}
		if m.star {
			next = *src
		} else {
			applyMask(&next, src, m)
		}
		next.DeveloperMetadata = nil
		if next.PixelSize < 0 {
			return failf("pixelSize must not be negative.")
		}
		if next.PixelSize == 0 && !next.HiddenByUser && !next.HiddenByFilter && next.DataSourceColumnReference == nil {
			delete(store, i)
		} else {
			n := next
			store[i] = &n
		}
	}
	return nil
}

func (b *batch) appendDimension(r *sheets.AppendDimensionRequest) *reqError {
	sh, err := b.sheet(r.SheetId)
	if err != nil {
		return err
	}
	if r.Length <= 0 {
		return failf("length must be positive.")
	}
	gp := *sh.Props.GridProperties
	switch r.Dimension {
	case "ROWS":
		gp.RowCount += r.Length
	case "COLUMNS":
		gp.ColumnCount += r.Length
	default:
		return failf("dimension must be ROWS or COLUMNS.")
	}
	sh.Props.GridProperties = &gp
	if msg := b.ss.checkCellLimit(); msg != "" {
		return failf("%s", msg)
	}
	return nil
}

func (b *batch) addNamedRange(r *sheets.AddNamedRangeRequest) (*sheets.Response, *reqError) {
	if r.NamedRange == nil {
		return nil, failf("namedRange must be specified.")
	}
	nr := cloneJSON(r.NamedRange)
	if nr.NamedRangeId == "" {
		nr.NamedRangeId = b.c.s.st.newNamedRangeID()
	}
	if msg := validNamedRange(b.ss, nr, ""); msg != "" {
		return nil, failf("%s", msg)
	}
	b.ss.NamedRanges = append(b.ss.NamedRanges, nr)
	return &sheets.Response{AddNamedRange: &sheets.AddNamedRangeResponse{NamedRange: cloneJSON(nr)}}, nil
}

func (b *batch) updateNamedRange(r *sheets.UpdateNamedRangeRequest) *reqError {
	if r.NamedRange == nil {
		return failf("namedRange must be specified.")
	}
	cur := b.ss.namedRangeByID(r.NamedRange.NamedRangeId)
	if cur == nil {
		return failf("No named range with id: %s", r.NamedRange.NamedRangeId)
	}
	m, msg := b.c.s.parseUpdateMask(r.Fields, "NamedRange")
	if msg != "" {
		return failf("%s", msg)
	}
	next := cloneJSON(cur)
	if m.star {
		next = cloneJSON(r.NamedRange)
	} else {
		applyMask(next, r.NamedRange, m)
	}
	next.NamedRangeId = cur.NamedRangeId
	if msg := validNamedRange(b.ss, next, cur.NamedRangeId); msg != "" {
		return failf("%s", msg)
	}
	*cur = *next
	return nil
}

func (b *batch) deleteNamedRange(r *sheets.DeleteNamedRangeRequest) *reqError {
	if b.ss.namedRangeByID(r.NamedRangeId) == nil {
		return failf("No named range with id: %s", r.NamedRangeId)
	}
	b.ss.NamedRanges = slices.DeleteFunc(b.ss.NamedRanges, func(nr *sheets.NamedRange) bool { return nr.NamedRangeId == r.NamedRangeId })
	return nil
}

// checkProtectedRange validates a protected range and returns the sheet it
// belongs to.
func (b *batch) checkProtectedRange(pr *sheets.ProtectedRange) (*sheetState, *reqError) {
	set := 0
	if pr.Range != nil {
		set++
	}
	if pr.NamedRangeId != "" {
		set++
	}
	if pr.TableId != "" {
		return nil, failf("Tables are not supported by the Sheets emulator (sheetstest).")
	}
	if set != 1 {
		return nil, failf("Exactly one of range or namedRangeId must be set on a ProtectedRange.")
	}
	if pr.WarningOnly && pr.Editors != nil && (len(pr.Editors.Users) > 0 || len(pr.Editors.Groups) > 0 || pr.Editors.DomainUsersCanEdit) {
		return nil, &reqError{raw: invalidf("ProtectedRange is warningOnly. Editors cannot be set on it.")}
	}
	var sh *sheetState
	if pr.NamedRangeId != "" {
		nr := b.ss.namedRangeByID(pr.NamedRangeId)
		if nr == nil {
			return nil, failf("No named range with id: %s", pr.NamedRangeId)
		}
		sh, _ = b.ss.gridRect(nr.Range)
	} else {
		var err *reqError
		if sh, _, err = b.grid(pr.Range); err != nil {
			return nil, err
		}
	}
	if len(pr.UnprotectedRanges) > 0 {
		g := pr.Range
		if g == nil || g.StartRowIndex != 0 || g.EndRowIndex != 0 || g.StartColumnIndex != 0 || g.EndColumnIndex != 0 {
			return nil, failf("Unprotected ranges are only supported on protected sheets.")
		}
	}
	for _, u := range pr.UnprotectedRanges {
		if u.SheetId != sh.Props.SheetId {
			return nil, failf("Unprotected ranges must be on the protected sheet.")
		}
		if _, _, err := b.grid(u); err != nil {
			return nil, err
		}
	}
	return sh, nil
}

// replyProtected is a protected range as the caller sees it in a reply.
func (b *batch) replyProtected(pr *sheets.ProtectedRange) *sheets.ProtectedRange {
	out := cloneJSON(pr)
	out.RequestingUserCanEdit = bypassesProtection(b.c.user.Email, b.f) || canEditProtected(pr, b.c.user.Email)
	return out
}

func (b *batch) addProtectedRange(r *sheets.AddProtectedRangeRequest) (*sheets.Response, *reqError) {
	if r.ProtectedRange == nil {
		return nil, failf("protectedRange must be specified.")
	}
	pr := cloneJSON(r.ProtectedRange)
	pr.RequestingUserCanEdit = false
	if pr.ProtectedRangeId != 0 {
		if sh, _ := b.ss.protectedByID(pr.ProtectedRangeId); sh != nil {
			return nil, failf("A protected range with ID %d already exists.", pr.ProtectedRangeId)
		}
	} else {
		pr.ProtectedRangeId = b.c.s.freshProtectedID(b.ss)
	}
	sh, err := b.checkProtectedRange(pr)
	if err != nil {
		return nil, err
	}
	sh.Protected = append(sh.Protected, pr)
	return &sheets.Response{AddProtectedRange: &sheets.AddProtectedRangeResponse{ProtectedRange: b.replyProtected(pr)}}, nil
}

// mayChangeProtection reports whether the caller may change or remove a
// protected range: its owner or one of its editors.
func (b *batch) mayChangeProtection(pr *sheets.ProtectedRange) bool {
	return bypassesProtection(b.c.user.Email, b.f) || (!pr.WarningOnly && canEditProtected(pr, b.c.user.Email)) ||
		(pr.WarningOnly && canWrite(b.c.s.roleOf(b.c.user.Email, b.f)))
}

func (b *batch) updateProtectedRange(r *sheets.UpdateProtectedRangeRequest) *reqError {
	if r.ProtectedRange == nil {
		return failf("protectedRange must be specified.")
	}
	owner, i := b.ss.protectedByID(r.ProtectedRange.ProtectedRangeId)
	if owner == nil {
		return failf("No protected range with id: %d", r.ProtectedRange.ProtectedRangeId)
	}
	cur := owner.Protected[i]
	if !b.mayChangeProtection(cur) {
		return &reqError{raw: errProtected()}
	}
	m, msg := b.c.s.parseUpdateMask(r.Fields, "ProtectedRange")
	if msg != "" {
		return failf("%s", msg)
	}
	next := cloneJSON(cur)
	src := cloneJSON(r.ProtectedRange)
	if m.star {
		next = src
	} else {
		applyMask(next, src, m)
	}
	next.ProtectedRangeId = cur.ProtectedRangeId
	next.RequestingUserCanEdit = false
	if cur.WarningOnly && !next.WarningOnly && !m.root.selects("editors") {
		// Turning warnings into protection without naming editors makes
		// every editor of the document an editor of the range.
		next.Editors = &sheets.Editors{Users: b.documentEditors()}
	}
	sh, err := b.checkProtectedRange(next)
	if err != nil {
		return err
	}
	owner.Protected = slices.Delete(owner.Protected, i, i+1)
	sh.Protected = append(sh.Protected, next)
	return nil
}

// documentEditors lists the users who may edit the file.
func (b *batch) documentEditors() []string {
	var out []string
	if b.f.Owner != "" {
		out = append(out, b.f.Owner)
	}
	for _, p := range b.f.Perms {
		if p.Type == "user" && canWrite(p.Role) && !slices.Contains(out, p.Email) {
			out = append(out, p.Email)
		}
	}
	return out
}

func (b *batch) deleteProtectedRange(r *sheets.DeleteProtectedRangeRequest) *reqError {
	owner, i := b.ss.protectedByID(r.ProtectedRangeId)
	if owner == nil {
		return failf("No protected range with id: %d", r.ProtectedRangeId)
	}
	if !b.mayChangeProtection(owner.Protected[i]) {
		return &reqError{raw: errProtected()}
	}
	owner.Protected = slices.Delete(owner.Protected, i, i+1)
	return nil
}

// checkMetadata validates developer metadata being written and fills in
// its location type.
func (b *batch) checkMetadata(md *sheets.DeveloperMetadata) *reqError {
	if md.MetadataKey == "" {
		return failf("Developer metadata must have a metadataKey.")
	}
	switch md.Visibility {
	case "DOCUMENT", "PROJECT":
	default:
		return failf("Developer metadata must have a visibility of DOCUMENT or PROJECT.")
	}
	if md.MetadataId < 0 {
		return failf("metadataId must be positive.")
	}
	l := md.Location
	if l == nil {
		return failf("Developer metadata must have a location.")
	}
	set := 0
	if l.Spreadsheet {
		set++
	}
	if l.DimensionRange != nil {
		set++
	}
	if l.SheetId != 0 {
		set++
	}
	if set > 1 {
		return failf("Exactly one of spreadsheet, sheetId or dimensionRange must be set on a location.")
	}
	switch {
	case l.DimensionRange != nil:
		d := l.DimensionRange
		if _, _, _, err := b.dimensionRange(d); err != nil {
			return err
		}
		if d.EndIndex-d.StartIndex != 1 {
			return failf("A DimensionRange location must represent a single row or column; it cannot be unbounded or span multiple rows or columns.")
		}
	case !l.Spreadsheet:
		if _, err := b.sheet(l.SheetId); err != nil {
			return err
		}
	}
	l.LocationType = locationType(l)
	return nil
}

func (b *batch) createDeveloperMetadata(r *sheets.CreateDeveloperMetadataRequest) (*sheets.Response, *reqError) {
	if r.DeveloperMetadata == nil {
		return nil, failf("developerMetadata must be specified.")
	}
	md := cloneJSON(r.DeveloperMetadata)
	if err := b.checkMetadata(md); err != nil {
		return nil, err
	}
	if md.MetadataId != 0 {
		if b.ss.metadataByID(md.MetadataId) != nil {
			return nil, failf("Developer metadata with ID %d already exists.", md.MetadataId)
		}
	} else {
		md.MetadataId = b.c.s.freshMetadataID(b.ss)
	}
	b.ss.Metadata = append(b.ss.Metadata, &metadataEntry{M: md, Project: b.c.user.Project})
	return &sheets.Response{CreateDeveloperMetadata: &sheets.CreateDeveloperMetadataResponse{DeveloperMetadata: cloneJSON(md)}}, nil
}

// matchMetadata finds the metadata any of the filters select, once each.
func (b *batch) matchMetadata(filters []*sheets.DataFilter) ([]*metadataEntry, *reqError) {
	var out []*metadataEntry
	for _, df := range filters {
		ms, err := b.c.metadataForFilter(b.ss, df)
		if err != nil {
			return nil, failf("%s", err.Message)
		}
		for _, m := range ms {
			if !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	return out, nil
}

func (b *batch) updateDeveloperMetadata(r *sheets.UpdateDeveloperMetadataRequest) (*sheets.Response, *reqError) {
	if len(r.DataFilters) == 0 {
		return nil, failf("At least one data filter must be specified.")
	}
	m, msg := b.c.s.parseUpdateMask(r.Fields, "DeveloperMetadata")
	if msg != "" {
		return nil, failf("%s", msg)
	}
	src := r.DeveloperMetadata
	if src == nil {
		src = &sheets.DeveloperMetadata{}
	}
	matched, err := b.matchMetadata(r.DataFilters)
	if err != nil {
		return nil, err
	}
	out := &sheets.UpdateDeveloperMetadataResponse{}
	for _, e := range matched {
		next := cloneJSON(e.M)
		if m.star {
			next = cloneJSON(src)
		} else {
			applyMask(next, src, m)
		}
		if next.MetadataId == 0 {
			next.MetadataId = e.M.MetadataId
		}
		if next.MetadataId != e.M.MetadataId && b.ss.metadataByID(next.MetadataId) != nil {
			return nil, failf("Developer metadata with ID %d already exists.", next.MetadataId)
		}
		if err := b.checkMetadata(next); err != nil {
			return nil, err
		}
		e.M = next
		out.DeveloperMetadata = append(out.DeveloperMetadata, cloneJSON(next))
	}
	return &sheets.Response{UpdateDeveloperMetadata: out}, nil
}

func (b *batch) deleteDeveloperMetadata(r *sheets.DeleteDeveloperMetadataRequest) (*sheets.Response, *reqError) {
	if r.DataFilter == nil {
		return nil, failf("dataFilter must be specified.")
	}
	matched, err := b.matchMetadata([]*sheets.DataFilter{r.DataFilter})
	if err != nil {
		return nil, err
	}
	out := &sheets.DeleteDeveloperMetadataResponse{DeletedDeveloperMetadata: []*sheets.DeveloperMetadata{}}
	for _, e := range matched {
		out.DeletedDeveloperMetadata = append(out.DeletedDeveloperMetadata, cloneJSON(e.M))
	}
	b.ss.Metadata = slices.DeleteFunc(b.ss.Metadata, func(e *metadataEntry) bool { return slices.Contains(matched, e) })
	return &sheets.Response{DeleteDeveloperMetadata: out}, nil
}

func (b *batch) addChart(r *sheets.AddChartRequest) (*sheets.Response, *reqError) {
	if r.Chart == nil || r.Chart.Spec == nil {
		return nil, failf("chart.spec must be specified.")
	}
	ch := cloneJSON(r.Chart)
	if ch.ChartId != 0 {
		if b.ss.chartByID(ch.ChartId) != nil {
			return nil, failf("A chart with ID %d already exists.", ch.ChartId)
		}
	} else {
		ch.ChartId = b.c.s.freshChartID(b.ss)
	}
	if ch.Position == nil {
		ch.Position = &sheets.EmbeddedObjectPosition{NewSheet: true}
	}
	var sh *sheetState
	switch p := ch.Position; {
	case p.NewSheet:
		res, err := b.addSheet(&sheets.AddSheetRequest{Properties: &sheets.SheetProperties{SheetType: "OBJECT"}})
		if err != nil {
			return nil, err
		}
		sh = b.ss.sheetByID(res.AddSheet.Properties.SheetId)
		p.SheetId = sh.Props.SheetId
		p.NewSheet = false
	case p.OverlayPosition != nil:
		if p.OverlayPosition.AnchorCell == nil {
			return nil, failf("overlayPosition.anchorCell must be specified.")
		}
		var err *reqError
		if sh, err = b.sheet(p.OverlayPosition.AnchorCell.SheetId); err != nil {
			return nil, err
		}
	default:
		var err *reqError
		if sh, err = b.sheet(p.SheetId); err != nil {
			return nil, err
		}
	}
	sh.Charts = append(sh.Charts, ch)
	return &sheets.Response{AddChart: &sheets.AddChartResponse{Chart: cloneJSON(ch)}}, nil
}

func (b *batch) deleteEmbeddedObject(r *sheets.DeleteEmbeddedObjectRequest) *reqError {
	for _, sh := range b.ss.Sheets {
		for i, ch := range sh.Charts {
			if ch.ChartId == r.ObjectId {
				sh.Charts = slices.Delete(sh.Charts, i, i+1)
				return nil
			}
		}
	}
	return failf("No embedded object with id: %d", r.ObjectId)
}
