package sheetstest

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"google.golang.org/api/sheets/v4"
)

// routeSheets maps a request under /v4/spreadsheets to its method. The
// custom verbs (":batchUpdate", "values:batchGet") are literal colons in
// the escaped path; colons inside a range arrive escaped (%3A), but a bare
// one is tolerated.
func (s *Server) routeSheets(c *call, verb, rest string) *apiError {
	notFound := func() *apiError { return newError(404, "Method not found.") }
	set := func(method string, class quotaClass, h func(*call) (any, *apiError)) *apiError {
		c.method, c.class, c.handler = method, class, h
		return nil
	}
	if rest == "" || rest == "/" {
		if verb != "POST" {
			return notFound()
		}
		return set("sheets.spreadsheets.create", writeQuota, (*call).createSpreadsheet)
	}
	if rest[0] != '/' {
		return notFound()
	}
	rest = rest[1:]
	idPart, sub, hasSub := strings.Cut(rest, "/")
	id, custom, _ := strings.Cut(idPart, ":")
	id, err := url.PathUnescape(id)
	if err != nil || id == "" {
		return notFound()
	}
	c.fileID = id
	if !hasSub {
		switch {
		case custom == "" && verb == "GET":
			return set("sheets.spreadsheets.get", readQuota, (*call).getSpreadsheet)
		case custom == "batchUpdate" && verb == "POST":
			return set("sheets.spreadsheets.batchUpdate", writeQuota, (*call).batchUpdate)
		case custom == "getByDataFilter" && verb == "POST":
			return set("sheets.spreadsheets.getByDataFilter", readQuota, (*call).getByDataFilter)
		}
		return notFound()
	}
	if custom != "" {
		return notFound()
	}
	switch {
	case strings.HasPrefix(sub, "values:"):
		switch v := strings.TrimPrefix(sub, "values:"); {
		case v == "batchGet" && verb == "GET":
			return set("sheets.spreadsheets.values.batchGet", readQuota, (*call).valuesBatchGet)
		case v == "batchUpdate" && verb == "POST":
			return set("sheets.spreadsheets.values.batchUpdate", writeQuota, (*call).valuesBatchUpdate)
		case v == "batchClear" && verb == "POST":
			return set("sheets.spreadsheets.values.batchClear", writeQuota, (*call).valuesBatchClear)
		case v == "batchGetByDataFilter" && verb == "POST":
			return set("sheets.spreadsheets.values.batchGetByDataFilter", readQuota, (*call).valuesBatchGetByDataFilter)
		case v == "batchUpdateByDataFilter" && verb == "POST":
			return set("sheets.spreadsheets.values.batchUpdateByDataFilter", writeQuota, (*call).valuesBatchUpdateByDataFilter)
		case v == "batchClearByDataFilter" && verb == "POST":
			return set("sheets.spreadsheets.values.batchClearByDataFilter", writeQuota, (*call).valuesBatchClearByDataFilter)
		}
		return notFound()
	case strings.HasPrefix(sub, "values/"):
		rng := strings.TrimPrefix(sub, "values/")
		action := ""
		if i := strings.LastIndexByte(rng, ':'); i >= 0 {
			switch rng[i+1:] {
			case "append", "clear":
				rng, action = rng[:i], rng[i+1:]
			}
		}
		r, err := url.PathUnescape(rng)
		if err != nil || r == "" {
			return notFound()
		}
		c.pathArgs = []string{r}
		switch {
		case action == "" && verb == "GET":
			return set("sheets.spreadsheets.values.get", readQuota, (*call).valuesGet)
		case action == "" && verb == "PUT":
			return set("sheets.spreadsheets.values.update", writeQuota, (*call).valuesUpdate)
		case action == "append" && verb == "POST":
			return set("sheets.spreadsheets.values.append", writeQuota, (*call).valuesAppend)
		case action == "clear" && verb == "POST":
			return set("sheets.spreadsheets.values.clear", writeQuota, (*call).valuesClear)
		}
		return notFound()
	case sub == "developerMetadata:search" && verb == "POST":
		return set("sheets.spreadsheets.developerMetadata.search", readQuota, (*call).metadataSearch)
	case strings.HasPrefix(sub, "developerMetadata/") && verb == "GET":
		c.pathArgs = []string{strings.TrimPrefix(sub, "developerMetadata/")}
		return set("sheets.spreadsheets.developerMetadata.get", readQuota, (*call).metadataGet)
	}
	return notFound()
}

