package gridtest

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"aop/engine/grid"
)

// Diff compares a workbook read back from a driver with the one that was
// rendered and returns one line per difference, each naming the sheet and
// cell or feature with what was wanted and what was got. caps relaxes the
// comparison for what the driver cannot keep. Formulas compare as text;
// numbers by value ("1.50" equals "1.5"); colours without regard to case.
func Diff(want, got *grid.Workbook, caps Capabilities) []string {
	d := differ{caps: caps, want: want}
	d.workbook(want, got)
	return d.out
}

type differ struct {
	caps Capabilities
	want *grid.Workbook
	out  []string
}

func (d *differ) add(format string, args ...any) {
	d.out = append(d.out, fmt.Sprintf(format, args...))
}

func (d *differ) workbook(want, got *grid.Workbook) {
	wantNames, gotNames := sheetNames(want), sheetNames(got)
	if strings.Join(wantNames, "\x00") != strings.Join(gotNames, "\x00") {
		d.add("sheets: want %q, got %q", wantNames, gotNames)
	}
	for _, ws := range want.Sheets {
		gs := got.Sheet(ws.Name)
		if gs == nil {
			continue
		}
		d.sheet(ws, gs)
	}
	d.names(want, got)
}

func sheetNames(wb *grid.Workbook) []string {
	names := make([]string, len(wb.Sheets))
	for i, s := range wb.Sheets {
		names[i] = s.Name
	}
	return names
}

func (d *differ) sheet(want, got *grid.Sheet) {
	where := fmt.Sprintf("sheet %q", want.Name)
	wantVis := want.Visibility
	if d.caps.VeryHiddenAsHidden && wantVis == grid.VeryHidden {
		wantVis = grid.Hidden
	}
	if wantVis != got.Visibility {
		d.add("%s: visibility: want %s, got %s", where, wantVis, got.Visibility)
	}
	if (want.Protection != nil) != (got.Protection != nil) {
		d.add("%s: protected: want %t, got %t", where, want.Protection != nil, got.Protection != nil)
	}
	if want.Page != got.Page {
		d.add("%s: page setup: want %+v, got %+v", where, want.Page, got.Page)
	}
	if !strings.EqualFold(want.TabColor, got.TabColor) {
		d.add("%s: tab colour: want %q, got %q", where, want.TabColor, got.TabColor)
	}
	if normFreeze(want.Freeze) != normFreeze(got.Freeze) {
		d.add("%s: freeze: want %s, got %s", where, refOrNone(normFreeze(want.Freeze)), refOrNone(normFreeze(got.Freeze)))
	}
	d.cells(where, want, got)
	d.merges(where, want, got)
	d.widths(where, want, got)
	d.validations(where, want, got)
	if !d.caps.NoCharts {
		d.charts(where, want, got)
	}
}

// normFreeze maps the no-op freeze at A1 to none.
func normFreeze(r grid.Ref) grid.Ref {
	if r.Row <= 1 && r.Col <= 1 {
		return grid.Ref{}
	}
	return grid.Ref{Row: max(r.Row, 1), Col: max(r.Col, 1)}
}

func refOrNone(r grid.Ref) string {
	if r.IsZero() {
		return "none"
	}
	return r.String()
}

func (d *differ) cells(where string, want, got *grid.Sheet) {
	seen := make(map[grid.Ref]bool)
	refs := want.Refs()
	for _, r := range got.Refs() {
		if want.Cell(r).IsZero() {
			refs = append(refs, r)
		}
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].Less(refs[j]) })
	for _, r := range refs {
		if seen[r] {
			continue
		}
		seen[r] = true
		wc, gc := want.Cell(r), got.Cell(r)
		at := fmt.Sprintf("%s cell %s", where, r)
		if !wc.Value.Equal(gc.Value) {
			d.add("%s: value: want %s, got %s", at, showValue(wc.Value), showValue(gc.Value))
		}
		if wf, gf := strings.TrimPrefix(wc.Formula, "="), strings.TrimPrefix(gc.Formula, "="); wf != gf {
			d.add("%s: formula: want %q, got %q", at, wf, gf)
		}
		ws, gs := styleOf(wc), styleOf(gc)
		if d.caps.LockOnlyWhenProtected && want.Protection == nil {
			ws.Unlocked, gs.Unlocked = false, false
		}
		d.style(at, ws, gs)
	}
}

