package excel

import (
	"archive/zip"
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/xuri/excelize/v2"

	"aop/engine/grid"
)

// Inspect reads an .xlsx file written by this package back into a grid, as
// fully as the file allows: values, formulas with cached values, styles,
// merges, column widths, validations, protection (without the password,
// which is only stored as a hash), visibility including veryHidden, defined
// names, freeze panes, tab colours and charts (type, title, series; not
// their size). It is meant for our own, trusted files: tests, the
// conformance harness and diagnostics.
func Inspect(filePath string) (*grid.Workbook, error) {
	f, err := excelize.OpenFile(filePath)
	if err != nil {
		return nil, fmt.Errorf("excel: inspect %s: %w", filePath, err)
	}
	defer func() { _ = f.Close() }()
	zr, err := zip.OpenReader(filePath)
	if err != nil {
		return nil, fmt.Errorf("excel: inspect %s: %w", filePath, err)
	}
	defer func() { _ = zr.Close() }()
	in := &inspector{f: f, pkg: &zr.Reader, styles: make(map[int]*grid.Style)}
	wb, err := in.workbook()
	if err != nil {
		return nil, fmt.Errorf("excel: inspect %s: %w", filePath, err)
	}
	return wb, nil
}

type inspector struct {
	f      *excelize.File
	pkg    *zip.Reader
	styles map[int]*grid.Style
}

// Package parts, only the elements Inspect needs. encoding/xml matches
// names without namespaces, which suits the prefixed and unprefixed forms.
type (
	xWorkbook struct {
		Sheets []struct {
			Name  string `xml:"name,attr"`
			State string `xml:"state,attr"`
			RID   string `xml:"id,attr"`
		} `xml:"sheets>sheet"`
	}
	xRels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
			Mode   string `xml:"TargetMode,attr"`
		} `xml:"Relationship"`
	}
	xSheet struct {
		Cols []struct {
			Min   int     `xml:"min,attr"`
			Max   int     `xml:"max,attr"`
			Width float64 `xml:"width,attr"`
			// Custom is customWidth: a width set on purpose.
			Custom string `xml:"customWidth,attr"`
		} `xml:"cols>col"`
		Rows []struct {
			Cells []struct {
				R string `xml:"r,attr"`
			} `xml:"c"`
		} `xml:"sheetData>row"`
		Protection *struct {
			Sheet string `xml:"sheet,attr"`
		} `xml:"sheetProtection"`
		Drawing *struct {
			RID string `xml:"id,attr"`
		} `xml:"drawing"`
	}
	xAnchor struct {
		From struct {
			Col int `xml:"col"`
			Row int `xml:"row"`
		} `xml:"from"`
		Chart *struct {
			RID string `xml:"id,attr"`
		} `xml:"graphicFrame>graphic>graphicData>chart"`
	}
	xDrawing struct {
		TwoCell []xAnchor `xml:"twoCellAnchor"`
		OneCell []xAnchor `xml:"oneCellAnchor"`
	}
	xSeries struct {
		Tx struct {
			F string `xml:"strRef>f"`
			V string `xml:"v"`
		} `xml:"tx"`
		SpPr struct {
			NoFill    *struct{}   `xml:"noFill"`
			SolidFill *xSolidFill `xml:"solidFill"`
			// Line charts colour the line, not the fill.
			LineFill *xSolidFill `xml:"ln>solidFill"`
		} `xml:"spPr"`
		Cat struct {
			StrF string `xml:"strRef>f"`
			NumF string `xml:"numRef>f"`
		} `xml:"cat"`
		Val struct {
			F string `xml:"numRef>f"`
		} `xml:"val"`
	}
	xSolidFill struct {
		RGB struct {
			Val string `xml:"val,attr"`
		} `xml:"srgbClr"`
	}
	xVal struct {
		Val string `xml:"val,attr"`
	}
	xChartGroup struct {
		BarDir   xVal      `xml:"barDir"`
		Grouping xVal      `xml:"grouping"`
		Series   []xSeries `xml:"ser"`
	}
	xChart struct {
		Title *struct {
			Runs []string `xml:"tx>rich>p>r>t"`
		} `xml:"chart>title"`
		Bar  []xChartGroup `xml:"chart>plotArea>barChart"`
		Line []xChartGroup `xml:"chart>plotArea>lineChart"`
		Val  []struct {
			NumFmt struct {
				Code string `xml:"formatCode,attr"`
			} `xml:"numFmt"`
		} `xml:"chart>plotArea>valAx"`
	}
)

