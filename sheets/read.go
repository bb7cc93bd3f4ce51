package sheets

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/api/googleapi"
	sheetsv4 "google.golang.org/api/sheets/v4"

	"aop/engine/grid"
)

// readFields is the part of a spreadsheet ReadBack asks for: everything a
// grid holds, nothing else (a spreadsheet without a field mask is heavy).
const readFields = "spreadsheetId,namedRanges,developerMetadata," +
	"sheets(properties,merges,protectedRanges,developerMetadata," +
	"data(startRow,startColumn,columnMetadata(pixelSize)," +
	"rowData(values(userEnteredValue,effectiveValue,userEnteredFormat,dataValidation))))"

// ReadBack reads a whole spreadsheet into a grid, as fully as Sheets
// keeps one: values (formulas with their computed values), formats,
// merges, widths, validations, protections and names. It is one read
// request, meant for checks and tests; a harvest reads values only.
func (c *Client) ReadBack(ctx context.Context, id string) (*grid.Workbook, error) {
	var ss *sheetsv4.Spreadsheet
	err := c.call(ctx, Read, func(ctx context.Context, _ bool) error {
		var err error
		ss, err = c.sheets.Spreadsheets.Get(id).IncludeGridData(true).Fields(googleapi.Field(readFields)).Context(ctx).Do()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sheets: read %s: %w", id, err)
	}
	return spreadsheetGrid(ss)
}

// spreadsheetGrid converts a spreadsheet with grid data to a workbook.
func spreadsheetGrid(ss *sheetsv4.Spreadsheet) (*grid.Workbook, error) {
	wb := grid.New()
	byID := map[int64]*grid.Sheet{}
	var names *sheetsv4.Sheet
	for _, sh := range ss.Sheets {
		p := sh.Properties
		if p == nil {
			continue
		}
		if hasKey(sh.DeveloperMetadata, keyNames) {
			names = sh
			continue
		}
		s := wb.AddSheet(p.Title)
		byID[p.SheetId] = s
		if err := readSheet(s, sh); err != nil {
			return nil, fmt.Errorf("sheets: sheet %q: %w", p.Title, err)
		}
	}
	constants := map[string]string{}
	if names != nil {
		constants = readConstants(names)
	}
	for _, n := range ss.NamedRanges {
		if n.Range == nil {
			continue
		}
		if names != nil && n.Range.SheetId == names.Properties.SheetId {
			wb.AddName(n.Name, constants[strings.ToLower(n.Name)])
			continue
		}
		s, ok := byID[n.Range.SheetId]
		if !ok {
			continue
		}
		wb.AddName(n.Name, fromGridRange(n.Range).On(s.Name))
	}
	return wb, nil
}

func hasKey(md []*sheetsv4.DeveloperMetadata, key string) bool {
	return slices.ContainsFunc(md, func(m *sheetsv4.DeveloperMetadata) bool { return m.MetadataKey == key })
}

// readConstants reads the names sheet: name in column A, value in B.
func readConstants(sh *sheetsv4.Sheet) map[string]string {
	out := map[string]string{}
	for _, d := range sh.Data {
		for _, row := range d.RowData {
			if len(row.Values) < 2 || row.Values[0].UserEnteredValue == nil || row.Values[0].UserEnteredValue.StringValue == nil {
				continue
			}
			name := strings.ToLower(*row.Values[0].UserEnteredValue.StringValue)
			v := row.Values[1].UserEnteredValue
			switch {
			case v == nil:
			case v.FormulaValue != nil:
				out[name] = strings.TrimPrefix(*v.FormulaValue, "=")
			default:
				out[name] = fromExtended(v).Text
			}
		}
	}
	return out
}

func readSheet(s *grid.Sheet, sh *sheetsv4.Sheet) error {
	p := sh.Properties
	if p.Hidden {
		s.Visibility = grid.Hidden
	}
	if g := p.GridProperties; g != nil && (g.FrozenRowCount > 0 || g.FrozenColumnCount > 0) {
		s.Freeze = grid.R(int(g.FrozenRowCount)+1, int(g.FrozenColumnCount)+1)
	}
	if p.TabColorStyle != nil && p.TabColorStyle.RgbColor != nil {
		s.TabColor = hexColor(p.TabColorStyle.RgbColor)
	}
	for _, m := range sh.DeveloperMetadata {
		if m.MetadataKey == keyPage {
			s.Page = parsePage(m.MetadataValue)
		}
	}
	rules := map[string]*validationCells{}
	var ruleOrder []string
	for _, d := range sh.Data {
		for i, cm := range d.ColumnMetadata {
			if cm.PixelSize > 0 && cm.PixelSize != defaultColumnPixels {
				if s.ColWidths == nil {
					s.ColWidths = map[int]float64{}
				}
				s.ColWidths[int(d.StartColumn)+i+1] = widthChars(cm.PixelSize)
			}
		}
		for ri, row := range d.RowData {
			for ci, cd := range row.Values {
				at := grid.R(int(d.StartRow)+ri+1, int(d.StartColumn)+ci+1)
				if cell := readCell(cd); !cell.IsZero() {
					s.Set(at, cell)
				}
				if cd.DataValidation != nil {
					b, err := json.Marshal(cd.DataValidation)
					if err != nil {
						return err
					}
					k := string(b)
					if rules[k] == nil {
						rules[k] = &validationCells{rule: cd.DataValidation}
						ruleOrder = append(ruleOrder, k)
					}
					rules[k].cells = append(rules[k].cells, at)
				}
			}
		}
	}
	// Rules said as custom formulas name each range's top-left cell, so
	// one grid rule on two ranges reads back as two; equal grid rules
	// join again.
	same := map[string]int{}
	for _, k := range ruleOrder {
		vc := rules[k]
		v := readValidation(vc.rule)
		key := fmt.Sprintf("%+v", v)
		if i, ok := same[key]; ok {
			s.Validations[i].Ranges = append(s.Validations[i].Ranges, cover(vc.cells)...)
			continue
		}
		same[key] = len(s.Validations)
		v.Ranges = cover(vc.cells)
		s.Validations = append(s.Validations, v)
	}
	for _, m := range sh.Merges {
		s.Merges = append(s.Merges, fromGridRange(m))
	}
	for _, pr := range sh.ProtectedRanges {
		if pr.WarningOnly || pr.Range == nil || !wholeSheet(pr.Range) {
			continue
		}
		s.Protection = &grid.Protection{}
		for _, open := range pr.UnprotectedRanges {
			r := fromGridRange(open)
			for row := r.From.Row; row <= r.To.Row; row++ {
				for col := r.From.Col; col <= r.To.Col; col++ {
					at := grid.R(row, col)
					c := s.Cell(at)
					st := grid.Style{}
					if c.Style != nil {
						st = *c.Style
					}
					st.Unlocked = true
					s.SetStyle(at, &st)
				}
			}
		}
	}
	return nil
}

// defaultColumnPixels is the width of a column nobody sized.
const defaultColumnPixels = 100

type validationCells struct {
	rule  *sheetsv4.DataValidationRule
	cells []grid.Ref
}

// cover joins cells (in row-major order) into rectangles: runs of a row,
// then equal runs of consecutive rows.
func cover(cells []grid.Ref) []grid.Range {
	var runs []grid.Range
	for _, at := range cells {
		if n := len(runs); n > 0 && runs[n-1].To.Row == at.Row && runs[n-1].To.Col == at.Col-1 {
			runs[n-1].To.Col = at.Col
			continue
		}
		runs = append(runs, grid.Range{From: at, To: at})
	}
	return joinRows(runs)
}

func wholeSheet(r *sheetsv4.GridRange) bool {
	return r.StartRowIndex == 0 && r.EndRowIndex == 0 && r.StartColumnIndex == 0 && r.EndColumnIndex == 0
}

// fromGridRange is a bounded grid range in A1 terms.
func fromGridRange(r *sheetsv4.GridRange) grid.Range {
	return grid.Rect(int(r.StartRowIndex)+1, int(r.StartColumnIndex)+1, int(r.EndRowIndex), int(r.EndColumnIndex))
}

func readCell(cd *sheetsv4.CellData) grid.Cell {
	var c grid.Cell
	if uv := cd.UserEnteredValue; uv != nil && uv.FormulaValue != nil {
		c.Formula = strings.TrimPrefix(*uv.FormulaValue, "=")
		c.Value = fromExtended(cd.EffectiveValue)
	} else {
		c.Value = fromExtended(uv)
	}
	if f := cd.UserEnteredFormat; f != nil {
		st := readFormat(f)
		if st != (grid.Style{}) {
			c.Style = &st
		}
	}
	return c
}

// fromExtended is a Sheets value as a grid value. Numbers keep the
// shortest text that reads back as the same double.
func fromExtended(v *sheetsv4.ExtendedValue) grid.Value {
	switch {
	case v == nil:
		return grid.Value{}
	case v.NumberValue != nil:
		return number(*v.NumberValue)
	case v.BoolValue != nil:
		return grid.BoolValue(*v.BoolValue)
	case v.StringValue != nil:
		return grid.Str(*v.StringValue)
	case v.ErrorValue != nil:
		return grid.ErrorValue(errorCode(v.ErrorValue.Type))
	}
	return grid.Value{}
}

func number(f float64) grid.Value {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return grid.NumText(strconv.FormatFloat(f, 'f', -1, 64))
	}
	return grid.NumText(strconv.FormatFloat(f, 'g', -1, 64))
}

