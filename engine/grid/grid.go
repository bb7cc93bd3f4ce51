// Package grid is the neutral workbook model shared by the templates and the
// spreadsheet drivers (excel, sheets). A Workbook holds what a person sees in
// a spreadsheet app: sheets of cells with values, formulas, number formats and
// styles, merged ranges, column widths, data validation, cell locking, sheet
// protection, hidden sheets, workbook-level defined names and charts.
//
// Drivers only move grids; they know nothing of budgets. The templates are the
// only code that knows where a number sits on a sheet.
package grid

// Visibility says whether a sheet's tab is shown.
type Visibility uint8

const (
	// Visible sheets show a tab.
	Visible Visibility = iota
	// Hidden sheets can be unhidden from the app's menu.
	Hidden
	// VeryHidden sheets can only be unhidden by code (Excel); apps that do
	// not know the state, such as LibreOffice, save them back as Hidden.
	VeryHidden
)

func (v Visibility) String() string {
	switch v {
	case Hidden:
		return "hidden"
	case VeryHidden:
		return "veryHidden"
	default:
		return "visible"
	}
}

// Workbook is an ordered set of sheets plus workbook-level defined names.
type Workbook struct {
	Sheets []*Sheet
	// Names are workbook-scoped defined names, in the order they were added.
	Names []DefinedName
	// Date1904 records the 1904 date system of a file that was read; serial
	// numbers in its cells count days from 1904-01-01. Written workbooks use
	// the 1900 system.
	Date1904 bool
}

// New returns an empty workbook.
func New() *Workbook { return &Workbook{} }

// AddSheet appends a new empty sheet and returns it. Sheet names must be
// unique (compared without regard to case, as spreadsheet apps do).
func (w *Workbook) AddSheet(name string) *Sheet {
	s := &Sheet{Name: name}
	w.Sheets = append(w.Sheets, s)
	return s
}