func (in *inspector) workbook() (*grid.Workbook, error) {
	var xwb xWorkbook
	if err := in.decode("xl/workbook.xml", &xwb); err != nil {
		return nil, err
	}
	rels, err := in.rels("xl/workbook.xml")
	if err != nil {
		return nil, err
	}
	wb := grid.New()
	for _, xs := range xwb.Sheets {
		s := wb.AddSheet(xs.Name)
		switch xs.State {
		case "hidden":
			s.Visibility = grid.Hidden
		case "veryHidden":
			s.Visibility = grid.VeryHidden
		}
		part, ok := rels[xs.RID]
		if !ok {
			return nil, fmt.Errorf("sheet %q: no part for relationship %q", xs.Name, xs.RID)
		}
		if err := in.sheet(s, part); err != nil {
			return nil, fmt.Errorf("sheet %q: %w", xs.Name, err)
		}
	}
	for _, n := range in.f.GetDefinedName() {
		if n.Scope == "Workbook" {
			wb.AddName(n.Name, strings.TrimPrefix(n.RefersTo, "="))
		}
	}
	return wb, nil
}

func (in *inspector) sheet(s *grid.Sheet, part string) error {
	f, name := in.f, s.Name
	var xs xSheet
	if err := in.decode(part, &xs); err != nil {
		return err
	}
	for _, row := range xs.Rows {
		for _, xc := range row.Cells {
			at, err := grid.ParseRef(xc.R)
			if err != nil {
				return err
			}
			c, err := in.cell(name, xc.R)
			if err != nil {
				return fmt.Errorf("cell %s: %w", xc.R, err)
			}
			s.Set(at, c)
		}
	}
	for _, c := range xs.Cols {
		if c.Custom != "1" && c.Custom != "true" {
			continue
		}
		if s.ColWidths == nil {
			s.ColWidths = make(map[int]float64)
		}
		for col := c.Min; col <= c.Max && col <= grid.MaxCols; col++ {
			s.ColWidths[col] = c.Width
		}
	}
	if xs.Protection != nil && (xs.Protection.Sheet == "1" || xs.Protection.Sheet == "true") {
		s.Protection = &grid.Protection{}
	}
	merges, err := f.GetMergeCells(name, true)
	if err != nil {
		return fmt.Errorf("merges: %w", err)
	}
	for _, m := range merges {
		r, err := grid.ParseRange(m.GetStartAxis() + ":" + m.GetEndAxis())
		if err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		s.Merges = append(s.Merges, r)
	}
	dvs, err := f.GetDataValidations(name)
	if err != nil {
		return fmt.Errorf("validations: %w", err)
	}
	for _, dv := range dvs {
		v, err := gridValidation(dv)
		if err != nil {
			return fmt.Errorf("validation on %s: %w", dv.Sqref, err)
		}
		s.Validations = append(s.Validations, v)
	}
	p, err := f.GetPanes(name)
	if err != nil {
		return fmt.Errorf("panes: %w", err)
	}
	if p.Freeze && (p.XSplit > 0 || p.YSplit > 0) {
		s.Freeze = grid.Ref{Row: p.YSplit + 1, Col: p.XSplit + 1}
	}
	props, err := f.GetSheetProps(name)
	if err != nil {
		return fmt.Errorf("sheet properties: %w", err)
	}
	if props.TabColorRGB != nil {
		s.TabColor = argbToRGB(*props.TabColorRGB)
	}
	layout, err := f.GetPageLayout(name)
	if err != nil {
		return fmt.Errorf("page layout: %w", err)
	}
	s.Page.Landscape = layout.Orientation != nil && *layout.Orientation == "landscape"
	s.Page.FitToWidth = props.FitToPage != nil && *props.FitToPage && layout.FitToWidth != nil && *layout.FitToWidth == 1
	if xs.Drawing != nil {
		if err := in.charts(s, part, xs.Drawing.RID); err != nil {
			return fmt.Errorf("charts: %w", err)
		}
	}
	return nil
}

