package sheets

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	sheetsv4 "google.golang.org/api/sheets/v4"

	"aop/engine/grid"
)

// Ids aop chooses, so that a retried request finds its own work instead of
// doing it twice. A workbook's sheet i is sheet FirstSheetID+i; its
// protection, page metadata and named ranges derive from that.
const (
	// FirstSheetID is the id of a rendered workbook's first sheet.
	FirstSheetID = 1000
	// namesSheetID holds the values of constant defined names (Sheets
	// names only ranges).
	namesSheetID = 999
	// placeholderSheetID is the master template's first sheet, replaced
	// by the rendered sheets.
	placeholderSheetID = 0
	// metadataBase numbers developer metadata: spreadsheet keys from
	// metadataBase, sheet keys at metadataBase + sheet id.
	metadataBase = 1_000_000
)

// Metadata keys aop writes.
const (
	keyPage  = "aop.page"
	keyNames = "aop.names"
)

// namesSheet is the hidden sheet that holds constant defined names.
const namesSheet = "aop names"

// Render returns the requests that turn a copy of the master template into
// wb: one batchUpdate, applied at once or not at all. meta becomes
// spreadsheet developer metadata (cycle, round, department, template), in
// key order, with ids from metadataBase.
func (c *Client) Render(wb *grid.Workbook, meta map[string]string) ([]*sheetsv4.Request, error) {
	r := renderer{editor: c.editor}
	return r.workbook(wb, meta)
}

type renderer struct {
	editor string
	// phases hold the requests in the order Sheets must see them: new
	// sheets first (formulas, names and rules may refer to any of them),
	// then named ranges, then contents and rules, then the deletion of the
	// template's placeholder.
	phases [4][]*sheetsv4.Request
	ids    map[string]int64 // sheet name → id
	// named is the far corner of the named ranges on each sheet (by
	// lower-case name), which the sheet's grid must reach.
	named map[string]grid.Ref
	// ranges resolves defined names to the ranges they refer to.
	ranges map[string]string
}

func (r *renderer) add(q *sheetsv4.Request) {
	phase := 2
	switch {
	case q.AddSheet != nil:
		phase = 0
	case q.AddNamedRange != nil:
		phase = 1
	case q.DeleteSheet != nil:
		phase = 3
	}
	r.phases[phase] = append(r.phases[phase], q)
}

// requests returns the requests in order.
func (r *renderer) requests() []*sheetsv4.Request {
	var out []*sheetsv4.Request
	for _, p := range r.phases {
		out = append(out, p...)
	}
	return out
}

func (r *renderer) workbook(wb *grid.Workbook, meta map[string]string) ([]*sheetsv4.Request, error) {
	r.ids = make(map[string]int64, len(wb.Sheets))
	for i, s := range wb.Sheets {
		if _, dup := r.ids[strings.ToLower(s.Name)]; dup {
			return nil, fmt.Errorf("sheets: two sheets are named %q", s.Name)
		}
		r.ids[strings.ToLower(s.Name)] = FirstSheetID + int64(i)
	}
	if len(wb.Sheets) == 0 {
		return nil, fmt.Errorf("sheets: a workbook needs a sheet")
	}
	r.named = map[string]grid.Ref{}
	r.ranges = map[string]string{}
	for _, n := range wb.Names {
		if sheet, rg, err := grid.SplitSheetRef(n.RefersTo); err == nil {
			k := strings.ToLower(sheet)
			r.named[k] = grid.R(max(r.named[k].Row, rg.To.Row), max(r.named[k].Col, rg.To.Col))
			r.ranges[strings.ToLower(n.Name)] = rg.On(sheet)
		}
	}
	for i, s := range wb.Sheets {
		if err := r.sheet(s, FirstSheetID+int64(i), 0); err != nil {
			return nil, err
		}
	}
	if err := r.names(wb); err != nil {
		return nil, err
	}
	for i, k := range slices.Sorted(maps.Keys(meta)) {
		r.add(&sheetsv4.Request{CreateDeveloperMetadata: &sheetsv4.CreateDeveloperMetadataRequest{
			DeveloperMetadata: &sheetsv4.DeveloperMetadata{MetadataId: metadataBase + int64(i), MetadataKey: k, MetadataValue: meta[k],
				Location: &sheetsv4.DeveloperMetadataLocation{Spreadsheet: true}, Visibility: "DOCUMENT"}}})
	}
	r.add(&sheetsv4.Request{DeleteSheet: &sheetsv4.DeleteSheetRequest{SheetId: placeholderSheetID, ForceSendFields: []string{"SheetId"}}})
	return r.requests(), nil
}

