package excel

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"aop/engine/grid"
)

// Limits of the .xlsx format that excelize does not check or silently
// truncates; the driver refuses such grids instead.
const (
	maxCellChars       = 32767 // characters in a cell
	maxInlineListChars = 255   // characters of an inline validation list
	maxValidationTitle = 32    // characters of a validation title
	maxValidationText  = 255   // characters of a validation message
	defaultChartWidth  = 480   // pixels
	defaultChartHeight = 290   // pixels
)

// writeTo builds wb with excelize and writes the package to out.
func (w *Writer) writeTo(out io.Writer, wb *grid.Workbook) error {
	b := &builder{w: w, wb: wb, f: excelize.NewFile(), styles: make(map[grid.Style]int), edits: make(map[string]partEdit)}
	defer func() { _ = b.f.Close() }()
	if err := b.build(); err != nil {
		return err
	}
	b.f.SetZipWriter(func(w io.Writer) excelize.ZipWriter {
		var chartEdit func(string) partEdit
		if b.literalNames {
			chartEdit = chartNameEdit
		}
		return newZipRewriter(w, &b.w.flaters, b.edits, chartEdit)
	})
	if _, err := b.f.WriteTo(out); err != nil {
		return fmt.Errorf("excel: write workbook: %w", err)
	}
	return nil
}

// builder maps one grid workbook onto an excelize file.
type builder struct {
	w      *Writer
	wb     *grid.Workbook
	f      *excelize.File
	styles map[grid.Style]int
	// edits are the parts to rewrite while saving, by part name.
	edits map[string]partEdit
	// literalNames is set when a chart series has a literal name, which the
	// chart parts must be rewritten for.
	literalNames bool
}

func (b *builder) build() error {
	wb := b.wb
	if wb == nil || len(wb.Sheets) == 0 {
		return fmt.Errorf("excel: workbook has no sheets")
	}
	seen := make(map[string]bool)
	active := -1
	for i, s := range wb.Sheets {
		key := strings.ToLower(s.Name)
		if seen[key] {
			return fmt.Errorf("excel: duplicate sheet name %q", s.Name)
		}
		seen[key] = true
		if active < 0 && s.Visibility == grid.Visible {
			active = i
		}
	}
	if active < 0 {
		return fmt.Errorf("excel: workbook has no visible sheet")
	}
	for i, s := range wb.Sheets {
		var err error
		if i == 0 {
			err = b.f.SetSheetName(b.f.GetSheetName(0), s.Name)
		} else {
			_, err = b.f.NewSheet(s.Name)
		}
		if err != nil {
			return fmt.Errorf("excel: sheet %q: %w", s.Name, err)
		}
	}
	// The active sheet must be visible, and excelize refuses to hide the
	// selected tab: activate first, then hide.
	b.f.SetActiveSheet(active)
	for _, s := range wb.Sheets {
		if s.Visibility == grid.Visible {
			continue
		}
		if err := b.f.SetSheetVisible(s.Name, false, s.Visibility == grid.VeryHidden); err != nil {
			return fmt.Errorf("excel: hide sheet %q: %w", s.Name, err)
		}
	}
	for _, n := range wb.Names {
		refersTo := strings.TrimPrefix(n.RefersTo, "=")
		if err := b.f.SetDefinedName(&excelize.DefinedName{Name: n.Name, RefersTo: refersTo}); err != nil {
			return fmt.Errorf("excel: defined name %q: %w", n.Name, err)
		}
	}
	for i, s := range wb.Sheets {
		// NewFile's first sheet and every NewSheet get sheet<N>.xml with N
		// the 1-based position; the zip rewriter fails if that ever changes.
		if err := b.sheet(s, fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1)); err != nil {
			return fmt.Errorf("excel: sheet %q: %w", s.Name, err)
		}
	}
	return nil
}