// errorCodes are the error values a formula can produce.
func isErrorCode(s string) bool {
	switch s {
	case "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!":
		return true
	}
	return false
}

func (in *inspector) cell(sheet, ref string) (grid.Cell, error) {
	f := in.f
	var c grid.Cell
	formula, err := f.GetCellFormula(sheet, ref)
	if err != nil {
		return c, err
	}
	c.Formula = formula
	typ, err := f.GetCellType(sheet, ref)
	if err != nil {
		return c, err
	}
	raw, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	if err != nil {
		return c, err
	}
	switch typ {
	case excelize.CellTypeBool:
		c.Value = grid.BoolValue(raw == "1" || strings.EqualFold(raw, "TRUE"))
	case excelize.CellTypeError:
		c.Value = grid.ErrorValue(raw)
	case excelize.CellTypeFormula: // t="str": a formula's text result
		if formula != "" && isErrorCode(raw) {
			c.Value = grid.ErrorValue(raw)
		} else {
			c.Value = grid.Str(raw)
		}
	case excelize.CellTypeInlineString, excelize.CellTypeSharedString, excelize.CellTypeDate:
		c.Value = grid.Str(raw)
	default:
		if raw != "" {
			c.Value = grid.NumText(raw)
		}
	}
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		return c, err
	}
	if id != 0 {
		st, err := in.style(id)
		if err != nil {
			return c, err
		}
		c.Style = st
	}
	return c, nil
}

// style returns the grid style of an excelize style id, one shared pointer
// per id; the default look maps to nil.
func (in *inspector) style(id int) (*grid.Style, error) {
	if st, ok := in.styles[id]; ok {
		return st, nil
	}
	xs, err := in.f.GetStyle(id)
	if err != nil {
		return nil, fmt.Errorf("style %d: %w", id, err)
	}
	st := gridStyle(xs)
	var p *grid.Style
	if st != (grid.Style{}) {
		p = &st
	}
	in.styles[id] = p
	return p, nil
}