// extent is the number of rows and columns a sheet needs: its cells and
// everything that refers to them.
func extent(s *grid.Sheet) (rows, cols int) {
	grow := func(at grid.Ref) { rows, cols = max(rows, at.Row), max(cols, at.Col) }
	if d, ok := s.Dimension(); ok {
		grow(d.To)
	}
	for _, m := range s.Merges {
		grow(m.To)
	}
	for _, v := range s.Validations {
		for _, rg := range v.Ranges {
			grow(rg.To)
		}
	}
	for c := range s.ColWidths {
		grow(grid.R(1, c))
	}
	grow(s.Freeze)
	for _, ch := range s.Charts {
		grow(ch.Anchor)
	}
	return max(rows, 1), max(cols, 1)
}

func (r *renderer) sheet(s *grid.Sheet, id int64, index int) error {
	rows, cols := extent(s)
	if far, ok := r.named[strings.ToLower(s.Name)]; ok {
		rows, cols = max(rows, far.Row), max(cols, far.Col)
	}
	// Sheets are appended in order after the template's placeholder (an
	// index places a tab added later, such as the Summary).
	props := &sheetsv4.SheetProperties{SheetId: id, Title: s.Name, Index: int64(index), Hidden: s.Visibility != grid.Visible,
		GridProperties: &sheetsv4.GridProperties{RowCount: int64(rows), ColumnCount: int64(cols)}}
	if !s.Freeze.IsZero() {
		props.GridProperties.FrozenRowCount = int64(max(s.Freeze.Row-1, 0))
		props.GridProperties.FrozenColumnCount = int64(max(s.Freeze.Col-1, 0))
	}
	if s.TabColor != "" {
		col, err := color(s.TabColor)
		if err != nil {
			return fmt.Errorf("sheets: sheet %q tab colour: %w", s.Name, err)
		}
		props.TabColorStyle = &sheetsv4.ColorStyle{RgbColor: col}
	}
	r.add(&sheetsv4.Request{AddSheet: &sheetsv4.AddSheetRequest{Properties: props}})
	if err := r.cells(s, id); err != nil {
		return err
	}
	for _, m := range s.Merges {
		r.add(&sheetsv4.Request{MergeCells: &sheetsv4.MergeCellsRequest{Range: gridRange(id, m), MergeType: "MERGE_ALL"}})
	}
	for _, c := range slices.Sorted(maps.Keys(s.ColWidths)) {
		r.add(&sheetsv4.Request{UpdateDimensionProperties: &sheetsv4.UpdateDimensionPropertiesRequest{
			Range:      &sheetsv4.DimensionRange{SheetId: id, Dimension: "COLUMNS", StartIndex: int64(c - 1), EndIndex: int64(c)},
			Properties: &sheetsv4.DimensionProperties{PixelSize: widthPixels(s.ColWidths[c])},
			Fields:     "pixelSize"}})
	}
	for _, v := range s.Validations {
		if err := r.validation(s.Name, id, v); err != nil {
			return err
		}
	}
	if s.Protection != nil {
		r.protect(s, id)
	}
	if s.Page != (grid.PageSetup{}) {
		r.add(&sheetsv4.Request{CreateDeveloperMetadata: &sheetsv4.CreateDeveloperMetadataRequest{
			DeveloperMetadata: &sheetsv4.DeveloperMetadata{MetadataId: metadataBase + id, MetadataKey: keyPage, MetadataValue: pageValue(s.Page),
				Location: &sheetsv4.DeveloperMetadataLocation{SheetId: id}, Visibility: "DOCUMENT"}}})
	}
	return nil
}