// sheet writes everything of one sheet. Excelize's stream writer keeps the
// worksheet settings made before it starts (protection, validations,
// drawings, panes, column widths), so those go first and the cells last.
func (b *builder) sheet(s *grid.Sheet, part string) error {
	f, name := b.f, s.Name
	if s.TabColor != "" {
		c, err := rgb(s.TabColor)
		if err != nil {
			return fmt.Errorf("tab colour: %w", err)
		}
		argb := "FF" + c
		if err := f.SetSheetProps(name, &excelize.SheetPropsOptions{TabColorRGB: &argb}); err != nil {
			return fmt.Errorf("tab colour: %w", err)
		}
	}
	if err := pageSetup(f, name, s.Page); err != nil {
		return err
	}
	cols := make([]int, 0, len(s.ColWidths))
	for c := range s.ColWidths {
		cols = append(cols, c)
	}
	// Excelize prepends each new column to <cols>, which must be ascending:
	// set the widths from the last column to the first.
	sort.Sort(sort.Reverse(sort.IntSlice(cols)))
	for _, c := range cols {
		if c < 1 || c > grid.MaxCols {
			return fmt.Errorf("column width: column %d out of range", c)
		}
		col := grid.ColName(c)
		if err := f.SetColWidth(name, col, col, s.ColWidths[c]); err != nil {
			return fmt.Errorf("column %s width: %w", col, err)
		}
	}
	if !s.Freeze.IsZero() && (s.Freeze.Row > 1 || s.Freeze.Col > 1) {
		if err := f.SetPanes(name, panes(s.Freeze)); err != nil {
			return fmt.Errorf("freeze panes at %s: %w", s.Freeze, err)
		}
	}
	if s.Protection != nil {
		if err := f.ProtectSheet(name, protectionOptions()); err != nil {
			return fmt.Errorf("protect: %w", err)
		}
		if s.Protection.Password != "" {
			h, err := b.w.passwordHash(s.Protection.Password)
			if err != nil {
				return err
			}
			b.edits[part] = insertProtectionHash(h.attrs())
		}
	}
	for i, v := range s.Validations {
		dv, err := validation(v)
		if err != nil {
			return fmt.Errorf("validation %d: %w", i+1, err)
		}
		if err := f.AddDataValidation(name, dv); err != nil {
			return fmt.Errorf("validation %d on %s: %w", i+1, dv.Sqref, err)
		}
	}
	for i, c := range s.Charts {
		ch, err := b.chart(c)
		if err != nil {
			return fmt.Errorf("chart %d: %w", i+1, err)
		}
		if err := f.AddChart(name, c.Anchor.String(), ch); err != nil {
			return fmt.Errorf("chart %d at %s: %w", i+1, c.Anchor, err)
		}
	}
	// The stream writer copies the dimension when it starts and never
	// updates it; apps use it as a hint of the used range.
	if dim, ok := s.Dimension(); ok {
		if err := f.SetSheetDimension(name, grid.Range{From: grid.R(1, 1), To: dim.To}.String()); err != nil {
			return fmt.Errorf("dimension: %w", err)
		}
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	if err := b.cells(s, sw); err != nil {
		return err
	}
	for _, m := range s.Merges {
		if err := sw.MergeCell(m.From.String(), m.To.String()); err != nil {
			return fmt.Errorf("merge %s: %w", m, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("flush: %w", err)
	}
	return nil
}

// cells streams the cells row by row. A formula cell carries its cached
// value: the stream writer writes <f> and <v> together, with the value's
// type (number, str, b), which the plain SetCellFormula cannot.
func (b *builder) cells(s *grid.Sheet, sw *excelize.StreamWriter) error {
	dim, ok := s.Dimension()
	if !ok {
		return nil
	}
	width := dim.To.Col - dim.From.Col + 1
	// A dense sheet (the usual plan block) is scanned by position, which is
	// cheaper than sorting its references; a sparse one goes by Refs.
	var refs []grid.Ref
	if area := (dim.To.Row - dim.From.Row + 1) * width; area > 4*s.Len() {
		refs = s.Refs()
	}
	row := make([]any, 0, width)
	next := 0
	for r := dim.From.Row; r <= dim.To.Row; r++ {
		row = row[:0]
		first := 0
		put := func(at grid.Ref) error {
			c, err := b.cell(s.Cell(at))
			if err != nil {
				return fmt.Errorf("cell %s: %w", at, err)
			}
			if first == 0 {
				first = at.Col
			}
			for len(row) < at.Col-first {
				row = append(row, nil)
			}
			row = append(row, c)
			return nil
		}
		if refs == nil {
			for col := dim.From.Col; col <= dim.To.Col; col++ {
				at := grid.Ref{Row: r, Col: col}
				if s.Cell(at).IsZero() {
					continue
				}
				if err := put(at); err != nil {
					return err
				}
			}
		} else {
			if next < len(refs) && refs[next].Row > r {
				r = refs[next].Row - 1 // skip empty rows
				continue
			}
			for ; next < len(refs) && refs[next].Row == r; next++ {
				if err := put(refs[next]); err != nil {
					return err
				}
			}
		}
		if first == 0 {
			continue
		}
		if err := sw.SetRow(grid.Ref{Row: r, Col: first}.String(), row); err != nil {
			return fmt.Errorf("row %d: %w", r, err)
		}
	}
	return nil
}

func (b *builder) cell(c grid.Cell) (excelize.Cell, error) {
	var out excelize.Cell
	style, err := b.style(c.Style)
	if err != nil {
		return out, err
	}
	out.StyleID = style
	out.Formula = strings.TrimPrefix(c.Formula, "=")
	switch c.Value.Kind {
	case grid.Empty:
	case grid.Number:
		// The stream writer stores the shortest text of the float64, cut to
		// Excel's 15 significant digits; money amounts and other values of
		// up to 15 digits read back exactly.
		f, ok := c.Value.Float64()
		if !ok {
			return out, fmt.Errorf("malformed number %q", c.Value.Text)
		}
		out.Value = f
	case grid.String, grid.Error:
		// Error values are written as text: the stream writer has no error
		// type. A formula's cached error reads back as an error.
		if n := utf16Len(c.Value.Text); n > maxCellChars {
			return out, fmt.Errorf("text of %d characters exceeds %d", n, maxCellChars)
		}
		out.Value = c.Value.Text
	case grid.Bool:
		out.Value = c.Value.Bool()
	default:
		return out, fmt.Errorf("unknown value kind %d", c.Value.Kind)
	}
	return out, nil
}

// panes freezes the rows above and the columns left of at.
// pageSetup applies a sheet's print layout.
func pageSetup(f *excelize.File, name string, p grid.PageSetup) error {
	if p == (grid.PageSetup{}) {
		return nil
	}
	opts := &excelize.PageLayoutOptions{}
	if p.Landscape {
		o := "landscape"
		opts.Orientation = &o
	}
	if p.FitToWidth {
		one, any := 1, 0
		opts.FitToWidth, opts.FitToHeight = &one, &any
		fit := true
		if err := f.SetSheetProps(name, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
			return fmt.Errorf("fit to page: %w", err)
		}
	}
	if err := f.SetPageLayout(name, opts); err != nil {
		return fmt.Errorf("page layout: %w", err)
	}
	return nil
}

func panes(at grid.Ref) *excelize.Panes {
	p := &excelize.Panes{Freeze: true, XSplit: max(at.Col-1, 0), YSplit: max(at.Row-1, 0), TopLeftCell: at.String()}
	switch {
	case p.XSplit > 0 && p.YSplit > 0:
		p.ActivePane = "bottomRight"
	case p.YSplit > 0:
		p.ActivePane = "bottomLeft"
	default:
		p.ActivePane = "topRight"
	}
	p.Selection = []excelize.Selection{{SQRef: at.String(), ActiveCell: at.String(), Pane: p.ActivePane}}
	return p
}

// validationTypes and validationOperators name the grid's validation
// kinds as SpreadsheetML writes them; the writer and Inspect share them.
var (
	validationTypes = map[grid.ValidationType]string{
		grid.ValidateList: "list", grid.ValidateDecimal: "decimal", grid.ValidateWhole: "whole",
		grid.ValidateDate: "date", grid.ValidateTextLength: "textLength",
	}
	validationOperators = map[grid.Operator]string{
		grid.Between: "between", grid.NotBetween: "notBetween", grid.Equal: "equal", grid.NotEqual: "notEqual",
		grid.GreaterThan: "greaterThan", grid.LessThan: "lessThan",
		grid.GreaterOrEqual: "greaterThanOrEqual", grid.LessOrEqual: "lessThanOrEqual",
	}
)

func validationType(t grid.ValidationType) (string, bool) {
	name, ok := validationTypes[t]
	return name, ok
}

func validationOperator(op grid.Operator) (string, bool) {
	name, ok := validationOperators[op]
	return name, ok
}

// keyOf returns the key m maps to name.
func keyOf[K comparable](m map[K]string, name string) (K, bool) {
	for k, n := range m {
		if n == name {
			return k, true
		}
	}
	var zero K
	return zero, false
}

func errorStyle(s grid.ErrorStyle) (excelize.DataValidationErrorStyle, bool) {
	switch s {
	case grid.ErrorStop:
		return excelize.DataValidationErrorStyleStop, true
	case grid.ErrorWarning:
		return excelize.DataValidationErrorStyleWarning, true
	case grid.ErrorInformation:
		return excelize.DataValidationErrorStyleInformation, true
	}
	return 0, false
}

// validation maps a grid rule to excelize. Excel only refuses a value when
// the rule shows its error alert, so every typed rule shows it.
func validation(v grid.Validation) (*excelize.DataValidation, error) {
	if len(v.Ranges) == 0 {
		return nil, fmt.Errorf("no ranges")
	}
	dv := excelize.NewDataValidation(v.AllowBlank)
	for _, r := range v.Ranges {
		dv.SetSqref(r.String())
	}
	switch v.Type {
	case grid.ValidateAny:
	case grid.ValidateList:
		dv.Type = "list"
		if len(v.List) > 0 {
			for _, item := range v.List {
				if strings.Contains(item, ",") {
					return nil, fmt.Errorf("inline list item %q contains a comma; put the list on a sheet", item)
				}
			}
			joined := strings.Join(v.List, ",")
			if n := utf16Len(joined); n > maxInlineListChars {
				return nil, fmt.Errorf("inline list of %d characters exceeds %d; put the list on a sheet", n, maxInlineListChars)
			}
			dv.Formula1 = `"` + xmlText(strings.ReplaceAll(joined, `"`, `""`)) + `"`
		} else {
			src := strings.TrimPrefix(v.Formula1, "=")
			if src == "" {
				return nil, fmt.Errorf("list has neither items nor a source")
			}
			dv.Formula1 = xmlText(src)
		}
	default:
		t, ok := validationType(v.Type)
		if !ok {
			return nil, fmt.Errorf("unknown validation type %d", v.Type)
		}
		op, ok := validationOperator(v.Operator)
		if !ok {
			return nil, fmt.Errorf("unknown operator %d", v.Operator)
		}
		dv.Type, dv.Operator = t, op
		dv.Formula1 = xmlText(strings.TrimPrefix(v.Formula1, "="))
		dv.Formula2 = xmlText(strings.TrimPrefix(v.Formula2, "="))
		twoBounds := v.Operator == grid.Between || v.Operator == grid.NotBetween
		switch {
		case dv.Formula1 == "":
			return nil, fmt.Errorf("%s %s needs Formula1", t, op)
		case twoBounds && dv.Formula2 == "":
			return nil, fmt.Errorf("%s %s needs Formula2", t, op)
		case !twoBounds && dv.Formula2 != "":
			return nil, fmt.Errorf("%s %s takes no Formula2", t, op)
		}
	}
	for _, t := range []struct {
		what, s string
		max     int
	}{
		{"input title", v.InputTitle, maxValidationTitle},
		{"input message", v.InputMessage, maxValidationText},
		{"error title", v.ErrorTitle, maxValidationTitle},
		{"error message", v.ErrorMessage, maxValidationText},
	} {
		if n := utf16Len(t.s); n > t.max {
			return nil, fmt.Errorf("%s of %d characters exceeds %d", t.what, n, t.max)
		}
	}
	if v.InputTitle != "" || v.InputMessage != "" {
		dv.SetInput(v.InputTitle, v.InputMessage)
	}
	if v.Type != grid.ValidateAny {
		style, ok := errorStyle(v.ErrorStyle)
		if !ok {
			return nil, fmt.Errorf("unknown error style %d", v.ErrorStyle)
		}
		dv.SetError(style, v.ErrorTitle, v.ErrorMessage)
		if v.ErrorTitle == "" {
			dv.ErrorTitle = nil
		}
		if v.ErrorMessage == "" {
			dv.Error = nil
		}
	}
	return dv, nil
}

func chartType(t grid.ChartType) (excelize.ChartType, bool) {
	switch t {
	case grid.ChartColumn:
		return excelize.Col, true
	case grid.ChartColumnStacked:
		return excelize.ColStacked, true
	case grid.ChartBar:
		return excelize.Bar, true
	case grid.ChartLine:
		return excelize.Line, true
	}
	return 0, false
}

// chart maps a grid chart to excelize. A series name that is not a
// sheet-qualified reference is a literal; excelize writes every name as a
// reference, so the chart part is rewritten while saving (chartNameEdit).
func (b *builder) chart(c grid.Chart) (*excelize.Chart, error) {
	t, ok := chartType(c.Type)
	if !ok {
		return nil, fmt.Errorf("unknown chart type %d", c.Type)
	}
	if c.Anchor.IsZero() {
		return nil, fmt.Errorf("no anchor cell")
	}
	if len(c.Series) == 0 {
		return nil, fmt.Errorf("no series")
	}
	no := false
	ch := &excelize.Chart{
		Type:       t,
		VaryColors: &no,
		Dimension:  excelize.ChartDimension{Width: uint(defaultChartWidth), Height: uint(defaultChartHeight)},
		Legend:     excelize.ChartLegend{Position: "bottom"},
	}
	if c.Width > 0 {
		ch.Dimension.Width = uint(c.Width)
	}
	if c.Height > 0 {
		ch.Dimension.Height = uint(c.Height)
	}
	if c.Title != "" {
		ch.Title.Paragraph = []excelize.RichTextRun{{Text: c.Title}}
	}
	if c.YAxisNumFmt != "" {
		ch.YAxis.NumFmt = excelize.ChartNumFmt{CustomNumFmt: c.YAxisNumFmt}
	}
	for i, s := range c.Series {
		if s.Values == "" {
			return nil, fmt.Errorf("series %d has no values", i+1)
		}
		cs := excelize.ChartSeries{Name: s.Name, Categories: s.Categories, Values: s.Values}
		if !isReference(s.Name) {
			b.literalNames = true
		}
		switch {
		case s.Transparent:
			cs.Fill = excelize.Fill{Type: "pattern", Pattern: 0}
		case s.Color != "":
			col, err := rgb(s.Color)
			if err != nil {
				return nil, fmt.Errorf("series %d colour: %w", i+1, err)
			}
			cs.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{col}}
		}
		ch.Series = append(ch.Series, cs)
	}
	return ch, nil
}

// isReference reports whether a chart series name refers to a cell rather
// than being the name itself.
func isReference(name string) bool {
	_, _, err := grid.SplitSheetRef(name)
	return err == nil
}

// rgb normalises a colour to upper-case "RRGGBB".
func rgb(s string) (string, error) {
	s = strings.TrimPrefix(s, "#")
	if len(s) != 6 {
		return "", fmt.Errorf("colour %q is not RRGGBB", s)
	}
	if _, err := strconv.ParseUint(s, 16, 32); err != nil {
		return "", fmt.Errorf("colour %q is not RRGGBB", s)
	}
	return strings.ToUpper(s), nil
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// xmlText escapes text for excelize fields that it writes as raw inner XML.
func xmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