// mutates reports whether the method may change state (faults then may
// strike after the change).
func (c *call) mutates() bool {
	if c.class == writeQuota {
		return true
	}
	switch c.method {
	case "drive.files.copy", "drive.files.delete", "drive.files.create", "drive.files.update",
		"drive.permissions.create", "drive.permissions.delete":
		return true
	}
	return false
}

// openSpreadsheet finds the call's spreadsheet and checks the caller may
// read it, or write it when write is set.
func (c *call) openSpreadsheet(write bool) (*file, *apiError) {
	f := c.s.st.Files[c.fileID]
	if f == nil || f.Sheet == nil || f.Trashed {
		return nil, errNotFound()
	}
	role := c.s.roleOf(c.user.Email, f)
	if role == "" || (write && !canWrite(role)) {
		return nil, errPermission()
	}
	return f, nil
}

// change opens the call's spreadsheet for writing and runs fn on a copy
// of it, which it stores when fn succeeds: a request applies all of its
// changes or none. It returns the file, holding the new state.
func (c *call) change(fn func(f *file, ss *spreadsheetState) *apiError) (*file, *apiError) {
	f, err := c.openSpreadsheet(true)
	if err != nil {
		return nil, err
	}
	ss := f.Sheet.clone()
	if err := fn(f, ss); err != nil {
		return nil, err
	}
	c.commit(f, ss)
	return f, nil
}

// commit stores a changed copy of a spreadsheet.
func (c *call) commit(f *file, ss *spreadsheetState) {
	ss.touch()
	f.Sheet = ss
	f.Modified = c.s.now()
	c.changed = true
}

func spreadsheetURL(id string) string {
	return "https://docs.google.com/spreadsheets/d/" + id + "/edit"
}

// defaultFormat is the default cell format of a new spreadsheet, as Sheets
// reports it.
func defaultFormat() *sheets.CellFormat {
	white := &sheets.Color{Red: 1, Green: 1, Blue: 1}
	return &sheets.CellFormat{
		BackgroundColor:      white,
		BackgroundColorStyle: &sheets.ColorStyle{RgbColor: white},
		Padding:              &sheets.Padding{Top: 2, Right: 3, Bottom: 2, Left: 3},
		VerticalAlignment:    "BOTTOM",
		WrapStrategy:         "OVERFLOW_CELL",
		TextFormat: &sheets.TextFormat{
			ForegroundColor:      &sheets.Color{},
			ForegroundColorStyle: &sheets.ColorStyle{RgbColor: &sheets.Color{}},
			FontFamily:           "arial,sans,sans-serif",
			FontSize:             10,
			ForceSendFields:      []string{"Bold", "Italic", "Strikethrough", "Underline"},
		},
	}
}

// newSheet returns an empty sheet with Google's defaults: 1000 rows, 26
// columns.
func newSheet(p *sheets.SheetProperties) *sheetState {
	props := cloneJSON(*p)
	if props.GridProperties == nil {
		props.GridProperties = &sheets.GridProperties{}
	}
	if props.GridProperties.RowCount == 0 {
		props.GridProperties.RowCount = 1000
	}
	if props.GridProperties.ColumnCount == 0 {
		props.GridProperties.ColumnCount = 26
	}
	if props.SheetType == "" {
		props.SheetType = "GRID"
	}
	return &sheetState{
		Props: props,
		Cells: map[cellKey]*sheets.CellData{},
		Rows:  map[int]*sheets.DimensionProperties{},
		Cols:  map[int]*sheets.DimensionProperties{},
	}
}