// cells writes every cell of a sheet, value and format, in one
// updateCells from A1.
func (r *renderer) cells(s *grid.Sheet, id int64) error {
	d, ok := s.Dimension()
	if !ok {
		return nil
	}
	rows := make([]*sheetsv4.RowData, d.To.Row)
	for i := range rows {
		rows[i] = &sheetsv4.RowData{}
	}
	formats := map[grid.Style]*sheetsv4.CellFormat{}
	for at, c := range s.All() {
		cd, err := cellData(c, formats)
		if err != nil {
			return fmt.Errorf("sheets: %s!%s: %w", s.Name, at, err)
		}
		row := rows[at.Row-1]
		for len(row.Values) < at.Col {
			row.Values = append(row.Values, &sheetsv4.CellData{})
		}
		row.Values[at.Col-1] = cd
	}
	r.add(&sheetsv4.Request{UpdateCells: &sheetsv4.UpdateCellsRequest{
		Start:  &sheetsv4.GridCoordinate{SheetId: id},
		Rows:   rows,
		Fields: "userEnteredValue,userEnteredFormat"}})
	return nil
}

// cellData is a grid cell as Sheets stores it. Formats are shared between
// cells of the same style.
func cellData(c grid.Cell, formats map[grid.Style]*sheetsv4.CellFormat) (*sheetsv4.CellData, error) {
	cd := &sheetsv4.CellData{}
	switch {
	case c.Formula != "":
		f := "=" + strings.TrimPrefix(c.Formula, "=")
		cd.UserEnteredValue = &sheetsv4.ExtendedValue{FormulaValue: &f}
	default:
		v, err := extendedValue(c.Value)
		if err != nil {
			return nil, err
		}
		cd.UserEnteredValue = v
	}
	if c.Style != nil {
		st := *c.Style
		st.Unlocked = false // locking is the sheet protection's business
		if st != (grid.Style{}) {
			f, ok := formats[st]
			if !ok {
				var err error
				if f, err = cellFormat(st); err != nil {
					return nil, err
				}
				formats[st] = f
			}
			cd.UserEnteredFormat = f
		}
	}
	return cd, nil
}

// extendedValue is a constant as Sheets stores it. Text is always text:
// "=1+2" typed into a grid string stays a string, never a formula.
func extendedValue(v grid.Value) (*sheetsv4.ExtendedValue, error) {
	switch v.Kind {
	case grid.Empty:
		return nil, nil
	case grid.Number:
		f, err := strconv.ParseFloat(v.Text, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("%q is not a number Sheets can hold", v.Text)
		}
		return &sheetsv4.ExtendedValue{NumberValue: &f, ForceSendFields: []string{"NumberValue"}}, nil
	case grid.Bool:
		b := v.Bool()
		return &sheetsv4.ExtendedValue{BoolValue: &b, ForceSendFields: []string{"BoolValue"}}, nil
	case grid.Error:
		f := "=" + v.Text
		if v.Text == "#N/A" {
			f = "=NA()"
		}
		return &sheetsv4.ExtendedValue{FormulaValue: &f}, nil
	default:
		s := v.Text
		return &sheetsv4.ExtendedValue{StringValue: &s, ForceSendFields: []string{"StringValue"}}, nil
	}
}

func cellFormat(st grid.Style) (*sheetsv4.CellFormat, error) {
	f := &sheetsv4.CellFormat{}
	if st.NumFmt != "" {
		f.NumberFormat = &sheetsv4.NumberFormat{Type: numberFormatType(st.NumFmt), Pattern: st.NumFmt}
	}
	if st.Bold || st.Italic || st.FontColor != "" {
		f.TextFormat = &sheetsv4.TextFormat{Bold: st.Bold, Italic: st.Italic}
		if st.FontColor != "" {
			col, err := color(st.FontColor)
			if err != nil {
				return nil, fmt.Errorf("font colour: %w", err)
			}
			f.TextFormat.ForegroundColorStyle = &sheetsv4.ColorStyle{RgbColor: col}
		}
	}
	if st.Fill != "" {
		col, err := color(st.Fill)
		if err != nil {
			return nil, fmt.Errorf("fill: %w", err)
		}
		f.BackgroundColorStyle = &sheetsv4.ColorStyle{RgbColor: col}
	}
	switch st.HAlign {
	case grid.AlignLeft:
		f.HorizontalAlignment = "LEFT"
	case grid.AlignCenter:
		f.HorizontalAlignment = "CENTER"
	case grid.AlignRight:
		f.HorizontalAlignment = "RIGHT"
	}
	if st.Wrap {
		f.WrapStrategy = "WRAP"
	}
	if st.Border {
		thin := &sheetsv4.Border{Style: "SOLID"}
		f.Borders = &sheetsv4.Borders{Top: thin, Bottom: thin, Left: thin, Right: thin}
	}
	return f, nil
}