func gridValidation(dv *excelize.DataValidation) (grid.Validation, error) {
	var v grid.Validation
	for _, sq := range strings.Fields(dv.Sqref) {
		r, err := grid.ParseRange(sq)
		if err != nil {
			return v, err
		}
		v.Ranges = append(v.Ranges, r)
	}
	v.AllowBlank = dv.AllowBlank
	var ok bool
	switch dv.Type {
	case "", "none":
		v.Type = grid.ValidateAny
	default:
		if v.Type, ok = keyOf(validationTypes, dv.Type); !ok {
			return v, fmt.Errorf("unsupported validation type %q", dv.Type)
		}
	}
	if dv.Operator == "" {
		v.Operator = grid.Between
	} else if v.Operator, ok = keyOf(validationOperators, dv.Operator); !ok {
		return v, fmt.Errorf("unsupported operator %q", dv.Operator)
	}
	f1 := dv.Formula1
	if v.Type == grid.ValidateList && len(f1) >= 2 && f1[0] == '"' && f1[len(f1)-1] == '"' {
		v.List = strings.Split(strings.ReplaceAll(f1[1:len(f1)-1], `""`, `"`), ",")
	} else {
		v.Formula1 = f1
	}
	v.Formula2 = dv.Formula2
	if dv.ShowInputMessage {
		v.InputTitle, v.InputMessage = deref(dv.PromptTitle), deref(dv.Prompt)
	}
	if dv.ShowErrorMessage {
		v.ErrorTitle, v.ErrorMessage = deref(dv.ErrorTitle), deref(dv.Error)
	}
	switch deref(dv.ErrorStyle) {
	case "warning":
		v.ErrorStyle = grid.ErrorWarning
	case "information":
		v.ErrorStyle = grid.ErrorInformation
	}
	return v, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// charts reads the charts of the drawing a sheet refers to.
func (in *inspector) charts(s *grid.Sheet, sheetPart, rid string) error {
	rels, err := in.rels(sheetPart)
	if err != nil {
		return err
	}
	drawingPart, ok := rels[rid]
	if !ok {
		return fmt.Errorf("no part for drawing relationship %q", rid)
	}
	var d xDrawing
	if err := in.decode(drawingPart, &d); err != nil {
		return err
	}
	drels, err := in.rels(drawingPart)
	if err != nil {
		return err
	}
	for _, a := range append(d.TwoCell, d.OneCell...) {
		if a.Chart == nil {
			continue
		}
		chartPart, ok := drels[a.Chart.RID]
		if !ok {
			return fmt.Errorf("no part for chart relationship %q", a.Chart.RID)
		}
		var xc xChart
		if err := in.decode(chartPart, &xc); err != nil {
			return err
		}
		c := gridChart(&xc)
		c.Anchor = grid.Ref{Row: a.From.Row + 1, Col: a.From.Col + 1}
		s.Charts = append(s.Charts, c)
	}
	return nil
}

func gridChart(xc *xChart) grid.Chart {
	var c grid.Chart
	if xc.Title != nil {
		c.Title = strings.Join(xc.Title.Runs, "")
	}
	var groups []xChartGroup
	switch {
	case len(xc.Bar) > 0:
		groups = xc.Bar
		g := xc.Bar[0]
		switch {
		case g.Grouping.Val == "stacked" || g.Grouping.Val == "percentStacked":
			c.Type = grid.ChartColumnStacked
		case g.BarDir.Val == "bar":
			c.Type = grid.ChartBar
		default:
			c.Type = grid.ChartColumn
		}
	case len(xc.Line) > 0:
		groups = xc.Line
		c.Type = grid.ChartLine
	}
	for _, g := range groups {
		for _, xs := range g.Series {
			sr := grid.Series{Name: xs.Tx.V, Values: xs.Val.F, Categories: xs.Cat.StrF}
			if xs.Tx.F != "" {
				sr.Name = xs.Tx.F
			}
			if sr.Categories == "" {
				sr.Categories = xs.Cat.NumF
			}
			if xs.SpPr.NoFill != nil {
				sr.Transparent = true
			} else if xs.SpPr.SolidFill != nil {
				sr.Color = argbToRGB(xs.SpPr.SolidFill.RGB.Val)
			} else if xs.SpPr.LineFill != nil {
				sr.Color = argbToRGB(xs.SpPr.LineFill.RGB.Val)
			}
			c.Series = append(c.Series, sr)
		}
	}
	if len(xc.Val) > 0 && xc.Val[0].NumFmt.Code != "General" {
		c.YAxisNumFmt = xc.Val[0].NumFmt.Code
	}
	return c
}

// rels returns the relationships of a part, id to the target part name.
func (in *inspector) rels(part string) (map[string]string, error) {
	dir, base := path.Split(part)
	var xr xRels
	if err := in.decode(dir+"_rels/"+base+".rels", &xr); err != nil {
		return nil, err
	}
	m := make(map[string]string, len(xr.Rels))
	for _, r := range xr.Rels {
		if r.Mode == "External" {
			continue
		}
		if strings.HasPrefix(r.Target, "/") {
			m[r.ID] = strings.TrimPrefix(r.Target, "/")
		} else {
			m[r.ID] = path.Join(dir, r.Target)
		}
	}
	return m, nil
}

func (in *inspector) decode(part string, v any) error {
	zf, err := in.pkg.Open(part)
	if err != nil {
		return fmt.Errorf("open part %s: %w", part, err)
	}
	defer func() { _ = zf.Close() }()
	if err := xml.NewDecoder(io.Reader(zf)).Decode(v); err != nil {
		return fmt.Errorf("parse part %s: %w", part, err)
	}
	return nil
}