// newSpreadsheet returns a spreadsheet with Google's defaults and one
// empty sheet, Sheet1.
func newSpreadsheet(id, title string) *spreadsheetState {
	ss := &spreadsheetState{ID: id}
	ss.Props = sheets.SpreadsheetProperties{Title: title, Locale: "en_US", TimeZone: "Etc/GMT", AutoRecalc: "ON_CHANGE", DefaultFormat: defaultFormat()}
	sh := newSheet(&sheets.SheetProperties{Title: "Sheet1"})
	ss.Sheets = append(ss.Sheets, sh)
	return ss
}

// maxCells is Sheets' limit of cells per spreadsheet.
const maxCells = 10_000_000

func (ss *spreadsheetState) checkCellLimit() string {
	n := 0
	for _, sh := range ss.Sheets {
		n += sh.rowCount() * sh.colCount()
	}
	if n > maxCells {
		return fmt.Sprintf("This action would increase the number of cells in the workbook above the limit of %d cells.", maxCells)
	}
	return ""
}

func (c *call) createSpreadsheet() (any, *apiError) {
	var req sheets.Spreadsheet
	if err := c.decodeBody(&req); err != nil {
		return nil, err
	}
	if isServiceAccount(c.user.Email) && !c.s.opts.AllowServiceAccountCreate {
		return nil, errPermission()
	}
	st := c.s.st
	ss := &spreadsheetState{ID: st.newFileID()}
	if req.Properties != nil {
		ss.Props = cloneJSON(*req.Properties)
	}
	if ss.Props.Title == "" {
		ss.Props.Title = "Untitled spreadsheet"
	}
	if ss.Props.Locale == "" {
		ss.Props.Locale = "en_US"
	}
	if ss.Props.TimeZone == "" {
		ss.Props.TimeZone = "Etc/GMT"
	}
	if ss.Props.AutoRecalc == "" {
		ss.Props.AutoRecalc = "ON_CHANGE"
	}
	ss.Props.DefaultFormat = defaultFormat()
	if len(req.Sheets) == 0 {
		req.Sheets = []*sheets.Sheet{{Properties: &sheets.SheetProperties{}}}
	}
	explicit := map[int64]bool{}
	for _, sh := range req.Sheets {
		if sh.Properties != nil && sh.Properties.SheetId != 0 {
			explicit[sh.Properties.SheetId] = true
		}
	}
	for i, in := range req.Sheets {
		p := in.Properties
		if p == nil {
			p = &sheets.SheetProperties{}
		}
		sh := newSheet(p)
		if p.SheetId == 0 {
			if ss.sheetByID(0) == nil && !explicit[0] {
				sh.Props.SheetId = 0
			} else {
				sh.Props.SheetId = c.s.freshSheetID(ss)
			}
		} else if ss.sheetByID(p.SheetId) != nil {
			return nil, invalidf("Invalid sheets[%d]: A sheet with ID %d already exists.", i, p.SheetId)
		}
		if sh.Props.Title == "" {
			sh.Props.Title = nextSheetTitle(ss)
		}
		if ss.sheetByTitle(sh.Props.Title) != nil && strings.EqualFold(ss.sheetByTitle(sh.Props.Title).Props.Title, sh.Props.Title) {
			return nil, invalidf("Invalid sheets[%d]: A sheet with the name \"%s\" already exists. Please enter another name.", i, sh.Props.Title)
		}
		for _, gd := range in.Data {
			if msg := putGridData(sh, gd); msg != "" {
				return nil, invalidf("Invalid sheets[%d].data: %s", i, msg)
			}
		}
		for _, m := range in.Merges {
			sh.Merges = append(sh.Merges, cloneJSON(m))
		}
		ss.Sheets = append(ss.Sheets, sh)
	}
	sort.SliceStable(ss.Sheets, func(i, j int) bool { return ss.Sheets[i].Props.Index < ss.Sheets[j].Props.Index })
	ss.reindex()
	if msg := ss.checkCellLimit(); msg != "" {
		return nil, invalidf("%s", msg)
	}
	for i, nr := range req.NamedRanges {
		n := cloneJSON(nr)
		if n.NamedRangeId == "" {
			n.NamedRangeId = st.newNamedRangeID()
		}
		if msg := validNamedRange(ss, n, ""); msg != "" {
			return nil, invalidf("Invalid namedRanges[%d]: %s", i, msg)
		}
		ss.NamedRanges = append(ss.NamedRanges, n)
	}
	for i, in := range req.Sheets {
		for _, p := range in.ProtectedRanges {
			pr := cloneJSON(p)
			if pr.Range == nil && pr.NamedRangeId == "" {
				pr.Range = &sheets.GridRange{}
			}
			if pr.Range != nil {
				pr.Range.SheetId = ss.Sheets[i].Props.SheetId
			}
			pr.ProtectedRangeId = c.s.freshProtectedID(ss)
			pr.RequestingUserCanEdit = false
			ss.Sheets[i].Protected = append(ss.Sheets[i].Protected, pr)
		}
	}
	now := c.s.now()
	f := &file{
		ID: ss.ID, Name: ss.Props.Title, MimeType: mimeSpreadsheet,
		Owner: c.user.Email, Created: now, Modified: now, Sheet: ss,
		Perms: []*permission{{ID: permissionID(c.user.Email), Type: "user", Role: "owner", Email: c.user.Email}},
	}
	st.Files[f.ID] = f
	c.fileID = f.ID
	c.changed = true
	return c.s.renderSpreadsheet(c, f, renderOptions{}), nil
}