// numberFormatType classifies an Excel number format code the way Sheets
// wants it said.
func numberFormatType(code string) string {
	plain := stripQuoted(code)
	lower := strings.ToLower(plain)
	switch {
	case code == "@":
		return "TEXT"
	case strings.ContainsAny(lower, "ymd") && strings.ContainsAny(lower, "hs"):
		return "DATE_TIME"
	case strings.ContainsAny(lower, "ymd"):
		return "DATE"
	case strings.ContainsAny(lower, "hs"):
		return "TIME"
	case strings.Contains(plain, "%"):
		return "PERCENT"
	case strings.Contains(lower, "e+") || strings.Contains(lower, "e-"):
		return "SCIENTIFIC"
	default:
		return "NUMBER"
	}
}

// stripQuoted drops a format code's literal parts: "…" strings, [..]
// brackets and \-escaped characters, which name no date or number part.
func stripQuoted(code string) string {
	var b strings.Builder
	for i := 0; i < len(code); i++ {
		switch code[i] {
		case '"':
			j := strings.IndexByte(code[i+1:], '"')
			if j < 0 {
				return b.String()
			}
			i += j + 1
		case '[':
			j := strings.IndexByte(code[i+1:], ']')
			if j < 0 {
				return b.String()
			}
			i += j + 1
		case '\\', '_', '*':
			i++
		default:
			b.WriteByte(code[i])
		}
	}
	return b.String()
}

// color parses "RRGGBB".
func color(hex string) (*sheetsv4.Color, error) {
	if len(hex) != 6 {
		return nil, fmt.Errorf("%q is not RRGGBB", hex)
	}
	n, err := strconv.ParseUint(hex, 16, 32)
	if err != nil {
		return nil, fmt.Errorf("%q is not RRGGBB", hex)
	}
	c := &sheetsv4.Color{Red: float64(n>>16&0xff) / 255, Green: float64(n>>8&0xff) / 255, Blue: float64(n&0xff) / 255}
	c.ForceSendFields = []string{"Red", "Green", "Blue"}
	return c, nil
}

// widthPixels converts a column width in characters of the default font
// (Excel's unit) to pixels, as Excel does: 8.43 characters are 64 pixels.
func widthPixels(chars float64) int64 { return int64(math.Round(chars*7 + 5)) }

func widthChars(px int64) float64 { return math.Round(float64(px-5)/7*100) / 100 }

func pageValue(p grid.PageSetup) string {
	var parts []string
	if p.Landscape {
		parts = append(parts, "landscape")
	}
	if p.FitToWidth {
		parts = append(parts, "fit-to-width")
	}
	return strings.Join(parts, ",")
}

func parsePage(v string) grid.PageSetup {
	var p grid.PageSetup
	for part := range strings.SplitSeq(v, ",") {
		switch part {
		case "landscape":
			p.Landscape = true
		case "fit-to-width":
			p.FitToWidth = true
		}
	}
	return p
}

// gridRange is r on sheet id, zero-based and half open.
func gridRange(id int64, r grid.Range) *sheetsv4.GridRange {
	return &sheetsv4.GridRange{SheetId: id,
		StartRowIndex: int64(r.From.Row - 1), EndRowIndex: int64(r.To.Row),
		StartColumnIndex: int64(r.From.Col - 1), EndColumnIndex: int64(r.To.Col)}
}

// protect protects a whole sheet, aop's account its one editor, leaving
// the unlocked cells (inputs) open.
func (r *renderer) protect(s *grid.Sheet, id int64) {
	var open []*sheetsv4.GridRange
	for _, rg := range unlockedRanges(s) {
		open = append(open, gridRange(id, rg))
	}
	pr := &sheetsv4.ProtectedRange{ProtectedRangeId: id, Range: &sheetsv4.GridRange{SheetId: id},
		Description: "aop: only the input cells of this sheet can be edited", UnprotectedRanges: open}
	if r.editor != "" {
		pr.Editors = &sheetsv4.Editors{Users: []string{r.editor}}
	}
	r.add(&sheetsv4.Request{AddProtectedRange: &sheetsv4.AddProtectedRangeRequest{ProtectedRange: pr}})
}

// unlockedRanges covers a sheet's unlocked cells with rectangles.
func unlockedRanges(s *grid.Sheet) []grid.Range {
	var open []grid.Ref
	for at, c := range s.All() {
		if c.Style != nil && c.Style.Unlocked {
			open = append(open, at)
		}
	}
	return cover(open)
}