// errorCode is the spreadsheet error a Sheets ErrorValue type stands for.
func errorCode(t string) string {
	switch t {
	case "NULL_VALUE":
		return "#NULL!"
	case "DIVIDE_BY_ZERO":
		return "#DIV/0!"
	case "VALUE":
		return "#VALUE!"
	case "REF":
		return "#REF!"
	case "NAME":
		return "#NAME?"
	case "NUM":
		return "#NUM!"
	case "N_A":
		return "#N/A"
	case "LOADING":
		return "#LOADING"
	default:
		return "#ERROR!"
	}
}

func readFormat(f *sheetsv4.CellFormat) grid.Style {
	var st grid.Style
	if f.NumberFormat != nil {
		st.NumFmt = f.NumberFormat.Pattern
	}
	if t := f.TextFormat; t != nil {
		st.Bold, st.Italic = t.Bold, t.Italic
		if t.ForegroundColorStyle != nil && t.ForegroundColorStyle.RgbColor != nil {
			st.FontColor = hexColor(t.ForegroundColorStyle.RgbColor)
		}
	}
	if f.BackgroundColorStyle != nil && f.BackgroundColorStyle.RgbColor != nil {
		st.Fill = hexColor(f.BackgroundColorStyle.RgbColor)
	}
	switch f.HorizontalAlignment {
	case "LEFT":
		st.HAlign = grid.AlignLeft
	case "CENTER":
		st.HAlign = grid.AlignCenter
	case "RIGHT":
		st.HAlign = grid.AlignRight
	}
	st.Wrap = f.WrapStrategy == "WRAP"
	if b := f.Borders; b != nil {
		st.Border = b.Top != nil && b.Top.Style != "" && b.Top.Style != "NONE"
	}
	return st
}

func hexColor(c *sheetsv4.Color) string {
	ch := func(x float64) int { return int(math.Round(math.Max(0, math.Min(1, x)) * 255)) }
	return fmt.Sprintf("%02X%02X%02X", ch(c.Red), ch(c.Green), ch(c.Blue))
}