// nextSheetTitle picks "SheetN" with the first unused N.
func nextSheetTitle(ss *spreadsheetState) string {
	for n := len(ss.Sheets) + 1; ; n++ {
		t := "Sheet" + strconv.Itoa(n)
		if ss.sheetByTitle(t) == nil {
			return t
		}
	}
}

// freshID draws ids until one is not taken, as Sheets assigns the ids a
// request leaves out.
func (s *Server) freshID(taken func(int64) bool) int64 {
	for {
		if id := s.st.newInt32(); !taken(id) {
			return id
		}
	}
}

func (s *Server) freshSheetID(ss *spreadsheetState) int64 {
	return s.freshID(func(id int64) bool { return ss.sheetByID(id) != nil })
}

func (s *Server) freshProtectedID(ss *spreadsheetState) int64 {
	return s.freshID(func(id int64) bool { sh, _ := ss.protectedByID(id); return sh != nil })
}

func (s *Server) freshMetadataID(ss *spreadsheetState) int64 {
	return s.freshID(func(id int64) bool { return ss.metadataByID(id) != nil })
}

func (s *Server) freshChartID(ss *spreadsheetState) int64 {
	return s.freshID(func(id int64) bool { return ss.chartByID(id) != nil || ss.sheetByID(id) != nil })
}

func (ss *spreadsheetState) metadataByID(id int64) *metadataEntry {
	for _, m := range ss.Metadata {
		if m.M.MetadataId == id {
			return m
		}
	}
	return nil
}

func (ss *spreadsheetState) chartByID(id int64) *sheets.EmbeddedChart {
	for _, sh := range ss.Sheets {
		for _, ch := range sh.Charts {
			if ch.ChartId == id {
				return ch
			}
		}
	}
	return nil
}

// putGridData stores the cells of a GridData (spreadsheets.create with
// data).
func putGridData(sh *sheetState, gd *sheets.GridData) string {
	if gd == nil {
		return ""
	}
	for i, rd := range gd.RowData {
		for j, cd := range rd.Values {
			r, col := int(gd.StartRow)+i, int(gd.StartColumn)+j
			if r >= sh.rowCount() || col >= sh.colCount() {
				return errGridLimits(sh, rect{r, col, r + 1, col + 1}).Message
			}
			nc := storedCell(cd)
			if nc == nil {
				delete(sh.Cells, cellKey{r, col})
			} else {
				sh.Cells[cellKey{r, col}] = nc
			}
		}
	}
	return ""
}