func showValue(v grid.Value) string {
	if v.Kind == grid.Empty {
		return "empty"
	}
	return fmt.Sprintf("%s %q", v.Kind, v.Text)
}

func styleOf(c grid.Cell) grid.Style {
	if c.Style == nil {
		return grid.Style{}
	}
	return *c.Style
}

func (d *differ) style(at string, want, got grid.Style) {
	check := func(what string, w, g any) {
		if w != g {
			d.add("%s: %s: want %v, got %v", at, what, w, g)
		}
	}
	check("number format", fmt.Sprintf("%q", want.NumFmt), fmt.Sprintf("%q", got.NumFmt))
	check("bold", want.Bold, got.Bold)
	check("italic", want.Italic, got.Italic)
	check("font colour", fmt.Sprintf("%q", strings.ToUpper(want.FontColor)), fmt.Sprintf("%q", strings.ToUpper(got.FontColor)))
	check("fill", fmt.Sprintf("%q", strings.ToUpper(want.Fill)), fmt.Sprintf("%q", strings.ToUpper(got.Fill)))
	check("alignment", want.HAlign, got.HAlign)
	check("wrap", want.Wrap, got.Wrap)
	check("border", want.Border, got.Border)
	check("unlocked", want.Unlocked, got.Unlocked)
}

func (d *differ) merges(where string, want, got *grid.Sheet) {
	w, g := rangeSet(want.Merges), rangeSet(got.Merges)
	for _, r := range sortedKeys(w) {
		if !g[r] {
			d.add("%s: merge %s: missing", where, r)
		}
	}
	for _, r := range sortedKeys(g) {
		if !w[r] {
			d.add("%s: merge %s: not wanted", where, r)
		}
	}
}