// joinRows merges runs (in row-major order) that span the same columns in
// consecutive rows.
func joinRows(runs []grid.Range) []grid.Range {
	var out []grid.Range
	open := map[[2]int]int{} // [from col, to col] → index in out of a range ending on the previous row
	for _, r := range runs {
		k := [2]int{r.From.Col, r.To.Col}
		if i, ok := open[k]; ok && out[i].To.Row == r.From.Row-1 {
			out[i].To.Row = r.To.Row
			continue
		}
		open[k] = len(out)
		out = append(out, r)
	}
	return out
}

// names adds the workbook's defined names as named ranges. Sheets names
// only ranges, so a constant name points at a cell of a hidden, protected
// sheet holding its value.
func (r *renderer) names(wb *grid.Workbook) error {
	var consts []grid.DefinedName
	for _, n := range wb.Names {
		sheet, rg, err := grid.SplitSheetRef(n.RefersTo)
		if err != nil {
			consts = append(consts, n)
			continue
		}
		id, ok := r.ids[strings.ToLower(sheet)]
		if !ok {
			return fmt.Errorf("sheets: defined name %s refers to sheet %q, which the workbook does not have", n.Name, sheet)
		}
		r.add(&sheetsv4.Request{AddNamedRange: &sheetsv4.AddNamedRangeRequest{NamedRange: &sheetsv4.NamedRange{
			NamedRangeId: namedRangeID(n.Name), Name: n.Name, Range: gridRange(id, rg)}}})
	}
	if len(consts) == 0 {
		return nil
	}
	r.add(&sheetsv4.Request{AddSheet: &sheetsv4.AddSheetRequest{Properties: &sheetsv4.SheetProperties{
		SheetId: namesSheetID, Title: namesSheet, Hidden: true,
		GridProperties: &sheetsv4.GridProperties{RowCount: int64(len(consts)), ColumnCount: 2}}}})
	rows := make([]*sheetsv4.RowData, len(consts))
	for i, n := range consts {
		name := n.Name
		var v *sheetsv4.ExtendedValue
		if f, err := strconv.ParseFloat(n.RefersTo, 64); err == nil {
			v = &sheetsv4.ExtendedValue{NumberValue: &f, ForceSendFields: []string{"NumberValue"}}
		} else {
			formula := "=" + n.RefersTo
			v = &sheetsv4.ExtendedValue{FormulaValue: &formula}
		}
		rows[i] = &sheetsv4.RowData{Values: []*sheetsv4.CellData{
			{UserEnteredValue: &sheetsv4.ExtendedValue{StringValue: &name}}, {UserEnteredValue: v}}}
		r.add(&sheetsv4.Request{AddNamedRange: &sheetsv4.AddNamedRangeRequest{NamedRange: &sheetsv4.NamedRange{
			NamedRangeId: namedRangeID(n.Name), Name: n.Name, Range: gridRange(namesSheetID, grid.Rect(i+1, 2, i+1, 2))}}})
	}
	r.add(&sheetsv4.Request{UpdateCells: &sheetsv4.UpdateCellsRequest{
		Start: &sheetsv4.GridCoordinate{SheetId: namesSheetID}, Rows: rows, Fields: "userEnteredValue"}})
	pr := &sheetsv4.ProtectedRange{ProtectedRangeId: namesSheetID, Range: &sheetsv4.GridRange{SheetId: namesSheetID},
		Description: "aop: names the workbook's formulas use"}
	if r.editor != "" {
		pr.Editors = &sheetsv4.Editors{Users: []string{r.editor}}
	}
	r.add(&sheetsv4.Request{AddProtectedRange: &sheetsv4.AddProtectedRangeRequest{ProtectedRange: pr}})
	r.add(&sheetsv4.Request{CreateDeveloperMetadata: &sheetsv4.CreateDeveloperMetadataRequest{
		DeveloperMetadata: &sheetsv4.DeveloperMetadata{MetadataId: metadataBase + namesSheetID, MetadataKey: keyNames, MetadataValue: "1",
			Location: &sheetsv4.DeveloperMetadataLocation{SheetId: namesSheetID}, Visibility: "DOCUMENT"}}})
	return nil
}

// namedRangeID is a defined name's named-range id: its name, which is
// unique in a workbook regardless of case.
func namedRangeID(name string) string { return "aop-" + strings.ToLower(name) }