// storedCell keeps the user-entered parts of a CellData; the read-only
// ones (effective and formatted values) are computed on read.
func storedCell(cd *sheets.CellData) *sheets.CellData {
	if cd == nil {
		return nil
	}
	nc := &sheets.CellData{
		UserEnteredValue:  cd.UserEnteredValue,
		UserEnteredFormat: cd.UserEnteredFormat,
		DataValidation:    cd.DataValidation,
		Note:              cd.Note,
		Hyperlink:         cd.Hyperlink,
		TextFormatRuns:    cd.TextFormatRuns,
	}
	if isEmptyCell(nc) {
		return nil
	}
	return nc
}

func isEmptyCell(cd *sheets.CellData) bool {
	return cd == nil || (cd.UserEnteredValue == nil && cd.UserEnteredFormat == nil && cd.DataValidation == nil &&
		cd.Note == "" && cd.Hyperlink == "" && len(cd.TextFormatRuns) == 0)
}

// validNamedRange checks a named range's name and range; self is the id
// of the range being updated.
func validNamedRange(ss *spreadsheetState, nr *sheets.NamedRange, self string) string {
	if !validRangeName(nr.Name) {
		return fmt.Sprintf("The range name %q is not valid.", nr.Name)
	}
	for _, o := range ss.NamedRanges {
		if o.NamedRangeId == self {
			continue
		}
		if o.NamedRangeId == nr.NamedRangeId {
			return fmt.Sprintf("Named range with ID %s already exists.", nr.NamedRangeId)
		}
		if strings.EqualFold(o.Name, nr.Name) {
			return fmt.Sprintf("Named range with name %q already exists.", nr.Name)
		}
	}
	if nr.Range == nil {
		nr.Range = &sheets.GridRange{}
	}
	sh := ss.sheetByID(nr.Range.SheetId)
	if sh == nil {
		return fmt.Sprintf("No grid with id: %d", nr.Range.SheetId)
	}
	if msg := checkGridRange(nr.Range, sh); msg != "" {
		return msg
	}
	return ""
}

// validRangeName follows Sheets' rules for named ranges: letters, digits,
// underscores and periods, not starting with a digit, not a cell
// reference, not TRUE/FALSE.
func validRangeName(n string) bool {
	if n == "" || len(n) > 250 {
		return false
	}
	for i, r := range n {
		switch {
		case r == '_' || r == '.' || r > 127 && r != ' ':
		case 'a' <= r|0x20 && r|0x20 <= 'z':
		case '0' <= r && r <= '9':
			if i == 0 {
				return false
			}
		default:
			return false
		}
	}
	if _, ok := scanEndpoint(n); ok {
		return false
	}
	if _, _, _, _, err := parseR1C1(n); err == nil {
		return false
	}
	u := strings.ToUpper(n)
	return u != "TRUE" && u != "FALSE"
}

// checkGridRange checks a GridRange's bounds against its sheet.
func checkGridRange(g *sheets.GridRange, sh *sheetState) string {
	if g.StartRowIndex < 0 || g.StartColumnIndex < 0 || g.EndRowIndex < 0 || g.EndColumnIndex < 0 {
		return "GridRange indexes must not be negative."
	}
	if g.EndRowIndex != 0 && g.EndRowIndex < g.StartRowIndex || g.EndColumnIndex != 0 && g.EndColumnIndex < g.StartColumnIndex {
		return "GridRange end index must not be less than its start index."
	}
	r := gridToRect(g, sh)
	if r.R1 > sh.rowCount() || r.C1 > sh.colCount() || r.R0 > sh.rowCount() || r.C0 > sh.colCount() {
		return errGridLimits(sh, rect{r.R0, r.C0, max(r.R1, r.R0+1), max(r.C1, r.C0+1)}).Message
	}
	return ""
}

// renderOptions say what spreadsheets.get returns.
type renderOptions struct {
	// ranges limits sheets and grid data to these ranges; nil is all.
	ranges []resolved
	// gridData includes cell data.
	gridData bool
	mask     *maskNode
}