func rangeSet(rs []grid.Range) map[string]bool {
	m := make(map[string]bool, len(rs))
	for _, r := range rs {
		m[r.String()] = true
	}
	return m
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (d *differ) widths(where string, want, got *grid.Sheet) {
	tol := d.caps.ColWidthTolerance
	if tol <= 0 {
		tol = 0.01
	}
	cols := make([]int, 0, len(want.ColWidths))
	for c := range want.ColWidths {
		cols = append(cols, c)
	}
	sort.Ints(cols)
	for _, c := range cols {
		w := want.ColWidths[c]
		g, ok := got.ColWidths[c]
		switch {
		case !ok:
			d.add("%s: column %s width: want %g, got none", where, grid.ColName(c), w)
		case math.Abs(w-g) > tol:
			d.add("%s: column %s width: want %g, got %g (tolerance %g)", where, grid.ColName(c), w, g, tol)
		}
	}
}

// validationKey identifies a rule by the cells it covers.
func validationKey(v grid.Validation) string {
	rs := make([]string, len(v.Ranges))
	for i, r := range v.Ranges {
		rs[i] = r.String()
	}
	sort.Strings(rs)
	return strings.Join(rs, " ")
}

func (d *differ) validations(where string, want, got *grid.Sheet) {
	gotBy := make(map[string][]grid.Validation)
	for _, v := range got.Validations {
		k := validationKey(v)
		gotBy[k] = append(gotBy[k], v)
	}
	for _, w := range want.Validations {
		k := validationKey(w)
		at := fmt.Sprintf("%s validation on %s", where, k)
		gs := gotBy[k]
		if len(gs) == 0 {
			d.add("%s: missing", at)
			continue
		}
		g := gs[0]
		gotBy[k] = gs[1:]
		d.validation(at, w, g)
	}
	for _, k := range sortedKeys(gotBy) {
		for range gotBy[k] {
			d.add("%s validation on %s: not wanted", where, k)
		}
	}
}

func (d *differ) validation(at string, want, got grid.Validation) {
	if d.caps.ValidationRuleOnly {
		if want.InputMessage == "" {
			want.InputMessage = want.InputTitle
		}
		want.InputTitle, want.ErrorTitle, want.ErrorMessage, want.AllowBlank = "", "", "", got.AllowBlank
		if want.ErrorStyle == grid.ErrorInformation {
			want.ErrorStyle = grid.ErrorWarning
		}
		if n, ok := d.want.Name(want.Formula1); ok && want.Type == grid.ValidateList {
			want.Formula1 = n.RefersTo // a list from a defined name is kept as its range
		}
	}
	check := func(what string, w, g any) {
		if w != g {
			d.add("%s: %s: want %v, got %v", at, what, w, g)
		}
	}
	check("type", want.Type.String(), got.Type.String())
	if want.Type != grid.ValidateList && want.Type != grid.ValidateAny {
		check("operator", want.Operator.String(), got.Operator.String())
	}
	check("list", fmt.Sprintf("%q", want.List), fmt.Sprintf("%q", got.List))
	check("formula1", fmt.Sprintf("%q", normRef(want.Formula1)), fmt.Sprintf("%q", normRef(got.Formula1)))
	check("formula2", fmt.Sprintf("%q", normRef(want.Formula2)), fmt.Sprintf("%q", normRef(got.Formula2)))
	check("allow blank", want.AllowBlank, got.AllowBlank)
	check("input title", fmt.Sprintf("%q", want.InputTitle), fmt.Sprintf("%q", got.InputTitle))
	check("input message", fmt.Sprintf("%q", want.InputMessage), fmt.Sprintf("%q", got.InputMessage))
	check("error title", fmt.Sprintf("%q", want.ErrorTitle), fmt.Sprintf("%q", got.ErrorTitle))
	check("error message", fmt.Sprintf("%q", want.ErrorMessage), fmt.Sprintf("%q", got.ErrorMessage))
	if want.Type != grid.ValidateAny {
		check("error style", want.ErrorStyle, got.ErrorStyle)
	}
}

// normRef normalises a formula that may be a sheet-qualified range, so that
// "'Plan'!$B$2:$B$9" and "Plan!B2:B9" compare equal; other formulas only
// lose a leading "=".
func normRef(s string) string {
	s = strings.TrimPrefix(s, "=")
	if sheet, r, err := grid.SplitSheetRef(s); err == nil {
		return r.On(sheet)
	}
	return s
}

func (d *differ) charts(where string, want, got *grid.Sheet) {
	if len(want.Charts) != len(got.Charts) {
		d.add("%s: charts: want %d, got %d", where, len(want.Charts), len(got.Charts))
	}
	for i := range min(len(want.Charts), len(got.Charts)) {
		w, g := want.Charts[i], got.Charts[i]
		at := fmt.Sprintf("%s chart %d (%q)", where, i+1, w.Title)
		if w.Type != g.Type {
			d.add("%s: type: want %s, got %s", at, w.Type.String(), g.Type.String())
		}
		if w.Title != g.Title {
			d.add("%s: title: want %q, got %q", at, w.Title, g.Title)
		}
		if w.Anchor != g.Anchor {
			d.add("%s: anchor: want %s, got %s", at, refOrNone(w.Anchor), refOrNone(g.Anchor))
		}
		if len(w.Series) != len(g.Series) {
			d.add("%s: series: want %d, got %d", at, len(w.Series), len(g.Series))
			continue
		}
		for j, ws := range w.Series {
			gs := g.Series[j]
			sat := fmt.Sprintf("%s series %d", at, j+1)
			if normRef(ws.Name) != normRef(gs.Name) {
				d.add("%s: name: want %q, got %q", sat, ws.Name, gs.Name)
			}
			if normRef(ws.Values) != normRef(gs.Values) {
				d.add("%s: values: want %q, got %q", sat, ws.Values, gs.Values)
			}
			if normRef(ws.Categories) != normRef(gs.Categories) {
				d.add("%s: categories: want %q, got %q", sat, ws.Categories, gs.Categories)
			}
			if ws.Transparent != gs.Transparent {
				d.add("%s: transparent: want %t, got %t", sat, ws.Transparent, gs.Transparent)
			}
			if !ws.Transparent && ws.Color != "" && !strings.EqualFold(ws.Color, gs.Color) {
				d.add("%s: colour: want %q, got %q", sat, ws.Color, gs.Color)
			}
		}
	}
}

func (d *differ) names(want, got *grid.Workbook) {
	for _, w := range want.Names {
		g, ok := got.Name(w.Name)
		switch {
		case !ok:
			d.add("defined name %q: missing (want %q)", w.Name, w.RefersTo)
		case normRef(w.RefersTo) != normRef(g.RefersTo):
			d.add("defined name %q: want %q, got %q", w.Name, w.RefersTo, g.RefersTo)
		}
	}
	for _, g := range got.Names {
		if _, ok := want.Name(g.Name); !ok {
			d.add("defined name %q: not wanted (got %q)", g.Name, g.RefersTo)
		}
	}
}