// Sheet returns the sheet with the given name, or nil.
func (w *Workbook) Sheet(name string) *Sheet {
	for _, s := range w.Sheets {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// AddName adds a workbook-scoped defined name, e.g. AddName("Plan_Amounts",
// "'Plan'!$F$6:$Q$205").
func (w *Workbook) AddName(name, refersTo string) {
	w.Names = append(w.Names, DefinedName{Name: name, RefersTo: refersTo})
}

// Name returns the defined name with the given name (case-insensitive, as in
// spreadsheet apps) and whether it exists.
func (w *Workbook) Name(name string) (DefinedName, bool) {
	for _, n := range w.Names {
		if equalFold(n.Name, name) {
			return n, true
		}
	}
	return DefinedName{}, false
}

// DefinedName is a workbook-scoped name for a range or a constant.
type DefinedName struct {
	Name string
	// RefersTo is the formula the name stands for, without a leading "=",
	// e.g. "'Plan'!$F$6:$Q$205".
	RefersTo string
}

// Sheet is one worksheet. Cells are stored sparsely.
type Sheet struct {
	Name       string
	Visibility Visibility
	// Protection, when not nil, protects the sheet: locked cells cannot be
	// edited in the app. Input cells carry a Style with Unlocked set.
	Protection *Protection
	// Merges are merged ranges; the value sits in the top-left cell.
	Merges []Range
	// ColWidths maps a 1-based column number to its width in characters.
	ColWidths map[int]float64
	// Validations are the data validation rules of the sheet.
	Validations []Validation
	// Charts are drawn over the sheet.
	Charts []Chart
	// Freeze, when not zero, is the top-left cell of the scrolling pane:
	// rows above and columns left of it stay in view.
	Freeze Ref
	// TabColor is the tab's colour as "RRGGBB", or empty.
	TabColor string
	// Page says how the sheet prints and converts to PDF.
	Page PageSetup

	cells cells
}

// PageSetup is how a sheet is laid out on paper (and in a PDF export).
type PageSetup struct {
	Landscape bool
	// FitToWidth scales the sheet to one page wide, as many pages tall as
	// it needs: wide month tables stay readable instead of breaking across
	// pages.
	FitToWidth bool
}

// Protection protects a sheet from edits of its locked cells.
type Protection struct {
	// Password, when not empty, is required to unprotect the sheet. It is
	// stored as a salted SHA-512 hash. Sheet protection prevents accidents;
	// it is not security.
	Password string
}

// SetValue stores a value in a cell, keeping the cell's style.
func (s *Sheet) SetValue(at Ref, v Value) {
	c := s.Cell(at)
	c.Value = v
	c.Formula = ""
	s.Set(at, c)
}

// SetFormula stores a formula (without a leading "=") and its computed
// value in a cell, keeping the cell's style. The value is what apps show
// before they recalculate.
func (s *Sheet) SetFormula(at Ref, formula string, computed Value) {
	c := s.Cell(at)
	c.Formula = formula
	c.Value = computed
	s.Set(at, c)
}

// SetStyle sets the style of a cell, keeping its value.
func (s *Sheet) SetStyle(at Ref, st *Style) {
	c := s.Cell(at)
	c.Style = st
	s.Set(at, c)
}

// StyleRange sets the style of every cell in r.
func (s *Sheet) StyleRange(r Range, st *Style) {
	for row := r.From.Row; row <= r.To.Row; row++ {
		for col := r.From.Col; col <= r.To.Col; col++ {
			s.SetStyle(Ref{Row: row, Col: col}, st)
		}
	}
}

// Cell is one spreadsheet cell. The zero Cell is empty, locked and unstyled.
type Cell struct {
	Value Value
	// Formula is the cell's formula without the leading "=", or empty. Value
	// then holds the formula's computed (cached) result.
	Formula string
	// Style is the cell's look and lock state; nil is the default style:
	// locked, General number format.
	Style *Style
}

// IsZero reports whether the cell holds nothing at all.
func (c Cell) IsZero() bool { return c.Value.Kind == Empty && c.Formula == "" && c.Style == nil }

// Style is how a cell looks and whether it is locked. The zero Style is the
// default of every spreadsheet app: locked, General format, no fill. Styles
// are compared by value, so templates may share one *Style among cells.
type Style struct {
	// NumFmt is an Excel number format code such as "#,##0.00" or "0.0%";
	// empty is General.
	NumFmt string
	Bold   bool
	Italic bool
	// FontColor and Fill are colours as "RRGGBB"; empty is the app default.
	FontColor string
	Fill      string
	HAlign    Align
	Wrap      bool
	// Border draws a thin border around the cell.
	Border bool
	// Unlocked marks an input cell that stays editable on a protected sheet.
	Unlocked bool
}

// Align is a cell's horizontal alignment.
type Align uint8

const (
	AlignDefault Align = iota
	AlignLeft
	AlignCenter
	AlignRight
)

// Range is a rectangular block of cells, From top-left to To bottom-right.
type Range struct {
	From, To Ref
}

// Contains reports whether r holds the cell at.
func (r Range) Contains(at Ref) bool {
	return at.Row >= r.From.Row && at.Row <= r.To.Row && at.Col >= r.From.Col && at.Col <= r.To.Col
}

// String formats the range in A1 notation ("B2:D9", or "B2" for one cell).
func (r Range) String() string {
	if r.From == r.To {
		return r.From.String()
	}
	return r.From.String() + ":" + r.To.String()
}

// Absolute formats the range with absolute references ("$B$2:$D$9").
func (r Range) Absolute() string {
	if r.From == r.To {
		return r.From.Absolute()
	}
	return r.From.Absolute() + ":" + r.To.Absolute()
}

// On returns the range qualified by a sheet name with absolute references,
// quoting the sheet name as formulas need: 'Plan'!$B$2:$D$9.
func (r Range) On(sheet string) string { return QuoteSheet(sheet) + "!" + r.Absolute() }

// Rect returns the range from (row1, col1) to (row2, col2), 1-based.
func Rect(row1, col1, row2, col2 int) Range {
	return Range{From: Ref{Row: row1, Col: col1}, To: Ref{Row: row2, Col: col2}}
}

// Validation is a data validation rule on one or more ranges.
type Validation struct {
	Ranges []Range
	Type   ValidationType
	// Operator applies to Decimal, Whole, Date and TextLength rules.
	Operator Operator
	// Formula1 and Formula2 are the bounds (numbers or formulas, without
	// "="). For a List rule, Formula1 may be a range or defined name that
	// holds the choices; otherwise List holds them inline.
	Formula1, Formula2 string
	List               []string
	AllowBlank         bool
	// InputTitle and InputMessage are shown when the cell is selected.
	InputTitle, InputMessage string
	// ErrorTitle and ErrorMessage are shown when a value is refused.
	ErrorTitle, ErrorMessage string
	ErrorStyle               ErrorStyle
}

// ValidationType is the kind of value a validation accepts.
type ValidationType uint8

const (
	ValidateAny ValidationType = iota
	ValidateList
	ValidateDecimal
	ValidateWhole
	ValidateDate
	ValidateTextLength
)

// Operator compares a value with a validation's bounds.
type Operator uint8

const (
	Between Operator = iota
	NotBetween
	Equal
	NotEqual
	GreaterThan
	LessThan
	GreaterOrEqual
	LessOrEqual
)

// ErrorStyle says whether a refused value is blocked (Stop) or only warned
// about.
type ErrorStyle uint8

const (
	ErrorStop ErrorStyle = iota
	ErrorWarning
	ErrorInformation
)

// Chart is a chart drawn over a sheet.
type Chart struct {
	Type  ChartType
	Title string
	// Anchor is the cell under the chart's top-left corner.
	Anchor Ref
	// Width and Height are in pixels; zero takes the driver's default.
	Width, Height int
	Series        []Series
	// YAxisNumFmt formats the value axis.
	YAxisNumFmt string
}

// ChartType is the kind of chart.
type ChartType uint8

const (
	ChartColumn ChartType = iota
	// ChartColumnStacked stacks series; with a transparent first series it
	// draws a waterfall.
	ChartColumnStacked
	ChartBar
	ChartLine
)

// Series is one data series of a chart; Categories and Values are
// sheet-qualified ranges such as "'Summary'!$B$2:$B$9".
type Series struct {
	Name       string
	Categories string
	Values     string
	// Color is the fill as "RRGGBB"; Transparent draws no fill at all (the
	// invisible base of a waterfall).
	Color       string
	Transparent bool
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