func (c *call) getSpreadsheet() (any, *apiError) {
	f, err := c.openSpreadsheet(false)
	if err != nil {
		return nil, err
	}
	opts := renderOptions{}
	mask, merr := c.fieldsMask()
	if merr != nil {
		return nil, merr
	}
	opts.mask = mask
	if mask != nil {
		opts.gridData = mask.selects("sheets", "data")
	} else if v := c.query.Get("includeGridData"); v == "true" {
		opts.gridData = true
	}
	for _, r := range c.query["ranges"] {
		res, rerr := resolveA1(f.Sheet, r, true)
		if rerr != nil {
			return nil, rerr
		}
		opts.ranges = append(opts.ranges, res)
	}
	return c.s.renderSpreadsheet(c, f, opts), nil
}

func (c *call) getByDataFilter() (any, *apiError) {
	var req sheets.GetSpreadsheetByDataFilterRequest
	if err := c.decodeBody(&req); err != nil {
		return nil, err
	}
	f, err := c.openSpreadsheet(false)
	if err != nil {
		return nil, err
	}
	opts := renderOptions{gridData: req.IncludeGridData}
	mask, merr := c.fieldsMask()
	if merr != nil {
		return nil, merr
	}
	opts.mask = mask
	if mask != nil {
		opts.gridData = mask.selects("sheets", "data")
	}
	for i, df := range req.DataFilters {
		rs, ferr := c.filterRanges(f, df)
		if ferr != nil {
			return nil, invalidf("Invalid dataFilters[%d]: %s", i, ferr.Message)
		}
		opts.ranges = append(opts.ranges, rs...)
	}
	return c.s.renderSpreadsheet(c, f, opts), nil
}

// renderSpreadsheet builds the Spreadsheet resource as the caller may see
// it.
func (s *Server) renderSpreadsheet(c *call, f *file, o renderOptions) *sheets.Spreadsheet {
	ss := f.Sheet
	out := &sheets.Spreadsheet{
		SpreadsheetId:  ss.ID,
		SpreadsheetUrl: spreadsheetURL(ss.ID),
	}
	props := cloneJSON(ss.Props)
	props.Title = f.Name
	out.Properties = &props
	for _, nr := range ss.NamedRanges {
		out.NamedRanges = append(out.NamedRanges, cloneJSON(nr))
	}
	canEdit := canWrite(s.roleOf(c.user.Email, f))
	owner := bypassesProtection(c.user.Email, f)
	for _, m := range ss.Metadata {
		if m.M.Location != nil && m.M.Location.Spreadsheet && c.canSeeMetadata(m) {
			out.DeveloperMetadata = append(out.DeveloperMetadata, cloneJSON(m.M))
		}
	}
	for _, sh := range ss.Sheets {
		var rs []rect
		if o.ranges != nil {
			for _, r := range o.ranges {
				if r.Sheet == sh {
					rs = append(rs, r.Rect)
				}
			}
			if rs == nil {
				continue
			}
		}
		p := cloneJSON(sh.Props)
		p.ForceSendFields = []string{"SheetId", "Index"}
		osh := &sheets.Sheet{Properties: &p}
		for _, m := range sh.Merges {
			osh.Merges = append(osh.Merges, cloneJSON(m))
		}
		for _, pr := range sh.Protected {
			op := cloneJSON(pr)
			op.RequestingUserCanEdit = owner || canEdit && canEditProtected(pr, c.user.Email)
			if !canEdit {
				op.Editors = nil
			}
			osh.ProtectedRanges = append(osh.ProtectedRanges, op)
		}
		for _, ch := range sh.Charts {
			osh.Charts = append(osh.Charts, cloneJSON(ch))
		}
		for _, m := range ss.Metadata {
			if m.M.Location != nil && m.M.Location.LocationType == "SHEET" && m.M.Location.SheetId == sh.Props.SheetId && c.canSeeMetadata(m) {
				osh.DeveloperMetadata = append(osh.DeveloperMetadata, cloneJSON(m.M))
			}
		}
		if o.gridData {
			if rs == nil {
				rs = []rect{{0, 0, sh.rowCount(), sh.colCount()}}
			}
			for _, r := range rs {
				osh.Data = append(osh.Data, s.gridData(c, ss, sh, r, o.mask))
			}
		}
		out.Sheets = append(out.Sheets, osh)
	}
	return out
}

// gridData renders the cells of r: rows up to the last one holding data,
// each up to its last cell holding data, and row and column metadata for
// the whole range.
func (s *Server) gridData(c *call, ss *spreadsheetState, sh *sheetState, r rect, mask *maskNode) *sheets.GridData {
	gd := &sheets.GridData{StartRow: int64(r.R0), StartColumn: int64(r.C0)}
	want := func(field string) bool {
		return mask == nil || mask.selects("sheets", "data", "rowData", "values", field)
	}
	lastRow, lastCol := usedExtent(sh, r)
	for row := r.R0; row < lastRow; row++ {
		rd := &sheets.RowData{}
		end := r.C0
		for col := r.C0; col < min(r.C1, lastCol); col++ {
			if sh.Cells[cellKey{row, col}] != nil {
				end = col + 1
			}
		}
		for col := r.C0; col < end; col++ {
			rd.Values = append(rd.Values, s.renderCell(c, ss, sh, cellKey{row, col}, want))
		}
		gd.RowData = append(gd.RowData, rd)
	}
	if mask == nil || mask.selects("sheets", "data", "rowMetadata") {
		for row := r.R0; row < r.R1; row++ {
			gd.RowMetadata = append(gd.RowMetadata, c.dimensionProps(ss, sh, "ROWS", row))
		}
	}
	if mask == nil || mask.selects("sheets", "data", "columnMetadata") {
		for col := r.C0; col < r.C1; col++ {
			gd.ColumnMetadata = append(gd.ColumnMetadata, c.dimensionProps(ss, sh, "COLUMNS", col))
		}
	}
	return gd
}

// usedExtent is the end (exclusive) of the rows and columns of r that hold
// any cell.
func usedExtent(sh *sheetState, r rect) (int, int) {
	lastRow, lastCol := r.R0, r.C0
	if len(sh.Cells) < (r.R1-r.R0)*(r.C1-r.C0) {
		for k := range sh.Cells {
			if r.contains(k.Row, k.Col) {
				lastRow, lastCol = max(lastRow, k.Row+1), max(lastCol, k.Col+1)
			}
		}
		return lastRow, lastCol
	}
	for row := r.R0; row < r.R1; row++ {
		for col := r.C0; col < r.C1; col++ {
			if sh.Cells[cellKey{row, col}] != nil {
				lastRow, lastCol = max(lastRow, row+1), max(lastCol, col+1)
			}
		}
	}
	return lastRow, lastCol
}

// dimensionProps is a row's or column's metadata: its size (Google's
// defaults are 21 px rows and 100 px columns) and developer metadata.
func (c *call) dimensionProps(ss *spreadsheetState, sh *sheetState, dim string, i int) *sheets.DimensionProperties {
	var p *sheets.DimensionProperties
	if dim == "ROWS" {
		p = sh.Rows[i]
	} else {
		p = sh.Cols[i]
	}
	out := &sheets.DimensionProperties{}
	if p != nil {
		*out = *p
		out.DeveloperMetadata = nil
	}
	if out.PixelSize == 0 {
		out.PixelSize = 21
		if dim == "COLUMNS" {
			out.PixelSize = 100
		}
	}
	for _, m := range ss.Metadata {
		l := m.M.Location
		if l != nil && l.DimensionRange != nil && l.DimensionRange.Dimension == dim && l.DimensionRange.SheetId == sh.Props.SheetId &&
			int(l.DimensionRange.StartIndex) <= i && i < int(l.DimensionRange.EndIndex) && c.canSeeMetadata(m) {
			out.DeveloperMetadata = append(out.DeveloperMetadata, cloneJSON(m.M))
		}
	}
	return out
}
